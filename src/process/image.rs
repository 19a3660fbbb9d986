//! Every image action of `x-oss-process` as a typed value: its parameters,
//! the ranges the OSS documentation gives for them, and how it renders.
//!
//! The structs double as builders (`Resize::new().width(100)`) and as the
//! parsed form a caller inspects (`resize.width`): their fields are public
//! and named for what they mean, with the wire name in each field's docs.
//! Ranges are checked when a [`Process`](super::Process) is built or parsed,
//! never by the setters, so a chain of setters cannot fail halfway.

use std::fmt::{self, Write as _};
use std::ops::RangeInclusive;
use std::str::FromStr;

use super::check;
use crate::encoding::base64_url;
use crate::error::Error;

/// `resize` `w`, `h`, `l` and `s` (older docs said 1..=4096).
pub(crate) const SIDE: RangeInclusive<u32> = 1..=16384;
/// `resize` `p`, in percent.
pub(crate) const PERCENT: RangeInclusive<u32> = 1..=1000;
/// `crop` `w`, `h`, `x`, `y`: the docs bound them by the image, and a source
/// image is at most 30,000 px a side.
pub(crate) const CROP: RangeInclusive<u32> = 0..=30000;
/// `rotate` and the text watermark's `rotate`.
pub(crate) const DEGREES: RangeInclusive<u32> = 0..=360;
/// `quality` `q` and `Q`.
pub(crate) const QUALITY: RangeInclusive<u32> = 1..=100;
/// `circle` and `rounded-corners` `r`.
pub(crate) const RADIUS: RangeInclusive<u32> = 1..=4096;
/// `indexcrop` `x` / `y`: at least 1, at most a source side.
pub(crate) const SLICE: RangeInclusive<u32> = 1..=30000;
/// `blur` `r` and `s`.
pub(crate) const BLUR: RangeInclusive<u32> = 1..=50;
/// `bright` and `contrast`.
pub(crate) const ADJUST: RangeInclusive<i32> = -100..=100;
/// `sharpen`.
pub(crate) const SHARPEN: RangeInclusive<u32> = 50..=399;
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
/// Blind watermark content, in characters before encoding.
pub(crate) const BLIND_MAX_CHARS: usize = 256;

/// Declares an enum of the fixed words a parameter takes, with its wire
/// spelling, `Display`, `FromStr` and the list of all values.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident ($param:literal) {
            $($(#[$vmeta:meta])* $variant:ident => $wire:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the order the documentation lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The value as written in a process string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;

            /// Reads the value as written in a process string.
            fn from_str(s: &str) -> Result<Self, Error> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(Error::invalid(
                        $param,
                        format!("must be one of {}, got {s:?}", [$($wire),+].join(", ")),
                    )),
                }
            }
        }
    };
}

wire_enum! {
    /// How `resize` fits the image to the target size (`m_`).
    ///
    /// ```
    /// use oss_process::process::ResizeMode;
    ///
    /// assert_eq!(ResizeMode::Pad.as_str(), "pad");
    /// assert_eq!("mfit".parse::<ResizeMode>()?, ResizeMode::Mfit);
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    ResizeMode ("resize.m") {
        /// `lfit` (the default): the largest proportional image inside w x h.
        Lfit => "lfit",
        /// `mfit`: the smallest proportional image covering w x h.
        Mfit => "mfit",
        /// `fill`: like `mfit`, then centre-cropped to exactly w x h.
        Fill => "fill",
        /// `pad`: like `lfit`, then centred on a w x h canvas of `color`.
        Pad => "pad",
        /// `fixed`: forced to exactly w x h, ignoring the ratio.
        Fixed => "fixed",
    }
}

