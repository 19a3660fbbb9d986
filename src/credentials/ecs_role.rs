//! Credentials for programs running on Alibaba Cloud ECS: the temporary
//! credentials of the instance's RAM role, read from the metadata service.
//!
//! An ECS instance with a RAM role attached can ask the metadata service at
//! `http://100.100.100.200` for STS credentials of that role, so no
//! AccessKey needs to be stored on the machine. [`EcsRamRoleProvider`] asks
//! it, caches the answer and fetches new credentials before they expire
//! (the rule is in [`refresh`](crate::refresh)). Use it as it is:
//!
//! ```no_run
//! use oss_process::{Client, EcsRamRoleProvider};
//!
//! let client = Client::builder()
//!     .region("cn-hangzhou")
//!     .credentials_provider(EcsRamRoleProvider::new())
//!     .build()?;
//! # Ok::<(), oss_process::Error>(())
//! ```
//!
//! # What it sends
//!
//! 1. With [`MetadataToken::IfAvailable`] (the default) or
//!    [`MetadataToken::Required`]: `PUT /latest/api/token` with
//!    `X-aliyun-ecs-metadata-token-ttl-seconds: 21600`; the token it answers
//!    goes in an `X-aliyun-ecs-metadata-token` header on the GETs below.
//! 2. Unless a role name is configured:
//!    `GET /latest/meta-data/ram/security-credentials/`, which answers the
//!    name of the role attached to the instance.
//! 3. `GET /latest/meta-data/ram/security-credentials/<role>`, which answers
//!    JSON with `AccessKeyId`, `AccessKeySecret`, `SecurityToken`,
//!    `Expiration` (like `2024-01-15T09:30:00Z`) and `Code` (which must be
//!    `Success` when present).
//!
//! Each fetch does all three, so a role changed on the instance is picked
//! up; fetches are rare (see the refresh rule). Connect timeout 2 s, read
//! timeout 5 s, answers capped at 64 KiB, never a proxy (whatever the
//! environment says), no redirects. A fetch is tried up to 3 times, 500 ms
//! apart, when the metadata service cannot be reached, times out, or
//! answers 5xx or 429; other failures are returned at once. Error messages
//! name the step and the URL, never the secret, the STS token or the
//! metadata token. The provider itself reads nothing from the environment;
//! the [`DefaultChain`](crate::credentials::DefaultChain) maps
//! `ALIBABA_CLOUD_ECS_METADATA` (the role name) and
//! `ALIBABA_CLOUD_IMDSV1_DISABLED=true` ([`MetadataToken::Required`]) onto
//! it.
//!
//! # Hardened mode (metadata tokens)
//!
//! An instance can be set to answer metadata requests only with a token
//! (like AWS IMDSv2: it defeats request-forgery attacks that make a server
//! fetch a URL for the attacker). By default the provider asks for a token
//! and, if that fails for any reason, carries on without one: this works on
//! instances in both modes, at the price of one more local request per
//! fetch. When the token request cannot even connect, the fetch fails at
//! once (the GETs would not connect either), so a machine that is not an
//! ECS instance learns it in one connect timeout. [`MetadataToken::Required`]
//! makes any failed token request an error; [`MetadataToken::Disabled`]
//! never asks (the Go OSS SDK's behaviour).
//!
//! ```no_run
//! use std::time::Duration;
//! use oss_process::credentials::{EcsRamRoleProvider, MetadataToken};
//!
//! let provider = EcsRamRoleProvider::builder()
//!     .role_name("oss-reader")
//!     .metadata_token(MetadataToken::Required)
//!     .connect_timeout(Duration::from_secs(1))
//!     .build()?;
//! # Ok::<(), oss_process::Error>(())
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ureq::Body;
use ureq::http::Response;

use super::CachingProvider;
use super::fetch::{parse_object, parse_temporary};
use crate::credentials::{Credentials, CredentialsProvider};
use crate::error::Error;

/// The metadata service's address on every ECS instance.
pub(crate) const DEFAULT_ENDPOINT: &str = "http://100.100.100.200";

/// How long a requested metadata token lives, in seconds (6 hours, the
/// service's maximum).
pub(crate) const METADATA_TOKEN_TTL_SECONDS: u32 = 21600;

