//! The trail's log files in the audit bucket: `[<prefix>/]AWSLogs/<account>/CloudTrail/
//! <region>/<yyyy>/<mm>/<dd>/<file>.json.gz`, each a gzip of one JSON object with a
//! `Records` array.

use std::io::Read;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::error::SdkError;
use time::Date;

use super::AuditError;

/// A log file larger than this once un-gzipped is refused: CloudTrail writes files of a few
/// megabytes at most, and a bigger one would only fill the memory.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The audit bucket, through an S3 client.
#[derive(Clone)]
pub struct LogBucket {
    s3: aws_sdk_s3::Client,
    bucket: String,
}

/// `[<prefix>/]AWSLogs/<account>/CloudTrail/<region>/`
pub fn folder(prefix: &str, account: &str, region: &str) -> String {
    format!("{}AWSLogs/{account}/CloudTrail/{region}/", root(prefix))
}

/// A day's folder under [`folder`]'s.
pub fn day_prefix(folder: &str, day: Date) -> String {
    format!(
        "{folder}{:04}/{:02}/{:02}/",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

fn root(prefix: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    }
}

impl LogBucket {
    /// An S3 client configured the standard way (`AWS_PROFILE`, SSO, `AWS_ENDPOINT_URL_S3`),
    /// in `region`, after checking that credentials are there.
    pub async fn connect(bucket: &str, region: &str) -> Result<LogBucket, AuditError> {
        use aws_sdk_s3::config::ProvideCredentials;
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .load()
            .await;
        match config.credentials_provider() {
            Some(provider) => {
                provider
                    .provide_credentials()
                    .await
                    .map_err(|_| AuditError::NoCredentials)?;
            }
            None => return Err(AuditError::NoCredentials),
        }
        let s3 = crate::s3::builder(&config).build();
        Ok(LogBucket {
            s3: aws_sdk_s3::Client::from_conf(s3),
            bucket: bucket.to_string(),
        })
    }

    /// `s3://bucket/key`
    pub fn describe(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    /// The one account whose logs the bucket holds, `None` when it holds none yet.
    pub async fn account(&self, prefix: &str) -> Result<Option<String>, AuditError> {
        let logs = format!("{}AWSLogs/", root(prefix));
        let listed = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(&logs)
            .delimiter("/")
            .send()
            .await
            .map_err(|e| self.failed(&logs, "listing", &e))?;
        let accounts: Vec<String> = listed
            .common_prefixes()
            .iter()
            .filter_map(|p| p.prefix())
            .filter_map(|p| p.strip_prefix(logs.as_str()))
            .map(|p| p.trim_end_matches('/'))
            .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string)
            .collect();
        match accounts.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.clone())),
            several => Err(AuditError::SeveralAccounts {
                bucket: self.bucket.clone(),
                accounts: several.join(", "),
            }),
        }
    }

    /// The keys of the log files under `prefix` (digests and other files left out).
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, AuditError> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .s3
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| self.failed(prefix, "listing", &e))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key())
                    .filter(|k| k.ends_with(".json.gz"))
                    .map(str::to_string),
            );
            match page.next_continuation_token() {
                Some(next) if page.is_truncated() == Some(true) => token = Some(next.to_string()),
                _ => return Ok(keys),
            }
        }
    }

    /// A log file's JSON, un-gzipped.
    pub async fn read(&self, key: &str) -> Result<Vec<u8>, AuditError> {
        let object = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.failed(key, "reading", &e))?;
        let gzip = object
            .body
            .collect()
            .await
            .map_err(|e| AuditError::Failed {
                action: format!("reading {}", self.describe(key)),
                message: e.to_string(),
            })?
            .into_bytes();
        gunzip(&gzip).map_err(|reason| AuditError::Malformed {
            path: self.describe(key),
            reason,
        })
    }

    fn failed<E, R>(&self, key: &str, action: &str, err: &SdkError<E, R>) -> AuditError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        let what = self.describe(key);
        let (code, message) = match err {
            SdkError::ServiceError(service) => (
                service.err().code().unwrap_or_default().to_string(),
                service.err().message().unwrap_or_default().to_string(),
            ),
            SdkError::TimeoutError(_) => (
                String::new(),
                "AWS did not answer in time; try again".into(),
            ),
            SdkError::DispatchFailure(_) => (
                String::new(),
                "S3 could not be reached (check the network, or AWS_ENDPOINT_URL_S3)".into(),
            ),
            other => (String::new(), innermost(other)),
        };
        classify(&self.bucket, &what, action, &code, &message)
    }
}