wire_enum! {
    /// A tile of the 3 x 3 grid that places a crop or a watermark (`g_`).
    ///
    /// ```
    /// use oss_process::process::Gravity;
    ///
    /// assert_eq!(Gravity::SouthEast.as_str(), "se");
    /// assert_eq!("center".parse::<Gravity>()?, Gravity::Center);
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    Gravity ("g") {
        /// `nw`: upper left.
        NorthWest => "nw",
        /// `north`: upper middle.
        North => "north",
        /// `ne`: upper right.
        NorthEast => "ne",
        /// `west`: middle left.
        West => "west",
        /// `center`: centre.
        Center => "center",
        /// `east`: middle right.
        East => "east",
        /// `sw`: lower left.
        SouthWest => "sw",
        /// `south`: lower middle.
        South => "south",
        /// `se`: lower right (the watermark default).
        SouthEast => "se",
    }
}

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
    /// The axis `indexcrop` slices along.
    ///
    /// ```
    /// use oss_process::process::Axis;
    ///
    /// assert_eq!(Axis::Y.as_str(), "y");
    /// ```
    Axis ("indexcrop") {
        /// `x_`: slices of the given width, side by side.
        X => "x",
        /// `y_`: slices of the given height, one above the other.
        Y => "y",
    }
}

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

/// An RGB colour, written as six hex digits (`FF0000`) in a process string.
///
/// ```
/// use oss_process::process::Color;
///
/// let red: Color = "ff0000".parse()?;
/// assert_eq!(red, Color::rgb(255, 0, 0));
/// assert_eq!(red.to_string(), "FF0000");
/// assert!("#ff0000".parse::<Color>().is_err());
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Color {
    /// Red, 0 to 255.
    pub red: u8,
    /// Green, 0 to 255.
    pub green: u8,
    /// Blue, 0 to 255.
    pub blue: u8,
}

impl Color {
    /// A colour from its three components.
    ///
    /// ```
    /// use oss_process::process::Color;
    ///
    /// assert_eq!(Color::rgb(0, 128, 255).to_string(), "0080FF");
    /// ```
    #[must_use]
    pub const fn rgb(red: u8, green: u8, blue: u8) -> Self {
        Color { red, green, blue }
    }

    fn from_hex(hex: &str) -> Option<Color> {
        let bytes = hex.as_bytes();
        if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        Some(Color::rgb(byte(0)?, byte(2)?, byte(4)?))
    }

    /// Parses `hex` for the parameter `name`, or says why it cannot.
    fn parse_for(name: &str, hex: &str) -> Result<Color, Error> {
        Color::from_hex(hex).ok_or_else(|| {
            Error::invalid(name, format!("must be 6 hex digits (RRGGBB), got {hex:?}"))
        })
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X}{:02X}{:02X}", self.red, self.green, self.blue)
    }
}

impl FromStr for Color {
    type Err = Error;

    /// Reads six hex digits, in either case, without a `#`.
    fn from_str(s: &str) -> Result<Self, Error> {
        Color::parse_for("color", s)
    }
}

/// A colour setter's input: the parsed colour, or the text that failed, kept
/// until `build` reports it.
fn set_color(color: &mut Option<Color>, bad: &mut Option<String>, hex: &str) {
    match Color::from_hex(hex) {
        Some(c) => {
            *color = Some(c);
            *bad = None;
        }
        None => {
            *color = None;
            *bad = Some(hex.to_owned());
        }
    }
}

fn check_color(name: &str, bad: Option<&String>) -> Result<(), Error> {
    bad.map_or(Ok(()), |hex| Color::parse_for(name, hex).map(drop))
}

