//! Checks a request's V4 signature (OSS4-HMAC-SHA256), in the
//! `Authorization` header form or the presigned query form, against the
//! credentials the emulator accepts, with the service's rules: the time
//! window, presign expiry, the credential scope and the STS token.
//!
//! The canonical request, string to sign and signature come from
//! [`crate::sign`], the same code the client signs with; this module only
//! takes the request apart and decides which error OSS would answer.

use std::time::{Duration, SystemTime};

use crate::credentials::Credentials;
use crate::encoding::{percent_decode, percent_encode_into};
use crate::sign::{
    self, ALGORITHM, UNSIGNED_PAYLOAD, canonical_request, signature, signing_key, string_to_sign,
};
use crate::time::{Timestamp, parse_iso};

use super::errors::OssError;
use super::router::query_params;

/// The largest clock difference OSS accepts for header signatures.
pub(crate) const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// What the signature covers, taken from the request.
pub(crate) struct SignedParts<'a> {
    pub method: &'a str,
    pub bucket: Option<&'a str>,
    pub key: Option<&'a str>,
    /// The query as it came on the wire, without `?`.
    pub query: &'a str,
    pub headers: &'a [(String, String)],
}

impl SignedParts<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        super::server::find_header(self.headers, name)
    }
}

/// The accepted credentials and the signing scope.
#[derive(Debug, Clone)]
pub(crate) struct Verifier {
    pub credentials: Vec<Credentials>,
    pub region: String,
    pub product: String,
    /// When false, the signing time and presign expiry are not compared
    /// with the clock (to replay requests signed at pinned times).
    pub check_time: bool,
}

/// The signing facts a request claims.
struct Claim {
    access_key_id: String,
    date: String,
    region: String,
    product: String,
    iso_time: String,
    additional: String,
    provided: String,
    token: Option<String>,
    /// The normalised wire query, without `x-oss-signature`.
    query: String,
}

impl Verifier {
    /// Checks the request; returns the credentials it was signed with.
    pub fn verify(
        &self,
        parts: &SignedParts<'_>,
        now: SystemTime,
    ) -> Result<&Credentials, OssError> {
        let query_signed = query_params(parts.query).any(|(k, _)| {
            k == "x-oss-signature" || k == "x-oss-signature-version" || k == "x-oss-credential"
        });
        let claim = match parts.header("authorization") {
            Some(auth) => self.header_claim(parts, auth, now)?,
            None if query_signed => self.query_claim(parts, now)?,
            None => {
                return Err(OssError::access_denied(
                    "0003-00000001",
                    "Anonymous access is forbidden for this operation.",
                ));
            }
        };
        self.check_scope(&claim)?;
        let candidates: Vec<&Credentials> = self
            .credentials
            .iter()
            .filter(|c| c.access_key_id() == claim.access_key_id.as_str())
            .collect();
        if candidates.is_empty() {
            return Err(OssError::new(
                403,
                "InvalidAccessKeyId",
                "0002-00000902",
                "The OSS Access Key Id you provided does not exist in our records.",
            )
            .with("OSSAccessKeyId", claim.access_key_id.as_str()));
        }
        let candidates: Vec<&Credentials> = candidates
            .into_iter()
            .filter(|c| c.security_token() == claim.token.as_deref())
            .collect();
        if candidates.is_empty() {
            let message = if claim.token.is_some() {
                "The security token you provided is invalid."
            } else {
                "The security token is missing: these credentials are temporary (STS) and need x-oss-security-token."
            };
            return Err(OssError::new(
                403,
                "InvalidSecurityToken",
                "0002-00000029",
                message,
            ));
        }

        let headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let canonical = canonical_request(
            parts.method,
            parts.bucket,
            parts.key,
            &claim.query,
            &headers,
            &claim.additional,
        );
        let scope = sign::scope(&claim.date, &self.region, &self.product);
        let to_sign = string_to_sign(&claim.iso_time, &scope, &canonical);
        for c in &candidates {
            let key = signing_key(
                c.access_key_secret(),
                &claim.date,
                &self.region,
                &self.product,
            );
            if constant_time_eq(
                signature(&key, &to_sign).as_bytes(),
                claim.provided.as_bytes(),
            ) {
                return Ok(c);
            }
        }
        Err(OssError::new(
            403,
            "SignatureDoesNotMatch",
            "0002-00000040",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        )
        .with("OSSAccessKeyId", claim.access_key_id)
        .with("SignatureProvided", claim.provided)
        .with("StringToSign", to_sign)
        .with("CanonicalRequest", canonical))
    }

