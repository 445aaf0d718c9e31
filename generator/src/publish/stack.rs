//! Where to publish: the site's bucket, the distribution and the catalog's bucket of a
//! deployed stack, read from its outputs (names fixed by template.yaml), and whether its
//! per-address rate limit is on, read from its parameter `WebAclArn`. One DescribeStacks
//! gives both.

use std::collections::HashMap;

use super::aws::{failed, AwsError, Clients};

#[derive(Debug, Clone)]
pub struct Stack {
    pub name: String,
    pub bucket: String,
    pub distribution: String,
    pub site_url: String,
    /// The private bucket the functions read their catalog from (key `catalog.json`).
    pub catalog_bucket: String,
    /// The stack's `WebAclArn` parameter is set: the edge's per-address rate limit on /api/
    /// (waf.yaml) is attached to the distribution.
    pub rate_limited: bool,
}

/// Every output publish reads, named in the error when one is missing.
const OUTPUTS: [&str; 4] = ["SiteBucket", "DistributionId", "SiteUrl", "CatalogBucket"];

/// The parameter holding the ARN of waf.yaml's web ACL; empty means no rate limit.
const WEB_ACL_PARAMETER: &str = "WebAclArn";

pub async fn find(clients: &Clients, name: &str, region: &str) -> Result<Stack, AwsError> {
    let answer = clients
        .cloudformation
        .describe_stacks()
        .stack_name(name)
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(err) => {
            let missing = err
                .as_service_error()
                .and_then(aws_smithy_types::error::metadata::ProvideErrorMetadata::message)
                .is_some_and(|m| m.contains("does not exist"));
            if missing {
                return Err(AwsError::Failed {
                    action: format!("no stack named `{name}` in {region}"),
                    message: "check --stack (the name given to `sam deploy`) and --region".into(),
                });
            }
            return Err(failed(format!("reading the stack `{name}`"), &err));
        }
    };
    let Some(stack) = answer.stacks().first() else {
        return Err(AwsError::Failed {
            action: format!("no stack named `{name}` in {region}"),
            message: "check --stack and --region".into(),
        });
    };
    let outputs: HashMap<&str, &str> = stack
        .outputs()
        .iter()
        .filter_map(|o| Some((o.output_key()?, o.output_value()?)))
        .collect();
    let parameters: HashMap<&str, &str> = stack
        .parameters()
        .iter()
        .filter_map(|p| Some((p.parameter_key()?, p.parameter_value().unwrap_or(""))))
        .collect();
    from_description(name, &outputs, &parameters)
}

/// The stack from its outputs and parameters; a missing output is named, with what fixes it
/// (a stack deployed from an older template.yaml lacks outputs).
fn from_description(
    name: &str,
    outputs: &HashMap<&str, &str>,
    parameters: &HashMap<&str, &str>,
) -> Result<Stack, AwsError> {
    let get = |key: &str| {
        outputs
            .get(key)
            .map(|v| v.to_string())
            .ok_or_else(|| missing_output(name, key))
    };
    Ok(Stack {
        name: name.to_string(),
        bucket: get("SiteBucket")?,
        distribution: get("DistributionId")?,
        site_url: get("SiteUrl")?.trim_end_matches('/').to_string(),
        catalog_bucket: get("CatalogBucket")?,
        // A stack without the parameter at all predates waf.yaml: no rate limit either.
        rate_limited: parameters
            .get(WEB_ACL_PARAMETER)
            .is_some_and(|arn| !arn.trim().is_empty()),
    })
}

fn missing_output(name: &str, key: &str) -> AwsError {
    let message = if key == "CatalogBucket" {
        // The one an existing stack is most likely to lack: say why, not only what.
        "it was deployed before the catalog moved out of the function's package: update the \
         stack with `sam deploy` first (an administrator, with the current template.yaml and \
         `scripts/package-function`), then run publish again"
            .to_string()
    } else {
        format!(
            "it was not deployed from this version of template.yaml (outputs needed: {}); \
             update the stack with the current template.yaml (`sam deploy`), then run publish \
             again",
            OUTPUTS.join(", ")
        )
    };
    AwsError::Failed {
        action: format!("the stack `{name}` has no output `{key}`"),
        message,
    }
}

