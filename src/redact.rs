//! The one redaction: every error text, answer preview and log line that
//! could quote a request passes through here, so that no access key secret
//! or STS token reaches a message.
//!
//! Its tools: [`Secrets::scrub`] removes the secrets a call signed with
//! wherever a server echoed them; [`redact_token`] blanks the value of
//! `x-oss-security-token` in a URL or canonical request whoever's token it
//! is; [`truncate`] and [`preview`] are the one way text is shortened for a
//! message.

use crate::credentials::Credentials;

/// What is written in place of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

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

    /// Replaces every copy of a secret in `text` by [`REDACTED`].
    pub(crate) fn scrub(&self, text: &mut String) {
        for secret in self.values.iter().flatten().filter(|s| !s.is_empty()) {
            if text.contains(secret) {
                *text = text.replace(secret, REDACTED);
            }
        }
    }
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