/// Declares setters of `Option` fields, each with its doc line and a doctest.
macro_rules! setters {
    ($ty:ident { $($(#[$doc:meta])* $field:ident: $value:ty = $example:expr;)+ }) => {
        impl $ty {
            $(
                $(#[$doc])*
                ///
                /// ```
                #[doc = concat!("use oss_process::process::*;\n\nlet v = ", stringify!($ty),
                    "::new().", stringify!($field), "(", stringify!($example), ");\n",
                    "assert_eq!(v.", stringify!($field), ", Some(", stringify!($example), "));")]
                /// ```
                #[must_use]
                pub fn $field(mut self, $field: $value) -> Self {
                    self.$field = Some($field);
                    self
                }
            )+
        }
    };
}

/// Declares the `Resize` constructor of each fit mode, named for the mode.
macro_rules! mode_constructors {
    ($($(#[$doc:meta])* $mode:ident => $variant:ident;)+) => {
        impl Resize {
            $(
                $(#[$doc])*
                ///
                /// ```
                #[doc = concat!("use oss_process::process::{Process, Resize};\n\n",
                    "let p = Process::image().resize(Resize::", stringify!($mode), "(100, 50)).build()?;\n",
                    "assert_eq!(p.as_str(), \"image/resize,m_", stringify!($mode), ",w_100,h_50\");\n",
                    "# Ok::<(), oss_process::Error>(())")]
                /// ```
                #[must_use]
                pub fn $mode(width: u32, height: u32) -> Self {
                    Resize::new().mode(ResizeMode::$variant).width(width).height(height)
                }
            )+
        }
    };
}

/// `resize`: scales the image.
///
/// Set at least one size (`width`, `height`, `long_side`, `short_side` or
/// `percent`). Sides are 1 to 16384 px, `percent` 1 to 1000; `color` (six hex
/// digits) fills the canvas in [`ResizeMode::Pad`]. When `width` or `height`
/// is given the service ignores `long_side` and `short_side`.
///
/// ```
/// use oss_process::process::{Process, Resize, ResizeMode};
///
/// let p = Process::image()
///     .resize(Resize::pad(200, 100).color("000000").limit(false))
///     .build()?;
/// assert_eq!(p.as_str(), "image/resize,m_pad,w_200,h_100,limit_0,color_000000");
///
/// let r = Resize::new().long_side(300);
/// assert_eq!((r.mode, r.long_side), (None, Some(300)));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Resize {
    /// `m_`: the fit mode; `None` is the service default, `lfit`.
    pub mode: Option<ResizeMode>,
    /// `w_`: target width, 1 to 16384 px.
    pub width: Option<u32>,
    /// `h_`: target height, 1 to 16384 px.
    pub height: Option<u32>,
    /// `l_`: target longer side, 1 to 16384 px.
    pub long_side: Option<u32>,
    /// `s_`: target shorter side, 1 to 16384 px.
    pub short_side: Option<u32>,
    /// `p_`: scale in percent, 1 to 1000 (below 100 shrinks).
    pub percent: Option<u32>,
    /// `limit_`: `true` (`1`, the default) never enlarges past the source,
    /// `false` (`0`) allows it.
    pub limit: Option<bool>,
    /// `color_`: the pad colour; `None` is the service default, white.
    pub color: Option<Color>,
    bad_color: Option<String>,
}

impl Resize {
    /// A resize with nothing set yet; add at least one size.
    ///
    /// ```
    /// use oss_process::process::Resize;
    ///
    /// assert_eq!(Resize::new().width(100).width, Some(100));
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Resize::default()
    }

    /// `p_..`: scales by a percentage, 1 to 1000.
    ///
    /// ```
    /// use oss_process::process::{Process, Resize};
    ///
    /// let p = Process::image().resize(Resize::by_percent(50)).build()?;
    /// assert_eq!(p.as_str(), "image/resize,p_50");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    #[must_use]
    pub fn by_percent(percent: u32) -> Self {
        Resize::new().percent(percent)
    }

    /// Sets the pad colour (`color_`): six hex digits, e.g. `"FF0000"`.
    /// A malformed value is reported by `build` as `resize.color`.
    ///
    /// ```
    /// use oss_process::process::{Color, Process, Resize};
    ///
    /// assert_eq!(Resize::pad(10, 10).color("ff0000").color, Some(Color::rgb(255, 0, 0)));
    /// let err = Process::image().resize(Resize::pad(10, 10).color("red")).build().unwrap_err();
    /// assert_eq!(err.to_string(), r#"invalid resize.color: must be 6 hex digits (RRGGBB), got "red""#);
    /// ```
    #[must_use]
    pub fn color(mut self, hex: impl AsRef<str>) -> Self {
        set_color(&mut self.color, &mut self.bad_color, hex.as_ref());
        self
    }

    fn validate(&self) -> Result<(), Error> {
        let sizes = [
            ("resize.w", self.width, &SIDE),
            ("resize.h", self.height, &SIDE),
            ("resize.l", self.long_side, &SIDE),
            ("resize.s", self.short_side, &SIDE),
            ("resize.p", self.percent, &PERCENT),
        ];
        if sizes.iter().all(|(_, value, _)| value.is_none()) {
            return Err(Error::invalid(
                "resize",
                "needs a size: set at least one of w, h, l, s or p",
            ));
        }
        for (name, value, allowed) in sizes {
            check::opt_range(name, value, allowed)?;
        }
        check_color("resize.color", self.bad_color.as_ref())
    }

    fn render(&self, out: &mut String) {
        out.push_str("resize");
        param(out, "m", self.mode);
        param(out, "w", self.width);
        param(out, "h", self.height);
        param(out, "l", self.long_side);
        param(out, "s", self.short_side);
        param(out, "p", self.percent);
        param(out, "limit", self.limit.map(u8::from));
        param(out, "color", self.color);
    }
}

mode_constructors! {
    /// `m_fixed,w_..,h_..`: exactly `width` x `height`, ignoring the ratio.
    fixed => Fixed;
    /// `m_lfit,w_..,h_..`: the largest proportional image inside the box.
    lfit => Lfit;
    /// `m_mfit,w_..,h_..`: the smallest proportional image covering the box.
    mfit => Mfit;
    /// `m_fill,w_..,h_..`: covers the box, then centre-crops to it.
    fill => Fill;
    /// `m_pad,w_..,h_..`: fits inside the box, centred on a canvas of
    /// [`Resize::color`].
    pad => Pad;
}

setters!(Resize {
    /// Sets the fit mode (`m_`).
    mode: ResizeMode = ResizeMode::Fill;
    /// Sets the target width (`w_`), 1 to 16384.
    width: u32 = 300;
    /// Sets the target height (`h_`), 1 to 16384.
    height: u32 = 300;
    /// Sets the target longer side (`l_`), 1 to 16384.
    long_side: u32 = 300;
    /// Sets the target shorter side (`s_`), 1 to 16384.
    short_side: u32 = 300;
    /// Sets the scale in percent (`p_`), 1 to 1000.
    percent: u32 = 150;
    /// Sets whether the service may not enlarge past the source (`limit_1`,
    /// `true`, its default) or may (`limit_0`, `false`).
    limit: bool = false;
});

/// `crop`: cuts a rectangle out of the image.
///
/// `x` and `y` place the rectangle's corner (relative to the [`Gravity`]
/// tile, upper left by default); `width` and `height` default to the rest of
/// the image. The docs bound each by the image itself; this crate checks
/// 0 to 30000, the largest source side. Set at least one of them.
///
/// ```
/// use oss_process::process::{Crop, Gravity, Process};
///
/// let p = Process::image()
///     .crop(Crop::new().x(10).y(10).width(200).height(200).gravity(Gravity::Center))
///     .build()?;
/// assert_eq!(p.as_str(), "image/crop,x_10,y_10,w_200,h_200,g_center");
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Crop {
    /// `x_`: left edge of the rectangle, in px from the gravity tile.
    pub x: Option<u32>,
    /// `y_`: top edge of the rectangle, in px from the gravity tile.
    pub y: Option<u32>,
    /// `w_`: width of the rectangle; `None` is the rest of the image.
    pub width: Option<u32>,
    /// `h_`: height of the rectangle; `None` is the rest of the image.
    pub height: Option<u32>,
    /// `g_`: the grid tile the origin is taken from.
    pub gravity: Option<Gravity>,
}

impl Crop {
    /// A crop with nothing set yet.
    ///
    /// ```
    /// use oss_process::process::Crop;
    ///
    /// assert_eq!(Crop::new().width(5).width, Some(5));
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Crop::default()
    }

    fn validate(&self) -> Result<(), Error> {
        let fields = [
            ("crop.x", self.x),
            ("crop.y", self.y),
            ("crop.w", self.width),
            ("crop.h", self.height),
        ];
        if fields.iter().all(|(_, v)| v.is_none()) && self.gravity.is_none() {
            return Err(Error::invalid(
                "crop",
                "needs at least one of x, y, w, h or g",
            ));
        }
        fields
            .iter()
            .try_for_each(|(name, value)| check::opt_range(name, *value, &CROP))
    }

    fn render(&self, out: &mut String) {
        out.push_str("crop");
        param(out, "x", self.x);
        param(out, "y", self.y);
        param(out, "w", self.width);
        param(out, "h", self.height);
        param(out, "g", self.gravity);
    }
}

