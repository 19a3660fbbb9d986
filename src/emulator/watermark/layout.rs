//! Where each bit lives: the working grid, the keyed spreading of bits over
//! (block, coefficient) slots, and the Reed-Solomon plan for a text length.

/// Fixed key of the keyed permutation, signs and dithers (not a secret: it
/// only makes the pattern pseudo-random and the same for embed and decode).
const KEY: u64 = 0x6f73_732d_6277_6d31; // "oss-bwm1"

/// Mid/low-frequency DCT positions (vertical u, horizontal v) used in each
/// 8x8 block of the working grid: all with 1 <= u + v <= 4.
pub(crate) const COEFS: [(usize, usize); 18] = [
    (0, 2),
    (1, 1),
    (2, 0),
    (0, 3),
    (1, 2),
    (2, 1),
    (3, 0),
    (0, 4),
    (1, 3),
    (2, 2),
    (3, 1),
    (4, 0),
    (0, 5),
    (1, 4),
    (2, 3),
    (3, 2),
    (4, 1),
    (5, 0),
];

/// Number of header bits: a biorthogonal RM(1, 9) codeword.
pub(crate) const HEADER_M: u32 = 9;

/// Fraction of the slots (1 / HEADER_DIV) reserved for the length header.
const HEADER_DIV: usize = 10;

/// Minimum number of DCT coefficients carrying each payload bit.
pub(crate) const MIN_SLOTS_PER_BIT: usize = 1;

/// CRC bytes appended to the text.
pub(crate) const CRC_BYTES: usize = 4;

/// SplitMix64: tiny, fast and good enough for a keyed shuffle.
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n >= 1`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// The working grid: `nbx x nby` blocks of 8x8 grid samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Grid {
    pub nbx: usize,
    pub nby: usize,
}

impl Grid {
    pub fn gw(&self) -> usize {
        self.nbx * 8
    }
    pub fn gh(&self) -> usize {
        self.nby * 8
    }
    pub fn slots(&self) -> usize {
        self.nbx * self.nby * COEFS.len()
    }
}

/// Possible numbers of blocks along the long side of the grid.
pub(crate) const LONG_BLOCKS: [usize; 3] = [32, 16, 8];

/// Blocks along the long side of the grid chosen at embed time for an image
/// whose long side is `long` pixels: 32 blocks (256 samples) from 512 px, so
/// that a 50 % resize still has a pixel per sample; 16 blocks (128 samples)
/// from 128 px; 8 blocks (64 samples) below.
pub(crate) fn long_blocks_for(long: usize) -> usize {
    if long >= 512 {
        32
    } else if long >= 128 {
        16
    } else {
        8
    }
}

/// Grid for a `w x h` image with `long_blocks` blocks on its long side; the
/// short side gets the proportional number of blocks, or the one after it
/// when `alt` is set (decoders try both when the ratio is near a rounding
/// boundary, since a resize may move it).
pub(crate) fn grid_for(w: usize, h: usize, long_blocks: usize, alt: bool) -> Option<Grid> {
    let (long, short) = (w.max(h), w.min(h));
    if long == 0 || short == 0 {
        return None;
    }
    let exact = long_blocks as f64 * short as f64 / long as f64;
    let mut nb = exact.round();
    if alt {
        let frac = exact - exact.floor();
        if (frac - 0.5).abs() > 0.2 {
            return None;
        }
        nb = if nb > exact { nb - 1.0 } else { nb + 1.0 };
    }
    let nb_short = (nb as usize).clamp(long_blocks.div_ceil(2), long_blocks);
    Some(if w >= h {
        Grid {
            nbx: long_blocks,
            nby: nb_short,
        }
    } else {
        Grid {
            nbx: nb_short,
            nby: long_blocks,
        }
    })
}

/// Slots reserved for the header out of `total`.
pub(crate) fn header_slots(total: usize) -> usize {
    total / HEADER_DIV
}

/// The keyed spreading of bits over slots for one grid.
pub(crate) struct Spread {
    /// Slot order: the first `header` entries carry the header, the rest the payload.
    pub perm: Vec<u32>,
    /// Sign (+1 / -1) of each slot in its bit's projection, by slot id.
    pub sign: Vec<f32>,
    /// Number of header slots.
    pub header: usize,
}

impl Spread {
    pub fn new(grid: Grid) -> Self {
        let s = grid.slots();
        let mut rng = SplitMix::new(KEY ^ ((grid.nbx as u64) << 32) ^ (grid.nby as u64));
        let mut perm: Vec<u32> = (0..s as u32).collect();
        for i in (1..s).rev() {
            let j = rng.below(i + 1);
            perm.swap(i, j);
        }
        let sign = (0..s)
            .map(|_| if rng.next_u64() & 1 == 0 { 1.0 } else { -1.0 })
            .collect();
        Self {
            perm,
            sign,
            header: header_slots(s),
        }
    }

    /// Number of payload slots.
    pub fn payload(&self) -> usize {
        self.perm.len() - self.header
    }

    /// Slot ids of bit `j` among `nbits` bits spread over `perm[from..to]`.
    pub fn bit_slots(
        &self,
        from: usize,
        to: usize,
        nbits: usize,
        j: usize,
    ) -> impl Iterator<Item = usize> + '_ {
        self.perm[(from + j).min(to)..to]
            .iter()
            .step_by(nbits.max(1))
            .map(|&s| s as usize)
    }
}

/// Dither offset in `[0, 1)` (in steps) of bit `j` of region `region`.
pub(crate) fn dither(region: u64, j: usize) -> f32 {
    SplitMix::new(KEY ^ 0xd1 ^ (region << 40) ^ j as u64).unit()
}

/// Reed-Solomon plan for a text: codewords `(data bytes, total bytes)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub codewords: Vec<(usize, usize)>,
}

