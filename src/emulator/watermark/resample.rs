//! Pixel access and the two resamplers that tie the full-resolution image to
//! the fixed working grid:
//!
//! * `down`: separable Lanczos-3 low-pass resampling of the luma plane onto
//!   the grid (flat pass band, so any decent resize of the picture leaves the
//!   grid values almost unchanged), streamed row by row;
//! * `up`: bilinear interpolation of the grid-domain watermark signal back to
//!   full resolution, fused with the rendering (clamping and rounding to the
//!   sample type) of the output.

/// One sample type of an image buffer, seen on a 0..=255 "level" scale.
pub(crate) trait Sample: Copy {
    /// The sample as a level in 0..=255 (non-finite floats read as 0).
    fn to_level(self) -> f32;
    /// A level back to a sample, clamped to the type's range and rounded.
    fn from_level(v: f32) -> Self;
}

impl Sample for u8 {
    fn to_level(self) -> f32 {
        self as f32
    }
    fn from_level(v: f32) -> Self {
        v.round().clamp(0.0, 255.0) as u8
    }
}

impl Sample for u16 {
    fn to_level(self) -> f32 {
        self as f32 / 257.0
    }
    fn from_level(v: f32) -> Self {
        (v * 257.0).round().clamp(0.0, 65535.0) as u16
    }
}

impl Sample for f32 {
    fn to_level(self) -> f32 {
        if self.is_finite() { self * 255.0 } else { 0.0 }
    }
    fn from_level(v: f32) -> Self {
        (v / 255.0).clamp(0.0, 1.0)
    }
}

/// A borrowed interleaved image: `channels` samples per pixel, of which the
/// first one (grey) or three (RGB) are colour; a trailing alpha is ignored.
pub(crate) struct View<'a, T> {
    pub data: &'a [T],
    pub width: usize,
    pub height: usize,
    pub channels: usize,
}

impl<T: Sample> View<'_, T> {
    fn colour(&self) -> usize {
        if self.channels >= 3 { 3 } else { 1 }
    }
}

/// Rec. 601 luma (the Y of JPEG's YCbCr) of an RGB level triple.
#[inline]
fn luma3(r: f32, g: f32, b: f32) -> f32 {
    0.299 * r + 0.587 * g + 0.114 * b
}

/// Sparse resampling weights along one axis, stored per input index
/// (input sample -> list of (output index, weight)).
pub(crate) struct Axis {
    start: Vec<usize>,
    entries: Vec<(u32, f32)>,
    n_out: usize,
}

fn lanczos3(x: f64) -> f64 {
    let x = x.abs();
    if x < 1e-9 {
        1.0
    } else if x >= 3.0 {
        0.0
    } else {
        let px = std::f64::consts::PI * x;
        3.0 * px.sin() * (px / 3.0).sin() / (px * px)
    }
}

impl Axis {
    /// Lanczos-3 weights from `n_in` samples to `n_out` (both >= 1); the
    /// kernel is widened by the scale factor when shrinking.
    pub fn lanczos(n_in: usize, n_out: usize) -> Self {
        let scale = n_in as f64 / n_out as f64;
        let widen = scale.max(1.0);
        let support = 3.0 * widen;
        let mut per_in: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_in];
        for j in 0..n_out {
            let c = (j as f64 + 0.5) * scale - 0.5;
            let lo = (c - support).floor() as i64;
            let hi = (c + support).ceil() as i64;
            let mut taps: Vec<(usize, f64)> = Vec::new();
            let mut sum = 0.0;
            for i in lo..=hi {
                let w = lanczos3((i as f64 - c) / widen);
                if w == 0.0 {
                    continue;
                }
                let idx = i.clamp(0, n_in as i64 - 1) as usize;
                taps.push((idx, w));
                sum += w;
            }
            if sum.abs() < 1e-12 {
                continue;
            }
            for (idx, w) in taps {
                let w = (w / sum) as f32;
                match per_in[idx].iter_mut().find(|e| e.0 == j as u32) {
                    Some(e) => e.1 += w,
                    None => per_in[idx].push((j as u32, w)),
                }
            }
        }
        let mut start = Vec::with_capacity(n_in + 1);
        let mut entries = Vec::new();
        for list in per_in {
            start.push(entries.len());
            entries.extend(list);
        }
        start.push(entries.len());
        Self {
            start,
            entries,
            n_out,
        }
    }

    #[inline]
    fn of(&self, i: usize) -> &[(u32, f32)] {
        &self.entries[self.start[i]..self.start[i + 1]]
    }
}