setters!(Crop {
    /// Sets the left edge (`x_`), 0 to 30000.
    x: u32 = 10;
    /// Sets the top edge (`y_`), 0 to 30000.
    y: u32 = 10;
    /// Sets the width (`w_`), 0 to 30000.
    width: u32 = 200;
    /// Sets the height (`h_`), 0 to 30000.
    height: u32 = 200;
    /// Sets the grid tile the origin is taken from (`g_`).
    gravity: Gravity = Gravity::North;
});

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

    fn validate(&self) -> Result<(), Error> {
        if self.relative.is_none() && self.absolute.is_none() {
            return Err(Error::invalid("quality", "needs q or Q"));
        }
        check::opt_range("quality.q", self.relative, &QUALITY)?;
        check::opt_range("quality.Q", self.absolute, &QUALITY)
    }

    fn render(&self, out: &mut String) {
        out.push_str("quality");
        param(out, "q", self.relative);
        param(out, "Q", self.absolute);
    }
}

/// `indexcrop`: slices the image along one axis into pieces `length` px
/// long and keeps piece `index` (0 is the first; past the last, the service
/// returns the source). `length` is 1 to 30000.
///
/// ```
/// use oss_process::process::{Axis, IndexCrop, Process};
///
/// let slice = IndexCrop::y(100).index(2);
/// assert_eq!((slice.axis, slice.length, slice.index), (Axis::Y, 100, Some(2)));
/// let p = Process::image().index_crop(slice).build()?;
/// assert_eq!(p.as_str(), "image/indexcrop,y_100,i_2");
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct IndexCrop {
    /// `x_` or `y_`: the axis sliced along.
    pub axis: Axis,
    /// The value of `x_` / `y_`: each piece's length in px.
    pub length: u32,
    /// `i_`: the piece kept; `None` is the service default, 0.
    pub index: Option<u32>,
}

