//! The actions that change an image's shape: `crop` (with the [`Gravity`]
//! grid it shares with `watermark`), `indexcrop`, `rotate`, `circle`,
//! `rounded-corners` and `auto-orient`.

use std::ops::RangeInclusive;

use crate::error::Error;
use crate::process::check;
use crate::process::params::{
    flag, int, param, params, required, setters, single, unknown, wire_enum, word,
};

/// `crop` `x`, `y`: the docs bound them by the image, and a source image is
/// at most 30,000 px a side.
pub(crate) const CROP_OFFSET: RangeInclusive<u32> = 0..=30000;
/// `crop` `w`, `h`: bounded by the image too, and the output by 16,384 px a
/// side.
pub(crate) const CROP_SIZE: RangeInclusive<u32> = 0..=16384;
/// `rotate` and the text watermark's `rotate`.
pub(crate) const DEGREES: RangeInclusive<u32> = 0..=360;
/// `circle` and `rounded-corners` `r`.
pub(crate) const RADIUS: RangeInclusive<u32> = 1..=4096;
/// `indexcrop` `x` / `y`: at least 1, at most a source side.
pub(crate) const SLICE: RangeInclusive<u32> = 1..=30000;

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

/// `crop`: cuts a rectangle out of the image.
///
/// `x` and `y` place the rectangle's corner (relative to the [`Gravity`]
/// tile, upper left by default); `width` and `height` default to the rest of
/// the image. The docs bound each by the image itself; this crate checks
/// `x` and `y` against the largest source side (0 to 30000) and `width` and
/// `height` against the output limit (0 to 16384). Set at least one of them.
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
    /// `w_`: width of the rectangle, at most 16384; `None` is the rest of
    /// the image.
    pub width: Option<u32>,
    /// `h_`: height of the rectangle, at most 16384; `None` is the rest of
    /// the image.
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

    pub(crate) fn validate(&self) -> Result<(), Error> {
        let fields = [
            ("crop.x", self.x, &CROP_OFFSET),
            ("crop.y", self.y, &CROP_OFFSET),
            ("crop.w", self.width, &CROP_SIZE),
            ("crop.h", self.height, &CROP_SIZE),
        ];
        if fields.iter().all(|(_, v, _)| v.is_none()) && self.gravity.is_none() {
            return Err(Error::invalid(
                "crop",
                "needs at least one of x, y, w, h or g",
            ));
        }
        fields
            .iter()
            .try_for_each(|(name, value, allowed)| check::opt_range(name, *value, allowed))
    }

    pub(crate) fn render(&self, out: &mut String) {
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
    /// Sets the width (`w_`), 0 to 16384.
    width: u32 = 200;
    /// Sets the height (`h_`), 0 to 16384.
    height: u32 = 200;
    /// Sets the grid tile the origin is taken from (`g_`).
    gravity: Gravity = Gravity::North;
});

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

    pub(crate) fn validate(&self) -> Result<(), Error> {
        let name = match self.axis {
            Axis::X => "indexcrop.x",
            Axis::Y => "indexcrop.y",
        };
        check::range(name, self.length, &SLICE)
    }

    pub(crate) fn render(&self, out: &mut String) {
        out.push_str("indexcrop");
        param(out, self.axis.as_str(), Some(self.length));
        param(out, "i", self.index);
    }
}

/// Reads `crop`'s parameters.
pub(super) fn parse_crop(args: &[&str]) -> Result<Crop, Error> {
    let mut c = Crop::new();
    for (name, value) in params("crop", args)? {
        c = match name {
            "x" => c.x(int("crop.x", value, &CROP_OFFSET)?),
            "y" => c.y(int("crop.y", value, &CROP_OFFSET)?),
            "w" => c.width(int("crop.w", value, &CROP_SIZE)?),
            "h" => c.height(int("crop.h", value, &CROP_SIZE)?),
            "g" => c.gravity(word("crop.g", value)?),
            _ => return Err(unknown("crop", name, "x, y, w, h, g")),
        };
    }
    Ok(c)
}

/// Reads `indexcrop`'s parameters: `x_` or `y_`, and `i_`.
pub(super) fn parse_index_crop(args: &[&str]) -> Result<IndexCrop, Error> {
    let (mut x, mut y, mut i) = (None, None, None);
    for (name, value) in params("indexcrop", args)? {
        match name {
            "x" => x = Some(int("indexcrop.x", value, &SLICE)?),
            "y" => y = Some(int("indexcrop.y", value, &SLICE)?),
            "i" => i = Some(int("indexcrop.i", value, &(0..=u32::MAX))?),
            _ => return Err(unknown("indexcrop", name, "x or y, and i")),
        }
    }
    let slice = match (x, y) {
        (Some(length), None) => IndexCrop::x(length),
        (None, Some(length)) => IndexCrop::y(length),
        (Some(_), Some(_)) => return Err(Error::invalid("indexcrop", "takes x or y, not both")),
        (None, None) => return Err(Error::invalid("indexcrop", "needs x or y")),
    };
    Ok(match i {
        Some(index) => slice.index(index),
        None => slice,
    })
}

/// Reads `rotate,<degrees>`.
pub(super) fn parse_rotate(args: &[&str]) -> Result<u32, Error> {
    int("rotate", single("rotate", args)?, &DEGREES)
}

/// Reads `auto-orient,<0|1>`.
pub(super) fn parse_auto_orient(args: &[&str]) -> Result<bool, Error> {
    flag("auto-orient", single("auto-orient", args)?)
}

/// Reads `r_` of `circle` and `rounded-corners`.
pub(super) fn parse_radius(action: &str, args: &[&str]) -> Result<u32, Error> {
    let name = format!("{action}.r");
    let mut r = None;
    for (param, value) in params(action, args)? {
        match param {
            "r" => r = Some(int(&name, value, &RADIUS)?),
            _ => return Err(unknown(action, param, "r")),
        }
    }
    required(&name, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gravity_round_trips() {
        for g in Gravity::ALL {
            assert_eq!(g.as_str().parse::<Gravity>().unwrap(), *g);
        }
    }

    #[test]
    fn index_crop_takes_one_axis() {
        assert_eq!(
            parse_index_crop(&["y_10", "i_2"]).unwrap(),
            IndexCrop::y(10).index(2)
        );
        assert!(parse_index_crop(&["x_1", "y_1"]).is_err());
        assert!(parse_index_crop(&["i_1"]).is_err());
    }

    #[test]
    fn crop_needs_something() {
        assert!(Crop::new().validate().is_err());
        assert!(Crop::new().gravity(Gravity::Center).validate().is_ok());
    }

    #[test]
    fn radius_is_required() {
        assert_eq!(parse_radius("circle", &["r_5"]).unwrap(), 5);
        let err = parse_radius("circle", &[]).unwrap_err().to_string();
        assert_eq!(err, "invalid circle.r: is required");
    }
}
