//! The default credentials chain ([`DefaultChain`]): where Alibaba Cloud's
//! official libraries look for credentials, in their order, so a program
//! finds what its deployment already provides; and [`ChainBuilder`], which
//! injects the environment, home directory and endpoints.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::fetch::FetchSettings;
use super::sts::{Session, StsOptions};
use super::{
    Credentials, CredentialsProvider, CredentialsUriProvider, EcsRamRoleProvider,
    EnvironmentProvider, MetadataToken, OidcRoleProvider, RamRoleArnProvider, cli_config, ini_file,
};
use crate::error::Error;
use crate::transport::proxy::Lookup;
use crate::transport::{ProxyConfig, Roots};

/// What a profile (CLI profile or credentials-file section) describes.
#[derive(Debug, Clone)]
pub(crate) enum Spec {
    /// Fixed credentials.
    Static(Credentials),
    /// A role assumed with the credentials of `source`.
    RamRoleArn {
        source: Box<Spec>,
        role_arn: String,
        session: Session,
        external_id: Option<String>,
        sts_region: Option<String>,
        vpc: Option<bool>,
    },
    /// The ECS instance's role.
    EcsRamRole { role_name: Option<String> },
    /// A role assumed with an OIDC token.
    Oidc {
        role_arn: String,
        provider_arn: String,
        token_file: PathBuf,
        session: Session,
        sts_region: Option<String>,
        vpc: Option<bool>,
    },
    /// A credentials URI.
    Uri(String),
}

/// The file a step reads: the one `var` names (which must then exist),
/// else the first of `candidates` (relative to the home directory) that
/// exists; or why there is none.
pub(crate) fn locate_file(
    get: &dyn Fn(&str) -> Option<String>,
    var: &str,
    home: Option<&Path>,
    candidates: &[&str],
) -> Result<PathBuf, Probe> {
    if let Some(path) = get(var) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(Probe::Failed(format!(
                "{var} names {}, which is not a readable file",
                path.display()
            )))
        };
    }
    let Some(home) = home else {
        return Err(Probe::Skipped("no home directory (HOME is not set)".into()));
    };
    let paths: Vec<PathBuf> = candidates.iter().map(|c| home.join(c)).collect();
    if let Some(found) = paths.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    Err(Probe::Skipped(match shown.as_slice() {
        [one] => format!("{one} does not exist ({var} is not set)"),
        many => format!("neither {} exists ({var} is not set)", many.join(" nor ")),
    }))
}

/// `credentials` if they are well formed, else what is wrong with them,
/// prefixed by where they were read (`at`); never a secret.
pub(crate) fn checked(credentials: Credentials, at: &str) -> Result<Credentials, String> {
    match credentials.validate() {
        Ok(()) => Ok(credentials),
        Err(Error::Credentials { message, .. }) => Err(format!("{at}: {message}")),
        Err(other) => Err(format!("{at}: {other}")),
    }
}

/// Why a step gave no credentials.
#[derive(Debug)]
pub(crate) enum Probe {
    /// Not configured here: the step does not apply.
    Skipped(String),
    /// Configured, but unusable.
    Failed(String),
}

/// The sources of the chain, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChainSource {
    /// `ALIBABA_CLOUD_*` or `OSS_*` variables.
    Environment,
    /// STS `AssumeRoleWithOIDC` with the `ALIBABA_CLOUD_OIDC_*` variables (RRSA).
    OidcRole,
    /// A profile of the aliyun CLI's `~/.aliyun/config.json`.
    CliProfile,
    /// A section of `~/.alibabacloud/credentials`.
    CredentialsFile,
    /// The ECS instance's RAM role, from the metadata service.
    EcsRamRole,
    /// `ALIBABA_CLOUD_CREDENTIALS_URI`.
    CredentialsUri,
}

impl ChainSource {
    /// Every source, in the chain's order.
    pub const ALL: [ChainSource; 6] = [
        ChainSource::Environment,
        ChainSource::OidcRole,
        ChainSource::CliProfile,
        ChainSource::CredentialsFile,
        ChainSource::EcsRamRole,
        ChainSource::CredentialsUri,
    ];

