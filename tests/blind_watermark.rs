//! End-to-end checks of the blind watermark on real photographs
//! (tests/data/photos, public domain / CC0, see LICENSE.md there).
//!
//! Texts are random bytes (any value 0..=255, not necessarily UTF-8) from a
//! seeded SplitMix64, so every run is identical.
//!
//! The watermark code needs optimising to run these in about a minute:
//! Cargo.toml sets opt-level 1 for this crate and 2 for its dependencies in
//! the dev profile.

#![cfg(feature = "emulator")]

mod common;

use image::imageops::FilterType;
use image::{DynamicImage, GenericImageView, ImageBuffer, Rgb, Rgba};
use oss_process::emulator::watermark::{self, Strength, WatermarkError};

const PHOTOS: [&str; 4] = ["astronaut", "coffee", "chelsea", "rocket"];
const TEXTS: usize = 40;
const MIN_EXACT: usize = 38;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// A test photo with its longest side resized to `size` (stored at 1024).
fn photo(name: &str, size: u32) -> DynamicImage {
    let path = format!(
        "{}/tests/data/photos/{name}.jpg",
        env!("CARGO_MANIFEST_DIR")
    );
    let img = image::open(&path).expect("test photo");
    if img.width().max(img.height()) == size {
        img
    } else {
        img.resize(size, size, FilterType::Lanczos3)
    }
}

fn jpeg(img: &DynamicImage, quality: u8) -> DynamicImage {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality)
        .encode_image(&img.to_rgb8())
        .expect("jpeg encode");
    image::load_from_memory_with_format(&buf, image::ImageFormat::Jpeg).expect("jpeg decode")
}

/// Both sides halved; the decoder gets the small picture as it is.
fn half(img: &DynamicImage) -> DynamicImage {
    let (w, h) = img.dimensions();
    img.resize_exact(w.div_ceil(2), h.div_ceil(2), FilterType::Lanczos3)
}

