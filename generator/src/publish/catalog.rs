//! The functions' catalog in the stack's private `CatalogBucket`, at `catalog.json`: what is
//! there (its ETag), and the upload of a new one. The functions read it at run time (a
//! cached read with a conditional GET at most every `CATALOG_TTL_SECONDS`), validate it and
//! keep the last good one; publish never changes their code or configuration.

use aws_sdk_s3::operation::head_object::HeadObjectError;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use base64::Engine;

use super::aws::{failed, AwsError, Clients};
use super::plan::{CatalogOnline, LocalFile};
use super::stack::Stack;

/// The catalog's key, where the functions look (their `CATALOG_KEY`).
pub const KEY: &str = eclaireurs_model::catalog::FILE_NAME;

/// The catalog as a file to send.
pub fn local(bytes: Vec<u8>) -> LocalFile {
    LocalFile::new(KEY.to_string(), bytes)
}

/// The ETag of the catalog online; one HEAD.
pub async fn online(clients: &Clients, stack: &Stack) -> Result<CatalogOnline, AwsError> {
    let answer = clients
        .s3
        .head_object()
        .bucket(&stack.catalog_bucket)
        .key(KEY)
        .send()
        .await;
    match answer {
        Ok(head) => Ok(head.e_tag().map_or(CatalogOnline::Unknown, |etag| {
            CatalogOnline::ETag(etag.to_string())
        })),
        Err(err) if matches!(err.as_service_error(), Some(HeadObjectError::NotFound(_))) => {
            Ok(CatalogOnline::Missing)
        }
        // A HEAD has no body, so S3's refusal is only its status.
        Err(err)
            if err
                .raw_response()
                .is_some_and(|r| r.status().as_u16() == 403) =>
        {
            Ok(CatalogOnline::Unknown)
        }
        Err(err) => Err(failed(
            format!(
                "reading the catalog in the bucket `{}` (output CatalogBucket of the stack `{}`)",
                stack.catalog_bucket, stack.name
            ),
            &err,
        )),
    }
}

/// Puts the catalog at its key, with its MD5 (S3 refuses a body that arrives damaged).
pub async fn upload(clients: &Clients, stack: &Stack, catalog: &LocalFile) -> Result<(), AwsError> {
    let answer = clients
        .s3
        .put_object()
        .bucket(&stack.catalog_bucket)
        .key(KEY)
        .body(ByteStream::from(catalog.bytes.as_ref().clone()))
        .content_type("application/json")
        .content_md5(base64::engine::general_purpose::STANDARD.encode(catalog.md5))
        .send()
        .await;
    answer.map(|_| ()).map_err(|err| {
        let refused = err
            .as_service_error()
            .and_then(ProvideErrorMetadata::code)
            .is_some_and(|code| code == "AccessDenied");
        let mut error = failed(
            format!(
                "putting the catalog into the bucket `{}` (output CatalogBucket of the stack `{}`)",
                stack.catalog_bucket, stack.name
            ),
            &err,
        );
        if refused {
            if let AwsError::Failed { message, .. } = &mut error {
                message.push_str(
                    "; publish needs the stack's current PublisherPolicy (output \
                     PublisherPolicyArn): ask an administrator to update the stack with \
                     `sam deploy`, or to attach that policy to you",
                );
            }
        }
        error
    })
}