    fn check_scope(&self, claim: &Claim) -> Result<(), OssError> {
        if claim.date.len() != 8 || !claim.date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(OssError::access_denied(
                "0002-00000223",
                format!(
                    "Invalid signing date in the credential: {}. Expected the form yyyymmdd.",
                    claim.date
                ),
            ));
        }
        if !claim.iso_time.starts_with(claim.date.as_str()) {
            return Err(OssError::access_denied(
                "0002-00000224",
                format!(
                    "Invalid signing date in the credential: {} is not the date of x-oss-date {}.",
                    claim.date, claim.iso_time
                ),
            ));
        }
        if claim.region != self.region {
            return Err(OssError::access_denied(
                "0002-00000225",
                format!(
                    "Invalid signing region in the credential: {}. Expected {}.",
                    claim.region, self.region
                ),
            ));
        }
        if claim.product != self.product {
            return Err(OssError::access_denied(
                "0002-00000226",
                format!(
                    "Invalid signing product in the credential: {}. Expected {}.",
                    claim.product, self.product
                ),
            ));
        }
        Ok(())
    }

    fn header_claim(
        &self,
        parts: &SignedParts<'_>,
        auth: &str,
        now: SystemTime,
    ) -> Result<Claim, OssError> {
        let Some(fields) = auth
            .strip_prefix(ALGORITHM)
            .filter(|rest| rest.starts_with(' '))
        else {
            return Err(OssError::invalid_argument(format!(
                "Authorization header is invalid: only V4 signatures ({ALGORITHM}) are supported by this emulator."
            )));
        };
        let mut credential = None;
        let mut additional = String::new();
        let mut provided = None;
        for field in fields.split(',') {
            let (name, value) = field.trim().split_once('=').unwrap_or((field.trim(), ""));
            match name {
                "Credential" => credential = Some(value),
                "AdditionalHeaders" => additional = value.to_ascii_lowercase(),
                "Signature" => provided = Some(value.to_string()),
                _ => {}
            }
        }
        let (Some(credential), Some(provided)) = (credential, provided) else {
            return Err(OssError::invalid_argument(
                "Authorization header is invalid: it needs Credential and Signature.",
            ));
        };
        let (access_key_id, date, region, product) = split_credential(credential)?;
        let Some(iso_time) = parts.header("x-oss-date") else {
            return Err(OssError::access_denied(
                "0002-00000227",
                "The x-oss-date header is missing: V4 signatures need it.",
            ));
        };
        let Some(signed_at) = parse_iso(iso_time) else {
            return Err(OssError::access_denied(
                "0002-00000228",
                format!("The x-oss-date header {iso_time:?} is not of the form YYYYMMDDTHHMMSSZ."),
            ));
        };
        if let Some(hash) = parts.header("x-oss-content-sha256")
            && hash != UNSIGNED_PAYLOAD
        {
            return Err(OssError::invalid_argument(format!(
                "x-oss-content-sha256 must be {UNSIGNED_PAYLOAD}, not {hash:?}."
            )));
        }
        if self.check_time && distance(now, signed_at) > MAX_SKEW {
            return Err(OssError::new(
                403,
                "RequestTimeTooSkewed",
                "0002-00000504",
                "The difference between the request time and the current time is too large.",
            )
            .with("RequestTime", iso_time)
            .with("ServerTime", Timestamp::new(now).iso())
            .with(
                "MaxAllowedSkewMilliseconds",
                MAX_SKEW.as_millis().to_string(),
            ));
        }
        Ok(Claim {
            access_key_id,
            date,
            region,
            product,
            iso_time: iso_time.to_string(),
            additional,
            provided,
            token: parts.header("x-oss-security-token").map(str::to_string),
            query: normalize_query(parts.query),
        })
    }

    fn query_claim(&self, parts: &SignedParts<'_>, now: SystemTime) -> Result<Claim, OssError> {
        let get = |name: &str| -> Option<&str> {
            query_params(parts.query)
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v)
        };
        let decoded =
            |name: &str| get(name).map(|v| percent_decode(v).unwrap_or_else(|| v.to_string()));
        let required = |name: &'static str, ec: &'static str| {
            decoded(name).ok_or_else(|| {
                OssError::access_denied(
                    ec,
                    format!("The presigned URL lacks the {name} parameter."),
                )
            })
        };
        let version = required("x-oss-signature-version", "0002-00000213")?;
        if version != ALGORITHM {
            return Err(OssError::invalid_argument(format!(
                "x-oss-signature-version {version:?} is not supported by this emulator: only {ALGORITHM}."
            )));
        }
        let credential = required("x-oss-credential", "0002-00000214")?;
        let iso_time = required("x-oss-date", "0002-00000216")?;
        let expires_text = required("x-oss-expires", "0002-00000215")?;
        let provided = required("x-oss-signature", "0002-00000217")?;
        let Some(signed_at) = parse_iso(&iso_time) else {
            return Err(OssError::access_denied(
                "0002-00000228",
                format!("x-oss-date {iso_time:?} is not of the form YYYYMMDDTHHMMSSZ."),
            ));
        };
        let expires = expires_text
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=sign::MAX_PRESIGN_EXPIRY.as_secs()).contains(s))
            .ok_or_else(|| {
                OssError::access_denied(
                    "0002-00000070",
                    format!(
                        "x-oss-expires {expires_text:?} is invalid: it must be 1 to 604800 seconds."
                    ),
                )
            })?;
        if self.check_time {
            let expires_at = signed_at + Duration::from_secs(expires);
            if now > expires_at {
                return Err(
                    OssError::access_denied("0002-00000069", "Request has expired.")
                        .with("Expires", Timestamp::new(expires_at).iso())
                        .with("ServerTime", Timestamp::new(now).iso()),
                );
            }
            if signed_at > now + MAX_SKEW {
                return Err(OssError::access_denied(
                    "0002-00000235",
                    "Request is not valid yet: x-oss-date is more than 15 minutes ahead of the server time.",
                )
                .with("ServerTime", Timestamp::new(now).iso()));
            }
        }
        let (access_key_id, date, region, product) = split_credential(&credential)?;
        let unsigned = query_params(parts.query)
            .filter(|(k, _)| *k != "x-oss-signature")
            .map(|(k, v)| {
                if v.is_empty() {
                    k.to_string()
                } else {
                    format!("{k}={v}")
                }
            })
            .collect::<Vec<_>>()
            .join("&");
        Ok(Claim {
            access_key_id,
            date,
            region,
            product,
            iso_time,
            additional: decoded("x-oss-additional-headers")
                .unwrap_or_default()
                .to_ascii_lowercase(),
            provided,
            token: decoded("x-oss-security-token"),
            query: normalize_query(&unsigned),
        })
    }
}

