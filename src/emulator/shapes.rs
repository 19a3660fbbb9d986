//! The cut-out actions of `x-oss-process` in the emulator: `circle` (the
//! centred circle of radius `r_`, cut to its square), `rounded-corners`
//! (corners of radius `r_` cut away) and `indexcrop` (the image sliced
//! along one axis, one slice kept).
//!
//! As the OSS docs say: a radius over half the short side is taken as half
//! the short side; what is cut away is transparent (the result has an
//! alpha channel), which a JPG output shows as white; an `indexcrop`
//! index past the last slice returns the image unchanged. Edges are
//! anti-aliased over one pixel.

use image::{DynamicImage, GenericImageView, RgbaImage};

use crate::process::{Axis, IndexCrop};

/// `circle,r_<radius>`: the centred circle, on a transparent square.
pub(crate) fn circle(img: &DynamicImage, radius: u32) -> DynamicImage {
    let (w, h) = img.dimensions();
    let side = (radius.saturating_mul(2)).min(w.min(h)).max(1);
    let square = img.crop_imm((w - side) / 2, (h - side) / 2, side, side);
    let mut out = square.to_rgba8();
    let r = f64::from(side) / 2.0;
    mask(&mut out, |x, y| {
        r - ((x - r).powi(2) + (y - r).powi(2)).sqrt()
    });
    DynamicImage::ImageRgba8(out)
}

/// `rounded-corners,r_<radius>`: the corners cut to quarter circles.
pub(crate) fn rounded_corners(img: &DynamicImage, radius: u32) -> DynamicImage {
    let (w, h) = img.dimensions();
    let r = f64::from(radius.min(w.min(h) / 2).max(1));
    let (fw, fh) = (f64::from(w), f64::from(h));
    let mut out = img.to_rgba8();
    mask(&mut out, |x, y| {
        // The distance inside the rounded rectangle, near a corner.
        let cx = x.clamp(r, fw - r);
        let cy = y.clamp(r, fh - r);
        if (cx - x).abs() < f64::EPSILON || (cy - y).abs() < f64::EPSILON {
            return 1.0; // not in a corner square
        }
        r - ((x - cx).powi(2) + (y - cy).powi(2)).sqrt()
    });
    DynamicImage::ImageRgba8(out)
}

/// Scales each pixel's alpha by its coverage, from `inside(x, y)` (the
/// signed distance of the pixel centre inside the shape, in px).
fn mask(img: &mut RgbaImage, inside: impl Fn(f64, f64) -> f64) {
    for (x, y, p) in img.enumerate_pixels_mut() {
        let d = inside(f64::from(x) + 0.5, f64::from(y) + 0.5);
        let coverage = (d + 0.5).clamp(0.0, 1.0);
        p.0[3] = (f64::from(p.0[3]) * coverage).round() as u8;
    }
}

/// `indexcrop`: slice `index` (default 0) of `length` px along the axis;
/// the image itself when the index is past the last slice.
pub(crate) fn index_crop(img: DynamicImage, slice: &IndexCrop) -> DynamicImage {
    let (w, h) = img.dimensions();
    let index = slice.index.unwrap_or(0);
    let along = match slice.axis {
        Axis::X => w,
        _ => h,
    };
    let start = u64::from(index) * u64::from(slice.length);
    if start >= u64::from(along) {
        return img;
    }
    let start = start as u32;
    let len = slice.length.min(along - start);
    match slice.axis {
        Axis::X => img.crop_imm(start, 0, len, h),
        _ => img.crop_imm(0, start, w, len),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grey(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(image::RgbImage::from_pixel(w, h, image::Rgb([90, 90, 90])))
    }

    #[test]
    fn circle_is_a_square_with_transparent_corners() {
        let out = circle(&grey(100, 60), 20);
        assert_eq!(out.dimensions(), (40, 40));
        let px = out.to_rgba8();
        assert_eq!(px.get_pixel(0, 0).0[3], 0);
        assert_eq!(px.get_pixel(20, 20).0, [90, 90, 90, 255]);
        // A radius over half the short side is half the short side.
        assert_eq!(circle(&grey(100, 60), 500).dimensions(), (60, 60));
    }

    #[test]
    fn rounded_corners_keep_the_size() {
        let out = rounded_corners(&grey(100, 60), 10).to_rgba8();
        assert_eq!(out.dimensions(), (100, 60));
        assert_eq!(out.get_pixel(0, 0).0[3], 0);
        assert_eq!(out.get_pixel(99, 59).0[3], 0);
        assert_eq!(out.get_pixel(50, 0).0[3], 255);
        assert_eq!(out.get_pixel(0, 30).0[3], 255);
        assert_eq!(out.get_pixel(10, 10).0[3], 255);
    }

    #[test]
    fn index_crop_keeps_one_slice() {
        let img = grey(100, 60);
        assert_eq!(
            index_crop(img.clone(), &IndexCrop::x(30)).dimensions(),
            (30, 60)
        );
        assert_eq!(
            index_crop(img.clone(), &IndexCrop::x(30).index(3)).dimensions(),
            (10, 60)
        );
        assert_eq!(
            index_crop(img.clone(), &IndexCrop::y(25).index(2)).dimensions(),
            (100, 10)
        );
        assert_eq!(
            index_crop(img, &IndexCrop::y(25).index(3)).dimensions(),
            (100, 60)
        );
    }
}
