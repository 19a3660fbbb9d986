//! Invisible ("blind") text watermark for `image/blindwatermark` and
//! `image/deblindwatermark`.
//!
//! **Scheme.** The luma (Rec. 601 Y) plane is resampled with a Lanczos-3
//! low-pass filter onto a working grid defined relative to the picture: 32
//! blocks of 8x8 samples on the long side (16 blocks below 512 px, 8 below
//! 128 px), the short side proportional. In every block the 18 DCT
//! coefficients with `2 <= u + v <= 5` are slots; a fixed-key pseudo-random
//! permutation deals them out to the bits, so every bit owns coefficients
//! scattered over the whole picture. Each bit is embedded by spread-transform
//! dither modulation (STDM, a quantisation index modulation): the signed sum
//! of its coefficients is moved to the nearest even or odd point of a
//! dithered lattice whose step is set by the strength; the change is spread
//! over the bit's coefficients in proportion to a visual-masking weight
//! (texture activity, less near black and white). A tenth of the slots carries
//! the text length (1..=1024 bytes) as a 512-bit first-order Reed-Muller
//! (biorthogonal) codeword, decoded by maximum likelihood with a fast
//! Hadamard transform; the rest carries the text and a CRC-32 (over a magic
//! string, the length and the text) under Reed-Solomon codes over GF(256) of
//! rate about 1/2, decoded from soft decisions (errors only, then
//! errors-and-erasures on the least reliable bytes). The change is made on
//! the grid, interpolated back to full resolution and added equally to R, G
//! and B (alpha untouched), in three closed-loop passes so that what a
//! decoder measures after rounding and clipping is what was intended.
//!
//! **Why it survives.** The decoder needs only the picture: it resamples it
//! onto the same grid (a proportional resize lands on the same samples), and
//! searches the lattice scale (the three strengths times gains of 0.7..1.3),
//! which also absorbs contrast changes and resize-filter attenuation. The
//! frequencies used are low (periods of 1/16 to 1/80 of the long side), where
//! JPEG quantises finely and resize filters are flat; each bit averages many
//! scattered blocks, so local damage and clipping are diluted; the codes fix
//! what is left. Anything that fails the Reed-Solomon decode or the CRC is
//! reported as [`WatermarkError::NotFound`], never as a text.
//!
//! **What it does not survive.** Cropping, padding, rotation, flips, or any
//! geometric change other than a proportional resize of the whole picture
//! (the grid no longer lines up); nearest-neighbour downscaling of small
//! pictures (sub-pixel shift); resizing below about one pixel per grid sample
//! (below 256 px for pictures of 512 px and more); non-linear tone changes
//! such as strong gamma; JPEG below quality 20-30 at 512 px.

mod dct;
mod ecc;
mod layout;
mod resample;

use std::fmt;

use image::DynamicImage;

use dct::Dct8;
use ecc::{Biorthogonal, ReedSolomon, crc32};
use layout::{
    COEFS, CRC_BYTES, Grid, HEADER_M, LONG_BLOCKS, Plan, Spread, dither, grid_for, header_slots,
    long_blocks_for, plan,
};
use resample::{Axis, Delta, Interp, Sample, View};

/// Smallest accepted width and height for embedding (pixels).
pub const MIN_SIDE: u32 = 80;
/// Largest accepted width and height (pixels).
pub const MAX_SIDE: u32 = 10_000;
/// Longest text, in bytes, the length header can describe. The real limit for
/// a given picture is [`capacity`].
pub const MAX_TEXT_BYTES: usize = 1024;
/// Images whose luma standard deviation is below this (in 0..=255 levels) are
/// refused as uniform.
pub const MIN_LUMA_STD_DEV: f64 = 2.0;

/// Smallest side the decoder looks at (a 50 % resize of the embed minimum).
const DECODE_MIN_SIDE: u32 = 32;
/// Magic string mixed into the CRC: a text only decodes if it was embedded by this scheme.
const MAGIC: &[u8] = b"oss-process blind watermark v1";
/// Visual masking: per-block weights follow (activity / median)^MASK_GAMMA ...
const MASK_GAMMA: f32 = 0.7;
/// ... clamped to this range, times a brightness factor ...
const MASK_RANGE: (f32, f32) = (0.3, 2.5);
/// ... then flattened until the energy cost factor mean(m^2) / mean(m)^2 is
/// at most this (the lattice step is reduced by it to keep the PSNR).
const MASK_MAX_COST: f32 = 1.35;
/// Pixels of picture per coded payload bit at least (limits the capacity of
/// small pictures, whose grid is coarse anyway).
const PIXELS_PER_BIT: usize = 8;
/// Closed-loop refinement passes at embed time.
const PASSES: usize = 3;
/// Header candidates (by likelihood) tried by the decoder.
const HEADER_TRIES: usize = 3;
/// Coefficient gains the decoder considers (contrast changes, resize filters).
const GAINS: [f32; 13] = [
    1.0, 0.95, 1.05, 0.9, 1.1, 0.85, 1.15, 0.8, 1.2, 0.75, 1.25, 0.7, 1.3,
];
/// Best-ranked lattice scales whose header candidates are tried.
const SCALE_TRIES: usize = 3;

