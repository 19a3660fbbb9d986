//! Temporary credentials from STS: [`RamRoleArnProvider`] assumes a RAM
//! role with other credentials (`AssumeRole`, signed with ACS3-HMAC-SHA256),
//! [`OidcRoleProvider`] with an OIDC token file (`AssumeRoleWithOIDC`, the
//! RRSA flow of ACK, unsigned). Both cache the answer and fetch again before
//! it expires ([`CachingProvider`]'s rule).
//!
//! # Endpoint
//!
//! As the official libraries choose it: an explicit endpoint wins; else
//! `https://sts-vpc.<region>.aliyuncs.com` with a region and the VPC
//! endpoint on, `https://sts.<region>.aliyuncs.com` with a region,
//! `https://sts.aliyuncs.com` without one.
//!
//! # Wire
//!
//! `AssumeRole`: `POST /?RoleArn=..&RoleSessionName=..&DurationSeconds=..[&Policy=..][&ExternalId=..]`
//! with headers `x-acs-action: AssumeRole`, `x-acs-version: 2015-04-01`,
//! `x-acs-date`, `x-acs-signature-nonce`, `x-acs-content-sha256` (of the
//! empty body), `x-acs-security-token` when the source credentials have a
//! token, and `Authorization: ACS3-HMAC-SHA256 ...` over them and `host`
//! (the form the official STS SDK sends by default).
//!
//! `AssumeRoleWithOIDC`: `POST /?Action=AssumeRoleWithOIDC&Format=JSON&Version=2015-04-01&Timestamp=..`
//! with a form body holding `RoleArn`, `OIDCProviderArn`, `OIDCToken`,
//! `RoleSessionName`, `DurationSeconds` and `Policy` (the Go library's
//! form). The token file is read again on every fetch, so a rotated token
//! is used; white space around its content is dropped.
//!
//! Both answers hold `Credentials.{AccessKeyId, AccessKeySecret,
//! SecurityToken, Expiration}`; an error answer's `Code`, `Message` and
//! `RequestId` go into the error, with the source credentials' secret and
//! token scrubbed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::acs3;
use super::fetch::{FetchSettings, Fetcher, parse_object, parse_temporary, quote};
use super::{CachingProvider, Credentials, CredentialsProvider};
use crate::error::Error;
use crate::transport::ProxyConfig;

/// The STS API version.
const VERSION: &str = "2015-04-01";
/// The default session length: one hour.
pub(crate) const DEFAULT_DURATION: Duration = Duration::from_secs(3600);
/// The shortest session STS grants: 15 minutes.
const MIN_DURATION: Duration = Duration::from_secs(900);
/// The longest session a role may allow: 12 hours.
const MAX_DURATION: Duration = Duration::from_secs(43200);
/// The largest OIDC token file read (the service takes up to 20,000
/// characters).
const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// Where STS is reached, and how.
#[derive(Clone, Debug, Default)]
pub(crate) struct StsOptions {
    pub(crate) endpoint: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) vpc: bool,
    pub(crate) fetch: FetchSettings,
}

impl StsOptions {
    /// `scheme://host[:port]` of STS (see the module docs).
    pub(crate) fn endpoint_url(&self) -> Result<String, Error> {
        if let Some(endpoint) = &self.endpoint {
            let parsed = crate::config::Endpoint::parse(endpoint, false).map_err(|e| match e {
                Error::InvalidArgument { message, .. } => Error::invalid(
                    "sts_endpoint",
                    message.replace(
                        "e.g. oss-cn-hangzhou.aliyuncs.com or http://127.0.0.1:9000",
                        "e.g. sts.cn-hangzhou.aliyuncs.com",
                    ),
                ),
                other => other,
            })?;
            return Ok(format!("{}://{}", parsed.scheme(), parsed.authority));
        }
        match self.region.as_deref().filter(|r| !r.is_empty()) {
            Some(region) => {
                crate::names::check_region(region).map_err(|_| {
                    Error::invalid(
                        "sts_region",
                        format!("{region:?} is not a region id like cn-hangzhou"),
                    )
                })?;
                let prefix = if self.vpc { "sts-vpc" } else { "sts" };
                Ok(format!("https://{prefix}.{region}.aliyuncs.com"))
            }
            None => Ok("https://sts.aliyuncs.com".to_string()),
        }
    }
}

