//! Reads a process string (from a config file, a command line, a log) back
//! into the typed form.
//!
//! The text is cut into parts: each image action between `/`s, the style
//! name, the asynchronous task, the `saveas` and the `notify` part. The
//! first part that does not parse or is out of range is reported with its
//! number, its byte offset and its text. Parsing never panics, whatever the
//! input: it is fuzzed.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

use super::image::{
    ADJUST, BLUR, CROP, DEGREES, FONT_SIZE, INTERVAL, MARGIN, OPACITY, PERCENT, QUALITY, RADIUS,
    SHARPEN, SIDE, SLICE, VOFFSET,
};
use super::{
    BlindWatermark, Blur, Crop, ImageAction, IndexCrop, Pipeline, Process, Quality, Resize, SaveAs,
    Watermark, check, media,
};
use crate::encoding::base64_url_decode;
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
    check::not_empty("process", text)?;
    check::no_control("process", text)?;
    let (main, tail) = match text.find('|') {
        Some(at) => (&text[..at], Some((at + 1, &text[at + 1..]))),
        None => (text, None),
    };
    let mut parts = Parts::default();
    let pipeline = if media::is_async(main) {
        let part = parts.next(0, main);
        media::check_action(main).map_err(|e| part.fail(e))?;
        Pipeline::Async(main.to_owned())
    } else if let Some(chain) = main.strip_prefix("image/") {
        let mut actions = Vec::new();
        for (offset, action) in pieces(chain, "image/".len(), '/') {
            let part = parts.next(offset, action);
            actions.push(image_action(action).map_err(|e| part.fail(e))?);
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
                "may only have sys/saveas after `|`",
            )));
        };
        let mut sys_parts = pieces(sys, offset + "sys/".len(), '/');
        if let Some((at, text)) = sys_parts.next() {
            let part = parts.next(at, text);
            save_as = Some(saveas(text).map_err(|e| part.fail(e))?);
        }
        if let Some((at, text)) = sys_parts.next() {
            let part = parts.next(at, text);
            if !matches!(pipeline, Pipeline::Async(_)) {
                return Err(part.fail(Error::invalid(
                    "notify",
                    "is only for asynchronous processes (doc/, video/, audio/)",
                )));
            }
            notify_topic = Some(notify(text).map_err(|e| part.fail(e))?);
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

/// At most 60 characters of `text`, for error messages.
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Splits `text` at `sep`, giving each piece with its byte offset in the
/// whole string (`text` starting at `base`).
fn pieces(text: &str, base: usize, sep: char) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = base;
    text.split(sep).map(move |piece| {
        let at = offset;
        offset += piece.len() + sep.len_utf8();
        (at, piece)
    })
}

/// Splits `name,arg,arg...` into the name and its arguments.
fn split_action(text: &str) -> (&str, Vec<&str>) {
    match text.split_once(',') {
        Some((name, args)) => (name, args.split(',').collect()),
        None => (text, Vec::new()),
    }
}

fn image_action(text: &str) -> Result<ImageAction, Error> {
    let (name, args) = split_action(text);
    let action = match name {
        "resize" => ImageAction::Resize(resize(&args)?),
        "crop" => ImageAction::Crop(crop(&args)?),
        "rotate" => ImageAction::Rotate(int("rotate", single(name, &args)?, &DEGREES)?),
        "format" => ImageAction::Format(word("format", single(name, &args)?)?),
        "quality" => ImageAction::Quality(quality(&args)?),
        "auto-orient" => ImageAction::AutoOrient(flag(name, single(name, &args)?)?),
        "circle" => ImageAction::Circle(radius("circle", &args)?),
        "rounded-corners" => ImageAction::RoundedCorners(radius("rounded-corners", &args)?),
        "indexcrop" => ImageAction::IndexCrop(index_crop(&args)?),
        "blur" => ImageAction::Blur(blur(&args)?),
        "bright" => ImageAction::Bright(int(name, single(name, &args)?, &ADJUST)?),
        "contrast" => ImageAction::Contrast(int(name, single(name, &args)?, &ADJUST)?),
        "sharpen" => ImageAction::Sharpen(int(name, single(name, &args)?, &SHARPEN)?),
        "interlace" => ImageAction::Interlace(flag(name, single(name, &args)?)?),
        "watermark" => ImageAction::Watermark(watermark(&args)?),
        "blindwatermark" => ImageAction::BlindWatermark(blind_watermark(&args)?),
        "info" => none(name, &args, ImageAction::Info)?,
        "average-hue" => none(name, &args, ImageAction::AverageHue)?,
        "" => return Err(Error::invalid("action", "is empty")),
        other => {
            return Err(Error::invalid(
                "image",
                format!(
                    "has no action {:?} that this crate models (use Process::raw to send it as is)",
                    shorten(other)
                ),
            ));
        }
    };
    action.validate()?;
    Ok(action)
}

