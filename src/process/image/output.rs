//! The actions that decide how the result is encoded: `format`, `quality`
//! and `interlace`; and the still-image format (jpg or png) that document
//! and video snapshots are written in. (Named `output` rather than
//! `encoding` so it is not mistaken for the crate's base64 and
//! percent-encoding helpers.)

use std::ops::RangeInclusive;

use crate::error::Error;
use crate::process::check;
use crate::process::params::{flag, int, param, params, single, unknown, wire_enum, word};

/// `quality` `q` and `Q`.
pub(crate) const QUALITY: RangeInclusive<u32> = 1..=100;

wire_enum! {
    /// An output format for `format,<format>`.
    ///
    /// HEIC and AVIF are available in some regions only.
    ///
    /// ```
    /// use oss_process::process::Format;
    ///
    /// assert_eq!(Format::Webp.to_string(), "webp");
    /// assert!("jpeg".parse::<Format>().is_err());
    /// ```
    Format ("format") {
        /// JPEG, written `jpg`.
        Jpg => "jpg",
        /// PNG.
        Png => "png",
        /// WebP.
        Webp => "webp",
        /// BMP.
        Bmp => "bmp",
        /// GIF.
        Gif => "gif",
        /// TIFF.
        Tiff => "tiff",
        /// HEIC.
        Heic => "heic",
        /// AVIF.
        Avif => "avif",
    }
}

wire_enum! {
    /// The format of a snapshot or sprite made from a document or a video
    /// (`target_` of `doc/snapshot`, `f_` of `video/snapshot`,
    /// `video/snapshots` and `video/sprite`).
    ///
    /// ```
    /// use oss_process::process::SnapshotFormat;
    ///
    /// assert_eq!(SnapshotFormat::Png.as_str(), "png");
    /// assert!("webp".parse::<SnapshotFormat>().is_err());
    /// ```
    SnapshotFormat ("f") {
        /// JPEG, written `jpg`.
        Jpg => "jpg",
        /// PNG.
        Png => "png",
    }
}

/// `quality`: JPG and WebP compression quality. `q_` is relative to the
/// source's quality, `Q_` absolute; both 1 to 100, and `Q` wins when both
/// are set.
///
/// ```
/// use oss_process::process::{Process, Quality};
///
/// let p = Process::image().quality(Quality::relative(90)).build()?;
/// assert_eq!(p.as_str(), "image/quality,q_90");
/// assert!(Process::image().quality(Quality::absolute(0)).build().is_err());
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Quality {
    /// `q_`: quality relative to the source, 1 to 100.
    pub relative: Option<u32>,
    /// `Q_`: absolute quality, 1 to 100.
    pub absolute: Option<u32>,
}

impl Quality {
    /// `q_<quality>`: relative to the source's quality.
    ///
    /// ```
    /// use oss_process::process::Quality;
    ///
    /// assert_eq!(Quality::relative(80).relative, Some(80));
    /// ```
    #[must_use]
    pub fn relative(quality: u32) -> Self {
        Quality {
            relative: Some(quality),
            absolute: None,
        }
    }

    /// `Q_<quality>`: absolute.
    ///
    /// ```
    /// use oss_process::process::Quality;
    ///
    /// assert_eq!(Quality::absolute(80).absolute, Some(80));
    /// ```
    #[must_use]
    pub fn absolute(quality: u32) -> Self {
        Quality {
            relative: None,
            absolute: Some(quality),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.relative.is_none() && self.absolute.is_none() {
            return Err(Error::invalid("quality", "needs q or Q"));
        }
        check::opt_range("quality.q", self.relative, &QUALITY)?;
        check::opt_range("quality.Q", self.absolute, &QUALITY)
    }

    pub(crate) fn render(&self, out: &mut String) {
        out.push_str("quality");
        param(out, "q", self.relative);
        param(out, "Q", self.absolute);
    }
}

/// Reads `format,<format>`.
pub(super) fn parse_format(args: &[&str]) -> Result<Format, Error> {
    word("format", single("format", args)?)
}

/// Reads `quality`'s parameters.
pub(super) fn parse_quality(args: &[&str]) -> Result<Quality, Error> {
    let mut q = Quality::default();
    for (name, value) in params("quality", args)? {
        match name {
            "q" => q.relative = Some(int("quality.q", value, &QUALITY)?),
            "Q" => q.absolute = Some(int("quality.Q", value, &QUALITY)?),
            _ => return Err(unknown("quality", name, "q, Q")),
        }
    }
    Ok(q)
}

/// Reads `interlace,<0|1>`.
pub(super) fn parse_interlace(args: &[&str]) -> Result<bool, Error> {
    flag("interlace", single("interlace", args)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip() {
        for f in Format::ALL {
            assert_eq!(parse_format(&[f.as_str()]).unwrap(), *f);
        }
        assert!(parse_format(&["jpeg"]).is_err());
    }

    #[test]
    fn quality_needs_a_value() {
        assert!(Quality::default().validate().is_err());
        let q = parse_quality(&["Q_80", "q_70"]).unwrap();
        assert_eq!((q.relative, q.absolute), (Some(70), Some(80)));
    }
}
