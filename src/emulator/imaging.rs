//! Image processing for `x-oss-process`, on top of the typed process model
//! ([`crate::process::Process`]) and the `image` crate: every typed image
//! action, on real pixels. Here: resize in every mode (`lfit`, `mfit`,
//! `fill`, `pad`, `fixed`; `w`, `h`, `l`, `s`, `p`, `limit`, `color`), crop
//! (`x`, `y`, `w`, `h`, `g`), rotate, auto-orient, format (jpg, png, webp,
//! gif, bmp), quality (`q`, `Q`), interlace (progressive JPG) and the JSON
//! answers of `info` and `average-hue`, with the source and output limits
//! of the OSS image docs. Elsewhere: `indexcrop`, `circle` and
//! `rounded-corners` ([`super::shapes`]); `blur`, `bright`, `contrast` and
//! `sharpen` ([`super::effects`]); `watermark`, text and image
//! ([`super::overlay`]); `blindwatermark` ([`super::blind`]).
//!
//! Where a documented parameter cannot be honoured, the request is refused
//! with `InvalidArgument` naming it, never passed over: `format` to tiff,
//! heic or avif; `quality` on WebP output (the `image` crate writes
//! lossless WebP only); a watermark text character outside the embedded
//! Latin font. Known differences from the service: every watermark font is
//! drawn with one embedded font; a GIF keeps its first frame only; the
//! relative quality `q` is applied as if the source were at 100 % (the
//! service reads the source's own quality); `interlace` and
//! `blindwatermark`'s `q_` act on JPG output only, as the docs say.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{
    DynamicImage, GenericImageView, ImageDecoder, ImageFormat, ImageReader, Rgba, RgbaImage,
};

use crate::process::{
    Crop, Format, Gravity, ImageAction, Pipeline, Process, Resize, ResizeMode, SaveAs,
};

use super::errors::OssError;
use super::overlay::{self, Objects};
use super::{blind, effects, shapes};

/// The largest source OSS processes: 20 MB.
pub(crate) const MAX_SOURCE_BYTES: u64 = 20 * 1024 * 1024;
/// The widest or tallest source: 30,000 px.
const MAX_SOURCE_SIDE: u32 = 30_000;
/// The most source pixels: 250 million.
const MAX_SOURCE_PIXELS: u64 = 250_000_000;
/// The widest or tallest output: 16,384 px.
const MAX_OUTPUT_SIDE: u32 = 16_384;
/// The most output pixels: 16,777,216.
const MAX_OUTPUT_PIXELS: u64 = 16_777_216;
/// `rotate` takes sources up to 4,096 px a side.
const MAX_ROTATE_SIDE: u32 = 4_096;
/// JPEG quality when the process sets none.
const DEFAULT_JPEG_QUALITY: u8 = 90;
/// The EC OSS gives image-parameter errors.
const IMG_EC: &str = "0040-00000311";

/// An image-parameter error: 400 `InvalidArgument`.
pub(crate) fn image_error(message: impl Into<String>) -> OssError {
    OssError::new(400, "InvalidArgument", IMG_EC, message)
}

/// A processed image.
#[derive(Debug)]
pub(crate) struct Output {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

/// A parsed, checked process string, ready to run on sources.
#[derive(Debug)]
pub(crate) struct Plan {
    process: Process,
}

impl Plan {
    /// Parses `text` with the crate's process parser and checks that every
    /// action is one this emulator performs.
    pub fn parse(text: &str) -> Result<Plan, OssError> {
        let process = Process::parse(text)
            .map_err(|e| image_error(format!("The process is invalid: {e}")))?;
        match process.pipeline() {
            Pipeline::Image(actions) => {
                let last = actions.len().saturating_sub(1);
                if let Some(i) = actions.iter().position(is_metadata) {
                    if i != last {
                        return Err(image_error(format!(
                            "{} answers JSON, so it must be the last action.",
                            actions[i].name()
                        )));
                    }
                    if process.save_as().is_some() {
                        return Err(image_error(format!(
                            "{} answers JSON and cannot be saved with sys/saveas.",
                            actions[i].name()
                        )));
                    }
                }
            }
            Pipeline::Style(name) => {
                return Err(image_error(format!(
                    "Styles (style/{name}) are not supported by this emulator: write the image actions instead."
                )));
            }
            _ => {
                return Err(image_error(format!(
                    "Only image/... processing is supported by this emulator, not {text:?}."
                )));
            }
        }
        Ok(Plan { process })
    }

