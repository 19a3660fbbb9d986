//! V4 request signing (OSS4-HMAC-SHA256), without I/O.
//!
//! This module turns request parts, a time and credentials into the headers
//! to add (header form) or a presigned URL (query form), exactly as the
//! official Alibaba Cloud SDKs (Python and Go V2) do. It never touches the
//! network and imports nothing from the HTTP client; the time is an argument,
//! so tests pin it.
//!
//! The algorithm, in the order [`Signer::sign_headers`] runs it:
//! 1. the method and header names are checked (each must be an HTTP token);
//! 2. `x-oss-date` (ISO basic form), `Date` (RFC 1123),
//!    `x-oss-content-sha256: UNSIGNED-PAYLOAD` and, with an STS token,
//!    `x-oss-security-token` are set, replacing the caller's;
//! 3. the canonical request is built: method, canonical URI (always
//!    `/<bucket>/<key>`, whatever the address style), canonical query,
//!    canonical headers (`x-oss-*`, `content-type`, `content-md5` and the
//!    additional headers), the additional header list, the payload hash
//!    (the `x-oss-content-sha256` value: `UNSIGNED-PAYLOAD`);
//! 4. the string to sign is `OSS4-HMAC-SHA256`, the time, the scope
//!    `<yyyymmdd>/<region>/<product>/aliyun_v4_request` and the hex SHA-256
//!    of the canonical request;
//! 5. the signing key is the HMAC chain `"aliyun_v4" + secret` → date →
//!    region → product → `aliyun_v4_request`, cached per secret, date,
//!    region and product;
//! 6. the signature is the hex HMAC of the string to sign.
//!
//! Where the caller's headers meet the signer's, it does what both official
//! SDKs do (their signers were run side by side with this one; the cases
//! are in `tests/data/signing-vectors-sdk-edges.json`):
//! - header form replaces the caller's `x-oss-date`, `x-oss-content-sha256`
//!   and `Date` (any case) with its own, and signs its own `Date` when `date`
//!   is listed as an additional header;
//! - the caller's `x-oss-security-token` is replaced only when the
//!   credentials carry a token; otherwise it is kept and signed;
//! - a presign signs the headers as given and takes the payload hash from
//!   the caller's `x-oss-content-sha256`, if any (else `UNSIGNED-PAYLOAD`);
//! - a method, header name or additional header name that is not an HTTP
//!   token, e.g. with a space, is refused with [`Error::InvalidArgument`]:
//!   it is not valid HTTP (a server must answer 400 to a space before the
//!   colon, and Go's HTTP client will not send it), and signing it would
//!   sign a line no server computes.

mod canonical;
mod key;
mod presign;

use std::time::{Duration, SystemTime};

use crate::credentials::Credentials;
use crate::error::Error;
use crate::time::Timestamp;

use self::canonical::{canonical_request_from, scope_parts, string_to_sign_parts};
use self::key::{HmacSha256, KeyCache, push_signature};

pub use self::canonical::{
    additional_header_list, canonical_query, canonical_request, canonical_uri, scope,
    string_to_sign,
};
pub use self::key::{signature, signing_key};
pub use self::presign::check_presign_expiry;

/// The algorithm name, first line of the string to sign.
pub const ALGORITHM: &str = "OSS4-HMAC-SHA256";
/// The payload hash OSS V4 uses: the body is never hashed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The longest presign expiry OSS accepts: 7 days.
pub const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);

/// The parts of a request that the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// HTTP method as sent, e.g. `POST`; signed as given (methods are
    /// case-sensitive, and the SDKs do not change them).
    pub method: &'a str,
    /// Bucket name, if the request names one (it is in the canonical URI
    /// whatever the address style).
    pub bucket: Option<&'a str>,
    /// Object key, unencoded.
    pub key: Option<&'a str>,
    /// The query string exactly as it goes on the wire (percent-encoded),
    /// without the leading `?`; empty for none.
    pub query: &'a str,
    /// The headers the request carries (names as sent, any case; each name
    /// an HTTP token). A name may repeat: its values are signed joined by
    /// `,` in the order given.
    pub headers: &'a [(&'a str, &'a str)],
    /// Extra header names to sign besides the default ones (`x-oss-*`,
    /// `content-type`, `content-md5`), any case. Names not present in
    /// `headers`, or present with an empty value, are dropped, as the SDKs
    /// do; `date` names the `Date` the signer sends.
    pub additional_headers: &'a [&'a str],
}

