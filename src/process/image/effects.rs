//! The actions that change an image's pixels in place: `blur`, `bright`,
//! `contrast` and `sharpen`.

use std::ops::RangeInclusive;

use crate::error::Error;
use crate::process::check;
use crate::process::params::{int, param, params, required, single, unknown};

/// `blur` `r` and `s`.
pub(crate) const BLUR: RangeInclusive<u32> = 1..=50;
/// `bright` and `contrast`.
pub(crate) const ADJUST: RangeInclusive<i32> = -100..=100;
/// `sharpen`.
pub(crate) const SHARPEN: RangeInclusive<u32> = 50..=399;

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

    pub(crate) fn validate(&self) -> Result<(), Error> {
        check::range("blur.r", self.radius, &BLUR)?;
        check::range("blur.s", self.sigma, &BLUR)
    }

    pub(crate) fn render(&self, out: &mut String) {
        out.push_str("blur");
        param(out, "r", Some(self.radius));
        param(out, "s", Some(self.sigma));
    }
}

/// Reads `blur`'s parameters; both are required.
pub(super) fn parse_blur(args: &[&str]) -> Result<Blur, Error> {
    let (mut r, mut s) = (None, None);
    for (name, value) in params("blur", args)? {
        match name {
            "r" => r = Some(int("blur.r", value, &BLUR)?),
            "s" => s = Some(int("blur.s", value, &BLUR)?),
            _ => return Err(unknown("blur", name, "r, s")),
        }
    }
    Ok(Blur::new(required("blur.r", r)?, required("blur.s", s)?))
}

/// Reads `bright,<value>` or `contrast,<value>`.
pub(super) fn parse_adjust(action: &str, args: &[&str]) -> Result<i32, Error> {
    int(action, single(action, args)?, &ADJUST)
}

/// Reads `sharpen,<value>`.
pub(super) fn parse_sharpen(args: &[&str]) -> Result<u32, Error> {
    int("sharpen", single("sharpen", args)?, &SHARPEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blur_needs_both_values() {
        assert_eq!(parse_blur(&["s_2", "r_3"]).unwrap(), Blur::new(3, 2));
        let err = parse_blur(&["r_1"]).unwrap_err().to_string();
        assert_eq!(err, "invalid blur.s: is required");
    }

    #[test]
    fn adjustments_have_their_ranges() {
        assert_eq!(parse_adjust("bright", &["-100"]).unwrap(), -100);
        assert!(parse_adjust("contrast", &["101"]).is_err());
        assert!(parse_sharpen(&["49"]).is_err());
        assert_eq!(parse_sharpen(&["399"]).unwrap(), 399);
    }
}
