//! Every typed image action through the client against the emulator, and
//! what it does to the pixels, not only that it answers 200: sizes,
//! sampled colours, transparency, energy and statistics moved the right
//! way, progressive JPEG markers; and the refusals of what the emulator
//! cannot honour.

#![cfg(feature = "emulator")]

mod common;

use base64::Engine as _;
use image::{DynamicImage, GenericImageView, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use oss_process::emulator::Emulator;
use oss_process::process::{
    Blur, Crop, Format, Gravity, ImageProcessBuilder, IndexCrop, Process, Quality, Watermark,
    WatermarkAlign, WatermarkOrder,
};
use oss_process::{Client, Credentials, Error};

const BUCKET: &str = "examplebucket";

fn encode_png(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// 8 x 8 px black and white squares.
fn checkerboard(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        if (x / 8 + y / 8) % 2 == 0 {
            Rgb([0, 0, 0])
        } else {
            Rgb([255, 255, 255])
        }
    }))
}

fn white(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_pixel(w, h, Rgb([255, 255, 255])))
}

/// An emulator with `gradient.png` (200 x 150, red = x, green = y),
/// `checker.png` (128 x 96), `noise.png` (128 x 96), `white.png` (300 x 120), `logo.png` (20 x 10
/// opaque red), and a client.
fn setup() -> (Emulator, Client) {
    let emulator = common::emulator();
    let gradient = DynamicImage::ImageRgb8(RgbImage::from_fn(200, 150, |x, y| {
        Rgb([x as u8, y as u8, 100])
    }));
    emulator
        .put_object(BUCKET, "gradient.png", &encode_png(&gradient))
        .unwrap();
    emulator
        .put_object(BUCKET, "checker.png", &encode_png(&checkerboard(128, 96)))
        .unwrap();
    emulator
        .put_object(BUCKET, "white.png", &encode_png(&white(300, 120)))
        .unwrap();
    let mut seed = 1u32;
    let noise = DynamicImage::ImageRgb8(RgbImage::from_fn(128, 96, |_, _| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let v = (seed >> 16) as u8;
        Rgb([v, v / 2, 255 - v])
    }));
    emulator
        .put_object(BUCKET, "noise.png", &encode_png(&noise))
        .unwrap();
    let logo = DynamicImage::ImageRgba8(RgbaImage::from_pixel(20, 10, Rgba([255, 0, 0, 255])));
    emulator
        .put_object(BUCKET, "logo.png", &encode_png(&logo))
        .unwrap();
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(emulator.endpoint())
        .credentials(Credentials::new(common::AK, common::SK))
        .build()
        .unwrap();
    (emulator, client)
}

/// The chain, then `format,png` (lossless, so pixels can be compared).
fn as_png(chain: ImageProcessBuilder) -> Process {
    chain.format(Format::Png).build().unwrap()
}