/// Bilinear interpolation positions from a grid axis of `n_grid` samples to
/// `n_full` pixels: for each pixel, the lower grid index and the fraction.
pub(crate) struct Interp {
    pos: Vec<(u32, f32)>,
    n_grid: usize,
}

impl Interp {
    /// Positions for `n_full` pixels over `n_grid` grid samples (both >= 1).
    pub fn new(n_full: usize, n_grid: usize) -> Self {
        let scale = n_grid as f64 / n_full as f64;
        let pos = (0..n_full)
            .map(|x| {
                let g = ((x as f64 + 0.5) * scale - 0.5).clamp(0.0, (n_grid - 1) as f64);
                let i0 = (g.floor() as usize).min(n_grid - 1);
                (i0 as u32, (g - i0 as f64) as f32)
            })
            .collect();
        Self { pos, n_grid }
    }

    #[inline]
    fn at(&self, line: &[f32], x: usize) -> f32 {
        let (i0, f) = self.pos[x];
        let i0 = i0 as usize;
        let i1 = (i0 + 1).min(self.n_grid - 1);
        line[i0] + (line[i1] - line[i0]) * f
    }
}

/// The grid-domain watermark signal and how to spread it over the pixels.
pub(crate) struct Delta<'a> {
    /// Row-major `gh x gw` signal in luma levels.
    pub grid: &'a [f32],
    pub gw: usize,
    pub ix: &'a Interp,
    pub iy: &'a Interp,
}

impl Delta<'_> {
    fn row(&self, y: usize, out: &mut [f32]) {
        let (i0, f) = self.iy.pos[y];
        let i0 = i0 as usize;
        let i1 = (i0 + 1).min(self.iy.n_grid - 1);
        let a = &self.grid[i0 * self.gw..(i0 + 1) * self.gw];
        let b = &self.grid[i1 * self.gw..(i1 + 1) * self.gw];
        for ((o, &va), &vb) in out.iter_mut().zip(a).zip(b) {
            *o = va + (vb - va) * f;
        }
    }
}

/// Result of a down-sampling pass.
pub(crate) struct DownResult {
    /// Row-major `gh x gw` luma grid.
    pub grid: Vec<f32>,
    /// Standard deviation of the full-resolution luma.
    pub std_dev: f64,
}

/// Luma of `view`, optionally after adding the watermark `delta` (rendered
/// exactly as [`write`] would store it), resampled to the grid.
pub(crate) fn down<T: Sample>(
    view: &View<'_, T>,
    delta: Option<&Delta<'_>>,
    ax: &Axis,
    ay: &Axis,
) -> DownResult {
    let (w, h, ch, colour) = (view.width, view.height, view.channels, view.colour());
    let gw = ax.n_out;
    let gh = ay.n_out;
    let mut grid = vec![0f32; gw * gh];
    let mut luma = vec![0f32; w];
    let mut hrow = vec![0f32; gw];
    let mut drow = vec![0f32; delta.map_or(0, |d| d.gw)];
    let (mut sum, mut sum2) = (0f64, 0f64);
    for y in 0..h {
        let row = &view.data[y * w * ch..(y + 1) * w * ch];
        if let Some(d) = delta {
            d.row(y, &mut drow);
        }
        let mut rsum = 0f64;
        let mut rsum2 = 0f64;
        for (x, l) in luma.iter_mut().enumerate() {
            let px = &row[x * ch..x * ch + colour];
            let v = match delta {
                None => {
                    if colour == 3 {
                        luma3(px[0].to_level(), px[1].to_level(), px[2].to_level())
                    } else {
                        px[0].to_level()
                    }
                }
                Some(d) => {
                    let dv = d.ix.at(&drow, x);
                    let r = |s: T| T::from_level(s.to_level() + dv).to_level();
                    if colour == 3 {
                        luma3(r(px[0]), r(px[1]), r(px[2]))
                    } else {
                        r(px[0])
                    }
                }
            };
            *l = v;
            rsum += v as f64;
            rsum2 += (v as f64) * (v as f64);
        }
        sum += rsum;
        sum2 += rsum2;
        hrow.iter_mut().for_each(|v| *v = 0.0);
        for (x, &l) in luma.iter().enumerate() {
            for &(j, wt) in ax.of(x) {
                hrow[j as usize] += wt * l;
            }
        }
        for &(j, wt) in ay.of(y) {
            let dst = &mut grid[j as usize * gw..(j as usize + 1) * gw];
            for (d, &s) in dst.iter_mut().zip(&hrow) {
                *d += wt * s;
            }
        }
    }
    let n = (w * h).max(1) as f64;
    let mean = sum / n;
    let var = (sum2 / n - mean * mean).max(0.0);
    DownResult {
        grid,
        std_dev: var.sqrt(),
    }
}