/// The session both calls ask for: its name, length and policy.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub(crate) name: Option<String>,
    pub(crate) duration: Duration,
    pub(crate) policy: Option<String>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            name: None,
            duration: DEFAULT_DURATION,
            policy: None,
        }
    }
}

/// A [`Session`], checked and ready for the wire.
#[derive(Debug)]
struct CheckedSession {
    name: String,
    /// Decimal seconds.
    duration: String,
    policy: Option<String>,
}

impl Session {
    /// Checks the name (or makes the default one), the length and the
    /// policy, naming the setting at fault.
    fn check(self) -> Result<CheckedSession, Error> {
        let name = self.name.unwrap_or_else(default_session_name);
        check_session_name(&name)?;
        let duration = check_duration(self.duration)?.to_string();
        if let Some(policy) = &self.policy {
            check_policy(policy)?;
        }
        Ok(CheckedSession {
            name,
            duration,
            policy: self.policy,
        })
    }
}

/// The setters both builders share: the session, and where STS is reached.
macro_rules! sts_setters {
    () => {
        /// The session name (default `oss-process-<unix seconds>`): 2 to 64
        /// of `A-Z a-z 0-9 . @ - _`, shown in the role's audit logs.
        #[must_use]
        pub fn role_session_name(mut self, name: impl Into<String>) -> Self {
            self.session.name = Some(name.into());
            self
        }

        /// How long the credentials last (default 1 hour; 15 minutes to the
        /// role's maximum, at most 12 hours).
        #[must_use]
        pub fn duration(mut self, duration: Duration) -> Self {
            self.session.duration = duration;
            self
        }

        /// A session policy (JSON) narrowing what the role's credentials may
        /// do.
        #[must_use]
        pub fn policy(mut self, policy: impl Into<String>) -> Self {
            self.session.policy = Some(policy.into());
            self
        }

        pub(crate) fn with_session(mut self, session: Session) -> Self {
            self.session = session;
            self
        }

        pub(crate) fn with_sts(mut self, sts: StsOptions) -> Self {
            self.sts = sts;
            self
        }

        /// The STS endpoint, `[https://]host[:port]` (`http://` only for a
        /// local stand-in); it wins over [`sts_region`](Self::sts_region).
        #[must_use]
        pub fn sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
            self.sts.endpoint = Some(endpoint.into());
            self
        }

        /// The region whose STS endpoint to use, e.g. `cn-hangzhou`
        /// (default: the central `sts.aliyuncs.com`).
        #[must_use]
        pub fn sts_region(mut self, region: impl Into<String>) -> Self {
            self.sts.region = Some(region.into());
            self
        }

        /// Use the region's VPC endpoint `sts-vpc.<region>.aliyuncs.com`
        /// (with [`sts_region`](Self::sts_region); default off).
        #[must_use]
        pub fn vpc_endpoint(mut self, yes: bool) -> Self {
            self.sts.vpc = yes;
            self
        }

        /// Time allowed to connect to STS (default 5 s).
        #[must_use]
        pub fn connect_timeout(mut self, timeout: Duration) -> Self {
            self.sts.fetch.connect_timeout = timeout;
            self
        }

        /// Time allowed to send the request and to receive the answer, each
        /// (default 10 s).
        #[must_use]
        pub fn read_timeout(mut self, timeout: Duration) -> Self {
            self.sts.fetch.read_timeout = timeout;
            self
        }

        /// The proxy to reach STS through (default: the environment's,
        /// [`ProxyConfig::from_env`]).
        #[must_use]
        pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
            self.sts.fetch.proxy = proxy;
            self
        }
    };
}

/// Checks a session length: 15 minutes to 12 hours, whole seconds.
fn check_duration(duration: Duration) -> Result<u64, Error> {
    if duration < MIN_DURATION || duration > MAX_DURATION || duration.subsec_nanos() != 0 {
        return Err(Error::invalid(
            "duration",
            format!(
                "{} s is not a session length STS grants: 900 to 43200 whole seconds (15 minutes to 12 hours, within the role's maximum)",
                duration.as_secs_f64()
            ),
        ));
    }
    Ok(duration.as_secs())
}

