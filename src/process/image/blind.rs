//! The invisible text watermark: `image/blindwatermark` embeds it
//! (synchronously, part of an image chain) and `image/deblindwatermark`
//! reads it back (asynchronously, the text arriving in the notification).
//! Both need an IMM project bound to the bucket, the same one for both.
//!
//! Parameters, from the OSS blind-watermark page and IMM's
//! EncodeBlindWatermark / CreateDecodeBlindWatermarkTask:
//! `content_` (the text, at most 256 characters before encoding), `s_`
//! (strength `low`, `medium`, `high`; IMM's default is `low`), `q_` (output
//! quality 70 to 100, default 90, for JPG input) and, for decoding, `t_`
//! (watermark type, `text` only). The 256 limit is counted in characters
//! (Unicode scalar values): both pages say "characters"; whether the service
//! counts bytes for multibyte text is not documented (IMM's deprecated 2017
//! API counted 100 bytes).

use std::ops::RangeInclusive;

use crate::encoding::base64_url;
use crate::error::Error;
use crate::process::check;
use crate::process::params::{decoded, int, param, params, required, unknown, wire_enum, word};

/// Blind watermark content, in characters before encoding.
pub(crate) const BLIND_MAX_CHARS: usize = 256;
/// `blindwatermark` `q_`: the output's quality.
pub(crate) const BLIND_QUALITY: RangeInclusive<u32> = 70..=100;

wire_enum! {
    /// How strongly a blind watermark is embedded (`s_` of
    /// `blindwatermark`), or how hard the decoder looks for it (`s_` of
    /// `deblindwatermark`). Higher is more robust and, when embedding, more
    /// visible.
    ///
    /// ```
    /// use oss_process::process::BlindStrength;
    ///
    /// assert_eq!(BlindStrength::Medium.as_str(), "medium");
    /// assert_eq!("high".parse::<BlindStrength>()?, BlindStrength::High);
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    BlindStrength ("s") {
        /// `low`: the default.
        Low => "low",
        /// `medium`.
        Medium => "medium",
        /// `high`.
        High => "high",
    }
}

wire_enum! {
    /// What kind of blind watermark to decode (`t_` of `deblindwatermark`):
    /// text is the only kind documented.
    ///
    /// ```
    /// use oss_process::process::BlindWatermarkType;
    ///
    /// assert_eq!(BlindWatermarkType::Text.as_str(), "text");
    /// ```
    BlindWatermarkType ("t") {
        /// `text`.
        Text => "text",
    }
}

/// `blindwatermark`: an invisible text watermark (`content_`), at most 256
/// characters before encoding (the crate encodes it), embedded with a
/// [`BlindStrength`] (`s_`) and saved at a quality of 70 to 100 (`q_`, JPG
/// input only). It needs an IMM project bound to the bucket; read it back
/// with [`DeBlindWatermark`]. The source must be 80 to 10000 px a side.
///
/// ```
/// use oss_process::process::{BlindStrength, BlindWatermark, Process, SaveAs};
///
/// // The docs' example: 阿里云版权所有 at low strength, quality 90.
/// let mark = BlindWatermark::new("阿里云版权所有").strength(BlindStrength::Low).quality(90);
/// let p = Process::image()
///     .blind_watermark(mark)
///     .save_as(SaveAs::new("wm/example.jpg").bucket("examplebucket"))
///     .build()?;
/// assert_eq!(
///     p.as_str(),
///     "image/blindwatermark,content_6Zi_6YeM5LqR54mI5p2D5omA5pyJ,s_low,q_90\
///      |sys/saveas,o_d20vZXhhbXBsZS5qcGc,b_ZXhhbXBsZWJ1Y2tldA"
/// );
/// assert!(Process::image().blind_watermark(BlindWatermark::new("x".repeat(257))).build().is_err());
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct BlindWatermark {
    /// `content_`: the hidden text, decoded.
    pub content: String,
    /// `s_`: the embedding strength; `None` is the service default, `low`.
    pub strength: Option<BlindStrength>,
    /// `q_`: the output quality, 70 to 100; `None` is the service default,
    /// 90. Only JPG input uses it.
    pub quality: Option<u32>,
}

