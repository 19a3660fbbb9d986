//! Video transcoding tasks: `video/convert` (the subset of its parameters
//! users write most) and `video/concat` (the same parameters, and the
//! `/pre` and `/sur` segments joined before and after the source).
//!
//! From the transcoding page: `vcodec_` h264 or h265 (newer pages add
//! `copy` and `vp9`, left out here), `s_` WxH with even sides of 64 to 4096,
//! `vb_` 10,000 to 100,000,000 bit/s, `fps_` up to 240 (the page allows
//! fractions; this crate takes whole frames per second, 1 to 240), `vn_`,
//! `an_` and `sn_` (0 or 1: drop the video, audio or subtitle streams). The
//! concat page: segments take `o_` (required, the object key, URL-safe
//! base64), `ss_` and `t_` (ms); at most 11 videos in all, so at most 10
//! segments besides the source. Its samples also write `align_`, which the
//! reference does not describe: not typed here.

use std::fmt::Write as _;
use std::ops::RangeInclusive;

use crate::encoding::base64_url;
use crate::error::Error;
use crate::names;
use crate::process::check;
use crate::process::params::{
    decoded, flag, int, param, params, pieces, required, shorten, split_action, unknown, wire_enum,
    word,
};
use crate::process::transcode::{AudioSettings, Container, millis};

/// `vb_`, in bit/s.
const VIDEO_BITRATE: RangeInclusive<u32> = 10_000..=100_000_000;
/// `fps_`, whole frames per second.
const FPS: RangeInclusive<u32> = 1..=240;
/// Each side of `s_`.
const RESOLUTION_SIDE: RangeInclusive<u32> = 64..=4096;
/// `video/concat` joins at most 11 videos: the source and 10 segments.
const MAX_SEGMENTS: usize = 10;
/// The parameters `video/convert` and `video/concat` take.
const KNOWN: &str = "ss, t, f, vn, vcodec, s, vb, fps, an, acodec, ab, ar, ac, sn";

wire_enum! {
    /// The video codec of a transcoding task (`vcodec_`).
    ///
    /// ```
    /// use oss_process::process::VideoCodec;
    ///
    /// assert_eq!(VideoCodec::H265.as_str(), "h265");
    /// ```
    VideoCodec ("vcodec") {
        /// `h264`.
        H264 => "h264",
        /// `h265`.
        H265 => "h265",
    }
}

wire_enum! {
    /// Where a `video/concat` segment goes: before (`pre`) or after (`sur`)
    /// the source video. Segments join in the order they are written.
    ///
    /// ```
    /// use oss_process::process::ConcatPosition;
    ///
    /// assert_eq!(ConcatPosition::After.as_str(), "sur");
    /// ```
    ConcatPosition ("video/concat") {
        /// `pre`: before the source.
        Before => "pre",
        /// `sur`: after the source.
        After => "sur",
    }
}

/// `video/convert`: transcodes a video, as an asynchronous task
/// (`x-oss-async-process`) that saves the result with `sys/saveas`
/// (required) and may notify a topic. The output container (`f_`) is
/// required; an audio container keeps the audio only.
///
/// ```
/// use oss_process::process::{AudioSettings, Container, Process, SaveAs, VideoCodec, VideoConvert};
///
/// // The official samples' transcoding.
/// let convert = VideoConvert::new(Container::Avi)
///     .video_codec(VideoCodec::H265)
///     .resolution(1920, 1080)
///     .video_bitrate(2_000_000)
///     .fps(30)
///     .audio(AudioSettings::new().codec("aac").bitrate(100_000))
///     .no_subtitles(true);
/// let p = Process::video().convert(convert).save_as(SaveAs::new("dest.avi")).build()?;
/// assert_eq!(
///     p.as_str(),
///     "video/convert,f_avi,vcodec_h265,s_1920x1080,vb_2000000,fps_30,acodec_aac,ab_100000,sn_1\
///      |sys/saveas,o_ZGVzdC5hdmk"
/// );
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VideoConvert {
    /// `ss_`: where to start, in ms; `None` is the beginning.
    pub start: Option<u32>,
    /// `t_`: how long, in ms; `None` (or 0) runs to the end.
    pub duration: Option<u32>,
    /// `f_`: the output container.
    pub format: Container,
    /// `vn_`: `true` drops the video stream.
    pub no_video: Option<bool>,
    /// `vcodec_`: the video codec.
    pub video_codec: Option<VideoCodec>,
    /// `s_`: the output width and height, each even and 64 to 4096.
    pub resolution: Option<(u32, u32)>,
    /// `vb_`: the video bitrate, 10,000 to 100,000,000 bit/s.
    pub video_bitrate: Option<u32>,
    /// `fps_`: frames per second, 1 to 240.
    pub fps: Option<u32>,
    /// `an_`: `true` drops the audio stream.
    pub no_audio: Option<bool>,
    /// `acodec_`, `ab_`, `ar_`, `ac_`: the audio stream.
    pub audio: AudioSettings,
    /// `sn_`: `true` drops the subtitle streams.
    pub no_subtitles: Option<bool>,
}

