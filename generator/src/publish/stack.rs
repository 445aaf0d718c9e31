//! Where to publish: the bucket, distribution and functions of a deployed stack, read from
//! its outputs (names fixed by template.yaml).

use std::collections::HashMap;

use super::aws::{failed, AwsError, Clients};

#[derive(Debug, Clone)]
pub struct Stack {
    pub bucket: String,
    pub distribution: String,
    /// Every function that runs the package publish makes (the same zip, each with its own
    /// Handler), in the order of `FUNCTION_OUTPUTS`.
    pub functions: Vec<String>,
    pub site_url: String,
}

/// The outputs naming the functions that run the package: the submission API's and the
/// notifications'. Both must get each new catalog, so both are required.
const FUNCTION_OUTPUTS: [&str; 2] = ["FunctionName", "NotificationFunctionName"];

/// Every output publish reads, named in the error when one is missing.
const OUTPUTS: [&str; 5] = [
    "SiteBucket",
    "DistributionId",
    "FunctionName",
    "NotificationFunctionName",
    "SiteUrl",
];

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
    from_outputs(name, &outputs)
}

/// The stack from its outputs; a missing one is named, with what fixes it (a stack deployed
/// from an older template.yaml, e.g. before the notification function, lacks outputs).
fn from_outputs(name: &str, outputs: &HashMap<&str, &str>) -> Result<Stack, AwsError> {
    let get = |key: &str| {
        outputs
            .get(key)
            .map(|v| v.to_string())
            .ok_or_else(|| AwsError::Failed {
                action: format!("the stack `{name}` has no output `{key}`"),
                message: format!(
                    "it was not deployed from this version of template.yaml (outputs needed: {}); \
                     update the stack with the current template.yaml (`sam deploy`), then run \
                     publish again",
                    OUTPUTS.join(", ")
                ),
            })
    };
    Ok(Stack {
        bucket: get("SiteBucket")?,
        distribution: get("DistributionId")?,
        functions: FUNCTION_OUTPUTS
            .iter()
            .map(|key| get(key))
            .collect::<Result<_, _>>()?,
        site_url: get("SiteUrl")?.trim_end_matches('/').to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("SiteBucket", "eclaireurs-site"),
            ("DistributionId", "E123"),
            ("FunctionName", "eclaireurs-SubmissionFunction-a1"),
            (
                "NotificationFunctionName",
                "eclaireurs-NotificationFunction-b2",
            ),
            ("SiteUrl", "https://d111.cloudfront.net/"),
            ("PublisherPolicyArn", "arn:aws:iam::123456789012:policy/p"),
        ])
    }

    #[test]
    fn both_functions_are_read_api_first() {
        let stack = from_outputs("eclaireurs", &outputs()).expect("every output is there");
        assert_eq!(
            stack.functions,
            [
                "eclaireurs-SubmissionFunction-a1",
                "eclaireurs-NotificationFunction-b2"
            ]
        );
        assert_eq!(stack.site_url, "https://d111.cloudfront.net");
    }

    #[test]
    fn a_stack_without_the_notification_function_is_told_to_update() {
        let mut outputs = outputs();
        outputs.remove("NotificationFunctionName");
        let err = from_outputs("eclaireurs", &outputs).expect_err("an output is missing");
        let message = err.to_string();
        assert!(
            message.starts_with("the stack `eclaireurs` has no output `NotificationFunctionName`:"),
            "{message}"
        );
        assert!(message.contains("template.yaml"), "{message}");
        assert!(message.contains("`sam deploy`"), "{message}");
        assert!(!message.contains('\n'), "one sentence: {message}");
    }
}
