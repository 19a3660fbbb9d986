//! Query-form signing: presigned URLs, and the 1 s to 7 day expiry rule.

use std::time::{Duration, SystemTime};

use crate::credentials::Credentials;
use crate::encoding::percent_encode_into;
use crate::error::Error;
use crate::time::Timestamp;

use super::canonical::{
    additional_header_list, canonical_request, scope_parts, string_to_sign_parts,
};
use super::key::push_signature;
use super::{ALGORITHM, MAX_PRESIGN_EXPIRY, Presigned, SignableRequest, Signer};

impl Signer {
    /// Query-form signing: returns a URL that works without headers until
    /// `time + expires`.
    ///
    /// `base_url` is `scheme://host/encoded-path` without a query;
    /// `request.query` is the original wire query (e.g.
    /// `x-oss-process=image%2Fresize%2Cw_100`). Headers in `request.headers`
    /// that are signed (`x-oss-*`, `content-type`, `content-md5`, additional)
    /// must be sent with the same values by whoever uses the URL.
    ///
    /// The payload hash is the value of an `x-oss-content-sha256` in
    /// `request.headers` (which the user of the URL must then send), else
    /// `UNSIGNED-PAYLOAD`; no `Date` is added, so a `Date` listed as
    /// additional is the caller's, as in the SDKs.
    ///
    /// `expires` must be 1 second to 7 days ([`MAX_PRESIGN_EXPIRY`]), whole
    /// seconds; anything else is [`Error::InvalidArgument`], and so is a
    /// method or header name that is not an HTTP token.
    pub fn presign(
        &self,
        base_url: &str,
        request: &SignableRequest<'_>,
        credentials: &Credentials,
        time: SystemTime,
        expires: Duration,
    ) -> Result<Presigned, Error> {
        check_presign_expiry(expires)?;
        request.check()?;
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

/// `n` in decimal, written into `buf`.
pub(super) fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
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

/// Appends `&name=value` (no `&` first in an empty query), the value given
/// in parts and percent-encoded as one.
pub(super) fn push_query_param<'a>(
    query: &mut String,
    name: &str,
    value: impl IntoIterator<Item = &'a str>,
) {
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str(name);
    query.push('=');
    for part in value {
        percent_encode_into(query, part, false);
    }
}