/// Checks `acs:ram::<account>:<kind>/<name>`.
fn check_arn(name: &str, value: &str, kind: &str) -> Result<(), Error> {
    let example = format!("acs:ram::1234567890123456:{kind}/example");
    let ok = value
        .strip_prefix("acs:ram::")
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(account, resource)| {
            !account.is_empty()
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource
                    .strip_prefix(kind)
                    .and_then(|r| r.strip_prefix('/'))
                    .is_some_and(|n| !n.is_empty())
        })
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            format!("{value:?} is not an ARN like {example}"),
        ))
    }
}

/// Checks a session name: 2 to 64 of `A-Z a-z 0-9 . @ - _`.
fn check_session_name(value: &str) -> Result<(), Error> {
    let ok = (2..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'@' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "role_session_name",
            format!("{value:?} is not a session name: 2 to 64 of A-Z a-z 0-9 . @ - _"),
        ))
    }
}

/// Checks an external id: 2 to 1224 of `A-Z a-z 0-9 = , . @ : / - _`.
fn check_external_id(value: &str) -> Result<(), Error> {
    let ok = (2..=1224).contains(&value.len())
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'=' | b',' | b'.' | b'@' | b':' | b'/' | b'-' | b'_')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "external_id",
            "an external id has 2 to 1224 of A-Z a-z 0-9 = , . @ : / - _",
        ))
    }
}

/// Checks a session policy: a JSON object of at most 2048 characters.
fn check_policy(value: &str) -> Result<(), Error> {
    if value.chars().count() > 2048 {
        return Err(Error::invalid(
            "policy",
            format!(
                "the policy has {} characters; STS takes at most 2048",
                value.chars().count()
            ),
        ));
    }
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => Err(Error::invalid("policy", "the policy is not a JSON object")),
        Err(e) => Err(Error::invalid(
            "policy",
            format!("the policy is not valid JSON ({e})"),
        )),
    }
}

/// The default session name: `oss-process-<unix seconds>`.
fn default_session_name() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("oss-process-{secs}")
}

/// `YYYY-MM-DDTHH:MM:SSZ` for now.
fn timestamp_now() -> String {
    crate::time::Timestamp::new(SystemTime::now()).iso_extended()
}

/// `name=value&...`, values percent-encoded (RFC 3986), for a query or a
/// form body.
fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        crate::encoding::percent_encode_into(&mut out, value, false);
    }
    out
}

/// 32 random hex digits.
fn nonce() -> String {
    format!(
        "{:016x}{:016x}",
        crate::retry::random_u64(),
        crate::retry::random_u64()
    )
}

/// Reads an STS answer: the credentials of a 200, the error of anything
/// else. `signed_with` (the source credentials) are scrubbed from quoted text.
fn parse_answer(
    fetcher: &Fetcher,
    status: u16,
    body: &str,
    signed_with: Option<&Credentials>,
) -> Result<Credentials, Error> {
    if status != 200 {
        let detail = match serde_json::from_str::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(fields)) => {
                let get = |k: &str| fields.get(k).and_then(|v| v.as_str()).unwrap_or("");
                let mut detail = format!("HTTP {status} {}", get("Code"));
                let message = get("Message");
                if !message.is_empty() {
                    detail.push_str(": ");
                    detail.push_str(&quote(message, signed_with));
                }
                let request_id = get("RequestId");
                if !request_id.is_empty() {
                    detail.push_str(&format!(" (request id {})", quote(request_id, None)));
                }
                detail
            }
            _ => format!("HTTP {status}, answer {:?}", quote(body, signed_with)),
        };
        return Err(fetcher.fail(detail));
    }
    let fail = |detail: String| fetcher.fail(format!("the answer {detail}"));
    let fields = parse_object(body, &fail)?;
    match fields.get("Credentials") {
        Some(serde_json::Value::Object(credentials)) => {
            let fail = |detail: String| fetcher.fail(format!("the answer's Credentials {detail}"));
            parse_temporary(credentials, &fail)
        }
        _ => Err(fail("has no Credentials object".into())),
    }
}

/// Configures a [`RamRoleArnProvider`]. Get one from
/// [`RamRoleArnProvider::builder`].
pub struct RamRoleArnBuilder {
    source: Arc<dyn CredentialsProvider>,
    role_arn: String,
    session: Session,
    external_id: Option<String>,
    sts: StsOptions,
}