    /// The `sys/saveas` target, decoded.
    pub fn save_as(&self) -> Option<&SaveAs> {
        self.process.save_as()
    }

    /// Runs the actions on `source` (an encoded image); `objects` reads
    /// other objects of its bucket (watermark images).
    pub fn apply(&self, source: &[u8], objects: Objects<'_>) -> Result<Output, OssError> {
        let decoded = decode(source)?;
        let mut img = decoded.image;
        let mut orientation = decoded.orientation;
        let mut format = decoded.format;
        let source_is_gif = decoded.format == OutputFormat::Gif;
        let mut quality = None;
        let mut interlace = false;
        for action in self.process.image_actions() {
            match action {
                ImageAction::Resize(r) => img = resize(img, r)?,
                ImageAction::Crop(c) => img = crop(img, c)?,
                ImageAction::IndexCrop(slice) => img = shapes::index_crop(img, slice),
                ImageAction::Rotate(degrees) => img = rotate(img, *degrees)?,
                ImageAction::Circle(r) => img = shapes::circle(&img, *r),
                ImageAction::RoundedCorners(r) => img = shapes::rounded_corners(&img, *r),
                ImageAction::AutoOrient(true) => {
                    img.apply_orientation(orientation);
                    orientation = Orientation::NoTransforms;
                }
                ImageAction::AutoOrient(false) => {}
                ImageAction::Blur(b) => img = effects::blur(&img, b.radius, b.sigma),
                ImageAction::Bright(v) => img = effects::bright(&img, *v),
                ImageAction::Contrast(v) => img = effects::contrast(&img, *v),
                ImageAction::Sharpen(v) => img = effects::sharpen(&img, *v),
                ImageAction::Watermark(mark) => img = overlay::watermark(&img, mark, objects)?,
                ImageAction::BlindWatermark(mark) => {
                    img = blind::embed(&img, mark, source_is_gif)?;
                    if let Some(q) = mark.quality {
                        quality = Some(Quality::Blind(q.clamp(1, 100) as u8));
                    }
                }
                ImageAction::Format(f) => format = output_format(*f)?,
                ImageAction::Quality(q) => {
                    let value = q.absolute.or(q.relative).unwrap_or(100).clamp(1, 100) as u8;
                    quality = Some(Quality::Set(value));
                }
                ImageAction::Interlace(on) => interlace = *on,
                ImageAction::Info => {
                    let size = if self.process.image_actions().len() == 1 {
                        source.len()
                    } else {
                        encode(&img, format, DEFAULT_JPEG_QUALITY, false)?
                            .bytes
                            .len()
                    };
                    return Ok(info(&img, format, size, orientation));
                }
                ImageAction::AverageHue => return Ok(average_hue(&img)),
            }
        }
        let quality = match quality {
            // Lossless WebP cannot honour a quality: refused, never ignored.
            Some(Quality::Set(_)) if format == OutputFormat::Webp => {
                return Err(image_error(
                    "quality is not supported by this emulator for WebP output (it writes lossless WebP only); leave quality out or choose jpg.",
                ));
            }
            Some(Quality::Set(q) | Quality::Blind(q)) => q,
            None => DEFAULT_JPEG_QUALITY,
        };
        encode(&img, format, quality, interlace)
    }
}

/// Where the output quality came from.
#[derive(Debug, Clone, Copy)]
enum Quality {
    /// A `quality` action.
    Set(u8),
    /// `blindwatermark`'s `q_` (used for JPG output only, as documented).
    Blind(u8),
}

fn is_metadata(action: &ImageAction) -> bool {
    matches!(action, ImageAction::Info | ImageAction::AverageHue)
}

fn json_output(body: String) -> Output {
    Output {
        bytes: body.into_bytes(),
        content_type: "application/json",
    }
}

/// `image/info`: size, format and orientation, in the service's
/// `{"Name": {"value": "..."}}` shape.
fn info(
    img: &DynamicImage,
    format: OutputFormat,
    file_size: usize,
    orientation: Orientation,
) -> Output {
    let (w, h) = img.dimensions();
    let mut fields = vec![
        ("FileSize", file_size.to_string()),
        ("Format", format.name().to_string()),
        ("ImageHeight", h.to_string()),
        ("ImageWidth", w.to_string()),
    ];
    if orientation != Orientation::NoTransforms {
        fields.push(("Orientation", orientation.to_exif().to_string()));
    }
    let body = fields
        .iter()
        .map(|(name, value)| format!("\"{name}\": {{\"value\": \"{value}\"}}"))
        .collect::<Vec<_>>()
        .join(", ");
    json_output(format!("{{{body}}}"))
}

/// `image/average-hue`: the mean colour, `{"RGB": "0xRRGGBB"}`.
fn average_hue(img: &DynamicImage) -> Output {
    let rgb = img.to_rgb8();
    let mut sums = [0u64; 3];
    for p in rgb.pixels() {
        for (s, c) in sums.iter_mut().zip(p.0) {
            *s += u64::from(c);
        }
    }
    let n = u64::from(rgb.width()) * u64::from(rgb.height());
    let [r, g, b] = sums.map(|s| (s + n / 2) / n.max(1));
    json_output(format!("{{\"RGB\": \"0x{r:02x}{g:02x}{b:02x}\"}}"))
}

/// Refuses sources over 20 MB before they are read.
pub(crate) fn check_source_size(size: u64) -> Result<(), OssError> {
    if size > MAX_SOURCE_BYTES {
        return Err(image_error(format!(
            "The source image is {size} bytes; image processing takes sources up to 20 MB."
        )));
    }
    Ok(())
}

/// The MIME type of an image this emulator can decode, from its magic bytes.
pub(crate) fn sniff_content_type(bytes: &[u8]) -> Option<&'static str> {
    let format = image::guess_format(bytes).ok()?;
    output_of(format).map(|f| f.content_type())
}