impl IndexCrop {
    /// Slices horizontally into pieces `length` px wide (`x_`).
    ///
    /// ```
    /// use oss_process::process::{Axis, IndexCrop};
    ///
    /// assert_eq!(IndexCrop::x(10).axis, Axis::X);
    /// ```
    #[must_use]
    pub fn x(length: u32) -> Self {
        IndexCrop {
            axis: Axis::X,
            length,
            index: None,
        }
    }

    /// Slices vertically into pieces `length` px high (`y_`).
    ///
    /// ```
    /// use oss_process::process::{Axis, IndexCrop};
    ///
    /// assert_eq!(IndexCrop::y(10).axis, Axis::Y);
    /// ```
    #[must_use]
    pub fn y(length: u32) -> Self {
        IndexCrop {
            axis: Axis::Y,
            ..IndexCrop::x(length)
        }
    }

    /// Sets which piece to keep (`i_`), from 0.
    ///
    /// ```
    /// use oss_process::process::IndexCrop;
    ///
    /// assert_eq!(IndexCrop::x(10).index(3).index, Some(3));
    /// ```
    #[must_use]
    pub fn index(mut self, index: u32) -> Self {
        self.index = Some(index);
        self
    }

    fn validate(&self) -> Result<(), Error> {
        let name = match self.axis {
            Axis::X => "indexcrop.x",
            Axis::Y => "indexcrop.y",
        };
        check::range(name, self.length, &SLICE)
    }

