//! The emulator's signature check against requests it did not sign itself:
//! every case of `tests/data/signing-vectors.json` (built by the official
//! Python SDK V2, times pinned) is replayed byte for byte and accepted, and
//! the same request with one signature character changed is refused. Then
//! forged requests for each rule: time skew, expiry, Content-MD5, unknown
//! key, STS token, anonymous access.

#![cfg(feature = "emulator")]

mod common;

use base64::Engine as _;
use std::time::{Duration, SystemTime};

use common::{AK, Raw, SK, is_request_id, jpeg, send};
use oss_process::Credentials;
use oss_process::emulator::{Emulator, ImmAnswer};
use oss_process::sign::{SignableRequest, Signer};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let doc: Value = serde_json::from_str(include_str!("data/signing-vectors.json")).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

/// Host and target of a URL (`scheme://host/path?query`).
fn host_and_target(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").unwrap().1;
    let slash = rest.find('/').unwrap();
    (&rest[..slash], &rest[slash..])
}

/// An emulator set up for one vector: its keys, region, product and the
/// objects its request needs.
fn emulator_for(case: &Value) -> Emulator {
    let input = &case["input"];
    let s = |k: &str| input[k].as_str().unwrap();
    let mut credentials = Credentials::new(s("access_key_id"), s("access_key_secret"));
    if let Some(token) = input["security_token"].as_str() {
        credentials = credentials.with_security_token(token);
    }
    let emulator = Emulator::builder()
        .credentials(credentials)
        .region(s("region"))
        .product(s("product"))
        .relax_time_check(true)
        // The asynchronous vector converts a document: an IMM project
        // (a handler) takes it, as the SDKs' fixtures assume.
        .imm_handler("doc", |_| {
            ImmAnswer::bytes("image/png", b"\x89PNG".to_vec())
        })
        .start()
        .unwrap();
    emulator.create_bucket(s("bucket")).unwrap();
    if s("method") != "PUT" {
        emulator
            .put_object(s("bucket"), s("key"), &jpeg(64, 48))
            .unwrap();
    }
    for target in ["examplebucket", "dest-bucket"] {
        emulator.create_bucket(target).unwrap();
    }
    emulator
}

/// The request of a vector as it went on the wire: method, Host, target,
/// headers (with the signature) and body.
fn wire_request(case: &Value) -> (String, String, String, Vec<(String, String)>, Vec<u8>) {
    let input = &case["input"];
    let method = input["method"].as_str().unwrap().to_string();
    let url = match case["kind"].as_str().unwrap() {
        "presign" => case["presigned_url"].as_str().unwrap(),
        _ => input["url"].as_str().unwrap(),
    };
    let (host, target) = host_and_target(url);
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut add = |map: &Value| {
        for (k, v) in map.as_object().into_iter().flatten() {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
            headers.push((k.clone(), v.as_str().unwrap().to_string()));
        }
    };
    add(&input["headers"]);
    add(&case["signed_request_headers"]);
    let body = input["body"].as_str().unwrap_or("").as_bytes().to_vec();
    (method, host.to_string(), target.to_string(), headers, body)
}

