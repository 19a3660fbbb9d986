//! V4 request signing (OSS4-HMAC-SHA256), without I/O.
//!
//! This module turns request parts, a time and credentials into the headers
//! to add (header form) or a presigned URL (query form), exactly as the
//! official Alibaba Cloud SDKs (Python and Go V2) do. It never touches the
//! network and imports nothing from the HTTP client; the time is an argument,
//! so tests pin it.
//!
//! The algorithm, in the order [`Signer::sign_headers`] runs it:
//! 1. `x-oss-date` (ISO basic form), `x-oss-content-sha256: UNSIGNED-PAYLOAD`
//!    and, with an STS token, `x-oss-security-token` are added;
//! 2. the canonical request is built: method, canonical URI (always
//!    `/<bucket>/<key>`, whatever the address style), canonical query,
//!    canonical headers (`x-oss-*`, `content-type`, `content-md5` and the
//!    additional headers), the additional header list, `UNSIGNED-PAYLOAD`;
//! 3. the string to sign is `OSS4-HMAC-SHA256`, the time, the scope
//!    `<yyyymmdd>/<region>/<product>/aliyun_v4_request` and the hex SHA-256
//!    of the canonical request;
//! 4. the signing key is the HMAC chain `"aliyun_v4" + secret` → date →
//!    region → product → `aliyun_v4_request`, cached per secret, date,
//!    region and product;
//! 5. the signature is the hex HMAC of the string to sign.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::credentials::Credentials;
use crate::encoding::percent_encode_into;
use crate::error::Error;

/// The algorithm name, first line of the string to sign.
pub const ALGORITHM: &str = "OSS4-HMAC-SHA256";
/// The payload hash OSS V4 uses: the body is never hashed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The longest presign expiry OSS accepts: 7 days.
pub const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);

type HmacSha256 = Hmac<Sha256>;

/// The parts of a request that the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// Bucket name, if the request names one (it is in the canonical URI
    /// whatever the address style).
    pub bucket: Option<&'a str>,
    /// Object key, unencoded.
    pub key: Option<&'a str>,
    /// The query string exactly as it goes on the wire (percent-encoded),
    /// without the leading `?`; empty for none.
    pub query: &'a str,
    /// The headers the request carries (names as sent, any case).
    pub headers: &'a [(&'a str, &'a str)],
    /// Extra header names to sign besides the default ones (`x-oss-*`,
    /// `content-type`, `content-md5`). Names not present in `headers` are
    /// dropped, as the SDKs do.
    pub additional_headers: &'a [&'a str],
}

/// The headers that header-form signing adds, and the intermediate values.
#[derive(Debug, Clone)]
pub struct SignedHeaders {
    /// Headers to add to the request: `x-oss-date`, `Date`,
    /// `x-oss-content-sha256`, `x-oss-security-token` (with STS) and
    /// `Authorization`. Values are ready for the wire.
    pub headers: Vec<(&'static str, String)>,
    /// The canonical request that was signed (for debugging).
    pub canonical_request: String,
    /// The string to sign (for debugging).
    pub string_to_sign: String,
}

impl SignedHeaders {
    /// The value of one added header, by exact name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A presigned URL and the intermediate values.
///
/// `Debug` shows the URL with the STS token redacted; the `url` field
/// itself carries it, as it must for the URL to work.
#[derive(Clone)]
pub struct Presigned {
    /// The URL to hand out: the base URL, the original query, the signing
    /// parameters and `x-oss-signature` last.
    pub url: String,
    /// When the URL stops working.
    pub expires_at: SystemTime,
    /// The canonical request that was signed (for debugging).
    pub canonical_request: String,
    /// The string to sign (for debugging).
    pub string_to_sign: String,
}

impl std::fmt::Debug for Presigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presigned")
            .field("url", &redact_token(&self.url))
            .field("expires_at", &self.expires_at)
            .field("canonical_request", &redact_token(&self.canonical_request))
            .finish_non_exhaustive()
    }
}

