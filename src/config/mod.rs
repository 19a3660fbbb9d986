//! Client configuration: region, endpoint, address style, timeouts, retries,
//! credentials, the transport (proxy, trusted roots, connection pool), and
//! the rules that turn them into request URLs.
//!
//! [`ClientBuilder`] collects the settings and checks them all in
//! [`ClientBuilder::build`], before any I/O; the resulting configuration is
//! immutable and shared by every call of the [`Client`](crate::Client).

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::{Credentials, CredentialsProvider};
use crate::encoding::percent_encode_into;
use crate::error::Error;
use crate::names::check_region;
use crate::transport::{ProxyConfig, Proxying, Roots};

mod endpoint;

pub(crate) use self::endpoint::Endpoint;
pub use self::endpoint::{AddressStyle, EndpointKind};
use crate::retry::{RetryPolicy, StandardRetry};

/// Connect timeout of the official SDKs (Python V2): 10 s.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Read and write timeout of the official SDKs (Python V2): 20 s.
pub(crate) const DEFAULT_READ_WRITE_TIMEOUT: Duration = Duration::from_secs(20);
/// The largest response body read for a result or an error: 1 MiB.
pub(crate) const DEFAULT_MAX_RESPONSE_BODY: u64 = 1 << 20;
/// The largest processed download: 256 MiB, which no processed image
/// reaches (OSS caps outputs at 16,777,216 pixels: 128 MiB even as 16-bit
/// RGBA without compression).
pub(crate) const DEFAULT_MAX_DOWNLOAD: u64 = 256 << 20;
/// The time a processed download's body may take: 10 minutes.
pub(crate) const DEFAULT_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// Builds a [`Client`](crate::Client). Only the region is required.
///
/// ```
/// use std::time::Duration;
/// use oss_process::{AddressStyle, Client, Credentials};
///
/// let client = Client::builder()
///     .region("cn-hangzhou")
///     .credentials(Credentials::new("LTAI5tExample", "secret"))
///     .connect_timeout(Duration::from_secs(5))
///     .build()?;
/// assert_eq!(client.endpoint(), "https://oss-cn-hangzhou.aliyuncs.com");
///
/// // An explicit endpoint; an IP address forces path-style URLs.
/// let local = Client::builder()
///     .region("cn-hangzhou")
///     .endpoint("http://127.0.0.1:9000")
///     .credentials(Credentials::new("id", "secret"))
///     .build()?;
/// assert_eq!(local.address_style(), AddressStyle::Path);
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct ClientBuilder {
    region: Option<String>,
    endpoint: Option<String>,
    endpoint_kind: EndpointKind,
    address_style: AddressStyle,
    use_http: bool,
    product: Option<String>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    credentials: Option<Arc<dyn CredentialsProvider>>,
    /// Fixed credentials, kept to be checked in `build`.
    static_credentials: Option<Credentials>,
    retry: Option<Arc<dyn RetryPolicy>>,
    user_agent_suffix: Option<String>,
    connect_to: Option<SocketAddr>,
    max_response_body: Option<u64>,
    max_download_size: Option<Option<u64>>,
    attempt_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
    download_timeout: Option<Option<Duration>>,
    correct_clock_skew: Option<bool>,
    proxy: Option<ProxyConfig>,
    root_certificates: Vec<Vec<u8>>,
    #[cfg(feature = "platform-verifier")]
    platform_verifier: bool,
    max_idle_connections: Option<usize>,
    max_idle_connections_per_host: Option<usize>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("endpoint_kind", &self.endpoint_kind)
            .field("address_style", &self.address_style)
            .field("use_http", &self.use_http)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "<provider>"),
            )
            .field("proxy", &self.proxy)
            .field("root_certificates", &self.root_certificates.len())
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder with the official SDKs' defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The region id, e.g. `cn-hangzhou` (required). It is the signing
    /// region and, without [`endpoint`](Self::endpoint), picks the endpoint.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An explicit endpoint, with or without scheme (`https://` is assumed,
    /// or `http://` after [`use_http`](Self::use_http)). It wins over the
    /// region's endpoint; the signing region still comes from
    /// [`region`](Self::region).
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Which endpoint the region maps to when no endpoint is given.
    #[must_use]
    pub fn endpoint_kind(mut self, kind: EndpointKind) -> Self {
        self.endpoint_kind = kind;
        self
    }

    /// How the bucket appears in URLs (virtual-hosted by default). An IP
    /// endpoint always uses path-style.
    #[must_use]
    pub fn address_style(mut self, style: AddressStyle) -> Self {
        self.address_style = style;
        self
    }

    /// Use `http://` for endpoints given without a scheme (default `https`).
    #[must_use]
    pub fn use_http(mut self, yes: bool) -> Self {
        self.use_http = yes;
        self
    }

    /// The signing product: `oss` (default), or `oss-cloudbox` for CloudBox
    /// (whose region is the cloud box id).
    #[must_use]
    pub fn product(mut self, product: impl Into<String>) -> Self {
        self.product = Some(product.into());
        self
    }

    /// Time allowed to open a connection (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed to receive the response status and headers, and again
    /// to receive its body (default 20 s each). A processed download's body
    /// has [`download_timeout`](Self::download_timeout) instead, and each
    /// of its reads this much.
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Time allowed to send the request (default 20 s).
    #[must_use]
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = Some(timeout);
        self
    }

    /// The most one attempt may take, from connecting to the last byte of
    /// the answer (default: no more than its phases allow: connect, send,
    /// answer head and body). A processed download's body is not counted:
    /// it has [`download_timeout`](Self::download_timeout).
    #[must_use]
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The most a whole call may take, every attempt and the waits between
    /// them included (default: no more than its attempts allow). When it
    /// passes, the call ends with [`Error::Timeout`]; a retry that would
    /// start too late is not made. [`Client::with_call_timeout`](crate::Client::with_call_timeout)
    /// sets it for some calls.
    #[must_use]
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = Some(timeout);
        self
    }

    /// The most a processed download's body may take once its headers
    /// arrived (default 10 minutes; `None` lifts it, leaving each read
    /// bounded by the read timeout).
    #[must_use]
    pub fn download_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.download_timeout = Some(timeout);
        self
    }

    /// The largest processed download (default 256 MiB, more than any
    /// processed image; `None` lifts it). A `Content-Length` over the cap
    /// fails before the body is read; a body that grows past it fails when
    /// it does, and [`ProcessedObject::save_to`](crate::ProcessedObject::save_to)
    /// keeps the old file.
    #[must_use]
    pub fn max_download_size(mut self, bytes: Option<u64>) -> Self {
        self.max_download_size = Some(bytes);
        self
    }

    /// Fixed credentials.
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(Arc::new(credentials.clone()));
        self.static_credentials = Some(credentials);
        self
    }

    /// A credentials provider, asked before every attempt (refreshing
    /// providers and closures welcome).
    #[must_use]
    pub fn credentials_provider(mut self, provider: impl CredentialsProvider + 'static) -> Self {
        self.static_credentials = None;
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Replaces the retry policy (default [`StandardRetry`]: 3 attempts,
    /// full-jitter backoff). Use [`NoRetry`](crate::retry::NoRetry) to turn
    /// retries off.
    #[must_use]
    pub fn retry_policy(mut self, policy: impl RetryPolicy + 'static) -> Self {
        self.retry = Some(Arc::new(policy));
        self
    }

    /// Appended to the User-Agent as `/<suffix>`.
    #[must_use]
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Connect to `addr` instead of resolving the endpoint's host, keeping
    /// the virtual host in the `Host` header (like curl's `--connect-to`).
    /// Meant for plain-HTTP test servers, emulators and proxies: with
    /// https, the TLS server name would be the address.
    #[must_use]
    pub fn connect_to(mut self, addr: SocketAddr) -> Self {
        self.connect_to = Some(addr);
        self
    }

    /// The largest result or error body read (default 1 MiB); a larger one
    /// is an error, never unbounded memory.
    #[must_use]
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = Some(bytes);
        self
    }

    /// Learn the server's clock from `RequestTimeTooSkewed` answers and sign
    /// later requests with it, like the Go SDK V2 (default on).
    #[must_use]
    pub fn correct_clock_skew(mut self, yes: bool) -> Self {
        self.correct_clock_skew = Some(yes);
        self
    }

    /// Which proxy requests go through (default [`ProxyConfig::from_env`]:
    /// `HTTPS_PROXY` for an `https://` endpoint, `HTTP_PROXY` for an
    /// `http://` one, `NO_PROXY` honoured). A malformed proxy URL or
    /// `NO_PROXY` entry is an error from [`build`](Self::build), naming the
    /// variable. A failure to reach the proxy, or its refusal, names the
    /// proxy (`scheme://host:port`, never its credentials); a 407 (the proxy
    /// wants authentication) and other 4xx refusals are not retried.
    #[must_use]
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Also trust the root certificates in this PEM text (one or more
    /// `-----BEGIN CERTIFICATE-----` blocks), besides the bundled Mozilla
    /// roots: a corporate CA, or the CA of a TLS-intercepting proxy. Call it
    /// again to add more. Malformed PEM is an error from
    /// [`build`](Self::build). A certificate that is still not trusted gives
    /// [`Error::Tls`](crate::Error::Tls), which is never retried.
    #[must_use]
    pub fn root_certificates(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// Verify certificates with the operating system's verifier and trust
    /// store (rustls-platform-verifier) instead of the bundled roots
    /// (default off). Needs the `platform-verifier` cargo feature; cannot be
    /// combined with [`root_certificates`](Self::root_certificates) (add
    /// the CA to the system store instead).
    #[cfg(feature = "platform-verifier")]
    #[cfg_attr(docsrs, doc(cfg(feature = "platform-verifier")))]
    #[must_use]
    pub fn platform_verifier(mut self, yes: bool) -> Self {
        self.platform_verifier = yes;
        self
    }

    /// Idle connections kept open for reuse, in all (default 128).
    #[must_use]
    pub fn max_idle_connections(mut self, connections: usize) -> Self {
        self.max_idle_connections = Some(connections);
        self
    }

    /// Idle connections kept open for reuse per host (default 64: one for
    /// each thread of a 64-thread batch against one bucket, so no
    /// connection is closed between calls). 0 turns reuse off.
    #[must_use]
    pub fn max_idle_connections_per_host(mut self, connections: usize) -> Self {
        self.max_idle_connections_per_host = Some(connections);
        self
    }

    /// Checks every setting and builds the client. No I/O happens here.
    pub fn build(self) -> Result<crate::Client, Error> {
        let config = self.into_config()?;
        Ok(crate::Client::from_config(config))
    }

    fn into_config(self) -> Result<Config, Error> {
        let region = self.region.ok_or_else(|| {
            Error::invalid(
                "region",
                "a region is required, e.g. region(\"cn-hangzhou\")",
            )
        })?;
        check_region(&region)?;
        let product = self.product.unwrap_or_else(|| "oss".to_string());
        if product.is_empty() || !product.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
            return Err(Error::invalid(
                "product",
                format!("{product:?} is not a product id: `oss` or `oss-cloudbox`"),
            ));
        }
        let endpoint = match &self.endpoint {
            Some(e) => Endpoint::parse(e, self.use_http)?,
            None => Endpoint::parse(&self.endpoint_kind.host_for(&region), self.use_http)?,
        };
        // `bucket.127.0.0.1` and `bucket.localhost` do not resolve: an IP
        // address or localhost means path style, as the SDKs and the
        // emulator take it (an explicit CNAME style is kept).
        let address_style = match self.address_style {
            AddressStyle::VirtualHosted if endpoint.is_ip || endpoint.host == "localhost" => {
                AddressStyle::Path
            }
            style => style,
        };
        for (name, t) in [
            ("connect_timeout", self.connect_timeout),
            ("read_timeout", self.read_timeout),
            ("write_timeout", self.write_timeout),
            ("attempt_timeout", self.attempt_timeout),
            ("call_timeout", self.call_timeout),
            ("download_timeout", self.download_timeout.flatten()),
        ] {
            if t == Some(Duration::ZERO) {
                return Err(Error::invalid(name, "a timeout must be greater than zero"));
            }
        }
        if let Some(suffix) = &self.user_agent_suffix
            && suffix.chars().any(|c| c.is_control())
        {
            return Err(Error::invalid(
                "user_agent_suffix",
                "must not contain control characters",
            ));
        }
        if self.max_download_size == Some(Some(0)) {
            return Err(Error::invalid(
                "max_download_size",
                "must be at least 1 byte, or None for no cap",
            ));
        }
        if self.max_response_body == Some(0) {
            return Err(Error::invalid(
                "max_response_body",
                "must be at least 1 byte",
            ));
        }
        let credentials = self.credentials.ok_or_else(|| {
            Error::credentials(
                "no credentials configured: call credentials_provider(DefaultChain::new()?) for the standard chain, or credentials(...)",
            )
        })?;
        if let Some(fixed) = &self.static_credentials {
            fixed.validate()?;
        }
        let proxying = self.proxy.unwrap_or_default().resolve(endpoint.https)?;
        let roots = Roots::bundled_and(&self.root_certificates)?;
        #[cfg(feature = "platform-verifier")]
        let roots = match (self.platform_verifier, roots) {
            (false, roots) => roots,
            (true, Roots::Bundled) => Roots::Platform,
            (true, _) => {
                return Err(Error::invalid(
                    "platform_verifier",
                    "the platform verifier cannot be combined with root_certificates: add the CA to the system's trust store, or use root_certificates with the bundled roots",
                ));
            }
        };
        let mut user_agent = format!(
            "oss-process/{} ({}/{}; rust)",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        if let Some(suffix) = &self.user_agent_suffix {
            user_agent.push('/');
            user_agent.push_str(suffix);
        }
        Ok(Config {
            region,
            product,
            endpoint,
            address_style,
            connect_timeout: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            read_timeout: self.read_timeout.unwrap_or(DEFAULT_READ_WRITE_TIMEOUT),
            write_timeout: self.write_timeout.unwrap_or(DEFAULT_READ_WRITE_TIMEOUT),
            credentials,
            retry: self
                .retry
                .unwrap_or_else(|| Arc::new(StandardRetry::default())),
            user_agent,
            connect_to: self.connect_to,
            max_response_body: self.max_response_body.unwrap_or(DEFAULT_MAX_RESPONSE_BODY),
            max_download_size: self.max_download_size.unwrap_or(Some(DEFAULT_MAX_DOWNLOAD)),
            attempt_timeout: self.attempt_timeout,
            call_timeout: self.call_timeout,
            download_timeout: self
                .download_timeout
                .unwrap_or(Some(DEFAULT_DOWNLOAD_TIMEOUT)),
            correct_clock_skew: self.correct_clock_skew.unwrap_or(true),
            proxying,
            roots,
            pool: (
                self.max_idle_connections
                    .unwrap_or(crate::transport::DEFAULT_MAX_IDLE),
                self.max_idle_connections_per_host
                    .unwrap_or(crate::transport::DEFAULT_MAX_IDLE_PER_HOST),
            ),
        })
    }
}

/// The checked, immutable configuration a client runs with.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) region: String,
    pub(crate) product: String,
    pub(crate) endpoint: Endpoint,
    pub(crate) address_style: AddressStyle,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) credentials: Arc<dyn CredentialsProvider>,
    pub(crate) retry: Arc<dyn RetryPolicy>,
    pub(crate) user_agent: String,
    pub(crate) connect_to: Option<SocketAddr>,
    pub(crate) max_response_body: u64,
    pub(crate) max_download_size: Option<u64>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) call_timeout: Option<Duration>,
    pub(crate) download_timeout: Option<Duration>,
    pub(crate) correct_clock_skew: bool,
    /// The proxy for the endpoint's scheme, and the hosts that go direct.
    pub(crate) proxying: Proxying,
    pub(crate) roots: Roots,
    /// Idle connections kept in all, and per host.
    pub(crate) pool: (usize, usize),
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("region", &self.region)
            .field("product", &self.product)
            .field("endpoint", &self.endpoint.authority)
            .field("scheme", &self.endpoint.scheme())
            .field("address_style", &self.address_style)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("call_timeout", &self.call_timeout)
            .field("download_timeout", &self.download_timeout)
            .field("max_response_body", &self.max_response_body)
            .field("max_download_size", &self.max_download_size)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("connect_to", &self.connect_to)
            .field("proxying", &self.proxying)
            .field("pool", &self.pool)
            .finish_non_exhaustive()
    }
}