/// The largest answer read from the metadata service (64 KiB).
pub(crate) const MAX_ANSWER_BYTES: u64 = 64 * 1024;

const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_PATH: &str = "/latest/api/token";
const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";
const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";
const USER_AGENT: &str = concat!("oss-process/", env!("CARGO_PKG_VERSION"), " ecs-ram-role");

/// Whether to use a metadata token (the instance's hardened mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MetadataToken {
    /// Never ask for a token (plain GETs, as the Go OSS SDK does).
    Disabled,
    /// Ask for a token; if the service refuses or cannot give one, carry on
    /// without (logged at `debug`). Works whether or not the instance
    /// requires tokens. If the service cannot be reached at all, the fetch
    /// fails without trying the GETs.
    #[default]
    IfAvailable,
    /// Ask for a token; if that fails, the fetch fails.
    Required,
}

/// The credentials of the ECS instance's RAM role, cached and refreshed
/// before they expire.
///
/// Cloning is cheap and shares the cache, so several clients can use one
/// provider. To tune the refresh rule (or inject a clock in tests), wrap an
/// [`EcsRamRoleFetcher`] in a [`CachingProvider`] yourself:
///
/// ```no_run
/// use std::time::Duration;
/// use oss_process::CachingProvider;
/// use oss_process::credentials::EcsRamRoleProvider;
///
/// let fetcher = EcsRamRoleProvider::builder().build_fetcher()?;
/// let provider = CachingProvider::new(fetcher).refresh_margin(Duration::from_secs(900));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct EcsRamRoleProvider {
    cache: Arc<CachingProvider<EcsRamRoleFetcher>>,
}

impl EcsRamRoleProvider {
    /// The defaults: the metadata service at `http://100.100.100.200`, the role
    /// attached to the instance, a metadata token if available. Nothing is
    /// sent until credentials are first needed.
    #[must_use]
    pub fn new() -> Self {
        EcsRamRoleProvider::from_fetcher(EcsRamRoleBuilder::default().fetcher())
    }

    /// A builder to set the role name, endpoint, token mode, timeouts and
    /// tries.
    #[must_use]
    pub fn builder() -> EcsRamRoleBuilder {
        EcsRamRoleBuilder::default()
    }

    fn from_fetcher(fetcher: EcsRamRoleFetcher) -> Self {
        EcsRamRoleProvider {
            cache: Arc::new(CachingProvider::new(fetcher).name("ECS RAM role credentials")),
        }
    }

    /// Forgets the cached credentials: the next call fetches.
    pub fn invalidate(&self) {
        self.cache.invalidate();
    }

    /// The uncached fetcher underneath.
    pub fn fetcher(&self) -> &EcsRamRoleFetcher {
        self.cache.provider()
    }
}

impl Default for EcsRamRoleProvider {
    fn default() -> Self {
        EcsRamRoleProvider::new()
    }
}

impl CredentialsProvider for EcsRamRoleProvider {
    fn credentials(&self) -> Result<Credentials, Error> {
        self.cache.credentials()
    }
}

/// Configures an [`EcsRamRoleProvider`] or an [`EcsRamRoleFetcher`].
#[derive(Debug, Clone)]
pub struct EcsRamRoleBuilder {
    endpoint: String,
    role_name: Option<String>,
    metadata_token: MetadataToken,
    connect_timeout: Duration,
    read_timeout: Duration,
    max_attempts: u32,
    retry_delay: Duration,
}

impl Default for EcsRamRoleBuilder {
    fn default() -> Self {
        EcsRamRoleBuilder {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            role_name: None,
            metadata_token: MetadataToken::default(),
            connect_timeout: Duration::from_secs(2),
            read_timeout: Duration::from_secs(5),
            max_attempts: 3,
            retry_delay: Duration::from_millis(500),
        }
    }
}

impl EcsRamRoleBuilder {
    /// The metadata service, `http://host[:port]` (default
    /// `http://100.100.100.200`); tests point it at a local stand-in.
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// The RAM role to get credentials for, which skips asking the service
    /// for the attached role's name.
    #[must_use]
    pub fn role_name(mut self, role_name: impl Into<String>) -> Self {
        self.role_name = Some(role_name.into());
        self
    }

