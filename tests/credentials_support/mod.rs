//! Loopback stand-ins for the credential services, on the scripted server
//! of `common`: STS (`AssumeRole`, whose ACS3-HMAC-SHA256 signature is
//! checked by an implementation written apart from the crate's, and
//! `AssumeRoleWithOIDC`, whose token is checked), the ECS metadata service
//! (with and without metadata tokens) and a credentials URI. Each refuses
//! what the real service refuses with its error shape, so a provider that
//! sends the wrong thing fails with the stand-in's message. Also: a fresh
//! temporary home directory per test, and an environment map to inject.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use oss_process::Credentials;

use crate::common::{Recorded, Reply, Server};

pub const ROLE_ARN: &str = "acs:ram::1234567890123456:role/oss-reader";
pub const OIDC_PROVIDER_ARN: &str = "acs:ram::1234567890123456:oidc-provider/ack-rrsa";
pub const ECS_ROLE: &str = "oss-ecs-role";
pub const METADATA_TOKEN: &str = "MetadataTokenValue-0123456789";
/// How long the stand-ins serve.
pub const LIMIT: Duration = Duration::from_secs(30);

/// Temporary credentials a stand-in hands out.
#[derive(Clone, Debug)]
pub struct Issued {
    pub id: String,
    pub secret: String,
    pub token: String,
    pub expiration: SystemTime,
}

impl Issued {
    /// Credentials valid for an hour from now, named after `label`.
    pub fn new(label: &str) -> Issued {
        Issued {
            id: format!("STS.{label}-id"),
            secret: format!("{label}-SecretValue-0123456789"),
            token: format!("{label}-TokenValue-0123456789"),
            expiration: SystemTime::now() + Duration::from_secs(3600),
        }
    }

    /// As the client will sign with them.
    pub fn credentials(&self) -> Credentials {
        Credentials::new(&self.id, &self.secret).with_security_token(&self.token)
    }

    /// The four fields as JSON members (no braces).
    fn members(&self) -> String {
        format!(
            r#""AccessKeyId": "{}", "AccessKeySecret": "{}", "SecurityToken": "{}", "Expiration": "{}""#,
            self.id,
            self.secret,
            self.token,
            iso8601(self.expiration)
        )
    }
}

/// `2024-01-15T09:30:00Z`, the form STS, the metadata service and
/// credential URIs answer (whole seconds, no fraction).
pub fn iso8601(t: SystemTime) -> String {
    let c = crate::common::iso_basic(t);
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &c[0..4],
        &c[4..6],
        &c[6..8],
        &c[9..11],
        &c[11..13],
        &c[13..15]
    )
}

/// What the STS stand-in accepts and answers.
#[derive(Clone, Debug)]
pub struct Sts {
    /// Credentials `AssumeRole` may be signed with.
    pub sources: Vec<Credentials>,
    /// OIDC tokens `AssumeRoleWithOIDC` accepts.
    pub oidc_tokens: Vec<String>,
    /// The credentials it hands out.
    pub issue: Issued,
}

/// Starts the STS stand-in for at most `max_requests` requests.
pub fn start_sts(sts: Sts, max_requests: usize) -> Server {
    Server::start(max_requests, LIMIT, move |_, request| {
        match check_sts(&sts, request) {
            Ok(()) => Reply::with(
                200,
                "application/json;charset=utf-8",
                format!(
                    r#"{{"RequestId": "6894B13B-6D71-4EF5-88FA-F32781734A7F", "AssumedRoleUser": {{"Arn": "{ROLE_ARN}/session", "AssumedRoleId": "3442:session"}}, "Credentials": {{{}}}}}"#,
                    sts.issue.members()
                ),
            ),
            Err((status, code, message)) => sts_error(status, code, &message),
        }
    })
}

/// Starts the STS stand-in for 20 requests: `AssumeRole` signed with one
/// of `sources`, `AssumeRoleWithOIDC` with one of `tokens`, answering
/// `issue`.
pub fn sts_stand_in(sources: Vec<Credentials>, tokens: &[&str], issue: &Issued) -> Server {
    start_sts(
        Sts {
            sources,
            oidc_tokens: tokens.iter().map(|t| t.to_string()).collect(),
            issue: issue.clone(),
        },
        20,
    )
}