    /// A short name: `environment`, `OIDC role`, `CLI profile`,
    /// `credentials file`, `ECS RAM role`, `credentials URI`.
    pub fn name(self) -> &'static str {
        match self {
            ChainSource::Environment => "environment",
            ChainSource::OidcRole => "OIDC role",
            ChainSource::CliProfile => "CLI profile",
            ChainSource::CredentialsFile => "credentials file",
            ChainSource::EcsRamRole => "ECS RAM role",
            ChainSource::CredentialsUri => "credentials URI",
        }
    }
}

impl fmt::Display for ChainSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Configures a [`DefaultChain`]: where it reads the environment and the
/// home directory, and how it reaches STS and the metadata service. The
/// defaults are the process environment, its home directory and the real
/// services; tests inject their own so they never read a developer's files
/// or reach a real host.
///
/// ```
/// use oss_process::credentials::{ChainSource, DefaultChain};
/// use oss_process::CredentialsProvider;
///
/// let vars = [("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")];
/// let chain = DefaultChain::builder()
///     .env(move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()))
///     .home(std::env::temp_dir().join("no-such-home"))
///     .build()?;
/// assert_eq!(chain.credentials()?.access_key_id(), "id");
/// assert_eq!(chain.source(), Some(ChainSource::Environment));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Clone)]
pub struct ChainBuilder {
    env: Option<Lookup>,
    home: Option<PathBuf>,
    sts_endpoint: Option<String>,
    imds_endpoint: Option<String>,
    proxy: Option<ProxyConfig>,
    root_certificates: Vec<Vec<u8>>,
    imds_timeout: Duration,
}

impl fmt::Debug for ChainBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainBuilder")
            .field("env", &self.env.as_ref().map_or("process", |_| "lookup"))
            .field("home", &self.home)
            .field("sts_endpoint", &self.sts_endpoint)
            .field("imds_endpoint", &self.imds_endpoint)
            .field("proxy", &self.proxy)
            .field("root_certificates", &self.root_certificates.len())
            .finish()
    }
}

impl Default for ChainBuilder {
    fn default() -> Self {
        ChainBuilder {
            env: None,
            home: None,
            sts_endpoint: None,
            imds_endpoint: None,
            proxy: None,
            root_certificates: Vec::new(),
            imds_timeout: Duration::from_secs(1),
        }
    }
}

impl ChainBuilder {
    /// Reads every variable (credentials, selectors, and the proxy
    /// variables for STS and credential URIs) through `lookup` instead of
    /// the process environment.
    #[must_use]
    pub fn env(mut self, lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env = Some(Arc::new(lookup));
        self
    }