/// An S3 error code as the error people can act on.
pub fn classify(bucket: &str, what: &str, action: &str, code: &str, message: &str) -> AuditError {
    match code {
        "NoSuchBucket" => AuditError::NoSuchBucket {
            bucket: bucket.to_string(),
        },
        "AccessDenied" | "AllAccessDisabled" | "Forbidden" => AuditError::AccessDenied {
            what: what.to_string(),
        },
        code if code.starts_with("KMS.") => AuditError::AccessDenied {
            what: format!("{what} (its encryption key)"),
        },
        "InvalidAccessKeyId"
        | "SignatureDoesNotMatch"
        | "ExpiredToken"
        | "InvalidToken"
        | "TokenRefreshRequired" => AuditError::CredentialsRefused {
            code: code.to_string(),
        },
        "PermanentRedirect" | "AuthorizationHeaderMalformed" => AuditError::Failed {
            action: format!("{action} {what}"),
            message: "the bucket is in another region: set AWS_REGION to the stack's region".into(),
        },
        _ => AuditError::Failed {
            action: format!("{action} {what}"),
            message: match (code.is_empty(), message.is_empty()) {
                (false, false) => format!("{message} ({code})"),
                (false, true) => code.to_string(),
                (true, false) => message.to_string(),
                (true, true) => "S3 refused the request".to_string(),
            },
        },
    }
}

fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut last = err.to_string();
    while let Some(e) = source {
        last = e.to_string();
        source = e.source();
    }
    last
}

/// Un-gzips a log file (every member: a gzip may hold several), up to [`MAX_FILE_BYTES`].
pub fn gunzip(gzip: &[u8]) -> Result<Vec<u8>, String> {
    let mut json = Vec::new();
    flate2::read::MultiGzDecoder::new(gzip)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!("not gzip ({e})"))?;
    if json.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "larger than {} MiB once un-gzipped",
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use time::macros::date;

    #[test]
    fn a_days_folder_is_the_trails_path_with_the_date() {
        let folder = folder("", "111122223333", "ca-central-1");
        assert_eq!(folder, "AWSLogs/111122223333/CloudTrail/ca-central-1/");
        assert_eq!(
            day_prefix(&folder, date!(2026 - 03 - 07)),
            "AWSLogs/111122223333/CloudTrail/ca-central-1/2026/03/07/"
        );
        assert_eq!(
            super::folder("/audit/", "111122223333", "ca-central-1"),
            "audit/AWSLogs/111122223333/CloudTrail/ca-central-1/"
        );
    }

    #[test]
    fn a_log_file_is_ungzipped_and_anything_else_is_refused() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(br#"{"Records":[]}"#).expect("gzip");
        let gzip = encoder.finish().expect("gzip");
        assert_eq!(gunzip(&gzip).as_deref(), Ok(&br#"{"Records":[]}"#[..]));
        let refused = gunzip(br#"{"Records":[]}"#).expect_err("not gzip");
        assert!(refused.starts_with("not gzip"), "{refused}");
    }

    #[test]
    fn a_refusal_names_the_policy_to_attach_and_a_missing_bucket_says_so() {
        let denied = classify(
            "b",
            "s3://b/AWSLogs/",
            "listing",
            "AccessDenied",
            "Access Denied",
        );
        assert!(matches!(denied, AuditError::AccessDenied { .. }));
        assert!(denied.to_string().contains("AuditorPolicyArn"), "{denied}");
        let kms = classify("b", "s3://b/k", "reading", "KMS.AccessDeniedException", "");
        assert!(kms.to_string().contains("AuditorPolicyArn"), "{kms}");
        let missing = classify("b", "s3://b/AWSLogs/", "listing", "NoSuchBucket", "");
        assert_eq!(
            missing.to_string(),
            "there is no bucket b (in this account and region): check the stack's output \
             AuditBucket, and AWS_REGION"
        );
        let other = classify(
            "b",
            "s3://b/k",
            "reading",
            "SlowDown",
            "Please reduce your rate",
        );
        assert_eq!(
            other.to_string(),
            "reading s3://b/k: Please reduce your rate (SlowDown)"
        );
    }
}