/// An STS error answer.
pub fn sts_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::with(
        status,
        "application/json;charset=utf-8",
        format!(
            r#"{{"RequestId": "A1B2C3D4-STANDIN", "HostId": "sts.aliyuncs.com", "Code": "{code}", "Message": {}, "Recommend": "https://api.aliyun.com/troubleshoot?q={code}"}}"#,
            json_string(message)
        ),
    )
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

type Refusal = (u16, &'static str, String);

/// What STS checks, by action.
pub fn check_sts(sts: &Sts, request: &Recorded) -> Result<(), Refusal> {
    if request.method != "POST" || request.path != "/" {
        return Err((
            404,
            "InvalidAction.NotFound",
            format!("{} {}", request.method, request.path),
        ));
    }
    let query = decode_pairs(&request.query);
    let action = request
        .header("x-acs-action")
        .map(str::to_string)
        .or_else(|| query.get("Action").cloned())
        .unwrap_or_default();
    match action.as_str() {
        "AssumeRole" => check_assume_role(sts, request, &query),
        "AssumeRoleWithOIDC" => check_oidc(sts, request, &query),
        other => Err((400, "InvalidAction.NotFound", format!("action {other:?}"))),
    }
}

fn check_common(params: &HashMap<String, String>) -> Result<(), Refusal> {
    for name in ["RoleArn", "RoleSessionName", "DurationSeconds"] {
        if params.get(name).is_none_or(|v| v.is_empty()) {
            return Err((400, "MissingParameter", format!("{name} is mandatory")));
        }
    }
    if params["RoleArn"] != ROLE_ARN {
        return Err((
            404,
            "EntityNotExist.Role",
            format!("no role {}", params["RoleArn"]),
        ));
    }
    let duration: u64 = params["DurationSeconds"].parse().unwrap_or(0);
    if !(900..=43200).contains(&duration) {
        return Err((
            400,
            "InvalidParameter.DurationSeconds",
            "out of range".into(),
        ));
    }
    let name = &params["RoleSessionName"];
    if name.len() < 2
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b))
    {
        return Err((400, "InvalidParameter.RoleSessionName", format!("{name:?}")));
    }
    Ok(())
}

fn check_assume_role(
    sts: &Sts,
    request: &Recorded,
    query: &HashMap<String, String>,
) -> Result<(), Refusal> {
    check_common(query)?;
    if request.header("x-acs-version") != Some("2015-04-01") {
        return Err((400, "InvalidVersion", "x-acs-version".into()));
    }
    verify_acs3(request, &sts.sources)
}

fn check_oidc(
    sts: &Sts,
    request: &Recorded,
    query: &HashMap<String, String>,
) -> Result<(), Refusal> {
    for (name, value) in [("Version", "2015-04-01"), ("Format", "JSON")] {
        if query.get(name).map(String::as_str) != Some(value) {
            return Err((400, "MissingParameter", format!("{name} must be {value}")));
        }
    }
    if query.get("Timestamp").is_none_or(|t| t.len() != 20) {
        return Err((400, "MissingParameter", "Timestamp".into()));
    }
    if request.header("authorization").is_some() || query.contains_key("Signature") {
        return Err((
            400,
            "InvalidParameter",
            "AssumeRoleWithOIDC is not signed".into(),
        ));
    }
    if !request
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    {
        return Err((
            400,
            "InvalidParameter",
            "the form body needs its content type".into(),
        ));
    }
    let form = decode_pairs(std::str::from_utf8(&request.body).unwrap_or(""));
    check_common(&form)?;
    if form.get("OIDCProviderArn").map(String::as_str) != Some(OIDC_PROVIDER_ARN) {
        return Err((404, "EntityNotExist.OIDCProvider", "OIDCProviderArn".into()));
    }
    match form.get("OIDCToken") {
        Some(token) if sts.oidc_tokens.contains(token) => Ok(()),
        Some(_) => Err((
            400,
            "InvalidParameter.OIDCToken",
            "the token is not valid".into(),
        )),
        None => Err((400, "MissingParameter", "OIDCToken is mandatory".into())),
    }
}