    /// Whether to use a metadata token (default
    /// [`MetadataToken::IfAvailable`]).
    #[must_use]
    pub fn metadata_token(mut self, mode: MetadataToken) -> Self {
        self.metadata_token = mode;
        self
    }

    /// Time allowed to connect to the metadata service (default 2 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed to send a request and to receive its answer, each
    /// (default 5 s).
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// How many times a fetch is tried when the failure is transient
    /// (default 3; 1 means no retry).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The pause between tries (default 500 ms).
    #[must_use]
    pub fn retry_delay(mut self, delay: Duration) -> Self {
        self.retry_delay = delay;
        self
    }

    /// A caching, refreshing provider. Fails (naming the setting) on an
    /// endpoint that is not `http(s)://host[:port]`, a role name that is
    /// not one, a zero timeout or zero attempts.
    pub fn build(self) -> Result<EcsRamRoleProvider, Error> {
        self.build_fetcher().map(EcsRamRoleProvider::from_fetcher)
    }

    /// An uncached fetcher, which asks the metadata service on every call;
    /// wrap it in a [`CachingProvider`] to choose the refresh rule. Fails
    /// as [`build`](Self::build) does.
    pub fn build_fetcher(mut self) -> Result<EcsRamRoleFetcher, Error> {
        self.endpoint = check_endpoint(&self.endpoint)?;
        if let Some(role) = &self.role_name {
            check_role_name(role).map_err(|why| Error::invalid("role_name", why))?;
        }
        for (name, value) in [
            ("connect_timeout", self.connect_timeout),
            ("read_timeout", self.read_timeout),
        ] {
            if value.is_zero() {
                return Err(Error::invalid(name, "must be more than zero"));
            }
        }
        if self.max_attempts == 0 {
            return Err(Error::invalid("max_attempts", "must be at least 1"));
        }
        Ok(self.fetcher())
    }

    /// The fetcher, without checks (the defaults pass them).
    fn fetcher(self) -> EcsRamRoleFetcher {
        let agent = crate::transport::AgentSettings {
            connect_timeout: self.connect_timeout,
            send_timeout: self.read_timeout,
            recv_timeout: self.read_timeout,
            user_agent: USER_AGENT.to_string(),
            pool: (2, 2),
            proxy: None,
            roots: crate::transport::Roots::Bundled,
        }
        .agent();
        EcsRamRoleFetcher {
            agent,
            endpoint: self.endpoint,
            role_name: self.role_name,
            metadata_token: self.metadata_token,
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            max_attempts: self.max_attempts,
            retry_delay: self.retry_delay,
        }
    }
}

/// `http(s)://host[:port]`, checked by the same parser as the client's
/// endpoints, with the scheme required (the metadata service is plain HTTP,
/// so a missing one is more likely a mistake than a wish for https).
fn check_endpoint(endpoint: &str) -> Result<String, Error> {
    let parsed = endpoint
        .contains("://")
        .then(|| crate::config::Endpoint::parse(endpoint, true).ok())
        .flatten();
    match parsed {
        Some(e) => Ok(format!("{}://{}", e.scheme(), e.authority)),
        None => Err(Error::invalid(
            "endpoint",
            format!("{endpoint:?} is not http://host[:port] (the default is {DEFAULT_ENDPOINT})"),
        )),
    }
}

/// RAM role names are letters, digits, `.`, `-` (and `_` is let through);
/// anything else would also be unsafe in the URL path.
fn check_role_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 128 {
        return Err(format!(
            "a RAM role name has 1 to 128 characters, not {}",
            name.len()
        ));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        Some(c) => Err(format!(
            "a RAM role name holds letters, digits, '.', '-' and '_', not {c:?}"
        )),
        None => Ok(()),
    }
}

/// Asks the metadata service for the role's credentials on every call,
/// without caching: wrap it in a [`CachingProvider`] (as
/// [`EcsRamRoleProvider`] does). Made by
/// [`EcsRamRoleBuilder::build_fetcher`].
pub struct EcsRamRoleFetcher {
    agent: ureq::Agent,
    endpoint: String,
    role_name: Option<String>,
    metadata_token: MetadataToken,
    connect_timeout: Duration,
    read_timeout: Duration,
    max_attempts: u32,
    retry_delay: Duration,
}

