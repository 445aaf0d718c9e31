//! The AWS side of `publish`: one SDK configuration (credentials, region and endpoints found
//! the standard way, so `AWS_PROFILE`, SSO or `AWS_ENDPOINT_URL_*` work as with any AWS tool),
//! the three clients made from it (S3, CloudFront, CloudFormation: publish has no Lambda
//! client), a count of the requests they send, and AWS errors turned into one plain sentence.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error(
        "no AWS credentials were found: sign in (`aws sso login`, or set AWS_PROFILE), or set \
         AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run publish again"
    )]
    NoCredentials,
    /// What the service said, in one sentence.
    #[error("{action}: {message}")]
    Failed { action: String, message: String },
}

/// Counts every HTTP request the clients send (retries included) and the time spent waiting
/// for their answers, for the summary and the benchmark (which tells the emulator's time
/// from publish's own).
#[derive(Debug, Clone, Default)]
pub struct RequestCount {
    sent: Arc<AtomicUsize>,
    waited_ns: Arc<AtomicU64>,
}

impl RequestCount {
    pub fn get(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    /// The sum of the requests' round trips (concurrent ones overlap).
    pub fn waited(&self) -> Duration {
        Duration::from_nanos(self.waited_ns.load(Ordering::Relaxed))
    }
}

/// When a request left, kept with that request.
#[derive(Debug, Clone)]
struct SentAt(Instant);

impl Storable for SentAt {
    type Storer = StoreReplace<Self>;
}

impl Intercept for RequestCount {
    fn name(&self) -> &'static str {
        "RequestCount"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.sent.fetch_add(1, Ordering::Relaxed);
        cfg.interceptor_state().store_put(SentAt(Instant::now()));
        Ok(())
    }

    fn read_after_transmit(
        &self,
        _context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(SentAt(at)) = cfg.load::<SentAt>() {
            let waited = u64::try_from(at.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.waited_ns.fetch_add(waited, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// Cheap handles on shared connections: a clone per upload task.
#[derive(Clone)]
pub struct Clients {
    pub s3: aws_sdk_s3::Client,
    pub cloudfront: aws_sdk_cloudfront::Client,
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub requests: RequestCount,
}

impl Clients {
    /// Loads the configuration for `region`, and checks that credentials are there before
    /// anything is sent.
    pub async fn connect(region: &str) -> Result<Clients, AwsError> {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .load()
            .await;
        match config.credentials_provider() {
            Some(provider) => {
                provider
                    .provide_credentials()
                    .await
                    .map_err(|_| AwsError::NoCredentials)?;
            }
            None => return Err(AwsError::NoCredentials),
        }
        Ok(Clients::new(&config))
    }

    fn new(config: &SdkConfig) -> Clients {
        let requests = RequestCount::default();
        // An emulator (or any custom S3 endpoint) answers at one address: name buckets in
        // the path, not in the host.
        let custom_s3 = std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
            || std::env::var_os("AWS_ENDPOINT_URL").is_some();
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(custom_s3)
            .interceptor(requests.clone())
            .build();
        let cloudfront = aws_sdk_cloudfront::config::Builder::from(config)
            .interceptor(requests.clone())
            .build();
        let cloudformation = aws_sdk_cloudformation::config::Builder::from(config)
            .interceptor(requests.clone())
            .build();
        Clients {
            s3: aws_sdk_s3::Client::from_conf(s3),
            cloudfront: aws_sdk_cloudfront::Client::from_conf(cloudfront),
            cloudformation: aws_sdk_cloudformation::Client::from_conf(cloudformation),
            requests,
        }
    }
}

/// An SDK error as one sentence: the service's own code and message when it answered, else
/// what kept the request from being answered. Never a debug dump.
pub fn failed<E, R>(
    action: impl Into<String>,
    err: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> AwsError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    let message = match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match (e.code(), e.message()) {
                (Some(code), Some(message)) => format!("{message} ({code})"),
                (Some(code), None) => code.to_string(),
                (None, Some(message)) => message.to_string(),
                (None, None) => "the service refused the request".to_string(),
            }
        }
        SdkError::TimeoutError(_) => "AWS did not answer in time; try again".to_string(),
        SdkError::DispatchFailure(_) => {
            "AWS could not be reached (check the network, or AWS_ENDPOINT_URL)".to_string()
        }
        other => {
            // The innermost cause is the readable one.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(other);
            let mut last = other.to_string();
            while let Some(e) = source {
                last = e.to_string();
                source = e.source();
            }
            last
        }
    };
    AwsError::Failed {
        action: action.into(),
        message,
    }
}
