//! Proxies: which one a request goes through ([`ProxyConfig`]: an explicit
//! URL, none, or the environment's `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY`),
//! the checks of a proxy URL and of a `NO_PROXY` list, and the errors that
//! name the proxy (never its credentials).
//!
//! `NO_PROXY` follows curl's convention: entries separated by commas (white
//! space around them ignored); `*` alone exempts every host; a host name
//! exempts itself and every subdomain (`example.com` and `.example.com`
//! alike, and `*.example.com` is read as `.example.com`); an IP address
//! exempts itself, IPv6 with or without brackets (`::1` and `[::1]`); a CIDR
//! range (`10.0.0.0/8`, `fd00::/8`) exempts the addresses in it. Matching is
//! case-insensitive and ignores ports (an entry's `:port` is dropped). Host
//! names are compared as written, never resolved.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use crate::error::Error;

/// An environment lookup: the value of a variable, if set.
pub(crate) type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Which proxy requests go through. The default is
/// [`ProxyConfig::from_env`].
///
/// ```
/// use oss_process::{Client, Credentials, ProxyConfig};
///
/// let client = Client::builder()
///     .region("cn-hangzhou")
///     .credentials(Credentials::new("id", "secret"))
///     .proxy(ProxyConfig::url("http://user:password@proxy.internal:3128").no_proxy(".internal"))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), oss_process::Error>(())
/// ```
///
/// Proxies are `http://` (plain CONNECT) or `https://` (TLS to the proxy,
/// then CONNECT), with optional `user:password@` (percent-encoded), which is
/// sent as `Proxy-Authorization: Basic` and never printed: `Debug`, error
/// messages and logs show `scheme://host:port` only. Without a port, 80
/// (`http://`) or 443 (`https://`); without a scheme, `http://`. Every
/// request goes through the proxy as a CONNECT tunnel, `http://` endpoints
/// included. The ECS metadata service and other loopback or link-local
/// credential endpoints never go through a proxy.
#[derive(Clone)]
pub struct ProxyConfig {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    /// From the environment: the process's, or a lookup's.
    Environment(Option<Lookup>),
    /// No proxy.
    Direct,
    /// This proxy, except for the hosts of the list.
    Url { url: String, no_proxy: String },
}

impl ProxyConfig {
    /// The proxy the environment names (the default): `HTTPS_PROXY` (or
    /// `https_proxy`) for `https://` endpoints, `HTTP_PROXY` (or
    /// `http_proxy`) for `http://` endpoints, else `ALL_PROXY` (or
    /// `all_proxy`); the upper-case name wins when both are set, and an
    /// empty value counts as unset. `NO_PROXY` (or `no_proxy`) lists the
    /// hosts that go direct (see the module docs for its syntax). A
    /// malformed value is an error when the client is built, naming the
    /// variable.
    #[must_use]
    pub fn from_env() -> Self {
        ProxyConfig {
            kind: Kind::Environment(None),
        }
    }