impl BlindWatermark {
    /// A blind watermark hiding `content`.
    ///
    /// ```
    /// use oss_process::process::BlindWatermark;
    ///
    /// assert_eq!(BlindWatermark::new("id-42").content, "id-42");
    /// ```
    #[must_use]
    pub fn new(content: impl Into<String>) -> Self {
        BlindWatermark {
            content: content.into(),
            strength: None,
            quality: None,
        }
    }

    /// Sets the embedding strength (`s_`).
    ///
    /// ```
    /// use oss_process::process::{BlindStrength, BlindWatermark};
    ///
    /// let mark = BlindWatermark::new("id").strength(BlindStrength::High);
    /// assert_eq!(mark.strength, Some(BlindStrength::High));
    /// ```
    #[must_use]
    pub fn strength(mut self, strength: BlindStrength) -> Self {
        self.strength = Some(strength);
        self
    }

    /// Sets the output quality (`q_`), 70 to 100.
    ///
    /// ```
    /// use oss_process::process::{BlindWatermark, Process};
    ///
    /// assert_eq!(BlindWatermark::new("id").quality(80).quality, Some(80));
    /// let err = Process::image().blind_watermark(BlindWatermark::new("id").quality(69)).build();
    /// assert_eq!(err.unwrap_err().to_string(), "invalid blindwatermark.q: must be 70..=100, got 69");
    /// ```
    #[must_use]
    pub fn quality(mut self, quality: u32) -> Self {
        self.quality = Some(quality);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        check::not_empty("blindwatermark.content", &self.content)?;
        let chars = self.content.chars().count();
        if chars > BLIND_MAX_CHARS {
            return Err(Error::invalid(
                "blindwatermark.content",
                format!("must be at most {BLIND_MAX_CHARS} characters, got {chars}"),
            ));
        }
        check::opt_range("blindwatermark.q", self.quality, &BLIND_QUALITY)
    }

    pub(crate) fn render(&self, out: &mut String) {
        out.push_str("blindwatermark");
        param(out, "content", Some(base64_url(&self.content)));
        param(out, "s", self.strength);
        param(out, "q", self.quality);
    }
}

/// Reads `blindwatermark`'s parameters; the content is decoded.
pub(super) fn parse_blind_watermark(args: &[&str]) -> Result<BlindWatermark, Error> {
    let mut content = None;
    let mut mark = BlindWatermark::new("");
    for (name, value) in params("blindwatermark", args)? {
        match name {
            "content" => content = Some(decoded("blindwatermark.content", value)?),
            "s" => mark.strength = Some(word("blindwatermark.s", value)?),
            "q" => mark.quality = Some(int("blindwatermark.q", value, &BLIND_QUALITY)?),
            _ => return Err(unknown("blindwatermark", name, "content, s, q")),
        }
    }
    mark.content = required("blindwatermark.content", content)?;
    Ok(mark)
}

/// `image/deblindwatermark`: reads a blind watermark back, asynchronously
/// (`x-oss-async-process`). Nothing is saved: the decoded text comes in the
/// message sent to the notify topic, which is therefore required. Build it
/// with [`Process::deblind_watermark`](super::super::Process::deblind_watermark).
///
/// [`DeBlindWatermark::new`] writes what the official sample writes,
/// `s_low,t_text`; what the service assumes when `s_` or `t_` is missing is
/// not documented, so a parsed string keeps them absent when they were.
///
/// ```
/// use oss_process::process::{BlindStrength, DeBlindWatermark, Mode, Process, SaveAsRule};
///
/// let p = Process::deblind_watermark(DeBlindWatermark::new())
///     .notify_topic("imm-blindwatermark-test")
///     .build()?;
/// assert_eq!(
///     p.as_str(),
///     "image/deblindwatermark,s_low,t_text|sys/notify,topic_aW1tLWJsaW5kd2F0ZXJtYXJrLXRlc3Q"
/// );
/// assert_eq!(p.mode(), Some(Mode::Async));
/// assert_eq!(p.save_as_rule(), Some(SaveAsRule::Never));
/// assert_eq!(DeBlindWatermark::new().strength(BlindStrength::High).strength, Some(BlindStrength::High));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DeBlindWatermark {
    /// `s_`: how hard to look (higher is slower and finds more).
    pub strength: Option<BlindStrength>,
    /// `t_`: the kind of watermark, text.
    pub watermark_type: Option<BlindWatermarkType>,
}