    /// The home directory holding `.aliyun/config.json` and
    /// `.alibabacloud/credentials` (default: `HOME`, on Windows
    /// `USERPROFILE`, as the environment says).
    #[must_use]
    pub fn home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// Every STS call goes to this endpoint (`[https://]host[:port]`, or
    /// `http://` for a local stand-in), whatever region the environment or
    /// a profile names.
    #[must_use]
    pub fn sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sts_endpoint = Some(endpoint.into());
        self
    }

    /// The ECS metadata service (default `http://100.100.100.200`).
    #[must_use]
    pub fn imds_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.imds_endpoint = Some(endpoint.into());
        self
    }

    /// Time allowed to connect to the metadata service and for each of its
    /// answers (default 1 s, as the official libraries; the step is tried
    /// once, so the chain moves on quickly off ECS).
    #[must_use]
    pub fn imds_timeout(mut self, timeout: Duration) -> Self {
        self.imds_timeout = timeout;
        self
    }

    /// The proxy for STS and credential URIs (default: the proxy variables
    /// of the chain's environment; loopback and link-local services and the
    /// metadata service never use one).
    #[must_use]
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Also trusts the root certificates in this PEM text for STS and
    /// credential URIs, besides the bundled ones (a corporate CA). Call it
    /// again to add more.
    #[must_use]
    pub fn root_certificates(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// The chain. Fails, before any I/O, on a malformed endpoint, proxy
    /// setting or PEM text, naming it. Nothing is read or fetched until
    /// credentials are first asked for.
    pub fn build(self) -> Result<DefaultChain, Error> {
        let env: Lookup = self
            .env
            .unwrap_or_else(|| Arc::new(|name: &str| std::env::var(name).ok()));
        let proxy = match self.proxy {
            Some(p) => p,
            None => {
                let env = Arc::clone(&env);
                ProxyConfig::from_lookup(move |name| env(name))
            }
        };
        proxy.resolve(true)?;
        proxy.resolve(false)?;
        let roots = Roots::bundled_and(&self.root_certificates)?;
        let fetch = FetchSettings {
            proxy,
            roots,
            ..FetchSettings::default()
        };
        if let Some(endpoint) = &self.sts_endpoint {
            StsOptions {
                endpoint: Some(endpoint.clone()),
                ..StsOptions::default()
            }
            .endpoint_url()?;
        }
        let imds_endpoint = self
            .imds_endpoint
            .unwrap_or_else(|| super::ecs_role::DEFAULT_ENDPOINT.to_string());
        EcsRamRoleProvider::builder()
            .endpoint(&imds_endpoint)
            .connect_timeout(self.imds_timeout)
            .read_timeout(self.imds_timeout)
            .build_fetcher()?;
        let home = self.home.or_else(|| {
            let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
            env(var).filter(|h| !h.is_empty()).map(PathBuf::from)
        });
        Ok(DefaultChain {
            inner: Arc::new(Inner {
                context: Context {
                    env,
                    home,
                    sts_endpoint: self.sts_endpoint,
                    imds_endpoint,
                    imds_timeout: self.imds_timeout,
                    fetch,
                },
                selected: Mutex::new(None),
                resolving: Mutex::new(()),
            }),
        })
    }
}

/// The default credentials chain: asks each source in turn, in the order
/// of Alibaba Cloud's official credentials libraries, and sticks with the
/// first that gives credentials.
///
/// | # | source | used when |
/// | --- | --- | --- |
/// | 1 | environment | `ALIBABA_CLOUD_ACCESS_KEY_ID` (else `OSS_ACCESS_KEY_ID`) is set; see [`EnvironmentProvider`] |
/// | 2 | OIDC role (RRSA) | `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are all set; see [`OidcRoleProvider`] |
/// | 3 | CLI profile | `~/.aliyun/config.json` (or `ALIBABA_CLOUD_CONFIG_FILE`) exists, unless `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`; modes `AK`, `StsToken`, `RamRoleArn`, `ChainableRamRoleArn`, `EcsRamRole`, `OIDC`, `CredentialsURI` |
/// | 4 | credentials file | `~/.alibabacloud/credentials` (or `credentials.ini`, or `ALIBABA_CLOUD_CREDENTIALS_FILE`) exists; types `access_key`, `ram_role_arn`, `ecs_ram_role`, `oidc_role_arn` |
/// | 5 | ECS RAM role | the metadata service answers, unless `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`; see [`EcsRamRoleProvider`] |
/// | 6 | credentials URI | `ALIBABA_CLOUD_CREDENTIALS_URI` is set; see [`CredentialsUriProvider`] |
///
/// `ALIBABA_CLOUD_PROFILE` picks the profile (3) and the section (4);
/// `ALIBABA_CLOUD_ECS_METADATA` names the ECS role (5) and
/// `ALIBABA_CLOUD_IMDSV1_DISABLED=true` requires a metadata token;
/// `ALIBABA_CLOUD_ROLE_SESSION_NAME` names STS sessions;
/// `ALIBABA_CLOUD_STS_REGION` and `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`
/// pick the STS endpoint ("true" in any case). A source that is configured but
/// fails (a malformed file, an unsupported mode, STS refusing) is logged at
/// `warn` and the chain goes on, as the official libraries do (a metadata
/// service that does not answer is only logged at `debug`: off ECS that is
/// expected); the error, if no source answers, says what each one did.
///
/// Nothing happens when it is built; the first call to
/// [`credentials`](CredentialsProvider::credentials) walks the chain (one
/// walk, however many threads ask at once), and every later call goes to
/// the chosen source, whose credentials are cached and refreshed before
/// they expire. When no source gives credentials, the error lists every
/// source and why it gave none, and the next call walks the chain again.
/// [`source`](Self::source) and [`source_name`](Self::source_name) tell
/// which source was chosen; nothing secret is ever shown.
///
/// ```no_run
/// use oss_process::credentials::DefaultChain;
/// use oss_process::Client;
///
/// let client = Client::builder()
///     .region("cn-hangzhou")
///     .credentials_provider(DefaultChain::new()?)
///     .build()?;
/// # let _ = client;
/// # Ok::<(), oss_process::Error>(())
/// ```
///
/// Cloning is cheap and shares the chosen source.
#[derive(Clone)]
pub struct DefaultChain {
    inner: Arc<Inner>,
}

