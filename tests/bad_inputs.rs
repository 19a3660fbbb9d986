//! The catalogue of bad inputs: each gets a clear error naming the problem
//! and the allowed values, before any I/O (a loopback server proves no
//! connection is made), and none panics.

mod common;

use std::time::Duration;

use common::{Reply, Server};
use oss_process::{Client, ClientBuilder, Credentials, EnvironmentProvider, Error};

/// How a case must fail: the error kind, the argument it names, and words
/// the message must contain.
enum Expect {
    Invalid(&'static str, &'static [&'static str]),
    Creds(&'static [&'static str]),
}

/// Runs one bad input against the endpoint of the watching server.
type Run = Box<dyn Fn(&str) -> Result<(), Error>>;

type Case = (&'static str, Run, Expect);

fn builder(endpoint: &str) -> ClientBuilder {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(endpoint)
        .credentials(Credentials::new("id", "secret"))
}

fn call(endpoint: &str, bucket: &str, key: &str, process: &str) -> Result<(), Error> {
    builder(endpoint)
        .build()?
        .process_object(bucket, key, process)
        .map(|_| ())
}

fn build_with(f: impl Fn(ClientBuilder) -> ClientBuilder + 'static) -> Run {
    Box::new(move |endpoint| f(builder(endpoint)).build().map(|_| ()))
}

fn bucket(name: &'static str) -> Run {
    Box::new(move |endpoint| call(endpoint, name, "k.jpg", "image/resize,w_1"))
}

fn key(k: String) -> Run {
    Box::new(move |endpoint| call(endpoint, "bucket", &k, "image/resize,w_1"))
}

fn region(r: &'static str) -> Run {
    build_with(move |b| b.region(r))
}

fn endpoint(e: &'static str) -> Run {
    build_with(move |b| b.endpoint(e))
}

fn creds(id: &'static str, secret: &'static str) -> Run {
    build_with(move |b| b.credentials(Credentials::new(id, secret)))
}

fn process(p: &'static str) -> Run {
    Box::new(move |endpoint| call(endpoint, "bucket", "k.jpg", p))
}

fn env(vars: &'static [(&'static str, &'static str)]) -> Run {
    Box::new(move |_| {
        EnvironmentProvider::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
        .map(|_| ())
    })
}

fn presign(expires: Duration) -> Run {
    Box::new(move |endpoint| {
        builder(endpoint)
            .build()?
            .presign_process("bucket", "k.jpg", "image/resize,w_1", expires)
            .map(|_| ())
    })
}

const BUCKET_RULE: &[&str] = &["3 to 63", "a-z, 0-9 and '-'"];
const REGION_RULE: &[&str] = &["e.g. cn-hangzhou"];
const ENDPOINT_RULE: &[&str] = &["[http:// or https://]host[:port]"];

fn catalogue() -> Vec<Case> {
    use Expect::*;
    vec![
        // Bucket names.
        ("bucket empty", bucket(""), Invalid("bucket", BUCKET_RULE)),
        ("bucket of 2", bucket("ab"), Invalid("bucket", BUCKET_RULE)),
        (
            "bucket of 64",
            bucket("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd"),
            Invalid("bucket", BUCKET_RULE),
        ),
        (
            "bucket uppercase",
            bucket("MyBucket"),
            Invalid("bucket", &["contains 'M'"]),
        ),
        (
            "bucket leading -",
            bucket("-bucket"),
            Invalid("bucket", &["starts or ends with '-'"]),
        ),
        (
            "bucket trailing -",
            bucket("bucket-"),
            Invalid("bucket", &["starts or ends with '-'"]),
        ),
        (
            "bucket _",
            bucket("my_bucket"),
            Invalid("bucket", &["contains '_'"]),
        ),
        (
            "bucket .",
            bucket("my.bucket"),
            Invalid("bucket", &["contains '.'"]),
        ),
        (
            "bucket non-ASCII",
            bucket("bücket"),
            Invalid("bucket", &["contains 'ü'"]),
        ),
        // Keys.
        (
            "key empty",
            key(String::new()),
            Invalid("key", &["must not be empty"]),
        ),
        (
            "key 1024 bytes",
            key("k".repeat(1024)),
            Invalid("key", &["at most 1023 bytes"]),
        ),
        (
            "key 1023+ bytes of UTF-8",
            key("猫".repeat(342)),
            Invalid("key", &["at most 1023 bytes", "1026"]),
        ),
        (
            "key with a leading /",
            key("/photos/cat.jpg".into()),
            Invalid("key", &["must not start with '/' or '\\'"]),
        ),
        (
            "key with a leading \\",
            key("\\photos\\cat.jpg".into()),
            Invalid("key", &["must not start with '/' or '\\'"]),
        ),
        (
            "key with LF",
            key("a\nb.jpg".into()),
            Invalid("key", &["control characters", "'\\n'"]),
        ),
        (
            "key with CR",
            key("a\rb.jpg".into()),
            Invalid("key", &["control characters"]),
        ),
        (
            "key with NUL",
            key("a\0b.jpg".into()),
            Invalid("key", &["control characters"]),
        ),
        (
            "key with tab",
            key("a\tb.jpg".into()),
            Invalid("key", &["control characters"]),
        ),
        // Regions.
        ("region empty", region(""), Invalid("region", REGION_RULE)),
        (
            "region uppercase",
            region("CN-Hangzhou"),
            Invalid("region", REGION_RULE),
        ),
        (
            "region space",
            region("cn hangzhou"),
            Invalid("region", REGION_RULE),
        ),
        (
            "region /",
            region("cn/hangzhou"),
            Invalid("region", REGION_RULE),
        ),
        (
            "region .",
            region("cn.hangzhou"),
            Invalid("region", REGION_RULE),
        ),
        (
            "region oss- prefix",
            region("oss-cn-hangzhou"),
            Invalid("region", &["endpoint prefix", "\"cn-hangzhou\""]),
        ),
        (
            "region missing",
            build_with(|_| Client::builder().credentials(Credentials::new("id", "secret"))),
            Invalid("region", &["required"]),
        ),
        // Endpoints.
        (
            "endpoint bad scheme",
            endpoint("ftp://oss.example.com"),
            Invalid("endpoint", &["not http or https"]),
        ),
        (
            "endpoint path",
            endpoint("https://oss.example.com/bucket"),
            Invalid("endpoint", &["has a path"]),
        ),
        (
            "endpoint query",
            endpoint("https://oss.example.com?x=1"),
            Invalid("endpoint", &["query"]),
        ),
        (
            "endpoint userinfo",
            endpoint("https://user:pass@oss.example.com"),
            Invalid("endpoint", &["user information"]),
        ),
        (
            "endpoint space",
            endpoint("oss example.com"),
            Invalid("endpoint", ENDPOINT_RULE),
        ),
        (
            "endpoint empty host",
            endpoint("https://"),
            Invalid("endpoint", &["no host"]),
        ),
        (
            "endpoint empty",
            endpoint(""),
            Invalid("endpoint", &["empty"]),
        ),
        (
            "endpoint bad port",
            endpoint("http://127.0.0.1:70000"),
            Invalid("endpoint", &["1 to 65535"]),
        ),
        // Credentials.
        (
            "empty access key id",
            creds("", "secret"),
            Creds(&["access key id is empty"]),
        ),
        (
            "empty secret",
            creds("id", ""),
            Creds(&["access key secret is empty"]),
        ),
        (
            "space in secret",
            creds("id", "sec ret"),
            Creds(&["access key secret", "white space"]),
        ),
        (
            "newline in id",
            creds("id\n", "secret"),
            Creds(&["access key id", "white space"]),
        ),
        (
            "no credentials",
            build_with(|_| Client::builder().region("cn-hangzhou")),
            Creds(&["no credentials configured"]),
        ),
        ("env: nothing set", env(&[]), Creds(&["OSS_ACCESS_KEY_ID"])),
        (
            "env: secret missing",
            env(&[("OSS_ACCESS_KEY_ID", "id")]),
            Creds(&["OSS_ACCESS_KEY_SECRET"]),
        ),
        (
            "env: newline in secret",
            env(&[
                ("OSS_ACCESS_KEY_ID", "id"),
                ("OSS_ACCESS_KEY_SECRET", "s\n"),
            ]),
            Creds(&["environment", "access key secret"]),
        ),
        // Raw process strings.
        ("process empty", process(""), Invalid("process", &["empty"])),
        (
            "process with LF",
            process("image/resize,w_1\nx"),
            Invalid("process", &["control characters"]),
        ),
        (
            "process with CR",
            process("image/resize,w_1\rx"),
            Invalid("process", &["control characters"]),
        ),
        // Presign expiry.
        (
            "presign 0 s",
            presign(Duration::ZERO),
            Invalid("expires", &["1 to 604800"]),
        ),
        (
            "presign over 7 days",
            presign(Duration::from_secs(604_801)),
            Invalid("expires", &["1 to 604800"]),
        ),
        // Other settings.
        (
            "zero timeout",
            build_with(|b| b.read_timeout(Duration::ZERO)),
            Invalid("read_timeout", &["greater than zero"]),
        ),
    ]
}

#[test]
fn every_bad_input_gets_a_clear_error_before_any_io() {
    let server = Server::always(1, Reply::process_ok("", "k", 1, "R"));
    let cases = catalogue();
    assert!(
        cases.len() >= 40,
        "the catalogue holds {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for (what, run, expect) in &cases {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&server.url())));
        let err = match outcome {
            Err(_) => {
                failures.push(format!("{what}: panicked"));
                continue;
            }
            Ok(Ok(())) => {
                failures.push(format!("{what}: accepted"));
                continue;
            }
            Ok(Err(e)) => e,
        };
        let text = err.to_string();
        let (ok, words) = match (expect, &err) {
            (Expect::Invalid(name, words), Error::InvalidArgument { name: got, .. }) => {
                (got == name, *words)
            }
            (Expect::Creds(words), Error::Credentials { .. }) => (true, *words),
            _ => (false, &[][..]),
        };
        if !ok {
            failures.push(format!("{what}: wrong kind: {err:?}"));
        }
        for w in words {
            if !text.contains(w) {
                failures.push(format!("{what}: message {text:?} lacks {w:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(server.connections(), 0, "no case may reach the network");
}