/// Where a request goes: its URL, and where to connect instead when that
/// differs (see [`ClientBuilder::connect_to`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// `scheme://host[:port]/path` without the query.
    pub(crate) base: String,
    /// With `connect_to`: the URL to connect to (without query) and the
    /// `Host` header naming the real host.
    pub(crate) connect: Option<(String, String)>,
}

impl Target {
    /// The URL to connect to, without the query.
    pub(crate) fn connect_base(&self) -> &str {
        self.connect.as_ref().map_or(&self.base, |(url, _)| url)
    }

    /// The `Host` header to send when connecting elsewhere.
    pub(crate) fn host_header(&self) -> Option<&str> {
        self.connect.as_ref().map(|(_, host)| host.as_str())
    }
}

impl Config {
    /// The URL of `bucket`/`key` under the address style, without query,
    /// written into one string (it is formed on every call).
    pub(crate) fn target(&self, bucket: &str, key: &str) -> Target {
        let scheme = self.endpoint.scheme();
        let authority = &self.endpoint.authority;
        let mut base = String::with_capacity(
            scheme.len() + 5 + 2 * bucket.len() + authority.len() + 3 * key.len(),
        );
        base.push_str(scheme);
        base.push_str("://");
        let host_start = base.len();
        if self.address_style == AddressStyle::VirtualHosted {
            base.push_str(bucket);
            base.push('.');
        }
        base.push_str(authority);
        let path_start = base.len();
        base.push('/');
        if self.address_style == AddressStyle::Path {
            base.push_str(bucket);
            base.push('/');
        }
        percent_encode_into(&mut base, key, true);
        let connect = self.connect_to.map(|addr| {
            (
                format!("{scheme}://{addr}{}", &base[path_start..]),
                base[host_start..path_start].to_string(),
            )
        });
        Target { base, connect }
    }