impl DeBlindWatermark {
    /// `s_low,t_text`, as the official sample decodes.
    ///
    /// ```
    /// use oss_process::process::{BlindStrength, BlindWatermarkType, DeBlindWatermark};
    ///
    /// let d = DeBlindWatermark::new();
    /// assert_eq!((d.strength, d.watermark_type), (Some(BlindStrength::Low), Some(BlindWatermarkType::Text)));
    /// ```
    #[must_use]
    pub fn new() -> Self {
        DeBlindWatermark {
            strength: Some(BlindStrength::Low),
            watermark_type: Some(BlindWatermarkType::Text),
        }
    }

    /// Sets how hard the decoder looks (`s_`); use the strength the mark
    /// was embedded with.
    ///
    /// ```
    /// use oss_process::process::{BlindStrength, DeBlindWatermark};
    ///
    /// let d = DeBlindWatermark::new().strength(BlindStrength::Medium);
    /// assert_eq!(d.strength, Some(BlindStrength::Medium));
    /// ```
    #[must_use]
    pub fn strength(mut self, strength: BlindStrength) -> Self {
        self.strength = Some(strength);
        self
    }

    pub(crate) fn render(&self, out: &mut String) {
        out.push_str("image/deblindwatermark");
        param(out, "s", self.strength);
        param(out, "t", self.watermark_type);
    }

    /// Reads the text after `image/deblindwatermark` (its `,` included).
    pub(crate) fn parse(args: &[&str]) -> Result<DeBlindWatermark, Error> {
        let mut d = DeBlindWatermark {
            strength: None,
            watermark_type: None,
        };
        for (name, value) in params("deblindwatermark", args)? {
            match name {
                "s" => d.strength = Some(word("deblindwatermark.s", value)?),
                "t" => d.watermark_type = Some(word("deblindwatermark.t", value)?),
                _ => return Err(unknown("deblindwatermark", name, "s, t")),
            }
        }
        Ok(d)
    }
}

impl Default for DeBlindWatermark {
    /// Same as [`DeBlindWatermark::new`].
    fn default() -> Self {
        DeBlindWatermark::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_counted_in_characters() {
        assert!(BlindWatermark::new("字".repeat(256)).validate().is_ok());
        let err = BlindWatermark::new("字".repeat(257))
            .validate()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid blindwatermark.content: must be at most 256 characters, got 257"
        );
        assert!(BlindWatermark::new("").validate().is_err());
    }

    #[test]
    fn quality_is_70_to_100() {
        for q in [70, 100] {
            assert!(BlindWatermark::new("x").quality(q).validate().is_ok());
        }
        for q in [0, 69, 101] {
            assert!(BlindWatermark::new("x").quality(q).validate().is_err());
        }
    }

    #[test]
    fn parameters_parse_back() {
        let mark = parse_blind_watermark(&["q_75", "s_high", "content_aWQ"]).unwrap();
        assert_eq!(
            mark,
            BlindWatermark::new("id")
                .strength(BlindStrength::High)
                .quality(75)
        );
        let err = parse_blind_watermark(&["content_aWQ", "s_max"])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            r#"invalid blindwatermark.s: must be one of low, medium, high, got "max""#
        );
        assert!(parse_blind_watermark(&["s_low"]).is_err());
        let d = DeBlindWatermark::parse(&["t_text"]).unwrap();
        assert_eq!(
            (d.strength, d.watermark_type),
            (None, Some(BlindWatermarkType::Text))
        );
        assert!(DeBlindWatermark::parse(&["t_image"]).is_err());
        assert!(DeBlindWatermark::parse(&["content_eA"]).is_err());
    }
}