    fn render(&self, out: &mut String) {
        out.push_str("indexcrop");
        param(out, self.axis.as_str(), Some(self.length));
        param(out, "i", self.index);
    }
}

/// `blur`: Gaussian blur with radius `r_` and standard deviation `s_`, both
/// required, both 1 to 50.
///
/// ```
/// use oss_process::process::{Blur, Process};
///
/// let blur = Blur::new(10, 5);
/// assert_eq!((blur.radius, blur.sigma), (10, 5));
/// assert_eq!(Process::image().blur(blur).build()?.as_str(), "image/blur,r_10,s_5");
/// assert!(Process::image().blur(Blur::new(51, 5)).build().is_err());
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Blur {
    /// `r_`: the blur radius, 1 to 50.
    pub radius: u32,
    /// `s_`: the standard deviation, 1 to 50.
    pub sigma: u32,
}

impl Blur {
    /// A blur of `radius` and standard deviation `sigma`.
    ///
    /// ```
    /// use oss_process::process::Blur;
    ///
    /// assert_eq!(Blur::new(3, 2).sigma, 2);
    /// ```
    #[must_use]
    pub fn new(radius: u32, sigma: u32) -> Self {
        Blur { radius, sigma }
    }

    fn validate(&self) -> Result<(), Error> {
        check::range("blur.r", self.radius, &BLUR)?;
        check::range("blur.s", self.sigma, &BLUR)
    }

    fn render(&self, out: &mut String) {
        out.push_str("blur");
        param(out, "r", Some(self.radius));
        param(out, "s", Some(self.sigma));
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

    fn validate(&self) -> Result<(), Error> {
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
            crate::names::check_key_as("watermark.image", image)?;
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

    fn render(&self, out: &mut String) {
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

/// `blindwatermark`: an invisible text watermark (`content_`), at most 256
/// characters before encoding; the crate encodes it. It needs an IMM project
/// bound to the bucket, and is read back asynchronously with
/// `image/deblindwatermark`.
///
/// ```
/// use oss_process::process::{BlindWatermark, Process};
///
/// let mark = BlindWatermark::new("© example");
/// assert_eq!(mark.content, "© example");
/// let p = Process::image().blind_watermark(mark).build()?;
/// assert_eq!(p.as_str(), "image/blindwatermark,content_wqkgZXhhbXBsZQ");
/// assert!(Process::image().blind_watermark(BlindWatermark::new("x".repeat(257))).build().is_err());
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct BlindWatermark {
    /// `content_`: the hidden text, decoded.
    pub content: String,
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
        }
    }

    fn validate(&self) -> Result<(), Error> {
        check::not_empty("blindwatermark.content", &self.content)?;
        let chars = self.content.chars().count();
        if chars > BLIND_MAX_CHARS {
            return Err(Error::invalid(
                "blindwatermark.content",
                format!("must be at most {BLIND_MAX_CHARS} characters, got {chars}"),
            ));
        }
        Ok(())
    }

    fn render(&self, out: &mut String) {
        out.push_str("blindwatermark");
        param(out, "content", Some(base64_url(&self.content)));
    }
}

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
            ImageAction::Rotate(degrees) => check::range("rotate", *degrees, &DEGREES),
            ImageAction::Quality(a) => a.validate(),
            ImageAction::Circle(r) => check::range("circle.r", *r, &RADIUS),
            ImageAction::RoundedCorners(r) => check::range("rounded-corners.r", *r, &RADIUS),
            ImageAction::IndexCrop(a) => a.validate(),
            ImageAction::Blur(a) => a.validate(),
            ImageAction::Bright(v) => check::range("bright", *v, &ADJUST),
            ImageAction::Contrast(v) => check::range("contrast", *v, &ADJUST),
            ImageAction::Sharpen(v) => check::range("sharpen", *v, &SHARPEN),
            ImageAction::Watermark(a) => a.validate(),
            ImageAction::BlindWatermark(a) => a.validate(),
            ImageAction::Format(_)
            | ImageAction::AutoOrient(_)
            | ImageAction::Interlace(_)
            | ImageAction::Info
            | ImageAction::AverageHue => Ok(()),
        }
    }

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
}

