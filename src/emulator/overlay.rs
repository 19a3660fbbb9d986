//! The visible watermark (`watermark`) in the emulator: text drawn with an
//! embedded font, an image from the same bucket, or both side by side,
//! placed by gravity and margins, blended at the given opacity.
//!
//! Text is drawn with [`ab_glyph`] (glyph outlines to coverage, no
//! proc-macro, maintained alongside the `image` ecosystem) in one embedded
//! font, a Latin subset of DejaVu Sans (`font/`, licence in
//! `font/LICENSE.md`). Every font name OSS documents for `type_` is
//! accepted and drawn with it; other names are refused, as OSS refuses
//! them. A character the font lacks (CJK, for one) is refused with an
//! error naming it, rather than drawn as a box.
//!
//! Placement follows the OSS docs: `g_` (default `se`) picks the corner,
//! edge or centre; `x_` and `y_` (default 10) are the margins from the
//! edges the gravity touches; `voffset_` moves a mark on the middle row up
//! (positive) or down. `t_` is the opacity (default 100). The text has
//! `color_` (default black), `size_` (default 40 px), `shadow_` (the
//! opacity of a dark shadow offset by a fifteenth of the size), `rotate_`
//! (clockwise) and `fill_` (tiled over the whole image, `x_` and `y_`
//! apart). With both text and image, `order_` (default image first),
//! `align_` (default bottom) and `interval_` (default 0) arrange them in a
//! row. The image's key may carry `?x-oss-process=image/resize,P_<n>`: it
//! is then scaled to fit n% of the main image.

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _, point};
use image::imageops::FilterType;
use image::{DynamicImage, GenericImageView, Rgba, RgbaImage};

use crate::process::{Gravity, Watermark, WatermarkAlign, WatermarkOrder};

use super::errors::OssError;
use super::imaging::{image_error, rotate_any};

/// The embedded font (see `font/LICENSE.md`).
const FONT: &[u8] = include_bytes!("font/DejaVuSans-subset.ttf");

/// The font names OSS documents for `type_`.
const FONTS: [&str; 7] = [
    "wqy-zenhei",
    "wqy-microhei",
    "fangzhengshusong",
    "fangzhengkaiti",
    "fangzhengheiti",
    "fangzhengfangsong",
    "droidsansfallback",
];

/// Reads an object of the source's bucket (the watermark image).
pub(crate) type Objects<'a> = &'a dyn Fn(&str) -> Result<Vec<u8>, OssError>;

/// Draws `mark` on `img`; `objects` reads the watermark image.
pub(crate) fn watermark(
    img: &DynamicImage,
    mark: &Watermark,
    objects: Objects<'_>,
) -> Result<DynamicImage, OssError> {
    let (w, h) = img.dimensions();
    let text = match &mark.text {
        Some(text) => Some(draw_text(text, mark)?),
        None => None,
    };
    let picture = match &mark.image {
        Some(key) => Some(load_picture(key, (w, h), objects)?),
        None => None,
    };
    let stamp = match (text, picture) {
        (Some(t), Some(p)) => side_by_side(p, t, mark),
        (Some(t), None) => t,
        (None, Some(p)) => p,
        (None, None) => return Err(image_error("watermark needs text_ or image_.")),
    };
    let opacity = mark.transparency.unwrap_or(100) as f32 / 100.0;
    let mut canvas = img.to_rgba8();
    let margin = (mark.x.unwrap_or(10), mark.y.unwrap_or(10));
    if mark.fill == Some(true) {
        let (sw, sh) = stamp.dimensions();
        let step = (sw + margin.0.max(1), sh + margin.1.max(1));
        for y in (0..h).step_by(step.1 as usize) {
            for x in (0..w).step_by(step.0 as usize) {
                blend(&mut canvas, &stamp, (i64::from(x), i64::from(y)), opacity);
            }
        }
    } else {
        let at = place(
            (w, h),
            stamp.dimensions(),
            mark.gravity.unwrap_or(Gravity::SouthEast),
            margin,
            mark.voffset.unwrap_or(0),
        );
        blend(&mut canvas, &stamp, at, opacity);
    }
    Ok(if img.color().has_alpha() {
        DynamicImage::ImageRgba8(canvas)
    } else {
        DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(canvas).to_rgb8())
    })
}