impl VideoConvert {
    /// A transcoding to `format`, everything else the service's default.
    ///
    /// ```
    /// use oss_process::process::{Container, VideoConvert};
    ///
    /// assert_eq!(VideoConvert::new(Container::Mp4).format, Container::Mp4);
    /// ```
    #[must_use]
    pub fn new(format: Container) -> Self {
        VideoConvert {
            start: None,
            duration: None,
            format,
            no_video: None,
            video_codec: None,
            resolution: None,
            video_bitrate: None,
            fps: None,
            no_audio: None,
            audio: AudioSettings::new(),
            no_subtitles: None,
        }
    }

    /// Sets where to start (`ss_`), in ms.
    ///
    /// ```
    /// use oss_process::process::{Container, VideoConvert};
    ///
    /// assert_eq!(VideoConvert::new(Container::Mp4).start(1000).start, Some(1000));
    /// ```
    #[must_use]
    pub fn start(mut self, millis: u32) -> Self {
        self.start = Some(millis);
        self
    }

    /// Sets how long (`t_`), in ms.
    ///
    /// ```
    /// use oss_process::process::{Container, VideoConvert};
    ///
    /// assert_eq!(VideoConvert::new(Container::Mp4).duration(60_000).duration, Some(60_000));
    /// ```
    #[must_use]
    pub fn duration(mut self, millis: u32) -> Self {
        self.duration = Some(millis);
        self
    }

    /// Sets whether to drop the video stream (`vn_`).
    ///
    /// ```
    /// use oss_process::process::{Container, VideoConvert};
    ///
    /// assert_eq!(VideoConvert::new(Container::Mp3).no_video(true).no_video, Some(true));
    /// ```
    #[must_use]
    pub fn no_video(mut self, drop: bool) -> Self {
        self.no_video = Some(drop);
        self
    }

    /// Sets the video codec (`vcodec_`).
    ///
    /// ```
    /// use oss_process::process::{Container, VideoCodec, VideoConvert};
    ///
    /// let c = VideoConvert::new(Container::Mp4).video_codec(VideoCodec::H264);
    /// assert_eq!(c.video_codec, Some(VideoCodec::H264));
    /// ```
    #[must_use]
    pub fn video_codec(mut self, codec: VideoCodec) -> Self {
        self.video_codec = Some(codec);
        self
    }

    /// Sets the output resolution (`s_<width>x<height>`): even sides of 64
    /// to 4096 px.
    ///
    /// ```
    /// use oss_process::process::{Container, Process, SaveAs, VideoConvert};
    ///
    /// assert_eq!(VideoConvert::new(Container::Mp4).resolution(1280, 720).resolution, Some((1280, 720)));
    /// let odd = Process::video().convert(VideoConvert::new(Container::Mp4).resolution(1281, 720))
    ///     .save_as(SaveAs::new("o.mp4"))
    ///     .build();
    /// assert!(odd.unwrap_err().to_string().contains("even"));
    /// ```
    #[must_use]
    pub fn resolution(mut self, width: u32, height: u32) -> Self {
        self.resolution = Some((width, height));
        self
    }

