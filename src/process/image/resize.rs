//! `resize`: the fit modes, the sizes and their documented ranges
//! (sides 1 to 16,384 px, the output limit; older docs said 4,096).

use std::ops::RangeInclusive;

use crate::error::Error;
use crate::process::check;
use crate::process::color::{Color, check_color, set_color};
use crate::process::params::{flag, int, param, params, setters, unknown, wire_enum, word};

/// `resize` `w`, `h`, `l` and `s`: at most the output limit of 16,384 px.
pub(crate) const SIDE: RangeInclusive<u32> = 1..=16384;
/// `resize` `p`, in percent.
pub(crate) const PERCENT: RangeInclusive<u32> = 1..=1000;

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
#[non_exhaustive]
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

    pub(crate) fn validate(&self) -> Result<(), Error> {
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

    pub(crate) fn render(&self, out: &mut String) {
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

/// Reads `resize`'s parameters.
pub(super) fn parse(args: &[&str]) -> Result<Resize, Error> {
    let mut r = Resize::new();
    for (name, value) in params("resize", args)? {
        r = match name {
            "m" => r.mode(word("resize.m", value)?),
            "w" => r.width(int("resize.w", value, &SIDE)?),
            "h" => r.height(int("resize.h", value, &SIDE)?),
            "l" => r.long_side(int("resize.l", value, &SIDE)?),
            "s" => r.short_side(int("resize.s", value, &SIDE)?),
            "p" => r.percent(int("resize.p", value, &PERCENT)?),
            "limit" => r.limit(flag("resize.limit", value)?),
            "color" => r.color(value),
            _ => return Err(unknown("resize", name, "m, w, h, l, s, p, limit, color")),
        };
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(r: &Resize) -> (String, String) {
        match r.validate() {
            Err(Error::InvalidArgument { name, message }) => (name, message),
            other => panic!("{r:?}: {other:?}"),
        }
    }

    #[test]
    fn renders_every_parameter_in_order() {
        let r = Resize::new()
            .mode(ResizeMode::Lfit)
            .width(1)
            .height(16384)
            .long_side(2)
            .short_side(3)
            .percent(1000)
            .limit(true)
            .color("a0b1c2");
        r.validate().unwrap();
        let mut out = String::new();
        r.render(&mut out);
        assert_eq!(
            out,
            "resize,m_lfit,w_1,h_16384,l_2,s_3,p_1000,limit_1,color_A0B1C2"
        );
    }

    #[test]
    fn needs_a_size() {
        let (name, message) = error(&Resize::new().mode(ResizeMode::Pad));
        assert_eq!(name, "resize");
        assert!(message.contains("w, h, l, s or p"), "{message}");
    }

    #[test]
    fn a_later_good_color_replaces_a_bad_one() {
        assert!(
            Resize::pad(1, 1)
                .color("nope")
                .color("FFFFFF")
                .validate()
                .is_ok()
        );
        let r = Resize::pad(1, 1).color("FFFFFF").color("nope");
        assert_eq!(r.color, None);
        assert_eq!(error(&r).0, "resize.color");
    }

    #[test]
    fn modes_round_trip() {
        for m in ResizeMode::ALL {
            assert_eq!(m.as_str().parse::<ResizeMode>().unwrap(), *m);
        }
        let err = "LFIT".parse::<ResizeMode>().unwrap_err().to_string();
        assert_eq!(
            err,
            r#"invalid resize.m: must be one of lfit, mfit, fill, pad, fixed, got "LFIT""#
        );
    }
}
