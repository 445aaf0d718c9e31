//! The submission function: its code replaced by the new package only when the package
//! differs from what is deployed (compared by SHA-256, which Lambda reports).

use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::LastUpdateStatus;

use super::aws::{failed, AwsError, Clients};
use crate::package::Package;

/// How long an update may take to become active before publish gives up.
const UPDATE_DEADLINE: Duration = Duration::from_secs(120);

/// The deployed code's SHA-256 (base64).
pub async fn deployed_sha256(clients: &Clients, function: &str) -> Result<String, AwsError> {
    let answer = clients
        .lambda
        .get_function()
        .function_name(function)
        .send()
        .await
        .map_err(|e| failed(format!("reading the function `{function}`"), &e))?;
    Ok(answer
        .configuration()
        .and_then(|c| c.code_sha256())
        .unwrap_or_default()
        .to_string())
}

/// Replaces the function's code and waits until the new code is the one that runs.
pub async fn update(clients: &Clients, function: &str, package: &Package) -> Result<(), AwsError> {
    clients
        .lambda
        .update_function_code()
        .function_name(function)
        .zip_file(Blob::new(package.bytes.clone()))
        .send()
        .await
        .map_err(|e| failed(format!("updating the function `{function}`"), &e))?;
    let start = std::time::Instant::now();
    loop {
        let config = clients
            .lambda
            .get_function_configuration()
            .function_name(function)
            .send()
            .await
            .map_err(|e| failed(format!("reading the function `{function}`"), &e))?;
        match config.last_update_status() {
            None | Some(LastUpdateStatus::Successful) => return Ok(()),
            Some(LastUpdateStatus::Failed) => {
                return Err(AwsError::Failed {
                    action: format!("updating the function `{function}`"),
                    message: config
                        .last_update_status_reason()
                        .unwrap_or("Lambda reports the update failed")
                        .to_string(),
                })
            }
            Some(_) if start.elapsed() > UPDATE_DEADLINE => {
                return Err(AwsError::Failed {
                    action: format!("updating the function `{function}`"),
                    message: "the new code was not active after 2 minutes; run publish again"
                        .into(),
                })
            }
            Some(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}