/// Embedding strength (`s_` parameter): a stronger watermark is more robust
/// and more visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Strength {
    /// Default: about 39 dB PSNR on photographs (never below 38 in the tests).
    #[default]
    Low,
    /// About 36 dB PSNR.
    Medium,
    /// About 33 dB PSNR.
    High,
}

impl Strength {
    /// Mean squared change per luma sample aimed at (levels squared).
    fn target_mse(self) -> f32 {
        match self {
            Strength::Low => 8.0,
            Strength::Medium => 16.0,
            Strength::High => 32.0,
        }
    }

    /// Lattice step per coefficient: STDM spreads a uniform error of
    /// `step^2 / 12` per coefficient; `COEFS.len()` of 64 coefficients per
    /// block are used.
    fn step(self) -> f32 {
        let per_coef = self.target_mse() * 64.0 / COEFS.len() as f32 / MASK_MAX_COST;
        (12.0 * per_coef).sqrt()
    }
}

/// Why a watermark could not be embedded or found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WatermarkError {
    /// A side is below the minimum.
    TooSmall {
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
        /// Minimum accepted side.
        min: u32,
    },
    /// A side is above the maximum.
    TooLarge {
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
        /// Maximum accepted side.
        max: u32,
    },
    /// The short side is less than half the long side.
    BadAspectRatio {
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
    },
    /// The picture is (nearly) a single flat colour, such as solid black or white.
    Uniform {
        /// Measured standard deviation of the luma, 0..=255 levels.
        luma_std_dev: f64,
    },
    /// The text is empty.
    EmptyText,
    /// The text does not fit this picture at this strength.
    TooLong {
        /// Text length in bytes.
        len: usize,
        /// Largest length that fits, in bytes.
        max: usize,
    },
    /// No watermark embedded with this strength was found.
    NotFound,
}

impl fmt::Display for WatermarkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WatermarkError::TooSmall { width, height, min } => write!(
                f,
                "image is {width}x{height}: a blind watermark needs at least {min}x{min} pixels"
            ),
            WatermarkError::TooLarge { width, height, max } => write!(
                f,
                "image is {width}x{height}: a blind watermark allows at most {max}x{max} pixels"
            ),
            WatermarkError::BadAspectRatio { width, height } => write!(
                f,
                "image is {width}x{height}: the short side must be at least half the long side (1:2)"
            ),
            WatermarkError::Uniform { luma_std_dev } => write!(
                f,
                "image is nearly a single flat colour (luma std-dev {luma_std_dev:.2} < {MIN_LUMA_STD_DEV}): solid black or white images cannot carry a blind watermark"
            ),
            WatermarkError::EmptyText => write!(f, "watermark text is empty"),
            WatermarkError::TooLong { len, max } => write!(
                f,
                "watermark text is {len} bytes: at most {max} bytes fit this image at this strength"
            ),
            WatermarkError::NotFound => write!(f, "no blind watermark found"),
        }
    }
}

impl std::error::Error for WatermarkError {}

/// Checks the embed limits on the dimensions.
fn check_dims(width: u32, height: u32) -> Result<(), WatermarkError> {
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(WatermarkError::TooLarge {
            width,
            height,
            max: MAX_SIDE,
        });
    }
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(WatermarkError::TooSmall {
            width,
            height,
            min: MIN_SIDE,
        });
    }
    let (long, short) = (width.max(height), width.min(height));
    if u64::from(short) * 2 < u64::from(long) {
        return Err(WatermarkError::BadAspectRatio { width, height });
    }
    Ok(())
}

/// Largest text, in bytes, that [`embed`] accepts for a `width x height`
/// image (0 if the size itself is refused). The same for every strength:
/// strength changes robustness, not room.
pub fn capacity(width: u32, height: u32, strength: Strength) -> usize {
    let _ = strength;
    if check_dims(width, height).is_err() {
        return 0;
    }
    let (w, h) = (width as usize, height as usize);
    let Some(grid) = grid_for(w, h, long_blocks_for(w.max(h)), false) else {
        return 0;
    };
    let max_bits = w * h / PIXELS_PER_BIT;
    capacity_for(grid.slots() - header_slots(grid.slots()), max_bits)
}

