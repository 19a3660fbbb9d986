//! Error control for the blind watermark: GF(2^8) arithmetic, a Reed-Solomon
//! errors-and-erasures codec, CRC-32 (IEEE) and the first-order Reed-Muller
//! (biorthogonal) code used for the length header.
//!
//! Everything here is written from the textbook algorithms (Berlekamp-Massey
//! with erasures, Chien search, Forney; fast Hadamard transform for the
//! maximum-likelihood decoding of the biorthogonal code) and depends on `std`
//! only.

/// Primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), generator alpha = 2.
const PRIM: u16 = 0x11D;

/// exp table doubled (512 entries) so that `EXP[LOG[a] + LOG[b]]` needs no modulo.
const EXP: [u8; 512] = build_exp();
const LOG: [u8; 256] = build_log();

const fn build_exp() -> [u8; 512] {
    let mut t = [0u8; 512];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 255 {
        t[i] = x as u8;
        t[i + 255] = x as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= PRIM;
        }
        i += 1;
    }
    // Entries 510 and 511 are never read with valid logarithms (max 254 + 254).
    t[510] = t[0];
    t[511] = t[1];
    t
}

const fn build_log() -> [u8; 256] {
    let exp = build_exp();
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 255 {
        t[exp[i] as usize] = i as u8;
        i += 1;
    }
    t
}

#[inline]
fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        EXP[LOG[a as usize] as usize + LOG[b as usize] as usize]
    }
}

/// `a / b`; callers guarantee `b != 0`.
#[inline]
fn div(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        EXP[LOG[a as usize] as usize + 255 - LOG[b as usize] as usize]
    }
}

/// alpha^e for any exponent.
#[inline]
fn alpha_pow(e: usize) -> u8 {
    EXP[e % 255]
}

/// Evaluates a little-endian polynomial (index = degree) at `x`.
fn eval_le(p: &[u8], x: u8) -> u8 {
    let mut acc = 0u8;
    for &c in p.iter().rev() {
        acc = mul(acc, x) ^ c;
    }
    acc
}

/// Reed-Solomon code over GF(2^8) with `nsym` parity bytes (first consecutive
/// root alpha^0), usable with any total length `n <= 255` (shortened code).
#[derive(Debug, Clone)]
pub struct ReedSolomon {
    nsym: usize,
    /// Generator polynomial, big-endian (index 0 = leading coefficient 1).
    generator: Vec<u8>,
}

/// Why a Reed-Solomon decode failed (too many errors for the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RsFailure;

impl ReedSolomon {
    /// A code with `nsym` parity bytes (`1..=254`).
    pub fn new(nsym: usize) -> Self {
        let nsym = nsym.clamp(1, 254);
        let mut g = vec![1u8];
        for i in 0..nsym {
            // g(x) *= (x - alpha^i), big-endian.
            let root = alpha_pow(i);
            let mut next = vec![0u8; g.len() + 1];
            for (j, &c) in g.iter().enumerate() {
                next[j] ^= c;
                next[j + 1] ^= mul(c, root);
            }
            g = next;
        }
        Self { nsym, generator: g }
    }