/// `text` with the value after `x-oss-security-token` (in a query `=` or a
/// canonical header `:`) replaced by `<redacted>`.
pub(crate) fn redact_token(text: &str) -> String {
    const NAME: &str = "x-oss-security-token";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(NAME) {
        let name_end = start + NAME.len();
        if !matches!(rest.as_bytes().get(name_end), Some(b'=' | b':')) {
            out.push_str(&rest[..name_end]);
            rest = &rest[name_end..];
            continue;
        }
        let value_start = name_end + 1;
        out.push_str(&rest[..value_start]);
        out.push_str("<redacted>");
        let tail = &rest[value_start..];
        rest = &tail[tail.find(['&', '\n']).unwrap_or(tail.len())..];
    }
    out.push_str(rest);
    out
}

#[derive(Clone)]
struct CachedKey {
    secret: Arc<str>,
    date: [u8; 8],
    key: [u8; 32],
}

/// Signs requests for one region and product, caching the derived signing
/// key (it changes only with the secret and the UTC date).
pub struct Signer {
    region: Box<str>,
    product: Box<str>,
    cache: Mutex<Option<CachedKey>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("region", &self.region)
            .field("product", &self.product)
            .finish_non_exhaustive()
    }
}

impl Clone for Signer {
    fn clone(&self) -> Self {
        Signer::new(&self.region, &self.product)
    }
}

impl Signer {
    /// A signer for `region` (the plain id, e.g. `cn-hangzhou`) and `product`
    /// (`oss`, or `oss-cloudbox` for CloudBox).
    #[must_use]
    pub fn new(region: &str, product: &str) -> Self {
        Signer {
            region: region.into(),
            product: product.into(),
            cache: Mutex::new(None),
        }
    }

    /// The signing region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The signing product.
    pub fn product(&self) -> &str {
        &self.product
    }

    /// Header-form signing: returns the headers to add to `request`.
    ///
    /// Any `x-oss-date`, `x-oss-content-sha256` or `x-oss-security-token` in
    /// `request.headers` is replaced by the signer's own value.
    pub fn sign_headers(
        &self,
        request: &SignableRequest<'_>,
        credentials: &Credentials,
        time: SystemTime,
    ) -> SignedHeaders {
        let t = Timestamp::new(time);
        let token = credentials.security_token();
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(request.headers.len() + 3);
        headers.extend(request.headers.iter().copied().filter(|(n, _)| {
            !(n.eq_ignore_ascii_case("x-oss-date")
                || n.eq_ignore_ascii_case("x-oss-content-sha256")
                || n.eq_ignore_ascii_case("x-oss-security-token"))
        }));
        headers.push(("x-oss-date", t.iso()));
        headers.push(("x-oss-content-sha256", UNSIGNED_PAYLOAD));
        if let Some(token) = token {
            headers.push(("x-oss-security-token", token));
        }
        let additional = additional_header_list(request.additional_headers, &headers);
        let canonical_request = canonical_request(
            request.method,
            request.bucket,
            request.key,
            request.query,
            &headers,
            &additional,
        );
        let scope = self.scope(t.date());
        let string_to_sign = string_to_sign(t.iso(), &scope, &canonical_request);
        let key = self.signing_key(credentials, t.date());
        let signature = signature(&key, &string_to_sign);

        let mut authorization = String::with_capacity(
            ALGORITHM.len() + credentials.access_key_id().len() + scope.len() + 100,
        );
        authorization.push_str(ALGORITHM);
        authorization.push_str(" Credential=");
        authorization.push_str(credentials.access_key_id());
        authorization.push('/');
        authorization.push_str(&scope);
        if !additional.is_empty() {
            authorization.push_str(",AdditionalHeaders=");
            authorization.push_str(&additional);
        }
        authorization.push_str(",Signature=");
        authorization.push_str(&signature);

        let mut out = Vec::with_capacity(5);
        out.push(("x-oss-date", t.iso().to_string()));
        out.push(("Date", t.http_date()));
        out.push(("x-oss-content-sha256", UNSIGNED_PAYLOAD.to_string()));
        if let Some(token) = token {
            out.push(("x-oss-security-token", token.to_string()));
        }
        out.push(("Authorization", authorization));
        SignedHeaders {
            headers: out,
            canonical_request,
            string_to_sign,
        }
    }

