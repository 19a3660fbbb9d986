//! The RGB colour that several actions take (`resize` pad colour, watermark
//! text colour), written as six hex digits, and the way a setter keeps a
//! malformed colour until `build` reports it.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// An RGB colour, written as six hex digits (`FF0000`) in a process string.
///
/// ```
/// use oss_process::process::Color;
///
/// let red: Color = "ff0000".parse()?;
/// assert_eq!(red, Color::rgb(255, 0, 0));
/// assert_eq!((red.red, red.green, red.blue), (255, 0, 0));
/// assert_eq!(red.to_string(), "FF0000");
/// assert!("#ff0000".parse::<Color>().is_err());
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    pub(crate) fn parse_for(name: &str, hex: &str) -> Result<Color, Error> {
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
/// until `build` reports it (so a chain of setters never fails halfway).
pub(crate) fn set_color(color: &mut Option<Color>, bad: &mut Option<String>, hex: &str) {
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

/// Reports the malformed colour a setter kept, under the parameter `name`.
pub(crate) fn check_color(name: &str, bad: Option<&String>) -> Result<(), Error> {
    bad.map_or(Ok(()), |hex| Color::parse_for(name, hex).map(drop))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors_parse_strictly() {
        for bad in ["", "FFFFF", "FFFFFFF", "#FFFFF", "GGGGGG", "+FFFFF", "ÿÿÿ"] {
            assert!(bad.parse::<Color>().is_err(), "{bad:?}");
        }
        assert_eq!("0a0B0c".parse::<Color>().unwrap(), Color::rgb(10, 11, 12));
    }

    #[test]
    fn a_later_good_color_replaces_a_bad_one() {
        let (mut color, mut bad) = (None, None);
        set_color(&mut color, &mut bad, "nope");
        assert_eq!((color, bad.as_deref()), (None, Some("nope")));
        set_color(&mut color, &mut bad, "FFFFFF");
        assert_eq!(
            (color, bad.as_deref()),
            (Some(Color::rgb(255, 255, 255)), None)
        );
        assert!(check_color("x", bad.as_ref()).is_ok());
    }
}
