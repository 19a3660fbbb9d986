//! The `name_value` parameters every action is written in: reading them out
//! of an action's text (`resize,w_100,h_50`) and writing them back.
//!
//! Each family file parses its own parameters with these helpers, so every
//! parameter error reads the same: it names the parameter as written in the
//! process string (`resize.w`) and the allowed values. The two macros declare
//! the repetitive parts of the public types: the enums of fixed words and
//! the `Option` setters.

use std::fmt::{Display, Write as _};
use std::ops::RangeInclusive;
use std::str::FromStr;

use super::check;
use crate::encoding::base64_url_decode;
use crate::error::Error;

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
            ///
            /// ```
            #[doc = concat!("use oss_process::process::", stringify!($name), ";\n\n",
                "assert!(!", stringify!($name), "::ALL.is_empty());")]
            /// ```
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The value as written in a process string; it parses back with
            /// `str::parse`.
            ///
            /// ```
            #[doc = concat!("use oss_process::process::", stringify!($name), ";\n\n",
                "for value in ", stringify!($name), "::ALL {\n",
                "    assert_eq!(value.as_str().parse::<", stringify!($name), ">()?, *value);\n",
                "}\n# Ok::<(), oss_process::Error>(())")]
            /// ```
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::error::Error;

            /// Reads the value as written in a process string.
            fn from_str(s: &str) -> Result<Self, $crate::error::Error> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err($crate::error::Error::invalid(
                        $param,
                        format!("must be one of {}, got {s:?}", [$($wire),+].join(", ")),
                    )),
                }
            }
        }
    };
}
pub(crate) use wire_enum;

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
pub(crate) use setters;

/// Implements `Display` for a typed action as the text its `render(&self,
/// &mut String)` appends: the action as written in a process string.
macro_rules! display_by_render {
    ($ty:ident) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut out = String::new();
                self.render(&mut out);
                f.write_str(&out)
            }
        }
    };
}
pub(crate) use display_by_render;

/// Appends `,<name>_<value>` when there is a value.
pub(crate) fn param<T: Display>(out: &mut String, name: &str, value: Option<T>) {
    if let Some(value) = value {
        let _ = write!(out, ",{name}_{value}");
    }
}

/// Splits `name,arg,arg...` into the name and its arguments.
pub(crate) fn split_action(text: &str) -> (&str, Vec<&str>) {
    match text.split_once(',') {
        Some((name, args)) => (name, args.split(',').collect()),
        None => (text, Vec::new()),
    }
}

/// Splits `text` at `sep`, giving each piece with its byte offset in the
/// whole string (`text` starting at `base`).
pub(crate) fn pieces(text: &str, base: usize, sep: char) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = base;
    text.split(sep).map(move |piece| {
        let at = offset;
        offset += piece.len() + sep.len_utf8();
        (at, piece)
    })
}

/// `name_value` parameters, each name at most once.
pub(crate) fn params<'a>(action: &str, args: &[&'a str]) -> Result<Vec<(&'a str, &'a str)>, Error> {
    let mut out: Vec<(&str, &str)> = Vec::with_capacity(args.len());
    for arg in args {
        let Some((name, value)) = arg.split_once('_').filter(|(name, _)| !name.is_empty()) else {
            return Err(Error::invalid(
                action,
                format!("parameter {:?} is not written name_value", shorten(arg)),
            ));
        };
        if out.iter().any(|(seen, _)| *seen == name) {
            return Err(Error::invalid(format!("{action}.{name}"), "is given twice"));
        }
        out.push((name, value));
    }
    Ok(out)
}

/// The error for a parameter the action does not take.
pub(crate) fn unknown(action: &str, name: &str, known: &str) -> Error {
    Error::invalid(
        action,
        format!("has no parameter {:?} (it takes {known})", shorten(name)),
    )
}

/// A parameter that must be there.
pub(crate) fn required<T>(name: &str, value: Option<T>) -> Result<T, Error> {
    value.ok_or_else(|| Error::invalid(name, "is required"))
}

