//! The video actions that make pictures from frames: `video/snapshot` (one
//! frame, synchronous, answered to GET), and the asynchronous tasks
//! `video/snapshots` (many frames), `video/sprite` (frames tiled into one
//! image) and `video/animation` (a GIF or WebP).
//!
//! From the OSS pages: `video/snapshot` takes `t_` (ms), `w_`/`h_` (0 is
//! automatic; both 0 is the video's size), `m_fast` (the keyframe before
//! `t`), `f_` jpg or png and `ar_` auto, h or w. `video/sprite` takes `ss_`,
//! `f_` jpg or png (the sprite at most 16384 x 16384 px), `m_` inter, key,
//! avg or dhash, `inter_` (ms), `num_`, `sw_`/`sh_` (each tile, 32 to 4096
//! px) and `tw_`/`th_`/`pad_`/`margin_` (tiles across and down, padding and
//! margin; names from the docs' samples). `video/snapshots` takes `ss_`,
//! `f_`, `w_`/`h_`, `scaletype_`, `inter_` and `num_` (its `m_` values were
//! not retrieved, so `m_` is not typed; `scaletype_` is checked only as a
//! word, the docs' sample writing `crop`). `video/animation` takes `f_` gif
//! or webp, `w_`/`h_` and `inter_` (its frame-rate parameter's name was not
//! retrieved: not typed). Sizes are checked against the output limit, 16,384
//! px a side (16,383 for WebP).

use std::ops::RangeInclusive;

use crate::error::Error;
use crate::process::check;
use crate::process::image::SnapshotFormat;
use crate::process::params::{int, param, params, required, unknown, wire_enum, word};
use crate::process::transcode::{POSITIVE, check_word, millis};

/// The output limit, px a side.
pub(crate) const OUTPUT_SIDE: u32 = 16384;
/// WebP's own limit, px a side.
pub(crate) const WEBP_SIDE: u32 = 16383;
/// `video/snapshot` `w_`/`h_`: 0 is automatic.
const SNAPSHOT_SIDE: RangeInclusive<u32> = 0..=OUTPUT_SIDE;
/// `w_`/`h_` of the tasks.
const SIDE: RangeInclusive<u32> = 1..=OUTPUT_SIDE;
/// `video/sprite` `sw_`/`sh_`.
const TILE_SIDE: RangeInclusive<u32> = 32..=4096;
/// `video/sprite` `pad_`/`margin_`, px.
const SPACING: RangeInclusive<u32> = 0..=OUTPUT_SIDE;

wire_enum! {
    /// How `video/snapshot` turns the picture by the video's rotation
    /// (`ar_`).
    ///
    /// ```
    /// use oss_process::process::AutoRotate;
    ///
    /// assert_eq!(AutoRotate::Auto.as_str(), "auto");
    /// ```
    AutoRotate ("video/snapshot.ar") {
        /// `auto`: as the video's rotation says.
        Auto => "auto",
        /// `h`: taller than wide.
        Tall => "h",
        /// `w`: wider than tall.
        Wide => "w",
    }
}

wire_enum! {
    /// How `video/sprite` picks its frames (`m_`).
    ///
    /// ```
    /// use oss_process::process::SpriteMode;
    ///
    /// assert_eq!(SpriteMode::Keyframes.as_str(), "key");
    /// ```
    SpriteMode ("video/sprite.m") {
        /// `inter` (the default): every `inter_` ms, `num_` frames.
        Interval => "inter",
        /// `key`: keyframes only, `num_` of them.
        Keyframes => "key",
        /// `avg`: `num_` frames evenly spread.
        Average => "avg",
        /// `dhash`: the frames that change most, every `inter_` ms.
        Dhash => "dhash",
    }
}

wire_enum! {
    /// The format of `video/animation` (`f_`).
    ///
    /// ```
    /// use oss_process::process::AnimationFormat;
    ///
    /// assert_eq!(AnimationFormat::Webp.as_str(), "webp");
    /// ```
    AnimationFormat ("video/animation.f") {
        /// `gif`.
        Gif => "gif",
        /// `webp`: smaller, at most 16383 px a side.
        Webp => "webp",
    }
}