    /// Systematic encoding: returns `msg || parity`. `msg.len() + nsym` must be <= 255.
    pub fn encode(&self, msg: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; msg.len() + self.nsym];
        out[..msg.len()].copy_from_slice(msg);
        for i in 0..msg.len() {
            let coef = out[i];
            if coef != 0 {
                for (j, &g) in self.generator.iter().enumerate().skip(1) {
                    out[i + j] ^= mul(g, coef);
                }
            }
        }
        out[..msg.len()].copy_from_slice(msg);
        out
    }

    /// Syndromes S_j = C(alpha^j), j = 0..nsym, of a codeword whose byte `i`
    /// is the coefficient of x^(n-1-i).
    fn syndromes(&self, cw: &[u8]) -> Vec<u8> {
        (0..self.nsym)
            .map(|j| {
                let x = alpha_pow(j);
                cw.iter().fold(0u8, |acc, &c| mul(acc, x) ^ c)
            })
            .collect()
    }

    /// Corrects `cw` in place. `erasures` lists byte positions known (or
    /// suspected) to be wrong. Succeeds when `2 * errors + erasures <= nsym`;
    /// returns the number of corrected bytes. On failure `cw` is unchanged.
    pub fn decode(&self, cw: &mut [u8], erasures: &[usize]) -> Result<usize, RsFailure> {
        let n = cw.len();
        if n > 255 || n <= self.nsym {
            return Err(RsFailure);
        }
        let synd = self.syndromes(cw);
        if synd.iter().all(|&s| s == 0) {
            return Ok(0);
        }
        // Distinct, in-range erasures only.
        let mut eras: Vec<usize> = erasures.iter().copied().filter(|&p| p < n).collect();
        eras.sort_unstable();
        eras.dedup();
        let f = eras.len();
        if f > self.nsym {
            return Err(RsFailure);
        }
        // Erasure locator Gamma(x) = prod (1 - X_k x), little-endian.
        let mut gamma = vec![1u8];
        for &p in &eras {
            let xk = alpha_pow(n - 1 - p);
            let mut next = vec![0u8; gamma.len() + 1];
            for (j, &c) in gamma.iter().enumerate() {
                next[j] ^= c;
                next[j + 1] ^= mul(c, xk);
            }
            gamma = next;
        }
        // Berlekamp-Massey initialised with the erasure locator.
        let mut lambda = gamma.clone();
        let mut b = gamma;
        let mut l = f;
        for r in f..self.nsym {
            let mut delta = 0u8;
            for (i, &lc) in lambda.iter().enumerate() {
                if i > r {
                    break;
                }
                delta ^= mul(lc, synd[r - i]);
            }
            // x * B
            let mut xb = Vec::with_capacity(b.len() + 1);
            xb.push(0u8);
            xb.extend_from_slice(&b);
            if delta == 0 {
                b = xb;
                continue;
            }
            let mut t = lambda.clone();
            if t.len() < xb.len() {
                t.resize(xb.len(), 0);
            }
            for (i, &c) in xb.iter().enumerate() {
                t[i] ^= mul(delta, c);
            }
            if 2 * l <= r + f {
                let inv = div(1, delta);
                b = lambda.iter().map(|&c| mul(c, inv)).collect();
                l = r + 1 + f - l;
            } else {
                b = xb;
            }
            lambda = t;
        }
        while lambda.len() > 1 && lambda.last() == Some(&0) {
            lambda.pop();
        }
        let deg = lambda.len() - 1;
        if deg != l || deg == 0 || 2 * (l - f) + f > self.nsym {
            return Err(RsFailure);
        }
        // Chien search over the valid positions of the (shortened) code.
        let mut positions = Vec::with_capacity(deg);
        for p in 0..n {
            let e = n - 1 - p; // degree of this position
            let xinv = alpha_pow(255 - (e % 255));
            if eval_le(&lambda, xinv) == 0 {
                positions.push(p);
            }
        }
        if positions.len() != deg {
            return Err(RsFailure);
        }
        // Forney: Omega = S(x) * Lambda(x) mod x^nsym; e_k = X_k Omega(X_k^-1) / Lambda'(X_k^-1).
        let mut omega = vec![0u8; self.nsym];
        for (i, &lc) in lambda.iter().enumerate() {
            for (j, &s) in synd.iter().enumerate() {
                if i + j < self.nsym {
                    omega[i + j] ^= mul(lc, s);
                }
            }
        }
        // Formal derivative (characteristic 2: only odd terms survive).
        let dlambda: Vec<u8> = lambda
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, &c)| if i % 2 == 1 { c } else { 0 })
            .collect();
        let mut fixed = cw.to_vec();
        for &p in &positions {
            let e = n - 1 - p;
            let xk = alpha_pow(e);
            let xinv = alpha_pow(255 - (e % 255));
            let den = eval_le(&dlambda, xinv);
            if den == 0 {
                return Err(RsFailure);
            }
            let mag = mul(xk, div(eval_le(&omega, xinv), den));
            fixed[p] ^= mag;
        }
        if self.syndromes(&fixed).iter().any(|&s| s != 0) {
            return Err(RsFailure);
        }
        cw.copy_from_slice(&fixed);
        Ok(positions.len())
    }
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) over several slices.
pub fn crc32(parts: &[&[u8]]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    let mut crc = 0xFFFF_FFFFu32;
    for part in parts {
        for &b in *part {
            crc = TABLE[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8);
        }
    }
    !crc
}