    /// `scheme://host[:port]` of the endpoint.
    pub(crate) fn endpoint_url(&self) -> String {
        format!("{}://{}", self.endpoint.scheme(), self.endpoint.authority)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ClientBuilder {
        ClientBuilder::new()
            .region("cn-hangzhou")
            .credentials(Credentials::new("id", "secret"))
    }

    #[test]
    fn urls_per_address_style() {
        let c = base().into_config().unwrap();
        assert_eq!(
            c.target("examplebucket", "a b/猫+1.jpg").base,
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a%20b/%E7%8C%AB%2B1.jpg"
        );
        let c = base()
            .endpoint("http://127.0.0.1:9000")
            .into_config()
            .unwrap();
        assert_eq!(c.address_style, AddressStyle::Path);
        assert_eq!(c.target("b1b", "k").base, "http://127.0.0.1:9000/b1b/k");
        for (endpoint, url) in [
            ("http://localhost:9000", "http://localhost:9000/b1b/k"),
            ("http://LOCALHOST", "http://localhost/b1b/k"),
            ("http://[::1]:9000", "http://[::1]:9000/b1b/k"),
        ] {
            let c = base().endpoint(endpoint).into_config().unwrap();
            assert_eq!(c.address_style, AddressStyle::Path, "{endpoint}");
            assert_eq!(c.target("b1b", "k").base, url);
        }
        // A name that merely starts like it is an ordinary host.
        let c = base()
            .endpoint("localhost.example.com")
            .into_config()
            .unwrap();
        assert_eq!(c.address_style, AddressStyle::VirtualHosted);
        let c = base()
            .endpoint("img.example.com")
            .address_style(AddressStyle::Cname)
            .into_config()
            .unwrap();
        assert_eq!(c.target("b1b", "k").base, "https://img.example.com/k");
        let c = base()
            .endpoint_kind(EndpointKind::Internal)
            .use_http(true)
            .into_config()
            .unwrap();
        assert_eq!(
            c.endpoint_url(),
            "http://oss-cn-hangzhou-internal.aliyuncs.com"
        );
        let c = base()
            .endpoint_kind(EndpointKind::DualStack)
            .into_config()
            .unwrap();
        assert_eq!(c.endpoint_url(), "https://cn-hangzhou.oss.aliyuncs.com");
        let c = base()
            .endpoint_kind(EndpointKind::Accelerate)
            .into_config()
            .unwrap();
        assert_eq!(c.endpoint_url(), "https://oss-accelerate.aliyuncs.com");
    }

    #[test]
    fn connect_to_keeps_the_virtual_host() {
        let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let c = base()
            .endpoint("http://oss.test")
            .connect_to(addr)
            .into_config()
            .unwrap();
        let t = c.target("bkt", "k");
        assert_eq!(t.connect_base(), "http://127.0.0.1:4000/k");
        assert_eq!(t.host_header(), Some("bkt.oss.test"));
        assert_eq!(t.base, "http://bkt.oss.test/k");
    }

    #[test]
    fn defaults_match_the_sdks() {
        let c = base().into_config().unwrap();
        assert_eq!(c.connect_timeout, Duration::from_secs(10));
        assert_eq!(c.read_timeout, Duration::from_secs(20));
        assert_eq!(c.write_timeout, Duration::from_secs(20));
        assert!(
            c.user_agent
                .starts_with(concat!("oss-process/", env!("CARGO_PKG_VERSION"), " ("))
        );
    }

    #[test]
    fn missing_region_and_credentials_are_errors() {
        assert!(
            ClientBuilder::new()
                .credentials(Credentials::new("a", "b"))
                .build()
                .is_err()
        );
        let e = ClientBuilder::new()
            .region("cn-hangzhou")
            .build()
            .unwrap_err();
        assert!(matches!(e, Error::Credentials { .. }), "{e}");
    }
}
