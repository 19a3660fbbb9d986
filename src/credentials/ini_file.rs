//! The ini credentials file of Alibaba Cloud's credentials libraries:
//! `ALIBABA_CLOUD_CREDENTIALS_FILE`, else `~/.alibabacloud/credentials`
//! (the Go library's name), else `~/.alibabacloud/credentials.ini` (the
//! Python library's). The section is `ALIBABA_CLOUD_PROFILE`, else
//! `default`; its `type` says what it holds:
//!
//! ```ini
//! [default]
//! type = access_key
//! access_key_id = LTAI5tExample
//! access_key_secret = secret
//!
//! [role]
//! type = ram_role_arn
//! access_key_id = LTAI5tExample
//! access_key_secret = secret
//! role_arn = acs:ram::1234567890123456:role/oss-reader
//! role_session_name = thumbnailer
//!
//! [ecs]
//! type = ecs_ram_role
//! role_name = oss-reader
//!
//! [rrsa]
//! type = oidc_role_arn
//! role_arn = acs:ram::1234567890123456:role/oss-reader
//! oidc_provider_arn = acs:ram::1234567890123456:oidc-provider/ack
//! oidc_token_file_path = /var/run/secrets/token
//! role_session_name = thumbnailer
//! ```
//!
//! Syntax: `[section]` lines; `key = value` (or `key: value`, whichever
//! separator comes first), keys case-insensitive; whole-line comments start
//! with `#` or `;`, and a `#` or `;` after white space starts an inline
//! comment; a value in matching quotes loses them. Other types
//! (`rsa_key_pair`, `sts`, `bearer`) are refused, naming the supported ones.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Credentials;
use super::chain::{Probe, Spec, checked, locate_file};
use super::sts::{DEFAULT_DURATION, Session};

/// The types this crate reads.
const SUPPORTED: &str = "access_key, ram_role_arn, ecs_ram_role, oidc_role_arn";

/// The file the environment points at, or why there is none.
pub(crate) fn locate(
    get: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<PathBuf, Probe> {
    locate_file(
        get,
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
        home,
        &[".alibabacloud/credentials", ".alibabacloud/credentials.ini"],
    )
}

/// Reads the section `section` of `path` into what it describes.
pub(crate) fn read(path: &Path, section: &str) -> Result<(Spec, String), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{} cannot be read ({e})", path.display()))?;
    let sections = parse(&text);
    let Some(keys) = sections.get(section) else {
        let mut names: Vec<&str> = sections.keys().map(String::as_str).collect();
        names.sort_unstable();
        return Err(format!(
            "{} has no section [{section}] (it has: {}; ALIBABA_CLOUD_PROFILE picks one)",
            path.display(),
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ));
    };
    let at = format!("section [{section}] of {}", path.display());
    let get = |key: &str| keys.get(key).map(String::as_str).filter(|v| !v.is_empty());
    let need = |key: &str| get(key).ok_or_else(|| format!("{at} has no {key}"));
    let kind = need("type")?;
    let spec = match kind {
        "access_key" => Spec::Static(access_key(
            need("access_key_id")?,
            need("access_key_secret")?,
            &at,
        )?),
        "ram_role_arn" => Spec::RamRoleArn {
            source: Box::new(Spec::Static(access_key(
                need("access_key_id")?,
                need("access_key_secret")?,
                &at,
            )?)),
            role_arn: need("role_arn")?.to_string(),
            session: Session {
                name: get("role_session_name").map(str::to_string),
                duration: DEFAULT_DURATION,
                policy: get("policy").map(str::to_string),
            },
            external_id: None,
            sts_region: None,
            vpc: None,
        },
        "ecs_ram_role" => Spec::EcsRamRole {
            role_name: get("role_name").map(str::to_string),
        },
        "oidc_role_arn" => Spec::Oidc {
            role_arn: need("role_arn")?.to_string(),
            provider_arn: need("oidc_provider_arn")?.to_string(),
            token_file: PathBuf::from(need("oidc_token_file_path")?),
            session: Session {
                name: get("role_session_name").map(str::to_string),
                duration: DEFAULT_DURATION,
                policy: get("policy").map(str::to_string),
            },
            sts_region: None,
            vpc: None,
        },
        other => {
            return Err(format!(
                "{at} has type {other:?}, which oss-process does not support (supported: {SUPPORTED})"
            ));
        }
    };
    Ok((spec, kind.to_string()))
}

/// Static credentials from a file, checked; errors name the place.
fn access_key(id: &str, secret: &str, at: &str) -> Result<Credentials, String> {
    checked(Credentials::new(id, secret), at)
}

/// Sections and their keys (lower-cased); the last of a repeated key wins.
fn parse(text: &str) -> HashMap<String, HashMap<String, String>> {
    let mut sections: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.split_once(']')) {
            let name = name.0.trim().to_string();
            sections.entry(name.clone()).or_default();
            current = Some(name);
            continue;
        }
        let Some(section) = &current else { continue };
        let separator = match (line.find('='), line.find(':')) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => continue,
        };
        let key = line[..separator].trim().to_ascii_lowercase();
        let value = unquote(strip_comment(line[separator + 1..].trim()));
        if let Some(keys) = sections.get_mut(section) {
            keys.insert(key, value.to_string());
        }
    }
    sections
}

/// `value` without an inline comment: from a `#` or `;` that starts it or
/// follows white space.
fn strip_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if (b == b'#' || b == b';') && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return value[..i].trim_end();
        }
    }
    value
}

/// `value` without matching surrounding quotes.
fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections_keys_comments_and_quotes() {
        let s = parse(
            "; top comment\n[default]\ntype = access_key\nAccess_Key_Id=id1 ; inline\naccess_key_secret = \"s#cret\"\n# c\n\n[ other ]\nrole_arn: acs:ram::1:role/r\npolicy = {\"a\":\"b=c\"}\nkey=value#kept\n",
        );
        let d = &s["default"];
        assert_eq!(d["type"], "access_key");
        assert_eq!(d["access_key_id"], "id1");
        assert_eq!(d["access_key_secret"], "s#cret");
        let o = &s["other"];
        assert_eq!(o["role_arn"], "acs:ram::1:role/r");
        assert_eq!(o["policy"], "{\"a\":\"b=c\"}");
        assert_eq!(o["key"], "value#kept");
    }
}