    /// Like [`from_env`](Self::from_env), with the variables read through
    /// `lookup` instead of the process environment (for tests, and programs
    /// with their own configuration maps).
    #[must_use]
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        ProxyConfig {
            kind: Kind::Environment(Some(Arc::new(lookup))),
        }
    }

    /// No proxy, whatever the environment says.
    #[must_use]
    pub fn none() -> Self {
        ProxyConfig { kind: Kind::Direct }
    }

    /// Every request through this proxy, `[http:// or https://][user:password@]host[:port]`,
    /// except for the hosts [`no_proxy`](Self::no_proxy) lists. The
    /// environment is not read.
    #[must_use]
    pub fn url(url: impl Into<String>) -> Self {
        ProxyConfig {
            kind: Kind::Url {
                url: url.into(),
                no_proxy: String::new(),
            },
        }
    }

    /// The hosts that go direct, in `NO_PROXY` syntax (e.g.
    /// `localhost,.internal,10.0.0.0/8`), for a proxy set with
    /// [`url`](Self::url); ignored otherwise.
    #[must_use]
    pub fn no_proxy(mut self, list: impl Into<String>) -> Self {
        if let Kind::Url { no_proxy, .. } = &mut self.kind {
            *no_proxy = list.into();
        }
        self
    }

    /// Checks the setting and picks the proxy for endpoints of one scheme.
    /// No I/O. Errors name the setting or variable, never a password.
    pub(crate) fn resolve(&self, https: bool) -> Result<Proxying, Error> {
        match &self.kind {
            Kind::Direct => Ok(Proxying::direct()),
            Kind::Url { url, no_proxy } => Ok(Proxying {
                route: Some(ProxyRoute::parse(url, "ClientBuilder::proxy")?),
                exempt: NoProxy::parse(no_proxy, "ProxyConfig::no_proxy")?,
            }),
            Kind::Environment(lookup) => {
                let get = |name: &str| -> Option<String> {
                    match lookup {
                        Some(lookup) => lookup(name),
                        None => std::env::var(name).ok(),
                    }
                    .filter(|v| !v.is_empty())
                };
                let names: [&'static str; 4] = if https {
                    ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
                } else {
                    ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
                };
                let Some((name, value)) = names
                    .into_iter()
                    .find_map(|name| get(name).map(|value| (name, value)))
                else {
                    return Ok(Proxying::direct());
                };
                let (list_name, list) = ["NO_PROXY", "no_proxy"]
                    .into_iter()
                    .find_map(|n| get(n).map(|v| (n, v)))
                    .unwrap_or(("NO_PROXY", String::new()));
                Ok(Proxying {
                    route: Some(ProxyRoute::parse(&value, name)?),
                    exempt: NoProxy::parse(&list, list_name)?,
                })
            }
        }
    }
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig::from_env()
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Environment(None) => f.write_str("ProxyConfig::from_env()"),
            Kind::Environment(Some(_)) => f.write_str("ProxyConfig::from_lookup(..)"),
            Kind::Direct => f.write_str("ProxyConfig::none()"),
            Kind::Url { url, no_proxy } => f
                .debug_struct("ProxyConfig")
                .field("url", &without_userinfo(url))
                .field("no_proxy", no_proxy)
                .finish(),
        }
    }
}

/// `url` with any `user:password@` replaced by `***@`, for messages.
fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        Some(at) => format!("***{}", &rest[at..]),
        None => rest.to_string(),
    };
    match scheme {
        Some(s) => format!("{s}://{rest}"),
        None => rest,
    }
}

/// The proxy chosen for a client or fetcher, and the hosts that go direct.
#[derive(Clone, Debug)]
pub(crate) struct Proxying {
    route: Option<ProxyRoute>,
    exempt: NoProxy,
}

impl Proxying {
    /// No proxy at all.
    pub(crate) fn direct() -> Self {
        Proxying {
            route: None,
            exempt: NoProxy::default(),
        }
    }

    /// The proxy a request to `host` goes through (`host` as in a URL:
    /// a name, an IPv4 address or a bracketed IPv6 address), `None` for a
    /// direct connection.
    pub(crate) fn route_for(&self, host: &str) -> Option<&ProxyRoute> {
        self.route.as_ref().filter(|_| !self.exempt.matches(host))
    }

    /// The route for the host of `url` (`scheme://host[:port]/...`).
    pub(crate) fn route_for_url(&self, url: &str) -> Option<&ProxyRoute> {
        self.route.as_ref()?;
        self.route_for(url_host(url))
    }
}

/// The host of `scheme://[userinfo@]host[:port]/...`: a name, an IPv4
/// address, or an IPv6 address in brackets.
pub(crate) fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.starts_with('[') {
        return match host_port.find(']') {
            Some(end) => &host_port[..=end],
            None => host_port,
        };
    }
    host_port.split_once(':').map_or(host_port, |(h, _)| h)
}

/// One proxy: the `ureq` setting with its credentials, and its name for
/// messages without them.
#[derive(Clone)]
pub(crate) struct ProxyRoute {
    proxy: ureq::Proxy,
    /// `scheme://host:port`.
    name: String,
    /// Where it came from: a variable name or a setting.
    origin: &'static str,
}

impl fmt::Debug for ProxyRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {})", self.name, self.origin)
    }
}

