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

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

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
    /// An HMAC already keyed with `key`: a clone of it signs without hashing
    /// the key blocks again.
    mac: HmacSha256,
}

impl CachedKey {
    fn derive(secret: &str, date: &str, region: &str, product: &str) -> Self {
        let key = signing_key(secret, date, region, product);
        CachedKey {
            secret: Arc::from(secret),
            date: date.as_bytes().try_into().unwrap_or_default(),
            key,
            mac: <HmacSha256 as KeyInit>::new_from_slice(&key)
                .expect("HMAC takes keys of any length"),
        }
    }
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
        let canonical_request = canonical_request_from(
            request.method,
            request.bucket,
            request.key,
            request.query,
            headers,
            &additional,
        );
        let scope = scope_parts(t.date(), &self.region, &self.product);
        let string_to_sign = string_to_sign_parts(t.iso(), &scope, &canonical_request);

        let mut authorization = String::with_capacity(
            ALGORITHM.len()
                + credentials.access_key_id().len()
                + self.region.len()
                + self.product.len()
                + additional.len()
                + 130,
        );
        authorization.push_str(ALGORITHM);
        authorization.push_str(" Credential=");
        authorization.push_str(credentials.access_key_id());
        authorization.push('/');
        authorization.extend(scope);
        if !additional.is_empty() {
            authorization.push_str(",AdditionalHeaders=");
            authorization.push_str(&additional);
        }
        authorization.push_str(",Signature=");
        push_signature(
            &mut authorization,
            self.keyed_mac(credentials, t.date()),
            &string_to_sign,
        );

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
        let scope = scope_parts(t.date(), &self.region, &self.product);
        let headers = request.headers;
        let additional = additional_header_list(request.additional_headers, headers);

        let mut query = String::with_capacity(request.query.len() + 256);
        query.push_str(request.query);
        let mut add = |name: &str, value: &str| push_query_param(&mut query, name, [value]);
        add("x-oss-signature-version", ALGORITHM);
        add("x-oss-date", t.iso());
        add("x-oss-expires", decimal(expires.as_secs(), &mut [0; 20]));
        let credential = [credentials.access_key_id(), "/"].into_iter().chain(scope);
        push_query_param(&mut query, "x-oss-credential", credential);
        if let Some(token) = credentials.security_token() {
            push_query_param(&mut query, "x-oss-security-token", [token]);
        }
        if !additional.is_empty() {
            push_query_param(
                &mut query,
                "x-oss-additional-headers",
                [additional.as_str()],
            );
        }

        let canonical_request = canonical_request(
            request.method,
            request.bucket,
            request.key,
            &query,
            headers,
            &additional,
        );
        let string_to_sign = string_to_sign_parts(t.iso(), &scope, &canonical_request);

        let mut url = String::with_capacity(base_url.len() + query.len() + 100);
        url.push_str(base_url);
        url.push('?');
        url.push_str(&query);
        url.push_str("&x-oss-signature=");
        push_signature(
            &mut url,
            self.keyed_mac(credentials, t.date()),
            &string_to_sign,
        );
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
        self.with_cached_key(credentials, date, |cached| cached.key)
    }

    /// An HMAC keyed with the signing key for `date`, ready to sign.
    fn keyed_mac(&self, credentials: &Credentials, date: &str) -> HmacSha256 {
        self.with_cached_key(credentials, date, |cached| cached.mac.clone())
    }

    fn with_cached_key<T>(
        &self,
        credentials: &Credentials,
        date: &str,
        read: impl FnOnce(&CachedKey) -> T,
    ) -> T {
        let secret = credentials.access_key_secret();
        let date_bytes: [u8; 8] = match date.as_bytes().try_into() {
            Ok(d) => d,
            Err(_) => {
                return read(&CachedKey::derive(
                    secret,
                    date,
                    &self.region,
                    &self.product,
                ));
            }
        };
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.as_ref() {
            if c.date == date_bytes && &*c.secret == secret {
                return read(c);
            }
        }
        let fresh = CachedKey::derive(secret, date, &self.region, &self.product);
        let value = read(&fresh);
        *cache = Some(fresh);
        value
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
    scope_parts(date, region, product).concat()
}

