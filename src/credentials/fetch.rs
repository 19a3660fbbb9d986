//! One HTTP exchange with a credential service (STS, a credentials URI):
//! the agent and its settings (timeouts, proxy, trusted roots), the
//! answer's body read up to a cap, and failures turned into
//! [`Error::Credentials`] naming the service and the URL, never a secret.

use std::fmt;
use std::time::Duration;

use crate::credentials::Credentials;
use crate::error::Error;
use crate::redact::Secrets;
use crate::transport::{AgentSettings, ProxyConfig, ProxyRoute, Roots};

/// The largest answer read from a credential service (64 KiB).
pub(crate) const MAX_ANSWER_BYTES: u64 = 64 * 1024;

const USER_AGENT: &str = concat!("oss-process/", env!("CARGO_PKG_VERSION"), " credentials");

/// How credential services are reached: timeouts, proxy and roots.
#[derive(Clone, Debug)]
pub(crate) struct FetchSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) proxy: ProxyConfig,
    pub(crate) roots: Roots,
}

impl Default for FetchSettings {
    /// Connect 5 s, read 10 s (the official libraries' STS and URI
    /// timeouts), the environment's proxy, the bundled roots.
    fn default() -> Self {
        FetchSettings {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            proxy: ProxyConfig::from_env(),
            roots: Roots::Bundled,
        }
    }
}

impl FetchSettings {
    /// Checks the timeouts, naming the setting.
    pub(crate) fn check(&self) -> Result<(), Error> {
        for (name, value) in [
            ("connect_timeout", self.connect_timeout),
            ("read_timeout", self.read_timeout),
        ] {
            if value.is_zero() {
                return Err(Error::invalid(name, "must be more than zero"));
            }
        }
        Ok(())
    }
}

/// An answer: its status and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
}

/// Sends requests to one service URL (its scheme and host decide the
/// proxy: loopback and link-local hosts never use one).
pub(crate) struct Fetcher {
    agent: ureq::Agent,
    route: Option<ProxyRoute>,
    settings: FetchSettings,
    /// What the service is, for messages: e.g. `STS AssumeRole`.
    what: String,
}

impl fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fetcher")
            .field("what", &self.what)
            .field("proxy", &self.route)
            .field("connect_timeout", &self.settings.connect_timeout)
            .field("read_timeout", &self.settings.read_timeout)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// A fetcher for `url`. Fails when the proxy setting is malformed.
    pub(crate) fn new(
        url: &str,
        what: impl Into<String>,
        settings: &FetchSettings,
    ) -> Result<Self, Error> {
        settings.check()?;
        let host = crate::transport::proxy::url_host(url);
        let route = if crate::transport::proxy::is_local_service(host) {
            None
        } else {
            settings
                .proxy
                .resolve(url.starts_with("https://"))?
                .route_for(host)
                .cloned()
        };
        let agent = AgentSettings {
            connect_timeout: settings.connect_timeout,
            send_timeout: settings.read_timeout,
            recv_timeout: settings.read_timeout,
            user_agent: USER_AGENT.to_string(),
            pool: (2, 2),
            proxy: route.clone(),
            roots: settings.roots.clone(),
        }
        .agent();
        Ok(Fetcher {
            agent,
            route,
            settings: settings.clone(),
            what: what.into(),
        })
    }

    /// What the service is, for messages.
    pub(crate) fn what(&self) -> &str {
        &self.what
    }

    /// A failure of this service: `<what>: <detail>`.
    pub(crate) fn fail(&self, detail: impl fmt::Display) -> Error {
        Error::credentials(format!("{}: {detail}", self.what))
    }

    /// Sends a request (`GET` without body, `POST` with one) and reads the
    /// answer. `shown` is the URL as messages may show it; `secrets` are
    /// scrubbed from any text quoted from the answer.
    pub(crate) fn send(
        &self,
        method: &str,
        url: &str,
        shown: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Answer, Error> {
        let result = match (method, body) {
            ("GET", _) => {
                let mut request = self.agent.get(url);
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.call()
            }
            (_, body) => {
                let mut request = self.agent.post(url);
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                match body {
                    Some(body) => request.send(body),
                    None => request.send_empty(),
                }
            }
        };
        let target = format!("{method} {shown}");
        let mut response = result.map_err(|e| self.transport_error(&target, e))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_string()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => self.fail(format_args!(
                    "the answer to {target} is larger than {} KiB",
                    MAX_ANSWER_BYTES / 1024
                )),
                other => self.transport_error(&target, other),
            })?;
        Ok(Answer { status, body })
    }

    fn transport_error(&self, target: &str, e: ureq::Error) -> Error {
        let source = crate::transport::request_error(target.to_string(), self.route.as_ref(), e);
        let detail = if source.is_timeout() {
            format!(
                "{target} timed out (connect timeout {} ms, read timeout {} ms)",
                self.settings.connect_timeout.as_millis(),
                self.settings.read_timeout.as_millis()
            )
        } else {
            match &self.route {
                Some(route) => format!("{target} through the proxy {} failed", route.name()),
                None => format!("{target} failed"),
            }
        };
        Error::Credentials {
            message: format!("{}: {detail}", self.what),
            source: Some(Box::new(source)),
        }
    }
}

/// Text quoted from an answer for a message: at most 256 characters, with
/// `secrets` (the credentials a request was signed with) scrubbed.
pub(crate) fn quote(text: &str, secrets: Option<&Credentials>) -> String {
    let mut quoted = crate::redact::truncate(text.trim(), 256);
    if let Some(credentials) = secrets {
        Secrets::of(credentials).scrub(&mut quoted);
    }
    quoted
}

/// Reads `{"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"}`
/// (the STS `Credentials` object, or a credentials URI's or metadata
/// service's answer). Errors name the field, never its value (except
/// `Expiration`, which is not secret).
pub(crate) fn parse_temporary(
    fields: &serde_json::Map<String, serde_json::Value>,
    fail: &dyn Fn(String) -> Error,
) -> Result<Credentials, Error> {
    use serde_json::Value;
    let field = |name: &str| -> Result<&str, Error> {
        match fields.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.as_str()),
            Some(Value::String(_)) => Err(fail(format!("has an empty {name}"))),
            Some(_) => Err(fail(format!("has a {name} that is not a string"))),
            None => Err(fail(format!("has no {name}"))),
        }
    };
    let id = field("AccessKeyId")?;
    let secret = field("AccessKeySecret")?;
    let token = field("SecurityToken")?;
    let expiration_text = field("Expiration")?;
    let expiration = crate::time::parse_iso_extended(expiration_text.trim()).ok_or_else(|| {
        fail(format!(
            "has Expiration {:?}, not a UTC time like 2024-01-15T09:30:00Z",
            crate::redact::truncate(expiration_text, 64)
        ))
    })?;
    let credentials = Credentials::new(id, secret)
        .with_security_token(token)
        .with_expiration(expiration);
    credentials.validate().map_err(|e| match e {
        Error::Credentials { message, .. } => fail(format!("is malformed: {message}")),
        other => other,
    })?;
    Ok(credentials)
}

/// Parses a JSON object, or fails with `fail("is not valid JSON (...)")`.
pub(crate) fn parse_object(
    body: &str,
    fail: &dyn Fn(String) -> Error,
) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    match serde_json::from_str::<serde_json::Value>(body) {
        // serde_json's syntax errors give a position, never the text.
        Err(e) => Err(fail(format!("is not valid JSON ({e})"))),
        Ok(serde_json::Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(fail("is not a JSON object".into())),
    }
}