impl fmt::Display for ImageAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.render(&mut out);
        f.write_str(&out)
    }
}

/// Appends `,<name>_<value>` when there is a value.
fn param<T: fmt::Display>(out: &mut String, name: &str, value: Option<T>) {
    if let Some(value) = value {
        let _ = write!(out, ",{name}_{value}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(action: ImageAction) -> String {
        action.validate().expect("valid");
        action.to_string()
    }

    fn error(action: ImageAction) -> (String, String) {
        match action.validate() {
            Err(Error::InvalidArgument { name, message }) => (name, message),
            other => panic!("{action:?}: {other:?}"),
        }
    }

    #[test]
    fn resize_renders_every_parameter_in_order() {
        let r = Resize::new()
            .mode(ResizeMode::Lfit)
            .width(1)
            .height(16384)
            .long_side(2)
            .short_side(3)
            .percent(1000)
            .limit(true)
            .color("a0b1c2");
        assert_eq!(
            rendered(ImageAction::Resize(r)),
            "resize,m_lfit,w_1,h_16384,l_2,s_3,p_1000,limit_1,color_A0B1C2"
        );
    }

    #[test]
    fn resize_needs_a_size() {
        let (name, message) = error(ImageAction::Resize(Resize::new().mode(ResizeMode::Pad)));
        assert_eq!(name, "resize");
        assert!(message.contains("w, h, l, s or p"), "{message}");
    }

    #[test]
    fn a_later_good_color_replaces_a_bad_one() {
        let r = Resize::pad(1, 1).color("nope").color("FFFFFF");
        assert!(ImageAction::Resize(r).validate().is_ok());
        let r = Resize::pad(1, 1).color("FFFFFF").color("nope");
        assert_eq!(r.color, None);
        assert_eq!(error(ImageAction::Resize(r)).0, "resize.color");
    }

    #[test]
    fn colors_parse_strictly() {
        for bad in ["", "FFFFF", "FFFFFFF", "#FFFFF", "GGGGGG", "+FFFFF", "ÿÿÿ"] {
            assert!(bad.parse::<Color>().is_err(), "{bad:?}");
        }
        assert_eq!("0a0B0c".parse::<Color>().unwrap(), Color::rgb(10, 11, 12));
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
    fn text_watermark_limits() {
        let ok = Watermark::new().text("a".repeat(TEXT_MAX_BYTES));
        assert!(ImageAction::Watermark(ok).validate().is_ok());
        let long = Watermark::new().text("a".repeat(TEXT_MAX_BYTES + 1));
        assert_eq!(error(ImageAction::Watermark(long)).0, "watermark.text");
        let broken = Watermark::new().text("two\nlines");
        assert_eq!(error(ImageAction::Watermark(broken)).0, "watermark.text");
        let nothing = Watermark::new().gravity(Gravity::Center);
        assert_eq!(error(ImageAction::Watermark(nothing)).0, "watermark");
    }

    #[test]
    fn watermark_values_cannot_inject_separators() {
        let mark = Watermark::new()
            .text("a,b/c|d_e")
            .font("x/y")
            .image("dir/logo.png?x-oss-process=image/resize,P_30");
        let text = rendered(ImageAction::Watermark(mark));
        assert_eq!(text.matches(',').count(), 3, "{text}");
        assert!(!text.contains('/') && !text.contains('|'), "{text}");
    }

    #[test]
    fn wire_enums_round_trip() {
        for m in ResizeMode::ALL {
            assert_eq!(m.as_str().parse::<ResizeMode>().unwrap(), *m);
        }
        for g in Gravity::ALL {
            assert_eq!(g.as_str().parse::<Gravity>().unwrap(), *g);
        }
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>().unwrap(), *f);
        }
        let err = "LFIT".parse::<ResizeMode>().unwrap_err().to_string();
        assert_eq!(
            err,
            r#"invalid resize.m: must be one of lfit, mfit, fill, pad, fixed, got "LFIT""#
        );
    }
}
