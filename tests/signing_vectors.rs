//! Every case in `tests/data/signing-vectors*.json` (computed by the official
//! SDKs' own signers with the time pinned, by `tests/data/gen_vectors.py`)
//! must reproduce byte for byte: the canonical request, the string to sign,
//! the Authorization header or the presigned URL, and, in header form, every
//! header the signed request carries. Header names the signer cannot send
//! are refused.

use std::time::{Duration, SystemTime};

use oss_process::sign::{SignableRequest, Signer};
use oss_process::{Credentials, Error};
use serde_json::Value;

mod common;

fn cases_of(text: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(text).expect("valid JSON");
    doc["cases"].as_array().expect("cases").clone()
}

fn vectors() -> Vec<Value> {
    cases_of(include_str!("data/signing-vectors.json"))
}

fn edge_vectors() -> Vec<Value> {
    cases_of(include_str!("data/signing-vectors-sdk-edges.json"))
}

/// Headers as an object, or as `[name, value]` pairs where a name repeats.
fn header_pairs(v: &Value) -> Vec<(&str, &str)> {
    match v {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect(),
        Value::Array(pairs) => pairs
            .iter()
            .map(|p| (p[0].as_str().unwrap(), p[1].as_str().unwrap()))
            .collect(),
        other => panic!("headers must be an object or pairs, not {other}"),
    }
}

/// A header set compared as the server sees it: names in any case, each
/// value once per time it is sent.
fn header_set<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<(String, &'a str)> {
    let mut set: Vec<_> = pairs
        .into_iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v))
        .collect();
    set.sort();
    set
}

fn time_of(input: &Value) -> SystemTime {
    // "2023-12-16T16:20:57Z" -> "20231216T162057Z"
    let iso: String = input["time"]
        .as_str()
        .unwrap()
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    common::parse_iso_basic(&iso).expect("time")
}

fn split_url(url: &str) -> (&str, &str) {
    url.split_once('?').unwrap_or((url, ""))
}

fn run_case(case: &Value) {
    let name = case["name"].as_str().unwrap();
    let input = &case["input"];
    let s = |k: &str| input[k].as_str();
    let mut credentials =
        Credentials::new(s("access_key_id").unwrap(), s("access_key_secret").unwrap());
    if let Some(token) = s("security_token") {
        credentials = credentials.with_security_token(token);
    }
    let signer = Signer::new(s("region").unwrap(), s("product").unwrap());
    let headers = header_pairs(&input["headers"]);
    let additional: Vec<&str> = input["additional_headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let (base, query) = split_url(s("url").unwrap());
    let request = SignableRequest {
        method: s("method").unwrap(),
        bucket: s("bucket"),
        key: s("key"),
        query,
        headers: &headers,
        additional_headers: &additional,
    };
    let time = time_of(input);
    let (canonical, to_sign) = match case["kind"].as_str().unwrap() {
        "header" => {
            let signed = signer
                .sign_headers(&request, &credentials, time)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                signed.get("Authorization"),
                case["authorization"].as_str(),
                "{name}: Authorization"
            );
            // What goes on the wire: the caller's headers, less those the
            // signer returns (any case), and the signer's.
            let sent = headers
                .iter()
                .copied()
                .filter(|(n, _)| {
                    !signed
                        .headers
                        .iter()
                        .any(|(s, _)| s.eq_ignore_ascii_case(n))
                })
                .chain(signed.headers.iter().map(|(n, v)| (*n, v.as_str())));
            assert_eq!(
                header_set(sent),
                header_set(header_pairs(&case["signed_request_headers"])),
                "{name}: the headers sent"
            );
            (signed.canonical_request, signed.string_to_sign)
        }
        "presign" => {
            let expires = Duration::from_secs(input["expires_seconds"].as_u64().unwrap());
            let presigned = signer
                .presign(base, &request, &credentials, time, expires)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                presigned.url(),
                case["presigned_url"].as_str().unwrap(),
                "{name}: URL"
            );
            (
                presigned.canonical_request().to_string(),
                presigned.string_to_sign().to_string(),
            )
        }
        other => panic!("{name}: unknown kind {other}"),
    };
    if let Some(expected) = case["canonical_request"].as_str() {
        assert_eq!(canonical, expected, "{name}: canonical request");
    }
    if let Some(expected) = case["string_to_sign"].as_str() {
        assert_eq!(to_sign, expected, "{name}: string to sign");
    }
}

