//! Reads a process string (from a config file, a command line, a log) back
//! into the typed form.
//!
//! This file only cuts the text into parts and hands each to the family that
//! owns it: each image action between `/`s to [`ImageAction`], the style
//! name to the style check, the asynchronous task to the `task` module, the
//! `saveas` and `notify` parts to the `sys` module. The first part that does
//! not parse or is out of range is reported with its number, its byte
//! offset and its text. Parsing never panics, whatever the input: it is
//! fuzzed.

use std::str::FromStr;

use super::params::{pieces, shorten, split_action};
use super::{ImageAction, Mode, Pipeline, Process, check, sys, task};
use crate::error::Error;

impl Process {
    /// Reads any process string into the typed form: image chains,
    /// `style/<name>`, asynchronous tasks, `sys/saveas` (with `o_` and `b_`
    /// decoded, in either order, padded or not) and `notify`.
    ///
    /// Every value is checked as the builders check it. An action this crate
    /// does not model is an error (a typo like `resise` should not reach the
    /// service); wrap such strings with [`Process::raw`] instead. The error
    /// names the first bad part, its byte offset and its text:
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// let err = Process::parse("image/rotate,90/resize,w_0").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"invalid process: part 2 at byte 16 ("resize,w_0"): resize.w: must be 1..=16384, got 0"#
    /// );
    ///
    /// let p = Process::parse("image/resize,h_100,m_lfit|sys/saveas,b_dGVzdA,o_dGVzdC5qcGc=")?;
    /// // Rendering gives the canonical, equivalent string.
    /// assert_eq!(p.as_str(), "image/resize,m_lfit,h_100|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Process, Error> {
        parse(text)
    }
}

impl FromStr for Process {
    type Err = Error;

    /// Same as [`Process::parse`].
    fn from_str(s: &str) -> Result<Self, Error> {
        parse(s)
    }
}

fn parse(text: &str) -> Result<Process, Error> {
    check::check_process_string(text)?;
    let (main, tail) = match text.find('|') {
        Some(at) => (&text[..at], Some((at + 1, &text[at + 1..]))),
        None => (text, None),
    };
    let mut parts = Parts::default();
    let pipeline = if task::is_task(main) {
        let part = parts.next(0, main);
        task::resolve(main).map_err(|e| part.fail(e))?
    } else if let Some(chain) = main.strip_prefix("image/") {
        let mut actions = Vec::new();
        for (offset, action) in pieces(chain, "image/".len(), '/') {
            let part = parts.next(offset, action);
            actions.push(ImageAction::parse(action).map_err(|e| part.fail(e))?);
        }
        Pipeline::Image(actions)
    } else if let Some(name) = main.strip_prefix("style/") {
        let part = parts.next("style/".len(), name);
        check::style_name(name).map_err(|e| part.fail(e))?;
        Pipeline::Style(name.to_owned())
    } else {
        let part = parts.next(0, main);
        return Err(part.fail(Error::invalid(
            "process",
            "must start with image/, style/, doc/, video/, audio/ or image/deblindwatermark",
        )));
    };

    let mut save_as = None;
    let mut notify_topic = None;
    if let Some((offset, tail)) = tail {
        if let Some(at) = tail.find('|') {
            let part = parts.next(offset + at, &tail[at..]);
            return Err(part.fail(Error::invalid(
                "process",
                "may have one `|` part only (sys/saveas)",
            )));
        }
        let Some(sys) = tail.strip_prefix("sys/") else {
            let part = parts.next(offset, tail);
            return Err(part.fail(Error::invalid(
                "process",
                "may only have sys/saveas (or sys/notify) after `|`",
            )));
        };
        let mut sys_parts = pieces(sys, offset + "sys/".len(), '/').peekable();
        let saves = sys_parts
            .peek()
            .is_some_and(|(_, text)| split_action(text).0 != "notify");
        if saves && let Some((at, text)) = sys_parts.next() {
            let part = parts.next(at, text);
            save_as = Some(sys::parse_saveas(text).map_err(|e| part.fail(e))?);
        }
        if let Some((at, text)) = sys_parts.next() {
            let part = parts.next(at, text);
            if pipeline.mode() != Some(Mode::Async) {
                return Err(part.fail(Error::invalid(
                    "notify",
                    "is only for asynchronous processes (doc/, video/, audio/, image/deblindwatermark)",
                )));
            }
            notify_topic = Some(sys::parse_notify(text).map_err(|e| part.fail(e))?);
        }
        if let Some((at, text)) = sys_parts.next() {
            let part = parts.next(at, text);
            return Err(part.fail(Error::invalid(
                "process",
                "has nothing after sys/saveas and notify",
            )));
        }
    }
    Process::assemble(pipeline, save_as, notify_topic)
}

/// Numbers the parts in the order they are read.
#[derive(Default)]
struct Parts {
    count: usize,
}