/// Adds `delta` to the colour samples of `data` in place (`w x h` pixels of
/// `ch` interleaved samples; alpha and any channel past the colour ones are
/// left alone). Each sample's new value depends only on its old one, which is
/// why this can run in place after the passes that read the original.
pub(crate) fn write<T: Sample>(data: &mut [T], w: usize, h: usize, ch: usize, delta: &Delta<'_>) {
    let colour = if ch >= 3 { 3 } else { 1 };
    let mut drow = vec![0f32; delta.gw];
    for (y, row) in data.chunks_exact_mut(w * ch).take(h).enumerate() {
        delta.row(y, &mut drow);
        for (x, px) in row.chunks_exact_mut(ch).enumerate() {
            let dv = delta.ix.at(&drow, x);
            for s in &mut px[..colour] {
                *s = T::from_level(s.to_level() + dv);
            }
        }
    }
}

/// Texture activity of equal tiles of the picture: the mean absolute
/// horizontal plus vertical luma difference between neighbouring pixels (a
/// simple visual-masking measure), with the tiles' mean luma.
pub(crate) struct Activity {
    /// Mean absolute neighbour difference per tile.
    pub activity: Vec<f32>,
    /// Mean luma per tile.
    pub mean: Vec<f32>,
}

/// Texture activity and mean luma of each of `nbx x nby` equal tiles.
pub(crate) fn activity<T: Sample>(view: &View<'_, T>, nbx: usize, nby: usize) -> Activity {
    let (w, h, ch, colour) = (view.width, view.height, view.channels, view.colour());
    let mut sum = vec![0f64; nbx * nby];
    let mut lsum = vec![0f64; nbx * nby];
    let mut count = vec![0u32; nbx * nby];
    let tile_x: Vec<usize> = (0..w).map(|x| (x * nbx / w).min(nbx - 1)).collect();
    let mut prev = vec![0f32; w];
    let mut cur = vec![0f32; w];
    for y in 0..h {
        let row = &view.data[y * w * ch..(y + 1) * w * ch];
        for (x, l) in cur.iter_mut().enumerate() {
            let px = &row[x * ch..x * ch + colour];
            *l = if colour == 3 {
                luma3(px[0].to_level(), px[1].to_level(), px[2].to_level())
            } else {
                px[0].to_level()
            };
        }
        let ty = (y * nby / h).min(nby - 1);
        for x in 0..w {
            let mut g = 0.0;
            if x + 1 < w {
                g += (cur[x + 1] - cur[x]).abs();
            }
            if y > 0 {
                g += (cur[x] - prev[x]).abs();
            }
            let t = ty * nbx + tile_x[x];
            sum[t] += g as f64;
            lsum[t] += cur[x] as f64;
            count[t] += 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let avg = |v: &[f64]| -> Vec<f32> {
        v.iter()
            .zip(&count)
            .map(|(&s, &c)| if c == 0 { 0.0 } else { (s / c as f64) as f32 })
            .collect()
    };
    Activity {
        activity: avg(&sum),
        mean: avg(&lsum),
    }
}
