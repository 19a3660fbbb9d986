//! Proxies, against a loopback CONNECT proxy: the environment default picks
//! `HTTP_PROXY` for `http://` endpoints and `HTTPS_PROXY` for `https://`
//! ones (never `HTTPS_PROXY` for `http://`), `NO_PROXY` sends a host
//! direct, an explicit proxy overrides the environment, proxy credentials
//! are sent and never printed, a dead proxy is named in the error, a 407
//! is not retried and says the proxy wants authentication, and malformed
//! values are refused when the client is built. The environment is
//! injected (`ProxyConfig::from_lookup`), never set.

mod common;
mod transport_support;

use common::{Reply, Server};
use oss_process::{
    Client, ClientBuilder, Credentials, Error, NoRetry, ProcessObjectResult, ProxyConfig,
};
use transport_support::{CA_PEM, ProxyMode, closed_port, full_text, start_proxy, start_tls_server};

const PROCESS: &str = "image/resize,w_10|sys/saveas,o_dGh1bWIuanBn";

fn vars(pairs: &[(&str, &str)]) -> ProxyConfig {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ProxyConfig::from_lookup(move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
}

fn builder(endpoint: &str, proxy: ProxyConfig) -> ClientBuilder {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(endpoint)
        .credentials(Credentials::new(
            "LTAI5tProxyTest",
            "ProxyTestSecret0123456789",
        ))
        .proxy(proxy)
}

/// Builds a client for `endpoint` with `proxy` and makes one call.
fn call(endpoint: &str, proxy: ProxyConfig) -> Result<ProcessObjectResult, Error> {
    builder(endpoint, proxy)
        .build()
        .unwrap()
        .process_object("examplebucket", "cat.jpg", PROCESS)
}

fn oss() -> Server {
    Server::always(
        20,
        Reply::process_ok("examplebucket", "thumb.jpg", 10, "REQ-1"),
    )
}

#[test]
fn http_endpoints_use_http_proxy_never_https_proxy() {
    let server = oss();
    let proxy = start_proxy(ProxyMode::Tunnel);
    let other = start_proxy(ProxyMode::Tunnel);
    call(
        &server.url(),
        vars(&[
            ("HTTP_PROXY", &proxy.url("http")),
            ("HTTPS_PROXY", &other.url("http")),
        ]),
    )
    .unwrap();
    let connects = proxy.connects();
    assert_eq!(connects.len(), 1);
    assert_eq!(connects[0].target, server.addr().to_string());
    assert!(other.connects().is_empty());
    assert_eq!(server.count(), 1);

    // HTTPS_PROXY alone: an http:// endpoint goes direct.
    call(&server.url(), vars(&[("https_proxy", &other.url("http"))])).unwrap();
    assert!(other.connects().is_empty());
    assert_eq!(server.count(), 2);
}

#[test]
fn https_endpoints_use_https_proxy() {
    let tls = start_tls_server();
    let proxy = start_proxy(ProxyMode::Tunnel);
    let unused = start_proxy(ProxyMode::Tunnel);
    let client = builder(
        &tls.url("https"),
        vars(&[
            ("HTTPS_PROXY", &proxy.url("http")),
            ("HTTP_PROXY", &unused.url("http")),
        ]),
    )
    .root_certificates(CA_PEM)
    .build()
    .unwrap();
    let result = client
        .process_object("examplebucket", "cat.jpg", PROCESS)
        .unwrap();
    assert_eq!(result.request_id(), "TLS-STAND-IN");
    assert_eq!(proxy.connects().len(), 1);
    assert_eq!(proxy.connects()[0].target, tls.addr().to_string());
    assert!(unused.connects().is_empty());
}

#[test]
fn no_proxy_sends_listed_hosts_direct() {
    let server = oss();
    let proxy = start_proxy(ProxyMode::Tunnel);
    for list in [
        "127.0.0.1",
        "localhost, 127.0.0.0/8",
        "*",
        ".example.com,127.0.0.1:9",
    ] {
        call(
            &server.url(),
            vars(&[("HTTP_PROXY", &proxy.url("http")), ("NO_PROXY", list)]),
        )
        .unwrap();
        assert!(proxy.connects().is_empty(), "NO_PROXY={list}");
    }
    // A list that does not name the host: through the proxy.
    call(
        &server.url(),
        vars(&[
            ("HTTP_PROXY", &proxy.url("http")),
            ("no_proxy", "10.0.0.0/8,::1,example.com"),
        ]),
    )
    .unwrap();
    assert_eq!(proxy.connects().len(), 1);
}

#[test]
fn an_explicit_proxy_overrides_the_environment() {
    let server = oss();
    let proxy = start_proxy(ProxyMode::Tunnel);
    call(&server.url(), ProxyConfig::url(proxy.url("http"))).unwrap();
    assert_eq!(proxy.connects().len(), 1);
    call(
        &server.url(),
        ProxyConfig::url(proxy.url("http")).no_proxy("127.0.0.1"),
    )
    .unwrap();
    assert_eq!(proxy.connects().len(), 1);
    call(&server.url(), ProxyConfig::none()).unwrap();
    assert_eq!(proxy.connects().len(), 1);
}

#[test]
fn proxy_credentials_are_sent_and_never_printed() {
    let server = oss();
    // "user:p@ss w0rd" in base64.
    let proxy = start_proxy(ProxyMode::RequireAuth("dXNlcjpwQHNzIHcwcmQ=".into()));
    let url = format!("http://user:p%40ss%20w0rd@{}", proxy.addr());
    let client = builder(&server.url(), vars(&[("HTTP_PROXY", &url)]))
        .build()
        .unwrap();
    client
        .process_object("examplebucket", "cat.jpg", PROCESS)
        .unwrap();
    assert_eq!(
        proxy.connects()[0].authorization.as_deref(),
        Some("Basic dXNlcjpwQHNzIHcwcmQ=")
    );
    let shown = format!("{client:?} {:?}", ProxyConfig::url(&url));
    assert!(
        !shown.contains("w0rd") && !shown.contains("p%40ss"),
        "{shown}"
    );
}

#[test]
fn a_407_is_not_retried_and_says_the_proxy_wants_authentication() {
    let server = oss();
    let proxy = start_proxy(ProxyMode::RequireAuth("c29tZW9uZTplbHNl".into()));
    let url = format!("http://wrong:hunter2@{}", proxy.addr());
    // The default retry policy: 3 attempts for transient failures.
    let client = builder(&server.url(), vars(&[("HTTP_PROXY", &url)]))
        .build()
        .unwrap();
    let e = client
        .process_object("examplebucket", "cat.jpg", PROCESS)
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(!e.is_transient());
    let text = full_text(&e);
    assert!(
        text.contains(&format!(
            "the proxy http://{} (set by HTTP_PROXY) wants authentication (407 Proxy Authentication Required)",
            proxy.addr()
        )),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(proxy.connects().len(), 1, "a 407 must not be retried");
    assert_eq!(server.count(), 0);

    // Any other refusal of the tunnel (403) is not retried either.
    let refusing = start_proxy(ProxyMode::Refuse(403));
    let client = builder(&server.url(), ProxyConfig::url(refusing.url("http")))
        .build()
        .unwrap();
    let text = full_text(
        &client
            .process_object("examplebucket", "cat.jpg", PROCESS)
            .unwrap_err(),
    );
    assert!(text.contains("refused the tunnel with HTTP 403"), "{text}");
    assert_eq!(refusing.connects().len(), 1);
}

#[test]
fn a_dead_proxy_is_named_in_the_error() {
    let server = oss();
    let port = closed_port();
    let url = format!("http://user:hunter2@127.0.0.1:{port}");
    let client = builder(&server.url(), vars(&[("HTTP_PROXY", &url)]))
        .retry_policy(NoRetry)
        .build()
        .unwrap();
    let e = client
        .process_object("examplebucket", "cat.jpg", PROCESS)
        .unwrap_err();
    assert!(e.is_transient(), "{e:?}");
    let text = full_text(&e);
    assert!(
        text.starts_with(&format!(
            "transport error on POST {}/examplebucket/cat.jpg?x-oss-process through the proxy http://127.0.0.1:{port}",
            server.url()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "could not connect to the proxy http://127.0.0.1:{port} (set by HTTP_PROXY)"
        )),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(server.count(), 0);

    // The same for HTTPS_PROXY and an https:// endpoint.
    let client = builder("https://127.0.0.1:9", vars(&[("HTTPS_PROXY", &url)]))
        .retry_policy(NoRetry)
        .build()
        .unwrap();
    let text = full_text(
        &client
            .process_object("examplebucket", "cat.jpg", PROCESS)
            .unwrap_err(),
    );
    assert!(
        text.contains(&format!(
            "could not connect to the proxy http://127.0.0.1:{port} (set by HTTPS_PROXY)"
        )),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn malformed_values_are_refused_when_the_client_is_built() {
    let endpoint = "http://127.0.0.1:9";
    for (pairs, name, why) in [
        (
            vec![("HTTP_PROXY", "http://u:hunter2@proxy:notaport")],
            "HTTP_PROXY",
            "port",
        ),
        (
            vec![("http_proxy", "socks5://proxy:1080")],
            "http_proxy",
            "SOCKS proxies",
        ),
        (
            vec![
                ("HTTP_PROXY", "http://proxy:3128"),
                ("NO_PROXY", "10.0.0.0/40"),
            ],
            "NO_PROXY",
            "prefix length",
        ),
    ] {
        let e = builder(endpoint, vars(&pairs)).build().unwrap_err();
        match &e {
            Error::InvalidArgument { name: got, .. } => assert_eq!(got, name),
            other => panic!("{other:?}"),
        }
        let text = e.to_string();
        assert!(text.contains(why), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
    // A malformed HTTPS_PROXY does not matter to an http:// endpoint.
    assert!(
        builder(endpoint, vars(&[("HTTPS_PROXY", "http://proxy:bad")]))
            .build()
            .is_ok()
    );
}
