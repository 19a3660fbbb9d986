//! What the transcoding tasks share (`video/convert`, `video/concat`,
//! `audio/convert`): the output container (`f_`), the time window (`ss_`,
//! `t_`, in milliseconds) and the audio settings (`acodec_`, `ab_`, `ar_`,
//! `ac_`).
//!
//! Ranges: the containers are those both versions of the transcoding page
//! list (a newer one adds `webm`, left out here). The page's audio value
//! lists were not retrieved, so the audio codec is checked only as a word
//! (`aac` in the docs' samples) and bitrate, sample rate and channels only as
//! positive integers; the service judges the rest.

use std::ops::RangeInclusive;

use crate::error::Error;
use crate::process::check;
use crate::process::params::{int, param, shorten, wire_enum};

/// Milliseconds: `ss_`, `t_`, `inter_`.
pub(crate) const MILLIS: RangeInclusive<u32> = 0..=u32::MAX;
/// A positive count or rate whose range is not documented.
pub(crate) const POSITIVE: RangeInclusive<u32> = 1..=u32::MAX;

wire_enum! {
    /// The output container of a transcoding task (`f_`): a video
    /// container, or an audio one (which keeps the audio only).
    ///
    /// ```
    /// use oss_process::process::Container;
    ///
    /// assert_eq!(Container::Mp4.as_str(), "mp4");
    /// assert!(Container::Aac.is_audio() && !Container::Mkv.is_audio());
    /// ```
    Container ("f") {
        /// `mp4`.
        Mp4 => "mp4",
        /// `mkv`.
        Mkv => "mkv",
        /// `mov`.
        Mov => "mov",
        /// `asf`.
        Asf => "asf",
        /// `avi`.
        Avi => "avi",
        /// `mxf`.
        Mxf => "mxf",
        /// `ts`.
        Ts => "ts",
        /// `flv`.
        Flv => "flv",
        /// `mp3` (audio).
        Mp3 => "mp3",
        /// `aac` (audio).
        Aac => "aac",
        /// `flac` (audio).
        Flac => "flac",
        /// `oga` (audio).
        Oga => "oga",
        /// `ac3` (audio).
        Ac3 => "ac3",
        /// `opus` (audio).
        Opus => "opus",
        /// `amr` (audio).
        Amr => "amr",
    }
}

impl Container {
    /// Whether this is an audio-only container (what `audio/convert`
    /// writes).
    ///
    /// ```
    /// use oss_process::process::Container;
    ///
    /// assert!(Container::Mp3.is_audio());
    /// assert!(!Container::Flv.is_audio());
    /// ```
    pub fn is_audio(self) -> bool {
        matches!(
            self,
            Container::Mp3
                | Container::Aac
                | Container::Flac
                | Container::Oga
                | Container::Ac3
                | Container::Opus
                | Container::Amr
        )
    }
}

/// The audio stream of a transcoding task: codec (`acodec_`), bitrate in
/// bit/s (`ab_`), sample rate in Hz (`ar_`) and channels (`ac_`). Each is
/// optional. Set the sample rate and channels explicitly for
/// `video/concat`: the defaults can clash with the container.
///
/// ```
/// use oss_process::process::{AudioConvert, AudioSettings, Container, Process, SaveAs};
///
/// let audio = AudioSettings::new().codec("aac").bitrate(96000).sample_rate(48000).channels(2);
/// assert_eq!(audio.bitrate, Some(96000));
/// let p = Process::audio()
///     .convert(AudioConvert::new(Container::Aac).audio(audio))
///     .save_as(SaveAs::new("out.aac"))
///     .build()?;
/// assert_eq!(p.as_str(), "audio/convert,f_aac,acodec_aac,ab_96000,ar_48000,ac_2|sys/saveas,o_b3V0LmFhYw");
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AudioSettings {
    /// `acodec_`: the audio codec, e.g. `aac`.
    pub codec: Option<String>,
    /// `ab_`: the audio bitrate, in bit/s.
    pub bitrate: Option<u32>,
    /// `ar_`: the sample rate, in Hz.
    pub sample_rate: Option<u32>,
    /// `ac_`: the number of channels.
    pub channels: Option<u32>,
}