    /// Query-form signing: returns a URL that works without headers until
    /// `time + expires`.
    ///
    /// `base_url` is `scheme://host/encoded-path` without a query;
    /// `request.query` is the original wire query (e.g.
    /// `x-oss-process=image%2Fresize%2Cw_100`). Headers in `request.headers`
    /// that are signed (`x-oss-*`, `content-type`, `content-md5`, additional)
    /// must be sent with the same values by whoever uses the URL.
    ///
    /// `expires` must be 1 second to 7 days ([`MAX_PRESIGN_EXPIRY`]), whole
    /// seconds; anything else is [`Error::InvalidArgument`].
    pub fn presign(
        &self,
        base_url: &str,
        request: &SignableRequest<'_>,
        credentials: &Credentials,
        time: SystemTime,
        expires: Duration,
    ) -> Result<Presigned, Error> {
        check_presign_expiry(expires)?;
        let t = Timestamp::new(time);
        let scope = self.scope(t.date());
        let headers: Vec<(&str, &str)> = request.headers.to_vec();
        let additional = additional_header_list(request.additional_headers, &headers);

        let mut query = String::with_capacity(request.query.len() + 256);
        query.push_str(request.query);
        let mut add = |name: &str, value: &str| {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(name);
            query.push('=');
            percent_encode_into(&mut query, value, false);
        };
        add("x-oss-signature-version", ALGORITHM);
        add("x-oss-date", t.iso());
        add("x-oss-expires", &expires.as_secs().to_string());
        add(
            "x-oss-credential",
            &format!("{}/{}", credentials.access_key_id(), scope),
        );
        if let Some(token) = credentials.security_token() {
            add("x-oss-security-token", token);
        }
        if !additional.is_empty() {
            add("x-oss-additional-headers", &additional);
        }

        let canonical_request = canonical_request(
            request.method,
            request.bucket,
            request.key,
            &query,
            &headers,
            &additional,
        );
        let string_to_sign = string_to_sign(t.iso(), &scope, &canonical_request);
        let key = self.signing_key(credentials, t.date());
        let signature = signature(&key, &string_to_sign);

        let mut url = String::with_capacity(base_url.len() + query.len() + 100);
        url.push_str(base_url);
        url.push('?');
        url.push_str(&query);
        url.push_str("&x-oss-signature=");
        url.push_str(&signature);
        Ok(Presigned {
            url,
            expires_at: time + expires,
            canonical_request,
            string_to_sign,
        })
    }

    /// `<yyyymmdd>/<region>/<product>/aliyun_v4_request`.
    pub fn scope(&self, date: &str) -> String {
        scope(date, &self.region, &self.product)
    }

    /// The derived signing key for `date` (`yyyymmdd`), from the cache when
    /// the secret and date are the ones last used.
    pub fn signing_key(&self, credentials: &Credentials, date: &str) -> [u8; 32] {
        let secret = credentials.access_key_secret();
        let date_bytes: [u8; 8] = match date.as_bytes().try_into() {
            Ok(d) => d,
            Err(_) => return signing_key(secret, date, &self.region, &self.product),
        };
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.as_ref() {
            if c.date == date_bytes && &*c.secret == secret {
                return c.key;
            }
        }
        let key = signing_key(secret, date, &self.region, &self.product);
        *cache = Some(CachedKey {
            secret: Arc::from(secret),
            date: date_bytes,
            key,
        });
        key
    }
}

/// Checks a presign expiry: 1 second to 7 days.
pub fn check_presign_expiry(expires: Duration) -> Result<(), Error> {
    if expires < Duration::from_secs(1) || expires > MAX_PRESIGN_EXPIRY {
        return Err(Error::invalid(
            "expires",
            format!(
                "a presigned URL must expire 1 to 604800 seconds (7 days) after signing, not {} s",
                expires.as_secs_f64()
            ),
        ));
    }
    Ok(())
}

/// `<yyyymmdd>/<region>/<product>/aliyun_v4_request`.
pub fn scope(date: &str, region: &str, product: &str) -> String {
    let mut s = String::with_capacity(date.len() + region.len() + product.len() + 20);
    s.push_str(date);
    s.push('/');
    s.push_str(region);
    s.push('/');
    s.push_str(product);
    s.push_str("/aliyun_v4_request");
    s
}

