//! TLS trust, against a loopback TLS server whose certificate a test CA
//! signed (`tests/data/tls`): the bundled roots refuse it with
//! `Error::Tls`, which says why and is not retried; `root_certificates`
//! adds the CA to the bundled roots and the call succeeds; malformed PEM is
//! refused when the client is built.

mod transport_support;

use oss_process::{Client, ClientBuilder, Credentials, Error};
use transport_support::{CA_PEM, full_text, start_tls_server};

const PROCESS: &str = "image/resize,w_10|sys/saveas,o_dGh1bWIuanBn";

fn builder(endpoint: &str) -> ClientBuilder {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(endpoint)
        .credentials(Credentials::new("LTAI5tTlsTest", "TlsTestSecret0123456789"))
        .proxy(oss_process::ProxyConfig::none())
}

#[test]
fn the_bundled_roots_refuse_a_private_ca_once_and_say_why() {
    let server = start_tls_server();
    // The default retry policy: up to 3 attempts for transient failures.
    let client = builder(&server.url("https")).build().unwrap();
    let e = client
        .process_object("examplebucket", "cat.jpg", PROCESS)
        .unwrap_err();
    assert!(matches!(e, Error::Tls { .. }), "{e:?}");
    assert!(!e.is_transient());
    let text = full_text(&e);
    assert!(
        text.starts_with(&format!(
            "TLS handshake failed on POST {}/examplebucket/cat.jpg?x-oss-process",
            server.url("https")
        )),
        "{text}"
    );
    assert!(text.contains("UnknownIssuer"), "{text}");
    assert_eq!(
        server.connections(),
        1,
        "a certificate error must not be retried"
    );
}

#[test]
fn root_certificates_add_a_private_ca_to_the_bundled_roots() {
    let server = start_tls_server();
    let client = builder(&server.url("https"))
        .root_certificates(CA_PEM)
        .build()
        .unwrap();
    for _ in 0..3 {
        let result = client
            .process_object("examplebucket", "cat.jpg", PROCESS)
            .unwrap_or_else(|e| panic!("{}", full_text(&e)));
        assert_eq!(result.request_id(), "TLS-STAND-IN");
    }
    // One TLS connection, kept and reused.
    assert_eq!(server.connections(), 1);
}

#[test]
fn malformed_pem_is_refused_at_build() {
    for (pem, why) in [
        (
            "no pem here".to_string(),
            "no -----BEGIN CERTIFICATE----- block",
        ),
        (
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_string(),
            "certificate 1 is not an X.509 certificate",
        ),
        (
            include_str!("data/tls/server.key").to_string(),
            "PEM block 1 is a private key, not a certificate",
        ),
    ] {
        let e = builder("https://127.0.0.1:9")
            .root_certificates(pem)
            .build()
            .unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("invalid root_certificates: "), "{text}");
        assert!(text.contains(why), "{text}");
    }
}

#[cfg(feature = "platform-verifier")]
#[test]
fn the_platform_verifier_cannot_be_combined_with_extra_roots() {
    let e = builder("https://127.0.0.1:9")
        .platform_verifier(true)
        .root_certificates(CA_PEM)
        .build()
        .unwrap_err();
    assert!(
        e.to_string().starts_with("invalid platform_verifier: "),
        "{e}"
    );
    assert!(
        builder("https://127.0.0.1:9")
            .platform_verifier(true)
            .build()
            .is_ok()
    );
}
