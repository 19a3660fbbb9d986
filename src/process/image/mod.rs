//! Every image action of `x-oss-process` as a typed value, one file per
//! family: [`resize`], [`geometry`] (crop, indexcrop, rotate, circle,
//! rounded-corners, auto-orient), [`effects`] (blur, bright, contrast,
//! sharpen), [`output`] (format, quality, interlace), [`watermark`] and
//! [`blind`] (blindwatermark, and deblindwatermark, the asynchronous action
//! that reads it back). Each file holds its types, the ranges the
//! OSS documentation gives, how they render and how their parameters are
//! read back. The two queries, `info` and `average-hue`, take no
//! parameters and live here with the [`ImageAction`] that gathers them all.
//!
//! The structs double as builders (`Resize::new().width(100)`) and as the
//! parsed form a caller inspects (`resize.width`). Ranges are checked when a
//! [`Process`](super::Process) is built or parsed, never by the setters, so
//! a chain of setters cannot fail halfway.

mod blind;
mod effects;
mod geometry;
mod output;
mod resize;
mod watermark;

use std::fmt::{self, Write as _};

use super::check;
use super::params::{display_by_render, no_params, shorten, split_action};
use crate::error::Error;

pub use blind::{BlindStrength, BlindWatermark, BlindWatermarkType, DeBlindWatermark};
pub use effects::Blur;
pub use geometry::{Axis, Crop, Gravity, IndexCrop};
pub use output::{Format, Quality, SnapshotFormat};
pub use resize::{Resize, ResizeMode};
pub use watermark::{Watermark, WatermarkAlign, WatermarkOrder};

/// One action of an `image/...` chain, with its parameters.
///
/// A built or parsed [`Process`](super::Process) holds only valid actions;
/// [`Process::image_actions`](super::Process::image_actions) lists them in
/// order. `Display` renders the action as it appears between the `/`s.
///
/// ```
/// use oss_process::process::{ImageAction, Process};
///
/// let p = Process::parse("image/auto-orient,1/resize,p_50/quality,Q_75")?;
/// for action in p.image_actions() {
///     match action {
///         ImageAction::AutoOrient(on) => assert!(*on),
///         ImageAction::Resize(resize) => assert_eq!(resize.percent, Some(50)),
///         ImageAction::Quality(quality) => assert_eq!(quality.absolute, Some(75)),
///         other => panic!("unexpected {other}"),
///     }
/// }
/// assert_eq!(p.image_actions()[1].to_string(), "resize,p_50");
/// assert_eq!(p.image_actions()[1].name(), "resize");
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageAction {
    /// `resize`: scale.
    Resize(Resize),
    /// `crop`: cut a rectangle.
    Crop(Crop),
    /// `rotate,<degrees>`: clockwise, 0 to 360.
    Rotate(u32),
    /// `format,<format>`: convert.
    Format(Format),
    /// `quality`: JPG/WebP quality.
    Quality(Quality),
    /// `auto-orient,<0|1>`: follow the EXIF orientation.
    AutoOrient(bool),
    /// `circle,r_<radius>`: circular crop, radius 1 to 4096.
    Circle(u32),
    /// `rounded-corners,r_<radius>`: corner radius 1 to 4096.
    RoundedCorners(u32),
    /// `indexcrop`: keep one slice.
    IndexCrop(IndexCrop),
    /// `blur`: Gaussian blur.
    Blur(Blur),
    /// `bright,<value>`: brightness, -100 to 100.
    Bright(i32),
    /// `contrast,<value>`: contrast, -100 to 100.
    Contrast(i32),
    /// `sharpen,<value>`: sharpening, 50 to 399.
    Sharpen(u32),
    /// `interlace,<0|1>`: progressive JPEG.
    Interlace(bool),
    /// `watermark`: text and/or image watermark.
    Watermark(Watermark),
    /// `blindwatermark`: invisible text watermark.
    BlindWatermark(BlindWatermark),
    /// `info`: metadata as JSON (GET only).
    Info,
    /// `average-hue`: the dominant colour (GET only).
    AverageHue,
}