/// A failed step, and whether trying again may help.
struct Failure {
    error: Error,
    transient: bool,
    /// The service could not be reached at all.
    unreachable: bool,
}

impl Failure {
    fn permanent(error: Error) -> Self {
        Failure {
            error,
            transient: false,
            unreachable: false,
        }
    }
}

/// One request to the metadata service, for error messages.
struct Step<'a> {
    method: &'static str,
    url: String,
    /// What the request is for, e.g. "asking for the instance's RAM role".
    what: String,
    /// What a 404 means here.
    not_found: &'a str,
    /// What a 401 or 403 means here.
    refused: &'a str,
}

impl Step<'_> {
    fn message(&self, detail: impl fmt::Display) -> String {
        format!("ECS RAM role: {}: {detail}", self.what)
    }

    fn fail(&self, detail: impl fmt::Display) -> Error {
        Error::credentials(self.message(detail))
    }
}

impl EcsRamRoleFetcher {
    /// The metadata service's address, e.g. `http://100.100.100.200`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The configured role name; `None` when it is asked of the service.
    pub fn role_name(&self) -> Option<&str> {
        self.role_name.as_deref()
    }

    /// Fetches the credentials now (token, role name, credentials), trying
    /// again on transient failures.
    pub fn fetch(&self) -> Result<Credentials, Error> {
        let mut attempt = 1;
        loop {
            match self.attempt() {
                Ok(credentials) => return Ok(credentials),
                Err(failure) if failure.transient && attempt < self.max_attempts => {
                    log::debug!(
                        "ECS RAM role: try {attempt} of {} failed, trying again in {} ms: {}",
                        self.max_attempts,
                        self.retry_delay.as_millis(),
                        failure.error
                    );
                    std::thread::sleep(self.retry_delay);
                    attempt += 1;
                }
                Err(Failure { mut error, .. }) => {
                    if let (Error::Credentials { message, .. }, true) = (&mut error, attempt > 1) {
                        *message = message.replacen(
                            "ECS RAM role: ",
                            &format!("ECS RAM role, after {attempt} tries: "),
                            1,
                        );
                    }
                    return Err(error);
                }
            }
        }
    }

    fn attempt(&self) -> Result<Credentials, Failure> {
        let token = self.token()?;
        let token = token.as_deref();
        let discovered;
        let role = match &self.role_name {
            Some(role) => role.as_str(),
            None => {
                discovered = self.discover_role(token)?;
                discovered.as_str()
            }
        };
        let step = Step {
            method: "GET",
            url: format!("{}{CREDENTIALS_PATH}{role}", self.endpoint),
            what: format!("fetching the credentials of RAM role `{role}`"),
            not_found: "no such role is attached to this instance",
            refused: refused_hint(token),
        };
        let body = self.read(self.get(&step.url, token).call(), &step)?;
        parse_credentials(&body, role).map_err(Failure::permanent)
    }

    fn get(
        &self,
        url: &str,
        token: Option<&str>,
    ) -> ureq::RequestBuilder<ureq::typestate::WithoutBody> {
        let request = self.agent.get(url);
        match token {
            Some(token) => request.header(TOKEN_HEADER, token),
            None => request,
        }
    }

    /// The metadata token per the configured mode.
    fn token(&self) -> Result<Option<String>, Failure> {
        if self.metadata_token == MetadataToken::Disabled {
            return Ok(None);
        }
        let step = Step {
            method: "PUT",
            url: format!("{}{TOKEN_PATH}", self.endpoint),
            what: "getting a metadata token".to_string(),
            not_found: "the service does not issue tokens",
            refused: "the service refused to issue a token",
        };
        let answer = self
            .agent
            .put(&step.url)
            .header(TOKEN_TTL_HEADER, METADATA_TOKEN_TTL_SECONDS.to_string())
            .send_empty();
        let token = self.read(answer, &step).and_then(|body| {
            let token = body.trim();
            if token.is_empty()
                || token.len() > 4096
                || !token.bytes().all(|b| b.is_ascii_graphic())
            {
                Err(Failure::permanent(step.fail(format_args!(
                    "the answer ({} bytes) is not a usable token",
                    token.len()
                ))))
            } else {
                Ok(token.to_string())
            }
        });
        match token {
            Ok(token) => Ok(Some(token)),
            Err(failure)
                if self.metadata_token == MetadataToken::IfAvailable && !failure.unreachable =>
            {
                log::debug!(
                    "ECS RAM role: carrying on without a metadata token: {}",
                    failure.error
                );
                Ok(None)
            }
            Err(failure) => Err(failure),
        }
    }

