//! An independent V4 signature check for recorded requests, written apart
//! from `src/sign/` from the published algorithm, so that a mistake there
//! is not repeated here.

use super::server::Recorded;

/// An independent V4 check (written apart from `src/sign/`, from the
/// published algorithm): recomputes the signature of a recorded header-signed
/// request and compares it with its `Authorization`. `bucket` and `key` are
/// what the canonical URI names (the bucket is there whatever the style).
pub fn verify_v4(
    req: &Recorded,
    bucket: &str,
    key: &str,
    secret: &str,
    region: &str,
) -> Result<(), String> {
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::{Digest, Sha256};
    type H = Hmac<Sha256>;
    fn mac(k: &[u8], d: &str) -> Vec<u8> {
        let mut m = <H as KeyInit>::new_from_slice(k).unwrap();
        m.update(d.as_bytes());
        m.finalize().into_bytes().to_vec()
    }
    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
    fn enc(s: &str, slash: bool) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b'/' if slash => "/".into(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    let auth = req.header("authorization").ok_or("no Authorization")?;
    let rest = auth
        .strip_prefix("OSS4-HMAC-SHA256 ")
        .ok_or("not OSS4-HMAC-SHA256")?;
    let mut credential = "";
    let mut provided = "";
    for part in rest.split(',') {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = v;
        } else if let Some(v) = part.strip_prefix("Signature=") {
            provided = v;
        } else if part.starts_with("AdditionalHeaders=") {
            return Err("additional headers not expected here".into());
        }
    }
    let scope_parts: Vec<&str> = credential.split('/').collect();
    if scope_parts.len() != 5
        || scope_parts[2] != region
        || scope_parts[3] != "oss"
        || scope_parts[4] != "aliyun_v4_request"
    {
        return Err(format!("bad credential scope {credential}"));
    }
    let date_time = req.header("x-oss-date").ok_or("no x-oss-date")?;
    if !date_time.starts_with(scope_parts[1]) {
        return Err("x-oss-date does not match the scope date".into());
    }
    let mut items: Vec<(String, String)> = req
        .query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|s| match s.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (s.to_string(), String::new()),
        })
        .collect();
    items.sort();
    let query = items
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut signed: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(n, _)| n.starts_with("x-oss-") || n == "content-type" || n == "content-md5")
        .collect();
    signed.sort();
    let headers: String = signed.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let canonical = format!(
        "{}\n/{}/{}\n{}\n{}\n\nUNSIGNED-PAYLOAD",
        req.method,
        enc(bucket, true),
        enc(key, true),
        query,
        headers
    );
    let scope = format!("{}/{region}/oss/aliyun_v4_request", scope_parts[1]);
    let to_sign = format!(
        "OSS4-HMAC-SHA256\n{date_time}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let k = mac(format!("aliyun_v4{secret}").as_bytes(), scope_parts[1]);
    let k = mac(&k, region);
    let k = mac(&k, "oss");
    let k = mac(&k, "aliyun_v4_request");
    let expected = hex(&mac(&k, &to_sign));
    if expected == provided {
        Ok(())
    } else {
        Err(format!(
            "signature mismatch; canonical request was:\n{canonical}"
        ))
    }
}
