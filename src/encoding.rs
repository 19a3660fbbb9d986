//! Text encodings the OSS wire format uses: RFC 3986 percent-encoding (as the
//! official SDKs do it for paths and query strings), its inverse, and the
//! URL-safe unpadded base64 that process parameters (`o_`, `b_`, watermark
//! text) require.

use base64::Engine as _;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `s` to `out`, percent-encoding every byte of its UTF-8 form except
/// `A-Z a-z 0-9 - _ . ~` (and `/` when `keep_slash`), with upper-case hex.
pub fn percent_encode_into(out: &mut String, s: &str, keep_slash: bool) {
    for &b in s.as_bytes() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xF) as usize] as char);
        }
    }
}

/// Percent-encodes `s` (see [`percent_encode_into`]).
pub fn percent_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    percent_encode_into(&mut out, s, keep_slash);
    out
}

/// Decodes `%XX` sequences (and nothing else: `+` stays `+`). Returns `None`
/// for a malformed escape or bytes that are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hi = (hex[0] as char).to_digit(16)?;
            let lo = (hex[1] as char).to_digit(16)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// URL-safe base64 (`-` and `_`) without padding, as the OSS image docs
/// require for `sys/saveas` names and watermark parameters.
pub fn base64_url(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s.as_bytes())
}

/// Decodes URL-safe base64, with or without padding (OSS accepts both).
pub fn base64_url_decode(s: &str) -> Option<String> {
    let trimmed = s.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(trimmed)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// Standard base64 with padding (Content-MD5, `x-oss-err`).
pub fn base64_std(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64 with padding.
pub fn base64_std_decode(s: &str) -> Option<Vec<u8>> {
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