impl ProxyRoute {
    /// Parses `[scheme://][user[:password]@]host[:port][/]`.
    fn parse(input: &str, origin: &'static str) -> Result<Self, Error> {
        let shown = without_userinfo(input);
        let bad = |why: String| {
            Error::invalid(
                origin,
                format!(
                    "{shown:?} is not a proxy URL: {why}; a proxy is [http:// or https://][user:password@]host[:port], e.g. http://proxy.example.com:3128"
                ),
            )
        };
        if let Some(c) = input.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(format!("it contains {c:?}")));
        }
        let (scheme, rest) = match input.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("http".to_string(), input),
        };
        match scheme.as_str() {
            "http" | "https" => {}
            s if s.starts_with("socks") => {
                return Err(bad(format!(
                    "SOCKS proxies ({s}://) are not supported, only http:// and https:// (CONNECT) proxies"
                )));
            }
            s => return Err(bad(format!("the scheme {s:?} is not http or https"))),
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(bad("it has a path, query or fragment".into()));
        }
        let (userinfo, host_port) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        if let Some(userinfo) = userinfo {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            for (what, part) in [("user name", user), ("password", password)] {
                if crate::encoding::percent_decode(part).is_none() {
                    return Err(bad(format!(
                        "its {what} has a malformed %-escape or is not UTF-8 once decoded"
                    )));
                }
            }
        }
        let endpoint = crate::config::Endpoint::parse(&format!("{scheme}://{host_port}"), false)
            .map_err(|e| match e {
                Error::InvalidArgument { message, .. } => {
                    bad(message.split("; ").next().unwrap_or("").to_string())
                }
                other => other,
            })?;
        let port = endpoint
            .port
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        let name = format!("{scheme}://{}:{port}", endpoint.host);
        let full = match userinfo {
            Some(u) => format!("{scheme}://{u}@{}:{port}", endpoint.host),
            None => name.clone(),
        };
        let proxy = ureq::Proxy::new(&full).map_err(|_| bad("ureq refused it".into()))?;
        Ok(ProxyRoute {
            proxy,
            name,
            origin,
        })
    }

    /// The `ureq` proxy, credentials included.
    pub(crate) fn proxy(&self) -> &ureq::Proxy {
        &self.proxy
    }

    /// `scheme://host:port`, without credentials.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// What a failure of a request sent through this proxy was. A refusal
    /// of the tunnel by the proxy is a [`ProxyError`]; a failure to reach
    /// the proxy keeps the HTTP layer's error as its cause.
    pub(crate) fn classify(&self, e: ureq::Error) -> Result<ProxyError, ureq::Error> {
        use ureq::Timeout;
        let kind = match &e {
            ureq::Error::ConnectProxyFailed(reason) => match parse_status(reason) {
                Some(407) => ProxyFailure::AuthenticationRequired,
                Some(status @ 400..=499) => ProxyFailure::Refused(status),
                Some(status) => ProxyFailure::Answered(status),
                None => ProxyFailure::NoAnswer,
            },
            ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
            | ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => {
                ProxyFailure::Unreachable
            }
            ureq::Error::Io(io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::ConnectionRefused
                        | std::io::ErrorKind::AddrNotAvailable
                        | std::io::ErrorKind::HostUnreachable
                        | std::io::ErrorKind::NetworkUnreachable
                ) =>
            {
                ProxyFailure::Unreachable
            }
            _ => return Err(e),
        };
        Ok(ProxyError {
            proxy: self.name.clone(),
            origin: self.origin,
            failure: kind,
            source: Some(e),
        })
    }
}

/// The status in ureq's `proxy server responded 407/Proxy Authentication Required`.
fn parse_status(reason: &str) -> Option<u16> {
    let tail = reason.strip_prefix("proxy server responded ")?;
    tail.get(..3)?.parse().ok()
}

/// A request could not go through the proxy: the proxy could not be
/// reached, wants authentication, refused the tunnel or did not answer.
/// Names the proxy (`scheme://host:port`) and where it was configured,
/// never its credentials.
#[derive(Debug)]
pub(crate) struct ProxyError {
    proxy: String,
    origin: &'static str,
    failure: ProxyFailure,
    source: Option<ureq::Error>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProxyFailure {
    Unreachable,
    AuthenticationRequired,
    Refused(u16),
    Answered(u16),
    NoAnswer,
}

impl ProxyError {
    /// Whether another attempt cannot help: the proxy wants credentials, or
    /// refused the tunnel (a 4xx answer to CONNECT).
    pub(crate) fn is_permanent(&self) -> bool {
        matches!(
            self.failure,
            ProxyFailure::AuthenticationRequired | ProxyFailure::Refused(_)
        )
    }
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (proxy, origin) = (&self.proxy, self.origin);
        match self.failure {
            ProxyFailure::Unreachable => write!(
                f,
                "could not connect to the proxy {proxy} (set by {origin})"
            ),
            ProxyFailure::AuthenticationRequired => write!(
                f,
                "the proxy {proxy} (set by {origin}) wants authentication (407 Proxy Authentication Required): give user:password in the proxy URL; not retried"
            ),
            ProxyFailure::Refused(status) => write!(
                f,
                "the proxy {proxy} (set by {origin}) refused the tunnel with HTTP {status}; not retried"
            ),
            ProxyFailure::Answered(status) => write!(
                f,
                "the proxy {proxy} (set by {origin}) answered the tunnel request with HTTP {status}"
            ),
            ProxyFailure::NoAnswer => write!(
                f,
                "the proxy {proxy} (set by {origin}) did not answer the tunnel request"
            ),
        }
    }
}