/// `video/snapshot`: one frame of an H.264 or H.265 video as a JPG or PNG
/// image, synchronously; answered to GET (presign it, or fetch it with the
/// client's `get_processed`). The docs say it is not saved; billed per
/// snapshot.
///
/// ```
/// use oss_process::process::{AutoRotate, Process, SnapshotFormat, VideoSnapshot};
///
/// // The docs' example: the keyframe before 7 s, 800 x 600, JPG.
/// let shot = VideoSnapshot::new(7000, SnapshotFormat::Jpg).width(800).height(600).fast(true);
/// assert_eq!(Process::video().snapshot(shot).build()?.as_str(), "video/snapshot,t_7000,f_jpg,w_800,h_600,m_fast");
///
/// let shot = VideoSnapshot::new(0, SnapshotFormat::Png).auto_rotate(AutoRotate::Auto);
/// assert_eq!(Process::video().snapshot(shot).build()?.as_str(), "video/snapshot,t_0,f_png,ar_auto");
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VideoSnapshot {
    /// `t_`: the time, in ms (past the end gives the last frame).
    pub time: u32,
    /// `f_`: the image format.
    pub format: SnapshotFormat,
    /// `w_`: the width, 0 (automatic) to 16384 px.
    pub width: Option<u32>,
    /// `h_`: the height, 0 (automatic) to 16384 px.
    pub height: Option<u32>,
    /// `m_fast`: take the keyframe before `time` (faster, less exact).
    pub fast: bool,
    /// `ar_`: turn the picture by the video's rotation.
    pub auto_rotate: Option<AutoRotate>,
}

impl VideoSnapshot {
    /// The frame at `millis`, as `format`.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSnapshot};
    ///
    /// assert_eq!(VideoSnapshot::new(1000, SnapshotFormat::Jpg).time, 1000);
    /// ```
    #[must_use]
    pub fn new(millis: u32, format: SnapshotFormat) -> Self {
        VideoSnapshot {
            time: millis,
            format,
            width: None,
            height: None,
            fast: false,
            auto_rotate: None,
        }
    }

    /// Sets the width (`w_`), 0 (automatic) to 16384 px.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSnapshot};
    ///
    /// assert_eq!(VideoSnapshot::new(0, SnapshotFormat::Jpg).width(800).width, Some(800));
    /// ```
    #[must_use]
    pub fn width(mut self, width: u32) -> Self {
        self.width = Some(width);
        self
    }

    /// Sets the height (`h_`), 0 (automatic) to 16384 px.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSnapshot};
    ///
    /// assert_eq!(VideoSnapshot::new(0, SnapshotFormat::Jpg).height(600).height, Some(600));
    /// ```
    #[must_use]
    pub fn height(mut self, height: u32) -> Self {
        self.height = Some(height);
        self
    }