/// Longest text whose plan fits `payload_slots` slots and at most `max_bits` coded bits.
fn capacity_for(payload_slots: usize, max_bits: usize) -> usize {
    (1..=MAX_TEXT_BYTES)
        .rev()
        .find(|&len| plan(len, payload_slots).is_some_and(|p| p.nbits() <= max_bits))
        .unwrap_or(0)
}

/// Borrowed view of any supported pixel layout.
enum AnyView<'a> {
    U8(View<'a, u8>),
    U16(View<'a, u16>),
    F32(View<'a, f32>),
}

/// A view of the first `w * h * ch` samples of `data`, if it has that many.
fn view<T>(data: &[T], w: usize, h: usize, ch: usize) -> Option<View<'_, T>> {
    let needed = w.checked_mul(h)?.checked_mul(ch)?;
    Some(View {
        data: data.get(..needed)?,
        width: w,
        height: h,
        channels: ch,
    })
}

/// View of a picture in one of the supported layouts (`None` for others).
fn view_of(img: &DynamicImage) -> Option<AnyView<'_>> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let ch = usize::from(img.color().channel_count());
    Some(match img {
        DynamicImage::ImageLuma8(b) => AnyView::U8(view(b, w, h, ch)?),
        DynamicImage::ImageLumaA8(b) => AnyView::U8(view(b, w, h, ch)?),
        DynamicImage::ImageRgb8(b) => AnyView::U8(view(b, w, h, ch)?),
        DynamicImage::ImageRgba8(b) => AnyView::U8(view(b, w, h, ch)?),
        DynamicImage::ImageLuma16(b) => AnyView::U16(view(b, w, h, ch)?),
        DynamicImage::ImageLumaA16(b) => AnyView::U16(view(b, w, h, ch)?),
        DynamicImage::ImageRgb16(b) => AnyView::U16(view(b, w, h, ch)?),
        DynamicImage::ImageRgba16(b) => AnyView::U16(view(b, w, h, ch)?),
        DynamicImage::ImageRgb32F(b) => AnyView::F32(view(b, w, h, ch)?),
        DynamicImage::ImageRgba32F(b) => AnyView::F32(view(b, w, h, ch)?),
        _ => return None,
    })
}

/// Resamplers between one image size and one grid.
struct Geometry {
    ax: Axis,
    ay: Axis,
    grid: Grid,
}

impl Geometry {
    fn new(w: usize, h: usize, grid: Grid) -> Self {
        Self {
            ax: Axis::lanczos(w, grid.gw()),
            ay: Axis::lanczos(h, grid.gh()),
            grid,
        }
    }
}

/// Coefficient values of every slot (indexed by slot id) of a luma grid.
fn slot_values(dct: &Dct8, grid: Grid, luma: &[f32]) -> Vec<f32> {
    let gw = grid.gw();
    let mut out = Vec::with_capacity(grid.slots());
    let mut block = [0f32; 64];
    for by in 0..grid.nby {
        for bx in 0..grid.nbx {
            for y in 0..8 {
                let src = &luma[(by * 8 + y) * gw + bx * 8..(by * 8 + y) * gw + bx * 8 + 8];
                block[y * 8..y * 8 + 8].copy_from_slice(src);
            }
            let c = dct.forward(&block);
            out.extend(COEFS.iter().map(|&(u, v)| c[u * 8 + v]));
        }
    }
    out
}

/// Adds the inverse DCT of per-slot coefficient changes to a luma-domain grid.
fn add_slot_changes(dct: &Dct8, grid: Grid, changes: &[f32], out: &mut [f32]) {
    let gw = grid.gw();
    let k = COEFS.len();
    for by in 0..grid.nby {
        for bx in 0..grid.nbx {
            let b = by * grid.nbx + bx;
            let mut coef = [0f32; 64];
            let mut any = false;
            for (i, &(u, v)) in COEFS.iter().enumerate() {
                let c = changes[b * k + i];
                coef[u * 8 + v] = c;
                any |= c != 0.0;
            }
            if !any {
                continue;
            }
            let px = dct.inverse(&coef);
            for y in 0..8 {
                let dst = &mut out[(by * 8 + y) * gw + bx * 8..(by * 8 + y) * gw + bx * 8 + 8];
                for (d, &s) in dst.iter_mut().zip(&px[y * 8..y * 8 + 8]) {
                    *d += s;
                }
            }
        }
    }
}

