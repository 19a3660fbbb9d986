//! Access keys and where they come from.
//!
//! [`Credentials`] holds an AccessKey id, its secret and an optional STS
//! token. A [`CredentialsProvider`] hands them to the client before every
//! signature, so refreshing providers plug in; closures returning
//! `Result<Credentials, Error>` are providers too.
//!
//! - [`DefaultChain`], Alibaba Cloud's standard chain (environment, OIDC
//!   role, CLI profile, credentials file, ECS RAM role, credentials URI),
//!   finds what a deployment already provides.
//! - [`EnvironmentProvider`] reads `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET`/
//!   `ALIBABA_CLOUD_SECURITY_TOKEN`, or the OSS SDKs' `OSS_*` variables.
//! - [`RamRoleArnProvider`] (STS `AssumeRole`), [`OidcRoleProvider`] (STS
//!   `AssumeRoleWithOIDC`, RRSA), [`EcsRamRoleProvider`] (the ECS metadata
//!   service) and [`CredentialsUriProvider`] (a sidecar's URI) give
//!   temporary credentials, cached by [`CachingProvider`] and refreshed
//!   before they expire.
//!
//! The secret and the token never show in `Debug`, `Display`, logs or
//! error text.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::error::Error;

mod acs3;
mod cache;
mod chain;
mod cli_config;
mod ecs_role;
mod env;
mod fetch;
mod ini_file;
mod sts;
mod uri;

pub use self::cache::CachingProvider;
pub use self::chain::{ChainBuilder, ChainSource, DefaultChain};
pub use self::ecs_role::{EcsRamRoleBuilder, EcsRamRoleFetcher, EcsRamRoleProvider, MetadataToken};
pub use self::env::EnvironmentProvider;
pub use self::sts::{OidcRoleBuilder, OidcRoleProvider, RamRoleArnBuilder, RamRoleArnProvider};
pub use self::uri::{CredentialsUriBuilder, CredentialsUriProvider};

/// An AccessKey id, its secret and an optional STS security token.
///
/// `Debug` shows the id only; the secret and token are redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: Arc<str>,
    access_key_secret: Arc<str>,
    security_token: Option<Arc<str>>,
    expiration: Option<SystemTime>,
}

impl Credentials {
    /// Long-term AccessKey credentials. Use [`Credentials::validate`] (the
    /// client does) to check them.
    #[must_use]
    pub fn new(access_key_id: impl AsRef<str>, access_key_secret: impl AsRef<str>) -> Self {
        Credentials {
            access_key_id: Arc::from(access_key_id.as_ref()),
            access_key_secret: Arc::from(access_key_secret.as_ref()),
            security_token: None,
            expiration: None,
        }
    }

    /// Adds an STS security token (temporary credentials). An empty token
    /// means none, as in the official SDKs.
    #[must_use]
    pub fn with_security_token(mut self, token: impl AsRef<str>) -> Self {
        let token = token.as_ref();
        self.security_token = (!token.is_empty()).then(|| Arc::from(token));
        self
    }

    /// Records when temporary credentials stop working (STS, ECS RAM
    /// role). Caching providers refresh them before then.
    #[must_use]
    pub fn with_expiration(mut self, expiration: SystemTime) -> Self {
        self.expiration = Some(expiration);
        self
    }

    /// When these credentials expire, if they do.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.expiration
    }

    /// True when an expiration is set and lies before `now`.
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.expiration.is_some_and(|e| e <= now)
    }

    /// The AccessKey id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The AccessKey secret. Handle with care: never log it.
    pub fn access_key_secret(&self) -> &str {
        &self.access_key_secret
    }

    /// The STS token, if any. Handle with care: never log it.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }

    /// Checks that the id and secret are non-empty and hold no white space or
    /// control characters, and that the token (if any) holds no white space.
    /// The error names the field, never its value.
    pub fn validate(&self) -> Result<(), Error> {
        check_field("access key id", &self.access_key_id)?;
        check_field("access key secret", &self.access_key_secret)?;
        if let Some(token) = &self.security_token {
            check_field("security token", token)?;
        }
        Ok(())
    }
}

fn check_field(what: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::credentials(format!("the {what} is empty")));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::credentials(format!(
            "the {what} contains white space or a control character (a stray newline or space when it was copied?)"
        )));
    }
    Ok(())
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// Gives the credentials to sign a request with. Called before every attempt,
/// so an implementation may refresh them (and should cache them: it is on
/// the hot path).
///
/// Closures `Fn() -> Result<Credentials, Error>` implement it.
pub trait CredentialsProvider: Send + Sync {
    /// The credentials to sign the next request with.
    fn credentials(&self) -> Result<Credentials, Error>;
}

impl CredentialsProvider for Credentials {
    fn credentials(&self) -> Result<Credentials, Error> {
        Ok(self.clone())
    }
}

impl<F> CredentialsProvider for F
where
    F: Fn() -> Result<Credentials, Error> + Send + Sync,
{
    fn credentials(&self) -> Result<Credentials, Error> {
        self()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secret_and_token() {
        let c = Credentials::new("AKID", "TopSecretValue").with_security_token("TokenValue");
        let text = format!("{c:?} {c:#?}");
        assert!(text.contains("AKID"));
        assert!(!text.contains("TopSecretValue"), "{text}");
        assert!(!text.contains("TokenValue"), "{text}");
    }

    #[test]
    fn empty_token_is_no_token() {
        let c = Credentials::new("a", "b").with_security_token("");
        assert_eq!(c.security_token(), None);
    }

    #[test]
    fn validate_names_the_field_not_the_value() {
        let e = Credentials::new("id", "sec ret").validate().unwrap_err();
        let text = e.to_string();
        assert!(text.contains("access key secret"), "{text}");
        assert!(!text.contains("sec ret"), "{text}");
        assert!(Credentials::new("", "x").validate().is_err());
        assert!(Credentials::new("x", "").validate().is_err());
        assert!(Credentials::new("x\n", "y").validate().is_err());
        assert!(Credentials::new("x", "y").validate().is_ok());
    }

    #[test]
    fn closures_are_providers() {
        let p = || Ok(Credentials::new("a", "b"));
        fn takes(p: &dyn CredentialsProvider) -> String {
            p.credentials().unwrap().access_key_id().to_string()
        }
        assert_eq!(takes(&p), "a");
    }
}
