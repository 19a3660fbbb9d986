//! Credentials from the environment: Alibaba Cloud's standard
//! `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and
//! `ALIBABA_CLOUD_SECURITY_TOKEN` (what Function Compute sets, and the
//! credentials libraries read), or the OSS SDKs' `OSS_ACCESS_KEY_ID`,
//! `OSS_ACCESS_KEY_SECRET` and `OSS_SESSION_TOKEN`.

use crate::error::Error;

use super::{Credentials, CredentialsProvider};

/// One family of variables: id, secret, token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Family {
    id: &'static str,
    secret: &'static str,
    token: &'static str,
}

/// Alibaba Cloud's standard variables (checked first).
const ALIBABA_CLOUD: Family = Family {
    id: "ALIBABA_CLOUD_ACCESS_KEY_ID",
    secret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    token: "ALIBABA_CLOUD_SECURITY_TOKEN",
};

/// The OSS SDKs' variables.
const OSS: Family = Family {
    id: "OSS_ACCESS_KEY_ID",
    secret: "OSS_ACCESS_KEY_SECRET",
    token: "OSS_SESSION_TOKEN",
};

/// Credentials read once from the environment.
///
/// `ALIBABA_CLOUD_ACCESS_KEY_ID` wins: when it is set, the id, secret and
/// token all come from the `ALIBABA_CLOUD_*` variables; otherwise all from
/// `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and `OSS_SESSION_TOKEN`. The
/// two families are never mixed. An unset or empty token means none.
#[derive(Clone, Debug)]
pub struct EnvironmentProvider {
    credentials: Credentials,
    source: &'static str,
}

impl EnvironmentProvider {
    /// Reads the environment now. Fails, naming the variable, when no id is
    /// set, or the family's secret is unset or empty, or a value is
    /// malformed (white space, control characters).
    pub fn new() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `lookup` instead of the process
    /// environment (for tests and for programs with their own config maps).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let family = match (get(ALIBABA_CLOUD.id), get(OSS.id)) {
            (Some(_), _) => ALIBABA_CLOUD,
            (None, Some(_)) => OSS,
            (None, None) => {
                return Err(Error::credentials(format!(
                    "neither {} nor {} is set (set {} and {}, and {} for STS; or the OSS_* equivalents)",
                    ALIBABA_CLOUD.id,
                    OSS.id,
                    ALIBABA_CLOUD.id,
                    ALIBABA_CLOUD.secret,
                    ALIBABA_CLOUD.token
                )));
            }
        };
        let id = get(family.id).unwrap_or_default();
        let secret = get(family.secret).ok_or_else(|| {
            Error::credentials(format!("{} is set but {} is not", family.id, family.secret))
        })?;
        let mut credentials = Credentials::new(id, secret);
        if let Some(token) = get(family.token) {
            credentials = credentials.with_security_token(token);
        }
        credentials.validate().map_err(|e| match e {
            Error::Credentials { message, .. } => Error::credentials(format!(
                "from the environment ({}*): {message}",
                family.id.trim_end_matches("ACCESS_KEY_ID")
            )),
            other => other,
        })?;
        Ok(EnvironmentProvider {
            credentials,
            source: family.id,
        })
    }

    /// The credentials that were read.
    pub fn get(&self) -> &Credentials {
        &self.credentials
    }

    /// The variable the id came from: `ALIBABA_CLOUD_ACCESS_KEY_ID` or
    /// `OSS_ACCESS_KEY_ID`.
    pub fn source(&self) -> &'static str {
        self.source
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

    fn from(vars: &[(&str, &str)]) -> Result<EnvironmentProvider, Error> {
        EnvironmentProvider::from_lookup(|n| {
            vars.iter()
                .find(|(name, _)| *name == n)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn environment_names_the_missing_variable() {
        let e = from(&[("OSS_ACCESS_KEY_ID", "id")]).unwrap_err();
        assert!(e.to_string().contains("OSS_ACCESS_KEY_SECRET"), "{e}");
        let e = from(&[("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")]).unwrap_err();
        assert!(
            e.to_string().contains(
                "ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not"
            ),
            "{e}"
        );
        let e = from(&[]).unwrap_err();
        assert!(e.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{e}");
        assert!(e.to_string().contains("OSS_ACCESS_KEY_ID"), "{e}");
    }

    #[test]
    fn alibaba_cloud_variables_win_and_families_never_mix() {
        let p = from(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ali-id"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ali-secret"),
            ("OSS_ACCESS_KEY_ID", "oss-id"),
            ("OSS_ACCESS_KEY_SECRET", "oss-secret"),
            ("OSS_SESSION_TOKEN", "oss-token"),
        ])
        .unwrap();
        let c = p.credentials().unwrap();
        assert_eq!(c.access_key_id(), "ali-id");
        assert_eq!(c.security_token(), None);
        assert_eq!(p.source(), "ALIBABA_CLOUD_ACCESS_KEY_ID");
        // An empty ALIBABA_CLOUD id is unset: the OSS family is used.
        let p = from(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", ""),
            ("OSS_ACCESS_KEY_ID", "id"),
            ("OSS_ACCESS_KEY_SECRET", "secret"),
            ("OSS_SESSION_TOKEN", "tok"),
        ])
        .unwrap();
        assert_eq!(p.credentials().unwrap().security_token(), Some("tok"));
        assert_eq!(p.source(), "OSS_ACCESS_KEY_ID");
    }

    #[test]
    fn malformed_values_name_the_family_not_the_value() {
        let e = from(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sec ret"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("ALIBABA_CLOUD_*") && e.contains("access key secret"),
            "{e}"
        );
        assert!(!e.contains("sec ret"), "{e}");
    }
}
