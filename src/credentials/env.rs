//! Credentials from the environment, as the OSS SDKs read them:
//! `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and the optional
//! `OSS_SESSION_TOKEN`.

use crate::error::Error;

use super::{Credentials, CredentialsProvider};

/// The environment variable holding the AccessKey id.
pub(crate) const ENV_ACCESS_KEY_ID: &str = "OSS_ACCESS_KEY_ID";
/// The environment variable holding the AccessKey secret.
pub(crate) const ENV_ACCESS_KEY_SECRET: &str = "OSS_ACCESS_KEY_SECRET";
/// The environment variable holding the optional STS token.
pub(crate) const ENV_SESSION_TOKEN: &str = "OSS_SESSION_TOKEN";

/// Credentials read once from `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET`
/// and the optional `OSS_SESSION_TOKEN`.
#[derive(Clone, Debug)]
pub struct EnvironmentProvider {
    credentials: Credentials,
}

impl EnvironmentProvider {
    /// Reads the environment now. Fails, naming the variable, when the id or
    /// secret is unset, empty or malformed.
    pub fn new() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `lookup` instead of the process
    /// environment (for tests and for programs with their own config maps).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &str| -> Result<String, Error> {
            match lookup(name) {
                Some(v) if !v.is_empty() => Ok(v),
                _ => Err(Error::credentials(format!(
                    "environment variable {name} is not set (set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET}, and {ENV_SESSION_TOKEN} for STS)"
                ))),
            }
        };
        let id = get(ENV_ACCESS_KEY_ID)?;
        let secret = get(ENV_ACCESS_KEY_SECRET)?;
        let mut credentials = Credentials::new(id, secret);
        if let Some(token) = lookup(ENV_SESSION_TOKEN) {
            credentials = credentials.with_security_token(token);
        }
        credentials.validate().map_err(|e| match e {
            Error::Credentials { message, .. } => {
                Error::credentials(format!("from the environment: {message}"))
            }
            other => other,
        })?;
        Ok(EnvironmentProvider { credentials })
    }

    /// The credentials that were read.
    pub fn get(&self) -> &Credentials {
        &self.credentials
    }
}

impl CredentialsProvider for EnvironmentProvider {
    fn credentials(&self) -> Result<Credentials, Error> {
        Ok(self.credentials.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_the_missing_variable() {
        let e = EnvironmentProvider::from_lookup(|n| {
            (n == ENV_ACCESS_KEY_ID).then(|| "id".to_string())
        })
        .unwrap_err();
        assert!(e.to_string().contains("OSS_ACCESS_KEY_SECRET"), "{e}");
        let e = EnvironmentProvider::from_lookup(|_| None).unwrap_err();
        assert!(e.to_string().contains("OSS_ACCESS_KEY_ID"), "{e}");
    }

    #[test]
    fn environment_reads_the_token() {
        let p = EnvironmentProvider::from_lookup(|n| {
            Some(match n {
                ENV_ACCESS_KEY_ID => "id".into(),
                ENV_ACCESS_KEY_SECRET => "secret".into(),
                _ => "tok".into(),
            })
        })
        .unwrap();
        let c = p.credentials().unwrap();
        assert_eq!(c.access_key_id(), "id");
        assert_eq!(c.security_token(), Some("tok"));
    }
}