type Attack = (&'static str, fn(&DynamicImage) -> DynamicImage);

const ATTACKS: [Attack; 5] = [
    ("none", |i| i.clone()),
    ("jpeg90", |i| jpeg(i, 90)),
    ("jpeg80", |i| jpeg(i, 80)),
    ("jpeg70", |i| jpeg(i, 70)),
    ("half", half),
];

fn roundtrip(name: &str, size: u32, seed: u64) {
    let orig = photo(name, size);
    let mut rng = Rng(seed);
    let mut exact = [0usize; ATTACKS.len()];
    let mut min_psnr = f64::INFINITY;
    for _ in 0..TEXTS {
        let len = 1 + rng.below(64);
        let text = rng.bytes(len);
        let marked = watermark::embed(&orig, &text, Strength::Low).expect("embed");
        assert_eq!(marked.dimensions(), orig.dimensions());
        assert_eq!(marked.color(), orig.color());
        let p = common::psnr(&orig, &marked);
        min_psnr = min_psnr.min(p);
        assert!(
            p >= 38.0,
            "{name}@{size}: PSNR {p:.2} dB < 38 for a {len}-byte text"
        );
        for (i, (_, attack)) in ATTACKS.iter().enumerate() {
            match watermark::decode(&attack(&marked), Strength::Low) {
                Ok(got) if got == text => exact[i] += 1,
                Ok(got) => panic!(
                    "{name}@{size} {}: wrong text {got:?} != {text:?}",
                    ATTACKS[i].0
                ),
                Err(WatermarkError::NotFound) => {}
                Err(e) => panic!("{name}@{size} {}: unexpected error {e}", ATTACKS[i].0),
            }
        }
    }
    let row: Vec<String> = ATTACKS
        .iter()
        .zip(&exact)
        .map(|((n, _), c)| format!("{n} {c}/{TEXTS}"))
        .collect();
    eprintln!(
        "{name}@{size}: min PSNR {min_psnr:.2} dB | {}",
        row.join(" | ")
    );
    for ((n, _), &c) in ATTACKS.iter().zip(&exact) {
        assert!(c >= MIN_EXACT, "{name}@{size} {n}: only {c}/{TEXTS} exact");
    }
}

#[test]
fn roundtrip_astronaut_512() {
    roundtrip("astronaut", 512, 11);
}
#[test]
fn roundtrip_astronaut_1024() {
    roundtrip("astronaut", 1024, 12);
}
#[test]
fn roundtrip_coffee_512() {
    roundtrip("coffee", 512, 21);
}
#[test]
fn roundtrip_coffee_1024() {
    roundtrip("coffee", 1024, 22);
}
#[test]
fn roundtrip_chelsea_512() {
    roundtrip("chelsea", 512, 31);
}
#[test]
fn roundtrip_chelsea_1024() {
    roundtrip("chelsea", 1024, 32);
}
#[test]
fn roundtrip_rocket_512() {
    roundtrip("rocket", 512, 41);
}
#[test]
fn roundtrip_rocket_1024() {
    roundtrip("rocket", 1024, 42);
}

/// 256-byte texts on 1024-px photos, as stored and after JPEG 90.
#[test]
fn long_texts_1024() {
    let mut rng = Rng(256);
    for name in PHOTOS {
        let orig = photo(name, 1024);
        for _ in 0..2 {
            let text = rng.bytes(256);
            let marked = watermark::embed(&orig, &text, Strength::Low).expect("embed");
            assert!(common::psnr(&orig, &marked) >= 38.0);
            assert_eq!(
                watermark::decode(&marked, Strength::Low).as_deref(),
                Ok(&text[..]),
                "{name}"
            );
            assert_eq!(
                watermark::decode(&jpeg(&marked, 90), Strength::Low).as_deref(),
                Ok(&text[..]),
                "{name} jpeg90"
            );
        }
    }
}

/// 256 CJK characters are 768 UTF-8 bytes: they fit a 1024-px photo.
#[test]
fn utf8_text_of_256_chinese_characters() {
    let text: String = "阿里云版权所有".chars().cycle().take(256).collect();
    assert_eq!(text.len(), 768);
    let orig = photo("coffee", 1024);
    assert!(watermark::capacity(orig.width(), orig.height(), Strength::Low) >= 768);
    let marked = watermark::embed(&orig, text.as_bytes(), Strength::Low).expect("embed");
    let got = watermark::decode(&jpeg(&marked, 90), Strength::Low).expect("decode");
    assert_eq!(String::from_utf8(got).as_deref(), Ok(text.as_str()));
}

#[test]
fn medium_and_high_roundtrip() {
    let orig = photo("chelsea", 512);
    let text = b"oss-process medium/high";
    let mut last = f64::INFINITY;
    for s in [Strength::Low, Strength::Medium, Strength::High] {
        let marked = watermark::embed(&orig, text, s).expect("embed");
        let p = common::psnr(&orig, &marked);
        assert!(
            p < last,
            "{s:?} should distort more than the weaker strength"
        );
        last = p;
        assert_eq!(
            watermark::decode(&jpeg(&marked, 50), s).as_deref(),
            Ok(&text[..]),
            "{s:?}"
        );
    }
}

#[test]
fn unmarked_photos_are_not_found() {
    for name in PHOTOS {
        for size in [512, 1024] {
            let img = photo(name, size);
            for s in [Strength::Low, Strength::Medium, Strength::High] {
                assert_eq!(
                    watermark::decode(&img, s),
                    Err(WatermarkError::NotFound),
                    "{name}@{size} {s:?}"
                );
            }
            assert_eq!(
                watermark::decode(&jpeg(&img, 70), Strength::Low),
                Err(WatermarkError::NotFound)
            );
        }
    }
}

/// The strength given to the decoder is tried first, but a mark embedded at
/// another strength is still found (and is never misread).
#[test]
fn other_strengths_are_found() {
    let orig = photo("rocket", 512);
    for (embed_s, decode_s) in [
        (Strength::Low, Strength::High),
        (Strength::High, Strength::Low),
        (Strength::Medium, Strength::Low),
    ] {
        let marked = watermark::embed(&orig, b"strength", embed_s).expect("embed");
        assert_eq!(
            watermark::decode(&jpeg(&marked, 80), decode_s).as_deref(),
            Ok(&b"strength"[..]),
            "{embed_s:?} read as {decode_s:?}"
        );
    }
}

#[test]
fn refuses_bad_sizes() {
    let text = b"x";
    let rgb = |w, h| {
        DynamicImage::ImageRgb8(ImageBuffer::from_fn(w, h, |x, y| {
            Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, 99])
        }))
    };
    assert!(matches!(
        watermark::embed(&rgb(79, 200), text, Strength::Low),
        Err(WatermarkError::TooSmall {
            width: 79,
            height: 200,
            min: 80
        })
    ));
    assert!(matches!(
        watermark::embed(&rgb(200, 79), text, Strength::Low),
        Err(WatermarkError::TooSmall { .. })
    ));
    assert!(matches!(
        watermark::embed(&rgb(301, 150), text, Strength::Low),
        Err(WatermarkError::BadAspectRatio {
            width: 301,
            height: 150
        })
    ));
    assert!(matches!(
        watermark::embed(&rgb(100, 201), text, Strength::Low),
        Err(WatermarkError::BadAspectRatio { .. })
    ));
    assert!(matches!(
        watermark::embed(&rgb(10_001, 80), text, Strength::Low),
        Err(WatermarkError::TooLarge { .. })
    ));
    assert_eq!(watermark::capacity(79, 79, Strength::Low), 0);
    assert_eq!(watermark::capacity(400, 100, Strength::Low), 0);
    // Exactly 1:2 is accepted.
    assert!(watermark::embed(&rgb(300, 150), text, Strength::Low).is_ok());
    let msg = watermark::embed(&rgb(50, 50), text, Strength::Low)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("80x80"), "{msg}");
}

