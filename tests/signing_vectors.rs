//! Every case in `tests/data/signing-vectors.json` (computed by the official
//! Python SDK V2 with the time pinned) must reproduce byte for byte: the
//! canonical request, the string to sign, and the Authorization header or
//! the presigned URL.

use std::time::{Duration, SystemTime};

use oss_process::Credentials;
use oss_process::sign::{SignableRequest, Signer};
use serde_json::Value;

mod common;

fn vectors() -> Vec<Value> {
    let text = include_str!("data/signing-vectors.json");
    let doc: Value = serde_json::from_str(text).expect("valid JSON");
    doc["cases"].as_array().expect("cases").clone()
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
    let headers: Vec<(&str, &str)> = input["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
        .collect();
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
            let signed = signer.sign_headers(&request, &credentials, time);
            assert_eq!(
                signed.get("Authorization"),
                case["authorization"].as_str(),
                "{name}: Authorization"
            );
            for (k, v) in case["signed_request_headers"].as_object().unwrap() {
                if let Some(ours) = signed.get(k) {
                    assert_eq!(Some(ours), v.as_str(), "{name}: header {k}");
                }
            }
            (signed.canonical_request, signed.string_to_sign)
        }
        "presign" => {
            let expires = Duration::from_secs(input["expires_seconds"].as_u64().unwrap());
            let presigned = signer
                .presign(base, &request, &credentials, time, expires)
                .expect("presign");
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
    assert!(
        cases.len() >= 12,
        "expected the full vector set, got {}",
        cases.len()
    );
    for case in &cases {
        run_case(case);
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