/// `AK/yyyymmdd/region/product/aliyun_v4_request` into its parts.
fn split_credential(credential: &str) -> Result<(String, String, String, String), OssError> {
    let mut it = credential.rsplitn(5, '/');
    let (Some(terminator), Some(product), Some(region), Some(date), Some(ak)) =
        (it.next(), it.next(), it.next(), it.next(), it.next())
    else {
        return Err(OssError::invalid_argument(format!(
            "The credential {credential:?} is not of the form <AccessKeyId>/<yyyymmdd>/<region>/<product>/aliyun_v4_request."
        )));
    };
    if terminator != "aliyun_v4_request" || ak.is_empty() {
        return Err(OssError::invalid_argument(format!(
            "The credential {credential:?} is not of the form <AccessKeyId>/<yyyymmdd>/<region>/<product>/aliyun_v4_request."
        )));
    }
    Ok((ak.into(), date.into(), region.into(), product.into()))
}

/// Re-encodes a wire query the way the SDKs encode (RFC 3986 unreserved
/// set, `+` read as a space), so that clients which leave `/` or `,`
/// unescaped canonicalise to the same text as the SDKs.
fn normalize_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len() + 16);
    for (name, value) in query_params(query) {
        if !out.is_empty() {
            out.push('&');
        }
        normalize_component(&mut out, name);
        if !value.is_empty() {
            out.push('=');
            normalize_component(&mut out, value);
        }
    }
    out
}

fn normalize_component(out: &mut String, raw: &str) {
    match percent_decode(&raw.replace('+', "%20")) {
        Some(decoded) => percent_encode_into(out, &decoded, false),
        None => out.push_str(raw),
    }
}

fn distance(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b)
        .or_else(|_| b.duration_since(a))
        .unwrap_or(Duration::MAX)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