/// Visual-masking weight of each block: texture activity measured on 4x4
/// sub-tiles, of which the calmest decides (an edge through a flat block
/// does not hide anything), times a brightness factor that spares
/// near-black and near-white blocks, where changes clip.
fn block_weights<T: Sample>(view: &View<'_, T>, grid: Grid) -> Vec<f32> {
    const SUB: usize = 4;
    let (nbx, nby) = (grid.nbx, grid.nby);
    let fine = resample::activity(view, nbx * SUB, nby * SUB);
    let mut act = vec![0f32; nbx * nby];
    let mut bright = vec![0f32; nbx * nby];
    for by in 0..nby {
        for bx in 0..nbx {
            let mut acts: Vec<f32> = Vec::with_capacity(SUB * SUB);
            let mut lum = 0.0;
            for sy in 0..SUB {
                for sx in 0..SUB {
                    let t = (by * SUB + sy) * nbx * SUB + bx * SUB + sx;
                    acts.push(fine.activity[t]);
                    lum += fine.mean[t];
                }
            }
            acts.sort_by(f32::total_cmp);
            act[by * nbx + bx] = acts[1];
            bright[by * nbx + bx] = lum / (SUB * SUB) as f32;
        }
    }
    let headroom: Vec<f32> = bright
        .iter()
        .map(|&l| (l.min(255.0 - l) / 32.0).clamp(0.3, 1.0))
        .collect();
    mask_weights(&act, &headroom)
}