/// Checks an ACS3-HMAC-SHA256 `Authorization` (written from the published
/// algorithm, apart from `src/credentials/acs3.rs`): the signed headers,
/// the body hash, the date, the security token, and the signature with the
/// secret of the named access key id.
pub fn verify_acs3(request: &Recorded, accepted: &[Credentials]) -> Result<(), Refusal> {
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::{Digest, Sha256};
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let unsigned = |why: String| (400, "IncompleteSignature", why);
    let auth = request
        .header("authorization")
        .ok_or_else(|| unsigned("no Authorization".into()))?;
    let rest = auth
        .strip_prefix("ACS3-HMAC-SHA256 ")
        .ok_or_else(|| unsigned(format!("not ACS3-HMAC-SHA256: {auth}")))?;
    let mut fields = HashMap::new();
    for part in rest.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| unsigned(format!("bad part {part:?}")))?;
        fields.insert(k, v);
    }
    let (Some(id), Some(signed), Some(provided)) = (
        fields.get("Credential"),
        fields.get("SignedHeaders"),
        fields.get("Signature"),
    ) else {
        return Err(unsigned(
            "Credential, SignedHeaders and Signature are required".into(),
        ));
    };
    let signed: Vec<&str> = signed.split(';').collect();
    for required in [
        "host",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-version",
    ] {
        if !signed.contains(&required) {
            return Err(unsigned(format!("{required} is not signed")));
        }
    }
    let mut sorted = signed.clone();
    sorted.sort_unstable();
    if sorted != signed {
        return Err(unsigned("SignedHeaders are not sorted".into()));
    }
    let body_hash = hex(&Sha256::digest(&request.body));
    if request.header("x-acs-content-sha256") != Some(body_hash.as_str()) {
        return Err(unsigned("x-acs-content-sha256 is not the body's".into()));
    }
    let date = request.header("x-acs-date").unwrap_or("");
    let basic: String = date.chars().filter(|c| *c != '-' && *c != ':').collect();
    let skew_ok = crate::common::parse_iso_basic(&basic).is_some_and(|t| {
        let now = SystemTime::now();
        let skew = t.duration_since(now).or_else(|_| now.duration_since(t));
        skew.is_ok_and(|d| d < Duration::from_secs(900))
    });
    if !skew_ok {
        return Err((
            400,
            "InvalidTimeStamp.Expired",
            format!("x-acs-date {date:?}"),
        ));
    }
    if !accepted.iter().any(|c| c.access_key_id() == *id) {
        return Err((404, "InvalidAccessKeyId.NotFound", id.to_string()));
    }
    let token = request.header("x-acs-security-token");
    let source = accepted
        .iter()
        .find(|c| c.access_key_id() == *id && c.security_token() == token)
        .ok_or_else(|| {
            (
                403,
                "InvalidSecurityToken.Mismatch",
                "x-acs-security-token".to_string(),
            )
        })?;
    if token.is_some() && !signed.contains(&"x-acs-security-token") {
        return Err(unsigned("x-acs-security-token is not signed".into()));
    }
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let mut query: Vec<(String, String)> = decode_pairs(&request.query).into_iter().collect();
    query.sort();
    let canonical_query = query
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_headers = String::new();
    for name in &signed {
        let value = request
            .header(name)
            .ok_or_else(|| unsigned(format!("signed header {name} is missing")))?;
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim()));
    }
    let canonical = format!(
        "{}\n{}\n{canonical_query}\n{canonical_headers}\n{}\n{body_hash}",
        request.method,
        request.path,
        signed.join(";")
    );
    let to_sign = format!(
        "ACS3-HMAC-SHA256\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(source.access_key_secret().as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let expected = hex(&mac.finalize().into_bytes());
    if expected == *provided {
        Ok(())
    } else {
        Err((
            400,
            "SignatureDoesNotMatch",
            format!(
                "Specified signature is not matched with our calculation. server string to sign is:{to_sign}"
            ),
        ))
    }
}

