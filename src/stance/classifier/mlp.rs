//! A small multilayer perceptron (one ReLU hidden layer, three outputs) over the pooled
//! word-vector features: plain f32 loops (about 100k weights, no BLAS needed), trained with
//! Adam on seeded mini-batches with dropout on the hidden layer, so training is reproducible.

/// MLP training hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MlpParams {
    /// Hidden units (0: no MLP).
    pub hidden: usize,
    /// Passes over the data.
    pub epochs: usize,
    /// Adam learning rate.
    pub lr: f32,
    /// L2 weight decay (added to the gradient).
    pub l2: f32,
    /// Dropout rate on the hidden layer during training.
    pub dropout: f32,
    /// Mini-batch size.
    pub batch: usize,
    /// MLPs trained with different seeds (their logits are averaged).
    pub seeds: usize,
}

impl Default for MlpParams {
    fn default() -> Self {
        MlpParams {
            hidden: 64,
            epochs: 8,
            lr: 1e-3,
            l2: 1e-4,
            dropout: 0.3,
            batch: 32,
            seeds: 4,
        }
    }
}

/// A trained MLP with its input standardisation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mlp {
    pub(super) input: usize,
    pub(super) hidden: usize,
    /// Per-input mean and 1/std, applied before the first layer.
    pub(super) mean: Vec<f32>,
    pub(super) istd: Vec<f32>,
    /// `hidden × input`, row-major.
    pub(super) w1: Vec<f32>,
    pub(super) b1: Vec<f32>,
    /// `3 × hidden`, row-major.
    pub(super) w2: Vec<f32>,
    pub(super) b2: [f32; 3],
}

/// Dot product with eight independent partial sums. A plain `zip().map().sum()` over f32 is
/// one serial chain of additions (float addition is not associative, so the compiler may not
/// reorder it); eight lanes let it use SIMD, which made the stance stage ~4x faster. The
/// order is fixed, so results do not depend on the machine's thread count.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ar, br) = (ac.remainder(), bc.remainder());
    for (x, y) in ac.zip(bc) {
        for ((s, x), y) in acc.iter_mut().zip(x).zip(y) {
            *s += x * y;
        }
    }
    let tail: f32 = ar.iter().zip(br).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

/// xorshift64* step.
fn next(rng: &mut u64) -> u64 {
    *rng ^= *rng >> 12;
    *rng ^= *rng << 25;
    *rng ^= *rng >> 27;
    rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

/// Uniform in [0, 1).
fn unif(rng: &mut u64) -> f32 {
    (next(rng) >> 40) as f32 / (1u64 << 24) as f32
}

/// Adam state of one parameter vector.
struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
}

impl Adam {
    fn new(n: usize) -> Self {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }

    /// One step on `w` with gradient `g` (already averaged) at step `t` (1-based).
    fn step(&mut self, w: &mut [f32], g: &[f32], lr: f32, l2: f32, t: i32) {
        let (b1, b2) = (0.9f32, 0.999f32);
        let c1 = 1.0 - b1.powi(t);
        let c2 = 1.0 - b2.powi(t);
        for i in 0..w.len() {
            let gi = g[i] + l2 * w[i];
            self.m[i] = b1 * self.m[i] + (1.0 - b1) * gi;
            self.v[i] = b2 * self.v[i] + (1.0 - b2) * gi * gi;
            w[i] -= lr * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + 1e-8);
        }
    }
}

impl Mlp {
    /// Input size.
    pub fn input(&self) -> usize {
        self.input
    }

    /// Hidden pre-activations → ReLU, into `h`.
    fn hidden_into(&self, x: &[f32], xs: &mut Vec<f32>, h: &mut Vec<f32>) {
        xs.clear();
        xs.extend(
            x.iter()
                .zip(&self.mean)
                .zip(&self.istd)
                .map(|((a, m), s)| (a - m) * s),
        );
        h.clear();
        for j in 0..self.hidden {
            let row = &self.w1[j * self.input..(j + 1) * self.input];
            let z = dot(row, xs) + self.b1[j];
            h.push(z.max(0.0));
        }
    }

    fn out(&self, h: &[f32]) -> [f32; 3] {
        let mut z = self.b2;
        for (c, zc) in z.iter_mut().enumerate() {
            let row = &self.w2[c * self.hidden..(c + 1) * self.hidden];
            *zc += row.iter().zip(h).map(|(a, b)| a * b).sum::<f32>();
        }
        z
    }

    /// Output logits for input `x` (a wrong-sized input gives zero logits).
    pub fn logits(&self, x: &[f32]) -> [f32; 3] {
        if x.len() != self.input || self.hidden == 0 {
            return [0.0; 3];
        }
        let (mut xs, mut h) = (Vec::new(), Vec::new());
        self.hidden_into(x, &mut xs, &mut h);
        self.out(&h)
    }

