//! The access key secret and the STS token appear in no `Debug` of
//! credentials, client, configuration or presigned request, and in no
//! error's `Display` or `Debug`, including errors built from server answers
//! that echo them back.

mod common;

use std::time::Duration;

use common::{Reply, Server};
use oss_process::{CachingProvider, Client, Credentials, EnvironmentProvider, NoRetry};

const SECRET: &str = "Sekr1tAccessKeySecretValue";
const TOKEN: &str = "CAISxSTSTokenValueThatMustNotLeak";

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what} leaks the secret: {text}");
    assert!(!text.contains(TOKEN), "{what} leaks the token: {text}");
}

fn credentials() -> Credentials {
    Credentials::new("LTAI5tId", SECRET).with_security_token(TOKEN)
}

#[test]
fn debug_of_credentials_client_config_and_presign_is_clean() {
    let c = credentials();
    assert_clean("Credentials", &format!("{c:?} {c:#?}"));
    assert_clean(
        "CachingProvider",
        &format!("{:?}", CachingProvider::new(c.clone())),
    );
    let env = EnvironmentProvider::from_lookup(|n| match n {
        "OSS_ACCESS_KEY_ID" => Some("LTAI5tId".into()),
        "OSS_ACCESS_KEY_SECRET" => Some(SECRET.into()),
        "OSS_SESSION_TOKEN" => Some(TOKEN.into()),
        _ => None,
    })
    .unwrap();
    assert_clean("EnvironmentProvider", &format!("{env:?}"));

    let builder = Client::builder()
        .region("cn-hangzhou")
        .credentials(c.clone());
    assert_clean("ClientBuilder", &format!("{builder:?} {builder:#?}"));
    let client = builder.build().unwrap();
    assert_clean("Client", &format!("{client:?} {client:#?}"));

    let presigned = client
        .presign_process(
            "bucket",
            "k.jpg",
            "image/resize,w_1",
            Duration::from_secs(60),
        )
        .unwrap();
    assert!(
        presigned.url().contains(TOKEN),
        "the URL itself must carry the token to work"
    );
    assert_clean("Presigned", &format!("{presigned:?} {presigned:#?}"));
}

#[test]
fn errors_from_answers_that_echo_secrets_are_clean() {
    // OSS echoes the canonical request (with the token) in
    // SignatureDoesNotMatch; a broken proxy might echo anything.
    let echo = format!("x-oss-security-token:{TOKEN} secret {SECRET}");
    let replies = vec![
        Reply::xml_error(403, "SignatureDoesNotMatch", &echo, "RID", ""),
        Reply::with(
            400,
            "application/json",
            format!(r#"{{"Error":{{"Code":"X","Message":"{echo}","HostId":"{TOKEN}"}}}}"#),
        ),
        Reply::with(502, "text/html", format!("<html>{echo}</html>")),
        Reply::with(200, "text/html", format!("<html>{echo}</html>")),
        Reply::with(
            200,
            "application/json",
            format!(r#"{{"fileSize": "{TOKEN}"}}"#),
        ),
    ];
    for reply in replies {
        let server = Server::always(1, reply);
        let client = Client::builder()
            .region("cn-hangzhou")
            .endpoint(server.url())
            .credentials(credentials())
            .retry_policy(NoRetry)
            .build()
            .unwrap();
        let err = client
            .process_object("bucket", "k.jpg", "image/resize,w_1|sys/saveas,o_dC5qcGc")
            .unwrap_err();
        assert_clean("error Display", &err.to_string());
        assert_clean("error Debug", &format!("{err:?} {err:#?}"));
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            assert_clean("error source", &format!("{s} {s:?}"));
            source = s.source();
        }
        // The request did carry the token: the check above is not vacuous.
        assert_eq!(
            server.requests()[0].header("x-oss-security-token"),
            Some(TOKEN)
        );
    }
}

#[test]
fn credential_errors_name_the_field_not_the_value() {
    let err = Client::builder()
        .region("cn-hangzhou")
        .credentials(Credentials::new("id", format!("{SECRET}\n")))
        .build()
        .unwrap_err();
    assert_clean("credentials error", &format!("{err} {err:?}"));
    assert!(err.to_string().contains("access key secret"));
}