impl fmt::Debug for RamRoleArnBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RamRoleArnBuilder")
            .field("role_arn", &self.role_arn)
            .field("session", &self.session)
            .field("external_id", &self.external_id.as_ref().map(|_| "<set>"))
            .field("sts", &self.sts)
            .finish_non_exhaustive()
    }
}

impl RamRoleArnBuilder {
    /// The external id the role's trust policy asks for (cross-account
    /// roles).
    #[must_use]
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    sts_setters!();

    /// The provider. Fails, before any I/O, naming the setting, on a
    /// malformed role ARN, session name, duration, external id, policy,
    /// endpoint, timeout or proxy.
    pub fn build(self) -> Result<RamRoleArnProvider, Error> {
        check_arn("role_arn", &self.role_arn, "role")?;
        let session = self.session.check()?;
        if let Some(id) = &self.external_id {
            check_external_id(id)?;
        }
        let endpoint = self.sts.endpoint_url()?;
        let fetcher = Fetcher::new(&endpoint, "STS AssumeRole", &self.sts.fetch)?;
        let fetcher = RamRoleArnFetcher {
            source: self.source,
            role_arn: self.role_arn,
            session,
            external_id: self.external_id,
            endpoint,
            fetcher,
        };
        Ok(RamRoleArnProvider {
            cache: Arc::new(CachingProvider::new(fetcher).name("RAM role ARN (STS AssumeRole)")),
        })
    }
}

/// Credentials of a RAM role, assumed with other credentials (STS
/// `AssumeRole`), cached and fetched again before they expire.
///
/// The source credentials (a long-term AccessKey, or temporary credentials
/// themselves) are asked for on every fetch, so a refreshing source works.
/// Cloning is cheap and shares the cache.
///
/// ```no_run
/// use std::time::Duration;
/// use oss_process::credentials::RamRoleArnProvider;
/// use oss_process::{Client, Credentials};
///
/// let source = Credentials::new("LTAI5tExample", "secret");
/// let role = RamRoleArnProvider::builder(source, "acs:ram::1234567890123456:role/oss-reader")
///     .role_session_name("thumbnailer")
///     .duration(Duration::from_secs(3600))
///     .sts_region("cn-hangzhou")
///     .build()?;
/// let client = Client::builder().region("cn-hangzhou").credentials_provider(role).build()?;
/// # let _ = client;
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RamRoleArnProvider {
    cache: Arc<CachingProvider<RamRoleArnFetcher>>,
}

impl RamRoleArnProvider {
    /// A builder for the role `role_arn` (`acs:ram::<account>:role/<name>`),
    /// assumed with the credentials `source` gives.
    #[must_use]
    pub fn builder(
        source: impl CredentialsProvider + 'static,
        role_arn: impl Into<String>,
    ) -> RamRoleArnBuilder {
        Self::builder_from_arc(Arc::new(source), role_arn.into())
    }

    pub(crate) fn builder_from_arc(
        source: Arc<dyn CredentialsProvider>,
        role_arn: String,
    ) -> RamRoleArnBuilder {
        RamRoleArnBuilder {
            source,
            role_arn,
            session: Session::default(),
            external_id: None,
            sts: StsOptions::default(),
        }
    }

    /// The STS endpoint in use, e.g. `https://sts.aliyuncs.com`.
    pub fn sts_endpoint(&self) -> &str {
        &self.cache.provider().endpoint
    }

    /// Forgets the cached credentials: the next call fetches.
    pub fn invalidate(&self) {
        self.cache.invalidate();
    }
}

impl CredentialsProvider for RamRoleArnProvider {
    fn credentials(&self) -> Result<Credentials, Error> {
        self.cache.credentials()
    }
}

/// Calls `AssumeRole` on every call.
struct RamRoleArnFetcher {
    source: Arc<dyn CredentialsProvider>,
    role_arn: String,
    session: CheckedSession,
    external_id: Option<String>,
    endpoint: String,
    fetcher: Fetcher,
}

