//! Endpoints: which host a region maps to ([`EndpointKind`]), how the
//! bucket appears in a URL ([`AddressStyle`]), and the parsing of an
//! endpoint a user typed (`[scheme://]host[:port]`), checked before any I/O.

use std::net::IpAddr;

use crate::error::Error;

/// How the bucket appears in the request URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AddressStyle {
    /// `https://<bucket>.<endpoint>/<key>` (the default).
    #[default]
    VirtualHosted,
    /// `https://<endpoint>/<bucket>/<key>`. Chosen instead of
    /// virtual-hosted when the endpoint is an IP address (`127.0.0.1`,
    /// `[::1]`) or `localhost`, whose bucket subdomains do not resolve.
    Path,
    /// `https://<custom domain>/<key>`: the endpoint is a domain bound to
    /// the bucket.
    Cname,
}

/// Which OSS endpoint the region maps to when no endpoint is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum EndpointKind {
    /// `oss-<region>.aliyuncs.com` (the default).
    #[default]
    Public,
    /// `oss-<region>-internal.aliyuncs.com`, from inside Alibaba Cloud.
    Internal,
    /// `<region>.oss.aliyuncs.com`, IPv4 and IPv6.
    DualStack,
    /// `oss-accelerate.aliyuncs.com`, transfer acceleration.
    Accelerate,
    /// `oss-accelerate-overseas.aliyuncs.com`, acceleration outside
    /// mainland China.
    AccelerateOverseas,
}

impl EndpointKind {
    /// The endpoint host for `region`.
    pub fn host_for(self, region: &str) -> String {
        match self {
            EndpointKind::Public => format!("oss-{region}.aliyuncs.com"),
            EndpointKind::Internal => format!("oss-{region}-internal.aliyuncs.com"),
            EndpointKind::DualStack => format!("{region}.oss.aliyuncs.com"),
            EndpointKind::Accelerate => "oss-accelerate.aliyuncs.com".to_string(),
            EndpointKind::AccelerateOverseas => "oss-accelerate-overseas.aliyuncs.com".to_string(),
        }
    }
}

/// A parsed endpoint: scheme, host and optional port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) https: bool,
    /// Lower-case host; IPv6 addresses keep their brackets.
    pub(crate) host: String,
    pub(crate) port: Option<u16>,
    pub(crate) is_ip: bool,
    /// `host[:port]`, formed once.
    pub(crate) authority: String,
}

impl Endpoint {
    /// Parses `[scheme://]host[:port][/]`. Without a scheme, `https` unless
    /// `default_http`.
    pub(crate) fn parse(input: &str, default_http: bool) -> Result<Self, Error> {
        let rule = "an endpoint is [http:// or https://]host[:port], e.g. oss-cn-hangzhou.aliyuncs.com or http://127.0.0.1:9000";
        let bad = |why: String| Error::invalid("endpoint", format!("{why}; {rule}"));
        if input.is_empty() {
            return Err(bad("the endpoint is empty".into()));
        }
        if let Some(c) = input.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(format!("{input:?} contains {c:?}")));
        }
        let (https, rest) = match input.split_once("://") {
            Some((scheme, rest)) => match scheme.to_ascii_lowercase().as_str() {
                "https" => (true, rest),
                "http" => (false, rest),
                _ => return Err(bad(format!("scheme {scheme:?} is not http or https"))),
            },
            None => (!default_http, input),
        };
        if rest.contains('@') {
            return Err(bad(format!(
                "{input:?} has user information; credentials go in the credentials provider"
            )));
        }
        if rest.contains('?') || rest.contains('#') {
            return Err(bad(format!("{input:?} has a query or fragment")));
        }
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains('/') {
            return Err(bad(format!("{input:?} has a path")));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (addr, after) = v6
                .split_once(']')
                .ok_or_else(|| bad(format!("{input:?} has an unclosed '['")))?;
            addr.parse::<std::net::Ipv6Addr>()
                .map_err(|_| bad(format!("{addr:?} is not an IPv6 address")))?;
            let port = match after {
                "" => None,
                p => Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| bad(format!("{input:?} is malformed")))?,
                ),
            };
            (format!("[{}]", addr.to_ascii_lowercase()), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
                None => (authority.to_ascii_lowercase(), None),
            }
        };
        let port = match port {
            None => None,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
                _ => return Err(bad(format!("port {p:?} is not 1 to 65535"))),
            },
        };
        if host.is_empty() {
            return Err(bad(format!("{input:?} has no host")));
        }
        let is_ip = host.starts_with('[') || host.parse::<IpAddr>().is_ok();
        if !is_ip {
            if let Some(c) = host
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
            {
                return Err(bad(format!("host {host:?} contains {c:?}")));
            }
            if host.split('.').any(|label| label.is_empty()) {
                return Err(bad(format!("host {host:?} has an empty label")));
            }
        }
        let authority = match port {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        Ok(Endpoint {
            https,
            host,
            port,
            is_ip,
            authority,
        })
    }

    pub(crate) fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_forms() {
        let e = Endpoint::parse("oss-cn-hangzhou.aliyuncs.com", false).unwrap();
        assert_eq!(
            (e.https, e.host.as_str(), e.port, e.is_ip),
            (true, "oss-cn-hangzhou.aliyuncs.com", None, false)
        );
        let e = Endpoint::parse("HTTP://127.0.0.1:9000/", false).unwrap();
        assert_eq!(
            (e.https, e.authority.as_str(), e.is_ip),
            (false, "127.0.0.1:9000", true)
        );
        let e = Endpoint::parse("[::1]:8080", true).unwrap();
        assert_eq!(
            (e.https, e.authority.as_str(), e.is_ip),
            (false, "[::1]:8080", true)
        );
        for bad in [
            "",
            "ftp://host",
            "http://host/path",
            "http://host?x=1",
            "http://u:p@host",
            "ho st",
            "http://",
            "http://host:0",
            "http://host:99999",
            "http://host:",
            "a..b",
            "http://[::1",
        ] {
            assert!(Endpoint::parse(bad, false).is_err(), "{bad}");
        }
    }
}