/// The scope in parts, to be written where it goes without a copy of its own.
fn scope_parts<'a>(date: &'a str, region: &'a str, product: &'a str) -> [&'a str; 6] {
    [date, "/", region, "/", product, "/aliyun_v4_request"]
}

/// The canonical URI: `/` + `<bucket>/` + `<key>`, percent-encoded except `/`.
pub fn canonical_uri(bucket: Option<&str>, key: Option<&str>) -> String {
    let mut s =
        String::with_capacity(2 + bucket.map_or(0, str::len) + key.map_or(0, |k| k.len() * 2));
    push_canonical_uri(&mut s, bucket, key);
    s
}

fn push_canonical_uri(out: &mut String, bucket: Option<&str>, key: Option<&str>) {
    out.push('/');
    if let Some(b) = bucket {
        percent_encode_into(out, b, true);
        out.push('/');
    }
    if let Some(k) = key {
        percent_encode_into(out, k, true);
    }
}

/// The canonical query from a wire query: split on `&`, split each item at
/// the first `=`, sort by the encoded name, `name=value` or just `name` when
/// the value is empty, joined by `&`. A `+` counts as `%20`, as Go does.
pub fn canonical_query(wire_query: &str) -> String {
    let mut out = String::with_capacity(wire_query.len() + 8);
    push_canonical_query(&mut out, wire_query);
    out
}

fn push_canonical_query(out: &mut String, wire_query: &str) {
    fn split(item: &str) -> (&str, &str) {
        item.split_once('=').unwrap_or((item, ""))
    }
    if wire_query.contains('+') {
        let mut items: Vec<(String, String)> = wire_query
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|item| {
                let (k, v) = split(item);
                (k.replace('+', "%20"), v.replace('+', "%20"))
            })
            .collect();
        items.sort();
        push_query_items(out, items.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    } else if !wire_query.contains('&') {
        // One item (the processing requests): nothing to sort.
        if !wire_query.is_empty() {
            push_query_items(out, std::iter::once(split(wire_query)));
        }
    } else {
        let mut items: Vec<(&str, &str)> = wire_query
            .split('&')
            .filter(|s| !s.is_empty())
            .map(split)
            .collect();
        items.sort();
        push_query_items(out, items.into_iter());
    }
}

fn push_query_items<'a>(out: &mut String, items: impl Iterator<Item = (&'a str, &'a str)>) {
    for (i, (k, v)) in items.enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        if !v.is_empty() {
            out.push('=');
            out.push_str(v);
        }
    }
}

/// Appends `&name=value` (no `&` first in an empty query), the value given
/// in parts and percent-encoded as one.
fn push_query_param<'a>(query: &mut String, name: &str, value: impl IntoIterator<Item = &'a str>) {
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str(name);
    query.push('=');
    for part in value {
        percent_encode_into(query, part, false);
    }
}

/// True for the names signed by default; `name` in any case.
fn is_default_signed(name: &str) -> bool {
    name.as_bytes()
        .get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"x-oss-"))
        || name.eq_ignore_ascii_case("content-type")
        || name.eq_ignore_ascii_case("content-md5")
}

/// `lower == name.to_ascii_lowercase()`, without building the latter.
fn is_lowercase_of(lower: &str, name: &str) -> bool {
    lower.len() == name.len()
        && lower
            .bytes()
            .zip(name.bytes())
            .all(|(l, n)| l == n.to_ascii_lowercase())
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
    canonical_request_from(
        method,
        bucket,
        key,
        wire_query,
        headers.to_vec(),
        additional,
    )
}