impl fmt::Debug for RamRoleArnFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RamRoleArnFetcher")
            .field("role_arn", &self.role_arn)
            .field("session", &self.session)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl CredentialsProvider for RamRoleArnFetcher {
    fn credentials(&self) -> Result<Credentials, Error> {
        let source = self.source.credentials().map_err(|e| {
            Error::credentials_from(
                format!(
                    "{}: the source credentials for role {} are unavailable",
                    self.fetcher.what(),
                    self.role_arn
                ),
                e,
            )
        })?;
        source.validate()?;
        let mut query: Vec<(&str, &str)> = vec![
            ("RoleArn", &self.role_arn),
            ("RoleSessionName", &self.session.name),
            ("DurationSeconds", &self.session.duration),
        ];
        if let Some(policy) = &self.session.policy {
            query.push(("Policy", policy));
        }
        if let Some(id) = &self.external_id {
            query.push(("ExternalId", id));
        }
        let host = self
            .endpoint
            .split_once("://")
            .map_or(self.endpoint.as_str(), |(_, h)| h);
        let date = timestamp_now();
        let nonce = nonce();
        let payload_hash = acs3::sha256_hex(b"");
        let mut headers: Vec<(&str, &str)> = vec![
            ("host", host),
            ("x-acs-action", "AssumeRole"),
            ("x-acs-version", VERSION),
            ("x-acs-date", &date),
            ("x-acs-signature-nonce", &nonce),
            ("x-acs-content-sha256", &payload_hash),
        ];
        if let Some(token) = source.security_token() {
            headers.push(("x-acs-accesskey-id", source.access_key_id()));
            headers.push(("x-acs-security-token", token));
        }
        let authorization = acs3::authorization(
            &acs3::Request {
                method: "POST",
                path: "/",
                query: &query,
                headers: &headers,
                payload_hash: &payload_hash,
            },
            source.access_key_id(),
            source.access_key_secret(),
        );
        headers.push(("Authorization", &authorization));
        headers.push(("Accept", "application/json"));
        let url = format!("{}/?{}", self.endpoint, encode_pairs(&query));
        let shown = format!("{}/ (role {})", self.endpoint, self.role_arn);
        let answer = self.fetcher.send("POST", &url, &shown, &headers, None)?;
        parse_answer(&self.fetcher, answer.status, &answer.body, Some(&source))
    }
}

/// Configures an [`OidcRoleProvider`]. Get one from
/// [`OidcRoleProvider::builder`].
#[derive(Debug)]
pub struct OidcRoleBuilder {
    role_arn: String,
    provider_arn: String,
    token_file: PathBuf,
    session: Session,
    sts: StsOptions,
}

impl OidcRoleBuilder {
    sts_setters!();

    /// The provider. Fails, before any I/O, naming the setting, on a
    /// malformed ARN, session name, duration, policy, endpoint, timeout or
    /// proxy, or an empty token file path. The token file is first read
    /// when credentials are first needed.
    pub fn build(self) -> Result<OidcRoleProvider, Error> {
        check_arn("role_arn", &self.role_arn, "role")?;
        check_arn("oidc_provider_arn", &self.provider_arn, "oidc-provider")?;
        if self.token_file.as_os_str().is_empty() {
            return Err(Error::invalid(
                "oidc_token_file",
                "the token file path is empty",
            ));
        }
        let session = self.session.check()?;
        let endpoint = self.sts.endpoint_url()?;
        let fetcher = Fetcher::new(&endpoint, "STS AssumeRoleWithOIDC", &self.sts.fetch)?;
        let fetcher = OidcRoleFetcher {
            role_arn: self.role_arn,
            provider_arn: self.provider_arn,
            token_file: self.token_file,
            session,
            endpoint,
            fetcher,
        };
        Ok(OidcRoleProvider {
            cache: Arc::new(
                CachingProvider::new(fetcher).name("OIDC role (STS AssumeRoleWithOIDC)"),
            ),
        })
    }
}

/// Credentials of a RAM role, assumed with an OIDC token (STS
/// `AssumeRoleWithOIDC`): RRSA on ACK, where the pod has
/// `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and a
/// projected token file in `ALIBABA_CLOUD_OIDC_TOKEN_FILE`. Cached and
/// fetched again before expiry; the token file is read again on every
/// fetch. Cloning is cheap and shares the cache.
///
/// ```no_run
/// use oss_process::credentials::OidcRoleProvider;
///
/// let provider = OidcRoleProvider::builder(
///     "acs:ram::1234567890123456:role/oss-reader",
///     "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1",
///     "/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token",
/// )
/// .sts_region("cn-hangzhou")
/// .vpc_endpoint(true)
/// .build()?;
/// # let _ = provider;
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct OidcRoleProvider {
    cache: Arc<CachingProvider<OidcRoleFetcher>>,
}

