//! Video actions (`video/...`): `video/snapshot` and `video/info`,
//! synchronous and answered to GET, and the asynchronous tasks
//! `video/convert`, `video/concat`, `video/snapshots`, `video/sprite` and
//! `video/animation`, which save their result with `sys/saveas`. The
//! picture-making actions are in [`frames`], the transcoding ones in
//! [`convert`]; `video/info` takes no parameters and lives here.

mod convert;
mod frames;

use super::params::{display_by_render, no_params, split_action, split_chain};
use super::pipeline::{Method, Mode, SaveAsRule};
use crate::error::Error;

pub use convert::{ConcatPosition, ConcatSegment, VideoCodec, VideoConcat, VideoConvert};
pub use frames::{
    AnimationFormat, AutoRotate, SpriteMode, VideoAnimation, VideoSnapshot, VideoSnapshots,
    VideoSprite,
};

/// A video action, with its parameters: what
/// [`Pipeline::Video`](super::Pipeline::Video) holds.
///
/// ```
/// use oss_process::process::{Mode, Pipeline, Process, SaveAsRule, VideoAction};
///
/// let p = Process::parse("video/info")?;
/// assert_eq!(p.pipeline(), &Pipeline::Video(VideoAction::Info));
/// assert_eq!((VideoAction::Info.mode(), VideoAction::Info.save_as_rule()), (Mode::Sync, SaveAsRule::Never));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VideoAction {
    /// `video/snapshot`: one frame as an image (sync, GET).
    Snapshot(VideoSnapshot),
    /// `video/info`: the video's metadata as JSON (sync, GET).
    Info,
    /// `video/convert`: transcode (async, saved).
    Convert(VideoConvert),
    /// `video/concat`: join videos and transcode (async, saved).
    Concat(VideoConcat),
    /// `video/snapshots`: many frames as images (async, saved).
    Snapshots(VideoSnapshots),
    /// `video/sprite`: frames tiled into one image (async, saved).
    Sprite(VideoSprite),
    /// `video/animation`: an animated GIF or WebP (async, saved).
    Animation(VideoAnimation),
}

