//! The deployed site's security headers, which `serve` answers with: read from
//! `template.yaml` by the function, whose own pages carry them too (one reading of the
//! policy).

pub use eclaireurs_function::http::security::security_headers;