    /// Sets the video bitrate (`vb_`), 10,000 to 100,000,000 bit/s.
    ///
    /// ```
    /// use oss_process::process::{Container, VideoConvert};
    ///
    /// assert_eq!(VideoConvert::new(Container::Mp4).video_bitrate(1_000_000).video_bitrate, Some(1_000_000));
    /// ```
    #[must_use]
    pub fn video_bitrate(mut self, bits_per_second: u32) -> Self {
        self.video_bitrate = Some(bits_per_second);
        self
    }

    /// Sets the frame rate (`fps_`), 1 to 240.
    ///
    /// ```
    /// use oss_process::process::{Container, VideoConvert};
    ///
    /// assert_eq!(VideoConvert::new(Container::Mp4).fps(25).fps, Some(25));
    /// ```
    #[must_use]
    pub fn fps(mut self, fps: u32) -> Self {
        self.fps = Some(fps);
        self
    }

    /// Sets whether to drop the audio stream (`an_`).
    ///
    /// ```
    /// use oss_process::process::{Container, VideoConvert};
    ///
    /// assert_eq!(VideoConvert::new(Container::Mp4).no_audio(true).no_audio, Some(true));
    /// ```
    #[must_use]
    pub fn no_audio(mut self, drop: bool) -> Self {
        self.no_audio = Some(drop);
        self
    }

    /// Sets the audio stream (`acodec_`, `ab_`, `ar_`, `ac_`).
    ///
    /// ```
    /// use oss_process::process::{AudioSettings, Container, VideoConvert};
    ///
    /// let c = VideoConvert::new(Container::Mp4).audio(AudioSettings::new().channels(2));
    /// assert_eq!(c.audio.channels, Some(2));
    /// ```
    #[must_use]
    pub fn audio(mut self, audio: AudioSettings) -> Self {
        self.audio = audio;
        self
    }

    /// Sets whether to drop the subtitle streams (`sn_`).
    ///
    /// ```
    /// use oss_process::process::{Container, VideoConvert};
    ///
    /// assert_eq!(VideoConvert::new(Container::Mp4).no_subtitles(true).no_subtitles, Some(true));
    /// ```
    #[must_use]
    pub fn no_subtitles(mut self, drop: bool) -> Self {
        self.no_subtitles = Some(drop);
        self
    }

    pub(crate) fn validate(&self, action: &str) -> Result<(), Error> {
        let name = |p: &str| format!("{action}.{p}");
        if let Some((width, height)) = self.resolution {
            for (side, value) in [("width", width), ("height", height)] {
                if !RESOLUTION_SIDE.contains(&value) || value % 2 != 0 {
                    return Err(Error::invalid(
                        name("s"),
                        format!(
                            "each side must be even and 64..=4096, got {width}x{height} \
                             (the {side} is {value})"
                        ),
                    ));
                }
            }
        }
        check::opt_range(&name("vb"), self.video_bitrate, &VIDEO_BITRATE)?;
        check::opt_range(&name("fps"), self.fps, &FPS)?;
        self.audio.validate(action)
    }

    pub(crate) fn render_params(&self, out: &mut String) {
        param(out, "ss", self.start);
        param(out, "t", self.duration);
        param(out, "f", Some(self.format));
        param(out, "vn", self.no_video.map(u8::from));
        param(out, "vcodec", self.video_codec);
        if let Some((width, height)) = self.resolution {
            let _ = write!(out, ",s_{width}x{height}");
        }
        param(out, "vb", self.video_bitrate);
        param(out, "fps", self.fps);
        param(out, "an", self.no_audio.map(u8::from));
        self.audio.render(out);
        param(out, "sn", self.no_subtitles.map(u8::from));
    }

