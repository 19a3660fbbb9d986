//! What a V4 signature covers: the canonical URI, query and headers, the
//! additional-header list, the canonical request, the scope and the string
//! to sign.

use sha2::{Digest, Sha256};

use crate::encoding::percent_encode_into;

use super::key::push_hex;
use super::{ALGORITHM, UNSIGNED_PAYLOAD};

/// `<yyyymmdd>/<region>/<product>/aliyun_v4_request`.
pub fn scope(date: &str, region: &str, product: &str) -> String {
    scope_parts(date, region, product).concat()
}

/// The scope in parts, to be written where it goes without a copy of its own.
pub(super) fn scope_parts<'a>(date: &'a str, region: &'a str, product: &'a str) -> [&'a str; 6] {
    [date, "/", region, "/", product, "/aliyun_v4_request"]
}

/// The canonical URI: `/` + `<bucket>/` + `<key>`, percent-encoded except `/`.
pub fn canonical_uri(bucket: Option<&str>, key: Option<&str>) -> String {
    let mut s =
        String::with_capacity(2 + bucket.map_or(0, str::len) + key.map_or(0, |k| k.len() * 2));
    push_canonical_uri(&mut s, bucket, key);
    s
}

pub(super) fn push_canonical_uri(out: &mut String, bucket: Option<&str>, key: Option<&str>) {
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

pub(super) fn push_canonical_query(out: &mut String, wire_query: &str) {
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

pub(super) fn push_query_items<'a>(
    out: &mut String,
    items: impl Iterator<Item = (&'a str, &'a str)>,
) {
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

/// True for the names signed by default; `name` in any case.
pub(super) fn is_default_signed(name: &str) -> bool {
    name.as_bytes()
        .get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"x-oss-"))
        || name.eq_ignore_ascii_case("content-type")
        || name.eq_ignore_ascii_case("content-md5")
}

/// `lower == name.to_ascii_lowercase()`, without building the latter.
pub(super) fn is_lowercase_of(lower: &str, name: &str) -> bool {
    lower.len() == name.len()
        && lower
            .bytes()
            .zip(name.bytes())
            .all(|(l, n)| l == n.to_ascii_lowercase())
}

/// The `;`-joined list of additional headers to sign: lowercased, without
/// default-signed names, only those whose first value in `headers` is not
/// empty (as Go's `Header.Get`), de-duplicated and sorted.
pub fn additional_header_list(additional: &[&str], headers: &[(&str, &str)]) -> String {
    if additional.is_empty() {
        return String::new();
    }
    let mut names: Vec<String> = additional
        .iter()
        .filter(|n| !n.is_empty() && !is_default_signed(n))
        .filter(|n| {
            headers
                .iter()
                .find(|(h, _)| h.eq_ignore_ascii_case(n))
                .is_some_and(|(_, v)| !v.is_empty())
        })
        .map(|n| n.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    names.join(";")
}

/// The canonical request, six parts joined by `\n`. The method is taken as
/// given (HTTP methods are case-sensitive: sign the one you send). `headers` must already
/// hold `x-oss-date` and the other signer headers, with names that are HTTP
/// tokens (they are lowercased, not trimmed); values are trimmed, and a
/// repeated name's values joined by `,`. `additional` is the list from
/// [`additional_header_list`]. The last line, the payload hash, is the
/// (first) `x-oss-content-sha256` value, or `UNSIGNED-PAYLOAD` without one
/// or when it is empty.
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
pub(super) fn canonical_request_from<'a>(
    method: &str,
    bucket: Option<&str>,
    key: Option<&str>,
    wire_query: &str,
    mut signed: Vec<(&'a str, &'a str)>,
    additional: &str,
) -> String {
    signed.retain(|(name, _)| {
        is_default_signed(name)
            || (!additional.is_empty() && additional.split(';').any(|a| is_lowercase_of(a, name)))
    });
    for (_, value) in &mut signed {
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
    // As sent: HTTP methods are case-sensitive, and the SDKs sign them as given.
    out.push_str(method);
    out.push('\n');
    push_canonical_uri(&mut out, bucket, key);
    out.push('\n');
    push_canonical_query(&mut out, wire_query);
    out.push('\n');
    let mut payload = UNSIGNED_PAYLOAD;
    let mut i = 0;
    while i < signed.len() {
        let name = signed[i].0;
        if !signed[i].1.is_empty() && name.eq_ignore_ascii_case("x-oss-content-sha256") {
            payload = signed[i].1;
        }
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
    out.push_str(payload);
    out
}

/// `OSS4-HMAC-SHA256\n<iso time>\n<scope>\n<hex sha256(canonical request)>`.
pub fn string_to_sign(iso_time: &str, scope: &str, canonical_request: &str) -> String {
    string_to_sign_parts(iso_time, &[scope], canonical_request)
}

/// [`string_to_sign`] with the scope given in parts (see [`scope_parts`]).
pub(super) fn string_to_sign_parts(
    iso_time: &str,
    scope: &[&str],
    canonical_request: &str,
) -> String {
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
