//! The one redaction: every error text, answer preview and log line that
//! could quote a request passes through here, so that no access key secret
//! or STS token reaches a message.
//!
//! Its tools: [`Secrets::scrub`] removes the secrets a call signed with
//! wherever a server echoed them; [`redact_token`] blanks the value of
//! `x-oss-security-token` in a URL or canonical request whoever's token it
//! is; [`truncate`] and [`preview`] are the one way text is shortened for a
//! message.

use std::collections::HashSet;

use crate::credentials::Credentials;

/// What is written in place of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// The shortest run of a secret that counts as an echo of it: a server or
/// proxy that cuts an echo short still leaves this many characters in a row.
const ECHO_WINDOW: usize = 12;

/// The secrets of one call: the access key secret and the STS token.
pub(crate) struct Secrets<'a> {
    values: [Option<&'a str>; 2],
}

impl<'a> Secrets<'a> {
    /// The secrets `credentials` hold.
    pub(crate) fn of(credentials: &'a Credentials) -> Self {
        Secrets {
            values: [
                Some(credentials.access_key_secret()),
                credentials.security_token(),
            ],
        }
    }

    /// Replaces every echo of a secret in `text` by [`REDACTED`]: the secret
    /// as it is, percent-encoded (either hex case), JSON-escaped (`\/`,
    /// `\uXXXX`), XML-escaped (`&amp;`, `&#43;`), broken by spaces or line
    /// breaks, and any run of 12 or more of its characters in a row (an echo
    /// cut short). A secret shorter than 12 characters is matched whole.
    pub(crate) fn scrub(&self, text: &mut String) {
        let secrets: Vec<&[u8]> = self
            .values
            .iter()
            .flatten()
            .map(|s| s.as_bytes())
            .filter(|s| !s.is_empty())
            .collect();
        if secrets.is_empty() || text.is_empty() {
            return;
        }
        let units = decode(text);
        let bytes: Vec<u8> = units.iter().map(|u| u.byte).collect();
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for secret in secrets {
            let window = secret.len().min(ECHO_WINDOW);
            if bytes.len() < window {
                continue;
            }
            let grams: HashSet<&[u8]> = secret.windows(window).collect();
            for (i, run) in bytes.windows(window).enumerate() {
                if grams.contains(run) {
                    hits.push((units[i].start, units[i + window - 1].end));
                }
            }
        }
        if hits.is_empty() {
            return;
        }
        hits.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut i = 0;
        while i < hits.len() {
            let (start, mut end) = hits[i];
            i += 1;
            // Overlapping hits, and hits apart only by white space (an echo
            // broken over lines), are one redaction.
            while i < hits.len() && text[end..hits[i].0.max(end)].trim().is_empty() {
                end = end.max(hits[i].1);
                i += 1;
            }
            let start = floor_char_boundary(text, start.max(copied));
            let end = ceil_char_boundary(text, end);
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = end;
        }
        out.push_str(&text[copied..]);
        *text = out;
    }
}

/// One byte of the text as decoded, and the bytes of the text it came from.
struct Unit {
    byte: u8,
    start: usize,
    end: usize,
}

/// `text` with the escapes a server or proxy may have applied to an echo
/// undone, byte by byte: `%XX`, JSON's `\/`, `\"`, `\\` and `\uXXXX`,
/// XML's five entities and character references. White space (raw or
/// escaped) is left out, so an echo broken over lines reads as one run.
fn decode(text: &str) -> Vec<Unit> {
    let b = text.as_bytes();
    let mut units = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let (decoded, len) = decode_one(text, i);
        let end = i + len.max(1);
        let mut buf = [0u8; 4];
        let bytes: &[u8] = match decoded {
            Decoded::Byte(byte) => {
                buf[0] = byte;
                &buf[..1]
            }
            Decoded::Char(c) => c.encode_utf8(&mut buf).as_bytes(),
        };
        if !(bytes.len() == 1 && bytes[0].is_ascii_whitespace()) {
            for &byte in bytes {
                units.push(Unit {
                    byte,
                    start: i,
                    end,
                });
            }
        }
        i = end;
    }
    units
}

enum Decoded {
    Byte(u8),
    Char(char),
}