/// The formats this emulator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutputFormat {
    Jpg,
    Png,
    Webp,
    Gif,
    Bmp,
}

impl OutputFormat {
    fn name(self) -> &'static str {
        match self {
            OutputFormat::Jpg => "jpg",
            OutputFormat::Png => "png",
            OutputFormat::Webp => "webp",
            OutputFormat::Gif => "gif",
            OutputFormat::Bmp => "bmp",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            OutputFormat::Jpg => "image/jpeg",
            OutputFormat::Png => "image/png",
            OutputFormat::Webp => "image/webp",
            OutputFormat::Gif => "image/gif",
            OutputFormat::Bmp => "image/bmp",
        }
    }
}

fn output_of(format: ImageFormat) -> Option<OutputFormat> {
    Some(match format {
        ImageFormat::Jpeg => OutputFormat::Jpg,
        ImageFormat::Png => OutputFormat::Png,
        ImageFormat::WebP => OutputFormat::Webp,
        ImageFormat::Gif => OutputFormat::Gif,
        ImageFormat::Bmp => OutputFormat::Bmp,
        _ => return None,
    })
}

fn output_format(format: Format) -> Result<OutputFormat, OssError> {
    Ok(match format {
        Format::Jpg => OutputFormat::Jpg,
        Format::Png => OutputFormat::Png,
        Format::Webp => OutputFormat::Webp,
        Format::Gif => OutputFormat::Gif,
        Format::Bmp => OutputFormat::Bmp,
        other => {
            return Err(image_error(format!(
                "format,{} is not supported by this emulator (it writes jpg, png, webp, gif and bmp).",
                other.as_str()
            )));
        }
    })
}

/// Decodes an encoded image (for tasks that read one).
pub(crate) fn decode_image(bytes: &[u8]) -> Result<DynamicImage, OssError> {
    decode(bytes).map(|d| d.image)
}

struct Decoded {
    image: DynamicImage,
    format: OutputFormat,
    orientation: Orientation,
}