/// The one value of a positional action such as `rotate,90`.
pub(crate) fn single<'a>(action: &str, args: &[&'a str]) -> Result<&'a str, Error> {
    match args {
        [value] => Ok(value),
        _ => Err(Error::invalid(
            action,
            format!("takes exactly one value, got {}", args.len()),
        )),
    }
}

/// An action without parameters, such as `info`.
pub(crate) fn no_params(action: &str, args: &[&str]) -> Result<(), Error> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid(action, "takes no parameters"))
    }
}

/// An integer in `allowed`, written as plain decimal digits.
pub(crate) fn int<T>(name: &str, text: &str, allowed: &RangeInclusive<T>) -> Result<T, Error>
where
    T: FromStr + PartialOrd + Display,
{
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(
            name,
            format!(
                "must be an integer in {}..={}, got {:?}",
                allowed.start(),
                allowed.end(),
                shorten(text)
            ),
        ));
    }
    match text.parse::<T>() {
        Ok(value) if allowed.contains(&value) => Ok(value),
        _ => Err(check::out_of_range(name, shorten(text), allowed)),
    }
}

/// `0` or `1`.
pub(crate) fn flag(name: &str, text: &str) -> Result<bool, Error> {
    match text {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(Error::invalid(
            name,
            format!("must be 0 or 1, got {:?}", shorten(text)),
        )),
    }
}

/// One of a fixed set of words, reported under `name`.
pub(crate) fn word<T: FromStr<Err = Error>>(name: &str, text: &str) -> Result<T, Error> {
    text.parse().map_err(|e| match e {
        Error::InvalidArgument { message, .. } => Error::invalid(name, message),
        other => other,
    })
}

/// A URL-safe base64 value (padded or not) holding UTF-8 text.
pub(crate) fn decoded(name: &str, text: &str) -> Result<String, Error> {
    base64_url_decode(text).ok_or_else(|| {
        Error::invalid(
            name,
            format!(
                "must be URL-safe base64 of UTF-8 text, got {:?}",
                shorten(text)
            ),
        )
    })
}

/// At most 60 characters of `text`, for error messages.
pub(crate) fn shorten(text: &str) -> String {
    crate::redact::truncate(text, 60)
}

/// Splits an action from what is chained after it with `/` (a document
/// page's `/watermark`, a concatenation's `/pre` and `/sur` segments).
pub(crate) fn split_chain(text: &str) -> (&str, Option<&str>) {
    match text.split_once('/') {
        Some((head, rest)) => (head, Some(rest)),
        None => (text, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_on_a_character_boundary() {
        let long = "测".repeat(100);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), 63);
        assert!(short.ends_with("..."));
        assert_eq!(shorten("abc"), "abc");
    }

    #[test]
    fn params_are_name_value_and_unique() {
        assert_eq!(
            params("a", &["w_1", "h_"]).unwrap(),
            [("w", "1"), ("h", "")]
        );
        assert!(params("a", &["w1"]).is_err());
        assert!(params("a", &["_1"]).is_err());
        let err = params("a", &["w_1", "w_2"]).unwrap_err().to_string();
        assert_eq!(err, "invalid a.w: is given twice");
    }

    #[test]
    fn integers_are_plain_digits_in_range() {
        assert_eq!(int("x", "12", &(1u32..=20)).unwrap(), 12);
        assert_eq!(int("x", "-5", &(-10i32..=10)).unwrap(), -5);
        for bad in ["", "+1", "1.5", "0x1", " 1", "-"] {
            assert!(int("x", bad, &(0u32..=10)).is_err(), "{bad:?}");
        }
        let err = int("x", "99999999999999999999", &(0u32..=10)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid x: must be 0..=10, got 99999999999999999999"
        );
    }

    #[test]
    fn pieces_know_their_offsets() {
        let got: Vec<_> = pieces("ab/c//d", 6, '/').collect();
        assert_eq!(got, [(6, "ab"), (9, "c"), (11, ""), (12, "d")]);
    }
}