/// [`canonical_request`] on a list it may reorder and shorten in place.
fn canonical_request_from<'a>(
    method: &str,
    bucket: Option<&str>,
    key: Option<&str>,
    wire_query: &str,
    mut signed: Vec<(&'a str, &'a str)>,
    additional: &str,
) -> String {
    signed.retain(|(name, _)| {
        let name = name.trim();
        is_default_signed(name)
            || (!additional.is_empty() && additional.split(';').any(|a| is_lowercase_of(a, name)))
    });
    for (name, value) in &mut signed {
        *name = name.trim();
        *value = value.trim();
    }
    // Sorted by lower-cased name; the stable sort keeps repeated headers in
    // the order sent; they are joined by `,`.
    signed.sort_by(|a, b| {
        a.0.bytes()
            .map(|b| b.to_ascii_lowercase())
            .cmp(b.0.bytes().map(|b| b.to_ascii_lowercase()))
    });

    let mut out = String::with_capacity(256 + wire_query.len());
    out.extend(method.chars().map(|c| c.to_ascii_uppercase()));
    out.push('\n');
    push_canonical_uri(&mut out, bucket, key);
    out.push('\n');
    push_canonical_query(&mut out, wire_query);
    out.push('\n');
    let mut i = 0;
    while i < signed.len() {
        let name = signed[i].0;
        out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
        out.push(':');
        out.push_str(signed[i].1);
        i += 1;
        while i < signed.len() && signed[i].0.eq_ignore_ascii_case(name) {
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
    string_to_sign_parts(iso_time, &[scope], canonical_request)
}

/// [`string_to_sign`] with the scope given in parts (see [`scope_parts`]).
fn string_to_sign_parts(iso_time: &str, scope: &[&str], canonical_request: &str) -> String {
    let hash = Sha256::digest(canonical_request.as_bytes());
    let scope_len: usize = scope.iter().map(|p| p.len()).sum();
    let mut s = String::with_capacity(ALGORITHM.len() + iso_time.len() + scope_len + 67);
    s.push_str(ALGORITHM);
    s.push('\n');
    s.push_str(iso_time);
    s.push('\n');
    s.extend(scope.iter().copied());
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

/// Appends the signature: `keyed` is an HMAC keyed with the signing key.
fn push_signature(out: &mut String, mut keyed: HmacSha256, string_to_sign: &str) {
    keyed.update(string_to_sign.as_bytes());
    push_hex(out, &keyed.finalize().into_bytes());
}

/// `n` in decimal, written into `buf`.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[start..]).unwrap_or("0")
}

/// `value` as exactly `N` decimal digits (`value < 10^N`).
fn fixed_digits<const N: usize>(mut value: u32) -> [u8; N] {
    let mut out = [b'0'; N];
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out
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
    /// Whole seconds since 1970-01-01T00:00:00Z, within years 0 to 9999.
    unix_seconds: i64,
    iso: [u8; 16],
}

const SECONDS_PER_DAY: i64 = 86_400;
/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the years four digits hold.
const FIRST_SECOND: i64 = -62_167_219_200;
const LAST_SECOND: i64 = 253_402_300_799;

impl Timestamp {
    /// The UTC time `t`, truncated to whole seconds (and clamped to the
    /// years 0 to 9999, all the date forms can hold).
    pub fn new(t: SystemTime) -> Self {
        let unix_seconds = match t.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => {
                let before = before.duration();
                let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                // Round towards the past: 0.5 s before the epoch is 23:59:59.
                -whole - i64::from(before.subsec_nanos() > 0)
            }
        }
        .clamp(FIRST_SECOND, LAST_SECOND);
        let c = Civil::of(unix_seconds);
        let mut iso = [0u8; 16];
        iso[0..4].copy_from_slice(&fixed_digits::<4>(c.year as u32));
        iso[4..6].copy_from_slice(&fixed_digits::<2>(c.month));
        iso[6..8].copy_from_slice(&fixed_digits::<2>(c.day));
        iso[8] = b'T';
        iso[9..11].copy_from_slice(&fixed_digits::<2>(c.hour));
        iso[11..13].copy_from_slice(&fixed_digits::<2>(c.minute));
        iso[13..15].copy_from_slice(&fixed_digits::<2>(c.second));
        iso[15] = b'Z';
        Timestamp { unix_seconds, iso }
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
        let c = Civil::of(self.unix_seconds);
        // 1970-01-01 was a Thursday.
        let weekday = (self.unix_seconds.div_euclid(SECONDS_PER_DAY) + 3).rem_euclid(7);
        let mut s = String::with_capacity(29);
        let mut push = |ascii: &[u8]| s.extend(ascii.iter().map(|&b| char::from(b)));
        push(DAYS[weekday as usize].as_bytes());
        push(b", ");
        push(&fixed_digits::<2>(c.day));
        push(b" ");
        push(MONTHS[c.month as usize - 1].as_bytes());
        push(b" ");
        push(&fixed_digits::<4>(c.year as u32));
        push(b" ");
        push(&fixed_digits::<2>(c.hour));
        push(b":");
        push(&fixed_digits::<2>(c.minute));
        push(b":");
        push(&fixed_digits::<2>(c.second));
        push(b" GMT");
        s
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A UTC time broken down in the proleptic Gregorian calendar.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl Civil {
    /// The date and time `unix_seconds` after 1970-01-01T00:00:00Z (Howard
    /// Hinnant's `civil_from_days`).
    fn of(unix_seconds: i64) -> Civil {
        let days = unix_seconds.div_euclid(SECONDS_PER_DAY);
        let second_of_day = unix_seconds.rem_euclid(SECONDS_PER_DAY) as u32;
        let z = days + 719_468; // days since 0000-03-01
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153; // March = 0
        let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Civil {
            year,
            month,
            day,
            hour: second_of_day / 3_600,
            minute: second_of_day / 60 % 60,
            second: second_of_day % 60,
        }
    }

    /// The time these fields name, if they name one (years -9999 to 9999,
    /// days within their month, no leap second).
    fn to_system_time(&self) -> Option<SystemTime> {
        let valid = (-9_999..=9_999).contains(&self.year)
            && (1..=12).contains(&self.month)
            && (1..=days_in_month(self.year, self.month)).contains(&self.day)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60;
        if !valid {
            return None;
        }
        // Howard Hinnant's `days_from_civil`.
        let year = self.year - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let shifted_month = i64::from((self.month + 9) % 12); // March = 0
        let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        let days = era * 146_097 + day_of_era - 719_468;
        let seconds =
            days * SECONDS_PER_DAY + i64::from(self.hour * 3_600 + self.minute * 60 + self.second);
        let magnitude = Duration::from_secs(seconds.unsigned_abs());
        if seconds >= 0 {
            SystemTime::UNIX_EPOCH.checked_add(magnitude)
        } else {
            SystemTime::UNIX_EPOCH.checked_sub(magnitude)
        }
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
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
    Civil {
        year: num(0..4)?.into(),
        month: num(4..6)?,
        day: num(6..8)?,
        hour: num(9..11)?,
        minute: num(11..13)?,
        second: num(13..15)?,
    }
    .to_system_time()
}

/// Parses an RFC 1123 HTTP date (`Mon, 15 Jan 2024 08:30:00 GMT`).
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
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
    Civil {
        year: year.into(),
        month: month_index as u32 + 1,
        day: day.into(),
        hour: h.into(),
        minute: m.into(),
        second: sec.into(),
    }
    .to_system_time()
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

    /// `secs` after the epoch (before it when negative).
    fn at_signed(secs: i64) -> SystemTime {
        let magnitude = Duration::from_secs(secs.unsigned_abs());
        if secs >= 0 {
            SystemTime::UNIX_EPOCH + magnitude
        } else {
            SystemTime::UNIX_EPOCH - magnitude
        }
    }

    #[test]
    fn calendar_matches_known_dates() {
        // From Python's datetime (proleptic Gregorian, UTC).
        let known = [
            (
                -62135596800,
                "00010101T000000Z",
                "Mon, 01 Jan 0001 00:00:00 GMT",
            ),
            (
                -11670955200,
                "16000229T120000Z",
                "Tue, 29 Feb 1600 12:00:00 GMT",
            ),
            (
                -2203891201,
                "19000228T235959Z",
                "Wed, 28 Feb 1900 23:59:59 GMT",
            ),
            (
                -2203891200,
                "19000301T000000Z",
                "Thu, 01 Mar 1900 00:00:00 GMT",
            ),
            (-1, "19691231T235959Z", "Wed, 31 Dec 1969 23:59:59 GMT"),
            (0, "19700101T000000Z", "Thu, 01 Jan 1970 00:00:00 GMT"),
            (
                951804428,
                "20000229T060708Z",
                "Tue, 29 Feb 2000 06:07:08 GMT",
            ),
            (
                1705307400,
                "20240115T083000Z",
                "Mon, 15 Jan 2024 08:30:00 GMT",
            ),
            (
                1735689599,
                "20241231T235959Z",
                "Tue, 31 Dec 2024 23:59:59 GMT",
            ),
            (
                4107542400,
                "21000301T000000Z",
                "Mon, 01 Mar 2100 00:00:00 GMT",
            ),
            (
                253402300799,
                "99991231T235959Z",
                "Fri, 31 Dec 9999 23:59:59 GMT",
            ),
        ];
        for (secs, iso, http) in known {
            let t = Timestamp::new(at_signed(secs));
            assert_eq!((t.iso(), t.http_date().as_str()), (iso, http), "{secs}");
            assert_eq!(parse_iso(iso), Some(at_signed(secs)), "{iso}");
            assert_eq!(parse_http_date(http), Some(at_signed(secs)), "{http}");
        }
        // Round trips across the whole range.
        for secs in (FIRST_SECOND..=LAST_SECOND).step_by(7_654_321) {
            let t = Timestamp::new(at_signed(secs));
            assert_eq!(parse_iso(t.iso()), Some(at_signed(secs)), "{secs}");
            assert_eq!(
                parse_http_date(&t.http_date()),
                Some(at_signed(secs)),
                "{secs}"
            );
        }
        // Before the epoch a fraction rounds to the earlier second; out of
        // range clamps to what four year digits hold.
        let half_before = SystemTime::UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(Timestamp::new(half_before).iso(), "19691231T235959Z");
        let far = at_signed(LAST_SECOND) + Duration::from_secs(86_400 * 400);
        assert_eq!(Timestamp::new(far).iso(), "99991231T235959Z");
        // Fields that name no time.
        for bad in [
            "19000229T000000Z",
            "20230229T000000Z",
            "20240431T000000Z",
            "20241301T000000Z",
            "20240100T000000Z",
            "20240101T240000Z",
            "20240101T006000Z",
            "20240101T000060Z",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
        assert_eq!(parse_iso("20240229T000000Z"), Some(at_signed(1709164800)));
        assert_eq!(
            parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT"),
            Some(at_signed(1709164800))
        );
        assert_eq!(parse_http_date("Thu, 29 Feb 2023 00:00:00 GMT"), None);
        assert_eq!(parse_http_date("Thu, 01 Jan 10000 00:00:00 GMT"), None);
    }

    #[test]
    fn canonical_request_lowercases_sorts_and_joins_without_allocating_names() {
        let headers = [
            ("Content-MD5", "abc"),
            ("X-OSS-Meta-B", " 2 "),
            ("x-oss-meta-a", "1"),
            ("x-oss-meta-b", "3"),
            ("Host", "h"),
            ("ABC", "v"),
            ("Other", "o"),
        ];
        let additional = additional_header_list(&["Host", "abc", "missing"], &headers);
        assert_eq!(additional, "abc;host");
        assert_eq!(
            canonical_request(
                "post",
                Some("bk"),
                Some("a b/c"),
                "b=2&a=1&c",
                &headers,
                &additional
            ),
            "POST\n/bk/a%20b/c\na=1&b=2&c\nabc:v\ncontent-md5:abc\nhost:h\n\
             x-oss-meta-a:1\nx-oss-meta-b:2,3\n\nabc;host\nUNSIGNED-PAYLOAD"
        );
        // The additional list is taken as given: an upper-case entry matches nothing.
        let upper = canonical_request("GET", None, None, "", &headers, "ABC");
        assert!(!upper.contains("abc:v"), "{upper}");
        assert!(upper.starts_with("GET\n/\n\ncontent-md5:abc\n"), "{upper}");
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