impl std::error::Error for ProxyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.failure {
            // The HTTP layer's text for these only repeats the status.
            ProxyFailure::Unreachable => self
                .source
                .as_ref()
                .map(|e| e as &(dyn std::error::Error + 'static)),
            _ => None,
        }
    }
}

/// A parsed `NO_PROXY` list.
#[derive(Clone, Debug, Default)]
pub(crate) struct NoProxy {
    entries: Vec<Exempt>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Exempt {
    All,
    /// A lower-case domain: itself and its subdomains.
    Domain(String),
    /// An address range (a single address has the full prefix).
    Net(IpAddr, u8),
}

impl NoProxy {
    /// Parses a list; `origin` names it in errors.
    pub(crate) fn parse(list: &str, origin: &'static str) -> Result<Self, Error> {
        let mut entries = Vec::new();
        for raw in list.split(',') {
            let entry = raw.trim();
            if entry.is_empty() {
                continue;
            }
            entries.push(Exempt::parse(entry).map_err(|why| {
                Error::invalid(
                    origin,
                    format!(
                        "the entry {entry:?} {why}; entries are *, host names (example.com, .example.com), IP addresses (10.1.2.3, ::1, [::1]) or CIDR ranges (10.0.0.0/8), separated by commas"
                    ),
                )
            })?);
        }
        Ok(NoProxy { entries })
    }

    /// Whether `host` (a name, an IPv4 address, or an IPv6 address with or
    /// without brackets) goes direct.
    pub(crate) fn matches(&self, host: &str) -> bool {
        if self.entries.is_empty() {
            return false;
        }
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let ip = bare.parse::<IpAddr>().ok();
        let name = bare.trim_end_matches('.').to_ascii_lowercase();
        self.entries.iter().any(|entry| match (entry, ip) {
            (Exempt::All, _) => true,
            (Exempt::Net(net, prefix), Some(ip)) => in_net(ip, *net, *prefix),
            (Exempt::Domain(domain), None) => {
                name == *domain
                    || (name.len() > domain.len()
                        && name.ends_with(domain.as_str())
                        && name.as_bytes()[name.len() - domain.len() - 1] == b'.')
            }
            _ => false,
        })
    }
}

impl Exempt {
    fn parse(entry: &str) -> Result<Exempt, String> {
        if entry == "*" {
            return Ok(Exempt::All);
        }
        // An IPv6 address, bracketed or not, with an optional /prefix and
        // (bracketed) an optional :port.
        let (addr, prefix) = match entry.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (entry, None),
        };
        let bracketed = addr
            .strip_prefix('[')
            .map(|inner| match inner.split_once(']') {
                Some((v6, after)) if after.is_empty() || is_port(after) => Ok(v6),
                _ => Err("has an unclosed '[' or text after ']'".to_string()),
            });
        let ip_text = match bracketed {
            Some(inner) => Some(inner?),
            None if addr.parse::<IpAddr>().is_ok() => Some(addr),
            None => match addr.rsplit_once(':') {
                Some((v4, port))
                    if is_port(&format!(":{port}")) && v4.parse::<std::net::Ipv4Addr>().is_ok() =>
                {
                    Some(v4)
                }
                _ => None,
            },
        };
        if let Some(text) = ip_text {
            let ip: IpAddr = text
                .parse()
                .map_err(|_| format!("{text:?} is not an IP address"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                None => max,
                Some(p) => match p.parse::<u8>() {
                    Ok(n) if n <= max && p.bytes().all(|b| b.is_ascii_digit()) => n,
                    _ => return Err(format!("has the prefix length {p:?}, not 0 to {max}")),
                },
            };
            return Ok(Exempt::Net(ip, prefix));
        }
        if prefix.is_some() {
            return Err("has a '/' but is not an IP range".into());
        }
        let host = addr.split_once(':').map_or(addr, |(h, port)| {
            if is_port(&format!(":{port}")) {
                h
            } else {
                addr
            }
        });
        let domain = host
            .strip_prefix("*.")
            .or_else(|| host.strip_prefix('.'))
            .unwrap_or(host)
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if domain.is_empty()
            || domain.split('.').any(str::is_empty)
            || !domain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            return Err("is not a host name, IP address or range".into());
        }
        Ok(Exempt::Domain(domain))
    }
}