/// The one line said at every publish of a stack without the rate limit: a warning, not a
/// stop (a test stack, or the days before waf.yaml is deployed).
pub fn rate_limit_warning(stack: &Stack) -> Option<String> {
    (!stack.rate_limited).then(|| {
        format!(
            "warning: the stack `{}` has an empty WebAclArn, so the per-address rate limit on \
             /api/ is off and one sender can use up the capacity every form shares: deploy \
             waf.yaml in us-east-1 and give its output WebAclArn to `sam deploy` (README, \
             \"Going live\")",
            stack.name
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACL: &str = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/eclaireurs-api/0a1b";

    fn outputs() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("SiteBucket", "eclaireurs-site"),
            ("DistributionId", "E123"),
            ("SiteUrl", "https://d111.cloudfront.net/"),
            ("CatalogBucket", "eclaireurs-catalog"),
            ("PublisherPolicyArn", "arn:aws:iam::123456789012:policy/p"),
        ])
    }

    fn parameters(web_acl: &'static str) -> HashMap<&'static str, &'static str> {
        HashMap::from([("WebAclArn", web_acl), ("DomainName", "")])
    }

    #[test]
    fn the_buckets_distribution_and_address_are_read_from_the_outputs() {
        let stack = from_description("eclaireurs", &outputs(), &parameters(ACL))
            .expect("every output is there");
        assert_eq!(stack.bucket, "eclaireurs-site");
        assert_eq!(stack.catalog_bucket, "eclaireurs-catalog");
        assert_eq!(stack.distribution, "E123");
        assert_eq!(stack.site_url, "https://d111.cloudfront.net");
    }

    #[test]
    fn a_stack_from_before_the_catalog_bucket_is_told_to_be_updated_first() {
        let mut outputs = outputs();
        outputs.remove("CatalogBucket");
        let err = from_description("eclaireurs", &outputs, &parameters(ACL))
            .expect_err("an output is missing");
        let message = err.to_string();
        assert!(
            message.starts_with("the stack `eclaireurs` has no output `CatalogBucket`:"),
            "{message}"
        );
        assert!(
            message.contains("deployed before the catalog moved out of the function's package"),
            "{message}"
        );
        assert!(message.contains("`sam deploy` first"), "{message}");
        assert!(!message.contains('\n'), "one sentence: {message}");
    }

    #[test]
    fn another_missing_output_names_every_output_publish_reads() {
        let mut outputs = outputs();
        outputs.remove("DistributionId");
        let message = from_description("eclaireurs", &outputs, &parameters(ACL))
            .expect_err("an output is missing")
            .to_string();
        assert!(
            message.starts_with("the stack `eclaireurs` has no output `DistributionId`:"),
            "{message}"
        );
        assert!(
            message.contains("SiteBucket, DistributionId, SiteUrl, CatalogBucket"),
            "{message}"
        );
    }

    #[test]
    fn an_empty_or_missing_web_acl_warns_in_one_line_and_a_set_one_does_not() {
        for web_acl in [Some(""), Some("  "), None] {
            let parameters = web_acl.map(parameters).unwrap_or_default();
            let stack = from_description("eclaireurs", &outputs(), &parameters).expect("stack");
            let warning = rate_limit_warning(&stack).expect("the rate limit is off");
            assert!(
                warning.starts_with("warning: the stack `eclaireurs` has an empty WebAclArn"),
                "{warning}"
            );
            assert!(warning.contains("waf.yaml"), "{warning}");
            assert!(warning.contains("Going live"), "{warning}");
            assert!(!warning.contains('\n'), "one line: {warning}");
        }
        let stack = from_description("eclaireurs", &outputs(), &parameters(ACL)).expect("stack");
        assert_eq!(rate_limit_warning(&stack), None);
    }
}