fn fetch(client: &Client, key: &str, process: impl AsRef<str>) -> Vec<u8> {
    let mut out = Vec::new();
    client
        .download_processed(BUCKET, key, process, &mut out)
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

fn image(client: &Client, key: &str, process: impl AsRef<str>) -> DynamicImage {
    image::load_from_memory(&fetch(client, key, process)).unwrap()
}

fn refused(client: &Client, key: &str, process: &str) -> String {
    let mut out = Vec::new();
    match client.download_processed(BUCKET, key, process, &mut out) {
        Err(Error::Service(s)) => {
            assert_eq!(
                (s.status, s.code.as_str()),
                (400, "InvalidArgument"),
                "{s:?}"
            );
            s.message
        }
        other => panic!("{process}: expected a 400, got {other:?}"),
    }
}

/// Sum of absolute differences between horizontal and vertical neighbours
/// (luma), per pixel: high for sharp detail, low for smooth images.
fn high_frequency_energy(img: &DynamicImage) -> f64 {
    let l = img.to_luma8();
    let (w, h) = l.dimensions();
    let mut sum = 0.0;
    for y in 0..h - 1 {
        for x in 0..w - 1 {
            let p = f64::from(l.get_pixel(x, y).0[0]);
            sum += (p - f64::from(l.get_pixel(x + 1, y).0[0])).abs();
            sum += (p - f64::from(l.get_pixel(x, y + 1).0[0])).abs();
        }
    }
    sum / f64::from(w * h)
}

/// Mean and standard deviation of luma.
fn luma_stats(img: &DynamicImage) -> (f64, f64) {
    let l = img.to_luma8();
    let n = l.as_raw().len() as f64;
    let mean = l.as_raw().iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = l
        .as_raw()
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

fn rgba(img: &DynamicImage, x: u32, y: u32) -> [u8; 4] {
    img.to_rgba8().get_pixel(x, y).0
}

fn close(a: [u8; 4], b: [u8; 4], tolerance: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= tolerance)
}

#[test]
fn crop_and_indexcrop_keep_the_right_pixels() {
    let (_emulator, client) = setup();
    let p = as_png(Process::image().crop(Crop::new().x(30).y(40).width(50).height(20)));
    let out = image(&client, "gradient.png", &p);
    assert_eq!(out.dimensions(), (50, 20));
    assert_eq!(rgba(&out, 0, 0), [30, 40, 100, 255]);
    assert_eq!(rgba(&out, 49, 19), [79, 59, 100, 255]);
    // Slices of 60 px along x: the second starts at x = 60, the fourth is
    // the 20 px left, and past the last the source comes back.
    for (slice, size, first_red) in [
        (IndexCrop::x(60).index(1), (60, 150), 60),
        (IndexCrop::x(60).index(3), (20, 150), 180),
        (IndexCrop::x(60).index(4), (200, 150), 0),
        (IndexCrop::y(50), (200, 50), 0),
    ] {
        let p = as_png(Process::image().index_crop(slice.clone()));
        let out = image(&client, "gradient.png", &p);
        assert_eq!(out.dimensions(), size, "{p}");
        assert_eq!(rgba(&out, 0, 0)[0], first_red, "{p}");
    }
    let out = image(
        &client,
        "gradient.png",
        "image/indexcrop,y_50,i_2/format,png",
    );
    assert_eq!(rgba(&out, 5, 0), [5, 100, 100, 255]);
}

#[test]
fn rotate_moves_the_pixels() {
    let (_emulator, client) = setup();
    let out = image(&client, "gradient.png", "image/rotate,90/format,png");
    assert_eq!(out.dimensions(), (150, 200));
    // Clockwise: the source's bottom-left corner (0, 149) is now top-left.
    assert_eq!(rgba(&out, 0, 0), [0, 149, 100, 255]);
}

#[test]
fn circle_has_transparent_corners_or_white_ones_in_jpg() {
    let (_emulator, client) = setup();
    let p = as_png(Process::image().circle(50));
    let out = image(&client, "gradient.png", &p);
    assert_eq!(out.dimensions(), (100, 100));
    assert!(out.color().has_alpha());
    for (x, y) in [(0, 0), (99, 0), (0, 99), (99, 99), (5, 5)] {
        assert_eq!(rgba(&out, x, y)[3], 0, "({x}, {y}) is outside the circle");
    }
    // The centre is the source's centre, opaque: (50 + 50, 25 + 50).
    assert!(close(rgba(&out, 50, 50), [100, 75, 100, 255], 1));
    assert_eq!(rgba(&out, 50, 1)[3], 255);
    // A radius past half the short side is half the short side.
    let out = image(&client, "gradient.png", "image/circle,r_1000/format,png");
    assert_eq!(out.dimensions(), (150, 150));
    // JPG has no alpha: the corners are white.
    let out = image(&client, "gradient.png", "image/circle,r_50/format,jpg");
    assert!(close(rgba(&out, 1, 1), [255, 255, 255, 255], 6));
}

#[test]
fn rounded_corners_are_transparent_and_the_rest_is_kept() {
    let (_emulator, client) = setup();
    let p = as_png(Process::image().rounded_corners(30));
    let out = image(&client, "gradient.png", &p);
    assert_eq!(out.dimensions(), (200, 150));
    for (x, y) in [(0, 0), (199, 0), (0, 149), (199, 149), (4, 4)] {
        assert_eq!(rgba(&out, x, y)[3], 0, "({x}, {y})");
    }
    assert_eq!(rgba(&out, 100, 0), [100, 0, 100, 255]);
    assert_eq!(rgba(&out, 0, 75), [0, 75, 100, 255]);
    assert_eq!(rgba(&out, 30, 30), [30, 30, 100, 255]);
}

#[test]
fn blur_lowers_and_sharpen_raises_high_frequency_energy() {
    let (_emulator, client) = setup();
    let source = checkerboard(128, 96);
    let original = high_frequency_energy(&source);
    let p = as_png(Process::image().blur(Blur::new(10, 5)));
    let blurred = image(&client, "checker.png", &p);
    assert_eq!(blurred.dimensions(), (128, 96));
    let e = high_frequency_energy(&blurred);
    assert!(e < original * 0.3, "blur: {e:.2} against {original:.2}");
    // Stronger blur, lower energy.
    let more = high_frequency_energy(&image(
        &client,
        "checker.png",
        "image/blur,r_20,s_20/format,png",
    ));
    assert!(more < e, "{more:.2} !< {e:.2}");
    // Sharpening a blurred image brings edges back.
    let soft = image(&client, "checker.png", "image/blur,r_3,s_2/format,png");
    client
        .process_object(
            BUCKET,
            "checker.png",
            "image/blur,r_3,s_2/format,png|sys/saveas,o_c29mdC5wbmc",
        )
        .unwrap();
    let sharp = image(&client, "soft.png", "image/sharpen,300/format,png");
    let (soft_e, sharp_e) = (high_frequency_energy(&soft), high_frequency_energy(&sharp));
    assert!(
        sharp_e > soft_e * 1.1,
        "sharpen: {sharp_e:.2} against {soft_e:.2}"
    );
}

#[test]
fn bright_and_contrast_move_the_statistics_the_right_way() {
    let (_emulator, client) = setup();
    let fetch_stats = |process: &str| luma_stats(&image(&client, "gradient.png", process));
    let (mean, std) = fetch_stats("image/format,png");
    let (brighter, _) = fetch_stats("image/bright,40/format,png");
    let (darker, _) = fetch_stats("image/bright,-40/format,png");
    assert!(brighter > mean + 40.0, "{brighter:.1} against {mean:.1}");
    assert!(darker < mean - 40.0, "{darker:.1} against {mean:.1}");
    let (_, more) = fetch_stats("image/contrast,60/format,png");
    let (_, less) = fetch_stats("image/contrast,-60/format,png");
    assert!(more > std * 1.3, "{more:.1} against {std:.1}");
    assert!(less < std * 0.5, "{less:.1} against {std:.1}");
    let (_, flat) = fetch_stats("image/contrast,-100/format,png");
    assert!(flat < 0.5, "{flat}");
    let p = as_png(Process::image().bright(0).contrast(0));
    assert_eq!(luma_stats(&image(&client, "gradient.png", &p)), (mean, std));
}

#[test]
fn text_watermark_changes_the_pixels_where_the_text_sits() {
    let (_emulator, client) = setup();
    let inked = |img: &DynamicImage| -> Vec<(u32, u32)> {
        let rgb = img.to_rgb8();
        rgb.enumerate_pixels()
            .filter(|(_, _, p)| p.0.iter().any(|&c| c < 200))
            .map(|(x, y, _)| (x, y))
            .collect()
    };
    let bounds = |points: &[(u32, u32)]| {
        let xs = points.iter().map(|p| p.0);
        let ys = points.iter().map(|p| p.1);
        (
            xs.clone().min().unwrap(),
            ys.clone().min().unwrap(),
            xs.max().unwrap(),
            ys.max().unwrap(),
        )
    };
    // Default gravity: south-east, 10 px from the edges, black.
    let p = as_png(Process::image().watermark(Watermark::new().text("Hello OSS").size(30)));
    let out = image(&client, "white.png", &p);
    let ink = inked(&out);
    assert!(ink.len() > 200, "{} inked pixels", ink.len());
    let (x0, y0, x1, y1) = bounds(&ink);
    assert!(x1 < 290 && x1 > 270 && x0 > 120, "{x0} {y0} {x1} {y1}");
    assert!(y1 < 110 && y0 > 70, "{x0} {y0} {x1} {y1}");
    assert_eq!(rgba(&out, 5, 5), [255, 255, 255, 255]);
    // Red, north-west at 20 px, half transparent.
    let p = as_png(
        Process::image().watermark(
            Watermark::new()
                .text("Hi")
                .color("FF0000")
                .size(40)
                .gravity(Gravity::NorthWest)
                .x(20)
                .y(20)
                .transparency(50),
        ),
    );
    let out = image(&client, "white.png", &p);
    let (x0, y0, ..) = bounds(&inked(&out));
    assert!(
        (20..30).contains(&x0) && (20..40).contains(&y0),
        "{x0} {y0}"
    );
    let reddest = out
        .to_rgb8()
        .pixels()
        .map(|p| p.0)
        .min_by_key(|p| p[1])
        .unwrap();
    assert!(
        reddest[0] == 255 && (120..=135).contains(&reddest[1]),
        "{reddest:?}"
    );
    // Tiled over the whole image.
    let tiled = image(
        &client,
        "white.png",
        "image/watermark,text_eA,size_20,fill_1,x_10,y_10/format,png",
    );
    let ink = inked(&tiled);
    let (x0, y0, x1, y1) = bounds(&ink);
    assert!(
        x0 < 20 && y0 < 20 && x1 > 260 && y1 > 90,
        "{x0} {y0} {x1} {y1}"
    );
    // Rotated text covers a taller box than flat text.
    let flat = bounds(&inked(&image(
        &client,
        "white.png",
        "image/watermark,text_SGVsbG8,size_30,g_center/format,png",
    )));
    let turned = bounds(&inked(&image(
        &client,
        "white.png",
        "image/watermark,text_SGVsbG8,size_30,g_center,rotate_90/format,png",
    )));
    assert!(
        turned.3 - turned.1 > flat.3 - flat.1 + 30,
        "{flat:?} {turned:?}"
    );
}

#[test]
fn image_watermarks_come_from_the_bucket_and_line_up_with_text() {
    let (_emulator, client) = setup();
    let p = as_png(
        Process::image().watermark(
            Watermark::new()
                .image("logo.png")
                .gravity(Gravity::NorthWest)
                .x(10)
                .y(10),
        ),
    );
    let out = image(&client, "white.png", &p);
    assert_eq!(rgba(&out, 10, 10), [255, 0, 0, 255]);
    assert_eq!(rgba(&out, 29, 19), [255, 0, 0, 255]);
    assert_eq!(rgba(&out, 30, 10), [255, 255, 255, 255]);
    assert_eq!(rgba(&out, 9, 10), [255, 255, 255, 255]);
    // Scaled to fit 10 % of the main image (30 x 12 px): 24 x 12.
    let p = as_png(
        Process::image().watermark(
            Watermark::new()
                .image("logo.png?x-oss-process=image/resize,P_10")
                .gravity(Gravity::NorthWest)
                .x(0)
                .y(0),
        ),
    );
    let out = image(&client, "white.png", &p);
    assert_eq!(rgba(&out, 23, 11)[..3], [255, 0, 0]);
    assert_eq!(rgba(&out, 24, 5), [255, 255, 255, 255]);
    // Image then text, 5 px apart, bottom-aligned, in the south-west corner.
    let p = as_png(
        Process::image().watermark(
            Watermark::new()
                .image("logo.png")
                .text("ab")
                .size(30)
                .order(WatermarkOrder::ImageFirst)
                .align(WatermarkAlign::Bottom)
                .interval(5)
                .gravity(Gravity::SouthWest)
                .x(0)
                .y(0),
        ),
    );
    let out = image(&client, "white.png", &p);
    assert_eq!(rgba(&out, 0, 119), [255, 0, 0, 255]);
    assert_eq!(rgba(&out, 19, 110), [255, 0, 0, 255]);
    assert_eq!(rgba(&out, 22, 119), [255, 255, 255, 255]);
    // A missing watermark image is the missing object's error.
    let mut sink = Vec::new();
    let e = client
        .download_processed(
            BUCKET,
            "white.png",
            "image/watermark,image_bm9wZS5wbmc",
            &mut sink,
        )
        .unwrap_err();
    assert_eq!(e.code(), Some("NoSuchKey"));
}

#[test]
fn format_quality_and_interlace_shape_the_file() {
    let (_emulator, client) = setup();
    let magic = |format: &str| fetch(&client, "gradient.png", format!("image/format,{format}"));
    assert!(magic("png").starts_with(b"\x89PNG"));
    assert!(magic("jpg").starts_with(b"\xFF\xD8"));
    assert!(magic("gif").starts_with(b"GIF8"));
    assert!(magic("bmp").starts_with(b"BM"));
    let webp = magic("webp");
    assert!(webp.starts_with(b"RIFF") && &webp[8..12] == b"WEBP");
    // Lower quality, smaller file; Q (absolute) wins over q.
    let size = |q: Quality| {
        let p = Process::image()
            .quality(q)
            .format(Format::Jpg)
            .build()
            .unwrap();
        fetch(&client, "noise.png", &p).len()
    };
    let (low, high) = (size(Quality::absolute(10)), size(Quality::absolute(95)));
    assert!(low * 2 < high, "{low} {high}");
    // interlace,1: a progressive JPEG (SOF2), interlace,0 a baseline one (SOF0).
    let has = |bytes: &[u8], marker: u8| bytes.windows(2).any(|w| w == [0xFF, marker]);
    let progressive = fetch(&client, "gradient.png", "image/format,jpg/interlace,1");
    assert!(has(&progressive, 0xC2) && !has(&progressive, 0xC0));
    let decoded = image::load_from_memory(&progressive).unwrap();
    assert_eq!(decoded.dimensions(), (200, 150));
    assert!(close(rgba(&decoded, 100, 75), [100, 75, 100, 255], 8));
    let baseline = fetch(&client, "gradient.png", "image/format,jpg/interlace,0");
    assert!(has(&baseline, 0xC0) && !has(&baseline, 0xC2));
    let typed = Process::image()
        .interlace(true)
        .quality(Quality::absolute(80))
        .format(Format::Jpg)
        .build()
        .unwrap();
    assert!(has(&fetch(&client, "gradient.png", &typed), 0xC2));
    // PNG output: interlace is a JPG option (ignored by OSS too).
    assert!(fetch(&client, "gradient.png", "image/interlace,1").starts_with(b"\x89PNG"));
}

#[test]
fn what_cannot_be_honoured_is_refused_not_ignored() {
    let (_emulator, client) = setup();
    let nested = format!(
        "image/watermark,image_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode("logo.png?x-oss-process=image/rotate,90")
    );
    for (process, says) in [
        ("image/format,tiff", "tiff"),
        ("image/format,avif", "avif"),
        ("image/format,webp/quality,q_80", "WebP"),
        ("image/watermark,text_5rC05Y2w", "U+6C34"),
        ("image/watermark,text_eA,type_YXJpYWw", "arial"),
        (nested.as_str(), "P_"),
    ] {
        let message = refused(&client, "gradient.png", process);
        assert!(message.contains(says), "{process}: {message}");
    }
    // Every OSS font name is accepted (drawn with the embedded font).
    for font in ["wqy-zenhei", "fangzhengheiti", "droidsansfallback"] {
        let p = Process::image()
            .watermark(Watermark::new().text("ok").font(font))
            .build()
            .unwrap();
        fetch(&client, "white.png", &p);
    }
}

#[test]
fn info_reports_the_processed_size() {
    let (_emulator, client) = setup();
    let body = fetch(&client, "gradient.png", "image/circle,r_40/info");
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains("\"ImageWidth\": {\"value\": \"80\"}"),
        "{text}"
    );
    let hue = client.average_hue(BUCKET, "gradient.png").unwrap();
    assert_eq!(hue.blue(), 100);
    // A JPEG source stays JPEG without a format action.
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .write_image(
            checkerboard(64, 64).to_rgb8().as_raw(),
            64,
            64,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    _emulator.put_object(BUCKET, "c.jpg", &jpeg).unwrap();
    assert!(fetch(&client, "c.jpg", "image/sharpen,100").starts_with(b"\xFF\xD8"));
}
