//! Which `Host` a local server answers for. A page of another site can make a browser send
//! it requests (its own name resolved to 127.0.0.1: DNS rebinding) and read the answers,
//! the preview's drafts included; such a request still names that other site in its `Host`.
//! So a server bound to an address answers only the names of that address.

use std::net::{IpAddr, SocketAddr};

use axum::http::uri::Authority;
use axum::http::{header, Request};

/// The names a server answers for.
#[derive(Debug, Clone)]
pub enum Hosts {
    /// Loopback names (`localhost`, `127.0.0.1`, `[::1]`) and the address bound, with any
    /// port (a forwarded port keeps the name).
    Named(Vec<String>),
    /// Bound to every address (`0.0.0.0`, `[::]`): reached under names it cannot know (a
    /// container's, a machine's on the network), it answers any.
    Any,
}

impl Hosts {
    /// The names for a server listening on `address`.
    pub fn for_address(address: SocketAddr) -> Hosts {
        let ip = address.ip();
        if ip.is_unspecified() {
            return Hosts::Any;
        }
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .into_iter()
            .map(String::from)
            .collect();
        let own = match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        };
        if !names.contains(&own) {
            names.push(own);
        }
        Hosts::Named(names)
    }

    /// Whether `request` names one of these hosts: the authority of an address in absolute
    /// form, otherwise its one `Host` header. A request that names none (HTTP/1.0) is not
    /// one a browser sends, so it is answered.
    pub fn allow<B>(&self, request: &Request<B>) -> bool {
        let Hosts::Named(names) = self else {
            return true;
        };
        let named = match request.uri().authority() {
            Some(authority) => Some(authority.as_str().to_string()),
            None => {
                let mut hosts = request.headers().get_all(header::HOST).iter();
                match (hosts.next(), hosts.next()) {
                    (None, _) => None,
                    (Some(host), None) => match host.to_str() {
                        Ok(host) => Some(host.to_string()),
                        Err(_) => return false,
                    },
                    // Two `Host` headers: which one a proxy on the way read is unknown.
                    (Some(_), Some(_)) => return false,
                }
            }
        };
        let Some(named) = named else {
            return true;
        };
        if named.contains('@') {
            return false;
        }
        match named.parse::<Authority>() {
            Ok(authority) => {
                let host = authority.host().to_ascii_lowercase();
                names.contains(&host)
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asks(hosts: &Hosts, host: &str) -> bool {
        let request = Request::builder()
            .uri("/fr/")
            .header(header::HOST, host)
            .body(())
            .expect("request");
        hosts.allow(&request)
    }

    #[test]
    fn a_server_on_loopback_answers_loopback_names_with_or_without_a_port() {
        let hosts = Hosts::for_address("127.0.0.1:8000".parse().expect("address"));
        for host in [
            "localhost",
            "LOCALHOST:8000",
            "127.0.0.1",
            "127.0.0.1:8000",
            "[::1]:8000",
            "localhost:9999",
        ] {
            assert!(asks(&hosts, host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8000",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "user@localhost",
            "",
            "192.168.1.10:8000",
        ] {
            assert!(!asks(&hosts, host), "{host}");
        }
    }

    #[test]
    fn a_server_on_another_address_answers_that_address_too_and_one_on_every_address_any() {
        let hosts = Hosts::for_address("192.168.1.10:9000".parse().expect("address"));
        assert!(asks(&hosts, "192.168.1.10:9000"));
        assert!(asks(&hosts, "localhost:9000"));
        assert!(!asks(&hosts, "evil.example:9000"));
        let any = Hosts::for_address("0.0.0.0:9000".parse().expect("address"));
        assert!(asks(&any, "eclaireurs-function:9000"));
    }

    #[test]
    fn the_authority_of_an_address_in_absolute_form_is_the_one_checked() {
        let hosts = Hosts::for_address("127.0.0.1:8000".parse().expect("address"));
        let request = Request::builder()
            .uri("http://evil.example/fr/")
            .header(header::HOST, "127.0.0.1:8000")
            .body(())
            .expect("request");
        assert!(!hosts.allow(&request));
    }
}