    /// Reads the transcoding parameters of `action` (`video/convert` or
    /// `video/concat`).
    pub(crate) fn parse_params(action: &str, args: &[&str]) -> Result<VideoConvert, Error> {
        let mut format = None;
        let mut c = VideoConvert::new(Container::Mp4);
        for (name, value) in params(action, args)? {
            let full = format!("{action}.{name}");
            match name {
                "ss" => c.start = Some(millis(&full, value)?),
                "t" => c.duration = Some(millis(&full, value)?),
                "f" => format = Some(word(&full, value)?),
                "vn" => c.no_video = Some(flag(&full, value)?),
                "vcodec" => c.video_codec = Some(word(&full, value)?),
                "s" => c.resolution = Some(parse_resolution(&full, value)?),
                "vb" => c.video_bitrate = Some(int(&full, value, &VIDEO_BITRATE)?),
                "fps" => c.fps = Some(int(&full, value, &FPS)?),
                "an" => c.no_audio = Some(flag(&full, value)?),
                "sn" => c.no_subtitles = Some(flag(&full, value)?),
                _ => {
                    if !c.audio.parse_param(action, name, value)? {
                        return Err(unknown(action, name, KNOWN));
                    }
                }
            }
        }
        c.format = required(&format!("{action}.f"), format)?;
        Ok(c)
    }
}

/// `<width>x<height>`.
fn parse_resolution(name: &str, value: &str) -> Result<(u32, u32), Error> {
    let Some((width, height)) = value.split_once('x') else {
        return Err(Error::invalid(
            name,
            format!("must be <width>x<height>, got {:?}", shorten(value)),
        ));
    };
    Ok((
        int(name, width, &RESOLUTION_SIDE)?,
        int(name, height, &RESOLUTION_SIDE)?,
    ))
}

/// One video joined to the source by `video/concat` (`/pre,...` or
/// `/sur,...`): an object in the same bucket (`o_`), optionally cut to a
/// window (`ss_`, `t_`, in ms).
///
/// ```
/// use oss_process::process::{ConcatPosition, ConcatSegment};
///
/// let intro = ConcatSegment::before("intro.mp4").start(0).duration(5000);
/// assert_eq!((intro.position, intro.key.as_str(), intro.duration), (ConcatPosition::Before, "intro.mp4", Some(5000)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ConcatSegment {
    /// `pre` or `sur`: before or after the source.
    pub position: ConcatPosition,
    /// `o_`: the segment's object key, decoded.
    pub key: String,
    /// `ss_`: where to start in the segment, in ms.
    pub start: Option<u32>,
    /// `t_`: how much of the segment, in ms; 0 runs to its end.
    pub duration: Option<u32>,
}

impl ConcatSegment {
    /// `key` joined before the source (`/pre,o_...`).
    ///
    /// ```
    /// use oss_process::process::{ConcatPosition, ConcatSegment};
    ///
    /// assert_eq!(ConcatSegment::before("a.mp4").position, ConcatPosition::Before);
    /// ```
    #[must_use]
    pub fn before(key: impl Into<String>) -> Self {
        ConcatSegment {
            position: ConcatPosition::Before,
            key: key.into(),
            start: None,
            duration: None,
        }
    }

    /// `key` joined after the source (`/sur,o_...`).
    ///
    /// ```
    /// use oss_process::process::{ConcatPosition, ConcatSegment};
    ///
    /// assert_eq!(ConcatSegment::after("b.mp4").position, ConcatPosition::After);
    /// ```
    #[must_use]
    pub fn after(key: impl Into<String>) -> Self {
        ConcatSegment {
            position: ConcatPosition::After,
            ..ConcatSegment::before(key)
        }
    }

    /// Sets where to start in the segment (`ss_`), in ms.
    ///
    /// ```
    /// use oss_process::process::ConcatSegment;
    ///
    /// assert_eq!(ConcatSegment::after("b.mp4").start(500).start, Some(500));
    /// ```
    #[must_use]
    pub fn start(mut self, millis: u32) -> Self {
        self.start = Some(millis);
        self
    }