/// `:` followed by 1 to 5 digits.
fn is_port(text: &str) -> bool {
    text.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `ip` lies in `net/prefix` (never across address families, but an
/// IPv4-mapped IPv6 address counts as its IPv4 address).
fn in_net(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

/// Whether a credential endpoint's host is never proxied: loopback and
/// link-local addresses, `localhost`, and the ECS metadata address.
pub(crate) fn is_local_service(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            v4.is_loopback()
                || v4.is_link_local()
                || v4 == std::net::Ipv4Addr::new(100, 100, 100, 200)
        }
        Ok(IpAddr::V6(v6)) => v6.is_loopback() || (v6.segments()[0] & 0xffc0) == 0xfe80,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(vars: &'static [(&'static str, &'static str)]) -> ProxyConfig {
        ProxyConfig::from_lookup(move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    fn route_name(p: &Proxying, host: &str) -> Option<String> {
        p.route_for(host).map(|r| r.name().to_string())
    }

    #[test]
    fn the_endpoint_scheme_picks_the_variable() {
        let config = lookup(&[
            ("HTTP_PROXY", "http://plain:3128"),
            ("HTTPS_PROXY", "http://secure:3129"),
        ]);
        let https = config.resolve(true).unwrap();
        assert_eq!(route_name(&https, "h"), Some("http://secure:3129".into()));
        let http = config.resolve(false).unwrap();
        assert_eq!(route_name(&http, "h"), Some("http://plain:3128".into()));
        // HTTPS_PROXY alone never applies to http:// endpoints.
        let only_https = lookup(&[("HTTPS_PROXY", "http://secure:3129")]);
        assert!(route_name(&only_https.resolve(false).unwrap(), "h").is_none());
        // Upper case wins; lower case is read; ALL_PROXY is the fallback;
        // empty is unset.
        let both = lookup(&[
            ("HTTP_PROXY", "http://upper:1"),
            ("http_proxy", "http://lower:2"),
        ]);
        assert_eq!(
            route_name(&both.resolve(false).unwrap(), "h"),
            Some("http://upper:1".into())
        );
        let lower = lookup(&[("HTTP_PROXY", ""), ("http_proxy", "lower:2")]);
        assert_eq!(
            route_name(&lower.resolve(false).unwrap(), "h"),
            Some("http://lower:2".into())
        );
        let all = lookup(&[("ALL_PROXY", "https://all")]);
        assert_eq!(
            route_name(&all.resolve(true).unwrap(), "h"),
            Some("https://all:443".into())
        );
        assert!(route_name(&lookup(&[]).resolve(true).unwrap(), "h").is_none());
        assert!(route_name(&ProxyConfig::none().resolve(true).unwrap(), "h").is_none());
    }

    #[test]
    fn malformed_proxies_are_refused_naming_the_variable_not_the_password() {
        for (value, why) in [
            ("http://user:hunter2@proxy:99999", "port"),
            ("socks5://user:hunter2@proxy:1080", "SOCKS"),
            ("ftp://user:hunter2@proxy", "scheme"),
            ("http://user:hunter2@proxy/path", "path"),
            ("http://user:hunter2@", "no host"),
            ("http://user:hunter2@pro xy", "' '"),
            ("http://user:hunter%zz@proxy", "%-escape"),
        ] {
            let config =
                ProxyConfig::from_lookup(move |n| (n == "HTTPS_PROXY").then(|| value.to_string()));
            let e = config.resolve(true).unwrap_err().to_string();
            assert!(e.starts_with("invalid HTTPS_PROXY: "), "{e}");
            assert!(e.contains(why), "{value}: {e}");
            assert!(!e.contains("hunter"), "{e}");
        }
        let e = ProxyConfig::url("http://proxy:0")
            .resolve(true)
            .unwrap_err();
        assert!(
            e.to_string().starts_with("invalid ClientBuilder::proxy"),
            "{e}"
        );
        let debug = format!("{:?}", ProxyConfig::url("http://u:hunter2@proxy:3128"));
        assert!(
            debug.contains("***@proxy:3128") && !debug.contains("hunter2"),
            "{debug}"
        );
        let route = ProxyRoute::parse("http://u:hunter2@proxy:3128", "x").unwrap();
        assert!(!format!("{route:?}").contains("hunter2"));
        assert_eq!(route.proxy().password(), Some("hunter2"));
    }

    #[test]
    fn no_proxy_follows_curl() {
        let list = NoProxy::parse(
            "localhost, .internal.example,Corp.Example ,*.wild.example,10.0.0.0/8,192.168.1.7,::1,[fd00::]/8,[2001:db8::5]:8080,cache:3128",
            "NO_PROXY",
        )
        .unwrap();
        for host in [
            "localhost",
            "internal.example",
            "a.b.internal.example",
            "corp.example",
            "OSS.corp.example",
            "wild.example",
            "x.wild.example",
            "10.200.3.4",
            "192.168.1.7",
            "::1",
            "[::1]",
            "[0:0::1]",
            "[fd12::9]",
            "[2001:db8::5]",
            "cache",
            "[::ffff:10.1.1.1]",
        ] {
            assert!(list.matches(host), "{host}");
        }
        for host in [
            "localhost.evil",
            "notcorp.example",
            "corp.example.evil",
            "11.0.0.1",
            "192.168.1.8",
            "[::2]",
            "[fe80::1]",
            "example",
        ] {
            assert!(!list.matches(host), "{host}");
        }
        assert!(NoProxy::parse("*", "NO_PROXY").unwrap().matches("anything"));
        assert!(!NoProxy::parse("", "NO_PROXY").unwrap().matches("anything"));
        for bad in [
            "10.0.0.0/33",
            "[::1",
            "a b",
            "<local>",
            "host/8",
            "::1/129",
            "[::1]x",
        ] {
            let e = NoProxy::parse(bad, "NO_PROXY").unwrap_err().to_string();
            assert!(e.starts_with("invalid NO_PROXY"), "{bad}: {e}");
        }
    }

    #[test]
    fn no_proxy_applies_to_the_request_host() {
        let config = lookup(&[
            ("HTTP_PROXY", "http://p:1"),
            ("NO_PROXY", "::1,.exempt.example"),
        ]);
        let p = config.resolve(false).unwrap();
        assert!(p.route_for_url("http://[::1]:9000/b/k").is_none());
        assert!(p.route_for_url("http://bkt.exempt.example/k").is_none());
        assert!(p.route_for_url("http://bkt.other.example/k").is_some());
        let explicit = ProxyConfig::url("p:1")
            .no_proxy("127.0.0.1")
            .resolve(true)
            .unwrap();
        assert!(explicit.route_for_url("https://127.0.0.1:8443/x").is_none());
        assert!(explicit.route_for_url("https://127.0.0.2/x").is_some());
    }

    #[test]
    fn hosts_of_urls() {
        assert_eq!(url_host("http://[::1]:9000/b/k"), "[::1]");
        assert_eq!(url_host("https://u:p@host.example:8/x?y"), "host.example");
        assert_eq!(url_host("http://10.0.0.1"), "10.0.0.1");
        assert!(is_local_service("127.0.0.1"));
        assert!(is_local_service("[::1]"));
        assert!(is_local_service("169.254.170.2"));
        assert!(is_local_service("100.100.100.200"));
        assert!(is_local_service("[fe80::1]"));
        assert!(!is_local_service("sts.aliyuncs.com"));
        assert!(!is_local_service("10.0.0.1"));
    }

    #[test]
    fn proxy_failures_are_classified() {
        let route = ProxyRoute::parse("http://u:hunter2@127.0.0.1:9", "HTTPS_PROXY").unwrap();
        let auth = route
            .classify(ureq::Error::ConnectProxyFailed(
                "proxy server responded 407/Proxy Authentication Required".into(),
            ))
            .unwrap();
        assert!(auth.is_permanent());
        let text = auth.to_string();
        assert!(
            text.contains("wants authentication") && text.contains("http://127.0.0.1:9"),
            "{text}"
        );
        assert!(!text.contains("hunter2"));
        let gateway = route
            .classify(ureq::Error::ConnectProxyFailed(
                "proxy server responded 502/Bad Gateway".into(),
            ))
            .unwrap();
        assert!(!gateway.is_permanent());
        let refused = route
            .classify(ureq::Error::Io(
                std::io::ErrorKind::ConnectionRefused.into(),
            ))
            .unwrap();
        assert!(!refused.is_permanent());
        assert!(
            refused
                .to_string()
                .contains("could not connect to the proxy http://127.0.0.1:9 (set by HTTPS_PROXY)")
        );
        assert!(
            route
                .classify(ureq::Error::Timeout(ureq::Timeout::RecvBody))
                .is_err()
        );
    }
}