/// The escape (or plain byte) at byte `i` of `text`, and its length.
fn decode_one(text: &str, i: usize) -> (Decoded, usize) {
    let b = text.as_bytes();
    let hex = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = text.get(range)?;
        (!digits.is_empty() && digits.bytes().all(|c| c.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(digits, 16).ok())?
    };
    match b[i] {
        b'%' => {
            if let Some(v) = hex(i + 1..i + 3) {
                return (Decoded::Byte(v as u8), 3);
            }
        }
        b'\\' => match b.get(i + 1) {
            Some(&c @ (b'/' | b'"' | b'\\' | b'\'')) => return (Decoded::Byte(c), 2),
            Some(b'n') => return (Decoded::Byte(b'\n'), 2),
            Some(b'r') => return (Decoded::Byte(b'\r'), 2),
            Some(b't') => return (Decoded::Byte(b'\t'), 2),
            Some(b'u') => {
                if let Some(c) = hex(i + 2..i + 6).and_then(char::from_u32) {
                    return (Decoded::Char(c), 6);
                }
            }
            _ => {}
        },
        b'&' => {
            let rest = &text[i + 1..];
            if let Some(semi) = rest.find(';').filter(|&n| n <= 10) {
                let name = &rest[..semi];
                let c = match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => name.strip_prefix('#').and_then(|n| {
                        let code = match n.strip_prefix(['x', 'X']) {
                            Some(h) => u32::from_str_radix(h, 16).ok()?,
                            None => n.parse().ok()?,
                        };
                        char::from_u32(code)
                    }),
                };
                if let Some(c) = c {
                    return (Decoded::Char(c), semi + 2);
                }
            }
        }
        _ => {}
    }
    (Decoded::Byte(b[i]), 1)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}

/// `text` with the value after `x-oss-security-token` (in a query `=` or a
/// canonical header `:`) replaced by [`REDACTED`].
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
        out.push_str(REDACTED);
        let tail = &rest[value_start..];
        rest = &tail[tail.find(['&', '\n']).unwrap_or(tail.len())..];
    }
    out.push_str(rest);
    out
}

