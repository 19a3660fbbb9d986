//! Audio actions (`audio/...`): `audio/info`, synchronous and answered to
//! GET, and `audio/convert`, an asynchronous task saved with `sys/saveas`.
//! (`audio/concat` is not typed: the reference does not describe its
//! segments; send it with `Process::async_action`.)

use super::params::{
    display_by_render, no_params, param, params, required, split_action, unknown, word,
};
use super::pipeline::{Method, Mode, SaveAsRule};
use super::transcode::{AudioSettings, Container, millis};
use crate::error::Error;

/// An audio action, with its parameters: what
/// [`Pipeline::Audio`](super::Pipeline::Audio) holds.
///
/// ```
/// use oss_process::process::{AudioAction, Mode, Pipeline, Process};
///
/// let p = Process::parse("audio/info")?;
/// assert_eq!(p.pipeline(), &Pipeline::Audio(AudioAction::Info));
/// assert_eq!(AudioAction::Info.mode(), Mode::Sync);
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AudioAction {
    /// `audio/info`: the audio's metadata as JSON (sync, GET).
    Info,
    /// `audio/convert`: transcode (async, saved).
    Convert(AudioConvert),
}

impl AudioAction {
    /// The action's name, e.g. `convert` for `audio/convert`.
    ///
    /// ```
    /// use oss_process::process::AudioAction;
    ///
    /// assert_eq!(AudioAction::Info.name(), "info");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            AudioAction::Info => "info",
            AudioAction::Convert(_) => "convert",
        }
    }

    /// Whether the service runs it synchronously (`x-oss-process`) or as a
    /// task (`x-oss-async-process`).
    ///
    /// ```
    /// use oss_process::process::{AudioAction, AudioConvert, Container, Mode};
    ///
    /// assert_eq!(AudioAction::Convert(AudioConvert::new(Container::Mp3)).mode(), Mode::Async);
    /// ```
    pub fn mode(&self) -> Mode {
        match self {
            AudioAction::Info => Mode::Sync,
            AudioAction::Convert(_) => Mode::Async,
        }
    }

    /// Which HTTP method the service answers it to: `audio/info` to GET,
    /// the conversion task to POST.
    ///
    /// ```
    /// use oss_process::process::{AudioAction, Method};
    ///
    /// assert_eq!(AudioAction::Info.method(), Method::Get);
    /// ```
    pub fn method(&self) -> Method {
        match self.mode() {
            Mode::Sync => Method::Get,
            Mode::Async => Method::Post,
        }
    }

    /// Whether its result can, must or cannot be saved with `sys/saveas`.
    ///
    /// ```
    /// use oss_process::process::{AudioAction, SaveAsRule};
    ///
    /// assert_eq!(AudioAction::Info.save_as_rule(), SaveAsRule::Never);
    /// ```
    pub fn save_as_rule(&self) -> SaveAsRule {
        SaveAsRule::of_single_action(self.mode())
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self {
            AudioAction::Info => Ok(()),
            AudioAction::Convert(a) => a.validate(),
        }
    }

    /// Appends the action, `audio/` included.
    pub(crate) fn render(&self, out: &mut String) {
        out.push_str("audio/");
        out.push_str(self.name());
        if let AudioAction::Convert(a) = self {
            a.render_params(out);
        }
    }

    /// Reads the text after `audio/`; `Ok(None)` when the action is not one
    /// this crate types.
    pub(crate) fn parse(text: &str) -> Result<Option<AudioAction>, Error> {
        let (name, args) = split_action(text);
        let action = match name {
            "info" => no_params("audio/info", &args).map(|()| AudioAction::Info)?,
            "convert" => AudioAction::Convert(AudioConvert::parse(&args)?),
            _ => return Ok(None),
        };
        action.validate()?;
        Ok(Some(action))
    }
}

display_by_render!(AudioAction);

/// `audio/convert`: transcodes audio, as an asynchronous task saved with
/// `sys/saveas` (required). The container (`f_`) must be an audio one.
///
/// ```
/// use oss_process::process::{AudioConvert, AudioSettings, Container, Process, SaveAs};
///
/// // The docs' sample: 60 s from 10 s in, as AAC at 96 kbit/s.
/// let convert = AudioConvert::new(Container::Aac)
///     .start(10_000)
///     .duration(60_000)
///     .audio(AudioSettings::new().bitrate(96_000));
/// let p = Process::audio()
///     .convert(convert)
///     .save_as(SaveAs::new("dest.aac"))
///     .notify_topic("AudioConvert")
///     .build()?;
/// assert_eq!(
///     p.as_str(),
///     "audio/convert,ss_10000,t_60000,f_aac,ab_96000|sys/saveas,o_ZGVzdC5hYWM/notify,topic_QXVkaW9Db252ZXJ0"
/// );
/// let video = Process::audio().convert(AudioConvert::new(Container::Mp4)).save_as(SaveAs::new("x")).build();
/// assert!(video.unwrap_err().to_string().contains("audio container"));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AudioConvert {
    /// `ss_`: where to start, in ms.
    pub start: Option<u32>,
    /// `t_`: how long, in ms; `None` (or 0) runs to the end.
    pub duration: Option<u32>,
    /// `f_`: the output container, an audio one.
    pub format: Container,
    /// `acodec_`, `ab_`, `ar_`, `ac_`: the audio stream.
    pub audio: AudioSettings,
}

