//! The visible watermark: `watermark`, with text, an image, or both.

use std::ops::RangeInclusive;

use super::Gravity;
use super::geometry::DEGREES;
use crate::encoding::base64_url;
use crate::error::Error;
use crate::names;
use crate::process::check;
use crate::process::color::{Color, check_color, set_color};
use crate::process::params::{
    decoded, flag, int, param, params, setters, unknown, wire_enum, word,
};

/// Text watermark `size`, in px (the docs say (0, 1000]).
pub(crate) const FONT_SIZE: RangeInclusive<u32> = 1..=1000;
/// Watermark `t` (opacity) and text `shadow`, in percent.
pub(crate) const OPACITY: RangeInclusive<u32> = 0..=100;
/// Watermark `x` and `y` margins, in px.
pub(crate) const MARGIN: RangeInclusive<u32> = 0..=4096;
/// Watermark `voffset`, in px.
pub(crate) const VOFFSET: RangeInclusive<i32> = -1000..=1000;
/// Image-and-text watermark `interval`, in px.
pub(crate) const INTERVAL: RangeInclusive<u32> = 0..=1000;
/// Text watermark text, in bytes before encoding (the docs: 64 characters,
/// "about 20 Chinese characters").
pub(crate) const TEXT_MAX_BYTES: usize = 64;

wire_enum! {
    /// Which comes first in an image-and-text watermark (`order_`).
    ///
    /// ```
    /// use oss_process::process::WatermarkOrder;
    ///
    /// assert_eq!(WatermarkOrder::TextFirst.as_str(), "1");
    /// ```
    WatermarkOrder ("watermark.order") {
        /// `0` (the default): the image, then the text.
        ImageFirst => "0",
        /// `1`: the text, then the image.
        TextFirst => "1",
    }
}

wire_enum! {
    /// How the text lines up with the image in an image-and-text watermark
    /// (`align_`).
    ///
    /// ```
    /// use oss_process::process::WatermarkAlign;
    ///
    /// assert_eq!(WatermarkAlign::Bottom.as_str(), "2");
    /// ```
    WatermarkAlign ("watermark.align") {
        /// `0`: top.
        Top => "0",
        /// `1`: centre.
        Center => "1",
        /// `2` (the default): bottom.
        Bottom => "2",
    }
}

/// `watermark`: a text watermark, an image watermark, or both.
///
/// This crate encodes the text, the font name and the image's object key in
/// URL-safe base64 for you; give them as plain text. Set `text`, `image`, or
/// both (then `order`, `align` and `interval` arrange them).
///
/// | field | wire | allowed |
/// |---|---|---|
/// | `text` | `text_` | 1 to 64 bytes, no control characters |
/// | `font` | `type_` | a font name, e.g. `wqy-zenhei` (default), `wqy-microhei`, `fangzhengshusong`, `fangzhengkaiti`, `fangzhengheiti`, `fangzhengfangsong`, `droidsansfallback` |
/// | `color` | `color_` | six hex digits, default `000000` |
/// | `size` | `size_` | 1 to 1000 px, default 40 |
/// | `shadow` | `shadow_` | 0 to 100 (percent) |
/// | `rotate` | `rotate_` | 0 to 360 degrees, clockwise |
/// | `fill` | `fill_` | `true` tiles the text over the image |
/// | `image` | `image_` | an object key in the same bucket, 1 to 1023 bytes; it may carry its own `?x-oss-process=image/resize,P_<percent>` |
/// | `transparency` | `t_` | 0 to 100, default 100 (opaque) |
/// | `gravity` | `g_` | default `se` |
/// | `x`, `y` | `x_`, `y_` | 0 to 4096 px, default 10 |
/// | `voffset` | `voffset_` | -1000 to 1000 px |
/// | `order` | `order_` | see [`WatermarkOrder`] |
/// | `align` | `align_` | see [`WatermarkAlign`] |
/// | `interval` | `interval_` | 0 to 1000 px between text and image |
///
/// ```
/// use oss_process::process::{Gravity, Process, Watermark, WatermarkOrder};
///
/// let mark = Watermark::new()
///     .text("Hello")
///     .font("wqy-zenhei")
///     .color("FFFFFF")
///     .size(30)
///     .image("panda.png")
///     .order(WatermarkOrder::TextFirst)
///     .transparency(90)
///     .gravity(Gravity::SouthEast)
///     .x(10)
///     .y(10);
/// let p = Process::image().watermark(mark).build()?;
/// assert_eq!(
///     p.as_str(),
///     "image/watermark,text_SGVsbG8,type_d3F5LXplbmhlaQ,color_FFFFFF,size_30,\
///      image_cGFuZGEucG5n,order_1,t_90,g_se,x_10,y_10"
/// );
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Watermark {
    /// `text_`: the text, decoded.
    pub text: Option<String>,
    /// `type_`: the font name, decoded.
    pub font: Option<String>,
    /// `color_`: the text colour.
    pub color: Option<Color>,
    /// `size_`: the font size in px.
    pub size: Option<u32>,
    /// `shadow_`: the text shadow's opacity, in percent.
    pub shadow: Option<u32>,
    /// `rotate_`: the text's clockwise rotation, in degrees.
    pub rotate: Option<u32>,
    /// `fill_`: whether the text is tiled over the image.
    pub fill: Option<bool>,
    /// `image_`: the watermark image's object key, decoded.
    pub image: Option<String>,
    /// `order_`: which comes first when there are both text and image.
    pub order: Option<WatermarkOrder>,
    /// `align_`: how text and image line up.
    pub align: Option<WatermarkAlign>,
    /// `interval_`: the space between text and image, in px.
    pub interval: Option<u32>,
    /// `t_`: opacity in percent (100 is opaque).
    pub transparency: Option<u32>,
    /// `g_`: where the watermark goes.
    pub gravity: Option<Gravity>,
    /// `x_`: horizontal margin, in px.
    pub x: Option<u32>,
    /// `y_`: vertical margin, in px.
    pub y: Option<u32>,
    /// `voffset_`: vertical offset from the middle line, in px.
    pub voffset: Option<i32>,
    bad_color: Option<String>,
}

