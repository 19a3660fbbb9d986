//! Credentials served over HTTP by a sidecar or agent
//! (`ALIBABA_CLOUD_CREDENTIALS_URI`): [`CredentialsUriProvider`].
//!
//! `GET <uri>` without authentication; a 200 answer is JSON with
//! `AccessKeyId`, `AccessKeySecret`, `SecurityToken` and `Expiration`
//! (`2024-01-15T09:30:00Z`), and `Code`, which must be `Success` when
//! present (as the Python library and the CLI require). Anything else is an
//! error naming the URI. The answer is cached and fetched again before it
//! expires. Loopback and link-local URIs never go through a proxy.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::fetch::{FetchSettings, Fetcher, parse_object, parse_temporary, quote};
use super::{CachingProvider, Credentials, CredentialsProvider};
use crate::error::Error;
use crate::transport::ProxyConfig;

/// Credentials fetched from a URI, cached and fetched again before they
/// expire. Cloning is cheap and shares the cache.
///
/// ```no_run
/// use oss_process::credentials::CredentialsUriProvider;
///
/// let provider = CredentialsUriProvider::builder("http://127.0.0.1:8000/credentials").build()?;
/// # let _ = provider;
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct CredentialsUriProvider {
    cache: Arc<CachingProvider<UriFetcher>>,
}

/// Configures a [`CredentialsUriProvider`].
#[derive(Debug, Clone)]
pub struct CredentialsUriBuilder {
    uri: String,
    fetch: FetchSettings,
}

impl CredentialsUriProvider {
    /// A builder for `uri` (`http://` or `https://`, with any path and
    /// query).
    #[must_use]
    pub fn builder(uri: impl Into<String>) -> CredentialsUriBuilder {
        CredentialsUriBuilder {
            uri: uri.into(),
            fetch: FetchSettings::default(),
        }
    }

    /// The URI, as given.
    pub fn uri(&self) -> &str {
        &self.cache.provider().uri
    }

    /// Forgets the cached credentials: the next call fetches.
    pub fn invalidate(&self) {
        self.cache.invalidate();
    }
}

impl CredentialsProvider for CredentialsUriProvider {
    fn credentials(&self) -> Result<Credentials, Error> {
        self.cache.credentials()
    }
}

impl CredentialsUriBuilder {
    /// Time allowed to connect (default 5 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.fetch.connect_timeout = timeout;
        self
    }

    /// Time allowed to send the request and to receive the answer, each
    /// (default 10 s).
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.fetch.read_timeout = timeout;
        self
    }

    /// The proxy (default: the environment's; never for loopback and
    /// link-local hosts).
    #[must_use]
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.fetch.proxy = proxy;
        self
    }

    pub(crate) fn with_fetch(mut self, fetch: FetchSettings) -> Self {
        self.fetch = fetch;
        self
    }

    /// The provider. Fails, before any I/O, on a URI that is not
    /// `http(s)://host[:port][/path][?query]`, a zero timeout or a malformed
    /// proxy setting.
    pub fn build(self) -> Result<CredentialsUriProvider, Error> {
        check_uri(&self.uri)?;
        let fetcher = Fetcher::new(&self.uri, "credentials URI", &self.fetch)?;
        let fetcher = UriFetcher {
            uri: self.uri,
            fetcher,
        };
        Ok(CredentialsUriProvider {
            cache: Arc::new(CachingProvider::new(fetcher).name("credentials URI")),
        })
    }
}

/// Checks `http(s)://host[:port][/path][?query]`, naming the setting.
fn check_uri(uri: &str) -> Result<(), Error> {
    let bad = |why: &str| {
        Error::invalid(
            "credentials_uri",
            format!(
                "{:?} {why}; a credentials URI is http(s)://host[:port][/path][?query], e.g. http://127.0.0.1:8000/credentials",
                crate::redact::truncate(uri, 128)
            ),
        )
    };
    let Some((scheme, rest)) = uri.split_once("://") else {
        return Err(bad("has no http:// or https://"));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(bad("is not http:// or https://"));
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("contains white space or a control character"));
    }
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    crate::config::Endpoint::parse(&format!("{scheme}://{authority}"), false)
        .map(drop)
        .map_err(|_| bad("has no valid host[:port]"))
}

/// Asks the URI on every call.
struct UriFetcher {
    uri: String,
    fetcher: Fetcher,
}

impl fmt::Debug for UriFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UriFetcher")
            .field("uri", &self.uri)
            .finish_non_exhaustive()
    }
}

impl CredentialsProvider for UriFetcher {
    fn credentials(&self) -> Result<Credentials, Error> {
        let answer = self.fetcher.send(
            "GET",
            &self.uri,
            &self.uri,
            &[("Accept", "application/json")],
            None,
        )?;
        if answer.status != 200 {
            return Err(self.fetcher.fail(format_args!(
                "GET {} answered HTTP {}: {:?}",
                self.uri,
                answer.status,
                quote(&answer.body, None)
            )));
        }
        let fail = |detail: String| {
            self.fetcher
                .fail(format!("the answer from {} {detail}", self.uri))
        };
        let fields = parse_object(&answer.body, &fail)?;
        if let Some(code) = fields.get("Code")
            && code.as_str() != Some("Success")
        {
            return Err(fail(format!(
                "has Code {}, not \"Success\"",
                crate::redact::truncate(&code.to_string(), 64)
            )));
        }
        parse_temporary(&fields, &fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_checked() {
        for good in [
            "http://127.0.0.1:8000/credentials",
            "https://creds.example.com/v1/x?role=a",
            "http://[::1]:9/",
            "http://localhost",
        ] {
            assert!(check_uri(good).is_ok(), "{good}");
        }
        for bad in [
            "127.0.0.1:8000",
            "ftp://h/x",
            "http://",
            "http://h h/",
            "http://h:0/x",
        ] {
            let e = check_uri(bad).unwrap_err().to_string();
            assert!(e.starts_with("invalid credentials_uri"), "{bad}: {e}");
        }
    }
}