    /// Sets whether to take the keyframe before the time (`m_fast`).
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSnapshot};
    ///
    /// assert!(VideoSnapshot::new(0, SnapshotFormat::Jpg).fast(true).fast);
    /// ```
    #[must_use]
    pub fn fast(mut self, fast: bool) -> Self {
        self.fast = fast;
        self
    }

    /// Sets how to turn the picture (`ar_`).
    ///
    /// ```
    /// use oss_process::process::{AutoRotate, SnapshotFormat, VideoSnapshot};
    ///
    /// let s = VideoSnapshot::new(0, SnapshotFormat::Jpg).auto_rotate(AutoRotate::Wide);
    /// assert_eq!(s.auto_rotate, Some(AutoRotate::Wide));
    /// ```
    #[must_use]
    pub fn auto_rotate(mut self, auto_rotate: AutoRotate) -> Self {
        self.auto_rotate = Some(auto_rotate);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        check::opt_range("video/snapshot.w", self.width, &SNAPSHOT_SIDE)?;
        check::opt_range("video/snapshot.h", self.height, &SNAPSHOT_SIDE)
    }

    pub(crate) fn render_params(&self, out: &mut String) {
        param(out, "t", Some(self.time));
        param(out, "f", Some(self.format));
        param(out, "w", self.width);
        param(out, "h", self.height);
        param(out, "m", self.fast.then_some("fast"));
        param(out, "ar", self.auto_rotate);
    }

    pub(crate) fn parse(args: &[&str]) -> Result<VideoSnapshot, Error> {
        const A: &str = "video/snapshot";
        let (mut time, mut format) = (None, None);
        let mut s = VideoSnapshot::new(0, SnapshotFormat::Jpg);
        for (name, value) in params(A, args)? {
            let full = format!("{A}.{name}");
            match name {
                "t" => time = Some(millis(&full, value)?),
                "f" => format = Some(word(&full, value)?),
                "w" => s.width = Some(int(&full, value, &SNAPSHOT_SIDE)?),
                "h" => s.height = Some(int(&full, value, &SNAPSHOT_SIDE)?),
                "m" if value == "fast" => s.fast = true,
                "m" => {
                    return Err(Error::invalid(
                        full,
                        format!("must be fast (or left out for the exact frame), got {value:?}"),
                    ));
                }
                "ar" => s.auto_rotate = Some(word(&full, value)?),
                _ => return Err(unknown(A, name, "t, f, w, h, m, ar")),
            }
        }
        s.time = required(&format!("{A}.t"), time)?;
        s.format = required(&format!("{A}.f"), format)?;
        Ok(s)
    }
}

/// `video/snapshots`: frames every `inter_` ms (or `num_` of them) as
/// separate images, an asynchronous task saved with `sys/saveas`
/// (required). Without a suffix in the target key the service numbers the
/// frames (`_0_1.jpg`, ...); with one it keeps only the last frame.
///
/// ```
/// use oss_process::process::{Process, SaveAs, SnapshotFormat, VideoSnapshots};
///
/// // The docs' sample.
/// let frames = VideoSnapshots::new(SnapshotFormat::Jpg)
///     .width(100)
///     .height(100)
///     .scale_type("crop")
///     .interval(10_000);
/// let p = Process::video().snapshots(frames).save_as(SaveAs::new("frames/dest")).build()?;
/// assert_eq!(
///     p.as_str(),
///     "video/snapshots,f_jpg,w_100,h_100,scaletype_crop,inter_10000|sys/saveas,o_ZnJhbWVzL2Rlc3Q"
/// );
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VideoSnapshots {
    /// `ss_`: where to start, in ms.
    pub start: Option<u32>,
    /// `f_`: the image format.
    pub format: SnapshotFormat,
    /// `w_`: each image's width, 1 to 16384 px.
    pub width: Option<u32>,
    /// `h_`: each image's height, 1 to 16384 px.
    pub height: Option<u32>,
    /// `scaletype_`: how a frame fits `w` x `h` (e.g. `crop`).
    pub scale_type: Option<String>,
    /// `inter_`: the time between frames, in ms.
    pub interval: Option<u32>,
    /// `num_`: how many frames.
    pub count: Option<u32>,
}

impl VideoSnapshots {
    /// Frames as `format`, the service choosing the rest.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSnapshots};
    ///
    /// assert_eq!(VideoSnapshots::new(SnapshotFormat::Png).format, SnapshotFormat::Png);
    /// ```
    #[must_use]
    pub fn new(format: SnapshotFormat) -> Self {
        VideoSnapshots {
            start: None,
            format,
            width: None,
            height: None,
            scale_type: None,
            interval: None,
            count: None,
        }
    }

    /// Sets where to start (`ss_`), in ms.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSnapshots};
    ///
    /// assert_eq!(VideoSnapshots::new(SnapshotFormat::Png).start(5).start, Some(5));
    /// ```
    #[must_use]
    pub fn start(mut self, millis: u32) -> Self {
        self.start = Some(millis);
        self
    }