setters!(Watermark {
    /// Sets the font size (`size_`), 1 to 1000 px.
    size: u32 = 40;
    /// Sets the text shadow's opacity (`shadow_`), 0 to 100.
    shadow: u32 = 50;
    /// Sets the text's clockwise rotation (`rotate_`), 0 to 360 degrees.
    rotate: u32 = 45;
    /// Sets whether the text is tiled over the image (`fill_`).
    fill: bool = true;
    /// Sets which comes first, text or image (`order_`).
    order: WatermarkOrder = WatermarkOrder::TextFirst;
    /// Sets how text and image line up (`align_`).
    align: WatermarkAlign = WatermarkAlign::Center;
    /// Sets the space between text and image (`interval_`), 0 to 1000 px.
    interval: u32 = 10;
    /// Sets the opacity (`t_`), 0 to 100 (100 is opaque).
    transparency: u32 = 90;
    /// Sets where the watermark goes (`g_`).
    gravity: Gravity = Gravity::NorthWest;
    /// Sets the horizontal margin (`x_`), 0 to 4096 px.
    x: u32 = 10;
    /// Sets the vertical margin (`y_`), 0 to 4096 px.
    y: u32 = 10;
    /// Sets the vertical offset from the middle line (`voffset_`), -1000 to
    /// 1000 px.
    voffset: i32 = -20;
});

impl Watermark {
    /// A watermark with nothing set yet; set `text`, `image`, or both.
    ///
    /// ```
    /// use oss_process::process::Watermark;
    ///
    /// assert_eq!(Watermark::new().text("hi").text.as_deref(), Some("hi"));
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Watermark::default()
    }

    /// Sets the text (`text_`), 1 to 64 bytes; encoded for you.
    ///
    /// ```
    /// use oss_process::process::Watermark;
    ///
    /// assert_eq!(Watermark::new().text("Hello").text.as_deref(), Some("Hello"));
    /// ```
    #[must_use]
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Sets the font (`type_`) by name, e.g. `wqy-zenhei`; encoded for you.
    ///
    /// ```
    /// use oss_process::process::Watermark;
    ///
    /// let mark = Watermark::new().font("fangzhengheiti");
    /// assert_eq!(mark.font.as_deref(), Some("fangzhengheiti"));
    /// ```
    #[must_use]
    pub fn font(mut self, font: impl Into<String>) -> Self {
        self.font = Some(font.into());
        self
    }

    /// Sets the watermark image (`image_`): an object key in the same bucket,
    /// optionally with `?x-oss-process=image/resize,P_<percent>` to scale it
    /// to the main image; encoded for you.
    ///
    /// ```
    /// use oss_process::process::Watermark;
    ///
    /// assert_eq!(Watermark::new().image("logo.png").image.as_deref(), Some("logo.png"));
    /// ```
    #[must_use]
    pub fn image(mut self, key: impl Into<String>) -> Self {
        self.image = Some(key.into());
        self
    }

    /// Sets the text colour (`color_`): six hex digits, e.g. `"FF0000"`. A
    /// malformed value is reported by `build` as `watermark.color`.
    ///
    /// ```
    /// use oss_process::process::{Color, Watermark};
    ///
    /// assert_eq!(Watermark::new().color("0000ff").color, Some(Color::rgb(0, 0, 255)));
    /// ```
    #[must_use]
    pub fn color(mut self, hex: impl AsRef<str>) -> Self {
        set_color(&mut self.color, &mut self.bad_color, hex.as_ref());
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.text.is_none() && self.image.is_none() {
            return Err(Error::invalid("watermark", "needs text or image (or both)"));
        }
        if let Some(text) = &self.text {
            check::not_empty("watermark.text", text)?;
            check::max_bytes("watermark.text", text, TEXT_MAX_BYTES)?;
            // The docs: line breaks are not supported in text watermarks.
            check::no_control("watermark.text", text)?;
        }
        if let Some(font) = &self.font {
            check::not_empty("watermark.type", font)?;
            check::no_control("watermark.type", font)?;
        }
        if let Some(image) = &self.image {
            names::check_key_as("watermark.image", image)?;
        }
        check_color("watermark.color", self.bad_color.as_ref())?;
        check::opt_range("watermark.size", self.size, &FONT_SIZE)?;
        check::opt_range("watermark.shadow", self.shadow, &OPACITY)?;
        check::opt_range("watermark.rotate", self.rotate, &DEGREES)?;
        check::opt_range("watermark.interval", self.interval, &INTERVAL)?;
        check::opt_range("watermark.t", self.transparency, &OPACITY)?;
        check::opt_range("watermark.x", self.x, &MARGIN)?;
        check::opt_range("watermark.y", self.y, &MARGIN)?;
        check::opt_range("watermark.voffset", self.voffset, &VOFFSET)
    }

    pub(crate) fn render(&self, out: &mut String) {
        out.push_str("watermark");
        param(out, "text", self.text.as_deref().map(base64_url));
        param(out, "type", self.font.as_deref().map(base64_url));
        param(out, "color", self.color);
        param(out, "size", self.size);
        param(out, "shadow", self.shadow);
        param(out, "rotate", self.rotate);
        param(out, "fill", self.fill.map(u8::from));
        param(out, "image", self.image.as_deref().map(base64_url));
        param(out, "order", self.order);
        param(out, "align", self.align);
        param(out, "interval", self.interval);
        param(out, "t", self.transparency);
        param(out, "g", self.gravity);
        param(out, "x", self.x);
        param(out, "y", self.y);
        param(out, "voffset", self.voffset);
    }
}