impl ImageAction {
    /// The action's name as written in a process string, e.g.
    /// `rounded-corners`.
    ///
    /// ```
    /// use oss_process::process::ImageAction;
    ///
    /// assert_eq!(ImageAction::RoundedCorners(10).name(), "rounded-corners");
    /// assert_eq!(ImageAction::AverageHue.name(), "average-hue");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            ImageAction::Resize(_) => "resize",
            ImageAction::Crop(_) => "crop",
            ImageAction::Rotate(_) => "rotate",
            ImageAction::Format(_) => "format",
            ImageAction::Quality(_) => "quality",
            ImageAction::AutoOrient(_) => "auto-orient",
            ImageAction::Circle(_) => "circle",
            ImageAction::RoundedCorners(_) => "rounded-corners",
            ImageAction::IndexCrop(_) => "indexcrop",
            ImageAction::Blur(_) => "blur",
            ImageAction::Bright(_) => "bright",
            ImageAction::Contrast(_) => "contrast",
            ImageAction::Sharpen(_) => "sharpen",
            ImageAction::Interlace(_) => "interlace",
            ImageAction::Watermark(_) => "watermark",
            ImageAction::BlindWatermark(_) => "blindwatermark",
            ImageAction::Info => "info",
            ImageAction::AverageHue => "average-hue",
        }
    }

    /// Checks every parameter against its documented range.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self {
            ImageAction::Resize(a) => a.validate(),
            ImageAction::Crop(a) => a.validate(),
            ImageAction::Rotate(degrees) => check::range("rotate", *degrees, &geometry::DEGREES),
            ImageAction::Quality(a) => a.validate(),
            ImageAction::Circle(r) => check::range("circle.r", *r, &geometry::RADIUS),
            ImageAction::RoundedCorners(r) => {
                check::range("rounded-corners.r", *r, &geometry::RADIUS)
            }
            ImageAction::IndexCrop(a) => a.validate(),
            ImageAction::Blur(a) => a.validate(),
            ImageAction::Bright(v) => check::range("bright", *v, &effects::ADJUST),
            ImageAction::Contrast(v) => check::range("contrast", *v, &effects::ADJUST),
            ImageAction::Sharpen(v) => check::range("sharpen", *v, &effects::SHARPEN),
            ImageAction::Watermark(a) => a.validate(),
            ImageAction::BlindWatermark(a) => a.validate(),
            ImageAction::Format(_)
            | ImageAction::AutoOrient(_)
            | ImageAction::Interlace(_)
            | ImageAction::Info
            | ImageAction::AverageHue => Ok(()),
        }
    }

    /// Appends the action as written between the `/`s.
    pub(crate) fn render(&self, out: &mut String) {
        let positional = |out: &mut String, value: &dyn fmt::Display| {
            let _ = write!(out, "{},{value}", self.name());
        };
        match self {
            ImageAction::Resize(a) => a.render(out),
            ImageAction::Crop(a) => a.render(out),
            ImageAction::Quality(a) => a.render(out),
            ImageAction::IndexCrop(a) => a.render(out),
            ImageAction::Blur(a) => a.render(out),
            ImageAction::Watermark(a) => a.render(out),
            ImageAction::BlindWatermark(a) => a.render(out),
            ImageAction::Rotate(v) | ImageAction::Sharpen(v) => positional(out, v),
            ImageAction::Bright(v) | ImageAction::Contrast(v) => positional(out, v),
            ImageAction::Format(f) => positional(out, f),
            ImageAction::AutoOrient(on) | ImageAction::Interlace(on) => {
                positional(out, &u8::from(*on));
            }
            ImageAction::Circle(r) | ImageAction::RoundedCorners(r) => {
                let _ = write!(out, "{},r_{r}", self.name());
            }
            ImageAction::Info | ImageAction::AverageHue => out.push_str(self.name()),
        }
    }

    /// Reads one action of an image chain (the text between two `/`s),
    /// every value checked as the builders check it.
    pub(crate) fn parse(text: &str) -> Result<ImageAction, Error> {
        let (name, args) = split_action(text);
        let action = match name {
            "resize" => ImageAction::Resize(resize::parse(&args)?),
            "crop" => ImageAction::Crop(geometry::parse_crop(&args)?),
            "rotate" => ImageAction::Rotate(geometry::parse_rotate(&args)?),
            "auto-orient" => ImageAction::AutoOrient(geometry::parse_auto_orient(&args)?),
            "circle" => ImageAction::Circle(geometry::parse_radius("circle", &args)?),
            "rounded-corners" => {
                ImageAction::RoundedCorners(geometry::parse_radius("rounded-corners", &args)?)
            }
            "indexcrop" => ImageAction::IndexCrop(geometry::parse_index_crop(&args)?),
            "blur" => ImageAction::Blur(effects::parse_blur(&args)?),
            "bright" => ImageAction::Bright(effects::parse_adjust(name, &args)?),
            "contrast" => ImageAction::Contrast(effects::parse_adjust(name, &args)?),
            "sharpen" => ImageAction::Sharpen(effects::parse_sharpen(&args)?),
            "format" => ImageAction::Format(output::parse_format(&args)?),
            "quality" => ImageAction::Quality(output::parse_quality(&args)?),
            "interlace" => ImageAction::Interlace(output::parse_interlace(&args)?),
            "watermark" => ImageAction::Watermark(watermark::parse_watermark(&args)?),
            "blindwatermark" => ImageAction::BlindWatermark(blind::parse_blind_watermark(&args)?),
            "info" => no_params(name, &args).map(|()| ImageAction::Info)?,
            "average-hue" => no_params(name, &args).map(|()| ImageAction::AverageHue)?,
            "" => return Err(Error::invalid("action", "is empty")),
            other => {
                return Err(Error::invalid(
                    "image",
                    format!(
                        "has no action {:?} that this crate models (use Process::raw to send it as is)",
                        shorten(other)
                    ),
                ));
            }
        };
        action.validate()?;
        Ok(action)
    }
}