impl OidcRoleProvider {
    /// A builder for the role `role_arn`, assumed through the OIDC provider
    /// `provider_arn` (`acs:ram::<account>:oidc-provider/<name>`) with the
    /// token in `token_file`.
    #[must_use]
    pub fn builder(
        role_arn: impl Into<String>,
        provider_arn: impl Into<String>,
        token_file: impl Into<PathBuf>,
    ) -> OidcRoleBuilder {
        OidcRoleBuilder {
            role_arn: role_arn.into(),
            provider_arn: provider_arn.into(),
            token_file: token_file.into(),
            session: Session::default(),
            sts: StsOptions::default(),
        }
    }

    /// The STS endpoint in use, e.g. `https://sts.aliyuncs.com`.
    pub fn sts_endpoint(&self) -> &str {
        &self.cache.provider().endpoint
    }

    /// Forgets the cached credentials: the next call fetches.
    pub fn invalidate(&self) {
        self.cache.invalidate();
    }
}

impl CredentialsProvider for OidcRoleProvider {
    fn credentials(&self) -> Result<Credentials, Error> {
        self.cache.credentials()
    }
}

/// Calls `AssumeRoleWithOIDC` on every call.
#[derive(Debug)]
struct OidcRoleFetcher {
    role_arn: String,
    provider_arn: String,
    token_file: PathBuf,
    session: CheckedSession,
    endpoint: String,
    fetcher: Fetcher,
}

impl OidcRoleFetcher {
    /// The token file's content, trimmed.
    fn token(&self) -> Result<String, Error> {
        read_token_file(&self.token_file).map_err(|why| {
            self.fetcher.fail(format_args!(
                "the OIDC token file {}: {why}",
                self.token_file.display()
            ))
        })
    }
}

/// Reads a token file: at most 64 KiB, UTF-8, non-empty once trimmed.
fn read_token_file(path: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot be opened ({e})"))?;
    let mut bytes = Vec::new();
    file.take(MAX_TOKEN_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read ({e})"))?;
    if bytes.len() as u64 > MAX_TOKEN_FILE {
        return Err(format!("is larger than {} KiB", MAX_TOKEN_FILE / 1024));
    }
    let text = String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_string())?;
    let token = text.trim();
    if token.is_empty() {
        return Err("is empty".into());
    }
    Ok(token.to_string())
}