#[test]
fn refuses_uniform_images() {
    let text = b"hello";
    for v in [0u8, 255, 128] {
        let img = DynamicImage::ImageRgb8(ImageBuffer::from_pixel(300, 300, Rgb([v, v, v])));
        assert!(
            matches!(
                watermark::embed(&img, text, Strength::Low),
                Err(WatermarkError::Uniform { .. })
            ),
            "{v}"
        );
    }
    // Nearly white: +-1 level of noise.
    let mut rng = Rng(3);
    let img = DynamicImage::ImageRgb8(ImageBuffer::from_fn(300, 200, |_, _| {
        let v = 254 - (rng.next() % 2) as u8;
        Rgb([v, v, v])
    }));
    let err = watermark::embed(&img, text, Strength::Low).unwrap_err();
    assert!(matches!(err, WatermarkError::Uniform { .. }));
    assert!(err.to_string().contains("flat"), "{err}");
    // Decoding a flat picture is simply "not found".
    assert_eq!(
        watermark::decode(&img, Strength::Low),
        Err(WatermarkError::NotFound)
    );
}

#[test]
fn refuses_empty_and_too_long_texts() {
    let img = photo("astronaut", 512);
    assert_eq!(
        watermark::embed(&img, b"", Strength::Low).unwrap_err(),
        WatermarkError::EmptyText
    );
    let cap = watermark::capacity(512, 512, Strength::Low);
    assert!(cap >= 256, "capacity {cap}");
    let too_long = vec![b'a'; cap + 1];
    assert_eq!(
        watermark::embed(&img, &too_long, Strength::Low).unwrap_err(),
        WatermarkError::TooLong {
            len: cap + 1,
            max: cap
        }
    );
    assert!(watermark::capacity(10_000, 10_000, Strength::High) <= 1024);
    assert!(watermark::capacity(80, 80, Strength::Low) >= 16);
}

#[test]
fn colour_types_are_kept() {
    let base = photo("chelsea", 512);
    let text = b"colour types";
    let alpha =
        DynamicImage::ImageRgba8(ImageBuffer::from_fn(base.width(), base.height(), |x, y| {
            let p = base.get_pixel(x, y);
            Rgba([p[0], p[1], p[2], ((x + y) % 256) as u8])
        }));
    let variants = [
        DynamicImage::ImageLuma8(base.to_luma8()),
        DynamicImage::ImageLumaA8(base.to_luma_alpha8()),
        alpha,
        DynamicImage::ImageRgb16(base.to_rgb16()),
        DynamicImage::ImageRgba32F(base.to_rgba32f()),
    ];
    for img in variants {
        let marked = watermark::embed(&img, text, Strength::Low).expect("embed");
        assert_eq!(marked.color(), img.color());
        if let (DynamicImage::ImageRgba8(a), DynamicImage::ImageRgba8(b)) = (&img, &marked) {
            assert!(
                a.pixels().zip(b.pixels()).all(|(p, q)| p[3] == q[3]),
                "alpha must be untouched"
            );
        }
        assert_eq!(
            watermark::decode(&marked, Strength::Low).as_deref(),
            Ok(&text[..]),
            "{:?}",
            img.color()
        );
        assert_eq!(
            watermark::decode(&jpeg(&marked, 80), Strength::Low).as_deref(),
            Ok(&text[..]),
            "{:?}",
            img.color()
        );
    }
}

#[test]
fn odd_and_tiny_sizes_do_not_panic() {
    let mut rng = Rng(9);
    for (w, h) in [
        (80u32, 80u32),
        (81, 161),
        (257, 129),
        (333, 511),
        (513, 300),
        (160, 80),
    ] {
        let img = DynamicImage::ImageRgb8(ImageBuffer::from_fn(w, h, |x, y| {
            let v = ((x * 3 + y * 5) % 200) as u8 + (rng.next() % 40) as u8;
            Rgb([v, v / 2, 255 - v])
        }));
        let cap = watermark::capacity(w, h, Strength::Low);
        let text = rng.bytes(cap.min(16));
        let marked = watermark::embed(&img, &text, Strength::Low).expect("embed");
        assert_eq!(
            watermark::decode(&marked, Strength::Low).as_deref(),
            Ok(&text[..]),
            "{w}x{h}"
        );
    }
    for (w, h) in [(0u32, 0u32), (1, 1), (31, 500), (40, 40), (3, 9000)] {
        let img = DynamicImage::ImageRgb8(ImageBuffer::from_pixel(w, h, Rgb([10, 200, 30])));
        assert!(watermark::decode(&img, Strength::Low).is_err());
        assert!(watermark::embed(&img, b"x", Strength::Low).is_err());
    }
}