fn decode(bytes: &[u8]) -> Result<Decoded, OssError> {
    let unreadable = || {
        image_error(
            "The source is not an image this emulator can read (JPEG, PNG, WebP, GIF or BMP).",
        )
    };
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| unreadable())?;
    let format = reader.format().and_then(output_of).ok_or_else(unreadable)?;
    let mut decoder = reader.into_decoder().map_err(|_| unreadable())?;
    let (w, h) = decoder.dimensions();
    if w > MAX_SOURCE_SIDE || h > MAX_SOURCE_SIDE || u64::from(w) * u64::from(h) > MAX_SOURCE_PIXELS
    {
        return Err(image_error(format!(
            "The source image is {w} x {h} px; image processing takes sources up to 30,000 px a side and 250 million px in total."
        )));
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder)
        .map_err(|e| image_error(format!("The source image could not be decoded: {e}.")))?;
    Ok(Decoded {
        image,
        format,
        orientation,
    })
}

fn check_output(w: u32, h: u32) -> Result<(), OssError> {
    if w > MAX_OUTPUT_SIDE || h > MAX_OUTPUT_SIDE || u64::from(w) * u64::from(h) > MAX_OUTPUT_PIXELS
    {
        return Err(image_error(format!(
            "The result would be {w} x {h} px; processed images are at most 16,384 px a side and 16,777,216 px in total."
        )));
    }
    Ok(())
}

/// What a resize does to a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Geometry {
    /// Nothing (`limit_1` and the target would enlarge).
    Unchanged,
    /// Scale to exactly this size.
    Scale(u32, u32),
    /// Scale, then cut `(x, y, w, h)` out of the scaled image (`fill`).
    ScaleCrop((u32, u32), (u32, u32, u32, u32)),
    /// Scale, then centre on a canvas of this size at `(x, y)` (`pad`).
    ScalePad((u32, u32), (u32, u32), (u32, u32)),
}

/// `value * num / den`, rounded to the nearest integer, at least 1.
fn scale(value: u32, num: u32, den: u32) -> u32 {
    let exact = f64::from(value) * f64::from(num) / f64::from(den.max(1));
    (exact.round() as u32).max(1)
}

/// The resize geometry for a `src_w` x `src_h` source, as the OSS resize
/// docs define it.
pub(crate) fn resize_geometry(src_w: u32, src_h: u32, r: &Resize) -> Result<Geometry, OssError> {
    let mode = r.mode.unwrap_or(ResizeMode::Lfit);
    let limit = r.limit.unwrap_or(true);
    // w/h win over l/s; l/s over p.
    let (w, h) = if r.width.is_some() || r.height.is_some() {
        (r.width, r.height)
    } else if r.long_side.is_some() || r.short_side.is_some() {
        if src_w >= src_h {
            (r.long_side, r.short_side)
        } else {
            (r.short_side, r.long_side)
        }
    } else if let Some(p) = r.percent {
        let size = (scale(src_w, p, 100), scale(src_h, p, 100));
        return finish(src_w, src_h, size, Geometry::Scale(size.0, size.1), limit);
    } else {
        return Err(image_error("resize needs w, h, l, s or p."));
    };
    // Proportional sizes when one side is fixed.
    let by_width = |w: u32| (w, scale(src_h, w, src_w));
    let by_height = |h: u32| (scale(src_w, h, src_h), h);
    let (w, h) = match (w, h) {
        (Some(w), None) => {
            let size = by_width(w);
            return finish(src_w, src_h, size, Geometry::Scale(size.0, size.1), limit);
        }
        (None, Some(h)) => {
            let size = by_height(h);
            return finish(src_w, src_h, size, Geometry::Scale(size.0, size.1), limit);
        }
        (Some(w), Some(h)) => (w, h),
        (None, None) => return Err(image_error("resize needs w, h, l, s or p.")),
    };
    // Compare w/src_w with h/src_h without rounding.
    let width_ratio_smaller = u64::from(w) * u64::from(src_h) <= u64::from(h) * u64::from(src_w);
    let lfit = if width_ratio_smaller {
        by_width(w)
    } else {
        by_height(h)
    };
    let mfit = if width_ratio_smaller {
        by_height(h)
    } else {
        by_width(w)
    };
    match mode {
        ResizeMode::Mfit => finish(src_w, src_h, mfit, Geometry::Scale(mfit.0, mfit.1), limit),
        ResizeMode::Fill => {
            let crop_w = w.min(mfit.0);
            let crop_h = h.min(mfit.1);
            let crop = ((mfit.0 - crop_w) / 2, (mfit.1 - crop_h) / 2, crop_w, crop_h);
            finish(src_w, src_h, mfit, Geometry::ScaleCrop(mfit, crop), limit)
        }
        ResizeMode::Pad => {
            let at = ((w - lfit.0.min(w)) / 2, (h - lfit.1.min(h)) / 2);
            finish(
                src_w,
                src_h,
                lfit,
                Geometry::ScalePad(lfit, (w, h), at),
                limit,
            )
        }
        ResizeMode::Fixed => finish(src_w, src_h, (w, h), Geometry::Scale(w, h), limit),
        _ => finish(src_w, src_h, lfit, Geometry::Scale(lfit.0, lfit.1), limit),
    }
}