    /// Sets how much of the segment (`t_`), in ms; 0 runs to its end.
    ///
    /// ```
    /// use oss_process::process::ConcatSegment;
    ///
    /// assert_eq!(ConcatSegment::after("b.mp4").duration(0).duration, Some(0));
    /// ```
    #[must_use]
    pub fn duration(mut self, millis: u32) -> Self {
        self.duration = Some(millis);
        self
    }

    fn render(&self, out: &mut String) {
        out.push('/');
        out.push_str(self.position.as_str());
        param(out, "o", Some(base64_url(&self.key)));
        param(out, "ss", self.start);
        param(out, "t", self.duration);
    }

    fn parse(text: &str) -> Result<ConcatSegment, Error> {
        let (name, args) = split_action(text);
        let position: ConcatPosition = word("video/concat", name).map_err(|_| {
            Error::invalid(
                "video/concat",
                format!(
                    "takes only /pre and /sur segments after its parameters, got {:?}",
                    shorten(text)
                ),
            )
        })?;
        let action = format!("video/concat.{}", position.as_str());
        let mut key = None;
        let mut segment = ConcatSegment::before("");
        segment.position = position;
        for (name, value) in params(&action, &args)? {
            let full = format!("{action}.{name}");
            match name {
                "o" => key = Some(decoded(&full, value)?),
                "ss" => segment.start = Some(millis(&full, value)?),
                "t" => segment.duration = Some(millis(&full, value)?),
                _ => return Err(unknown(&action, name, "o, ss, t")),
            }
        }
        segment.key = required(&format!("{action}.o"), key)?;
        Ok(segment)
    }
}

/// `video/concat`: joins videos to the source, before (`/pre`) and after
/// (`/sur`) it in the order written, and transcodes the result with the
/// [`VideoConvert`] parameters, as an asynchronous task saved with
/// `sys/saveas` (required). 1 to 10 segments (11 videos in all). Set the
/// audio sample rate and channels: the defaults can clash with the
/// container.
///
/// ```
/// use oss_process::process::{
///     AudioSettings, ConcatSegment, Container, Process, SaveAs, VideoCodec, VideoConcat, VideoConvert,
/// };
///
/// let output = VideoConvert::new(Container::Mp4)
///     .start(0)
///     .video_codec(VideoCodec::H264)
///     .fps(25)
///     .video_bitrate(1_000_000)
///     .audio(AudioSettings::new().codec("aac").bitrate(96000).sample_rate(48000).channels(2));
/// let concat = VideoConcat::new(output)
///     .segment(ConcatSegment::before("concat1.mp4"))
///     .segment(ConcatSegment::after("concat2.mp4").duration(0));
/// let p = Process::video().concat(concat).save_as(SaveAs::new("dest.mp4")).build()?;
/// assert_eq!(
///     p.as_str(),
///     "video/concat,ss_0,f_mp4,vcodec_h264,vb_1000000,fps_25,acodec_aac,ab_96000,ar_48000,ac_2\
///      /pre,o_Y29uY2F0MS5tcDQ/sur,o_Y29uY2F0Mi5tcDQ,t_0|sys/saveas,o_ZGVzdC5tcDQ"
/// );
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VideoConcat {
    /// The transcoding of the joined video (`f_` and the rest).
    pub output: VideoConvert,
    /// The videos joined to the source, in order.
    pub segments: Vec<ConcatSegment>,
}

impl VideoConcat {
    /// A concatenation transcoded as `output`; add 1 to 10 segments.
    ///
    /// ```
    /// use oss_process::process::{Container, VideoConcat, VideoConvert};
    ///
    /// assert!(VideoConcat::new(VideoConvert::new(Container::Mp4)).segments.is_empty());
    /// ```
    #[must_use]
    pub fn new(output: VideoConvert) -> Self {
        VideoConcat {
            output,
            segments: Vec::new(),
        }
    }