fn replay(
    emulator: &Emulator,
    method: &str,
    host: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Raw {
    let mut all: Vec<(&str, &str)> = vec![("Host", host)];
    all.extend(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    send(emulator.addr(), method, target, &all, body)
}

/// Changes the last character of a hex signature.
fn flip(sig: &str) -> String {
    let (head, last) = sig.split_at(sig.len() - 1);
    format!("{head}{}", if last == "0" { "1" } else { "0" })
}

#[test]
fn every_sdk_vector_is_accepted_and_a_changed_signature_is_refused() {
    let cases = vectors();
    assert!(cases.len() >= 12, "{} cases", cases.len());
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let emulator = emulator_for(case);
        let (method, host, target, headers, body) = wire_request(case);

        let ok = replay(&emulator, &method, &host, &target, &headers, &body);
        assert_eq!(ok.status, 200, "{name}: {}", ok.text());
        assert!(
            is_request_id(ok.header("x-oss-request-id").unwrap_or("")),
            "{name}"
        );

        let (target2, headers2) = if case["kind"] == "presign" {
            let (base, sig) = target.rsplit_once("&x-oss-signature=").unwrap();
            (
                format!("{base}&x-oss-signature={}", flip(sig)),
                headers.clone(),
            )
        } else {
            let headers2 = headers
                .iter()
                .map(|(n, v)| {
                    let v = if n == "Authorization" {
                        flip(v)
                    } else {
                        v.clone()
                    };
                    (n.clone(), v)
                })
                .collect();
            (target.clone(), headers2)
        };
        let refused = replay(&emulator, &method, &host, &target2, &headers2, &body);
        assert_eq!(refused.status, 403, "{name}");
        assert_eq!(refused.error_code(), "SignatureDoesNotMatch", "{name}");
        // The server's own intermediate values match the SDK's.
        if let Some(expected) = case["string_to_sign"].as_str() {
            assert_eq!(
                refused.xml("StringToSign").as_deref(),
                Some(expected),
                "{name}"
            );
        }
    }
}

#[test]
fn replayed_vectors_are_refused_when_the_time_is_checked() {
    let case = vectors()
        .into_iter()
        .find(|c| c["name"] == "process-resize")
        .unwrap();
    let input = &case["input"];
    let emulator = Emulator::builder()
        .credentials(Credentials::new(
            input["access_key_id"].as_str().unwrap(),
            input["access_key_secret"].as_str().unwrap(),
        ))
        .start()
        .unwrap();
    emulator
        .put_object("examplebucket", "example.jpg", &jpeg(8, 8))
        .unwrap();
    let (method, host, target, headers, body) = wire_request(&case);
    let answer = replay(&emulator, &method, &host, &target, &headers, &body);
    assert_eq!(answer.status, 403);
    assert_eq!(answer.error_code(), "RequestTimeTooSkewed");
    assert_eq!(
        answer.xml("RequestTime").as_deref(),
        Some("20240115T083000Z")
    );
    assert_eq!(
        answer.xml("MaxAllowedSkewMilliseconds").as_deref(),
        Some("900000")
    );

    let presign = vectors()
        .into_iter()
        .find(|c| c["name"] == "presign-get-process")
        .unwrap();
    let (method, host, target, headers, body) = wire_request(&presign);
    let answer = replay(&emulator, &method, &host, &target, &headers, &body);
    assert_eq!(answer.status, 403);
    assert_eq!(answer.error_code(), "AccessDenied");
    assert_eq!(
        answer.xml("Message").as_deref(),
        Some("Request has expired.")
    );
}

/// Signs a path-style request to bucket `bucket1` (see [`common::signed`]).
fn signed(
    emulator: &Emulator,
    request: &str,
    extra: &[(&str, &str)],
    body: &[u8],
    credentials: &Credentials,
    time: SystemTime,
) -> Raw {
    common::signed(emulator, "bucket1", request, extra, body, credentials, time)
}

fn seeded() -> Emulator {
    let emulator = Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .credentials(Credentials::new("STS.TempId", "TempSecret").with_security_token("Token123"))
        .start()
        .unwrap();
    emulator.put_object("bucket1", "a.txt", b"hello").unwrap();
    emulator
}

#[test]
fn header_signatures_follow_the_service_rules() {
    let emulator = seeded();
    let good = Credentials::new(AK, SK);
    let now = SystemTime::now();

    let ok = signed(&emulator, "GET a.txt", &[], b"", &good, now);
    assert_eq!((ok.status, ok.text().as_str()), (200, "hello"));
    assert!(is_request_id(ok.header("x-oss-request-id").unwrap()));
    assert!(ok.header("date").is_some());

    for skew in [Duration::from_secs(16 * 60), Duration::from_secs(3600)] {
        for t in [now - skew, now + skew] {
            let r = signed(&emulator, "GET a.txt", &[], b"", &good, t);
            assert_eq!(
                (r.status, r.error_code().as_str()),
                (403, "RequestTimeTooSkewed")
            );
        }
    }
    let r = signed(
        &emulator,
        "GET a.txt",
        &[],
        b"",
        &good,
        now - Duration::from_secs(14 * 60),
    );
    assert_eq!(r.status, 200, "14 minutes is within the window");

    let r = signed(
        &emulator,
        "GET a.txt",
        &[],
        b"",
        &Credentials::new(AK, "wrong"),
        now,
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (403, "SignatureDoesNotMatch")
    );
    assert!(
        r.xml("CanonicalRequest")
            .unwrap()
            .starts_with("GET\n/bucket1/a.txt\n")
    );
    assert!(r.xml("SignatureProvided").is_some());

    let r = signed(
        &emulator,
        "GET a.txt",
        &[],
        b"",
        &Credentials::new("nobody", SK),
        now,
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (403, "InvalidAccessKeyId")
    );
    assert_eq!(r.xml("OSSAccessKeyId").as_deref(), Some("nobody"));

    let r = send(emulator.addr(), "GET", "/bucket1/a.txt", &[], b"");
    assert_eq!((r.status, r.error_code().as_str()), (403, "AccessDenied"));

    let r = signed(&emulator, "GET missing.txt", &[], b"", &good, now);
    assert_eq!((r.status, r.error_code().as_str()), (404, "NoSuchKey"));

    let r = signed(&emulator, "DELETE a.txt?acl", &[], b"", &good, now);
    assert_eq!(r.status, 501, "{}", r.text());
}

#[test]
fn content_md5_must_match_the_body() {
    let emulator = seeded();
    let good = Credentials::new(AK, SK);
    let now = SystemTime::now();
    // base64(md5("hello")) is XUFAKrxLKna5cZ2REBfFkg==
    let r = signed(
        &emulator,
        "PUT b.txt",
        &[("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg==")],
        b"hello",
        &good,
        now,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("etag"),
        Some("\"5D41402ABC4B2A76B9719D911017C592\"")
    );
    let r = signed(
        &emulator,
        "PUT b.txt",
        &[("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg==")],
        b"hellO",
        &good,
        now,
    );
    assert_eq!((r.status, r.error_code().as_str()), (400, "InvalidDigest"));
    let r = signed(
        &emulator,
        "PUT b.txt",
        &[("Content-MD5", "not base64")],
        b"hello",
        &good,
        now,
    );
    assert_eq!((r.status, r.error_code().as_str()), (400, "InvalidDigest"));
}

#[test]
fn sts_tokens_are_checked() {
    let emulator = seeded();
    let now = SystemTime::now();
    let with = |token: Option<&str>| {
        let mut c = Credentials::new("STS.TempId", "TempSecret");
        if let Some(t) = token {
            c = c.with_security_token(t);
        }
        signed(&emulator, "GET a.txt", &[], b"", &c, now)
    };
    assert_eq!(with(Some("Token123")).status, 200);
    for bad in [Some("Token124"), None] {
        let r = with(bad);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (403, "InvalidSecurityToken"),
            "{bad:?}"
        );
    }
    // A long-term key must not carry a token.
    let r = signed(
        &emulator,
        "GET a.txt",
        &[],
        b"",
        &Credentials::new(AK, SK).with_security_token("x"),
        now,
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (403, "InvalidSecurityToken")
    );
}