/// Applies `limit` (no enlarging) and the output limits.
fn finish(
    src_w: u32,
    src_h: u32,
    scaled: (u32, u32),
    geometry: Geometry,
    limit: bool,
) -> Result<Geometry, OssError> {
    if limit && (scaled.0 > src_w || scaled.1 > src_h) {
        return Ok(Geometry::Unchanged);
    }
    let (w, h) = match geometry {
        Geometry::Unchanged => (src_w, src_h),
        Geometry::Scale(w, h) => (w, h),
        Geometry::ScaleCrop(_, (_, _, w, h)) => (w, h),
        Geometry::ScalePad(scaled, canvas, _) => (scaled.0.max(canvas.0), scaled.1.max(canvas.1)),
    };
    check_output(w, h)?;
    check_output(scaled.0, scaled.1)?;
    Ok(geometry)
}

fn resize(img: DynamicImage, r: &Resize) -> Result<DynamicImage, OssError> {
    let (w, h) = img.dimensions();
    let scaled = |img: &DynamicImage, (sw, sh): (u32, u32)| {
        if (sw, sh) == (w, h) {
            img.clone()
        } else if sw <= w && sh <= h {
            // Area averaging: good for shrinking, and fast.
            img.thumbnail_exact(sw, sh)
        } else {
            img.resize_exact(sw, sh, FilterType::Triangle)
        }
    };
    Ok(match resize_geometry(w, h, r)? {
        Geometry::Unchanged => img,
        Geometry::Scale(sw, sh) => scaled(&img, (sw, sh)),
        Geometry::ScaleCrop(size, (x, y, cw, ch)) => scaled(&img, size).crop_imm(x, y, cw, ch),
        Geometry::ScalePad(size, (cw, ch), (x, y)) => {
            let c = r
                .color
                .map_or([255, 255, 255], |c| [c.red, c.green, c.blue]);
            let fill = Rgba([c[0], c[1], c[2], 255]);
            let inner = scaled(&img, size);
            let mut canvas = RgbaImage::from_pixel(cw, ch, fill);
            image::imageops::overlay(&mut canvas, &inner.to_rgba8(), i64::from(x), i64::from(y));
            if img.color().has_alpha() {
                DynamicImage::ImageRgba8(canvas)
            } else {
                DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(canvas).to_rgb8())
            }
        }
    })
}

/// The crop rectangle `(x, y, w, h)` for a `src_w` x `src_h` source, as
/// the OSS crop docs define it: the origin is the gravity tile's corner
/// (`nw` by default) plus `x`/`y`; `w`/`h` default to the whole image and
/// are cut at its edges.
pub(crate) fn crop_rect(
    src_w: u32,
    src_h: u32,
    c: &Crop,
) -> Result<(u32, u32, u32, u32), OssError> {
    let w = c.width.filter(|w| *w > 0).unwrap_or(src_w).min(src_w);
    let h = c.height.filter(|h| *h > 0).unwrap_or(src_h).min(src_h);
    let center_x = (src_w / 2).saturating_sub(w / 2);
    let center_y = (src_h / 2).saturating_sub(h / 2);
    let right = src_w - w;
    let bottom = src_h - h;
    let (ox, oy) = match c.gravity.unwrap_or(Gravity::NorthWest) {
        Gravity::North => (center_x, 0),
        Gravity::NorthEast => (right, 0),
        Gravity::West => (0, center_y),
        Gravity::Center => (center_x, center_y),
        Gravity::East => (right, center_y),
        Gravity::SouthWest => (0, bottom),
        Gravity::South => (center_x, bottom),
        Gravity::SouthEast => (right, bottom),
        _ => (0, 0),
    };
    let x = ox.saturating_add(c.x.unwrap_or(0));
    let y = oy.saturating_add(c.y.unwrap_or(0));
    if x >= src_w || y >= src_h {
        return Err(image_error("Advance cut's position is out of image."));
    }
    Ok((x, y, w.min(src_w - x), h.min(src_h - y)))
}