    /// Adds a segment, after those already added.
    ///
    /// ```
    /// use oss_process::process::{ConcatSegment, Container, VideoConcat, VideoConvert};
    ///
    /// let c = VideoConcat::new(VideoConvert::new(Container::Mp4)).segment(ConcatSegment::after("b.mp4"));
    /// assert_eq!(c.segments.len(), 1);
    /// ```
    #[must_use]
    pub fn segment(mut self, segment: ConcatSegment) -> Self {
        self.segments.push(segment);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        self.output.validate("video/concat")?;
        if self.segments.is_empty() || self.segments.len() > MAX_SEGMENTS {
            return Err(Error::invalid(
                "video/concat",
                format!(
                    "takes 1 to {MAX_SEGMENTS} /pre or /sur segments (11 videos with the source), got {}",
                    self.segments.len()
                ),
            ));
        }
        self.segments.iter().try_for_each(|s| {
            names::check_key_as(&format!("video/concat.{}.o", s.position.as_str()), &s.key)
        })
    }

    pub(crate) fn render_params(&self, out: &mut String) {
        self.output.render_params(out);
        for segment in &self.segments {
            segment.render(out);
        }
    }

    /// Reads `concat,<params>/pre,.../sur,...` (the text after `video/`).
    pub(crate) fn parse(args: &[&str], segments: Option<&str>) -> Result<VideoConcat, Error> {
        let mut concat = VideoConcat::new(VideoConvert::parse_params("video/concat", args)?);
        if let Some(segments) = segments {
            for (_, text) in pieces(segments, 0, '/') {
                concat.segments.push(ConcatSegment::parse(text)?);
            }
        }
        Ok(concat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_is_even_and_in_range() {
        for (w, h) in [(64, 64), (4096, 4096), (1920, 1080)] {
            assert!(
                VideoConvert::new(Container::Mp4)
                    .resolution(w, h)
                    .validate("v")
                    .is_ok()
            );
        }
        for (w, h) in [(62, 64), (4098, 64), (65, 64), (64, 0)] {
            assert!(
                VideoConvert::new(Container::Mp4)
                    .resolution(w, h)
                    .validate("v")
                    .is_err()
            );
        }
        assert!(parse_resolution("s", "1920*1080").is_err());
        assert_eq!(parse_resolution("s", "1920x1080").unwrap(), (1920, 1080));
    }

    #[test]
    fn parameters_parse_in_any_order() {
        let c = VideoConvert::parse_params(
            "video/convert",
            &[
                "sn_1",
                "ab_100000",
                "acodec_aac",
                "fps_30",
                "vb_2000000",
                "s_1920x1080",
                "vcodec_h265",
                "f_avi",
            ],
        )
        .unwrap();
        let mut out = String::new();
        c.render_params(&mut out);
        assert_eq!(
            out,
            ",f_avi,vcodec_h265,s_1920x1080,vb_2000000,fps_30,acodec_aac,ab_100000,sn_1"
        );
        let err = VideoConvert::parse_params("video/convert", &["vcodec_h264"]).unwrap_err();
        assert_eq!(err.to_string(), "invalid video/convert.f: is required");
        let err = VideoConvert::parse_params("video/convert", &["f_mp4", "crf_23"]).unwrap_err();
        assert!(
            err.to_string().contains("has no parameter \"crf\""),
            "{err}"
        );
    }

    #[test]
    fn segments() {
        let c = VideoConcat::parse(&["f_mp4"], Some("pre,o_eA,ss_1,t_2/sur,o_eQ")).unwrap();
        assert_eq!(
            c.segments,
            [
                ConcatSegment::before("x").start(1).duration(2),
                ConcatSegment::after("y")
            ]
        );
        assert!(VideoConcat::parse(&["f_mp4"], Some("mid,o_eA")).is_err());
        assert!(VideoConcat::parse(&["f_mp4"], Some("pre,ss_1")).is_err());
        let none = VideoConcat::new(VideoConvert::new(Container::Mp4));
        assert!(none.validate().is_err());
        let mut many = none.clone();
        for _ in 0..11 {
            many = many.segment(ConcatSegment::after("x.mp4"));
        }
        assert!(many.validate().unwrap_err().to_string().contains("got 11"));
    }
}
