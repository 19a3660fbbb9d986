//! Reads the actions named by a family path other than image chains and
//! styles: `doc/...`, `video/...`, `audio/...` and `image/deblindwatermark`.
//! The ones this crate types go to their family (`doc`, `video`, `audio`,
//! `image`); any other action of those families is kept as text
//! ([`Pipeline::Async`]), checked only so that it cannot break out of its
//! place in the string, as the asynchronous tasks the crate does not model
//! (e.g. `audio/concat`) need.

use super::audio::AudioAction;
use super::check;
use super::doc::DocAction;
use super::image::DeBlindWatermark;
use super::params::{shorten, split_action};
use super::pipeline::Pipeline;
use super::video::VideoAction;
use crate::error::Error;

/// The families besides `image/deblindwatermark`.
const FAMILIES: [&str; 3] = ["doc/", "video/", "audio/"];
const DEBLIND: &str = "image/deblindwatermark";
/// The name errors about the text as a whole are reported under.
const NAME: &str = "action";

/// Whether `main` (the text before any `|`) names a document, video or
/// audio action or `image/deblindwatermark`.
pub(crate) fn is_task(main: &str) -> bool {
    FAMILIES.iter().any(|family| main.starts_with(family))
        || main
            .strip_prefix(DEBLIND)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(','))
}

/// Reads `text` (the whole action, before any `|`) into its typed form, or
/// keeps it as an untyped asynchronous task.
pub(crate) fn resolve(text: &str) -> Result<Pipeline, Error> {
    check::not_empty(NAME, text)?;
    check::no_control(NAME, text)?;
    if let Some(at) = text.find('|') {
        return Err(Error::invalid(
            NAME,
            format!("must not contain `|` (found at byte {at}); give the target with save_as"),
        ));
    }
    if !is_task(text) {
        return Err(Error::invalid(
            NAME,
            format!(
                "must start with doc/, video/, audio/ or {DEBLIND}, got {:?}",
                shorten(text)
            ),
        ));
    }
    if let Some(rest) = text.strip_prefix(DEBLIND) {
        let (_, args) = split_action(rest);
        return Ok(Pipeline::DeBlindWatermark(DeBlindWatermark::parse(&args)?));
    }
    let typed = if let Some(rest) = text.strip_prefix("doc/") {
        DocAction::parse(rest)?.map(Pipeline::Doc)
    } else if let Some(rest) = text.strip_prefix("video/") {
        VideoAction::parse(rest)?.map(Pipeline::Video)
    } else if let Some(rest) = text.strip_prefix("audio/") {
        AudioAction::parse(rest)?.map(Pipeline::Audio)
    } else {
        None
    };
    if let Some(pipeline) = typed {
        return Ok(pipeline);
    }
    if FAMILIES.contains(&text) || text.ends_with('/') {
        return Err(Error::invalid(
            NAME,
            format!("names no action after {text}"),
        ));
    }
    Ok(Pipeline::Async(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_families() {
        for yes in [
            "doc/convert",
            "video/x",
            "audio/y",
            "image/deblindwatermark",
            "image/deblindwatermark,s_low",
        ] {
            assert!(is_task(yes), "{yes}");
        }
        for no in [
            "image/resize,w_1",
            "image/deblindwatermarkx",
            "style/a",
            "docs/x",
        ] {
            assert!(!is_task(no), "{no}");
        }
    }

    #[test]
    fn typed_actions_are_typed_and_the_rest_kept_as_text() {
        assert!(matches!(
            resolve("doc/convert,target_png"),
            Ok(Pipeline::Doc(_))
        ));
        assert!(matches!(resolve("video/info"), Ok(Pipeline::Video(_))));
        assert!(matches!(
            resolve("audio/convert,f_mp3"),
            Ok(Pipeline::Audio(_))
        ));
        assert!(matches!(
            resolve("image/deblindwatermark,s_low,t_text"),
            Ok(Pipeline::DeBlindWatermark(_))
        ));
        assert_eq!(
            resolve("audio/concat,f_aac/pre,o_eA").unwrap(),
            Pipeline::Async("audio/concat,f_aac/pre,o_eA".into())
        );
    }

    #[test]
    fn checks_the_text() {
        for bad in [
            "",
            "doc/",
            "video/convert/",
            "image/resize,w_1",
            "doc/a|sys/saveas,o_eA",
            "doc/a\r\n",
            "doc/convert,target_docx",
            "image/deblindwatermark,s_max",
        ] {
            assert!(resolve(bad).is_err(), "{bad:?}");
        }
    }
}