impl VideoAction {
    /// The action's name, e.g. `sprite` for `video/sprite`.
    ///
    /// ```
    /// use oss_process::process::VideoAction;
    ///
    /// assert_eq!(VideoAction::Info.name(), "info");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            VideoAction::Snapshot(_) => "snapshot",
            VideoAction::Info => "info",
            VideoAction::Convert(_) => "convert",
            VideoAction::Concat(_) => "concat",
            VideoAction::Snapshots(_) => "snapshots",
            VideoAction::Sprite(_) => "sprite",
            VideoAction::Animation(_) => "animation",
        }
    }

    /// Whether the service runs it synchronously (`x-oss-process`) or as a
    /// task (`x-oss-async-process`).
    ///
    /// ```
    /// use oss_process::process::{AnimationFormat, Mode, VideoAction, VideoAnimation};
    ///
    /// let gif = VideoAction::Animation(VideoAnimation::new(AnimationFormat::Gif));
    /// assert_eq!(gif.mode(), Mode::Async);
    /// ```
    pub fn mode(&self) -> Mode {
        match self {
            VideoAction::Snapshot(_) | VideoAction::Info => Mode::Sync,
            _ => Mode::Async,
        }
    }

    /// Which HTTP method the service answers it to: the snapshot and info
    /// to GET (the pages show GET only), the tasks to POST.
    ///
    /// ```
    /// use oss_process::process::{Method, VideoAction};
    ///
    /// assert_eq!(VideoAction::Info.method(), Method::Get);
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
    /// use oss_process::process::{Container, SaveAsRule, VideoAction, VideoConvert};
    ///
    /// let convert = VideoAction::Convert(VideoConvert::new(Container::Mp4));
    /// assert_eq!(convert.save_as_rule(), SaveAsRule::Required);
    /// ```
    pub fn save_as_rule(&self) -> SaveAsRule {
        SaveAsRule::of_single_action(self.mode())
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self {
            VideoAction::Snapshot(a) => a.validate(),
            VideoAction::Info => Ok(()),
            VideoAction::Convert(a) => a.validate("video/convert"),
            VideoAction::Concat(a) => a.validate(),
            VideoAction::Snapshots(a) => a.validate(),
            VideoAction::Sprite(a) => a.validate(),
            VideoAction::Animation(a) => a.validate(),
        }
    }

    /// Appends the action, `video/` included.
    pub(crate) fn render(&self, out: &mut String) {
        out.push_str("video/");
        out.push_str(self.name());
        match self {
            VideoAction::Snapshot(a) => a.render_params(out),
            VideoAction::Info => {}
            VideoAction::Convert(a) => a.render_params(out),
            VideoAction::Concat(a) => a.render_params(out),
            VideoAction::Snapshots(a) => a.render_params(out),
            VideoAction::Sprite(a) => a.render_params(out),
            VideoAction::Animation(a) => a.render_params(out),
        }
    }

    /// Reads the text after `video/`; `Ok(None)` when the action is not one
    /// this crate types.
    pub(crate) fn parse(text: &str) -> Result<Option<VideoAction>, Error> {
        let (head, segments) = split_chain(text);
        let (name, args) = split_action(head);
        let action = match name {
            "snapshot" => VideoAction::Snapshot(VideoSnapshot::parse(&args)?),
            "info" => no_params("video/info", &args).map(|()| VideoAction::Info)?,
            "convert" => VideoAction::Convert(VideoConvert::parse_params("video/convert", &args)?),
            "concat" => VideoAction::Concat(VideoConcat::parse(&args, segments)?),
            "snapshots" => VideoAction::Snapshots(VideoSnapshots::parse(&args)?),
            "sprite" => VideoAction::Sprite(VideoSprite::parse(&args)?),
            "animation" => VideoAction::Animation(VideoAnimation::parse(&args)?),
            _ => return Ok(None),
        };
        if segments.is_some() && !matches!(action, VideoAction::Concat(_)) {
            return Err(Error::invalid(
                format!("video/{name}"),
                "takes no chained action (only video/concat takes /pre and /sur)",
            ));
        }
        action.validate()?;
        Ok(Some(action))
    }
}

display_by_render!(VideoAction);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_back_to_what_renders() {
        for text in [
            "snapshot,t_7000,f_jpg,w_800,h_600,m_fast",
            "snapshot,t_0,f_png,w_0,h_0,ar_w",
            "info",
            "convert,f_mp4",
            "convert,ss_1,t_2,f_mkv,vn_0,vcodec_h264,s_64x4096,vb_10000,fps_240,an_0,acodec_aac,ab_1,ar_44100,ac_2,sn_0",
            "concat,f_mp4/pre,o_eA/sur,o_eQ,ss_0,t_0",
            "snapshots,ss_1,f_png,w_1,h_16384,scaletype_fit,inter_1000,num_10",
            "sprite,ss_0,f_png,m_dhash,sw_32,sh_4096,inter_1,num_1,tw_4,th_4,pad_0,margin_16384",
            "animation,f_webp,w_16383,h_1,inter_0",
        ] {
            let action = VideoAction::parse(text)
                .unwrap_or_else(|e| panic!("{text}: {e}"))
                .unwrap_or_else(|| panic!("{text}: not typed"));
            assert_eq!(action.to_string(), format!("video/{text}"));
        }
        assert_eq!(VideoAction::parse("hls,x_1").unwrap(), None);
    }

    #[test]
    fn only_concat_takes_segments() {
        let err = VideoAction::parse("convert,f_mp4/pre,o_eA")
            .unwrap_err()
            .to_string();
        assert!(err.contains("takes no chained action"), "{err}");
        assert!(VideoAction::parse("info,x_1").is_err());
    }
}