impl Plan {
    pub fn total_bytes(&self) -> usize {
        self.codewords.iter().map(|c| c.1).sum()
    }
    pub fn nbits(&self) -> usize {
        self.total_bytes() * 8
    }
}

/// The code for a `len`-byte text over `payload_slots` slots: data is the text
/// plus a CRC-32; about as many parity bytes as data bytes (rate 1/2, at
/// least 16) when room allows, never fewer than a quarter of the data
/// (rate 0.8), split into codewords of at most 255 bytes.
pub(crate) fn plan(len: usize, payload_slots: usize) -> Option<Plan> {
    if len == 0 {
        return None;
    }
    let k = len + CRC_BYTES;
    let room = payload_slots / (8 * MIN_SLOTS_PER_BIT);
    let want = (2 * k).max(k + 16);
    let n = want.min(room);
    let min_parity = (k / 4).max(4);
    if n < k + min_parity {
        return None;
    }
    let m = n.div_ceil(255);
    let mut codewords = Vec::with_capacity(m);
    for i in 0..m {
        let ki = k / m + usize::from(i < k % m);
        let ni = n / m + usize::from(i < n % m);
        if ni > 255 || ni < ki + 2 || ki == 0 {
            return None;
        }
        codewords.push((ki, ni));
    }
    Some(Plan { codewords })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_sane() {
        for slots in [500usize, 3000, 9000, 14000] {
            for len in 1..=1024 {
                if let Some(p) = plan(len, slots) {
                    let k: usize = p.codewords.iter().map(|c| c.0).sum();
                    assert_eq!(k, len + CRC_BYTES);
                    assert!(p.nbits() * MIN_SLOTS_PER_BIT <= slots);
                    assert!(p.codewords.iter().all(|&(k, n)| n <= 255 && n >= k + 2));
                }
            }
        }
        assert!(plan(0, 10000).is_none());
        assert_eq!(plan(64, 100000).map(|p| p.total_bytes()), Some(136));
    }

    #[test]
    fn grid_rounding() {
        assert_eq!(
            grid_for(1024, 683, 32, false),
            Some(Grid { nbx: 32, nby: 21 })
        );
        assert_eq!(
            grid_for(683, 1024, 32, false),
            Some(Grid { nbx: 21, nby: 32 })
        );
        assert_eq!(
            grid_for(100, 100, 16, false),
            Some(Grid { nbx: 16, nby: 16 })
        );
        // 32 * 0.5156 = 16.5: both 16 and 17 are candidates.
        assert_eq!(
            grid_for(1024, 528, 32, false),
            Some(Grid { nbx: 32, nby: 17 })
        );
        assert_eq!(
            grid_for(1024, 528, 32, true),
            Some(Grid { nbx: 32, nby: 16 })
        );
        assert_eq!(grid_for(1024, 1024, 32, true), None);
    }

    #[test]
    fn spread_covers_every_slot_once() {
        let g = Grid { nbx: 32, nby: 21 };
        let sp = Spread::new(g);
        let mut seen = vec![false; g.slots()];
        for &s in &sp.perm {
            assert!(!seen[s as usize]);
            seen[s as usize] = true;
        }
        let nbits = 1000;
        let total: usize = (0..nbits)
            .map(|j| sp.bit_slots(sp.header, sp.perm.len(), nbits, j).count())
            .sum();
        assert_eq!(total, sp.payload());
    }
}
