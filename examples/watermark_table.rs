//! Prints the round-trip table of the emulator's blind watermark
//! (`oss_process::emulator::watermark`), run in release:
//!
//! ```text
//! cargo run --release --features emulator --example watermark_table [TEXTS_PER_BUCKET]
//! ```
//!
//! For every strength, test photo (512 and 1024 px on the long side) and
//! text-length bucket, random-byte texts are embedded, attacked and decoded;
//! each cell is the exact-recovery rate and the mean raw bit error rate of
//! the payload before error correction.
use std::time::{Duration, Instant};

use image::imageops::FilterType;
use image::{DynamicImage, GenericImageView};
use oss_process::emulator::watermark::{self, Strength};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + ((self.next() as u128 * (hi - lo + 1) as u128) >> 64) as usize
    }
}

fn jpeg(img: &DynamicImage, quality: u8) -> DynamicImage {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality)
        .encode_image(&img.to_rgb8())
        .expect("jpeg encode");
    image::load_from_memory_with_format(&buf, image::ImageFormat::Jpeg).expect("jpeg decode")
}

fn scale(img: &DynamicImage, f: f64) -> DynamicImage {
    let (w, h) = img.dimensions();
    let nw = ((f64::from(w) * f).round() as u32).max(1);
    let nh = ((f64::from(h) * f).round() as u32).max(1);
    img.resize_exact(nw, nh, FilterType::Lanczos3)
}

fn crop(img: &DynamicImage, frac: f64) -> DynamicImage {
    let (w, h) = img.dimensions();
    let (dx, dy) = (
        (f64::from(w) * frac / 2.0) as u32,
        (f64::from(h) * frac / 2.0) as u32,
    );
    img.crop_imm(dx, dy, w - 2 * dx, h - 2 * dy)
}

type Attack = (&'static str, fn(&DynamicImage) -> DynamicImage);

const ATTACKS: [Attack; 13] = [
    ("none", |i| i.clone()),
    ("JPEG 90", |i| jpeg(i, 90)),
    ("JPEG 80", |i| jpeg(i, 80)),
    ("JPEG 70", |i| jpeg(i, 70)),
    ("JPEG 50", |i| jpeg(i, 50)),
    ("JPEG 30", |i| jpeg(i, 30)),
    ("JPEG 20", |i| jpeg(i, 20)),
    ("resize 75%", |i| scale(i, 0.75)),
    ("resize 50%", |i| scale(i, 0.5)),
    ("resize 25%", |i| scale(i, 0.25)),
    ("50% + JPEG 70", |i| jpeg(&scale(i, 0.5), 70)),
    ("contrast +10%", |i| i.adjust_contrast(10.0)),
    ("crop 2%", |i| crop(i, 0.02)),
];

const PHOTOS: [&str; 4] = ["astronaut", "coffee", "chelsea", "rocket"];
const BUCKETS: [(usize, usize); 3] = [(1, 16), (17, 64), (65, 256)];

#[derive(Default, Clone)]
struct Cell {
    n: usize,
    exact: usize,
    ber: f64,
}

fn main() {
    let per_bucket: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let mut rng = Rng(2026);
    println!("Texts per photo, size and length bucket: {per_bucket} (random bytes).");
    println!("Cells: exact recoveries / texts, then mean raw payload BER before ECC.\n");
    let mut psnr_rows = Vec::new();
    let mut timing: Vec<(String, Duration, usize, Duration, usize)> = Vec::new();
    for strength in [Strength::Low, Strength::Medium, Strength::High] {
        println!("### Strength {strength:?}\n");
        let mut header = String::from("| size | bytes |");
        let mut rule = String::from("|---|---|");
        for (name, _) in ATTACKS {
            header += &format!(" {name} |");
            rule += "---|";
        }
        println!("{header}\n{rule}");
        for size in [512u32, 1024] {
            let mut cells = vec![vec![Cell::default(); ATTACKS.len()]; BUCKETS.len()];
            let (mut t_embed, mut n_embed, mut t_decode, mut n_decode) =
                (Duration::ZERO, 0, Duration::ZERO, 0);
            for photo in PHOTOS {
                let path = format!(
                    "{}/tests/data/photos/{photo}.jpg",
                    env!("CARGO_MANIFEST_DIR")
                );
                let full = image::open(&path).expect("photo");
                let orig = if size == 1024 {
                    full
                } else {
                    full.resize(size, size, FilterType::Lanczos3)
                };
                let mut psnr_sum = 0.0;
                let mut psnr_min = f64::INFINITY;
                let mut count = 0;
                for (b, &(lo, hi)) in BUCKETS.iter().enumerate() {
                    for _ in 0..per_bucket {
                        let len = rng.range(lo, hi);
                        let text: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                        let t0 = Instant::now();
                        let marked = watermark::embed(&orig, &text, strength).expect("embed");
                        t_embed += t0.elapsed();
                        n_embed += 1;
                        let p = watermark::psnr(&orig, &marked).expect("same size");
                        psnr_sum += p;
                        psnr_min = psnr_min.min(p);
                        count += 1;
                        for (a, (_, attack)) in ATTACKS.iter().enumerate() {
                            let attacked = attack(&marked);
                            let t0 = Instant::now();
                            let got = watermark::decode(&attacked, strength);
                            if a == 0 {
                                t_decode += t0.elapsed();
                                n_decode += 1;
                            }
                            if let Ok(ref g) = got {
                                assert_eq!(g, &text, "a decode returned a wrong text");
                            }
                            let cell = &mut cells[b][a];
                            cell.n += 1;
                            cell.exact += usize::from(got.is_ok());
                            cell.ber += watermark::raw_bit_error_rate(&attacked, &text, strength)
                                .unwrap_or(0.5);
                        }
                    }
                }
                psnr_rows.push(format!(
                    "| {strength:?} | {size} | {photo} | {:.2} | {:.2} |",
                    psnr_sum / count as f64,
                    psnr_min
                ));
            }
            for (b, &(lo, hi)) in BUCKETS.iter().enumerate() {
                let mut row = format!("| {size} | {lo}-{hi} |");
                for c in &cells[b] {
                    row += &format!(" {}/{} ({:.4}) |", c.exact, c.n, c.ber / c.n.max(1) as f64);
                }
                println!("{row}");
            }
            timing.push((
                format!("{strength:?} {size}"),
                t_embed,
                n_embed,
                t_decode,
                n_decode,
            ));
        }
        println!();
    }
    println!("### PSNR (RGB, all channels, against the unmarked photo)\n");
    println!("| strength | size | photo | mean dB | min dB |\n|---|---|---|---|---|");
    for r in psnr_rows {
        println!("{r}");
    }
    println!(
        "\n### Timing (this build)\n\n| strength, size | embed ms | decode ms (unattacked) |\n|---|---|---|"
    );
    for (name, te, ne, td, nd) in timing {
        println!(
            "| {name} | {:.1} | {:.1} |",
            te.as_secs_f64() * 1000.0 / ne.max(1) as f64,
            td.as_secs_f64() * 1000.0 / nd.max(1) as f64
        );
    }
}