/// Reads `watermark`'s parameters; the text, font and image are decoded.
pub(super) fn parse_watermark(args: &[&str]) -> Result<Watermark, Error> {
    let mut w = Watermark::new();
    for (name, value) in params("watermark", args)? {
        w = match name {
            "text" => w.text(decoded("watermark.text", value)?),
            "type" => w.font(decoded("watermark.type", value)?),
            "color" => w.color(value),
            "size" => w.size(int("watermark.size", value, &FONT_SIZE)?),
            "shadow" => w.shadow(int("watermark.shadow", value, &OPACITY)?),
            "rotate" => w.rotate(int("watermark.rotate", value, &DEGREES)?),
            "fill" => w.fill(flag("watermark.fill", value)?),
            "image" => w.image(decoded("watermark.image", value)?),
            "order" => w.order(word("watermark.order", value)?),
            "align" => w.align(word("watermark.align", value)?),
            "interval" => w.interval(int("watermark.interval", value, &INTERVAL)?),
            "t" => w.transparency(int("watermark.t", value, &OPACITY)?),
            "g" => w.gravity(word("watermark.g", value)?),
            "x" => w.x(int("watermark.x", value, &MARGIN)?),
            "y" => w.y(int("watermark.y", value, &MARGIN)?),
            "voffset" => w.voffset(int("watermark.voffset", value, &VOFFSET)?),
            _ => {
                return Err(unknown(
                    "watermark",
                    name,
                    "text, type, color, size, shadow, rotate, fill, image, order, align, \
                     interval, t, g, x, y, voffset",
                ));
            }
        };
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(mark: &Watermark) -> String {
        match mark.validate() {
            Err(Error::InvalidArgument { name, .. }) => name,
            other => panic!("{mark:?}: {other:?}"),
        }
    }

    #[test]
    fn text_watermark_limits() {
        assert!(
            Watermark::new()
                .text("a".repeat(TEXT_MAX_BYTES))
                .validate()
                .is_ok()
        );
        assert_eq!(
            error(&Watermark::new().text("a".repeat(TEXT_MAX_BYTES + 1))),
            "watermark.text"
        );
        assert_eq!(
            error(&Watermark::new().text("two\nlines")),
            "watermark.text"
        );
        assert_eq!(
            error(&Watermark::new().gravity(Gravity::Center)),
            "watermark"
        );
    }

    #[test]
    fn watermark_values_cannot_inject_separators() {
        let mark = Watermark::new()
            .text("a,b/c|d_e")
            .font("x/y")
            .image("dir/logo.png?x-oss-process=image/resize,P_30");
        mark.validate().unwrap();
        let mut text = String::new();
        mark.render(&mut text);
        assert_eq!(text.matches(',').count(), 3, "{text}");
        assert!(!text.contains('/') && !text.contains('|'), "{text}");
    }
}