#[test]
fn presigned_urls_expire() {
    let emulator = seeded();
    let signer = Signer::new("cn-hangzhou", "oss");
    let creds = Credentials::new(AK, SK);
    let request = SignableRequest {
        method: "GET",
        bucket: Some("bucket1"),
        key: Some("a.txt"),
        query: "",
        headers: &[],
        additional_headers: &[],
    };
    let base = format!("{}/bucket1/a.txt", emulator.endpoint());
    let get = |time: SystemTime, expires: u64| {
        let url = signer
            .presign(&base, &request, &creds, time, Duration::from_secs(expires))
            .unwrap()
            .into_url();
        send(emulator.addr(), "GET", host_and_target(&url).1, &[], b"")
    };
    let now = SystemTime::now();
    assert_eq!(get(now, 60).text(), "hello");
    let r = get(now - Duration::from_secs(120), 60);
    assert_eq!((r.status, r.error_code().as_str()), (403, "AccessDenied"));
    assert_eq!(r.xml("Message").as_deref(), Some("Request has expired."));
    // Signed long ago but still inside its expiry: fine.
    assert_eq!(get(now - Duration::from_secs(3600), 7200).status, 200);
    let r = get(now + Duration::from_secs(3600), 60);
    assert_eq!((r.status, r.error_code().as_str()), (403, "AccessDenied"));
}

#[test]
fn head_answers_and_body_limits() {
    let emulator = seeded();
    let good = Credentials::new(AK, SK);
    let now = SystemTime::now();
    let r = signed(&emulator, "HEAD a.txt", &[], b"", &good, now);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("5"));
    assert!(r.body.is_empty());
    assert!(is_request_id(r.header("x-oss-request-id").unwrap()));
    // HEAD errors have no body: the XML is base64 in x-oss-err.
    let r = signed(&emulator, "HEAD gone.txt", &[], b"", &good, now);
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty());
    let xml = base64::engine::general_purpose::STANDARD
        .decode(r.header("x-oss-err").unwrap())
        .unwrap();
    assert!(
        String::from_utf8(xml)
            .unwrap()
            .contains("<Code>NoSuchKey</Code>")
    );

    // A process body over 64 KiB is refused before it is read.
    let big = vec![b'a'; 100 * 1024];
    let r = signed(&emulator, "POST a.txt?x-oss-process", &[], &big, &good, now);
    assert_eq!((r.status, r.error_code().as_str()), (400, "EntityTooLarge"));
    // Garbage on the wire gets an OSS-shaped 400, and the emulator lives on.
    let mut raw = std::net::TcpStream::connect(emulator.addr()).unwrap();
    std::io::Write::write_all(&mut raw, b"NOT HTTP\r\n\r\n").unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut raw, &mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 400 "), "{text}");
    assert!(text.contains("x-oss-request-id: "), "{text}");
    assert_eq!(
        signed(&emulator, "GET a.txt", &[], b"", &good, now).status,
        200
    );
}
