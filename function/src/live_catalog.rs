//! The catalog as data read at run time: `eclaireurs publish` puts it in the stack's bucket
//! (`CATALOG_BUCKET`, key `CATALOG_KEY`), and the function keeps it in memory with the
//! object's ETag. It reads the object once at start; then, before an invocation, once
//! `CATALOG_TTL_SECONDS` have passed since the last check, it sends one conditional GET
//! (`If-None-Match`): unchanged, it keeps what it has; changed, it checks the new catalog (the
//! model's rules) and swaps it in. A catalog refused or an object unreadable is logged
//! (`catalog_refused`, `catalog_unreachable`, with the reason only, never the content) and
//! the last good catalog kept; at start, the package's catalog serves until a good one comes.
//!
//! What is kept is made from each catalog by the caller: the API's routes and state, or the
//! notification function's notifier.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use aws_sdk_s3::error::SdkError;

use crate::catalog::{Catalog, CatalogError, MAX_SIZE};

/// The most a read of the object may take (at start and on each check): past it the current
/// catalog serves.
pub const READ_TIMEOUT: Duration = Duration::from_secs(2);

/// The object in the bucket.
pub struct Bucket {
    client: aws_sdk_s3::Client,
    bucket: String,
    key: String,
    ttl: Duration,
}

/// What a read of the object found.
pub enum Fetched {
    /// A good catalog, with the object's ETag.
    New(Box<Catalog>, Option<String>),
    /// The object has the ETag already held.
    Unchanged,
    /// The object holds no good catalog (the reason was logged), with its ETag: it is not
    /// read again until it changes.
    Refused(Option<String>),
    /// No answer, or no object: the reason was logged.
    Failed,
}

impl Bucket {
    /// An S3 client of the function's AWS settings (`config`, the one of its table), with
    /// path-style addresses when an endpoint is configured (an emulator such as moto).
    pub fn new(config: &aws_config::SdkConfig, bucket: &str, key: &str, ttl: Duration) -> Bucket {
        let mut builder = crate::s3::builder(config)
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1));
        if config.region().is_none() {
            builder = builder.region(aws_sdk_s3::config::Region::new(
                eclaireurs_model::AWS_REGION,
            ));
        }
        Bucket {
            client: aws_sdk_s3::Client::from_conf(builder.build()),
            bucket: bucket.to_string(),
            key: key.to_string(),
            ttl,
        }
    }

    fn name(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }

    /// Reads the object unless its ETag is `known`, within [`READ_TIMEOUT`], and checks
    /// what it holds. Logs why when nothing usable came.
    pub async fn fetch(&self, known: Option<&str>) -> Fetched {
        let source = self.name();
        match tokio::time::timeout(READ_TIMEOUT, self.read(known)).await {
            Ok(Ok(Some((bytes, etag)))) => match Catalog::parse(&bytes, &source) {
                Ok(data) => Fetched::New(Box::new(data), etag),
                Err(error) => log_refused(&source, &error, etag),
            },
            Ok(Ok(None)) => Fetched::Unchanged,
            Ok(Err(Unreadable::TooLarge(size, etag))) => {
                let path = source.clone();
                log_refused(&source, &CatalogError::TooLarge { path, size }, etag)
            }
            Ok(Err(Unreadable::Other(reason))) => log_unreachable(&source, &reason),
            Err(_) => log_unreachable(
                &source,
                &format!("no answer within {} s", READ_TIMEOUT.as_secs()),
            ),
        }
    }

    /// The object's bytes and ETag; `None` when its ETag is `known` (`304`).
    async fn read(
        &self,
        known: Option<&str>,
    ) -> Result<Option<(Vec<u8>, Option<String>)>, Unreadable> {
        let answer = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .set_if_none_match(known.map(str::to_string))
            .send()
            .await;
        let object = match answer {
            Ok(object) => object,
            Err(error) if error.raw_response().map(|r| r.status().as_u16()) == Some(304) => {
                return Ok(None);
            }
            Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => {
                return Err(Unreadable::Other("there is no such object".into()));
            }
            Err(error) => {
                let reason = aws_sdk_s3::error::DisplayErrorContext(&error).to_string();
                return Err(Unreadable::Other(reason));
            }
        };
        let etag = object.e_tag().map(str::to_string);
        let too_large = |size: usize| Err(Unreadable::TooLarge(size, etag.clone()));
        let announced = object.content_length().unwrap_or(0);
        if usize::try_from(announced).map_or(true, |n| n > MAX_SIZE) {
            return too_large(usize::try_from(announced).unwrap_or(usize::MAX));
        }
        let mut body = object.body;
        let mut bytes = Vec::new();
        while let Some(chunk) = body
            .try_next()
            .await
            .map_err(|e| Unreadable::Other(format!("the object could not be read whole: {e}")))?
        {
            if bytes.len() + chunk.len() > MAX_SIZE {
                return too_large(bytes.len() + chunk.len());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some((bytes, etag)))
    }
}