/// The text on a transparent canvas: coloured, shadowed, rotated.
fn draw_text(text: &str, mark: &Watermark) -> Result<RgbaImage, OssError> {
    if let Some(font) = &mark.font
        && !FONTS.contains(&font.as_str())
    {
        return Err(image_error(format!(
            "watermark type_ {font:?} is not a font OSS has; fonts: {}.",
            FONTS.join(", ")
        )));
    }
    let font = FontRef::try_from_slice(FONT)
        .map_err(|_| OssError::internal("The emulator's font could not be read."))?;
    if let Some(c) = text.chars().find(|c| font.glyph_id(*c).0 == 0) {
        return Err(image_error(format!(
            "The watermark text has {c:?} (U+{:04X}), which this emulator cannot draw: its font covers Latin text only (Basic Latin, Latin-1 and punctuation).",
            u32::from(c)
        )));
    }
    let size = mark.size.unwrap_or(40) as f32;
    let scaled = font.as_scaled(PxScale::from(size));
    let shadow = mark.shadow.unwrap_or(0);
    let offset = if shadow > 0 {
        (size / 15.0).ceil().max(1.0) as u32
    } else {
        0
    };
    // Lay the glyphs out on one line, kerned.
    let mut glyphs = Vec::new();
    let mut x = 0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = previous {
            x += scaled.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(size, point(x, scaled.ascent())));
        x += scaled.h_advance(id);
        previous = Some(id);
    }
    let width = (x.ceil() as u32).max(1) + offset;
    let height = ((scaled.ascent() - scaled.descent()).ceil() as u32).max(1) + offset;
    let color = mark.color.map_or([0, 0, 0], |c| [c.red, c.green, c.blue]);
    let mut canvas = RgbaImage::new(width, height);
    let paint = |dx: u32, colour: [u8; 3], alpha: f32, canvas: &mut RgbaImage| {
        for glyph in &glyphs {
            let Some(outlined) = font.outline_glyph(glyph.clone()) else {
                continue;
            };
            let bounds = outlined.px_bounds();
            outlined.draw(|gx, gy, coverage| {
                let px = bounds.min.x as i64 + i64::from(gx) + i64::from(dx);
                let py = bounds.min.y as i64 + i64::from(gy) + i64::from(dx);
                if px < 0 || py < 0 || px >= i64::from(width) || py >= i64::from(height) {
                    return;
                }
                let a = (coverage.clamp(0.0, 1.0) * alpha * 255.0).round() as u8;
                let src = Rgba([colour[0], colour[1], colour[2], a]);
                over(canvas.get_pixel_mut(px as u32, py as u32), src, 1.0);
            });
        }
    };
    if shadow > 0 {
        paint(offset, [0, 0, 0], shadow as f32 / 100.0, &mut canvas);
    }
    paint(0, color, 1.0, &mut canvas);
    Ok(match mark.rotate.unwrap_or(0) % 360 {
        0 => canvas,
        degrees => rotate_any(&DynamicImage::ImageRgba8(canvas), f64::from(degrees)).to_rgba8(),
    })
}

/// The watermark image `key` (`?x-oss-process=image/resize,P_<n>` scales
/// it to fit n% of the main image's `size`).
fn load_picture(key: &str, size: (u32, u32), objects: Objects<'_>) -> Result<RgbaImage, OssError> {
    let (key, process) = match key.split_once("?x-oss-process=") {
        Some((key, process)) => (key, Some(process)),
        None => (key, None),
    };
    let picture = super::imaging::decode_image(&objects(key)?)?;
    let Some(process) = process else {
        return Ok(picture.to_rgba8());
    };
    let percent = process
        .strip_prefix("image/resize,P_")
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|p| (1..=100).contains(p))
        .ok_or_else(|| {
            image_error(format!(
                "The watermark image's processing {process:?} is not supported by this emulator: it takes image/resize,P_<1-100> only."
            ))
        })?;
    let box_w = (u64::from(size.0) * u64::from(percent) / 100).max(1) as u32;
    let box_h = (u64::from(size.1) * u64::from(percent) / 100).max(1) as u32;
    Ok(picture
        .resize(box_w, box_h, FilterType::Triangle)
        .to_rgba8())
}

/// Image and text in a row, as `order_`, `align_` and `interval_` say.
fn side_by_side(picture: RgbaImage, text: RgbaImage, mark: &Watermark) -> RgbaImage {
    let interval = mark.interval.unwrap_or(0);
    let (first, second) = match mark.order {
        Some(WatermarkOrder::TextFirst) => (text, picture),
        _ => (picture, text),
    };
    let width = first.width() + interval + second.width();
    let height = first.height().max(second.height());
    let top = |part: &RgbaImage| match mark.align {
        Some(WatermarkAlign::Top) => 0,
        Some(WatermarkAlign::Center) => (height - part.height()) / 2,
        _ => height - part.height(),
    };
    let mut row = RgbaImage::new(width, height);
    image::imageops::overlay(&mut row, &first, 0, i64::from(top(&first)));
    image::imageops::overlay(
        &mut row,
        &second,
        i64::from(first.width() + interval),
        i64::from(top(&second)),
    );
    row
}