/// `a=b&c=d` with `%XX` and `+` decoded.
pub fn decode_pairs(text: &str) -> HashMap<String, String> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
                    match u8::from_str_radix(hex, 16) {
                        Ok(b) => {
                            out.push(b);
                            i += 3;
                        }
                        Err(_) => {
                            out.push(b'%');
                            i += 1;
                        }
                    }
                }
                b'+' => {
                    out.push(b' ');
                    i += 1;
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// How the metadata stand-in treats tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Imds {
    /// Issues tokens, and requires one on every GET (hardened mode).
    TokenRequired,
    /// Issues tokens, accepts GETs with or without.
    TokenOptional,
    /// Knows no tokens (answers the PUT with 404), plain GETs only.
    V1Only,
}

/// Starts the ECS metadata stand-in: the role `ECS_ROLE`, handing out
/// `issue`.
pub fn start_imds(mode: Imds, issue: Issued, max_requests: usize) -> Server {
    Server::start(max_requests, LIMIT, move |_, request| {
        let token_ok = request.header("x-aliyun-ecs-metadata-token") == Some(METADATA_TOKEN);
        let list = "/latest/meta-data/ram/security-credentials/";
        match (request.method.as_str(), request.path.as_str()) {
            ("PUT", "/latest/api/token") => {
                if mode == Imds::V1Only {
                    Reply::with(404, "text/plain", "Not Found")
                } else if request
                    .header("x-aliyun-ecs-metadata-token-ttl-seconds")
                    .and_then(|v| v.parse::<u32>().ok())
                    .is_some_and(|ttl| (1..=21600).contains(&ttl))
                {
                    Reply::with(200, "text/plain", METADATA_TOKEN)
                } else {
                    Reply::with(400, "text/plain", "bad ttl")
                }
            }
            ("GET", _) if mode == Imds::TokenRequired && !token_ok => {
                Reply::with(401, "text/plain", "Unauthorized")
            }
            ("GET", path) if path == list => Reply::with(200, "text/plain", ECS_ROLE),
            ("GET", path) if path.strip_prefix(list) == Some(ECS_ROLE) => Reply::with(
                200,
                "text/plain",
                format!(
                    r#"{{"Code": "Success", {}, "LastUpdated": "{}"}}"#,
                    issue.members(),
                    iso8601(SystemTime::now())
                ),
            ),
            _ => Reply::with(404, "text/plain", "Not Found"),
        }
    })
}

/// Starts a credentials-URI stand-in at `/credentials`.
pub fn start_uri(issue: Issued, max_requests: usize) -> Server {
    Server::start(max_requests, LIMIT, move |_, request| {
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/credentials") => Reply::with(
                200,
                "application/json",
                format!(r#"{{"Code": "Success", {}}}"#, issue.members()),
            ),
            _ => Reply::with(404, "text/plain", "Not Found"),
        }
    })
}

/// A loopback URL on which nothing listens (connections are refused at
/// once): for the metadata service of a machine that is not ECS.
pub fn closed_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// A fresh empty directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "oss-process-{label}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` at `relative`, making directories.
    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An injected environment: a map, shared so a test can change it.
#[derive(Clone, Default)]
pub struct Env(Arc<std::sync::Mutex<HashMap<String, String>>>);

impl Env {
    pub fn new(vars: &[(&str, &str)]) -> Env {
        let env = Env::default();
        for (k, v) in vars {
            env.set(k, v);
        }
        env
    }

    pub fn set(&self, name: &str, value: &str) {
        self.0
            .lock()
            .unwrap()
            .insert(name.to_string(), value.to_string());
    }

    /// The lookup to hand to `ChainBuilder::env`.
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let map = Arc::clone(&self.0);
        move |name| map.lock().unwrap().get(name).cloned()
    }
}

/// An error with its chain of causes, as one line.
pub fn full_text(e: &oss_process::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