    /// Sets each image's width (`w_`), 1 to 16384 px.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSnapshots};
    ///
    /// assert_eq!(VideoSnapshots::new(SnapshotFormat::Png).width(320).width, Some(320));
    /// ```
    #[must_use]
    pub fn width(mut self, width: u32) -> Self {
        self.width = Some(width);
        self
    }

    /// Sets each image's height (`h_`), 1 to 16384 px.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSnapshots};
    ///
    /// assert_eq!(VideoSnapshots::new(SnapshotFormat::Png).height(240).height, Some(240));
    /// ```
    #[must_use]
    pub fn height(mut self, height: u32) -> Self {
        self.height = Some(height);
        self
    }

    /// Sets how a frame fits the size (`scaletype_`), a lower-case word
    /// such as `crop`.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSnapshots};
    ///
    /// let s = VideoSnapshots::new(SnapshotFormat::Png).scale_type("crop");
    /// assert_eq!(s.scale_type.as_deref(), Some("crop"));
    /// ```
    #[must_use]
    pub fn scale_type(mut self, scale_type: impl Into<String>) -> Self {
        self.scale_type = Some(scale_type.into());
        self
    }

    /// Sets the time between frames (`inter_`), in ms.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSnapshots};
    ///
    /// assert_eq!(VideoSnapshots::new(SnapshotFormat::Png).interval(1000).interval, Some(1000));
    /// ```
    #[must_use]
    pub fn interval(mut self, millis: u32) -> Self {
        self.interval = Some(millis);
        self
    }

    /// Sets how many frames (`num_`), at least 1.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSnapshots};
    ///
    /// assert_eq!(VideoSnapshots::new(SnapshotFormat::Png).count(10).count, Some(10));
    /// ```
    #[must_use]
    pub fn count(mut self, count: u32) -> Self {
        self.count = Some(count);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        const A: &str = "video/snapshots";
        check::opt_range(&format!("{A}.w"), self.width, &SIDE)?;
        check::opt_range(&format!("{A}.h"), self.height, &SIDE)?;
        check::opt_range(&format!("{A}.num"), self.count, &POSITIVE)?;
        match &self.scale_type {
            Some(word) => check_word(&format!("{A}.scaletype"), word),
            None => Ok(()),
        }
    }

    pub(crate) fn render_params(&self, out: &mut String) {
        param(out, "ss", self.start);
        param(out, "f", Some(self.format));
        param(out, "w", self.width);
        param(out, "h", self.height);
        param(out, "scaletype", self.scale_type.as_deref());
        param(out, "inter", self.interval);
        param(out, "num", self.count);
    }

    pub(crate) fn parse(args: &[&str]) -> Result<VideoSnapshots, Error> {
        const A: &str = "video/snapshots";
        let mut format = None;
        let mut s = VideoSnapshots::new(SnapshotFormat::Jpg);
        for (name, value) in params(A, args)? {
            let full = format!("{A}.{name}");
            match name {
                "ss" => s.start = Some(millis(&full, value)?),
                "f" => format = Some(word(&full, value)?),
                "w" => s.width = Some(int(&full, value, &SIDE)?),
                "h" => s.height = Some(int(&full, value, &SIDE)?),
                "scaletype" => s.scale_type = Some(value.to_owned()),
                "inter" => s.interval = Some(millis(&full, value)?),
                "num" => s.count = Some(int(&full, value, &POSITIVE)?),
                _ => return Err(unknown(A, name, "ss, f, w, h, scaletype, inter, num")),
            }
        }
        s.format = required(&format!("{A}.f"), format)?;
        Ok(s)
    }
}