/// The canonical URI: `/` + `<bucket>/` + `<key>`, percent-encoded except `/`.
pub fn canonical_uri(bucket: Option<&str>, key: Option<&str>) -> String {
    let mut s =
        String::with_capacity(2 + bucket.map_or(0, str::len) + key.map_or(0, |k| k.len() * 2));
    s.push('/');
    if let Some(b) = bucket {
        percent_encode_into(&mut s, b, true);
        s.push('/');
    }
    if let Some(k) = key {
        percent_encode_into(&mut s, k, true);
    }
    s
}

/// The canonical query from a wire query: split on `&`, split each item at
/// the first `=`, sort by the encoded name, `name=value` or just `name` when
/// the value is empty, joined by `&`. A `+` counts as `%20`, as Go does.
pub fn canonical_query(wire_query: &str) -> String {
    if wire_query.is_empty() {
        return String::new();
    }
    let mut items: Vec<(String, String)> = wire_query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (k, v) = item.split_once('=').unwrap_or((item, ""));
            (k.replace('+', "%20"), v.replace('+', "%20"))
        })
        .collect();
    items.sort();
    let mut out = String::with_capacity(wire_query.len() + 8);
    for (i, (k, v)) in items.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        if !v.is_empty() {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

fn is_default_signed(lower: &str) -> bool {
    lower.starts_with("x-oss-") || lower == "content-type" || lower == "content-md5"
}

/// The `;`-joined list of additional headers to sign: lowercased, without
/// default-signed names, only those present in `headers` with a non-empty
/// value, de-duplicated and sorted.
pub fn additional_header_list(additional: &[&str], headers: &[(&str, &str)]) -> String {
    if additional.is_empty() {
        return String::new();
    }
    let mut names: Vec<String> = additional
        .iter()
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty() && !is_default_signed(n))
        .filter(|n| {
            headers
                .iter()
                .any(|(h, v)| h.eq_ignore_ascii_case(n) && !v.trim().is_empty())
        })
        .collect();
    names.sort();
    names.dedup();
    names.join(";")
}

/// The canonical request, six parts joined by `\n`. `headers` must already
/// hold `x-oss-date` and the other signer headers; `additional` is the list
/// from [`additional_header_list`].
pub fn canonical_request(
    method: &str,
    bucket: Option<&str>,
    key: Option<&str>,
    wire_query: &str,
    headers: &[(&str, &str)],
    additional: &str,
) -> String {
    let mut signed: Vec<(String, &str)> = headers
        .iter()
        .filter_map(|(name, value)| {
            let lower = name.trim().to_ascii_lowercase();
            let extra = !additional.is_empty() && additional.split(';').any(|a| a == lower);
            (is_default_signed(&lower) || extra).then(|| (lower, value.trim()))
        })
        .collect();
    // Stable sort keeps repeated headers in the order sent; they are joined by `,`.
    signed.sort_by(|a, b| a.0.cmp(&b.0));

    let mut out = String::with_capacity(256 + wire_query.len());
    out.push_str(&method.to_ascii_uppercase());
    out.push('\n');
    out.push_str(&canonical_uri(bucket, key));
    out.push('\n');
    out.push_str(&canonical_query(wire_query));
    out.push('\n');
    let mut i = 0;
    while i < signed.len() {
        let name = &signed[i].0;
        out.push_str(name);
        out.push(':');
        out.push_str(signed[i].1);
        i += 1;
        while i < signed.len() && signed[i].0 == *name {
            out.push(',');
            out.push_str(signed[i].1);
            i += 1;
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(additional);
    out.push('\n');
    out.push_str(UNSIGNED_PAYLOAD);
    out
}

/// `OSS4-HMAC-SHA256\n<iso time>\n<scope>\n<hex sha256(canonical request)>`.
pub fn string_to_sign(iso_time: &str, scope: &str, canonical_request: &str) -> String {
    let hash = Sha256::digest(canonical_request.as_bytes());
    let mut s = String::with_capacity(ALGORITHM.len() + iso_time.len() + scope.len() + 67);
    s.push_str(ALGORITHM);
    s.push('\n');
    s.push_str(iso_time);
    s.push('\n');
    s.push_str(scope);
    s.push('\n');
    push_hex(&mut s, &hash);
    s
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac =
        <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The derived key: HMAC chain `"aliyun_v4" + secret` → date → region →
/// product → `aliyun_v4_request`.
pub fn signing_key(secret: &str, date: &str, region: &str, product: &str) -> [u8; 32] {
    let mut first = Vec::with_capacity(9 + secret.len());
    first.extend_from_slice(b"aliyun_v4");
    first.extend_from_slice(secret.as_bytes());
    let k1 = hmac(&first, date.as_bytes());
    let k2 = hmac(&k1, region.as_bytes());
    let k3 = hmac(&k2, product.as_bytes());
    hmac(&k3, b"aliyun_v4_request")
}

/// Lower-case hex HMAC-SHA256 of the string to sign.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    let mac = hmac(signing_key, string_to_sign.as_bytes());
    let mut s = String::with_capacity(64);
    push_hex(&mut s, &mac);
    s
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xF) as usize] as char);
    }
}

