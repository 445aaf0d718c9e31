//! The site's bucket: what is there (key and ETag), uploads, deletions.

use std::collections::HashMap;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use base64::Engine;

use super::aws::{failed, AwsError, Clients};
use super::media;
use super::plan::LocalFile;

/// DeleteObjects takes at most this many keys at once.
const DELETE_BATCH: usize = 1000;

/// Keys asked for per page of the listing. S3 answers at most 1,000 a page whatever is asked
/// ("the response … will never contain more"), so against AWS this changes nothing; a
/// compatible server that gives more per page (moto, which sorts the whole bucket again for
/// every page) then lists 12,600 keys in one answer instead of 13.
const LIST_PAGE: i32 = 100_000;

/// Every object of the bucket: key → ETag.
pub async fn list(clients: &Clients, bucket: &str) -> Result<HashMap<String, String>, AwsError> {
    let mut objects = HashMap::new();
    let mut pages = clients
        .s3
        .list_objects_v2()
        .bucket(bucket)
        .max_keys(LIST_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| failed(format!("listing the bucket `{bucket}`"), &e))?;
        for object in page.contents() {
            if let (Some(key), Some(etag)) = (object.key(), object.e_tag()) {
                objects.insert(key.to_string(), etag.to_string());
            }
        }
    }
    Ok(objects)
}

/// Uploads one file with its type, cache policy and MD5 (S3 refuses a body that arrives
/// damaged).
pub async fn upload(clients: &Clients, bucket: &str, file: &LocalFile) -> Result<(), AwsError> {
    let body = ByteStream::from(file.bytes.as_ref().clone());
    clients
        .s3
        .put_object()
        .bucket(bucket)
        .key(&file.key)
        .body(body)
        .content_type(media::content_type(&file.key))
        .cache_control(media::cache_control(&file.key))
        .content_md5(base64::engine::general_purpose::STANDARD.encode(file.md5))
        .send()
        .await
        .map_err(|e| failed(format!("uploading {}", file.key), &e))?;
    Ok(())
}

pub async fn delete(clients: &Clients, bucket: &str, keys: &[String]) -> Result<(), AwsError> {
    for batch in keys.chunks(DELETE_BATCH) {
        let objects = batch
            .iter()
            .map(|key| ObjectIdentifier::builder().key(key).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AwsError::Failed {
                action: "preparing the deletions".into(),
                message: e.to_string(),
            })?;
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|e| AwsError::Failed {
                action: "preparing the deletions".into(),
                message: e.to_string(),
            })?;
        let answer = clients
            .s3
            .delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .map_err(|e| failed("deleting old files", &e))?;
        if let Some(error) = answer.errors().first() {
            return Err(AwsError::Failed {
                action: format!("deleting {}", error.key().unwrap_or("a file")),
                message: error.message().unwrap_or("refused").to_string(),
            });
        }
    }
    Ok(())
}
