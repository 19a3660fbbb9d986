//! Generated test photos: a colour gradient as JPEG or PNG.

use image::{ImageEncoder, Rgb, RgbImage};

/// A `w` x `h` RGB gradient (red grows left to right, green top to bottom).
pub fn gradient(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (x * 255 / w.max(2).saturating_sub(1)) as u8,
            (y * 255 / h.max(2).saturating_sub(1)) as u8,
            128,
        ])
    })
}

/// The gradient as a JPEG file.
pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = gradient(w, h);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// The gradient as a PNG file.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = gradient(w, h);
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}