/// First-order Reed-Muller code RM(1, m) used as a biorthogonal code: a
/// message of `m + 1` bits maps to `2^m` bits. Minimum distance 2^(m-1);
/// decoded by maximum likelihood with a fast Hadamard transform.
#[derive(Debug, Clone, Copy)]
pub struct Biorthogonal {
    m: u32,
}

impl Biorthogonal {
    /// RM(1, m), `m` in `1..=12`.
    pub fn new(m: u32) -> Self {
        Self { m: m.clamp(1, 12) }
    }

    /// Codeword length `2^m`.
    pub fn len(&self) -> usize {
        1usize << self.m
    }

    /// Number of distinct messages, `2^(m+1)`.
    #[cfg(test)]
    pub fn messages(&self) -> usize {
        1usize << (self.m + 1)
    }

    /// Codeword bits (`false` = 0) of message `v < messages()`.
    pub fn encode(&self, v: usize) -> Vec<bool> {
        let idx = v & (self.len() - 1);
        let flip = (v >> self.m) & 1 == 1;
        (0..self.len())
            .map(|j| (((j & idx).count_ones() & 1) == 1) ^ flip)
            .collect()
    }

    /// Soft decoding. `soft[j] > 0` means bit j is more likely 0, `< 0` more
    /// likely 1, `0` unknown (erased/punctured). Returns every message with its
    /// correlation score, best first.
    pub fn decode_ranked(&self, soft: &[f32]) -> Vec<(usize, f32)> {
        let n = self.len();
        let mut f: Vec<f32> = (0..n)
            .map(|j| soft.get(j).copied().unwrap_or(0.0))
            .collect();
        // Fast Walsh-Hadamard transform: F[idx] = sum_j s_j (-1)^popcount(j & idx).
        let mut h = 1;
        while h < n {
            for i in (0..n).step_by(2 * h) {
                for j in i..i + h {
                    let (a, b) = (f[j], f[j + h]);
                    f[j] = a + b;
                    f[j + h] = a - b;
                }
            }
            h *= 2;
        }
        let mut out: Vec<(usize, f32)> = f
            .iter()
            .enumerate()
            .map(|(idx, &v)| {
                let msg = if v < 0.0 { idx | n } else { idx };
                (msg, v.abs())
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small deterministic PRNG for the tests.
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
        fn distinct(&mut self, count: usize, n: usize) -> Vec<usize> {
            let mut all: Vec<usize> = (0..n).collect();
            for i in 0..count {
                let j = i + self.below(n - i);
                all.swap(i, j);
            }
            all.truncate(count);
            all
        }
    }

    #[test]
    fn gf_tables_are_consistent() {
        for a in 1..=255u8 {
            assert_eq!(mul(a, div(1, a)), 1, "inverse of {a}");
            assert_eq!(EXP[LOG[a as usize] as usize], a);
        }
        // Field is closed and multiplication is commutative/associative on samples.
        for a in [3u8, 29, 77, 200] {
            for b in [1u8, 5, 128, 255] {
                assert_eq!(mul(a, b), mul(b, a));
                assert_eq!(div(mul(a, b), b), a);
            }
        }
    }

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
        assert_eq!(crc32(&[b"1234", b"56789"]), 0xCBF4_3926);
        assert_eq!(crc32(&[b""]), 0);
    }

    #[test]
    fn rs_clean_codeword_has_zero_syndromes() {
        let rs = ReedSolomon::new(16);
        let msg: Vec<u8> = (0..100u8).collect();
        let cw = rs.encode(&msg);
        assert_eq!(&cw[..100], &msg[..]);
        assert!(rs.syndromes(&cw).iter().all(|&s| s == 0));
        let mut c2 = cw.clone();
        assert_eq!(rs.decode(&mut c2, &[]), Ok(0));
        assert_eq!(c2, cw);
    }

    #[test]
    fn rs_random_errors_and_erasures_up_to_capacity() {
        let mut rng = Rng(42);
        for trial in 0..3000 {
            let n = 8 + rng.below(248); // 8..=255
            let nsym = 2 + rng.below((n - 3).min(120)); // leaves >= 1 data byte
            let k = n - nsym;
            let rs = ReedSolomon::new(nsym);
            let msg: Vec<u8> = (0..k).map(|_| rng.next() as u8).collect();
            let cw = rs.encode(&msg);
            assert_eq!(cw.len(), n);
            // Random split of the correction budget between errors and erasures.
            let f = rng.below(nsym + 1);
            let e = (nsym - f) / 2;
            let pos = rng.distinct(e + f, n);
            let mut bad = cw.clone();
            for &p in &pos[..e] {
                bad[p] ^= 1 + rng.below(255) as u8; // guaranteed change
            }
            for &p in &pos[e..] {
                bad[p] = rng.next() as u8; // may or may not change
            }
            let res = rs.decode(&mut bad, &pos[e..]);
            assert!(
                res.is_ok(),
                "trial {trial}: n={n} nsym={nsym} e={e} f={f}: {res:?}"
            );
            assert_eq!(bad, cw, "trial {trial}: n={n} nsym={nsym} e={e} f={f}");
        }
    }

    #[test]
    fn rs_errors_only_exact_capacity() {
        let mut rng = Rng(7);
        for &(n, nsym) in &[(255usize, 32usize), (40, 20), (136, 68), (12, 4), (255, 2)] {
            let rs = ReedSolomon::new(nsym);
            for _ in 0..200 {
                let msg: Vec<u8> = (0..n - nsym).map(|_| rng.next() as u8).collect();
                let cw = rs.encode(&msg);
                let t = nsym / 2;
                let mut bad = cw.clone();
                for p in rng.distinct(t, n) {
                    bad[p] ^= 1 + rng.below(255) as u8;
                }
                assert_eq!(rs.decode(&mut bad, &[]), Ok(t));
                assert_eq!(bad, cw);
            }
        }
    }

    #[test]
    fn rs_beyond_capacity_is_mostly_detected() {
        // Beyond capacity a decoder can only fail or miscorrect to another
        // codeword; it must never return a non-codeword, and for a code with
        // 32 parity bytes miscorrection must be rare.
        let mut rng = Rng(99);
        let rs = ReedSolomon::new(32);
        let mut miscorrected = 0;
        for _ in 0..500 {
            let msg: Vec<u8> = (0..100).map(|_| rng.next() as u8).collect();
            let cw = rs.encode(&msg);
            let mut bad = cw.clone();
            let count = 17 + rng.below(30);
            for p in rng.distinct(count, 132) {
                bad[p] ^= 1 + rng.below(255) as u8;
            }
            let before = bad.clone();
            match rs.decode(&mut bad, &[]) {
                Ok(_) => {
                    assert!(rs.syndromes(&bad).iter().all(|&s| s == 0));
                    assert_ne!(bad, cw);
                    miscorrected += 1;
                }
                Err(RsFailure) => assert_eq!(bad, before, "failure must leave input untouched"),
            }
        }
        assert!(miscorrected < 5, "{miscorrected} miscorrections");
    }

    #[test]
    fn rs_rejects_nonsense_arguments() {
        let rs = ReedSolomon::new(10);
        let mut short = vec![1u8; 5];
        assert_eq!(rs.decode(&mut short, &[]), Err(RsFailure));
        let mut cw = rs.encode(&[1, 2, 3]);
        cw[0] ^= 9;
        // Erasure positions out of range are ignored, duplicates merged.
        assert!(rs.decode(&mut cw, &[0, 0, 1000]).is_ok());
        assert_eq!(&cw[..3], &[1, 2, 3]);
    }

    #[test]
    fn biorthogonal_roundtrip_and_noise() {
        let mut rng = Rng(5);
        for m in [5u32, 7, 9] {
            let code = Biorthogonal::new(m);
            for _ in 0..50 {
                let v = rng.below(code.messages());
                let bits = code.encode(v);
                // Flip just under a quarter of the bits: within d/2 - 1.
                let mut soft: Vec<f32> = bits.iter().map(|&b| if b { -1.0 } else { 1.0 }).collect();
                for p in rng.distinct(code.len() / 4 - 1, code.len()) {
                    soft[p] = -soft[p];
                }
                assert_eq!(code.decode_ranked(&soft)[0].0, v);
                // Half the positions erased still decodes without errors.
                let mut punct: Vec<f32> =
                    bits.iter().map(|&b| if b { -1.0 } else { 1.0 }).collect();
                for p in rng.distinct(code.len() / 2, code.len()) {
                    punct[p] = 0.0;
                }
                assert_eq!(code.decode_ranked(&punct)[0].0, v);
            }
        }
    }
}