struct Inner {
    context: Context,
    selected: Mutex<Option<Selected>>,
    /// Held while the chain is walked: one walk at a time.
    resolving: Mutex<()>,
}

#[derive(Clone)]
struct Selected {
    source: ChainSource,
    name: String,
    provider: Arc<dyn CredentialsProvider>,
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultChain")
            .field("home", &self.inner.context.home)
            .field("source", &self.source_name())
            .finish_non_exhaustive()
    }
}

impl DefaultChain {
    /// The chain over the process environment, the home directory and the
    /// real services. Fails only on a malformed proxy variable
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`).
    pub fn new() -> Result<Self, Error> {
        ChainBuilder::default().build()
    }

    /// A builder, to inject the environment, the home directory and the
    /// service endpoints.
    #[must_use]
    pub fn builder() -> ChainBuilder {
        ChainBuilder::default()
    }

    /// The source chosen, once a call found one.
    pub fn source(&self) -> Option<ChainSource> {
        self.selected().map(|s| s.source)
    }

    /// The source chosen, with its details (the variable, profile, section
    /// or file; never a secret), e.g. `CLI profile default (RamRoleArn) in
    /// /home/me/.aliyun/config.json` or `environment
    /// (ALIBABA_CLOUD_ACCESS_KEY_ID)`.
    pub fn source_name(&self) -> Option<String> {
        self.selected().map(|s| s.name)
    }

    fn selected(&self) -> Option<Selected> {
        self.inner
            .selected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Walks the chain (under the walk lock) and records the first source
    /// that gives credentials.
    fn resolve(&self) -> Result<Credentials, Error> {
        let _walk = self
            .inner
            .resolving
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(selected) = self.selected() {
            // Another caller's walk found it meanwhile.
            return selected.provider.credentials();
        }
        let context = &self.inner.context;
        let mut tried = Vec::new();
        for source in ChainSource::ALL {
            match context.probe(source) {
                Ok((name, provider, credentials)) => {
                    log::info!(
                        "credentials: using the {name} (access key id {})",
                        credentials.access_key_id()
                    );
                    *self
                        .inner
                        .selected
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Some(Selected {
                        source,
                        name,
                        provider,
                    });
                    return Ok(credentials);
                }
                Err(Probe::Skipped(why)) => {
                    log::debug!("credentials: {source} skipped: {why}");
                    tried.push(format!("{source}: skipped, {why}"));
                }
                Err(Probe::Failed(why)) => {
                    log::warn!("credentials: the {source} is configured but failed: {why}");
                    tried.push(format!("{source}: failed, {why}"));
                }
            }
        }
        let list: Vec<String> = tried
            .iter()
            .enumerate()
            .map(|(i, line)| format!("  {}. {line}", i + 1))
            .collect();
        Err(Error::credentials(format!(
            "no credentials found by the default chain; it tried, in order:\n{}",
            list.join("\n")
        )))
    }
}

impl CredentialsProvider for DefaultChain {
    fn credentials(&self) -> Result<Credentials, Error> {
        match self.selected() {
            Some(selected) => selected.provider.credentials(),
            None => self.resolve(),
        }
    }
}

/// What the chain reads and reaches.
struct Context {
    env: Lookup,
    home: Option<PathBuf>,
    sts_endpoint: Option<String>,
    imds_endpoint: String,
    imds_timeout: Duration,
    fetch: FetchSettings,
}

type Found = (String, Arc<dyn CredentialsProvider>, Credentials);

impl Context {
    /// A variable's value; empty counts as unset.
    fn get(&self, name: &str) -> Option<String> {
        (self.env)(name).filter(|v| !v.is_empty())
    }

    fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// One step of the chain.
    fn probe(&self, source: ChainSource) -> Result<Found, Probe> {
        let get = |name: &str| self.get(name);
        match source {
            ChainSource::Environment => {
                if get("ALIBABA_CLOUD_ACCESS_KEY_ID").is_none()
                    && get("OSS_ACCESS_KEY_ID").is_none()
                {
                    return Err(Probe::Skipped(
                        "neither ALIBABA_CLOUD_ACCESS_KEY_ID nor OSS_ACCESS_KEY_ID is set".into(),
                    ));
                }
                let provider = EnvironmentProvider::from_lookup(get).map_err(failed)?;
                let name = format!("environment ({})", provider.source());
                let credentials = provider.get().clone();
                Ok((name, Arc::new(provider), credentials))
            }
            ChainSource::OidcRole => {
                let names = [
                    "ALIBABA_CLOUD_ROLE_ARN",
                    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                ];
                let missing: Vec<&str> = names.into_iter().filter(|n| get(n).is_none()).collect();
                if !missing.is_empty() {
                    let verb = if missing.len() == 1 { "is" } else { "are" };
                    return Err(Probe::Skipped(format!(
                        "{} {verb} not set",
                        missing.join(", ")
                    )));
                }
                let spec = Spec::Oidc {
                    role_arn: get(names[0]).unwrap_or_default(),
                    provider_arn: get(names[1]).unwrap_or_default(),
                    token_file: PathBuf::from(get(names[2]).unwrap_or_default()),
                    session: Session::default(),
                    sts_region: None,
                    vpc: None,
                };
                let name = format!(
                    "OIDC role {} (ALIBABA_CLOUD_ROLE_ARN)",
                    get(names[0]).unwrap_or_default()
                );
                self.found(name, &spec)
            }
            ChainSource::CliProfile => {
                let path = cli_config::locate(&get, self.home.as_deref())?;
                let profile = get("ALIBABA_CLOUD_PROFILE");
                let (spec, which) =
                    cli_config::read(&path, profile.as_deref()).map_err(Probe::Failed)?;
                self.found(format!("CLI profile {which} in {}", path.display()), &spec)
            }
            ChainSource::CredentialsFile => {
                let path = ini_file::locate(&get, self.home.as_deref())?;
                let section = get("ALIBABA_CLOUD_PROFILE").unwrap_or_else(|| "default".into());
                let (spec, kind) = ini_file::read(&path, &section).map_err(Probe::Failed)?;
                self.found(
                    format!(
                        "credentials file section [{section}] ({kind}) in {}",
                        path.display()
                    ),
                    &spec,
                )
            }
            ChainSource::EcsRamRole => {
                if self.is_true("ALIBABA_CLOUD_ECS_METADATA_DISABLED") {
                    return Err(Probe::Skipped(
                        "disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED=true".into(),
                    ));
                }
                let spec = Spec::EcsRamRole { role_name: None };
                // Off ECS the metadata service does not answer: that is
                // "not here", not a fault worth a warning.
                self.found("ECS RAM role (metadata service)".into(), &spec)
                    .map_err(|probe| match probe {
                        Probe::Failed(why) => Probe::Skipped(why),
                        skipped => skipped,
                    })
            }
            ChainSource::CredentialsUri => {
                let Some(uri) = get("ALIBABA_CLOUD_CREDENTIALS_URI") else {
                    return Err(Probe::Skipped(
                        "ALIBABA_CLOUD_CREDENTIALS_URI is not set".into(),
                    ));
                };
                self.found(
                    "credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI)".into(),
                    &Spec::Uri(uri),
                )
            }
        }
    }