impl Parts {
    fn next<'a>(&mut self, offset: usize, text: &'a str) -> Part<'a> {
        self.count += 1;
        Part {
            number: self.count,
            offset,
            text,
        }
    }
}

struct Part<'a> {
    number: usize,
    offset: usize,
    text: &'a str,
}

impl Part<'_> {
    /// Puts the part's place in front of an error about it.
    fn fail(&self, error: Error) -> Error {
        match error {
            Error::InvalidArgument { name, message } => Error::invalid(
                "process",
                format!(
                    "part {} at byte {} ({:?}): {name}: {message}",
                    self.number,
                    self.offset,
                    shorten(self.text)
                ),
            ),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{
        Crop, DocAction, DocConvert, DocSource, DocTarget, Format, Gravity, Resize, ResizeMode,
    };

    fn message(text: &str) -> String {
        match Process::parse(text) {
            Err(Error::InvalidArgument { name, message }) => {
                assert_eq!(name, "process");
                message
            }
            other => panic!("{text:?} parsed: {other:?}"),
        }
    }

    #[test]
    fn reads_image_chains_into_typed_actions() {
        let p =
            Process::parse("image/resize,m_fixed,w_100,h_100/crop,g_se,w_10/format,png").unwrap();
        let actions = p.image_actions();
        assert_eq!(
            actions[0],
            ImageAction::Resize(Resize::fixed(100, 100)),
            "{actions:?}"
        );
        assert_eq!(
            actions[1],
            ImageAction::Crop(Crop::new().gravity(Gravity::SouthEast).width(10))
        );
        assert_eq!(actions[2], ImageAction::Format(Format::Png));
        assert_eq!(
            p.as_str(),
            "image/resize,m_fixed,w_100,h_100/crop,w_10,g_se/format,png"
        );
        let ImageAction::Resize(r) = &actions[0] else {
            panic!()
        };
        assert_eq!(r.mode, Some(ResizeMode::Fixed));
    }

    #[test]
    fn reads_saveas_in_either_order_padded_or_not() {
        for text in [
            "image/rotate,90|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA",
            "image/rotate,90|sys/saveas,b_dGVzdA,o_dGVzdC5qcGc",
            "image/rotate,90|sys/saveas,o_dGVzdC5qcGc=,b_dGVzdA==",
        ] {
            let p = Process::parse(text).unwrap();
            let target = p.save_as().unwrap();
            assert_eq!(target.key, "test.jpg");
            assert_eq!(target.bucket.as_deref(), Some("test"));
            assert_eq!(
                p.as_str(),
                "image/rotate,90|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA"
            );
        }
    }

    #[test]
    fn standard_base64_is_refused() {
        // The Python sample's standard alphabet: `+` is not URL-safe.
        let m = message("style/a|sys/saveas,o_5rWL6K+VLmpwZw==");
        assert!(m.contains("saveas.o: must be URL-safe base64"), "{m}");
        assert_eq!(
            Process::parse("style/a|sys/saveas,o_5rWL6K-VLmpwZw")
                .unwrap()
                .save_as()
                .unwrap()
                .key,
            "测试.jpg"
        );
    }

    #[test]
    fn reads_async_strings() {
        let text = "doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw";
        let p = Process::parse(text).unwrap();
        let convert = DocConvert::new(DocTarget::Png).source(DocSource::Docx);
        assert_eq!(p.pipeline(), &Pipeline::Doc(DocAction::Convert(convert)));
        assert_eq!(p.save_as().unwrap().key, "doc_images/{index}.png");
        assert_eq!(p.save_as().unwrap().bucket.as_deref(), Some("test-bucket"));
        assert_eq!(p.notify_topic(), Some("test-topic"));
        assert_eq!(p.as_str(), text);
        // An action this crate does not type stays text.
        let p = Process::parse("audio/concat,f_aac|sys/saveas,o_eA").unwrap();
        assert_eq!(p.pipeline(), &Pipeline::Async("audio/concat,f_aac".into()));
        assert_eq!(p.as_str(), "audio/concat,f_aac|sys/saveas,o_eA");
    }

    #[test]
    fn reads_notify_without_saveas() {
        let text =
            "image/deblindwatermark,s_low,t_text|sys/notify,topic_aW1tLWJsaW5kd2F0ZXJtYXJrLXRlc3Q";
        let p = Process::parse(text).unwrap();
        assert!(matches!(p.pipeline(), Pipeline::DeBlindWatermark(_)));
        assert_eq!(p.notify_topic(), Some("imm-blindwatermark-test"));
        assert_eq!(p.save_as(), None);
        assert_eq!(p.as_str(), text);
        // Before: every asynchronous string had to save; deblindwatermark cannot.
        let err = Process::parse("image/deblindwatermark,s_low|sys/saveas,o_eA").unwrap_err();
        assert!(
            err.to_string()
                .contains("image/deblindwatermark cannot be saved"),
            "{err}"
        );
        let p = Process::parse("video/convert,f_mp4|sys/notify,topic_eA");
        assert!(p.unwrap_err().to_string().contains("say where to save"));
    }

    #[test]
    fn errors_name_the_part_its_offset_and_text() {
        assert_eq!(
            message("image/rotate,90/resize,w_0"),
            r#"part 2 at byte 16 ("resize,w_0"): resize.w: must be 1..=16384, got 0"#
        );
        assert_eq!(
            message("image/resise,w_1"),
            r#"part 1 at byte 6 ("resise,w_1"): image: has no action "resise" that this crate models (use Process::raw to send it as is)"#
        );
        assert_eq!(
            message("image/resize,w_1|sys/saveas,o_"),
            r#"part 2 at byte 21 ("saveas,o_"): saveas.o: an object key must not be empty"#
        );
        assert_eq!(
            message("image/resize,w_99999999999999999999999"),
            r#"part 1 at byte 6 ("resize,w_99999999999999999999999"): resize.w: must be 1..=16384, got 99999999999999999999999"#
        );
        assert_eq!(
            message("style/thumb|sys/saveas,o_eA/notify,topic_eA"),
            r#"part 3 at byte 28 ("notify,topic_eA"): notify: is only for asynchronous processes (doc/, video/, audio/, image/deblindwatermark)"#
        );
    }

    #[test]
    fn rejects_malformed_structure() {
        for (text, expected) in [
            ("", "must not be empty"),
            ("image/resize,w_1\n", "control characters"),
            ("image", "must start with image/"),
            ("x-oss-process=image/resize,w_1", "must start with image/"),
            ("image/", "action: is empty"),
            ("image/resize,w_1//rotate,9", "action: is empty"),
            ("image/resize,w_1,w_2", "resize.w: is given twice"),
            (
                "image/resize,w100",
                "resize: parameter \"w100\" is not written name_value",
            ),
            ("image/resize,_1", "is not written name_value"),
            ("image/resize,w_1,", "is not written name_value"),
            ("image/resize,w_+1", "must be an integer"),
            ("image/resize,w_-1", "must be 1..=16384, got -1"),
            ("image/resize,w_1,z_1", "resize: has no parameter \"z\""),
            ("image/resize,m_pad", "resize: needs a size"),
            ("image/rotate", "rotate: takes exactly one value, got 0"),
            ("image/rotate,1,2", "rotate: takes exactly one value, got 2"),
            ("image/info,1", "info: takes no parameters"),
            ("image/format,jpeg", "format: must be one of jpg"),
            ("image/crop,g_middle", "crop.g: must be one of nw"),
            ("image/auto-orient,2", "auto-orient: must be 0 or 1"),
            ("image/circle", "circle.r: is required"),
            ("image/blur,r_1", "blur.s: is required"),
            ("image/indexcrop,x_1,y_1", "not both"),
            ("image/indexcrop,i_1", "needs x or y"),
            (
                "image/watermark,text_%%%",
                "watermark.text: must be URL-safe base64",
            ),
            ("image/watermark,text_", "watermark.text: must not be empty"),
            ("image/resize,w_1|", "may only have sys/saveas"),
            ("image/resize,w_1|sys/rotate", "sys: has no action"),
            ("image/resize,w_1|sys/saveas", "saveas.o: is required"),
            ("image/resize,w_1|a|b", "one `|` part only"),
            (
                "doc/convert,target_pdf|sys/saveas,o_eA/notify,topic_eA/more",
                "nothing after",
            ),
            (
                "doc/convert,target_pdf|sys/saveas,o_eA/notice,topic_eA",
                "only notify",
            ),
            ("doc/convert,target_pdf", "say where to save"),
            ("doc/convert", "doc/convert.target: is required"),
            ("doc/snapshot,target_png|sys/saveas,o_eA", "cannot be saved"),
            (
                "doc/snapshot,target_png|sys/notify,topic_eA",
                "only for asynchronous",
            ),
            ("image/deblindwatermark", "notify.topic: is required"),
            ("audio/concat|sys/notify,topic_eA", "say where to save"),
            ("style/a b", "style: must be 1..=63"),
        ] {
            let err = Process::parse(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        let samples = [
            "|",
            "||",
            "/",
            "image/|",
            "image/,",
            "image/_",
            "image/resize,",
            "image/resize,_",
            "image/resize,w_",
            "image/resize,w_-",
            "image/resize,color_ÿÿÿ",
            "style/",
            "style/|",
            "doc/|sys/",
            "doc/a|sys/saveas,o_",
            "doc/a|sys/saveas,o_eA/",
            "doc/a|sys/saveas,o_eA/notify",
            "doc/a|sys/saveas,o_eA/notify,",
            "doc/a|sys/saveas,o_eA/notify,topic_",
            "image/watermark,text_====",
            "image/watermark,text_ZZZ",
            "image/blindwatermark,content_",
            "测试/测试|测试",
            "image/测试,测_试",
        ];
        for text in samples {
            let _ = Process::parse(text);
        }
    }
}
