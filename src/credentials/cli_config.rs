//! The aliyun CLI's profile file: `ALIBABA_CLOUD_CONFIG_FILE`, else
//! `~/.aliyun/config.json` (what `aliyun configure` writes). The profile is
//! `ALIBABA_CLOUD_PROFILE`, else the file's `current`, else `default`; its
//! `mode` says what it holds:
//!
//! | mode | keys |
//! | --- | --- |
//! | `AK` | `access_key_id`, `access_key_secret` |
//! | `StsToken` | the same and `sts_token` |
//! | `RamRoleArn` | an AK (and `sts_token`, if set) assuming `ram_role_arn`, with `ram_session_name`, `expired_seconds`, `sts_region`, `enable_vpc`, `policy`, `external_id` |
//! | `ChainableRamRoleArn` | the profile `source_profile` (any mode) assuming `ram_role_arn`, with the same options |
//! | `EcsRamRole` | `ram_role_name` (empty: the instance's role) |
//! | `OIDC` | `ram_role_arn`, `oidc_provider_arn`, `oidc_token_file`, `ram_session_name` (or `role_session_name`), `expired_seconds`, `sts_region`, `enable_vpc`, `policy` |
//! | `CredentialsURI` | `credentials_uri` |
//!
//! Other modes (`External`, `CloudSSO`, `OAuth`, `RsaKeyPair`, ...) are
//! refused, naming the supported ones. Unlike the Go library, an empty
//! `access_key_id` is an error, never filled in from the environment.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};

use super::Credentials;
use super::chain::{Probe, Spec, checked, locate_file};
use super::sts::{DEFAULT_DURATION, Session};

/// The modes this crate reads.
const SUPPORTED: &str =
    "AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC, CredentialsURI";

/// How deep `source_profile` links may go.
const MAX_CHAIN: usize = 8;

/// The file the environment points at, or why there is none.
pub(crate) fn locate(
    get: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<PathBuf, Probe> {
    if get("ALIBABA_CLOUD_CLI_PROFILE_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Err(Probe::Skipped(
            "disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true".into(),
        ));
    }
    locate_file(
        get,
        "ALIBABA_CLOUD_CONFIG_FILE",
        home,
        &[".aliyun/config.json"],
    )
}

/// Reads the profile `name` (or the file's `current`, or `default`) of the
/// file at `path`: what it describes, and its name and mode.
pub(crate) fn read(path: &Path, name: Option<&str>) -> Result<(Spec, String), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{} cannot be read ({e})", path.display()))?;
    let root: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not valid JSON ({e})", path.display()))?;
    let profiles: Vec<&Map<String, Value>> = root
        .get("profiles")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    if profiles.is_empty() {
        return Err(format!("{} has no profiles", path.display()));
    }
    let current = root
        .get("current")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let name = name.or(current).unwrap_or("default");
    let file = File { path, profiles };
    let spec = file.spec(name, 0)?;
    let mode = file
        .find(name)
        .map(|p| text_of(p, "mode"))
        .unwrap_or_default();
    Ok((spec, format!("{name} ({mode})")))
}

struct File<'a> {
    path: &'a Path,
    profiles: Vec<&'a Map<String, Value>>,
}

/// A string field; empty counts as absent.
fn text_of<'a>(profile: &'a Map<String, Value>, key: &str) -> &'a str {
    profile.get(key).and_then(Value::as_str).unwrap_or("")
}

impl<'a> File<'a> {
    fn find(&self, name: &str) -> Option<&'a Map<String, Value>> {
        self.profiles
            .iter()
            .copied()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
    }

    fn spec(&self, name: &str, depth: usize) -> Result<Spec, String> {
        let path = self.path.display();
        if depth > MAX_CHAIN {
            return Err(format!(
                "{path}: source_profile links go deeper than {MAX_CHAIN} (a loop?) at profile {name:?}"
            ));
        }
        let profile = self.find(name).ok_or_else(|| {
            let names: Vec<&str> = self
                .profiles
                .iter()
                .filter_map(|p| p.get("name").and_then(Value::as_str))
                .collect();
            format!(
                "{path} has no profile {name:?} (it has: {}; ALIBABA_CLOUD_PROFILE or \"current\" picks one)",
                names.join(", ")
            )
        })?;
        let at = format!("profile {name:?} in {path}");
        let get = |key: &str| Some(text_of(profile, key)).filter(|v| !v.is_empty());
        let need = |key: &str| get(key).ok_or_else(|| format!("{at} has no {key}"));
        let access_key = |with_token: bool| -> Result<Credentials, String> {
            let mut credentials =
                Credentials::new(need("access_key_id")?, need("access_key_secret")?);
            if with_token {
                credentials = credentials.with_security_token(get("sts_token").unwrap_or(""));
            }
            checked(credentials, &at)
        };
        let duration = match profile.get("expired_seconds") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64() {
                Some(0) => None,
                Some(secs) => Some(Duration::from_secs(secs)),
                None => {
                    return Err(format!(
                        "{at} has an expired_seconds that is not a whole number"
                    ));
                }
            },
        };
        let vpc = match profile.get("enable_vpc") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(format!("{at} has an enable_vpc that is not true or false")),
        };
        let session = Session {
            name: get("ram_session_name")
                .or_else(|| get("role_session_name"))
                .map(str::to_string),
            duration: duration.unwrap_or(DEFAULT_DURATION),
            policy: get("policy").map(str::to_string),
        };
        let role = |source: Spec| -> Result<Spec, String> {
            Ok(Spec::RamRoleArn {
                source: Box::new(source),
                role_arn: need("ram_role_arn")?.to_string(),
                session: session.clone(),
                external_id: get("external_id").map(str::to_string),
                sts_region: get("sts_region").map(str::to_string),
                vpc,
            })
        };
        match text_of(profile, "mode") {
            "AK" => Ok(Spec::Static(access_key(false)?)),
            "StsToken" => {
                need("sts_token")?;
                Ok(Spec::Static(access_key(true)?))
            }
            "RamRoleArn" => role(Spec::Static(access_key(true)?)),
            "ChainableRamRoleArn" => {
                let source = need("source_profile")?;
                if source == name {
                    return Err(format!("{at} names itself as its source_profile"));
                }
                role(self.spec(source, depth + 1)?)
            }
            "EcsRamRole" => Ok(Spec::EcsRamRole {
                role_name: get("ram_role_name").map(str::to_string),
            }),
            "OIDC" => Ok(Spec::Oidc {
                role_arn: need("ram_role_arn")?.to_string(),
                provider_arn: need("oidc_provider_arn")?.to_string(),
                token_file: PathBuf::from(need("oidc_token_file")?),
                session: session.clone(),
                sts_region: get("sts_region").map(str::to_string),
                vpc,
            }),
            "CredentialsURI" => Ok(Spec::Uri(need("credentials_uri")?.to_string())),
            "" => Err(format!("{at} has no mode (supported: {SUPPORTED})")),
            other => Err(format!(
                "{at} has mode {other:?}, which oss-process does not support (supported: {SUPPORTED})"
            )),
        }
    }
}