    fn discover_role(&self, token: Option<&str>) -> Result<String, Failure> {
        let step = Step {
            method: "GET",
            url: format!("{}{CREDENTIALS_PATH}", self.endpoint),
            what: "asking for the instance's RAM role".to_string(),
            not_found: "no RAM role is attached to this instance",
            refused: refused_hint(token),
        };
        let body = self.read(self.get(&step.url, token).call(), &step)?;
        let role = body.trim();
        if role.is_empty() {
            return Err(Failure::permanent(step.fail(
                "no RAM role is attached to this instance (the answer is empty)",
            )));
        }
        check_role_name(role).map_err(|why| {
            Failure::permanent(step.fail(format_args!(
                "the answer {:?} is not a role name: {why}",
                preview(role)
            )))
        })?;
        Ok(role.to_string())
    }

    /// The body of a 200 answer; anything else is a failure naming the step.
    fn read(
        &self,
        answer: Result<Response<Body>, ureq::Error>,
        step: &Step<'_>,
    ) -> Result<String, Failure> {
        let mut response = answer.map_err(|e| self.transport_failure(e, step))?;
        let status = response.status().as_u16();
        if status != 200 {
            let hint = match status {
                404 => format!(" ({})", step.not_found),
                401 | 403 => format!(" ({})", step.refused),
                _ => String::new(),
            };
            return Err(Failure {
                error: step.fail(format_args!(
                    "{} {} answered HTTP {status}{hint}",
                    step.method, step.url
                )),
                transient: status >= 500 || status == 429,
                unreachable: false,
            });
        }
        response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_string()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Failure::permanent(step.fail(format_args!(
                    "the answer from {} is larger than {} KiB",
                    step.url,
                    MAX_ANSWER_BYTES / 1024
                ))),
                other => self.transport_failure(other, step),
            })
    }

    fn transport_failure(&self, e: ureq::Error, step: &Step<'_>) -> Failure {
        let unreachable = is_unreachable(&e);
        let what = format!("{e}");
        let source = Error::from_ureq(format!("{} {}", step.method, step.url), e);
        let detail = if source.is_timeout() {
            format!(
                "{} {} timed out ({what}; connect timeout {} ms, read timeout {} ms; is this an ECS instance?)",
                step.method,
                step.url,
                self.connect_timeout.as_millis(),
                self.read_timeout.as_millis()
            )
        } else {
            format!(
                "{} {} failed ({what}; is this an ECS instance?)",
                step.method, step.url
            )
        };
        Failure {
            error: Error::Credentials {
                message: step.message(detail),
                source: Some(Box::new(source)),
            },
            transient: true,
            unreachable,
        }
    }
}

/// Whether `e` means no connection could be made at all.
fn is_unreachable(e: &ureq::Error) -> bool {
    use std::io::ErrorKind;
    match e {
        ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound
        | ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => true,
        ureq::Error::Io(io) => matches!(
            io.kind(),
            ErrorKind::ConnectionRefused
                | ErrorKind::HostUnreachable
                | ErrorKind::NetworkUnreachable
                | ErrorKind::AddrNotAvailable
        ),
        _ => false,
    }
}

impl CredentialsProvider for EcsRamRoleFetcher {
    fn credentials(&self) -> Result<Credentials, Error> {
        self.fetch()
    }
}

impl fmt::Debug for EcsRamRoleFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcsRamRoleFetcher")
            .field("endpoint", &self.endpoint)
            .field("role_name", &self.role_name)
            .field("metadata_token", &self.metadata_token)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("max_attempts", &self.max_attempts)
            .field("retry_delay", &self.retry_delay)
            .finish_non_exhaustive()
    }
}

/// What a refused GET means, with or without a metadata token.
fn refused_hint(token: Option<&str>) -> &'static str {
    match token {
        Some(_) => "the metadata token was refused",
        None => "does the instance require a metadata token? see MetadataToken",
    }
}

