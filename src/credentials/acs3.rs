//! The ACS3-HMAC-SHA256 request signature (Alibaba Cloud OpenAPI
//! "signature method V3"), with which STS `AssumeRole` calls are signed.
//! Sans-IO: it turns a request's parts into its `Authorization` header.
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n
//!                    CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//! StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))
//! Signature        = hex(hmac_sha256(AccessKeySecret, StringToSign))
//! Authorization    = ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<names>,Signature=<hex>
//! ```
//!
//! The query is sorted by name, names and values percent-encoded as RFC 3986
//! (`%20` for a space, `~` kept), `name=value` joined by `&` (a name with an
//! empty value alone); headers are lower-cased, trimmed, sorted, values of
//! a repeated name sorted and joined by `,`. As the official OpenAPI SDKs
//! (darabonba-openapi `doRequest`, which the STS SDK's `AssumeRole` uses by
//! default) compute it.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::encoding::percent_encode_into;

/// The algorithm's name, as the `Authorization` header starts.
pub(crate) const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// A request to sign.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    /// The path, e.g. `/` for RPC-style APIs.
    pub(crate) path: &'a str,
    /// Query parameters, unencoded.
    pub(crate) query: &'a [(&'a str, &'a str)],
    /// The headers to sign (`host`, `x-acs-*`, `content-type`), unencoded.
    pub(crate) headers: &'a [(&'a str, &'a str)],
    /// hex(sha256(body)), also sent as `x-acs-content-sha256`.
    pub(crate) payload_hash: &'a str,
}

/// Lower-case hex of SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The canonical request (see the module docs).
pub(crate) fn canonical_request(request: &Request<'_>) -> (String, String) {
    let mut out = String::with_capacity(256);
    out.push_str(request.method);
    out.push('\n');
    percent_encode_into(&mut out, request.path, true);
    out.push('\n');
    let mut query: Vec<(&str, &str)> = request.query.to_vec();
    query.sort_unstable();
    for (i, (name, value)) in query.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(&mut out, name, false);
        if !value.is_empty() {
            out.push('=');
            percent_encode_into(&mut out, value, false);
        }
    }
    out.push('\n');
    let mut headers: Vec<(String, &str)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect();
    headers.sort_unstable();
    let mut signed = String::new();
    let mut previous: Option<&str> = None;
    for (name, value) in &headers {
        if previous == Some(name.as_str()) {
            out.push(',');
        } else {
            if previous.is_some() {
                out.push('\n');
                signed.push(';');
            }
            out.push_str(name);
            out.push(':');
            signed.push_str(name);
        }
        out.push_str(value);
        previous = Some(name);
    }
    if previous.is_some() {
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed);
    out.push('\n');
    out.push_str(request.payload_hash);
    (out, signed)
}

/// The `Authorization` header value for `request`.
pub(crate) fn authorization(request: &Request<'_>, access_key_id: &str, secret: &str) -> String {
    let (canonical, signed_headers) = canonical_request(request);
    let to_sign = format!("{ALGORITHM}\n{}", sha256_hex(canonical.as_bytes()));
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(to_sign.as_bytes());
    let signature = hex(&mac.finalize().into_bytes());
    format!(
        "{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_openapi_util_vector() {
        // darabonba-openapi-util python/tests/test_client.py,
        // test_get_authorization: no path, an empty query value, a header
        // name repeated in two cases.
        let request = Request {
            method: "GET",
            path: "",
            query: &[("test", "ok"), ("empty", "")],
            headers: &[("x-acs-test", "http"), ("x-acs-TEST", "https")],
            payload_hash: "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23",
        };
        assert_eq!(
            authorization(&request, "acesskey", "secret"),
            "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=da772425f29289d3460d5fc961455d40c5e8c6afd0888b78a910c991e6a14846"
        );
    }

    #[test]
    fn canonical_form_of_an_assume_role_call() {
        let request = Request {
            method: "POST",
            path: "/",
            query: &[
                ("RoleSessionName", "oss process"),
                ("RoleArn", "acs:ram::1234567890123456:role/oss-reader"),
                ("Policy", "{\"a\":\"*~\"}"),
            ],
            headers: &[
                ("x-acs-action", "AssumeRole"),
                ("host", "sts.aliyuncs.com"),
                ("x-acs-content-sha256", &sha256_hex(b"")),
            ],
            payload_hash: &sha256_hex(b""),
        };
        let (canonical, signed) = canonical_request(&request);
        assert_eq!(signed, "host;x-acs-action;x-acs-content-sha256");
        assert_eq!(
            canonical,
            "POST\n/\nPolicy=%7B%22a%22%3A%22%2A~%22%7D&RoleArn=acs%3Aram%3A%3A1234567890123456%3Arole%2Foss-reader&RoleSessionName=oss%20process\nhost:sts.aliyuncs.com\nx-acs-action:AssumeRole\nx-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\nhost;x-acs-action;x-acs-content-sha256\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
