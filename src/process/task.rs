//! Asynchronous tasks (`x-oss-async-process`) kept as text: a document,
//! video or audio task, or `image/deblindwatermark`, whose parameters this
//! crate does not model.
//!
//! The text is only checked so that it cannot break out of its place in the
//! process string; the `sys/saveas` target and the notify topic around it
//! are typed (see the `sys` module).

use super::check;
use super::params::shorten;
use crate::error::Error;

/// The families the docs process asynchronously, besides
/// `image/deblindwatermark`.
const FAMILIES: [&str; 3] = ["doc/", "video/", "audio/"];
const DEBLIND: &str = "image/deblindwatermark";

/// Whether `main` (the text before any `|`) is an asynchronous task.
pub(crate) fn is_async(main: &str) -> bool {
    FAMILIES.iter().any(|family| main.starts_with(family))
        || main
            .strip_prefix(DEBLIND)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(','))
}

/// Checks an asynchronous task's text: a known family, a task name, and
/// nothing that would end its part of the string.
pub(crate) fn check_action(action: &str) -> Result<(), Error> {
    const NAME: &str = "async.action";
    check::not_empty(NAME, action)?;
    check::no_control(NAME, action)?;
    if let Some(at) = action.find('|') {
        return Err(Error::invalid(
            NAME,
            format!("must not contain `|` (found at byte {at}); give the target with save_as"),
        ));
    }
    if !is_async(action) {
        return Err(Error::invalid(
            NAME,
            format!(
                "must start with doc/, video/, audio/ or {DEBLIND}, got {:?}",
                shorten(action)
            ),
        ));
    }
    if FAMILIES.contains(&action) {
        return Err(Error::invalid(
            NAME,
            format!("names no task after {action}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_async_families() {
        for yes in [
            "doc/convert",
            "video/x",
            "audio/y",
            "image/deblindwatermark",
            "image/deblindwatermark,s_low",
        ] {
            assert!(is_async(yes), "{yes}");
        }
        for no in [
            "image/resize,w_1",
            "image/deblindwatermarkx",
            "style/a",
            "docs/x",
        ] {
            assert!(!is_async(no), "{no}");
        }
    }

    #[test]
    fn checks_the_action_text() {
        assert!(check_action("doc/convert,target_png").is_ok());
        for bad in [
            "",
            "doc/",
            "image/resize,w_1",
            "doc/a|sys/saveas,o_eA",
            "doc/a\r\n",
        ] {
            assert!(check_action(bad).is_err(), "{bad:?}");
        }
    }
}
