//! Orthonormal 8x8 two-dimensional DCT-II and its inverse, written directly
//! as two separable 8-point matrix products (the block count is small: at
//! most 32 x 32 blocks per image).

/// The 8x8 DCT basis: `c[k][n] = a(k) cos(pi (2n + 1) k / 16)`.
#[derive(Debug, Clone)]
pub struct Dct8 {
    c: [[f32; 8]; 8],
}

impl Default for Dct8 {
    fn default() -> Self {
        Self::new()
    }
}

impl Dct8 {
    /// Builds the basis table.
    pub fn new() -> Self {
        let mut c = [[0f32; 8]; 8];
        for (k, row) in c.iter_mut().enumerate() {
            let a = if k == 0 { (1.0f64 / 8.0).sqrt() } else { 0.5 };
            for (n, v) in row.iter_mut().enumerate() {
                *v = (a * (std::f64::consts::PI * (2 * n + 1) as f64 * k as f64 / 16.0).cos())
                    as f32;
            }
        }
        Self { c }
    }

    /// Forward transform of a row-major block: `out[u * 8 + v]` is the
    /// coefficient of vertical frequency `u` and horizontal frequency `v`.
    pub fn forward(&self, block: &[f32; 64]) -> [f32; 64] {
        let mut tmp = [0f32; 64];
        // Rows: tmp[y][v] = sum_x block[y][x] c[v][x]
        for y in 0..8 {
            for v in 0..8 {
                let mut s = 0.0;
                for x in 0..8 {
                    s += block[y * 8 + x] * self.c[v][x];
                }
                tmp[y * 8 + v] = s;
            }
        }
        let mut out = [0f32; 64];
        for u in 0..8 {
            for v in 0..8 {
                let mut s = 0.0;
                for y in 0..8 {
                    s += tmp[y * 8 + v] * self.c[u][y];
                }
                out[u * 8 + v] = s;
            }
        }
        out
    }

    /// Inverse transform (exact inverse of [`Dct8::forward`]).
    pub fn inverse(&self, coef: &[f32; 64]) -> [f32; 64] {
        let mut tmp = [0f32; 64];
        // tmp[y][v] = sum_u coef[u][v] c[u][y]
        for y in 0..8 {
            for v in 0..8 {
                let mut s = 0.0;
                for u in 0..8 {
                    s += coef[u * 8 + v] * self.c[u][y];
                }
                tmp[y * 8 + v] = s;
            }
        }
        let mut out = [0f32; 64];
        for y in 0..8 {
            for x in 0..8 {
                let mut s = 0.0;
                for v in 0..8 {
                    s += tmp[y * 8 + v] * self.c[v][x];
                }
                out[y * 8 + x] = s;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_orthonormal() {
        let d = Dct8::new();
        let mut b = [0f32; 64];
        for (i, v) in b.iter_mut().enumerate() {
            *v = ((i * 37 + 11) % 97) as f32 - 40.0;
        }
        let f = d.forward(&b);
        let back = d.inverse(&f);
        for i in 0..64 {
            assert!((back[i] - b[i]).abs() < 1e-3);
        }
        let e1: f32 = b.iter().map(|v| v * v).sum();
        let e2: f32 = f.iter().map(|v| v * v).sum();
        assert!((e1 - e2).abs() / e1 < 1e-5, "Parseval");
        // A constant block has only a DC coefficient of 8 * value.
        let f = d.forward(&[3.0; 64]);
        assert!((f[0] - 24.0).abs() < 1e-4);
        assert!(f[1..].iter().all(|v| v.abs() < 1e-4));
    }
}
