//! Which call sends which process: every processing call reads its process
//! string with [`Process::parse`] and refuses, before any I/O, what the
//! service would refuse or answer in a shape the call cannot read, naming
//! the call that fits: a task on a synchronous call and the reverse, a
//! POST-only action or a `sys/saveas` over GET, a `process_object` that
//! does not save. A string the parser does not read (an action this crate
//! does not model) is the caller's to vouch for: only its text is looked
//! at.

use crate::error::Error;
use crate::process::{
    AudioAction, DocAction, ImageAction, Method, Mode, Pipeline, Process, SaveAsRule, VideoAction,
};

/// The typed form of `process`, when the crate reads it.
pub(super) fn typed(process: &str) -> Option<Process> {
    Process::parse(process).ok()
}

/// The call that sends `p`, for messages: the one this crate documents for
/// the action.
pub(super) fn call_for(p: &Process) -> &'static str {
    match p.pipeline() {
        _ if p.mode() == Some(Mode::Async) => "Client::async_process_object",
        Pipeline::Image(actions) if actions.last() == Some(&ImageAction::Info) => {
            "Client::image_info"
        }
        Pipeline::Image(actions) if actions.last() == Some(&ImageAction::AverageHue) => {
            "Client::average_hue"
        }
        Pipeline::Doc(DocAction::Ai(_)) => "Client::doc_ai (or doc_translate and its siblings)",
        Pipeline::Doc(DocAction::Preview(_) | DocAction::Edit(_)) => {
            "Client::presign_process_overriding (on a custom domain)"
        }
        Pipeline::Video(VideoAction::Info) => "Client::video_info",
        Pipeline::Audio(AudioAction::Info) => "Client::audio_info",
        _ if p.save_as().is_some() => "Client::process_object",
        _ => "Client::get_processed (GET) or Client::post_process (POST)",
    }
}

fn refuse(message: String) -> Error {
    Error::invalid("process", message)
}

/// What [`Client::process_object`](super::Client::process_object) sends: a
/// synchronous process that saves.
pub(super) fn for_saving(process: &str) -> Result<(), Error> {
    // The hot path, without a parse: an image chain or a style (always
    // synchronous, always saveable) that saves.
    let image_or_style = process.starts_with("style/")
        || (process.starts_with("image/") && !process.starts_with("image/deblindwatermark"));
    if image_or_style && process.contains("|sys/saveas,") {
        return Ok(());
    }
    let Some(p) = typed(process) else {
        if process.contains("sys/saveas") {
            return Ok(());
        }
        return Err(refuse(
            "process_object saves the result, so the process must end in |sys/saveas,o_<base64 key>; \
             to get the processed bytes back use Client::get_processed (GET) or Client::post_process (POST)"
                .into(),
        ));
    };
    let action = describe(&p);
    if p.mode() == Some(Mode::Async) {
        return Err(refuse(format!(
            "{action} is an asynchronous task: send it with Client::async_process_object"
        )));
    }
    if p.save_as().is_none() {
        return Err(refuse(match p.save_as_rule() {
            Some(SaveAsRule::Never) => format!(
                "{action} cannot be saved; its answer comes back: use {}",
                call_for(&p)
            ),
            _ => format!(
                "process_object saves the result, and {action} has no sys/saveas: add one \
                 (e.g. .save_as(SaveAs::new(key))), or get the processed bytes back with \
                 Client::get_processed (GET) or Client::post_process (POST)"
            ),
        }));
    }
    Ok(())
}

/// What [`Client::post_process`](super::Client::post_process) sends: any
/// synchronous process.
pub(super) fn for_answer(process: &str) -> Result<Option<Process>, Error> {
    let p = typed(process);
    if let Some(p) = &p
        && p.mode() == Some(Mode::Async)
    {
        return Err(refuse(format!(
            "{} is an asynchronous task: send it with Client::async_process_object",
            describe(p)
        )));
    }
    Ok(p)
}

/// What a GET sends (`get_processed`, the info calls, presigned URLs): a
/// synchronous process answered to GET, without `sys/saveas`.
pub(super) fn for_get(process: &str) -> Result<Option<Process>, Error> {
    let Some(p) = typed(process) else {
        if process.contains("|sys/") {
            return Err(refuse(
                "sys/saveas is only allowed with POST (the service answers a GET with it 400): \
                 use Client::process_object"
                    .into(),
            ));
        }
        return Ok(None);
    };
    if p.method() == Some(Method::Post) {
        let action = describe(&p);
        return Err(refuse(if p.mode() == Some(Mode::Async) {
            format!("{action} is an asynchronous task: send it with Client::async_process_object")
        } else if p.save_as().is_some() {
            "sys/saveas is only allowed with POST (the service answers a GET with it 400): \
             use Client::process_object"
                .to_string()
        } else {
            format!("{action} is answered to POST only: use {}", call_for(&p))
        }));
    }
    Ok(Some(p))
}