/// At most 64 characters of an answer, for an error message (never used
/// on the credentials answer).
fn preview(text: &str) -> String {
    text.chars().take(64).collect()
}

/// Reads the credentials JSON (`Code`, when present, must be `Success`).
/// Errors name the field, never its value (except `Code` and `Expiration`,
/// which are not secret).
fn parse_credentials(body: &str, role: &str) -> Result<Credentials, Error> {
    let fail = |detail: String| {
        Error::credentials(format!(
            "ECS RAM role: the credentials answer for role `{role}` {detail}"
        ))
    };
    let fields = parse_object(body, &fail)?;
    if let Some(code) = fields.get("Code") {
        match code.as_str() {
            Some("Success") => {}
            Some(other) => {
                return Err(fail(format!(
                    "has Code {:?}, not \"Success\"",
                    preview(other)
                )));
            }
            None => return Err(fail("has a Code that is not a string".into())),
        }
    }
    parse_temporary(&fields, &fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn parses_expiration() {
        // 2024-01-15T09:30:00Z
        assert_eq!(
            crate::time::parse_iso_extended("2024-01-15T09:30:00Z"),
            Some(at(1_705_311_000))
        );
        assert_eq!(
            crate::time::parse_iso_extended("2024-01-15T09:30:00.999Z"),
            Some(at(1_705_311_000))
        );
        for bad in [
            "",
            "2024-01-15 09:30:00Z",
            "2024-01-15T09:30:00",
            "2024-01-15T09:30:00+08:00",
            "2024-13-15T09:30:00Z",
            "2024-01-15T25:30:00Z",
            "2024-01-15T09:30:00.Z",
            "2024-01-15T09:30:0éZ",
            "20240115T093000Z",
            "2024-01-15T09:30:00.1xZ",
        ] {
            assert_eq!(crate::time::parse_iso_extended(bad), None, "{bad}");
        }
    }

    #[test]
    fn checks_endpoint_and_role_name() {
        assert_eq!(
            check_endpoint("http://127.0.0.1:80/").unwrap(),
            "http://127.0.0.1:80"
        );
        assert!(check_endpoint("https://meta.example").is_ok());
        for bad in [
            "100.100.100.200",
            "http://",
            "http://h/x",
            "ftp://h",
            "http://u@h",
            "http://h h",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
        assert!(check_role_name("oss-reader.v2_x").is_ok());
        for bad in ["", "a/b", "a b", "../x", "x?y", "ä"] {
            assert!(check_role_name(bad).is_err(), "{bad}");
        }
        assert!(check_role_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn parse_errors_never_show_the_secret() {
        let body = r#"{"AccessKeyId":"STS.id","AccessKeySecret":"SecretValue42","SecurityToken":"TokenValue42","Expiration":"soon","Code":"Success"}"#;
        let e = parse_credentials(body, "r").unwrap_err().to_string();
        assert!(e.contains("Expiration \"soon\""), "{e}");
        assert!(
            !e.contains("SecretValue42") && !e.contains("TokenValue42"),
            "{e}"
        );
        let e = parse_credentials(r#"{"AccessKeyId":"id","AccessKeySecret":"sec ret","SecurityToken":"t","Expiration":"2024-01-15T09:30:00Z"}"#, "r")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("access key secret") && !e.contains("sec ret"),
            "{e}"
        );
    }

    #[test]
    fn builder_rejects_bad_settings() {
        let bad = [
            EcsRamRoleProvider::builder().endpoint("nope"),
            EcsRamRoleProvider::builder().role_name("a/b"),
            EcsRamRoleProvider::builder().connect_timeout(Duration::ZERO),
            EcsRamRoleProvider::builder().read_timeout(Duration::ZERO),
            EcsRamRoleProvider::builder().max_attempts(0),
        ];
        for builder in bad {
            let e = builder.build().unwrap_err();
            assert!(matches!(e, Error::InvalidArgument { .. }), "{e}");
        }
        let p = EcsRamRoleProvider::new();
        assert_eq!(p.fetcher().endpoint(), DEFAULT_ENDPOINT);
        assert_eq!(p.fetcher().role_name(), None);
    }
}