impl AudioSettings {
    /// Settings with nothing set (the service's defaults).
    ///
    /// ```
    /// use oss_process::process::AudioSettings;
    ///
    /// assert_eq!(AudioSettings::new().codec, None);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        AudioSettings::default()
    }

    /// Sets the codec (`acodec_`), a lower-case name such as `aac`.
    ///
    /// ```
    /// use oss_process::process::AudioSettings;
    ///
    /// assert_eq!(AudioSettings::new().codec("aac").codec.as_deref(), Some("aac"));
    /// ```
    #[must_use]
    pub fn codec(mut self, codec: impl Into<String>) -> Self {
        self.codec = Some(codec.into());
        self
    }

    /// Sets the bitrate (`ab_`), in bit/s.
    ///
    /// ```
    /// use oss_process::process::AudioSettings;
    ///
    /// assert_eq!(AudioSettings::new().bitrate(128000).bitrate, Some(128000));
    /// ```
    #[must_use]
    pub fn bitrate(mut self, bits_per_second: u32) -> Self {
        self.bitrate = Some(bits_per_second);
        self
    }

    /// Sets the sample rate (`ar_`), in Hz.
    ///
    /// ```
    /// use oss_process::process::AudioSettings;
    ///
    /// assert_eq!(AudioSettings::new().sample_rate(44100).sample_rate, Some(44100));
    /// ```
    #[must_use]
    pub fn sample_rate(mut self, hertz: u32) -> Self {
        self.sample_rate = Some(hertz);
        self
    }

    /// Sets the number of channels (`ac_`).
    ///
    /// ```
    /// use oss_process::process::AudioSettings;
    ///
    /// assert_eq!(AudioSettings::new().channels(1).channels, Some(1));
    /// ```
    #[must_use]
    pub fn channels(mut self, channels: u32) -> Self {
        self.channels = Some(channels);
        self
    }

    pub(crate) fn validate(&self, action: &str) -> Result<(), Error> {
        if let Some(codec) = &self.codec {
            check_word(&format!("{action}.acodec"), codec)?;
        }
        check::opt_range(&format!("{action}.ab"), self.bitrate, &POSITIVE)?;
        check::opt_range(&format!("{action}.ar"), self.sample_rate, &POSITIVE)?;
        check::opt_range(&format!("{action}.ac"), self.channels, &POSITIVE)
    }

    pub(crate) fn render(&self, out: &mut String) {
        param(out, "acodec", self.codec.as_deref());
        param(out, "ab", self.bitrate);
        param(out, "ar", self.sample_rate);
        param(out, "ac", self.channels);
    }

    /// Takes `name_value` if it is an audio parameter; `Ok(false)` if not.
    pub(crate) fn parse_param(
        &mut self,
        action: &str,
        name: &str,
        value: &str,
    ) -> Result<bool, Error> {
        let full = format!("{action}.{name}");
        match name {
            "acodec" => {
                check_word(&full, value)?;
                self.codec = Some(value.to_owned());
            }
            "ab" => self.bitrate = Some(int(&full, value, &POSITIVE)?),
            "ar" => self.sample_rate = Some(int(&full, value, &POSITIVE)?),
            "ac" => self.channels = Some(int(&full, value, &POSITIVE)?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// A value the service names and this crate does not list: 1 to 32
/// lower-case letters and digits, so it cannot break out of its parameter.
pub(crate) fn check_word(name: &str, value: &str) -> Result<(), Error> {
    let ok = (1..=32).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            format!(
                "must be 1 to 32 lower-case letters and digits, got {:?}",
                shorten(value)
            ),
        ))
    }
}

/// Milliseconds, for `ss_`, `t_` and `inter_`.
pub(crate) fn millis(name: &str, value: &str) -> Result<u32, Error> {
    int(name, value, &MILLIS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_parameters_parse_and_render() {
        let mut audio = AudioSettings::new();
        for (name, value) in [
            ("acodec", "aac"),
            ("ab", "96000"),
            ("ar", "48000"),
            ("ac", "2"),
        ] {
            assert!(audio.parse_param("audio/convert", name, value).unwrap());
        }
        assert!(!audio.parse_param("audio/convert", "f", "mp3").unwrap());
        let mut out = String::new();
        audio.render(&mut out);
        assert_eq!(out, ",acodec_aac,ab_96000,ar_48000,ac_2");
        assert!(audio.validate("audio/convert").is_ok());
    }

    #[test]
    fn words_cannot_break_out() {
        for bad in ["", "AAC", "a,b", "a/b", "a_b", &"a".repeat(33)] {
            assert!(check_word("x", bad).is_err(), "{bad:?}");
        }
        let err = AudioSettings::new()
            .channels(0)
            .validate("video/convert")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid video/convert.ac: must be 1..=4294967295, got 0"
        );
    }

    #[test]
    fn containers_know_audio() {
        let audio: Vec<_> = Container::ALL.iter().filter(|c| c.is_audio()).collect();
        assert_eq!(audio.len(), 7);
    }
}