/// `video/sprite`: frames tiled into one JPG or PNG image, an asynchronous
/// task saved with `sys/saveas` (required). The sprite is at most 16384 x
/// 16384 px, so `sw_` x `tw_` and `sh_` x `th_` are checked against it when
/// both are set (padding and margin come on top; the service has the last
/// word).
///
/// ```
/// use oss_process::process::{Process, SaveAs, SnapshotFormat, SpriteMode, VideoSprite};
///
/// // The docs' sample: 10 x 10 tiles of 100 x 100 px, a frame every 10 s.
/// let sprite = VideoSprite::new(SnapshotFormat::Jpg)
///     .tile_size(100, 100)
///     .interval(10_000)
///     .tiles(10, 10)
///     .padding(0)
///     .margin(0);
/// let p = Process::video().sprite(sprite).save_as(SaveAs::new("example.jpg")).build()?;
/// assert_eq!(
///     p.as_str(),
///     "video/sprite,f_jpg,sw_100,sh_100,inter_10000,tw_10,th_10,pad_0,margin_0|sys/saveas,o_ZXhhbXBsZS5qcGc"
/// );
/// let too_wide = VideoSprite::new(SnapshotFormat::Png).tile_size(4096, 32).tiles(5, 1);
/// let err = Process::video().sprite(too_wide).save_as(SaveAs::new("s.png")).build().unwrap_err();
/// assert!(err.to_string().contains("16384"), "{err}");
/// assert_eq!(VideoSprite::new(SnapshotFormat::Png).mode(SpriteMode::Keyframes).mode, Some(SpriteMode::Keyframes));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VideoSprite {
    /// `ss_`: where to start, in ms.
    pub start: Option<u32>,
    /// `f_`: the sprite's format.
    pub format: SnapshotFormat,
    /// `m_`: how frames are picked.
    pub mode: Option<SpriteMode>,
    /// `sw_`: each tile's width, 32 to 4096 px.
    pub tile_width: Option<u32>,
    /// `sh_`: each tile's height, 32 to 4096 px.
    pub tile_height: Option<u32>,
    /// `inter_`: the time between frames, in ms.
    pub interval: Option<u32>,
    /// `num_`: how many frames.
    pub count: Option<u32>,
    /// `tw_`: tiles across.
    pub columns: Option<u32>,
    /// `th_`: tiles down.
    pub rows: Option<u32>,
    /// `pad_`: space between tiles, px.
    pub padding: Option<u32>,
    /// `margin_`: space around the tiles, px.
    pub margin: Option<u32>,
}

impl VideoSprite {
    /// A sprite as `format`, the service choosing the rest.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSprite};
    ///
    /// assert_eq!(VideoSprite::new(SnapshotFormat::Png).format, SnapshotFormat::Png);
    /// ```
    #[must_use]
    pub fn new(format: SnapshotFormat) -> Self {
        VideoSprite {
            start: None,
            format,
            mode: None,
            tile_width: None,
            tile_height: None,
            interval: None,
            count: None,
            columns: None,
            rows: None,
            padding: None,
            margin: None,
        }
    }

    /// Sets where to start (`ss_`), in ms.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSprite};
    ///
    /// assert_eq!(VideoSprite::new(SnapshotFormat::Png).start(10).start, Some(10));
    /// ```
    #[must_use]
    pub fn start(mut self, millis: u32) -> Self {
        self.start = Some(millis);
        self
    }