#[test]
fn every_vector_reproduces() {
    let cases = vectors();
    assert_eq!(cases.len(), 12, "expected the full vector set");
    for case in &cases {
        run_case(case);
    }
}

#[test]
fn every_sdk_edge_vector_reproduces() {
    let cases = edge_vectors();
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    for expected in [
        "date-additional",
        "date-additional-caller-date",
        "caller-date-not-listed",
        "caller-token-without-sts",
        "caller-token-with-sts",
        "caller-signer-headers-replaced",
        "mixed-case-names",
        "repeated-headers",
        "method-as-given",
        "presign-caller-content-sha256",
        "presign-additional-caller-content-sha256",
        "presign-date-additional",
        "presign-caller-token-without-sts",
    ] {
        assert!(names.contains(&expected), "vector {expected} is missing");
    }
    for case in &cases {
        run_case(case);
    }
}

/// Both forms must refuse the request with `Error::InvalidArgument` for
/// `argument`, naming `bad` and the rule, and never printing a header value.
fn assert_refused(
    method: &str,
    headers: &[(&str, &str)],
    additional: &[&str],
    argument: &str,
    bad: &str,
) {
    let request = SignableRequest {
        method,
        bucket: Some("b"),
        key: Some("k"),
        query: "",
        headers,
        additional_headers: additional,
    };
    let signer = Signer::new("cn-hangzhou", "oss");
    let credentials = Credentials::new("ak", "sk");
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_705_307_400);
    let header = signer
        .sign_headers(&request, &credentials, time)
        .expect_err("header form must refuse it");
    let query = signer
        .presign(
            "https://b.oss-cn-hangzhou.aliyuncs.com/k",
            &request,
            &credentials,
            time,
            Duration::from_secs(60),
        )
        .expect_err("presign must refuse it");
    for e in [header, query] {
        assert!(
            matches!(&e, Error::InvalidArgument { name, .. } if name == argument),
            "{bad:?}: {e:?}"
        );
        let text = e.to_string();
        assert!(text.contains(&format!("{bad:?}")), "names it: {text}");
        assert!(text.contains("HTTP token"), "says the rule: {text}");
        assert!(!text.contains("SecretHeaderValue"), "no value: {text}");
    }
}

#[test]
fn header_names_that_are_not_http_tokens_are_refused() {
    for bad in [
        "X-Oss-Date ",
        " x-oss-meta-a",
        "x-oss-meta a",
        "Content-MD5\t",
        "x-oss-meta-é",
        "x-oss-meta:a",
        "",
    ] {
        assert_refused(
            "GET",
            &[(bad, "SecretHeaderValue")],
            &[],
            "header name",
            bad,
        );
    }
}

#[test]
fn additional_header_names_and_methods_that_are_not_tokens_are_refused() {
    let headers = [("abc", "SecretHeaderValue")];
    for bad in [" abc", "abc ", "a;b", ""] {
        assert_refused("GET", &headers, &[bad], "additional header name", bad);
    }
    for bad in ["", "GET ", "PO ST", "GET\n"] {
        assert_refused(bad, &headers, &[], "method", bad);
    }
}

#[test]
fn a_wrong_secret_gives_a_different_signature() {
    let case = vectors()
        .into_iter()
        .find(|c| c["name"] == "process-resize")
        .unwrap();
    let mut tampered = case.clone();
    tampered["input"]["access_key_secret"] = Value::from("wrong-secret");
    let result = std::panic::catch_unwind(|| run_case(&tampered));
    assert!(
        result.is_err(),
        "a wrong secret must not reproduce the vector"
    );
}
