//! The pixel adjustments of `x-oss-process` in the emulator: `blur`
//! (Gaussian, radius `r_` and standard deviation `s_`), `bright` (an
//! offset of `value`% of the full range), `contrast` (a slope around
//! mid-grey, `tan((value + 100) * 45° / 100)`: 0 flattens to grey, 100
//! leaves the image, 200 is nearly a threshold, as ImageMagick's
//! brightness-contrast) and `sharpen` (an unsharp mask of amount
//! `value / 100` over a Gaussian of σ 1).
//!
//! Colour channels change; alpha is kept (blur spreads it too, so edges of
//! transparent areas soften as they would). The image keeps its colour
//! type's channel count, at 8 bits.

use image::{DynamicImage, Rgba32FImage};

/// Gaussian blur of `radius` px with standard deviation `sigma`.
pub(crate) fn blur(img: &DynamicImage, radius: u32, sigma: u32) -> DynamicImage {
    let kernel = gaussian(radius, f64::from(sigma));
    let blurred = convolve(&to_f32(img), &kernel);
    back(img, blurred)
}

/// `bright,<value>`: adds `value`% of full scale to every colour channel.
pub(crate) fn bright(img: &DynamicImage, value: i32) -> DynamicImage {
    let offset = value as f32 / 100.0;
    map_colour(img, |v| v + offset)
}

/// `contrast,<value>`: stretches (or flattens) colours around mid-grey.
pub(crate) fn contrast(img: &DynamicImage, value: i32) -> DynamicImage {
    let angle = f64::from(value + 100) * std::f64::consts::PI / 400.0;
    let slope = angle.tan().min(1_000.0) as f32;
    map_colour(img, |v| (v - 0.5) * slope + 0.5)
}

/// `sharpen,<value>`: unsharp mask of amount `value / 100`.
pub(crate) fn sharpen(img: &DynamicImage, value: u32) -> DynamicImage {
    let amount = value as f32 / 100.0;
    let source = to_f32(img);
    let blurred = convolve(&source, &gaussian(2, 1.0));
    let mut out = source.clone();
    for ((o, s), b) in out.pixels_mut().zip(source.pixels()).zip(blurred.pixels()) {
        for c in 0..3 {
            o.0[c] = s.0[c] + amount * (s.0[c] - b.0[c]);
        }
    }
    back(img, out)
}

fn to_f32(img: &DynamicImage) -> Rgba32FImage {
    img.to_rgba32f()
}

/// The result at 8 bits, with or without alpha as the input had.
fn back(like: &DynamicImage, img: Rgba32FImage) -> DynamicImage {
    let out = DynamicImage::ImageRgba32F(img);
    if like.color().has_alpha() {
        DynamicImage::ImageRgba8(out.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(out.to_rgb8())
    }
}

fn map_colour(img: &DynamicImage, f: impl Fn(f32) -> f32) -> DynamicImage {
    let mut out = to_f32(img);
    for p in out.pixels_mut() {
        for c in 0..3 {
            p.0[c] = f(p.0[c]).clamp(0.0, 1.0);
        }
    }
    back(img, out)
}

/// A normalised 1-D Gaussian of half-width `radius`.
fn gaussian(radius: u32, sigma: f64) -> Vec<f32> {
    let r = radius as i64;
    let weights: Vec<f64> = (-r..=r)
        .map(|i| (-((i * i) as f64) / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f64 = weights.iter().sum();
    weights.iter().map(|w| (w / sum) as f32).collect()
}

/// Separable convolution (rows, then columns), edges clamped.
fn convolve(src: &Rgba32FImage, kernel: &[f32]) -> Rgba32FImage {
    let (w, h) = src.dimensions();
    let r = (kernel.len() / 2) as i64;
    let pass = |src: &Rgba32FImage, horizontal: bool| {
        Rgba32FImage::from_fn(w, h, |x, y| {
            let mut acc = [0f32; 4];
            for (k, weight) in kernel.iter().enumerate() {
                let d = k as i64 - r;
                let (sx, sy) = if horizontal {
                    ((i64::from(x) + d).clamp(0, i64::from(w) - 1) as u32, y)
                } else {
                    (x, (i64::from(y) + d).clamp(0, i64::from(h) - 1) as u32)
                };
                let p = src.get_pixel(sx, sy).0;
                for c in 0..4 {
                    acc[c] += weight * p[c];
                }
            }
            image::Rgba(acc)
        })
    };
    pass(&pass(src, true), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_are_normalised_and_peaked() {
        let k = gaussian(3, 1.0);
        assert_eq!(k.len(), 7);
        assert!((k.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(k[3] > k[2] && k[2] > k[1]);
    }

    #[test]
    fn adjustments_move_the_right_way_and_keep_alpha() {
        let img = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(8, 8, |x, _| {
            image::Rgba([(x * 30) as u8, 100, 200, 77])
        }));
        let px = |i: &DynamicImage, x| i.to_rgba8().get_pixel(x, 0).0;
        assert_eq!(px(&bright(&img, 0), 3), px(&img, 3));
        assert!(px(&bright(&img, 20), 3)[1] > 100);
        assert!(px(&bright(&img, -20), 3)[1] < 100);
        assert_eq!(px(&bright(&img, 20), 3)[3], 77);
        assert_eq!(px(&contrast(&img, 0), 5), px(&img, 5));
        assert_eq!(px(&contrast(&img, -100), 0)[..3], [128, 128, 128]);
        assert!(px(&contrast(&img, 50), 0)[0] < px(&img, 0)[0] || px(&img, 0)[0] == 0);
        assert!(blur(&img, 2, 1).color().has_alpha());
    }
}