/// At most `max_chars` characters of `text`, cut on a character boundary,
/// with `...` when something was cut.
pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// An answer body as an error message quotes it: lossy UTF-8, at most 256
/// characters, in quotes with escapes.
pub(crate) fn preview(body: &[u8]) -> String {
    const MAX_BYTES: usize = 1024;
    const MAX_CHARS: usize = 256;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_BYTES)]);
    let mut cut = truncate(&text, MAX_CHARS);
    if body.len() > MAX_BYTES && !cut.ends_with("...") {
        cut.push_str("...");
    }
    format!("{cut:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_value_is_blanked_in_urls_and_canonical_requests() {
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
    fn truncation_cuts_on_a_character_boundary() {
        assert_eq!(truncate("short", 60), "short");
        assert_eq!(
            truncate(&"猫".repeat(70), 60),
            format!("{}...", "猫".repeat(60))
        );
        assert_eq!(preview(b"{\"a\"}"), r#""{\"a\"}""#);
        let long = vec![b'x'; 5000];
        assert_eq!(
            preview(&long),
            format!("{:?}", format!("{}...", "x".repeat(256)))
        );
        assert_eq!(preview(&[0xff, b'a']), format!("{:?}", "\u{fffd}a"));
    }

    const SECRET: &str = "Xq7+Kp/2mZ9wLr4TcV8bN1sD6fGh";
    const TOKEN: &str = "CAIS+gF1q6Ft5B2yfSjIr5bkKN/eo7Rl0a2xOkfQ3zUiRHl4kaDS/Tz2IHhMeHdtAe0bsP8/lG5R6fkYlqp4S5cMR0DMNJO+vJPVq3N+ZAKE5afBHxSDt9+nKAzq6WKIb5mnQ5TrSxZ/vO8KVDpv0GPYkZqiz1zX6v6KwOXyMA4UxGgsQp3i/W9AJ7YTUi3dDqTcSAjsLu5hjsYpfE8P5Ma+1IYGrh3MFxuFMx8GDQPVtlVJgDS+sAfsyy0vpyhmmtGjOp5Be5LWH/T0wLG6rzW1F2nKy+dTYlZq";

    /// A tiny deterministic generator (xorshift), so the property test needs
    /// no dependency and replays the same cases.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn percent(s: &str, lower: bool, plus_for_space: bool) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' if plus_for_space => "+".to_string(),
                _ if lower => format!("%{b:02x}"),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    /// Every form a server or proxy echoes a secret in.
    fn echo(secret: &str, form: usize, rng: &mut Rng) -> String {
        match form {
            0 => secret.to_string(),
            1 => percent(secret, false, false),
            2 => percent(secret, true, true),
            3 => serde_json::to_string(secret).unwrap().replace('/', "\\/"),
            4 => secret
                .replace('&', "&amp;")
                .replace('+', "&#43;")
                .replace('/', "&#x2F;"),
            5 => {
                // Wrapped over lines, as a proxy folding a long header would.
                let mut out = String::new();
                for (i, c) in secret.chars().enumerate() {
                    if i > 0 && i % (8 + rng.below(60)) == 0 {
                        out.push_str(["\r\n ", "\n", " ", "\t"][rng.below(4)]);
                    }
                    out.push(c);
                }
                out
            }
            // Every character as a JSON `\uXXXX` escape.
            _ => secret
                .chars()
                .map(|c| format!("\\u{:04x}", c as u32))
                .collect(),
        }
    }

    /// Whether any 12 characters of `secret` in a row stand in `text`.
    fn leaks(text: &str, secret: &str) -> Option<String> {
        let chars: Vec<char> = secret.chars().collect();
        chars
            .windows(12)
            .map(|w| w.iter().collect::<String>())
            .find(|w| text.contains(w.as_str()))
    }

    #[test]
    fn no_window_of_a_secret_survives_any_echo_form_or_cut() {
        let creds = Credentials::new("LTAI5tExampleId", SECRET).with_security_token(TOKEN);
        let secrets = Secrets::of(&creds);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let filler = "<Error><Code>AccessDenied</Code><Message>The OSS Access Key Id you provided does not exist &amp; ok</Message><RequestId>65A4E2C8B1E0C532</RequestId></Error> x-oss-date:20240115T083000Z é 100% done \\u00e9 ";
        for case in 0..3000 {
            let mut body = String::new();
            for _ in 0..1 + rng.below(4) {
                let start = rng.below(filler.len());
                let start = floor_char_boundary(filler, start);
                body.push_str(&filler[start..]);
                let secret = if rng.below(2) == 0 { SECRET } else { TOKEN };
                body.push_str(&echo(secret, rng.below(7), &mut rng));
            }
            // An echo cut short, as a preview or a size cap would cut it.
            let cut = floor_char_boundary(&body, rng.below(body.len() + 1));
            let mut text = body[..cut].to_string();
            secrets.scrub(&mut text);
            for secret in [SECRET, TOKEN] {
                // Decode what survived, the way a reader of the message
                // could, and look for any 12-character run of a secret.
                let readable: String = decode(&text).iter().map(|u| u.byte as char).collect();
                assert_eq!(leaks(&text, secret), None, "case {case}: {text}");
                assert_eq!(leaks(&readable, secret), None, "case {case}: {text}");
            }
        }
    }

    #[test]
    fn ordinary_error_text_is_left_alone() {
        let creds = Credentials::new("LTAI5tExampleId", SECRET).with_security_token(TOKEN);
        let text = "OSS error 403 SignatureDoesNotMatch: The request signature we calculated does not match (request id 65A4E2C8B1E0C53230000001, EC 0002-00000040) on POST https://b.oss-cn-hangzhou.aliyuncs.com/cat.jpg?x-oss-process";
        let mut scrubbed = text.to_string();
        Secrets::of(&creds).scrub(&mut scrubbed);
        assert_eq!(scrubbed, text);
    }

    #[test]
    fn secrets_are_scrubbed_wherever_they_stand() {
        let creds = Credentials::new("id", "the-secret").with_security_token("the-token");
        let mut text = "canonical x-oss-security-token:the-token and the-secret".to_string();
        Secrets::of(&creds).scrub(&mut text);
        assert_eq!(
            text,
            "canonical x-oss-security-token:<redacted> and <redacted>"
        );
    }
}
