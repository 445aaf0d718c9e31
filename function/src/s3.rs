//! The S3 clients of the function's binary (the catalog's bucket, the access record's): the
//! standard AWS settings, with the bucket named in the path when an endpoint is configured,
//! since an emulator (or any custom S3 endpoint) answers at one address.

/// A client builder of `config`; path-style addresses under `AWS_ENDPOINT_URL_S3` or
/// `AWS_ENDPOINT_URL`.
pub fn builder(config: &aws_config::SdkConfig) -> aws_sdk_s3::config::Builder {
    let custom = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    aws_sdk_s3::config::Builder::from(config).force_path_style(custom)
}
