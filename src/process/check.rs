//! The checks every process string and parameter goes through. Each error
//! names the parameter (as in the process string, e.g. `resize.w`) and says
//! what is allowed, so builders, the parser and the client report the same
//! words.

use std::fmt::Display;
use std::ops::RangeInclusive;

use crate::error::Error;

/// `value` must lie in `allowed`.
pub(crate) fn range<T: PartialOrd + Display>(
    name: &str,
    value: T,
    allowed: &RangeInclusive<T>,
) -> Result<(), Error> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(out_of_range(name, value, allowed))
    }
}

/// Like [`range`], for an optional parameter.
pub(crate) fn opt_range<T: PartialOrd + Display + Copy>(
    name: &str,
    value: Option<T>,
    allowed: &RangeInclusive<T>,
) -> Result<(), Error> {
    value.map_or(Ok(()), |v| range(name, v, allowed))
}

pub(crate) fn out_of_range<T: Display, V: Display>(
    name: &str,
    value: V,
    allowed: &RangeInclusive<T>,
) -> Error {
    Error::invalid(
        name,
        format!(
            "must be {}..={}, got {value}",
            allowed.start(),
            allowed.end()
        ),
    )
}

pub(crate) fn not_empty(name: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        Err(Error::invalid(name, "must not be empty"))
    } else {
        Ok(())
    }
}

/// Control characters (CR and LF above all) would corrupt the request body.
pub(crate) fn no_control(name: &str, value: &str) -> Result<(), Error> {
    match value.char_indices().find(|(_, c)| c.is_control()) {
        Some((at, c)) => Err(Error::invalid(
            name,
            format!(
                "must not contain control characters, found U+{:04X} at byte {at}",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

pub(crate) fn max_bytes(name: &str, value: &str, max: usize) -> Result<(), Error> {
    if value.len() > max {
        Err(Error::invalid(
            name,
            format!("must be at most {max} bytes, got {}", value.len()),
        ))
    } else {
        Ok(())
    }
}

/// The check every process string gets before it is sent, typed or raw: not
/// empty, and free of control characters (a CR or LF would corrupt the form
/// body of a POST and the query of a GET). Nothing else can be said of text
/// this crate does not model; the service judges the rest.
pub(crate) fn check_process_string(process: &str) -> Result<(), Error> {
    const NAME: &str = "process";
    if process.is_empty() {
        return Err(Error::invalid(
            NAME,
            "must not be empty; e.g. image/resize,w_100|sys/saveas,o_<base64 key>",
        ));
    }
    no_control(NAME, process)
}

/// A style name, as the service's PutStyle checks it.
pub(crate) fn style_name(style: &str) -> Result<(), Error> {
    let ok = (1..=63).contains(&style.len())
        && style
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "style",
            format!("must be 1..=63 letters, digits, _, - or ., got {style:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: Error) -> String {
        e.to_string()
    }

    #[test]
    fn range_names_the_parameter_and_the_range() {
        assert!(range("resize.w", 1u32, &(1..=16384)).is_ok());
        assert_eq!(
            message(range("resize.w", 0u32, &(1..=16384)).unwrap_err()),
            "invalid resize.w: must be 1..=16384, got 0"
        );
        assert_eq!(
            message(range("bright", -101, &(-100..=100)).unwrap_err()),
            "invalid bright: must be -100..=100, got -101"
        );
        assert!(opt_range("x", None::<u32>, &(1..=2)).is_ok());
    }

    #[test]
    fn control_characters_are_reported_with_their_position() {
        assert_eq!(
            message(no_control("saveas.o", "ab\ncd").unwrap_err()),
            "invalid saveas.o: must not contain control characters, found U+000A at byte 2"
        );
        assert!(no_control("saveas.o", "测试 {index}.png").is_ok());
    }

    #[test]
    fn process_strings_are_not_empty_and_have_no_control_characters() {
        assert!(check_process_string("image/resize,w_1|sys/saveas,o_eA").is_ok());
        assert!(check_process_string("doc/convert,target_png,测试").is_ok());
        let empty = message(check_process_string("").unwrap_err());
        assert!(
            empty.starts_with("invalid process: must not be empty"),
            "{empty}"
        );
        for (bad, at) in [
            ("image/resize,w_1\n", 16),
            ("a\rb", 1),
            ("\ta", 0),
            ("a\u{7f}", 1),
        ] {
            let m = message(check_process_string(bad).unwrap_err());
            assert!(m.contains("control characters"), "{m}");
            assert!(m.ends_with(&format!("at byte {at}")), "{m}");
        }
    }

    #[test]
    fn style_names() {
        for good in ["a", "thumb_1.v-2", &"A".repeat(63)] {
            assert!(style_name(good).is_ok(), "{good}");
        }
        for bad in ["", "a/b", "a,b", "a|b", "测试", &"a".repeat(64)] {
            assert!(style_name(bad).is_err(), "{bad}");
        }
    }
}