/// `name_value` parameters, each name at most once.
fn params<'a>(action: &str, args: &[&'a str]) -> Result<Vec<(&'a str, &'a str)>, Error> {
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

fn unknown(action: &str, name: &str, known: &str) -> Error {
    Error::invalid(
        action,
        format!("has no parameter {:?} (it takes {known})", shorten(name)),
    )
}

fn required<T>(name: &str, value: Option<T>) -> Result<T, Error> {
    value.ok_or_else(|| Error::invalid(name, "is required"))
}

/// The one value of a positional action such as `rotate,90`.
fn single<'a>(action: &str, args: &[&'a str]) -> Result<&'a str, Error> {
    match args {
        [value] => Ok(value),
        _ => Err(Error::invalid(
            action,
            format!("takes exactly one value, got {}", args.len()),
        )),
    }
}

fn none(action: &str, args: &[&str], value: ImageAction) -> Result<ImageAction, Error> {
    if args.is_empty() {
        Ok(value)
    } else {
        Err(Error::invalid(action, "takes no parameters"))
    }
}

/// An integer in `allowed`, written as plain decimal digits.
fn int<T>(name: &str, text: &str, allowed: &RangeInclusive<T>) -> Result<T, Error>
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

fn flag(name: &str, text: &str) -> Result<bool, Error> {
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
fn word<T: FromStr<Err = Error>>(name: &str, text: &str) -> Result<T, Error> {
    text.parse().map_err(|e| match e {
        Error::InvalidArgument { message, .. } => Error::invalid(name, message),
        other => other,
    })
}

/// A URL-safe base64 value (padded or not) holding UTF-8 text.
fn decoded(name: &str, text: &str) -> Result<String, Error> {
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

fn resize(args: &[&str]) -> Result<Resize, Error> {
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

fn crop(args: &[&str]) -> Result<Crop, Error> {
    let mut c = Crop::new();
    for (name, value) in params("crop", args)? {
        c = match name {
            "x" => c.x(int("crop.x", value, &CROP)?),
            "y" => c.y(int("crop.y", value, &CROP)?),
            "w" => c.width(int("crop.w", value, &CROP)?),
            "h" => c.height(int("crop.h", value, &CROP)?),
            "g" => c.gravity(word("crop.g", value)?),
            _ => return Err(unknown("crop", name, "x, y, w, h, g")),
        };
    }
    Ok(c)
}

fn quality(args: &[&str]) -> Result<Quality, Error> {
    let mut q = Quality::default();
    for (name, value) in params("quality", args)? {
        match name {
            "q" => q.relative = Some(int("quality.q", value, &QUALITY)?),
            "Q" => q.absolute = Some(int("quality.Q", value, &QUALITY)?),
            _ => return Err(unknown("quality", name, "q, Q")),
        }
    }
    Ok(q)
}

/// `circle,r_..` and `rounded-corners,r_..`.
fn radius(action: &str, args: &[&str]) -> Result<u32, Error> {
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

fn index_crop(args: &[&str]) -> Result<IndexCrop, Error> {
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

fn blur(args: &[&str]) -> Result<Blur, Error> {
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

fn watermark(args: &[&str]) -> Result<Watermark, Error> {
    let mut w = Watermark::new();
    for (name, value) in params("watermark", args)? {
        w = match name {
            "text" => w.text(decoded("watermark.text", value)?),
            "type" => w.font(decoded("watermark.type", value)?),
            "color" => w.color(value),
            "size" => w.size(int("watermark.size", value, &FONT_SIZE)?),
            "shadow" => w.shadow(int("watermark.shadow", value, &OPACITY)?),
            "rotate" => w.rotate(int("watermark.rotate", value, &DEGREES)?),
            "fill" => w.fill(flag("watermark.fill", value)?),
            "image" => w.image(decoded("watermark.image", value)?),
            "order" => w.order(word("watermark.order", value)?),
            "align" => w.align(word("watermark.align", value)?),
            "interval" => w.interval(int("watermark.interval", value, &INTERVAL)?),
            "t" => w.transparency(int("watermark.t", value, &OPACITY)?),
            "g" => w.gravity(word("watermark.g", value)?),
            "x" => w.x(int("watermark.x", value, &MARGIN)?),
            "y" => w.y(int("watermark.y", value, &MARGIN)?),
            "voffset" => w.voffset(int("watermark.voffset", value, &VOFFSET)?),
            _ => {
                return Err(unknown(
                    "watermark",
                    name,
                    "text, type, color, size, shadow, rotate, fill, image, order, align, \
                     interval, t, g, x, y, voffset",
                ));
            }
        };
    }
    Ok(w)
}

fn blind_watermark(args: &[&str]) -> Result<BlindWatermark, Error> {
    let mut content = None;
    for (name, value) in params("blindwatermark", args)? {
        match name {
            "content" => content = Some(decoded("blindwatermark.content", value)?),
            _ => return Err(unknown("blindwatermark", name, "content")),
        }
    }
    Ok(BlindWatermark::new(required(
        "blindwatermark.content",
        content,
    )?))
}

/// `saveas,o_..,b_..`, the values decoded and checked.
fn saveas(text: &str) -> Result<SaveAs, Error> {
    let (action, args) = split_action(text);
    if action != "saveas" {
        return Err(Error::invalid(
            "sys",
            format!("has no action {:?} (only saveas)", shorten(action)),
        ));
    }
    let (mut key, mut bucket) = (None, None);
    for (name, value) in params("saveas", &args)? {
        match name {
            "o" => key = Some(decoded("saveas.o", value)?),
            "b" => bucket = Some(decoded("saveas.b", value)?),
            _ => return Err(unknown("saveas", name, "o, b")),
        }
    }
    let target = SaveAs {
        key: required("saveas.o", key)?,
        bucket,
    };
    target.validate()?;
    Ok(target)
}

/// `notify,topic_..`, the topic decoded and checked.
fn notify(text: &str) -> Result<String, Error> {
    let (action, args) = split_action(text);
    if action != "notify" {
        return Err(Error::invalid(
            "sys",
            format!(
                "has no action {:?} after saveas (only notify)",
                shorten(action)
            ),
        ));
    }
    let mut topic = None;
    for (name, value) in params("notify", &args)? {
        match name {
            "topic" => topic = Some(decoded("notify.topic", value)?),
            _ => return Err(unknown("notify", name, "topic")),
        }
    }
    let topic = required("notify.topic", topic)?;
    media::check_topic(&topic)?;
    Ok(topic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{Format, Gravity, ResizeMode};

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
        assert_eq!(
            p.pipeline(),
            &Pipeline::Async("doc/convert,target_png,source_docx".into())
        );
        assert_eq!(p.save_as().unwrap().key, "doc_images/{index}.png");
        assert_eq!(p.save_as().unwrap().bucket.as_deref(), Some("test-bucket"));
        assert_eq!(p.notify_topic(), Some("test-topic"));
        assert_eq!(p.as_str(), text);
        let p = Process::parse("image/deblindwatermark,s_low|sys/saveas,o_eA").unwrap();
        assert!(matches!(p.pipeline(), Pipeline::Async(_)));
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
            r#"part 3 at byte 28 ("notify,topic_eA"): notify: is only for asynchronous processes (doc/, video/, audio/)"#
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
                "doc/convert|sys/saveas,o_eA/notify,topic_eA/more",
                "nothing after",
            ),
            ("doc/convert|sys/saveas,o_eA/notice,topic_eA", "only notify"),
            ("doc/convert", "must say where to save"),
            ("style/a b", "style: must be 1..=63"),
        ] {
            let err = Process::parse(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }

    #[test]
    fn shorten_cuts_on_a_character_boundary() {
        let long = "测".repeat(100);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), 63);
        assert!(short.ends_with("..."));
        assert_eq!(shorten("abc"), "abc");
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