impl CredentialsProvider for OidcRoleFetcher {
    fn credentials(&self) -> Result<Credentials, Error> {
        let token = self.token()?;
        let mut form: Vec<(&str, &str)> = vec![
            ("DurationSeconds", &self.session.duration),
            ("OIDCProviderArn", &self.provider_arn),
            ("OIDCToken", &token),
            ("RoleArn", &self.role_arn),
            ("RoleSessionName", &self.session.name),
        ];
        if let Some(policy) = &self.session.policy {
            form.push(("Policy", policy));
        }
        let body = encode_pairs(&form);
        let mut url = format!(
            "{}/?Action=AssumeRoleWithOIDC&Format=JSON&Version={VERSION}&Timestamp=",
            self.endpoint
        );
        crate::encoding::percent_encode_into(&mut url, &timestamp_now(), false);
        let shown = format!("{}/ (role {})", self.endpoint, self.role_arn);
        let answer = self.fetcher.send(
            "POST",
            &url,
            &shown,
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
            ],
            Some(body.as_bytes()),
        )?;
        parse_answer(&self.fetcher, answer.status, &answer.body, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_as_the_official_libraries_choose_them() {
        let mut o = StsOptions::default();
        assert_eq!(o.endpoint_url().unwrap(), "https://sts.aliyuncs.com");
        o.vpc = true;
        assert_eq!(o.endpoint_url().unwrap(), "https://sts.aliyuncs.com");
        o.region = Some("cn-hangzhou".into());
        assert_eq!(
            o.endpoint_url().unwrap(),
            "https://sts-vpc.cn-hangzhou.aliyuncs.com"
        );
        o.vpc = false;
        assert_eq!(
            o.endpoint_url().unwrap(),
            "https://sts.cn-hangzhou.aliyuncs.com"
        );
        o.endpoint = Some("http://127.0.0.1:8080/".into());
        assert_eq!(o.endpoint_url().unwrap(), "http://127.0.0.1:8080");
        o.endpoint = Some("sts.example.com".into());
        assert_eq!(o.endpoint_url().unwrap(), "https://sts.example.com");
        o.endpoint = Some("http://h/path".into());
        assert!(
            o.endpoint_url()
                .unwrap_err()
                .to_string()
                .starts_with("invalid sts_endpoint")
        );
        o.endpoint = None;
        o.region = Some("cn hangzhou".into());
        assert!(
            o.endpoint_url()
                .unwrap_err()
                .to_string()
                .starts_with("invalid sts_region")
        );
    }

    #[test]
    fn bad_parameters_are_refused_before_any_io() {
        let arn = "acs:ram::1234567890123456:role/oss-reader";
        let source = Credentials::new("id", "secret");
        let cases: Vec<(RamRoleArnBuilder, &str)> = vec![
            (
                RamRoleArnProvider::builder(source.clone(), "arn:oops"),
                "role_arn",
            ),
            (
                RamRoleArnProvider::builder(source.clone(), "acs:ram::12:user/x"),
                "role_arn",
            ),
            (
                RamRoleArnProvider::builder(source.clone(), arn).role_session_name("x"),
                "role_session_name",
            ),
            (
                RamRoleArnProvider::builder(source.clone(), arn).role_session_name("a b"),
                "role_session_name",
            ),
            (
                RamRoleArnProvider::builder(source.clone(), arn).duration(Duration::from_secs(899)),
                "duration",
            ),
            (
                RamRoleArnProvider::builder(source.clone(), arn)
                    .duration(Duration::from_secs(43201)),
                "duration",
            ),
            (
                RamRoleArnProvider::builder(source.clone(), arn).external_id("a b"),
                "external_id",
            ),
            (
                RamRoleArnProvider::builder(source.clone(), arn).policy("{not json"),
                "policy",
            ),
            (
                RamRoleArnProvider::builder(source.clone(), arn).policy("[]"),
                "policy",
            ),
            (
                RamRoleArnProvider::builder(source.clone(), arn).connect_timeout(Duration::ZERO),
                "connect_timeout",
            ),
            (
                RamRoleArnProvider::builder(source.clone(), arn)
                    .proxy(ProxyConfig::url("socks5://p")),
                "ClientBuilder::proxy",
            ),
        ];
        for (builder, name) in cases {
            match builder.build() {
                Err(Error::InvalidArgument { name: got, .. }) => assert_eq!(got, name),
                other => panic!("{name}: {other:?}"),
            }
        }
        let ok = RamRoleArnProvider::builder(source, arn)
            .external_id("abc-123:x/y")
            .policy(r#"{"Version":"1","Statement":[]}"#)
            .sts_region("cn-shanghai")
            .build()
            .unwrap();
        assert_eq!(ok.sts_endpoint(), "https://sts.cn-shanghai.aliyuncs.com");
        let e = OidcRoleProvider::builder(arn, "acs:ram::1:role/x", "/t")
            .build()
            .unwrap_err();
        assert!(
            e.to_string().starts_with("invalid oidc_provider_arn"),
            "{e}"
        );
        let e = OidcRoleProvider::builder(arn, "acs:ram::1:oidc-provider/x", "")
            .build()
            .unwrap_err();
        assert!(e.to_string().starts_with("invalid oidc_token_file"), "{e}");
    }

    #[test]
    fn token_files_are_trimmed_and_bounded() {
        let dir = std::env::temp_dir().join(format!("oss-process-token-{}", nonce()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "eyJhbGciOi.payload.sig\n").unwrap();
        assert_eq!(read_token_file(&file).unwrap(), "eyJhbGciOi.payload.sig");
        std::fs::write(&file, " \n").unwrap();
        assert_eq!(read_token_file(&file).unwrap_err(), "is empty");
        std::fs::write(&file, vec![b'a'; 64 * 1024 + 1]).unwrap();
        assert!(
            read_token_file(&file)
                .unwrap_err()
                .contains("larger than 64 KiB")
        );
        assert!(
            read_token_file(&dir.join("missing"))
                .unwrap_err()
                .starts_with("cannot be opened")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