enum Unreadable {
    /// Its size, and the object's ETag.
    TooLarge(usize, Option<String>),
    Other(String),
}

fn log_refused(source: &str, reason: &CatalogError, etag: Option<String>) -> Fetched {
    tracing::warn!(
        event = "catalog_refused",
        source = %source,
        reason = %reason,
        "catalog_refused: the last good catalog stays in use"
    );
    Fetched::Refused(etag)
}

fn log_unreachable(source: &str, reason: &str) -> Fetched {
    tracing::warn!(
        event = "catalog_unreachable",
        source = %source,
        reason = %reason,
        "catalog_unreachable: the current catalog stays in use"
    );
    Fetched::Failed
}

/// When the object was last asked about, and the ETag of the catalog in use.
struct Checked {
    at: Instant,
    etag: Option<String>,
}

/// What is made of each good catalog.
type Make<T> = Box<dyn Fn(Catalog) -> T + Send + Sync>;

/// The current `T` (made from the current catalog), renewed from the bucket.
pub struct LiveCatalog<T> {
    current: RwLock<Arc<T>>,
    bucket: Option<Bucket>,
    /// Held by the one request that checks the bucket; the others go on with the current
    /// catalog meanwhile (single flight).
    checked: tokio::sync::Mutex<Checked>,
    make: Make<T>,
}

impl<T> LiveCatalog<T> {
    /// `first` made with `make`, renewed from `bucket` (if any) when its TTL has passed.
    /// `etag` is the one of the object `first` came from, if it did.
    pub fn new(
        first: Catalog,
        etag: Option<String>,
        bucket: Option<Bucket>,
        make: impl Fn(Catalog) -> T + Send + Sync + 'static,
    ) -> LiveCatalog<T> {
        LiveCatalog {
            current: RwLock::new(Arc::new(make(first))),
            bucket,
            checked: tokio::sync::Mutex::new(Checked {
                at: Instant::now(),
                etag,
            }),
            make: Box::new(make),
        }
    }

    /// What the current catalog made.
    pub fn current(&self) -> Arc<T> {
        match self.current.read() {
            Ok(current) => current.clone(),
            // A panic while swapping left the previous value, whole: use it.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Asks the bucket whether the catalog changed, if its TTL has passed and no other
    /// request is asking already; swaps in a new good catalog. Returns at once otherwise.
    pub async fn refresh_if_due(&self) {
        let Some(bucket) = &self.bucket else {
            return;
        };
        let Ok(mut checked) = self.checked.try_lock() else {
            return;
        };
        if checked.at.elapsed() < bucket.ttl {
            return;
        }
        let fetched = bucket.fetch(checked.etag.as_deref()).await;
        checked.at = Instant::now();
        if let Fetched::Refused(etag) = fetched {
            checked.etag = etag;
        } else if let Fetched::New(data, etag) = fetched {
            let version = data.version.clone();
            let made = Arc::new((self.make)(*data));
            match self.current.write() {
                Ok(mut current) => *current = made,
                Err(poisoned) => *poisoned.into_inner() = made,
            }
            tracing::info!(
                event = "catalog_loaded",
                source = %bucket.name(),
                version = %version,
                "catalog_loaded: new form definitions in use"
            );
            checked.etag = etag;
        }
    }
}

/// The catalog to start with: the bucket's when it is readable and good, else `fallback`
/// (already read, or its error). `bucket` is the start's read of the object, if there is a
/// bucket.
pub fn first(
    bucket: Option<(&Bucket, Fetched)>,
    fallback: anyhow::Result<Catalog>,
) -> anyhow::Result<(Catalog, Option<String>)> {
    use anyhow::Context;
    match bucket {
        Some((bucket, Fetched::New(data, etag))) => {
            tracing::info!(
                event = "catalog_loaded",
                source = %bucket.name(),
                version = %data.version,
                "catalog_loaded: the bucket's form definitions in use"
            );
            Ok((*data, etag))
        }
        Some((bucket, _)) => {
            let catalog = fallback.with_context(|| {
                format!(
                    "{} is not usable, and neither is the fallback",
                    bucket.name()
                )
            })?;
            tracing::info!(
                event = "catalog_fallback",
                version = %catalog.version,
                "the package's form definitions in use until the bucket's are readable"
            );
            Ok((catalog, None))
        }
        None => Ok((fallback?, None)),
    }
}
