//! The CloudFront distribution: forgetting the addresses that changed.

use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};

use super::aws::{failed, AwsError, Clients};
use super::plan::Invalidation;

/// Asks CloudFront to forget `invalidation`'s paths; returns the invalidation's id.
pub async fn invalidate(
    clients: &Clients,
    distribution: &str,
    invalidation: &Invalidation,
) -> Result<Option<String>, AwsError> {
    let paths = match invalidation {
        Invalidation::None => return Ok(None),
        Invalidation::Paths(paths) => paths.clone(),
        Invalidation::Everything => vec!["/*".to_string()],
    };
    let invalid = |e: aws_sdk_cloudfront::error::BuildError| AwsError::Failed {
        action: "preparing the invalidation".into(),
        message: e.to_string(),
    };
    let batch = InvalidationBatch::builder()
        .paths(
            Paths::builder()
                .quantity(paths.len() as i32)
                .set_items(Some(paths))
                .build()
                .map_err(invalid)?,
        )
        // Unique per request: CloudFront treats a repeated reference as the same request.
        .caller_reference(format!(
            "eclaireurs-publish-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ))
        .build()
        .map_err(invalid)?;
    let answer = clients
        .cloudfront
        .create_invalidation()
        .distribution_id(distribution)
        .invalidation_batch(batch)
        .send()
        .await
        .map_err(|e| {
            failed(
                format!("invalidating the distribution `{distribution}`"),
                &e,
            )
        })?;
    Ok(answer.invalidation().map(|i| i.id().to_string()))
}