impl SignableRequest<'_> {
    /// Refuses a method, header name or additional header name that is not
    /// an HTTP token (RFC 9110 5.1, 9.1): such a request is not valid HTTP,
    /// and trimming or merging the name would sign something no server
    /// computes.
    fn check(&self) -> Result<(), Error> {
        if !is_token(self.method) {
            return Err(Error::invalid(
                "method",
                format!("{:?} is not an HTTP method: {TOKEN_RULE}", self.method),
            ));
        }
        for (name, _) in self.headers {
            if !is_token(name) {
                return Err(Error::invalid(
                    "header name",
                    format!("{name:?} is not an HTTP header name: {TOKEN_RULE}"),
                ));
            }
        }
        for name in self.additional_headers {
            if !is_token(name) {
                return Err(Error::invalid(
                    "additional header name",
                    format!("{name:?} is not an HTTP header name: {TOKEN_RULE}"),
                ));
            }
        }
        Ok(())
    }
}

const TOKEN_RULE: &str = "it must be one or more ASCII letters, digits or \
    any of !#$%&'*+-.^_`|~ (an HTTP token), with no spaces";

/// True for an HTTP token: one or more of the letters, digits and
/// ``!#$%&'*+-.^_`|~``.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The headers that header-form signing adds, and the intermediate values.
#[derive(Debug, Clone)]
pub struct SignedHeaders {
    /// Headers to set on the request: `x-oss-date`, `Date`,
    /// `x-oss-content-sha256`, `x-oss-security-token` (with STS) and
    /// `Authorization`. Values are ready for the wire. The request is sent
    /// with these and the caller's other headers: a caller's header whose
    /// name (any case) is here is replaced, not sent twice.
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
/// `Debug` shows the URL with the STS token redacted; [`url`](Self::url)
/// carries it, as it must for the URL to work.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use oss_process::Credentials;
/// use oss_process::sign::{SignableRequest, Signer};
///
/// let signer = Signer::new("cn-hangzhou", "oss");
/// let request = SignableRequest {
///     method: "GET",
///     bucket: Some("examplebucket"),
///     key: Some("cat.jpg"),
///     query: "",
///     headers: &[],
///     additional_headers: &[],
/// };
/// let now = SystemTime::now();
/// let presigned = signer.presign(
///     "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/cat.jpg",
///     &request,
///     &Credentials::new("id", "secret"),
///     now,
///     Duration::from_secs(600),
/// )?;
/// assert!(presigned.url().contains("&x-oss-expires=600&"));
/// assert_eq!(presigned.expires_at(), now + Duration::from_secs(600));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Clone)]
pub struct Presigned {
    pub(crate) url: String,
    pub(crate) expires_at: SystemTime,
    pub(crate) canonical_request: String,
    pub(crate) string_to_sign: String,
}

impl Presigned {
    /// The URL to hand out: the base URL, the original query, the signing
    /// parameters and `x-oss-signature` last.
    pub fn url(&self) -> &str {
        &self.url
    }
    /// The URL, owned.
    pub fn into_url(self) -> String {
        self.url
    }
    /// When the URL stops working.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
    /// The canonical request that was signed (for debugging).
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }
    /// The string to sign (for debugging).
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }
}

impl std::fmt::Debug for Presigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presigned")
            .field("url", &crate::redact::redact_token(&self.url))
            .field("expires_at", &self.expires_at)
            .field(
                "canonical_request",
                &crate::redact::redact_token(&self.canonical_request),
            )
            .finish_non_exhaustive()
    }
}