/// Per-block embedding weights from the texture activity and a brightness
/// factor (see MASK_*), flattened to bound the energy cost.
fn mask_weights(activity: &[f32], headroom: &[f32]) -> Vec<f32> {
    let mut sorted: Vec<f32> = activity.iter().copied().filter(|a| a.is_finite()).collect();
    sorted.sort_by(f32::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    if median <= 1e-3 {
        return headroom.to_vec();
    }
    let raw: Vec<f32> = activity
        .iter()
        .zip(headroom)
        .map(|(&a, &b)| {
            let r = if a.is_finite() { a / median } else { 1.0 };
            r.max(0.0)
                .powf(MASK_GAMMA)
                .clamp(MASK_RANGE.0, MASK_RANGE.1)
                * b
        })
        .collect();
    let cost = |lambda: f32| {
        let n = raw.len().max(1) as f32;
        let m: Vec<f32> = raw.iter().map(|&r| 1.0 + lambda * (r - 1.0)).collect();
        let mean = m.iter().sum::<f32>() / n;
        let mean2 = m.iter().map(|v| v * v).sum::<f32>() / n;
        mean2 / (mean * mean)
    };
    let mut lambda = 1.0f32;
    while lambda > 0.0 && cost(lambda) > MASK_MAX_COST {
        lambda -= 0.05;
    }
    let lambda = lambda.max(0.0);
    raw.iter().map(|&r| 1.0 + lambda * (r - 1.0)).collect()
}

/// One group of slots carrying one bit.
struct BitGroup {
    slots: Vec<usize>,
    /// Lattice step of the projection.
    step: f32,
    /// Dither, in steps.
    dither: f32,
}

impl BitGroup {
    fn projection(&self, values: &[f32], sign: &[f32]) -> f32 {
        if self.slots.is_empty() {
            return 0.0;
        }
        let s: f32 = self.slots.iter().map(|&i| sign[i] * values[i]).sum();
        s / (self.slots.len() as f32).sqrt()
    }

    /// Nearest lattice point carrying `bit`.
    fn target(&self, p: f32, bit: bool) -> f32 {
        let off = self.dither + if bit { 0.5 } else { 0.0 };
        ((p / self.step - off).round() + off) * self.step
    }

    /// Soft decision in [-1, 1]: +1 is surely 0, -1 surely 1, 0 unknown.
    fn soft(&self, p: f32) -> f32 {
        if self.slots.is_empty() {
            return 0.0;
        }
        let r = (p / self.step - self.dither).rem_euclid(1.0);
        let d = r.min(1.0 - r); // distance to the 0-lattice, in steps, 0..=0.5
        1.0 - 4.0 * d
    }
}

/// Header region is 0, payload region 1 (for the dithers).
fn groups(
    spread: &Spread,
    from: usize,
    to: usize,
    nbits: usize,
    region: u64,
    base: f32,
) -> Vec<BitGroup> {
    (0..nbits)
        .map(|j| {
            let slots: Vec<usize> = spread.bit_slots(from, to, nbits, j).collect();
            let step = base * (slots.len().max(1) as f32).sqrt();
            BitGroup {
                slots,
                step,
                dither: dither(region, j),
            }
        })
        .collect()
}

fn header_groups(spread: &Spread, base: f32) -> Vec<BitGroup> {
    let n = 1usize << HEADER_M;
    groups(spread, 0, spread.header, n, 0, base)
}

fn payload_groups(spread: &Spread, plan: &Plan, base: f32) -> Vec<BitGroup> {
    groups(
        spread,
        spread.header,
        spread.perm.len(),
        plan.nbits(),
        1,
        base,
    )
}

fn payload_bytes(text: &[u8], plan: &Plan) -> Vec<u8> {
    let crc = crc32(&[MAGIC, &(text.len() as u32).to_le_bytes(), text]);
    let mut data = text.to_vec();
    data.extend_from_slice(&crc.to_le_bytes());
    let mut out = Vec::with_capacity(plan.total_bytes());
    let mut at = 0;
    for &(k, n) in &plan.codewords {
        let rs = ReedSolomon::new(n - k);
        out.extend(rs.encode(&data[at..at + k]));
        at += k;
    }
    out
}

fn bytes_to_bits(bytes: &[u8]) -> Vec<bool> {
    bytes
        .iter()
        .flat_map(|&b| (0..8).rev().map(move |i| (b >> i) & 1 == 1))
        .collect()
}

/// Embeds `text` (any bytes, 1 up to [`capacity`]) into `image`.
///
/// The result has the same size and colour type as the input (8 and 16-bit
/// grey or RGB, with or without alpha, and 32-bit float RGB(A); other types
/// are converted to RGBA8). Only the colour samples change, by the same
/// amount in R, G and B; alpha is copied.
pub fn embed(
    image: &DynamicImage,
    text: &[u8],
    strength: Strength,
) -> Result<DynamicImage, WatermarkError> {
    let (width, height) = (image.width(), image.height());
    check_dims(width, height)?;
    if text.is_empty() {
        return Err(WatermarkError::EmptyText);
    }
    let max = capacity(width, height, strength);
    if text.len() > max {
        return Err(WatermarkError::TooLong {
            len: text.len(),
            max,
        });
    }
    let mut out = match image {
        DynamicImage::ImageLuma8(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageRgb8(_)
        | DynamicImage::ImageRgba8(_)
        | DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA16(_)
        | DynamicImage::ImageRgb16(_)
        | DynamicImage::ImageRgba16(_)
        | DynamicImage::ImageRgb32F(_)
        | DynamicImage::ImageRgba32F(_) => image.clone(),
        _ => DynamicImage::ImageRgba8(image.to_rgba8()),
    };
    let (w, h) = (width as usize, height as usize);
    let ch = usize::from(out.color().channel_count());
    match &mut out {
        DynamicImage::ImageLuma8(b) => embed_into(b, w, h, ch, text, strength)?,
        DynamicImage::ImageLumaA8(b) => embed_into(b, w, h, ch, text, strength)?,
        DynamicImage::ImageRgb8(b) => embed_into(b, w, h, ch, text, strength)?,
        DynamicImage::ImageRgba8(b) => embed_into(b, w, h, ch, text, strength)?,
        DynamicImage::ImageLuma16(b) => embed_into(b, w, h, ch, text, strength)?,
        DynamicImage::ImageLumaA16(b) => embed_into(b, w, h, ch, text, strength)?,
        DynamicImage::ImageRgb16(b) => embed_into(b, w, h, ch, text, strength)?,
        DynamicImage::ImageRgba16(b) => embed_into(b, w, h, ch, text, strength)?,
        DynamicImage::ImageRgb32F(b) => embed_into(b, w, h, ch, text, strength)?,
        DynamicImage::ImageRgba32F(b) => embed_into(b, w, h, ch, text, strength)?,
        other => {
            let mut rgba = other.to_rgba8();
            embed_into(&mut rgba, w, h, 4, text, strength)?;
            *other = DynamicImage::ImageRgba8(rgba);
        }
    }
    Ok(out)
}

/// Embeds in place into `data` (`w x h` pixels of `ch` interleaved samples).
fn embed_into<T: Sample>(
    data: &mut [T],
    w: usize,
    h: usize,
    ch: usize,
    text: &[u8],
    strength: Strength,
) -> Result<(), WatermarkError> {
    // An image buffer always holds w * h * ch samples; never index past it anyway.
    let h = h.min(data.len() / (w * ch).max(1));
    let data = &mut data[..w * h * ch];
    let view = View {
        data: &*data,
        width: w,
        height: h,
        channels: ch,
    };
    let view = &view;
    let (w, h) = (view.width, view.height);
    let long_blocks = long_blocks_for(w.max(h));
    let grid = grid_for(w, h, long_blocks, false).ok_or(WatermarkError::NotFound)?;
    let geo = Geometry::new(w, h, grid);
    let spread = Spread::new(grid);
    let plan = plan(text.len(), spread.payload()).ok_or(WatermarkError::TooLong {
        len: text.len(),
        max: capacity_for(spread.payload(), w * h / PIXELS_PER_BIT),
    })?;
    let base = strength.step();
    let header = header_groups(&spread, base);
    let payload = payload_groups(&spread, &plan, base);
    let header_bits = Biorthogonal::new(HEADER_M).encode(text.len() - 1);
    let payload_bits = bytes_to_bits(&payload_bytes(text, &plan));
    let all: Vec<(&BitGroup, bool)> = header
        .iter()
        .zip(header_bits.iter().copied())
        .chain(payload.iter().zip(payload_bits.iter().copied()))
        .collect();

    let dct = Dct8::new();
    let (gw, gh) = (grid.gw(), grid.gh());
    let ix = Interp::new(w, gw);
    let iy = Interp::new(h, gh);
    let weights = block_weights(view, grid);
    let k = COEFS.len();
    let mut signal = vec![0f32; gw * gh];
    let mut targets = vec![0f32; all.len()];
    let mut changes = vec![0f32; grid.slots()];
    for pass in 0..PASSES {
        let delta = Delta {
            grid: &signal,
            gw,
            ix: &ix,
            iy: &iy,
        };
        let measured = resample::down(view, (pass > 0).then_some(&delta), &geo.ax, &geo.ay);
        if pass == 0 && measured.std_dev < MIN_LUMA_STD_DEV {
            return Err(WatermarkError::Uniform {
                luma_std_dev: measured.std_dev,
            });
        }
        let values = slot_values(&dct, grid, &measured.grid);
        changes.iter_mut().for_each(|c| *c = 0.0);
        for (i, (g, bit)) in all.iter().enumerate() {
            if g.slots.is_empty() {
                continue;
            }
            let p = g.projection(&values, &spread.sign);
            if pass == 0 {
                targets[i] = g.target(p, *bit);
            }
            // Move the projection by (target - p) along sign * weight: the
            // decoder's projection direction is unchanged, the energy goes
            // where the picture hides it.
            let n = g.slots.len() as f32;
            let mean_w = g.slots.iter().map(|&s| weights[s / k]).sum::<f32>() / n;
            let r = (targets[i] - p) / (n.sqrt() * mean_w);
            for &s in &g.slots {
                changes[s] += spread.sign[s] * weights[s / k] * r;
            }
        }
        add_slot_changes(&dct, grid, &changes, &mut signal);
    }
    let delta = Delta {
        grid: &signal,
        gw,
        ix: &ix,
        iy: &iy,
    };
    resample::write(data, w, h, ch, &delta);
    Ok(())
}

/// Looks for a watermark and returns its text.
///
/// Needs neither the original image nor the text length. `strength` is the
/// one used at embed time and is tried first; marks made at another strength
/// are found too. Works on the watermarked image as stored, after JPEG
/// re-encoding, after a proportional resize, or a mild contrast change.
/// Returns [`WatermarkError::NotFound`] unless a text passes both the
/// Reed-Solomon decode and the CRC check; pictures under 32 px a side are
/// [`WatermarkError::TooSmall`].
pub fn decode(image: &DynamicImage, strength: Strength) -> Result<Vec<u8>, WatermarkError> {
    let (width, height) = (image.width(), image.height());
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(WatermarkError::TooLarge {
            width,
            height,
            max: MAX_SIDE,
        });
    }
    if width < DECODE_MIN_SIDE || height < DECODE_MIN_SIDE {
        return Err(WatermarkError::TooSmall {
            width,
            height,
            min: DECODE_MIN_SIDE,
        });
    }
    let converted;
    let src = match view_of(image) {
        Some(_) => image,
        None => {
            converted = DynamicImage::ImageRgba8(image.to_rgba8());
            &converted
        }
    };
    match view_of(src) {
        Some(AnyView::U8(v)) => decode_view(&v, strength),
        Some(AnyView::U16(v)) => decode_view(&v, strength),
        Some(AnyView::F32(v)) => decode_view(&v, strength),
        None => Err(WatermarkError::NotFound),
    }
}

/// Lattice scales, relative to `strength`'s step, that the decoder
/// considers: each strength's step times each of [`GAINS`], near-duplicates
/// merged.
fn scales(strength: Strength) -> Vec<f32> {
    let base = strength.step();
    let mut out: Vec<f32> = Vec::new();
    for s in [strength, Strength::Low, Strength::Medium, Strength::High] {
        for g in GAINS {
            let v = g * s.step() / base;
            if !out.iter().any(|&o| (o - v).abs() < 0.01 * v) {
                out.push(v);
            }
        }
    }
    out
}

/// Grid candidates for a received `w x h` picture, most likely first.
fn decode_grids(w: usize, h: usize) -> Vec<Grid> {
    let first = long_blocks_for(w.max(h));
    let mut out = Vec::new();
    let order = std::iter::once(first).chain(LONG_BLOCKS.into_iter().filter(|&b| b != first));
    for long_blocks in order {
        for alt in [false, true] {
            if let Some(g) = grid_for(w, h, long_blocks, alt)
                && !out.contains(&g)
            {
                out.push(g);
            }
        }
    }
    out
}

fn decode_view<T: Sample>(
    view: &View<'_, T>,
    strength: Strength,
) -> Result<Vec<u8>, WatermarkError> {
    let dct = Dct8::new();
    let base = strength.step();
    let code = Biorthogonal::new(HEADER_M);
    for grid in decode_grids(view.width, view.height) {
        let geo = Geometry::new(view.width, view.height, grid);
        let measured = resample::down(view, None, &geo.ax, &geo.ay);
        let values = slot_values(&dct, geo.grid, &measured.grid);
        let spread = Spread::new(grid);
        let header = header_groups(&spread, base);
        let proj: Vec<f32> = header
            .iter()
            .map(|g| g.projection(&values, &spread.sign))
            .collect();
        // Contrast changes and resize filters scale the coefficients, and the
        // mark may have been embedded at another strength: rank the candidate
        // lattice scales by how well the header decodes under each.
        let mut ranked: Vec<(f32, Vec<(usize, f32)>)> = scales(strength)
            .into_iter()
            .map(|gain| {
                let soft: Vec<f32> = header
                    .iter()
                    .zip(&proj)
                    .map(|(g, &p)| g.soft(p / gain))
                    .collect();
                (
                    gain,
                    code.decode_ranked(&soft)
                        .into_iter()
                        .take(HEADER_TRIES)
                        .collect(),
                )
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.1.first()
                .map_or(0.0, |c| c.1)
                .total_cmp(&a.1.first().map_or(0.0, |c| c.1))
        });
        let mut tried: Vec<(usize, u32)> = Vec::new();
        for (gain, candidates) in ranked.iter().take(SCALE_TRIES) {
            for &(msg, _score) in candidates {
                let len = msg + 1;
                if tried.contains(&(len, gain.to_bits())) {
                    continue;
                }
                tried.push((len, gain.to_bits()));
                let Some(plan) = plan(len, spread.payload()) else {
                    continue;
                };
                if let Some(text) = decode_payload(&spread, &plan, base, &values, len, *gain) {
                    return Ok(text);
                }
            }
        }
    }
    Err(WatermarkError::NotFound)
}

fn decode_payload(
    spread: &Spread,
    plan: &Plan,
    base: f32,
    values: &[f32],
    len: usize,
    gain: f32,
) -> Option<Vec<u8>> {
    let groups = payload_groups(spread, plan, base);
    let soft: Vec<f32> = groups
        .iter()
        .map(|g| g.soft(g.projection(values, &spread.sign) / gain))
        .collect();
    let mut bytes = Vec::with_capacity(plan.total_bytes());
    let mut reliability = Vec::with_capacity(plan.total_bytes());
    for chunk in soft.chunks(8) {
        let mut b = 0u8;
        let mut rel = f32::INFINITY;
        for &s in chunk {
            b = (b << 1) | u8::from(s < 0.0);
            rel = rel.min(s.abs());
        }
        bytes.push(b);
        reliability.push(rel);
    }
    let mut data = Vec::with_capacity(len + CRC_BYTES);
    let mut at = 0;
    for &(k, n) in &plan.codewords {
        let rs = ReedSolomon::new(n - k);
        let mut cw = bytes.get(at..at + n)?.to_vec();
        let rel = reliability.get(at..at + n)?;
        if rs.decode(&mut cw, &[]).is_err() {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| rel[a].total_cmp(&rel[b]));
            // Generalised minimum-distance decoding: erase the least
            // reliable quarter, half, three quarters, all of the parity.
            let parity = n - k;
            let ok = (1..=4).any(|q| {
                let f = (parity * q / 4) & !1;
                let mut trial = cw.clone();
                if f > 0 && rs.decode(&mut trial, &order[..f]).is_ok() {
                    cw = trial;
                    true
                } else {
                    false
                }
            });
            if !ok {
                return None;
            }
        }
        data.extend_from_slice(&cw[..k]);
        at += n;
    }
    let (text, crc) = data.split_at(len);
    let want = crc32(&[MAGIC, &(len as u32).to_le_bytes(), text]);
    (crc == want.to_le_bytes()).then(|| text.to_vec())
}

