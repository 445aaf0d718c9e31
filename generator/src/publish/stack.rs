//! Where to publish: the bucket, distribution and function of a deployed stack, read from
//! its outputs (names fixed by template.yaml).

use std::collections::HashMap;

use super::aws::{failed, AwsError, Clients};

#[derive(Debug, Clone)]
pub struct Stack {
    pub bucket: String,
    pub distribution: String,
    pub function: String,
    pub site_url: String,
}

const OUTPUTS: [&str; 4] = ["SiteBucket", "DistributionId", "FunctionName", "SiteUrl"];

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
    let get = |key: &str| {
        outputs
            .get(key)
            .map(|v| v.to_string())
            .ok_or_else(|| AwsError::Failed {
                action: format!("the stack `{name}` has no output `{key}`"),
                message: format!(
                    "it was not deployed from this version of template.yaml (outputs needed: {}); \
                     run `sam deploy` again",
                    OUTPUTS.join(", ")
                ),
            })
    };
    Ok(Stack {
        bucket: get("SiteBucket")?,
        distribution: get("DistributionId")?,
        function: get("FunctionName")?,
        site_url: get("SiteUrl")?.trim_end_matches('/').to_string(),
    })
}