/// A signing time in the forms OSS uses.
#[derive(Debug, Clone, Copy)]
pub struct Timestamp {
    dt: OffsetDateTime,
    iso: [u8; 16],
}

impl Timestamp {
    /// The UTC time `t`, truncated to whole seconds.
    pub fn new(t: SystemTime) -> Self {
        let dt = OffsetDateTime::from(t);
        let mut iso = [0u8; 16];
        let mut w = Cursor(&mut iso, 0);
        let _ = write!(
            w,
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        );
        Timestamp { dt, iso }
    }

    /// `YYYYMMDDTHHMMSSZ`, the `x-oss-date` form.
    pub fn iso(&self) -> &str {
        std::str::from_utf8(&self.iso).unwrap_or("")
    }

    /// `YYYYMMDD`, the scope date.
    pub fn date(&self) -> &str {
        &self.iso()[..8]
    }

    /// RFC 1123 form, for the `Date` header: `Mon, 15 Jan 2024 08:30:00 GMT`.
    pub fn http_date(&self) -> String {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let dt = self.dt;
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            DAYS[dt.weekday().number_days_from_monday() as usize],
            dt.day(),
            MONTHS[u8::from(dt.month()) as usize - 1],
            dt.year(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )
    }
}

struct Cursor<'a>(&'a mut [u8; 16], usize);

impl std::fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.1 + s.len();
        if end > self.0.len() {
            return Err(std::fmt::Error);
        }
        self.0[self.1..end].copy_from_slice(s.as_bytes());
        self.1 = end;
        Ok(())
    }
}

/// Parses an `x-oss-date` value (`YYYYMMDDTHHMMSSZ`).
pub fn parse_iso(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let month = time::Month::try_from(num(4..6)? as u8).ok()?;
    let date = time::Date::from_calendar_date(num(0..4)? as i32, month, num(6..8)? as u8).ok()?;
    let t = time::Time::from_hms(num(9..11)? as u8, num(11..13)? as u8, num(13..15)? as u8).ok()?;
    Some(date.with_time(t).assume_utc().into())
}