    /// Builds the provider `spec` describes and asks it once.
    fn found(&self, name: String, spec: &Spec) -> Result<Found, Probe> {
        let provider = self.provider(spec).map_err(failed)?;
        let credentials = provider.credentials().map_err(failed)?;
        Ok((name, provider, credentials))
    }

    /// The provider a profile describes.
    fn provider(&self, spec: &Spec) -> Result<Arc<dyn CredentialsProvider>, Error> {
        // The profile's session name, else ALIBABA_CLOUD_ROLE_SESSION_NAME.
        let session = |session: &Session| Session {
            name: session
                .name
                .clone()
                .or_else(|| self.get("ALIBABA_CLOUD_ROLE_SESSION_NAME")),
            ..session.clone()
        };
        Ok(match spec {
            Spec::Static(credentials) => Arc::new(credentials.clone()),
            Spec::RamRoleArn {
                source,
                role_arn,
                session: options,
                external_id,
                sts_region,
                vpc,
            } => {
                let source = self.provider(source)?;
                let mut builder = RamRoleArnProvider::builder_from_arc(source, role_arn.clone())
                    .with_session(session(options))
                    .with_sts(self.sts(sts_region.as_deref(), *vpc));
                if let Some(id) = external_id {
                    builder = builder.external_id(id);
                }
                Arc::new(builder.build()?)
            }
            Spec::EcsRamRole { role_name } => {
                let mut builder = EcsRamRoleProvider::builder()
                    .endpoint(&self.imds_endpoint)
                    .connect_timeout(self.imds_timeout)
                    .read_timeout(self.imds_timeout)
                    .max_attempts(1)
                    .metadata_token(if self.is_true("ALIBABA_CLOUD_IMDSV1_DISABLED") {
                        MetadataToken::Required
                    } else {
                        MetadataToken::IfAvailable
                    });
                if let Some(role) = role_name
                    .clone()
                    .or_else(|| self.get("ALIBABA_CLOUD_ECS_METADATA"))
                {
                    builder = builder.role_name(role);
                }
                Arc::new(builder.build()?)
            }
            Spec::Oidc {
                role_arn,
                provider_arn,
                token_file,
                session: options,
                sts_region,
                vpc,
            } => Arc::new(
                OidcRoleProvider::builder(
                    role_arn.clone(),
                    provider_arn.clone(),
                    token_file.clone(),
                )
                .with_session(session(options))
                .with_sts(self.sts(sts_region.as_deref(), *vpc))
                .build()?,
            ),
            Spec::Uri(uri) => Arc::new(
                CredentialsUriProvider::builder(uri.clone())
                    .with_fetch(self.fetch.clone())
                    .build()?,
            ),
        })
    }

    /// Where STS is reached: the injected endpoint, else the profile's
    /// region and VPC flag, else `ALIBABA_CLOUD_STS_REGION` and
    /// `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`.
    fn sts(&self, region: Option<&str>, vpc: Option<bool>) -> StsOptions {
        StsOptions {
            endpoint: self.sts_endpoint.clone(),
            region: region
                .map(str::to_string)
                .or_else(|| self.get("ALIBABA_CLOUD_STS_REGION")),
            vpc: vpc.unwrap_or_else(|| self.is_true("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED")),
            fetch: self.fetch.clone(),
        }
    }
}

/// A configured step's error, as the chain lists it: its message and each
/// cause that adds something (a cause that only repeats the request the
/// message names is left out).
fn failed(e: Error) -> Probe {
    let mut text = match &e {
        Error::Credentials { message, .. } => message.clone(),
        other => other.to_string(),
    };
    let mut cause = std::error::Error::source(&e);
    while let Some(inner) = cause {
        let line = inner.to_string();
        let core = [
            "transport error on ",
            "timed out on ",
            "TLS handshake failed on ",
        ]
        .iter()
        .find_map(|prefix| line.strip_prefix(prefix))
        .unwrap_or(&line);
        if !text.contains(core) {
            text.push_str(": ");
            text.push_str(&line);
        }
        cause = inner.source();
    }
    Probe::Failed(text)
}