fn crop(img: DynamicImage, c: &Crop) -> Result<DynamicImage, OssError> {
    let (w, h) = img.dimensions();
    let (x, y, cw, ch) = crop_rect(w, h, c)?;
    Ok(img.crop_imm(x, y, cw, ch))
}

/// Clockwise rotation. Right angles are exact; other angles grow the
/// canvas to hold the whole image, filling the corners with white (or
/// transparency when the image has an alpha channel).
fn rotate(img: DynamicImage, degrees: u32) -> Result<DynamicImage, OssError> {
    let (w, h) = img.dimensions();
    if w > MAX_ROTATE_SIDE || h > MAX_ROTATE_SIDE {
        return Err(image_error(format!(
            "rotate takes sources up to 4,096 x 4,096 px; this one is {w} x {h}."
        )));
    }
    Ok(match degrees % 360 {
        0 => img,
        90 => img.rotate90(),
        180 => img.rotate180(),
        270 => img.rotate270(),
        d => rotate_any(&img, f64::from(d)),
    })
}

pub(crate) fn rotate_any(img: &DynamicImage, degrees: f64) -> DynamicImage {
    let alpha = img.color().has_alpha();
    let src = img.to_rgba8();
    let (w, h) = (f64::from(src.width()), f64::from(src.height()));
    let (sin, cos) = degrees.to_radians().sin_cos();
    let out_w = (w * cos.abs() + h * sin.abs()).round().max(1.0) as u32;
    let out_h = (w * sin.abs() + h * cos.abs()).round().max(1.0) as u32;
    let fill = if alpha {
        Rgba([255, 255, 255, 0])
    } else {
        Rgba([255, 255, 255, 255])
    };
    let (cx, cy) = (w / 2.0, h / 2.0);
    let (ocx, ocy) = (f64::from(out_w) / 2.0, f64::from(out_h) / 2.0);
    let out = RgbaImage::from_fn(out_w, out_h, |x, y| {
        // Map the output pixel centre back into the source (inverse rotation).
        let dx = f64::from(x) + 0.5 - ocx;
        let dy = f64::from(y) + 0.5 - ocy;
        let sx = dx * cos + dy * sin + cx - 0.5;
        let sy = -dx * sin + dy * cos + cy - 0.5;
        sample(&src, sx, sy).unwrap_or(fill)
    });
    let out = DynamicImage::ImageRgba8(out);
    if alpha {
        out
    } else {
        DynamicImage::ImageRgb8(out.to_rgb8())
    }
}

/// Bilinear sample at a fractional position; `None` outside the image.
fn sample(src: &RgbaImage, x: f64, y: f64) -> Option<Rgba<u8>> {
    let (w, h) = (src.width() as f64, src.height() as f64);
    if x < -0.5 || y < -0.5 || x > w - 0.5 || y > h - 0.5 {
        return None;
    }
    let x = x.clamp(0.0, w - 1.0);
    let y = y.clamp(0.0, h - 1.0);
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = (
        (x0 + 1).min(src.width() - 1),
        (y0 + 1).min(src.height() - 1),
    );
    let (fx, fy) = (x - x.floor(), y - y.floor());
    let mut out = [0u8; 4];
    for (i, o) in out.iter_mut().enumerate() {
        let p = |px: u32, py: u32| f64::from(src.get_pixel(px, py).0[i]);
        let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
        let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
        *o = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
    }
    Some(Rgba(out))
}