impl AudioConvert {
    /// A transcoding to `format`, everything else the service's default.
    ///
    /// ```
    /// use oss_process::process::{AudioConvert, Container};
    ///
    /// assert_eq!(AudioConvert::new(Container::Mp3).format, Container::Mp3);
    /// ```
    #[must_use]
    pub fn new(format: Container) -> Self {
        AudioConvert {
            start: None,
            duration: None,
            format,
            audio: AudioSettings::new(),
        }
    }

    /// Sets where to start (`ss_`), in ms.
    ///
    /// ```
    /// use oss_process::process::{AudioConvert, Container};
    ///
    /// assert_eq!(AudioConvert::new(Container::Mp3).start(1).start, Some(1));
    /// ```
    #[must_use]
    pub fn start(mut self, millis: u32) -> Self {
        self.start = Some(millis);
        self
    }

    /// Sets how long (`t_`), in ms.
    ///
    /// ```
    /// use oss_process::process::{AudioConvert, Container};
    ///
    /// assert_eq!(AudioConvert::new(Container::Mp3).duration(9).duration, Some(9));
    /// ```
    #[must_use]
    pub fn duration(mut self, millis: u32) -> Self {
        self.duration = Some(millis);
        self
    }

    /// Sets the audio stream (`acodec_`, `ab_`, `ar_`, `ac_`).
    ///
    /// ```
    /// use oss_process::process::{AudioConvert, AudioSettings, Container};
    ///
    /// let c = AudioConvert::new(Container::Mp3).audio(AudioSettings::new().sample_rate(44100));
    /// assert_eq!(c.audio.sample_rate, Some(44100));
    /// ```
    #[must_use]
    pub fn audio(mut self, audio: AudioSettings) -> Self {
        self.audio = audio;
        self
    }

    fn validate(&self) -> Result<(), Error> {
        if !self.format.is_audio() {
            let audio: Vec<&str> = Container::ALL
                .iter()
                .filter(|c| c.is_audio())
                .map(|c| c.as_str())
                .collect();
            return Err(Error::invalid(
                "audio/convert.f",
                format!(
                    "must be an audio container ({}), got {}",
                    audio.join(", "),
                    self.format
                ),
            ));
        }
        self.audio.validate("audio/convert")
    }

    fn render_params(&self, out: &mut String) {
        param(out, "ss", self.start);
        param(out, "t", self.duration);
        param(out, "f", Some(self.format));
        self.audio.render(out);
    }

    fn parse(args: &[&str]) -> Result<AudioConvert, Error> {
        const A: &str = "audio/convert";
        let mut format = None;
        let mut c = AudioConvert::new(Container::Mp3);
        for (name, value) in params(A, args)? {
            let full = format!("{A}.{name}");
            match name {
                "ss" => c.start = Some(millis(&full, value)?),
                "t" => c.duration = Some(millis(&full, value)?),
                "f" => format = Some(word(&full, value)?),
                _ => {
                    if !c.audio.parse_param(A, name, value)? {
                        return Err(unknown(A, name, "ss, t, f, acodec, ab, ar, ac"));
                    }
                }
            }
        }
        c.format = required(&format!("{A}.f"), format)?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_back_to_what_renders() {
        for text in [
            "info",
            "convert,f_mp3",
            "convert,ss_1,t_2,f_opus,acodec_opus,ab_1,ar_2,ac_1",
        ] {
            let action = AudioAction::parse(text).unwrap().unwrap();
            assert_eq!(action.to_string(), format!("audio/{text}"));
        }
        assert_eq!(AudioAction::parse("concat,f_aac").unwrap(), None);
    }

    #[test]
    fn errors_name_the_parameter() {
        for (text, expected) in [
            ("convert", "audio/convert.f: is required"),
            ("convert,f_mp4", "must be an audio container"),
            ("convert,f_mp3,vcodec_h264", "has no parameter \"vcodec\""),
            ("convert,f_mp3,ab_0", "audio/convert.ab: must be 1.."),
            ("convert,f_mp3,acodec_AAC", "audio/convert.acodec"),
            ("info,x_1", "takes no parameters"),
        ] {
            let err = AudioAction::parse(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }
}