/// Parses an RFC 1123 HTTP date (`Mon, 15 Jan 2024 08:30:00 GMT`).
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = s.split_ascii_whitespace();
    let _weekday = parts.next()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let month_name = parts.next()?;
    let month_index = MONTHS.iter().position(|m| *m == month_name)?;
    let year: i32 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let h: u8 = hms.next()?.parse().ok()?;
    let m: u8 = hms.next()?.parse().ok()?;
    let sec: u8 = hms.next()?.parse().ok()?;
    if parts.next()? != "GMT" || hms.next().is_some() {
        return None;
    }
    let month = time::Month::try_from(month_index as u8 + 1).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let t = time::Time::from_hms(h, m, sec).ok()?;
    Some(date.with_time(t).assume_utc().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn timestamp_forms() {
        let t = Timestamp::new(at(1_705_307_400)); // 2024-01-15T08:30:00Z
        assert_eq!(t.iso(), "20240115T083000Z");
        assert_eq!(t.date(), "20240115");
        assert_eq!(t.http_date(), "Mon, 15 Jan 2024 08:30:00 GMT");
        assert_eq!(parse_iso("20240115T083000Z"), Some(at(1_705_307_400)));
        assert_eq!(
            parse_http_date("Mon, 15 Jan 2024 08:30:00 GMT"),
            Some(at(1_705_307_400))
        );
        assert_eq!(parse_iso("2024-01-15T08:30:00Z"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn canonical_query_sorts_and_drops_empty_values() {
        assert_eq!(
            canonical_query(
                "param1=value1&%2Bparam1=value3&%7Cparam1=value4&%2Bparam2&%7Cparam2&param2"
            ),
            "%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2"
        );
        assert_eq!(canonical_query("x-oss-process="), "x-oss-process");
        assert_eq!(canonical_query("x-oss-process"), "x-oss-process");
        assert_eq!(canonical_query(""), "");
    }

    #[test]
    fn canonical_uri_keeps_slashes_and_bucket() {
        assert_eq!(canonical_uri(None, None), "/");
        assert_eq!(canonical_uri(Some("bucket"), None), "/bucket/");
        assert_eq!(
            canonical_uri(Some("bucket"), Some("1234+-/123/1.txt")),
            "/bucket/1234%2B-/123/1.txt"
        );
    }

    #[test]
    fn additional_headers_are_filtered_and_sorted() {
        let headers = [
            ("abc", "value"),
            ("ZAbc", "value"),
            ("x-oss-head1", "value"),
            ("empty", " "),
        ];
        assert_eq!(
            additional_header_list(
                &[
                    "x-oss-no-exist",
                    "ZAbc",
                    "x-oss-head1",
                    "abc",
                    "empty",
                    "abc"
                ],
                &headers
            ),
            "abc;zabc"
        );
    }

    #[test]
    fn signing_key_is_cached_per_secret_and_date() {
        let s = Signer::new("cn-hangzhou", "oss");
        let a = Credentials::new("ak", "sk");
        let b = Credentials::new("ak", "other");
        let k1 = s.signing_key(&a, "20240115");
        assert_eq!(k1, signing_key("sk", "20240115", "cn-hangzhou", "oss"));
        assert_eq!(s.signing_key(&a, "20240115"), k1);
        assert_ne!(s.signing_key(&b, "20240115"), k1);
        assert_ne!(s.signing_key(&a, "20240116"), k1);
        assert_eq!(s.signing_key(&a, "20240115"), k1);
    }

    #[test]
    fn presign_expiry_bounds() {
        let s = Signer::new("cn-hangzhou", "oss");
        let c = Credentials::new("ak", "sk");
        let req = SignableRequest {
            method: "GET",
            bucket: Some("b"),
            key: Some("k"),
            query: "",
            headers: &[],
            additional_headers: &[],
        };
        for bad in [
            Duration::ZERO,
            Duration::from_millis(500),
            MAX_PRESIGN_EXPIRY + Duration::from_secs(1),
        ] {
            let e = s
                .presign("https://b.h/k", &req, &c, at(0), bad)
                .unwrap_err();
            assert!(e.to_string().contains("604800"), "{e}");
        }
        for good in [Duration::from_secs(1), MAX_PRESIGN_EXPIRY] {
            assert!(s.presign("https://b.h/k", &req, &c, at(0), good).is_ok());
        }
    }

    #[test]
    fn presigned_debug_redacts_the_token() {
        assert_eq!(
            redact_token("a?x=1&x-oss-security-token=tok&y=2"),
            "a?x=1&x-oss-security-token=<redacted>&y=2"
        );
        assert_eq!(
            redact_token("x-oss-security-token:tok\nz"),
            "x-oss-security-token:<redacted>\nz"
        );
        assert_eq!(
            redact_token("x-oss-security-token€"),
            "x-oss-security-token€"
        );
        assert_eq!(redact_token("x-oss-security-token"), "x-oss-security-token");
    }

    #[test]
    fn token_header_is_added_and_signed() {
        let s = Signer::new("cn-hangzhou", "oss");
        let c = Credentials::new("ak", "sk").with_security_token("tok");
        let req = SignableRequest {
            method: "POST",
            bucket: Some("b"),
            key: Some("k"),
            query: "x-oss-process",
            headers: &[("x-oss-date", "stale")],
            additional_headers: &[],
        };
        let signed = s.sign_headers(&req, &c, at(1_705_307_400));
        assert_eq!(signed.get("x-oss-security-token"), Some("tok"));
        assert_eq!(signed.get("x-oss-date"), Some("20240115T083000Z"));
        assert!(
            signed
                .canonical_request
                .contains("x-oss-security-token:tok\n")
        );
        assert!(!signed.canonical_request.contains("stale"));
    }
}