/// RGB8 or RGBA8, what the WebP and BMP encoders take.
fn eight_bit(img: &DynamicImage) -> DynamicImage {
    if img.color().has_alpha() {
        DynamicImage::ImageRgba8(img.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(img.to_rgb8())
    }
}

/// Encodes the result; `interlace` makes a JPG progressive (other formats
/// have no such option in OSS).
fn encode(
    img: &DynamicImage,
    format: OutputFormat,
    quality: u8,
    interlace: bool,
) -> Result<Output, OssError> {
    let failed =
        |e: image::ImageError| OssError::internal(format!("Encoding the result failed: {e}."));
    let mut bytes = Vec::new();
    match format {
        OutputFormat::Jpg => {
            // JPEG has no alpha: flatten onto white.
            let rgb = if img.color().has_alpha() {
                let mut canvas =
                    RgbaImage::from_pixel(img.width(), img.height(), Rgba([255, 255, 255, 255]));
                image::imageops::overlay(&mut canvas, &img.to_rgba8(), 0, 0);
                DynamicImage::ImageRgba8(canvas).to_rgb8()
            } else {
                img.to_rgb8()
            };
            if interlace {
                let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, quality);
                encoder.set_progressive(true);
                // Outputs are at most 16,384 px a side: they fit a u16.
                encoder
                    .encode(
                        rgb.as_raw(),
                        rgb.width() as u16,
                        rgb.height() as u16,
                        jpeg_encoder::ColorType::Rgb,
                    )
                    .map_err(|e| OssError::internal(format!("Encoding the result failed: {e}.")))?;
            } else {
                JpegEncoder::new_with_quality(&mut bytes, quality)
                    .encode_image(&rgb)
                    .map_err(failed)?;
            }
        }
        OutputFormat::Webp => eight_bit(img)
            .write_with_encoder(WebPEncoder::new_lossless(&mut bytes))
            .map_err(failed)?,
        OutputFormat::Png => img
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .map_err(failed)?,
        OutputFormat::Gif => DynamicImage::ImageRgba8(img.to_rgba8())
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Gif)
            .map_err(failed)?,
        OutputFormat::Bmp => eight_bit(img)
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Bmp)
            .map_err(failed)?,
    }
    Ok(Output {
        bytes,
        content_type: format.content_type(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(r: Resize) -> Geometry {
        resize_geometry(640, 480, &r).unwrap()
    }

    #[test]
    fn resize_modes_follow_the_docs() {
        let box100 = || Resize::new().width(100).height(100);
        assert_eq!(geometry(box100()), Geometry::Scale(100, 75));
        assert_eq!(
            geometry(box100().mode(ResizeMode::Lfit)),
            Geometry::Scale(100, 75)
        );
        assert_eq!(
            geometry(box100().mode(ResizeMode::Mfit)),
            Geometry::Scale(133, 100)
        );
        assert_eq!(
            geometry(box100().mode(ResizeMode::Fill)),
            Geometry::ScaleCrop((133, 100), (16, 0, 100, 100))
        );
        assert_eq!(
            geometry(box100().mode(ResizeMode::Pad)),
            Geometry::ScalePad((100, 75), (100, 100), (0, 12))
        );
        assert_eq!(
            geometry(box100().mode(ResizeMode::Fixed)),
            Geometry::Scale(100, 100)
        );
        assert_eq!(geometry(Resize::new().width(100)), Geometry::Scale(100, 75));
        assert_eq!(
            geometry(Resize::new().height(100)),
            Geometry::Scale(133, 100)
        );
        assert_eq!(
            geometry(Resize::new().percent(50)),
            Geometry::Scale(320, 240)
        );
        assert_eq!(
            geometry(Resize::new().long_side(320)),
            Geometry::Scale(320, 240)
        );
        assert_eq!(
            geometry(Resize::new().short_side(240)),
            Geometry::Scale(320, 240)
        );
        // Portrait source: the long side is the height.
        assert_eq!(
            resize_geometry(480, 640, &Resize::new().long_side(320)).unwrap(),
            Geometry::Scale(240, 320)
        );
        // 640x480 to w 333: 249.75 rounds to 250.
        assert_eq!(
            geometry(Resize::new().width(333)),
            Geometry::Scale(333, 250)
        );
    }

    #[test]
    fn limit_keeps_the_source_unless_limit_0() {
        assert_eq!(geometry(Resize::new().width(1000)), Geometry::Unchanged);
        assert_eq!(geometry(Resize::new().percent(200)), Geometry::Unchanged);
        assert_eq!(
            geometry(Resize::new().width(1000).height(100).mode(ResizeMode::Mfit)),
            Geometry::Unchanged
        );
        assert_eq!(
            geometry(Resize::new().width(1000).limit(false)),
            Geometry::Scale(1000, 750)
        );
        assert_eq!(
            geometry(Resize::new().percent(200).limit(false)),
            Geometry::Scale(1280, 960)
        );
        // A pad canvas wider than the source is not an enlargement.
        assert_eq!(
            geometry(Resize::new().width(1000).height(100).mode(ResizeMode::Pad)),
            Geometry::ScalePad((133, 100), (1000, 100), (433, 0))
        );
    }

    #[test]
    fn output_limits_are_enforced() {
        let e = resize_geometry(640, 480, &Resize::new().percent(1000).limit(false)).unwrap_err();
        assert_eq!(e.code, "InvalidArgument");
        assert!(e.message.contains("16,777,216"), "{}", e.message);
        let e = resize_geometry(20_000, 10, &Resize::new().percent(100)).unwrap_err();
        assert!(e.message.contains("16,384"), "{}", e.message);
    }

    #[test]
    fn crop_follows_gravity_and_edges() {
        let c = Crop::new;
        assert_eq!(
            crop_rect(640, 480, &c().x(100).y(50)).unwrap(),
            (100, 50, 540, 430)
        );
        assert_eq!(
            crop_rect(640, 480, &c().width(100).height(100)).unwrap(),
            (0, 0, 100, 100)
        );
        assert_eq!(
            crop_rect(
                640,
                480,
                &c().width(100).height(100).gravity(Gravity::Center)
            )
            .unwrap(),
            (270, 190, 100, 100)
        );
        assert_eq!(
            crop_rect(
                640,
                480,
                &c().width(100).height(100).gravity(Gravity::SouthEast)
            )
            .unwrap(),
            (540, 380, 100, 100)
        );
        assert_eq!(
            crop_rect(640, 480, &c().width(300).height(300).x(500).y(400)).unwrap(),
            (500, 400, 140, 80)
        );
        let e = crop_rect(640, 480, &c().x(640)).unwrap_err();
        assert_eq!(e.message, "Advance cut's position is out of image.");
    }

    #[test]
    fn arbitrary_rotation_grows_the_canvas() {
        let img =
            DynamicImage::ImageRgb8(image::RgbImage::from_pixel(100, 50, image::Rgb([0, 0, 0])));
        let out = rotate(img.clone(), 45).unwrap();
        assert_eq!(out.dimensions(), (106, 106));
        // Corners are filled white, the centre keeps the image.
        assert_eq!(out.to_rgb8().get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(out.to_rgb8().get_pixel(53, 53).0, [0, 0, 0]);
        assert_eq!(rotate(img.clone(), 90).unwrap().dimensions(), (50, 100));
        assert_eq!(rotate(img, 360).unwrap().dimensions(), (100, 50));
    }

    #[test]
    fn unsupported_formats_and_styles_are_named() {
        let e = Plan::parse("style/thumb").unwrap_err();
        assert!(e.message.contains("style/thumb"), "{}", e.message);
        assert!(
            Plan::parse("image/resize,w_100|sys/saveas,o_YS5qcGc")
                .unwrap()
                .save_as()
                .is_some()
        );
        let none = |k: &str| Err(image_error(k));
        let png = encode(
            &DynamicImage::ImageRgb8(image::RgbImage::new(2, 2)),
            OutputFormat::Png,
            90,
            false,
        )
        .unwrap()
        .bytes;
        let e = Plan::parse("image/format,tiff")
            .unwrap()
            .apply(&png, &none)
            .unwrap_err();
        assert_eq!((e.status, e.code), (400, "InvalidArgument"));
        assert!(e.message.contains("tiff"), "{}", e.message);
    }
}