/// The peak signal-to-noise ratio of `b` against `a` over their R, G and
/// B samples, in dB (the measure the strengths' PSNR figures use); `None`
/// when their sizes differ.
///
/// ```
/// use image::{DynamicImage, Rgb, RgbImage};
/// use oss_process::emulator::watermark;
///
/// let a = DynamicImage::ImageRgb8(RgbImage::from_pixel(8, 8, Rgb([100, 100, 100])));
/// let b = DynamicImage::ImageRgb8(RgbImage::from_pixel(8, 8, Rgb([101, 100, 100])));
/// let db = watermark::psnr(&a, &b).unwrap();
/// assert!((db - 52.9).abs() < 0.1, "{db}");
/// ```
pub fn psnr(a: &DynamicImage, b: &DynamicImage) -> Option<f64> {
    if (a.width(), a.height()) != (b.width(), b.height()) {
        return None;
    }
    let (a, b) = (a.to_rgb8(), b.to_rgb8());
    let mse = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum::<f64>()
        / a.as_raw().len().max(1) as f64;
    Some(10.0 * (255.0f64.powi(2) / mse.max(1e-12)).log10())
}

/// The fraction of `text`'s coded payload bits that the decoder reads
/// wrong in `image` before error correction (the raw bit error rate), on
/// the grid where it is lowest; `None` if `text` cannot fit the picture.
/// It needs the text, so it is for studying robustness (the
/// `watermark_table` example), not for decoding.
///
/// ```
/// use image::{DynamicImage, Rgb, RgbImage};
/// use oss_process::emulator::watermark::{self, Strength};
///
/// let photo = DynamicImage::ImageRgb8(RgbImage::from_fn(256, 256, |x, y| {
///     Rgb([(x ^ y) as u8, (x * 3) as u8, (y * 5) as u8])
/// }));
/// let marked = watermark::embed(&photo, b"id-42", Strength::Low)?;
/// assert_eq!(watermark::raw_bit_error_rate(&marked, b"id-42", Strength::Low), Some(0.0));
/// assert!(watermark::raw_bit_error_rate(&photo, b"id-42", Strength::Low).unwrap() > 0.2);
/// # Ok::<(), watermark::WatermarkError>(())
/// ```
pub fn raw_bit_error_rate(image: &DynamicImage, text: &[u8], strength: Strength) -> Option<f64> {
    let rgba;
    let img = match view_of(image) {
        Some(_) => image,
        None => {
            rgba = DynamicImage::ImageRgba8(image.to_rgba8());
            &rgba
        }
    };
    match view_of(img)? {
        AnyView::U8(v) => measure_view(&v, text, strength),
        AnyView::U16(v) => measure_view(&v, text, strength),
        AnyView::F32(v) => measure_view(&v, text, strength),
    }
}

fn measure_view<T: Sample>(view: &View<'_, T>, text: &[u8], strength: Strength) -> Option<f64> {
    if text.is_empty() {
        return None;
    }
    let dct = Dct8::new();
    let base = strength.step();
    let mut best: Option<f64> = None;
    for grid in decode_grids(view.width, view.height) {
        let geo = Geometry::new(view.width, view.height, grid);
        let measured = resample::down(view, None, &geo.ax, &geo.ay);
        let values = slot_values(&dct, grid, &measured.grid);
        let spread = Spread::new(grid);
        let Some(plan) = plan(text.len(), spread.payload()) else {
            continue;
        };
        let groups = payload_groups(&spread, &plan, base);
        let bits = bytes_to_bits(&payload_bytes(text, &plan));
        let errs = groups
            .iter()
            .zip(&bits)
            .filter(|(g, b)| (g.soft(g.projection(&values, &spread.sign)) < 0.0) != **b)
            .count();
        let ber = errs as f64 / bits.len().max(1) as f64;
        if best.is_none_or(|b| ber < b) {
            best = Some(ber);
        }
    }
    best
}
