//! The functions that run the package (the submission API and the notifications: the same
//! zip, each with its own Handler): a function's code is replaced by the new package only
//! when the package differs from what is deployed (compared by SHA-256, which Lambda reports).

use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::LastUpdateStatus;

use super::aws::{failed, AwsError, Clients};
use crate::package::Package;

/// How long an update may take to become active before publish gives up.
const UPDATE_DEADLINE: Duration = Duration::from_secs(120);

/// What Lambda reports of a function's deployed code.
#[derive(Debug, Clone)]
pub struct Deployed {
    /// The code's SHA-256 (base64).
    pub sha256: String,
    pub status: Option<LastUpdateStatus>,
}

/// What a publish does with one function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Its code is the package, and it is the code that runs.
    UpToDate,
    /// Its code differs from the package, or its last update failed: the package is sent.
    Update,
    /// Its code is the package but not active yet (a publish stopped while it waited for
    /// its update): publish waits for it before the pages, as after an update of its own.
    Wait,
}

impl Step {
    /// The word of the summary line.
    pub fn done(self) -> &'static str {
        match self {
            Step::UpToDate => "unchanged",
            Step::Update => "updated",
            Step::Wait => "awaited",
        }
    }
}

/// Compares the deployed code with the package.
pub fn step(deployed: &Deployed, package_sha256: &str) -> Step {
    if deployed.sha256 != package_sha256 {
        return Step::Update;
    }
    match deployed.status {
        // Whether Lambda reports the failed code's hash or the one it kept, sending the
        // package again is right: it either succeeds or says why it fails.
        Some(LastUpdateStatus::Failed) => Step::Update,
        Some(LastUpdateStatus::InProgress) => Step::Wait,
        _ => Step::UpToDate,
    }
}

/// The deployed code's SHA-256 and the state of its last update.
pub async fn deployed(clients: &Clients, function: &str) -> Result<Deployed, AwsError> {
    let answer = clients
        .lambda
        .get_function()
        .function_name(function)
        .send()
        .await
        .map_err(|e| failed(format!("reading the function `{function}`"), &e))?;
    let config = answer.configuration();
    Ok(Deployed {
        sha256: config
            .and_then(|c| c.code_sha256())
            .unwrap_or_default()
            .to_string(),
        status: config.and_then(|c| c.last_update_status()).cloned(),
    })
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
    wait_until_active(clients, function).await
}

/// Waits until the function's last update has succeeded (or says why it failed).
pub async fn wait_until_active(clients: &Clients, function: &str) -> Result<(), AwsError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn deployed(sha256: &str, status: Option<LastUpdateStatus>) -> Deployed {
        Deployed {
            sha256: sha256.into(),
            status,
        }
    }

    #[test]
    fn only_a_different_or_failed_code_is_sent() {
        let done = Some(LastUpdateStatus::Successful);
        assert_eq!(step(&deployed("new", done.clone()), "new"), Step::UpToDate);
        assert_eq!(step(&deployed("new", None), "new"), Step::UpToDate);
        assert_eq!(step(&deployed("old", done), "new"), Step::Update);
        assert_eq!(
            step(&deployed("new", Some(LastUpdateStatus::Failed)), "new"),
            Step::Update
        );
        assert_eq!(
            step(&deployed("old", Some(LastUpdateStatus::InProgress)), "new"),
            Step::Update
        );
    }

    #[test]
    fn the_package_still_becoming_active_is_waited_for_not_sent_again() {
        assert_eq!(
            step(&deployed("new", Some(LastUpdateStatus::InProgress)), "new"),
            Step::Wait
        );
    }
}