/// What [`Client::async_process_object`](super::Client::async_process_object)
/// sends: an asynchronous task.
pub(super) fn for_task(process: &str) -> Result<(), Error> {
    if let Some(p) = typed(process)
        && p.mode() == Some(Mode::Sync)
    {
        return Err(refuse(format!(
            "{} is synchronous, not a task: send it with {}",
            describe(&p),
            call_for(&p)
        )));
    }
    Ok(())
}

/// Whether the answer to `process` is an image (so an empty body or an
/// HTML page is not its answer): image chains other than the JSON queries,
/// styles, document and video snapshots. Untyped text: `image/` and
/// `style/` strings.
pub(super) fn expects_image(process: &str, typed: Option<&Process>) -> bool {
    match typed.map(Process::pipeline) {
        Some(Pipeline::Image(actions)) => !actions
            .iter()
            .any(|a| matches!(a, ImageAction::Info | ImageAction::AverageHue)),
        Some(Pipeline::Style(_))
        | Some(Pipeline::Doc(DocAction::Snapshot(_)))
        | Some(Pipeline::Video(VideoAction::Snapshot(_))) => true,
        Some(_) => false,
        None => process.starts_with("image/") || process.starts_with("style/"),
    }
}

/// The action for messages: `doc/convert`, `an image chain`, `style/thumb`.
fn describe(p: &Process) -> String {
    match p.pipeline() {
        Pipeline::Style(name) => format!("style/{name}"),
        Pipeline::Image(actions) => match actions.as_slice() {
            [one] => format!("image/{}", one.name()),
            _ => "the image chain".to_string(),
        },
        _ => {
            let text = p.as_str();
            text.split([',', '|', '/'])
                .take(2)
                .collect::<Vec<_>>()
                .join("/")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<impl std::fmt::Debug, Error>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn process_object_needs_a_synchronous_save() {
        assert!(for_saving("image/resize,w_1|sys/saveas,o_eA").is_ok());
        assert!(for_saving("image/unknown,x_1|sys/saveas,o_eA").is_ok());
        let m = message(for_saving("image/resize,w_100"));
        assert!(
            m.contains("has no sys/saveas") && m.contains("Client::post_process"),
            "{m}"
        );
        let m = message(for_saving("doc/convert,target_pdf|sys/saveas,o_eA"));
        assert!(
            m.contains("doc/convert is an asynchronous task") && m.contains("async_process_object"),
            "{m}"
        );
        let m = message(for_saving("video/info"));
        assert!(
            m.contains("video/info cannot be saved") && m.contains("Client::video_info"),
            "{m}"
        );
        let m = message(for_saving("doc/translate,language_en_US,content_eA"));
        assert!(
            m.contains("doc/translate cannot be saved") && m.contains("doc_ai"),
            "{m}"
        );
        let m = message(for_saving("image/unknown,x_1"));
        assert!(m.contains("must end in |sys/saveas"), "{m}");
    }

    #[test]
    fn gets_refuse_what_only_a_post_gets() {
        assert!(for_get("image/resize,w_1").unwrap().is_some());
        assert!(for_get("image/unknown,x_1").unwrap().is_none());
        let m = message(for_get("image/resize,w_1|sys/saveas,o_eA"));
        assert!(m.contains("only allowed with POST"), "{m}");
        let m = message(for_get("image/unknown|sys/saveas,o_eA"));
        assert!(m.contains("only allowed with POST"), "{m}");
        let m = message(for_get("doc/polish,content_eA"));
        assert!(m.contains("doc/polish is answered to POST only"), "{m}");
        let m = message(for_get("video/convert,f_mp4|sys/saveas,o_eA"));
        assert!(m.contains("video/convert is an asynchronous task"), "{m}");
    }

    #[test]
    fn tasks_and_answers_keep_to_their_mode() {
        assert!(for_task("doc/convert,target_pdf|sys/saveas,o_eA").is_ok());
        assert!(for_task("doc/whatever,x_1|sys/saveas,o_eA").is_ok());
        let m = message(for_task("image/resize,w_1|sys/saveas,o_eA"));
        assert!(
            m.contains("image/resize is synchronous") && m.contains("Client::process_object"),
            "{m}"
        );
        let m = message(for_task("doc/snapshot,target_png"));
        assert!(m.contains("doc/snapshot is synchronous"), "{m}");
        assert!(for_answer("doc/summarize,content_eA").unwrap().is_some());
        let m = message(for_answer("audio/convert,f_mp3|sys/saveas,o_eA"));
        assert!(m.contains("audio/convert is an asynchronous task"), "{m}");
    }

    #[test]
    fn image_answers() {
        let cases = [
            ("image/resize,w_1", true),
            ("image/resize,w_1/info", false),
            ("style/a", true),
            ("doc/snapshot,target_png", true),
            ("doc/preview", false),
            ("video/snapshot,t_0,f_jpg", true),
            ("image/unknown", true),
            ("doc/unknown", false),
        ];
        for (text, image) in cases {
            assert_eq!(expects_image(text, typed(text).as_ref()), image, "{text}");
        }
    }
}
