//! STS against a loopback stand-in: `AssumeRole` signed with
//! ACS3-HMAC-SHA256 (checked by an implementation written apart from the
//! crate's) with every option, the source credentials asked on every
//! fetch, `AssumeRoleWithOIDC` re-reading its token file on every fetch,
//! and error answers turned into errors that keep Code, Message and
//! RequestId but never a secret or token.

mod common;
mod credentials_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use common::{Reply, Server};
use credentials_support::{
    Issued, OIDC_PROVIDER_ARN, ROLE_ARN, TempDir, decode_pairs, full_text, sts_error, sts_stand_in,
};
use oss_process::credentials::{OidcRoleProvider, RamRoleArnProvider};
use oss_process::{Credentials, CredentialsProvider, Error};

const AK_ID: &str = "LTAI5tStsTestId";
const AK_SECRET: &str = "StsTestSecretValue0123456789";
const SOURCE_TOKEN: &str = "SourceTokenValue0123456789";

/// Credentials that expire within the cache's safety margin, so every call
/// fetches again.
fn short_lived(label: &str) -> Issued {
    Issued {
        expiration: SystemTime::now() + Duration::from_secs(5),
        ..Issued::new(label)
    }
}

#[test]
fn assume_role_is_signed_and_carries_every_option() {
    let issue = Issued::new("assumed");
    let source = Credentials::new(AK_ID, AK_SECRET).with_security_token(SOURCE_TOKEN);
    let sts = sts_stand_in(vec![source.clone()], &[], &issue);
    let provider = RamRoleArnProvider::builder(source, ROLE_ARN)
        .role_session_name("batch.job-7@x")
        .duration(Duration::from_secs(1800))
        .external_id("abc:def/1")
        .policy(r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*"}]}"#)
        .sts_endpoint(sts.url())
        .build()
        .unwrap();
    let c = provider
        .credentials()
        .unwrap_or_else(|e| panic!("{}", full_text(&e)));
    assert_eq!(c.access_key_id(), issue.id);
    assert_eq!(c.security_token(), Some(issue.token.as_str()));
    // Cached: no second call.
    provider.credentials().unwrap();
    let requests = sts.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/"));
    assert!(r.body.is_empty());
    let q = decode_pairs(&r.query);
    assert_eq!(q["RoleArn"], ROLE_ARN);
    assert_eq!(q["RoleSessionName"], "batch.job-7@x");
    assert_eq!(q["DurationSeconds"], "1800");
    assert_eq!(q["ExternalId"], "abc:def/1");
    assert!(q["Policy"].contains("oss:GetObject"));
    assert_eq!(r.header("x-acs-action"), Some("AssumeRole"));
    assert_eq!(r.header("x-acs-security-token"), Some(SOURCE_TOKEN));
    let auth = r.header("authorization").unwrap();
    assert!(
        auth.starts_with(&format!("ACS3-HMAC-SHA256 Credential={AK_ID},SignedHeaders=host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,Signature=")),
        "{auth}"
    );
}

#[test]
fn a_wrong_secret_is_refused_and_the_echo_is_scrubbed() {
    let issue = Issued::new("refused");
    let sts = sts_stand_in(vec![Credentials::new(AK_ID, AK_SECRET)], &[], &issue);
    let wrong = Credentials::new(AK_ID, "WrongSecretValue0123456789").with_security_token("");
    let provider = RamRoleArnProvider::builder(wrong, ROLE_ARN)
        .sts_endpoint(sts.url())
        .build()
        .unwrap();
    let text = full_text(&provider.credentials().unwrap_err());
    assert!(
        text.contains(
            "STS AssumeRole: HTTP 400 SignatureDoesNotMatch: Specified signature is not matched"
        ),
        "{text}"
    );
    assert!(text.contains("(request id A1B2C3D4-STANDIN)"), "{text}");
    assert!(!text.contains("WrongSecretValue"), "{text}");

    // A service that echoes the source secret and token: scrubbed.
    let echo = format!(
        "server string to sign is: POST&%2F&AccessKeySecret={AK_SECRET}&SecurityToken={SOURCE_TOKEN}"
    );
    let echoing = Server::always(2, sts_error(403, "SignatureDoesNotMatch", &echo));
    let source = Credentials::new(AK_ID, AK_SECRET).with_security_token(SOURCE_TOKEN);
    let provider = RamRoleArnProvider::builder(source, ROLE_ARN)
        .sts_endpoint(echoing.url())
        .build()
        .unwrap();
    let text = full_text(&provider.credentials().unwrap_err());
    assert!(text.contains("HTTP 403 SignatureDoesNotMatch"), "{text}");
    assert!(
        !text.contains(AK_SECRET) && !text.contains(SOURCE_TOKEN),
        "{text}"
    );
}

#[test]
fn malformed_answers_are_clear_errors() {
    let source = Credentials::new(AK_ID, AK_SECRET);
    for (reply, expected) in [
        (
            Reply::with(500, "text/html", "<html>gateway</html>"),
            "HTTP 500, answer \"<html>gateway</html>\"",
        ),
        (
            Reply::with(200, "application/json", r#"{"RequestId": "x"}"#),
            "the answer has no Credentials object",
        ),
        (
            Reply::with(
                200,
                "application/json",
                r#"{"Credentials": {"AccessKeyId": "STS.x", "AccessKeySecret": "LeakySecret0123456789", "SecurityToken": "t", "Expiration": "tomorrow"}}"#,
            ),
            "the answer's Credentials has Expiration \"tomorrow\"",
        ),
        (
            Reply::with(200, "application/json", "not json"),
            "the answer is not valid JSON",
        ),
    ] {
        let server = Server::always(2, reply);
        let provider = RamRoleArnProvider::builder(source.clone(), ROLE_ARN)
            .sts_endpoint(server.url())
            .build()
            .unwrap();
        let text = full_text(&provider.credentials().unwrap_err());
        assert!(text.contains(expected), "{expected}: {text}");
        assert!(!text.contains("LeakySecret"), "{text}");
    }
}

#[test]
fn the_source_is_asked_on_every_fetch() {
    let issue = short_lived("refreshing");
    let first = Credentials::new(AK_ID, AK_SECRET);
    let second = Credentials::new("LTAI5tRotated", "RotatedSecret0123456789");
    let sts = sts_stand_in(vec![first.clone(), second.clone()], &[], &issue);
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let source = move || -> Result<Credentials, Error> {
        Ok(match counter.fetch_add(1, Ordering::SeqCst) {
            0 => first.clone(),
            _ => second.clone(),
        })
    };
    let provider = RamRoleArnProvider::builder(source, ROLE_ARN)
        .sts_endpoint(sts.url())
        .build()
        .unwrap();
    provider.credentials().unwrap();
    provider.credentials().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let ids: Vec<String> = sts
        .requests()
        .iter()
        .map(|r| {
            let auth = r.header("authorization").unwrap();
            auth.split("Credential=")
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, [AK_ID, "LTAI5tRotated"]);
    // A failing source is named, never retried blindly.
    let failing =
        || -> Result<Credentials, Error> { Err(Error::credentials("the vault is sealed")) };
    let provider = RamRoleArnProvider::builder(failing, ROLE_ARN)
        .sts_endpoint(sts.url())
        .build()
        .unwrap();
    let text = full_text(&provider.credentials().unwrap_err());
    assert!(
        text.contains(&format!("the source credentials for role {ROLE_ARN} are unavailable: credentials: the vault is sealed")),
        "{text}"
    );
}

#[test]
fn the_oidc_token_file_is_read_on_every_fetch() {
    let dir = TempDir::new("oidc-rotate");
    let token_file = dir.write("token", "first.jwt.token\n");
    let issue = short_lived("oidc");
    let sts = sts_stand_in(vec![], &["first.jwt.token", "second.jwt.token"], &issue);
    let provider = OidcRoleProvider::builder(ROLE_ARN, OIDC_PROVIDER_ARN, &token_file)
        .role_session_name("rrsa-pod")
        .sts_endpoint(sts.url())
        .build()
        .unwrap();
    assert_eq!(provider.credentials().unwrap().access_key_id(), issue.id);
    std::fs::write(&token_file, "second.jwt.token").unwrap();
    assert_eq!(provider.credentials().unwrap().access_key_id(), issue.id);
    let requests = sts.requests();
    assert_eq!(requests.len(), 2);
    let tokens: Vec<String> = requests
        .iter()
        .map(|r| decode_pairs(std::str::from_utf8(&r.body).unwrap())["OIDCToken"].clone())
        .collect();
    assert_eq!(tokens, ["first.jwt.token", "second.jwt.token"]);
    let q = decode_pairs(&requests[0].query);
    assert_eq!(q["Action"], "AssumeRoleWithOIDC");
    assert!(requests[0].header("authorization").is_none());

    // A token STS refuses, and a missing file: errors without the token.
    std::fs::write(&token_file, "forged.jwt.token").unwrap();
    let text = full_text(&provider.credentials().unwrap_err());
    assert!(
        text.contains("HTTP 400 InvalidParameter.OIDCToken"),
        "{text}"
    );
    assert!(!text.contains("forged.jwt"), "{text}");
    std::fs::remove_file(&token_file).unwrap();
    let text = full_text(&provider.credentials().unwrap_err());
    assert!(
        text.contains(&format!(
            "the OIDC token file {}: cannot be opened",
            token_file.display()
        )),
        "{text}"
    );
}