/// Where a `stamp`-sized mark goes on a `size` image.
fn place(
    size: (u32, u32),
    stamp: (u32, u32),
    gravity: Gravity,
    (mx, my): (u32, u32),
    voffset: i32,
) -> (i64, i64) {
    let (w, h) = (i64::from(size.0), i64::from(size.1));
    let (sw, sh) = (i64::from(stamp.0), i64::from(stamp.1));
    let (mx, my) = (i64::from(mx), i64::from(my));
    let left = mx;
    let centre_x = (w - sw) / 2;
    let right = w - sw - mx;
    let top = my;
    let middle = (h - sh) / 2 - i64::from(voffset);
    let bottom = h - sh - my;
    match gravity {
        Gravity::NorthWest => (left, top),
        Gravity::North => (centre_x, top),
        Gravity::NorthEast => (right, top),
        Gravity::West => (left, middle),
        Gravity::Center => (centre_x, middle),
        Gravity::East => (right, middle),
        Gravity::SouthWest => (left, bottom),
        Gravity::South => (centre_x, bottom),
        _ => (right, bottom),
    }
}

/// Draws `stamp` over `canvas` at `at`, scaled by `opacity`.
fn blend(canvas: &mut RgbaImage, stamp: &RgbaImage, at: (i64, i64), opacity: f32) {
    let (w, h) = (i64::from(canvas.width()), i64::from(canvas.height()));
    for (sx, sy, p) in stamp.enumerate_pixels() {
        let (x, y) = (at.0 + i64::from(sx), at.1 + i64::from(sy));
        if x >= 0 && y >= 0 && x < w && y < h {
            over(canvas.get_pixel_mut(x as u32, y as u32), *p, opacity);
        }
    }
}

/// Source-over compositing of `src` (its alpha times `opacity`) onto `dst`.
fn over(dst: &mut Rgba<u8>, src: Rgba<u8>, opacity: f32) {
    let sa = f32::from(src.0[3]) / 255.0 * opacity;
    if sa <= 0.0 {
        return;
    }
    let da = f32::from(dst.0[3]) / 255.0;
    let out_a = sa + da * (1.0 - sa);
    for c in 0..3 {
        let s = f32::from(src.0[c]);
        let d = f32::from(dst.0[c]);
        let v = (s * sa + d * da * (1.0 - sa)) / out_a.max(1e-6);
        dst.0[c] = v.round().clamp(0.0, 255.0) as u8;
    }
    dst.0[3] = (out_a * 255.0).round() as u8;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn white(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(image::RgbImage::from_pixel(w, h, image::Rgb([255; 3])))
    }

    fn no_objects(key: &str) -> Result<Vec<u8>, OssError> {
        Err(image_error(format!("no {key}")))
    }

    /// The bounding box of the pixels that are not white.
    fn inked(img: &DynamicImage) -> Option<(u32, u32, u32, u32)> {
        let rgb = img.to_rgb8();
        let mut b: Option<(u32, u32, u32, u32)> = None;
        for (x, y, p) in rgb.enumerate_pixels() {
            if p.0 != [255; 3] {
                b = Some(b.map_or((x, y, x, y), |(a, c, d, e)| {
                    (a.min(x), c.min(y), d.max(x), e.max(y))
                }));
            }
        }
        b
    }

    #[test]
    fn text_lands_where_the_gravity_says() {
        let img = white(400, 200);
        let mark = Watermark::new().text("Hello").size(30);
        let out = watermark(&img, &mark, &no_objects).unwrap();
        let (x0, y0, x1, y1) = inked(&out).expect("ink");
        // South-east, 10 px margins.
        assert!(x1 <= 390 && x1 > 330, "{x0} {y0} {x1} {y1}");
        assert!(y1 <= 190 && y0 > 140, "{x0} {y0} {x1} {y1}");
        let out = watermark(&img, &mark.clone().gravity(Gravity::NorthWest), &no_objects).unwrap();
        let (x0, y0, ..) = inked(&out).expect("ink");
        assert!(
            (10..20).contains(&x0) && (10..25).contains(&y0),
            "{x0} {y0}"
        );
    }

    #[test]
    fn unknown_fonts_and_undrawable_characters_are_refused() {
        let img = white(100, 100);
        let e =
            watermark(&img, &Watermark::new().text("a").font("arial"), &no_objects).unwrap_err();
        assert!(e.message.contains("\"arial\""), "{}", e.message);
        let e = watermark(&img, &Watermark::new().text("水印"), &no_objects).unwrap_err();
        assert!(e.message.contains("U+6C34"), "{}", e.message);
        assert!(
            watermark(
                &img,
                &Watermark::new().text("ok").font("wqy-zenhei"),
                &no_objects
            )
            .is_ok()
        );
    }

    #[test]
    fn compositing_respects_opacity() {
        let mut dst = Rgba([255, 255, 255, 255]);
        over(&mut dst, Rgba([0, 0, 0, 255]), 0.5);
        assert_eq!(dst.0, [128, 128, 128, 255]);
        let mut dst = Rgba([0, 0, 0, 0]);
        over(&mut dst, Rgba([10, 20, 30, 255]), 1.0);
        assert_eq!(dst.0, [10, 20, 30, 255]);
    }
}