/// Signs requests for one region and product, caching the derived signing
/// key (it changes only with the secret and the UTC date).
pub struct Signer {
    region: Box<str>,
    product: Box<str>,
    cache: KeyCache,
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
            cache: KeyCache::default(),
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

    /// Header-form signing: returns the headers to set on `request`.
    ///
    /// Any `x-oss-date`, `x-oss-content-sha256` or `Date` in
    /// `request.headers` (any case) is replaced by the signer's own value,
    /// and so is `x-oss-security-token` when the credentials carry a token;
    /// without one, the caller's `x-oss-security-token` is kept and signed.
    /// The signer's `Date` is signed when `date` is listed in
    /// `request.additional_headers`.
    ///
    /// A method, header name or additional header name that is not an
    /// HTTP token (e.g. `"X-Oss-Date "`, with a space) is
    /// [`Error::InvalidArgument`], naming it and the rule.
    pub fn sign_headers(
        &self,
        request: &SignableRequest<'_>,
        credentials: &Credentials,
        time: SystemTime,
    ) -> Result<SignedHeaders, Error> {
        request.check()?;
        let t = Timestamp::new(time);
        let http_date = t.http_date();
        let token = credentials.security_token();
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(request.headers.len() + 4);
        headers.extend(request.headers.iter().copied().filter(|(n, _)| {
            !(n.eq_ignore_ascii_case("x-oss-date")
                || n.eq_ignore_ascii_case("x-oss-content-sha256")
                || n.eq_ignore_ascii_case("date")
                || (token.is_some() && n.eq_ignore_ascii_case("x-oss-security-token")))
        }));
        headers.push(("x-oss-date", t.iso()));
        headers.push(("Date", &http_date));
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
        out.push(("Date", http_date));
        out.push(("x-oss-content-sha256", UNSIGNED_PAYLOAD.to_string()));
        if let Some(token) = token {
            out.push(("x-oss-security-token", token.to_string()));
        }
        out.push(("Authorization", authorization));
        Ok(SignedHeaders {
            headers: out,
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
        self.cache.get(
            credentials.access_key_secret(),
            date,
            &self.region,
            &self.product,
            |c| c.key,
        )
    }

    /// An HMAC keyed with the signing key for `date`, ready to sign.
    fn keyed_mac(&self, credentials: &Credentials, date: &str) -> HmacSha256 {
        self.cache.get(
            credentials.access_key_secret(),
            date,
            &self.region,
            &self.product,
            |c| c.mac.clone(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
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
                "POST",
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
            ("empty", ""),
            ("blank", " "),
            ("later", ""),
            ("Later", "value"),
        ];
        // Dropped: absent, default-signed, empty, or empty first value (Go's
        // `Header.Get`); a blank value is not empty (both SDKs keep it).
        assert_eq!(
            additional_header_list(
                &[
                    "x-oss-no-exist",
                    "ZAbc",
                    "x-oss-head1",
                    "abc",
                    "empty",
                    "abc",
                    "BLANK",
                    "later",
                    "Content-Type",
                ],
                &headers
            ),
            "abc;blank;zabc"
        );
    }

    #[test]
    fn the_payload_hash_is_the_content_sha256_header() {
        let sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let with = |headers: &[(&str, &str)]| canonical_request("PUT", None, None, "", headers, "");
        assert!(with(&[("X-Oss-Content-Sha256", sha)]).ends_with(&format!("\n\n{sha}")));
        assert!(with(&[("x-oss-content-sha256", " ")]).ends_with("\n\nUNSIGNED-PAYLOAD"));
        assert!(with(&[]).ends_with("\n\nUNSIGNED-PAYLOAD"));
        // Repeated: the first one, as Go's `Header.Get`.
        let twice = with(&[("x-oss-content-sha256", "a"), ("x-oss-content-sha256", "b")]);
        assert!(
            twice.ends_with("x-oss-content-sha256:a,b\n\n\na"),
            "{twice}"
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
        let signed = s.sign_headers(&req, &c, at(1_705_307_400)).unwrap();
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
