//! Text encodings the OSS wire format uses: RFC 3986 percent-encoding (as the
//! official SDKs do it for paths and query strings), its inverse, and the
//! URL-safe unpadded base64 that process parameters (`o_`, `b_`, watermark
//! text) require.

use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved `A-Z a-z 0-9 - _ . ~`: what the
/// SDKs encode in query names and values.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// [`QUERY`] with `/` kept: object paths and the canonical URI.
const PATH: &AsciiSet = &QUERY.remove(b'/');

/// Appends `s` to `out`, percent-encoding every byte of its UTF-8 form except
/// `A-Z a-z 0-9 - _ . ~` (and `/` when `keep_slash`), with upper-case hex.
pub(crate) fn percent_encode_into(out: &mut String, s: &str, keep_slash: bool) {
    let set = if keep_slash { PATH } else { QUERY };
    out.extend(utf8_percent_encode(s, set));
}

/// Percent-encodes `s` (see [`percent_encode_into`]).
#[cfg(test)]
pub(crate) fn percent_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    percent_encode_into(&mut out, s, keep_slash);
    out
}

/// Decodes `%XX` sequences (and nothing else: `+` stays `+`). Returns `None`
/// for a malformed escape or bytes that are not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    // The crate passes a malformed escape through; OSS refuses it, so do we.
    let bytes = s.as_bytes();
    let malformed = bytes.iter().enumerate().any(|(i, &b)| {
        b == b'%'
            && !bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if malformed {
        return None;
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// URL-safe base64 (`-` and `_`) without padding, as the OSS image docs
/// require for `sys/saveas` names and watermark parameters.
pub(crate) fn base64_url(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s.as_bytes())
}

/// Decodes URL-safe base64, with or without padding (OSS accepts both).
pub(crate) fn base64_url_decode(s: &str) -> Option<String> {
    let trimmed = s.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(trimmed)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// Standard base64 with padding (Content-MD5, `x-oss-err`).
pub(crate) fn base64_std(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64 with padding.
pub(crate) fn base64_std_decode(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_sdks() {
        assert_eq!(
            percent_encode("1234+-/123/1.txt", true),
            "1234%2B-/123/1.txt"
        );
        assert_eq!(percent_encode("a b*é", true), "a%20b%2A%C3%A9");
        assert_eq!(
            percent_encode("image/resize,w_100|x", false),
            "image%2Fresize%2Cw_100%7Cx"
        );
        assert_eq!(percent_encode("~._-", false), "~._-");
    }

    #[test]
    fn decodes_and_rejects_bad_escapes() {
        assert_eq!(percent_decode("a%20b%2B+").as_deref(), Some("a b++"));
        assert_eq!(percent_decode("%E7%9B%B8").as_deref(), Some("相"));
        assert_eq!(percent_decode("%2"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn base64_url_is_unpadded_and_url_safe() {
        assert_eq!(base64_url("test.jpg"), "dGVzdC5qcGc");
        assert_eq!(base64_url("测试.jpg"), "5rWL6K-VLmpwZw");
        assert_eq!(
            base64_url_decode("5rWL6K-VLmpwZw").as_deref(),
            Some("测试.jpg")
        );
        assert_eq!(
            base64_url_decode("ZGVzdC5qcGc=").as_deref(),
            Some("dest.jpg")
        );
    }
}