    /// Trains on `x` (`y.len()` rows of `input` values) with labels `y` in 0..3 weighted by
    /// `class_weight[y]`.
    pub fn train(
        x: &[f32],
        input: usize,
        y: &[usize],
        class_weight: [f32; 3],
        p: MlpParams,
        seed: u64,
    ) -> Mlp {
        let n = y.len();
        let hidden = p.hidden.max(1);
        let mut mean = vec![0f32; input];
        let mut var = vec![0f32; input];
        for row in x.chunks_exact(input.max(1)).take(n) {
            for (m, a) in mean.iter_mut().zip(row) {
                *m += a;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n.max(1) as f32);
        for row in x.chunks_exact(input.max(1)).take(n) {
            for ((v, a), m) in var.iter_mut().zip(row).zip(&mean) {
                *v += (a - m) * (a - m);
            }
        }
        let istd: Vec<f32> = var
            .iter()
            .map(|v| 1.0 / ((v / n.max(1) as f32).sqrt() + 1e-3))
            .collect();
        let mut rng = seed ^ 0x5851_f42d_4c95_7f2d;
        let init = |fan_in: usize, k: usize, rng: &mut u64| -> Vec<f32> {
            let a = (6.0 / fan_in.max(1) as f32).sqrt();
            (0..k).map(|_| (2.0 * unif(rng) - 1.0) * a).collect()
        };
        let mut m = Mlp {
            input,
            hidden,
            mean,
            istd,
            w1: init(input, hidden * input, &mut rng),
            b1: vec![0.0; hidden],
            w2: init(hidden, 3 * hidden, &mut rng),
            b2: [0.0; 3],
        };
        let (mut a_w1, mut a_b1, mut a_w2, mut a_b2) = (
            Adam::new(m.w1.len()),
            Adam::new(hidden),
            Adam::new(3 * hidden),
            Adam::new(3),
        );
        let mut g_w1 = vec![0f32; m.w1.len()];
        let mut g_b1 = vec![0f32; hidden];
        let mut g_w2 = vec![0f32; 3 * hidden];
        let mut g_b2;
        let mut order: Vec<usize> = (0..n).collect();
        let (mut xs, mut h) = (Vec::new(), Vec::new());
        let mut gh = vec![0f32; hidden];
        let keep = 1.0 - p.dropout.clamp(0.0, 0.9);
        let mut t = 0i32;
        let batch = p.batch.max(1);
        for _ in 0..p.epochs {
            for i in (1..n).rev() {
                let r = next(&mut rng);
                order.swap(i, (r % (i as u64 + 1)) as usize);
            }
            for chunk in order.chunks(batch) {
                g_w1.iter_mut().for_each(|g| *g = 0.0);
                g_b1.iter_mut().for_each(|g| *g = 0.0);
                g_w2.iter_mut().for_each(|g| *g = 0.0);
                g_b2 = [0.0; 3];
                for &ix in chunk {
                    let Some(row) = x.get(ix * input..(ix + 1) * input) else {
                        continue;
                    };
                    m.hidden_into(row, &mut xs, &mut h);
                    for hj in h.iter_mut() {
                        if unif(&mut rng) < keep {
                            *hj /= keep;
                        } else {
                            *hj = 0.0;
                        }
                    }
                    let pr = super::softmax(m.out(&h));
                    let yc = y[ix].min(2);
                    let cw = class_weight[yc];
                    let gz: [f32; 3] =
                        std::array::from_fn(|c| cw * (pr[c] - if c == yc { 1.0 } else { 0.0 }));
                    for c in 0..3 {
                        g_b2[c] += gz[c];
                        let grow = &mut g_w2[c * hidden..(c + 1) * hidden];
                        for (g, hj) in grow.iter_mut().zip(&h) {
                            *g += gz[c] * hj;
                        }
                    }
                    for j in 0..hidden {
                        // Dropped and inactive units have h = 0 and pass no gradient.
                        gh[j] = if h[j] > 0.0 {
                            (0..3).map(|c| gz[c] * m.w2[c * hidden + j]).sum::<f32>() / keep
                        } else {
                            0.0
                        };
                        if gh[j] != 0.0 {
                            g_b1[j] += gh[j];
                            let grow = &mut g_w1[j * input..(j + 1) * input];
                            for (g, a) in grow.iter_mut().zip(&xs) {
                                *g += gh[j] * a;
                            }
                        }
                    }
                }
                let inv = 1.0 / chunk.len() as f32;
                g_w1.iter_mut().for_each(|g| *g *= inv);
                g_b1.iter_mut().for_each(|g| *g *= inv);
                g_w2.iter_mut().for_each(|g| *g *= inv);
                g_b2.iter_mut().for_each(|g| *g *= inv);
                t += 1;
                a_w1.step(&mut m.w1, &g_w1, p.lr, p.l2, t);
                a_b1.step(&mut m.b1, &g_b1, p.lr, 0.0, t);
                a_w2.step(&mut m.w2, &g_w2, p.lr, p.l2, t);
                a_b2.step(&mut m.b2, &g_b2, p.lr, 0.0, t);
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_xor_like_classes_reproducibly() {
        // Class by quadrant: needs the hidden layer (not linearly separable for class 1).
        let mut x = Vec::new();
        let mut y = Vec::new();
        let mut rng = 99u64;
        for _ in 0..400 {
            let a = 2.0 * unif(&mut rng) - 1.0;
            let b = 2.0 * unif(&mut rng) - 1.0;
            x.extend([a, b]);
            y.push(if a * b > 0.0 {
                1
            } else if a > 0.0 {
                0
            } else {
                2
            });
        }
        let p = MlpParams {
            hidden: 16,
            epochs: 60,
            lr: 0.01,
            dropout: 0.0,
            ..MlpParams::default()
        };
        let m = Mlp::train(&x, 2, &y, [1.0; 3], p, 5);
        let m2 = Mlp::train(&x, 2, &y, [1.0; 3], p, 5);
        assert_eq!(m, m2, "same seed, same model");
        let correct = x
            .chunks_exact(2)
            .zip(&y)
            .filter(|(r, &c)| super::super::argmax3(&m.logits(r)) == c)
            .count();
        assert!(correct > 340, "{correct}/400");
        assert_eq!(m.logits(&[1.0]), [0.0; 3], "wrong input size");
    }
}