    /// Sets how frames are picked (`m_`).
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, SpriteMode, VideoSprite};
    ///
    /// assert_eq!(VideoSprite::new(SnapshotFormat::Png).mode(SpriteMode::Average).mode, Some(SpriteMode::Average));
    /// ```
    #[must_use]
    pub fn mode(mut self, mode: SpriteMode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Sets each tile's size (`sw_`, `sh_`), 32 to 4096 px a side.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSprite};
    ///
    /// let s = VideoSprite::new(SnapshotFormat::Png).tile_size(160, 90);
    /// assert_eq!((s.tile_width, s.tile_height), (Some(160), Some(90)));
    /// ```
    #[must_use]
    pub fn tile_size(mut self, width: u32, height: u32) -> Self {
        self.tile_width = Some(width);
        self.tile_height = Some(height);
        self
    }

    /// Sets the time between frames (`inter_`), in ms.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSprite};
    ///
    /// assert_eq!(VideoSprite::new(SnapshotFormat::Png).interval(500).interval, Some(500));
    /// ```
    #[must_use]
    pub fn interval(mut self, millis: u32) -> Self {
        self.interval = Some(millis);
        self
    }

    /// Sets how many frames (`num_`), at least 1.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSprite};
    ///
    /// assert_eq!(VideoSprite::new(SnapshotFormat::Png).count(20).count, Some(20));
    /// ```
    #[must_use]
    pub fn count(mut self, count: u32) -> Self {
        self.count = Some(count);
        self
    }

    /// Sets the grid (`tw_` tiles across, `th_` down), at least 1 each.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSprite};
    ///
    /// let s = VideoSprite::new(SnapshotFormat::Png).tiles(4, 3);
    /// assert_eq!((s.columns, s.rows), (Some(4), Some(3)));
    /// ```
    #[must_use]
    pub fn tiles(mut self, columns: u32, rows: u32) -> Self {
        self.columns = Some(columns);
        self.rows = Some(rows);
        self
    }

    /// Sets the space between tiles (`pad_`), px.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSprite};
    ///
    /// assert_eq!(VideoSprite::new(SnapshotFormat::Png).padding(2).padding, Some(2));
    /// ```
    #[must_use]
    pub fn padding(mut self, px: u32) -> Self {
        self.padding = Some(px);
        self
    }

    /// Sets the space around the tiles (`margin_`), px.
    ///
    /// ```
    /// use oss_process::process::{SnapshotFormat, VideoSprite};
    ///
    /// assert_eq!(VideoSprite::new(SnapshotFormat::Png).margin(4).margin, Some(4));
    /// ```
    #[must_use]
    pub fn margin(mut self, px: u32) -> Self {
        self.margin = Some(px);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        const A: &str = "video/sprite";
        check::opt_range(&format!("{A}.sw"), self.tile_width, &TILE_SIDE)?;
        check::opt_range(&format!("{A}.sh"), self.tile_height, &TILE_SIDE)?;
        check::opt_range(&format!("{A}.num"), self.count, &POSITIVE)?;
        check::opt_range(&format!("{A}.tw"), self.columns, &POSITIVE)?;
        check::opt_range(&format!("{A}.th"), self.rows, &POSITIVE)?;
        check::opt_range(&format!("{A}.pad"), self.padding, &SPACING)?;
        check::opt_range(&format!("{A}.margin"), self.margin, &SPACING)?;
        for (side, tile, count) in [
            ("width (sw x tw)", self.tile_width, self.columns),
            ("height (sh x th)", self.tile_height, self.rows),
        ] {
            if let (Some(tile), Some(count)) = (tile, count) {
                let total = u64::from(tile) * u64::from(count);
                if total > u64::from(OUTPUT_SIDE) {
                    return Err(Error::invalid(
                        A,
                        format!(
                            "the sprite's {side} is {total} px; the output limit is {OUTPUT_SIDE}"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn render_params(&self, out: &mut String) {
        param(out, "ss", self.start);
        param(out, "f", Some(self.format));
        param(out, "m", self.mode);
        param(out, "sw", self.tile_width);
        param(out, "sh", self.tile_height);
        param(out, "inter", self.interval);
        param(out, "num", self.count);
        param(out, "tw", self.columns);
        param(out, "th", self.rows);
        param(out, "pad", self.padding);
        param(out, "margin", self.margin);
    }

    pub(crate) fn parse(args: &[&str]) -> Result<VideoSprite, Error> {
        const A: &str = "video/sprite";
        let mut format = None;
        let mut s = VideoSprite::new(SnapshotFormat::Jpg);
        for (name, value) in params(A, args)? {
            let full = format!("{A}.{name}");
            match name {
                "ss" => s.start = Some(millis(&full, value)?),
                "f" => format = Some(word(&full, value)?),
                "m" => s.mode = Some(word(&full, value)?),
                "sw" => s.tile_width = Some(int(&full, value, &TILE_SIDE)?),
                "sh" => s.tile_height = Some(int(&full, value, &TILE_SIDE)?),
                "inter" => s.interval = Some(millis(&full, value)?),
                "num" => s.count = Some(int(&full, value, &POSITIVE)?),
                "tw" => s.columns = Some(int(&full, value, &POSITIVE)?),
                "th" => s.rows = Some(int(&full, value, &POSITIVE)?),
                "pad" => s.padding = Some(int(&full, value, &SPACING)?),
                "margin" => s.margin = Some(int(&full, value, &SPACING)?),
                _ => {
                    return Err(unknown(
                        A,
                        name,
                        "ss, f, m, sw, sh, inter, num, tw, th, pad, margin",
                    ));
                }
            }
        }
        s.format = required(&format!("{A}.f"), format)?;
        Ok(s)
    }
}

/// `video/animation`: part of a video as an animated GIF or WebP, an
/// asynchronous task saved with `sys/saveas` (required). Sides are 1 to
/// 16384 px (16383 for WebP).
///
/// ```
/// use oss_process::process::{AnimationFormat, Process, SaveAs, VideoAnimation};
///
/// // The docs' sample.
/// let gif = VideoAnimation::new(AnimationFormat::Gif).width(100).height(100).interval(1000);
/// let p = Process::video().animation(gif).save_as(SaveAs::new("destexample.gif")).build()?;
/// assert_eq!(p.as_str(), "video/animation,f_gif,w_100,h_100,inter_1000|sys/saveas,o_ZGVzdGV4YW1wbGUuZ2lm");
///
/// let webp = VideoAnimation::new(AnimationFormat::Webp).width(16384);
/// let err = Process::video().animation(webp).save_as(SaveAs::new("a.webp")).build().unwrap_err();
/// assert_eq!(err.to_string(), "invalid video/animation.w: must be 1..=16383, got 16384");
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VideoAnimation {
    /// `f_`: GIF or WebP.
    pub format: AnimationFormat,
    /// `w_`: the width, px.
    pub width: Option<u32>,
    /// `h_`: the height, px.
    pub height: Option<u32>,
    /// `inter_`: the time between frames, in ms.
    pub interval: Option<u32>,
}

impl VideoAnimation {
    /// An animation as `format`, the service choosing the rest.
    ///
    /// ```
    /// use oss_process::process::{AnimationFormat, VideoAnimation};
    ///
    /// assert_eq!(VideoAnimation::new(AnimationFormat::Gif).format, AnimationFormat::Gif);
    /// ```
    #[must_use]
    pub fn new(format: AnimationFormat) -> Self {
        VideoAnimation {
            format,
            width: None,
            height: None,
            interval: None,
        }
    }

    /// Sets the width (`w_`).
    ///
    /// ```
    /// use oss_process::process::{AnimationFormat, VideoAnimation};
    ///
    /// assert_eq!(VideoAnimation::new(AnimationFormat::Gif).width(320).width, Some(320));
    /// ```
    #[must_use]
    pub fn width(mut self, width: u32) -> Self {
        self.width = Some(width);
        self
    }

    /// Sets the height (`h_`).
    ///
    /// ```
    /// use oss_process::process::{AnimationFormat, VideoAnimation};
    ///
    /// assert_eq!(VideoAnimation::new(AnimationFormat::Gif).height(240).height, Some(240));
    /// ```
    #[must_use]
    pub fn height(mut self, height: u32) -> Self {
        self.height = Some(height);
        self
    }

    /// Sets the time between frames (`inter_`), in ms.
    ///
    /// ```
    /// use oss_process::process::{AnimationFormat, VideoAnimation};
    ///
    /// assert_eq!(VideoAnimation::new(AnimationFormat::Gif).interval(100).interval, Some(100));
    /// ```
    #[must_use]
    pub fn interval(mut self, millis: u32) -> Self {
        self.interval = Some(millis);
        self
    }

    fn sides(&self) -> RangeInclusive<u32> {
        match self.format {
            AnimationFormat::Webp => 1..=WEBP_SIDE,
            AnimationFormat::Gif => SIDE,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        check::opt_range("video/animation.w", self.width, &self.sides())?;
        check::opt_range("video/animation.h", self.height, &self.sides())
    }

    pub(crate) fn render_params(&self, out: &mut String) {
        param(out, "f", Some(self.format));
        param(out, "w", self.width);
        param(out, "h", self.height);
        param(out, "inter", self.interval);
    }

    pub(crate) fn parse(args: &[&str]) -> Result<VideoAnimation, Error> {
        const A: &str = "video/animation";
        let mut format = None;
        let mut a = VideoAnimation::new(AnimationFormat::Gif);
        for (name, value) in params(A, args)? {
            let full = format!("{A}.{name}");
            match name {
                "f" => format = Some(word(&full, value)?),
                "w" => a.width = Some(int(&full, value, &SIDE)?),
                "h" => a.height = Some(int(&full, value, &SIDE)?),
                "inter" => a.interval = Some(millis(&full, value)?),
                _ => return Err(unknown(A, name, "f, w, h, inter")),
            }
        }
        a.format = required(&format!("{A}.f"), format)?;
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_needs_time_and_format() {
        let err = VideoSnapshot::parse(&["f_jpg"]).unwrap_err().to_string();
        assert_eq!(err, "invalid video/snapshot.t: is required");
        let err = VideoSnapshot::parse(&["t_1"]).unwrap_err().to_string();
        assert_eq!(err, "invalid video/snapshot.f: is required");
        assert!(VideoSnapshot::parse(&["t_1", "f_gif"]).is_err());
        assert!(VideoSnapshot::parse(&["t_1", "f_jpg", "m_slow"]).is_err());
        assert!(VideoSnapshot::parse(&["t_1", "f_jpg", "w_16385"]).is_err());
        let s = VideoSnapshot::parse(&["ar_h", "m_fast", "f_png", "t_5", "w_0"]).unwrap();
        assert!(s.fast && s.auto_rotate == Some(AutoRotate::Tall) && s.width == Some(0));
    }

    #[test]
    fn webp_animations_stop_at_16383() {
        assert!(
            VideoAnimation::new(AnimationFormat::Webp)
                .height(16383)
                .validate()
                .is_ok()
        );
        assert!(
            VideoAnimation::new(AnimationFormat::Webp)
                .height(16384)
                .validate()
                .is_err()
        );
        assert!(
            VideoAnimation::new(AnimationFormat::Gif)
                .height(16384)
                .validate()
                .is_ok()
        );
        assert!(
            VideoAnimation::new(AnimationFormat::Gif)
                .height(16385)
                .validate()
                .is_err()
        );
    }

    #[test]
    fn sprite_limits() {
        let ok = VideoSprite::new(SnapshotFormat::Jpg)
            .tile_size(4096, 4096)
            .tiles(4, 4);
        assert!(ok.validate().is_ok());
        let tall = VideoSprite::new(SnapshotFormat::Jpg)
            .tile_size(32, 4096)
            .tiles(100, 5);
        let err = tall.validate().unwrap_err().to_string();
        assert!(err.contains("height (sh x th) is 20480 px"), "{err}");
        assert!(VideoSprite::parse(&["f_png", "sw_31"]).is_err());
        assert!(VideoSprite::parse(&["f_png", "m_fast"]).is_err());
        assert!(VideoSprite::parse(&["sw_32"]).is_err());
    }

    #[test]
    fn snapshots_scale_type_is_a_word() {
        let bad = VideoSnapshots::new(SnapshotFormat::Jpg).scale_type("Crop");
        assert!(bad.validate().is_err());
        assert!(VideoSnapshots::parse(&["f_jpg", "num_0"]).is_err());
    }
}
