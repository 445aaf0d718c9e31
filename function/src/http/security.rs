//! The security headers of the deployed site, read from the one place that defines them:
//! the distribution's response headers policy in `template.yaml` (`SecurityHeadersPolicy`),
//! built into the binary. The function's own pages carry them (they are the site's pages,
//! with its stylesheet, icon and script), and `eclaireurs serve` answers everything with
//! them, so a page that breaks the Content-Security-Policy breaks before it is published.

use std::sync::OnceLock;

use axum::http::{HeaderName, HeaderValue};
use serde_yaml::Value;

/// The deployment's template, as the distribution is defined.
const TEMPLATE: &str = include_str!("../../../template.yaml");

/// The resource of the template that defines the headers.
const POLICY: &str = "SecurityHeadersPolicy";

#[derive(Debug, thiserror::Error)]
pub enum HeadersError {
    #[error("template.yaml cannot be read: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("template.yaml: {0} is missing from Resources.{POLICY}")]
    Missing(&'static str),
    #[error(
        "template.yaml: Resources.{POLICY} gives {name} a value that is not a header: {value:?}"
    )]
    Invalid { name: String, value: String },
}

/// The headers CloudFront adds to every answer of the distribution, as it sends them.
pub fn security_headers() -> Result<Vec<(HeaderName, HeaderValue)>, HeadersError> {
    from_template(TEMPLATE)
}

fn from_template(template: &str) -> Result<Vec<(HeaderName, HeaderValue)>, HeadersError> {
    let template: Value = serde_yaml::from_str(template)?;
    let config = template
        .get("Resources")
        .and_then(|r| r.get(POLICY))
        .and_then(|p| p.get("Properties"))
        .and_then(|p| p.get("ResponseHeadersPolicyConfig"))
        .ok_or(HeadersError::Missing(
            "Properties.ResponseHeadersPolicyConfig",
        ))?;
    let security = config
        .get("SecurityHeadersConfig")
        .ok_or(HeadersError::Missing("SecurityHeadersConfig"))?;
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);
    let mut headers: Vec<(String, String)> = Vec::new();
    if let Some(hsts) = security.get("StrictTransportSecurity") {
        let age = hsts
            .get("AccessControlMaxAgeSec")
            .and_then(Value::as_u64)
            .ok_or(HeadersError::Missing(
                "StrictTransportSecurity.AccessControlMaxAgeSec",
            ))?;
        let flag = |name: &str| hsts.get(name).and_then(Value::as_bool) == Some(true);
        let mut value = format!("max-age={age}");
        if flag("IncludeSubdomains") {
            value.push_str("; includeSubDomains");
        }
        if flag("Preload") {
            value.push_str("; preload");
        }
        headers.push(("strict-transport-security".into(), value));
    }
    if let Some(csp) = security.get("ContentSecurityPolicy") {
        let policy = text(csp.get("ContentSecurityPolicy")).ok_or(HeadersError::Missing(
            "ContentSecurityPolicy.ContentSecurityPolicy",
        ))?;
        // The folded YAML keeps line breaks as spaces; CloudFront sends one line.
        let policy = policy.split_whitespace().collect::<Vec<_>>().join(" ");
        headers.push(("content-security-policy".into(), policy));
    }
    if security.get("ContentTypeOptions").is_some() {
        headers.push(("x-content-type-options".into(), "nosniff".into()));
    }
    if let Some(frame) = security.get("FrameOptions") {
        let option = text(frame.get("FrameOption"))
            .ok_or(HeadersError::Missing("FrameOptions.FrameOption"))?;
        headers.push(("x-frame-options".into(), option));
    }
    if let Some(referrer) = security.get("ReferrerPolicy") {
        let policy = text(referrer.get("ReferrerPolicy"))
            .ok_or(HeadersError::Missing("ReferrerPolicy.ReferrerPolicy"))?;
        headers.push(("referrer-policy".into(), policy));
    }
    let custom = config
        .get("CustomHeadersConfig")
        .and_then(|c| c.get("Items"))
        .and_then(Value::as_sequence)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for item in custom {
        let name = text(item.get("Header"))
            .ok_or(HeadersError::Missing("CustomHeadersConfig.Items[].Header"))?;
        let value = text(item.get("Value"))
            .ok_or(HeadersError::Missing("CustomHeadersConfig.Items[].Value"))?;
        headers.push((name.to_ascii_lowercase(), value));
    }
    headers
        .into_iter()
        .map(|(name, value)| {
            let invalid = || HeadersError::Invalid {
                name: name.clone(),
                value: value.clone(),
            };
            Ok((
                HeaderName::try_from(name.as_str()).map_err(|_| invalid())?,
                HeaderValue::try_from(value.as_str()).map_err(|_| invalid())?,
            ))
        })
        .collect()
}

/// [`security_headers`], read once; none if the template cannot give them (its own test
/// fails then), so the function's pages then carry only what [`super::respond`] sets.
pub fn site_headers() -> &'static [(HeaderName, HeaderValue)] {
    static HEADERS: OnceLock<Vec<(HeaderName, HeaderValue)>> = OnceLock::new();
    HEADERS.get_or_init(|| security_headers().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(headers: &'a [(HeaderName, HeaderValue)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.to_str().ok())
    }

    #[test]
    fn the_template_s_policy_gives_every_header_as_cloudfront_sends_it() {
        let headers = security_headers().expect("the template's headers");
        assert_eq!(
            get(&headers, "strict-transport-security"),
            Some("max-age=63072000; includeSubDomains")
        );
        let csp = get(&headers, "content-security-policy").expect("a CSP");
        assert!(
            csp.starts_with("default-src 'none'; script-src 'self';"),
            "{csp}"
        );
        assert!(
            !csp.contains('\n') && !csp.contains("  "),
            "one line: {csp}"
        );
        assert_eq!(get(&headers, "x-content-type-options"), Some("nosniff"));
        assert_eq!(get(&headers, "x-frame-options"), Some("DENY"));
        assert_eq!(
            get(&headers, "referrer-policy"),
            Some("strict-origin-when-cross-origin")
        );
        assert!(get(&headers, "permissions-policy").is_some_and(|p| p.contains("camera=()")));
    }

    #[test]
    fn a_template_without_the_policy_is_an_error_that_names_it() {
        let err =
            from_template("Resources:\n  Other: {Type: AWS::S3::Bucket}\n").expect_err("no policy");
        assert!(err.to_string().contains("SecurityHeadersPolicy"), "{err}");
    }
}