display_by_render!(ImageAction);

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(action: ImageAction) -> String {
        action.validate().expect("valid");
        action.to_string()
    }

    #[test]
    fn positional_and_flag_actions() {
        assert_eq!(rendered(ImageAction::Rotate(360)), "rotate,360");
        assert_eq!(rendered(ImageAction::Format(Format::Avif)), "format,avif");
        assert_eq!(rendered(ImageAction::AutoOrient(true)), "auto-orient,1");
        assert_eq!(rendered(ImageAction::Interlace(false)), "interlace,0");
        assert_eq!(rendered(ImageAction::Bright(-100)), "bright,-100");
        assert_eq!(rendered(ImageAction::Contrast(100)), "contrast,100");
        assert_eq!(rendered(ImageAction::Sharpen(399)), "sharpen,399");
        assert_eq!(rendered(ImageAction::Circle(4096)), "circle,r_4096");
        assert_eq!(
            rendered(ImageAction::RoundedCorners(1)),
            "rounded-corners,r_1"
        );
        assert_eq!(rendered(ImageAction::Info), "info");
        assert_eq!(rendered(ImageAction::AverageHue), "average-hue");
    }

    #[test]
    fn every_rendered_action_parses_back() {
        for action in [
            ImageAction::Rotate(90),
            ImageAction::Circle(3),
            ImageAction::Bright(-3),
            ImageAction::Interlace(true),
            ImageAction::Info,
            ImageAction::Format(Format::Png),
        ] {
            assert_eq!(ImageAction::parse(&action.to_string()).unwrap(), action);
        }
    }

    #[test]
    fn unknown_and_empty_actions_are_refused() {
        let err = ImageAction::parse("resise,w_1").unwrap_err().to_string();
        assert!(err.contains("has no action \"resise\""), "{err}");
        assert_eq!(
            ImageAction::parse("").unwrap_err().to_string(),
            "invalid action: is empty"
        );
        assert!(ImageAction::parse("info,1").is_err());
    }
}
