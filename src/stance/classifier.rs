//! Target-dependent sentiment classifier trained on NewsMTSC (Hamborg & Donnay, EACL 2021):
//! given a sentence and a target span in it, the probabilities that the sentence speaks of the
//! target negatively, neutrally or positively.
//!
//! Method: multinomial logistic regression over hashed, target-relative sparse features —
//! each word with its side (left/right of the target) and distance bucket, negation scope,
//! whether it is on the other side of a quotation mark, bigrams, the words right around the
//! target, and 20,000-way word clusters (the row ids of the spaCy vector table, so unseen
//! inflections and rare synonyms share weights). Other targets in the sentence are masked as
//! one placeholder so the model learns relations rather than names. Trained with AdaGrad,
//! L2 regularisation and class-balanced weights, a fixed number of epochs and a seeded
//! shuffle, so training is reproducible.
//!
//! File format (little-endian): magic `NMSTANCE`, version u32, hash bits u32, weight scale
//! f32, bias 3 × f32, notes (u32 length + UTF-8), cluster count u32 then that many
//! (u64 word hash, u16 cluster) pairs sorted by hash, coarse count u32 then that many u16
//! (cluster → coarse cluster), then `3 << bits` i16 weights.

use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::StanceError;
use crate::eval::stance::EvalReport;

/// File magic.
pub const MAGIC: &[u8; 8] = b"NMSTANCE";
/// Format version; bump on any change of layout or features.
pub const VERSION: u32 = 1;

/// Training hyper-parameters (chosen by 5-fold cross-validation on NewsMTSC train).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainParams {
    /// log2 of the number of feature buckets.
    pub bits: u32,
    /// Passes over the data.
    pub epochs: usize,
    /// AdaGrad learning rate.
    pub lr: f32,
    /// L2 penalty per example.
    pub l2: f32,
    /// Use word-cluster features.
    pub clusters: bool,
    /// Coarse clusters built by k-means over the word vectors (0: none).
    pub coarse: usize,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            bits: 20,
            epochs: 8,
            lr: 0.005,
            l2: 1e-5,
            clusters: true,
            coarse: 0,
        }
    }
}

/// One NewsMTSC target: sentence, target span, the other targets' spans, gold label.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The sentence.
    pub text: String,
    /// Byte span of the target in `text`.
    pub target: Range<usize>,
    /// Byte spans of the other targets.
    pub others: Vec<Range<usize>>,
    /// 0 negative, 1 neutral, 2 positive.
    pub label: usize,
    /// Sentence number in the file (for grouped cross-validation).
    pub group: usize,
}

/// What training produced.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    /// Training examples (targets).
    pub n_examples: usize,
    /// Wall-clock seconds of training (excluding data loading).
    pub seconds: f64,
    /// Size of the written model file in bytes.
    pub model_bytes: u64,
    /// Hyper-parameters used.
    pub params: TrainParams,
}

impl fmt::Display for TrainReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "trained on {} targets in {:.1}s; model {:.1} MB; params {:?}",
            self.n_examples,
            self.seconds,
            self.model_bytes as f64 / 1e6,
            self.params
        )
    }
}

/// Word → cluster id, by 64-bit word hash (sorted for binary search).
#[derive(Debug, Clone, Default)]
struct Clusters {
    keys: Vec<u64>,
    rows: Vec<u16>,
    /// Row → coarse cluster (k-means over the row vectors), empty when not built.
    coarse: Vec<u16>,
}

impl Clusters {
    fn get(&self, word: &str) -> Option<u16> {
        let h = fnv(word.as_bytes());
        self.keys
            .binary_search(&h)
            .ok()
            .and_then(|i| self.rows.get(i).copied())
    }

    fn coarse_of(&self, row: u16) -> Option<u16> {
        self.coarse.get(row as usize).copied()
    }

    /// Reads `word<TAB>row` lines; keeps the first row seen for each word's lowercase form.
    fn from_tsv(path: &Path) -> Result<Self, StanceError> {
        let f = std::fs::File::open(path).map_err(|source| StanceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut map: HashMap<u64, u16> = HashMap::new();
        for (n, line) in BufReader::new(f).lines().enumerate() {
            let line = line.map_err(|source| StanceError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let Some((w, r)) = line.split_once('\t') else {
                continue;
            };
            let row: u16 = r.trim().parse().map_err(|_| StanceError::Format {
                path: path.to_path_buf(),
                message: format!("line {}: row `{r}` is not a number below 65536", n + 1),
            })?;
            // Case-folded lookups: an exact lowercase entry wins over a capitalised one.
            let lw = w.to_lowercase();
            let h = fnv(lw.as_bytes());
            if w == lw {
                map.insert(h, row);
            } else {
                map.entry(h).or_insert(row);
            }
        }
        let mut pairs: Vec<(u64, u16)> = map.into_iter().collect();
        pairs.sort_unstable();
        Ok(Clusters {
            keys: pairs.iter().map(|p| p.0).collect(),
            rows: pairs.iter().map(|p| p.1).collect(),
            coarse: Vec::new(),
        })
    }

    /// Groups the rows of a `.npy` float32 matrix into `k` coarse clusters by spherical
    /// k-means (deterministic: initial centres are evenly spaced rows, fixed iterations).
    fn build_coarse(&mut self, npy: &Path, k: usize, iters: usize) -> Result<(), StanceError> {
        let (n, d, v) = read_npy_f32(npy)?;
        let mut x = v;
        for r in x.chunks_exact_mut(d) {
            let norm = r.iter().map(|a| a * a).sum::<f32>().sqrt();
            if norm > 0.0 {
                r.iter_mut().for_each(|a| *a /= norm);
            }
        }
        let k = k.clamp(2, n.max(2));
        let mut centres: Vec<f32> = (0..k)
            .flat_map(|c| {
                let r = c * n / k;
                x[r * d..(r + 1) * d].to_vec()
            })
            .collect();
        let mut assign = vec![0u16; n];
        for _ in 0..iters {
            for (i, row) in x.chunks_exact(d).enumerate() {
                let mut best = (0usize, f32::MIN);
                for (c, cen) in centres.chunks_exact(d).enumerate() {
                    let s: f32 = row.iter().zip(cen).map(|(a, b)| a * b).sum();
                    if s > best.1 {
                        best = (c, s);
                    }
                }
                assign[i] = best.0 as u16;
            }
            let mut sums = vec![0f32; k * d];
            for (i, row) in x.chunks_exact(d).enumerate() {
                let c = assign[i] as usize;
                for (a, b) in sums[c * d..(c + 1) * d].iter_mut().zip(row) {
                    *a += b;
                }
            }
            for (c, s) in sums.chunks_exact(d).enumerate() {
                let norm = s.iter().map(|a| a * a).sum::<f32>().sqrt();
                if norm > 0.0 {
                    for (a, b) in centres[c * d..(c + 1) * d].iter_mut().zip(s) {
                        *a = b / norm;
                    }
                }
            }
        }
        self.coarse = assign;
        Ok(())
    }
}

/// Reads a 2-D little-endian float32 `.npy` file: (rows, columns, data).
fn read_npy_f32(path: &Path) -> Result<(usize, usize, Vec<f32>), StanceError> {
    let bad = |message: String| StanceError::Format {
        path: path.to_path_buf(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|source| StanceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if bytes.get(..6) != Some(b"\x93NUMPY".as_slice()) {
        return Err(bad("not a .npy file".into()));
    }
    let major = bytes.get(6).copied().unwrap_or(0);
    let (hlen, hstart) = if major == 1 {
        let b = bytes
            .get(8..10)
            .ok_or_else(|| bad("truncated header".into()))?;
        (u16::from_le_bytes([b[0], b[1]]) as usize, 10)
    } else {
        let b = bytes
            .get(8..12)
            .ok_or_else(|| bad("truncated header".into()))?;
        (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
    };
    let header = bytes
        .get(hstart..hstart + hlen)
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .ok_or_else(|| bad("truncated header".into()))?;
    if !header.contains("'<f4'") || header.contains("'fortran_order': True") {
        return Err(bad(format!(
            "expected little-endian float32 in C order, header {header}"
        )));
    }
    let shape = header
        .split("'shape':")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .map(|s| s.trim().trim_start_matches('(').to_string())
        .ok_or_else(|| bad("no shape in header".into()))?;
    let dims: Vec<usize> = shape
        .split(',')
        .filter(|x| !x.trim().is_empty())
        .map(|x| x.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad(format!("bad shape `{shape}`")))?;
    let [n, d] = dims.as_slice() else {
        return Err(bad(format!("expected a 2-D array, shape `{shape}`")));
    };
    let data = bytes
        .get(hstart + hlen..)
        .filter(|b| b.len() == n * d * 4)
        .ok_or_else(|| bad("data length does not match the shape".into()))?;
    let v = data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((*n, *d, v))
}

/// A trained model.
#[derive(Debug, Clone)]
pub struct Classifier {
    bits: u32,
    weights: Vec<f32>,
    bias: [f32; 3],
    clusters: Clusters,
    notes: String,
}

/// 64-bit FNV-1a.
fn fnv(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= x as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Word tokens of `text` as byte ranges: runs of letters/digits (with inner `-`, `.`, `'`),
/// single punctuation marks, and the clitics `'s` and `n't` split off.
pub fn tokenize(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (b, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if !c.is_alphanumeric() {
            out.push(b..b + c.len_utf8());
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() {
            let c = chars[j].1;
            let inner = matches!(c, '-' | '.' | '\'' | '’')
                && chars.get(j + 1).is_some_and(|n| n.1.is_alphanumeric());
            if c.is_alphanumeric() || inner {
                j += 1;
            } else {
                break;
            }
        }
        let end = chars.get(j).map(|x| x.0).unwrap_or(text.len());
        let word = &text[b..end];
        let lw = word.to_lowercase();
        let split = ["'s", "’s"]
            .iter()
            .find(|s| lw.ends_with(*s) && lw.len() > s.len())
            .map(|s| s.len())
            .or_else(|| {
                ["n't", "n’t"]
                    .iter()
                    .find(|s| lw.ends_with(*s) && lw.len() > s.len())
                    .map(|s| s.len())
            });
        match split {
            Some(k) if word.is_char_boundary(word.len() - k) => {
                out.push(b..end - k);
                out.push(end - k..end);
            }
            _ => out.push(b..end),
        }
        i = j;
    }
    out
}

const NEGATIONS: &[&str] = &[
    "not", "no", "never", "n't", "nor", "without", "neither", "none", "nobody", "nothing",
    "cannot", "hardly",
];

/// Hashed features of one target.
fn features(
    text: &str,
    target: &Range<usize>,
    others: &[Range<usize>],
    clusters: Option<&Clusters>,
    out: &mut Vec<u64>,
) {
    out.clear();
    let toks = tokenize(text);
    let n = toks.len();
    let overlaps = |t: &Range<usize>, r: &Range<usize>| t.start < r.end && r.start < t.end;
    let tgt: Vec<usize> = (0..n).filter(|&k| overlaps(&toks[k], target)).collect();
    let (t0, t1) = match (tgt.first(), tgt.last()) {
        (Some(&a), Some(&b)) => (a, b),
        _ => {
            // Target between tokens (should not happen): anchor at the nearest token.
            let k = toks
                .iter()
                .position(|t| t.start >= target.start)
                .unwrap_or(n.saturating_sub(1));
            (k, k)
        }
    };
    let mut words: Vec<String> = Vec::with_capacity(n);
    for (k, t) in toks.iter().enumerate() {
        let w = if (t0..=t1).contains(&k) {
            "<t>".to_string()
        } else if others.iter().any(|o| overlaps(t, o)) {
            "<o>".to_string()
        } else {
            text.get(t.clone())
                .unwrap_or("")
                .to_lowercase()
                .replace('’', "'")
        };
        words.push(w);
    }
    // Quote state and negation scope.
    let mut inq = vec![false; n];
    let mut q = false;
    for k in 0..n {
        match words[k].as_str() {
            "\"" => {
                q = !q;
            }
            "“" => q = true,
            "”" => q = false,
            _ => {}
        }
        inq[k] = q;
    }
    let mut neg = vec![false; n];
    let mut left = 0;
    for k in 0..n {
        let w = words[k].as_str();
        if NEGATIONS.contains(&w) {
            left = 4;
            continue;
        }
        if matches!(w, "," | "." | ";" | ":" | "!" | "?") {
            left = 0;
        }
        if left > 0 {
            neg[k] = true;
            left -= 1;
        }
    }
    let mut f = |parts: &[&str]| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for p in parts {
            for &x in p.as_bytes() {
                h ^= x as u64;
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
            h ^= 0xff;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        out.push(h);
    };
    f(&["bias"]);
    let mut num = String::new();
    for k in 0..n {
        let w = words[k].as_str();
        if w == "<t>" {
            continue;
        }
        let (side, d) = if k < t0 { ("L", t0 - k) } else { ("R", k - t1) };
        let bucket = match d {
            0..=1 => "1",
            2..=3 => "2",
            4..=6 => "3",
            7..=12 => "4",
            _ => "5",
        };
        let pre = if neg[k] { "N" } else { "" };
        f(&[pre, "u", w]);
        f(&[pre, side, bucket, w]);
        f(&[pre, side, w]);
        if d <= 6 {
            f(&[pre, "near", w]);
        }
        if inq[k] != inq[t0] {
            f(&["xq", w]);
        }
        if let Some(cl) = clusters {
            if w != "<o>" {
                if let Some(r) = cl.get(w) {
                    num.clear();
                    num.push_str(&r.to_string());
                    f(&[pre, "c", &num]);
                    f(&[pre, side, if d <= 6 { "n" } else { "f" }, "c", &num]);
                    if let Some(cc) = cl.coarse_of(r) {
                        num.clear();
                        num.push_str(&cc.to_string());
                        f(&[pre, "k", &num]);
                        f(&[pre, side, bucket, "k", &num]);
                    }
                }
            }
        }
    }
    for k in 0..n.saturating_sub(1) {
        let side = if k < t0 { "L" } else { "R" };
        f(&["b", &words[k], &words[k + 1]]);
        f(&[side, "b", &words[k], &words[k + 1]]);
    }
    let get = |k: Option<usize>, dflt: &'static str| -> String {
        k.and_then(|k| words.get(k))
            .cloned()
            .unwrap_or_else(|| dflt.to_string())
    };
    let prv = get(t0.checked_sub(1), "<s>");
    let nxt = get(Some(t1 + 1), "</s>");
    let nxt2 = get(Some(t1 + 2), "</s>");
    f(&[
        "tinq",
        if inq.get(t0).copied().unwrap_or(false) {
            "1"
        } else {
            "0"
        },
    ]);
    f(&["anyq", if inq.iter().any(|&x| x) { "1" } else { "0" }]);
    let pos = t0.min(5).to_string();
    f(&["tpos", &pos]);
    let rel = (4 * t0 / n.max(1)).to_string();
    f(&["trel", &rel]);
    f(&["pv", &prv]);
    f(&["nx", &nxt]);
    f(&["pn", &prv, &nxt]);
    f(&["nx2", &nxt, &nxt2]);
    let no = others.len().min(3).to_string();
    f(&["nothers", &no]);
    // Words between the target and the nearest other target: relations ("X attacked Y").
    let nearest_other = words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.as_str() == "<o>")
        .map(|(k, _)| k)
        .min_by_key(|&k| if k < t0 { t0 - k } else { k.saturating_sub(t1) });
    if let Some(o) = nearest_other {
        let (a, b, dir) = if o < t0 {
            (o + 1, t0, "ob")
        } else {
            (t1 + 1, o, "bo")
        };
        if b > a && b - a <= 8 {
            for w in words.get(a..b).unwrap_or(&[]) {
                f(&[dir, w]);
            }
        }
    }
}

fn softmax(z: [f32; 3]) -> [f32; 3] {
    let m = z[0].max(z[1]).max(z[2]);
    let e = [(z[0] - m).exp(), (z[1] - m).exp(), (z[2] - m).exp()];
    let s = e[0] + e[1] + e[2];
    [e[0] / s, e[1] / s, e[2] / s]
}

impl Classifier {
    fn mask(&self) -> u64 {
        (1u64 << self.bits) - 1
    }

    fn clusters(&self) -> Option<&Clusters> {
        (!self.clusters.keys.is_empty()).then_some(&self.clusters)
    }

    fn scores(&self, feats: &[u64]) -> [f32; 3] {
        let mut z = self.bias;
        let mask = self.mask();
        for &h in feats {
            let b = ((h & mask) as usize) * 3;
            if let Some(w) = self.weights.get(b..b + 3) {
                z[0] += w[0];
                z[1] += w[1];
                z[2] += w[2];
            }
        }
        z
    }

    /// Probabilities (negative, neutral, positive) of `sentence`'s sentiment toward the
    /// byte range `target`; `others` are other actors' mentions (masked as placeholders).
    pub fn predict_with(
        &self,
        sentence: &str,
        target: Range<usize>,
        others: &[Range<usize>],
    ) -> [f32; 3] {
        let mut feats = Vec::new();
        features(sentence, &target, others, self.clusters(), &mut feats);
        softmax(self.scores(&feats))
    }

    /// [`Classifier::predict_with`] without other targets.
    pub fn predict(&self, sentence: &str, target: Range<usize>) -> [f32; 3] {
        self.predict_with(sentence, target, &[])
    }

    /// Free-text notes stored in the model (training data, parameters, date-free).
    pub fn notes(&self) -> &str {
        &self.notes
    }

    /// Trains on `data` (see [`TrainParams`]); `seed` fixes the shuffle order.
    pub fn train(
        data: &[Example],
        clusters_tsv: Option<&Path>,
        params: TrainParams,
        seed: u64,
    ) -> Result<Self, StanceError> {
        let clusters = load_clusters(clusters_tsv, params)?;
        Ok(Self::train_with(data, clusters, params, seed))
    }

    fn train_with(data: &[Example], clusters: Clusters, params: TrainParams, seed: u64) -> Self {
        let bits = params.bits.clamp(10, 24);
        let mask = (1u64 << bits) - 1;
        let cl = (!clusters.keys.is_empty()).then_some(&clusters);
        let feats: Vec<Vec<u64>> = data
            .iter()
            .map(|e| {
                let mut v = Vec::new();
                features(&e.text, &e.target, &e.others, cl, &mut v);
                for h in v.iter_mut() {
                    *h &= mask;
                }
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let mut counts = [0usize; 3];
        for e in data {
            if let Some(c) = counts.get_mut(e.label) {
                *c += 1;
            }
        }
        let n = data.len().max(1) as f32;
        let cw: Vec<f32> = counts
            .iter()
            .map(|&c| if c == 0 { 0.0 } else { n / (3.0 * c as f32) })
            .collect();
        let size = 3usize << bits;
        let mut w = vec![0f32; size];
        let mut g2 = vec![0f32; size];
        // Lazy L2: remember when each bucket was last touched.
        let mut last = vec![0u32; 1usize << bits];
        let mut bias = [0f32; 3];
        let mut bg2 = [0f32; 3];
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut rng = seed ^ 0x9e37_79b9_7f4a_7c15;
        let mut step: u32 = 0;
        for _ in 0..params.epochs {
            // Fisher–Yates with xorshift64*.
            for i in (1..order.len()).rev() {
                rng ^= rng >> 12;
                rng ^= rng << 25;
                rng ^= rng >> 27;
                let r = rng.wrapping_mul(0x2545_f491_4f6c_dd1d);
                order.swap(i, (r % (i as u64 + 1)) as usize);
            }
            for &ix in &order {
                step += 1;
                let f = &feats[ix];
                let y = data[ix].label.min(2);
                let mut z = bias;
                for &h in f {
                    let b = h as usize;
                    let lag = step - last[b] - 1;
                    if lag > 0 && params.l2 > 0.0 {
                        let decay = (1.0 - params.lr * params.l2).powi(lag as i32);
                        for c in 0..3 {
                            w[b * 3 + c] *= decay;
                        }
                    }
                    last[b] = step;
                    for c in 0..3 {
                        z[c] += w[b * 3 + c];
                    }
                }
                let p = softmax(z);
                let scale = cw.get(y).copied().unwrap_or(1.0);
                for c in 0..3 {
                    let g = scale * (p[c] - if c == y { 1.0 } else { 0.0 });
                    bg2[c] += g * g;
                    bias[c] -= params.lr * g / (bg2[c].sqrt() + 1e-8);
                    for &h in f {
                        let k = h as usize * 3 + c;
                        let gk = g + params.l2 * w[k];
                        g2[k] += gk * gk;
                        w[k] -= params.lr * gk / (g2[k].sqrt() + 1e-8);
                    }
                }
            }
        }
        // Apply the remaining lazy decay so the stored weights are final.
        if params.l2 > 0.0 {
            for (b, &l) in last.iter().enumerate() {
                let lag = step.saturating_sub(l);
                if lag > 0 {
                    let decay = (1.0 - params.lr * params.l2).powi(lag as i32);
                    for c in 0..3 {
                        w[b * 3 + c] *= decay;
                    }
                }
            }
        }
        let notes = format!(
            "NewsMTSC train ({} targets); multinomial logistic regression, AdaGrad; {:?}; seed {}",
            data.len(),
            params,
            seed
        );
        let mut m = Classifier {
            bits,
            weights: w,
            bias,
            clusters,
            notes,
        };
        m.quantise();
        m
    }

    /// Rounds weights to the i16 grid the file stores, so saved and in-memory models agree.
    fn quantise(&mut self) {
        let scale = self.scale();
        for x in self.weights.iter_mut() {
            *x = (*x / scale).round().clamp(-32767.0, 32767.0) * scale;
        }
    }

    fn scale(&self) -> f32 {
        let m = self.weights.iter().fold(0f32, |m, x| m.max(x.abs()));
        if m > 0.0 {
            m / 32767.0
        } else {
            1.0
        }
    }

    /// Writes the model file.
    pub fn save(&self, path: &Path) -> Result<u64, StanceError> {
        let io = |source| StanceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut buf: Vec<u8> =
            Vec::with_capacity(self.weights.len() * 2 + self.clusters.keys.len() * 10 + 1024);
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(&VERSION.to_le_bytes());
        buf.extend_from_slice(&self.bits.to_le_bytes());
        let scale = self.scale();
        buf.extend_from_slice(&scale.to_le_bytes());
        for b in self.bias {
            buf.extend_from_slice(&b.to_le_bytes());
        }
        buf.extend_from_slice(&(self.notes.len() as u32).to_le_bytes());
        buf.extend_from_slice(self.notes.as_bytes());
        buf.extend_from_slice(&(self.clusters.keys.len() as u32).to_le_bytes());
        for (k, r) in self.clusters.keys.iter().zip(&self.clusters.rows) {
            buf.extend_from_slice(&k.to_le_bytes());
            buf.extend_from_slice(&r.to_le_bytes());
        }
        buf.extend_from_slice(&(self.clusters.coarse.len() as u32).to_le_bytes());
        for c in &self.clusters.coarse {
            buf.extend_from_slice(&c.to_le_bytes());
        }
        for &x in &self.weights {
            let q = (x / scale).round().clamp(-32767.0, 32767.0) as i16;
            buf.extend_from_slice(&q.to_le_bytes());
        }
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
        }
        let tmp = path.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&buf).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(buf.len() as u64)
    }

    /// Reads a model file; a truncated or foreign file is an error naming it.
    pub fn load(path: &Path) -> Result<Self, StanceError> {
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|source| StanceError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        Self::from_bytes(&bytes).map_err(|message| StanceError::Format {
            path: path.to_path_buf(),
            message: format!("not a valid newsmill stance model ({message}); retrain with `newsmill train stance`"),
        })
    }

    fn from_bytes(b: &[u8]) -> Result<Self, String> {
        let mut r = Reader { b, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err("bad magic".into());
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(format!("format version {version}, expected {VERSION}"));
        }
        let bits = r.u32()?;
        if !(10..=24).contains(&bits) {
            return Err(format!("hash bits {bits} out of range"));
        }
        let scale = r.f32()?;
        let bias = [r.f32()?, r.f32()?, r.f32()?];
        let nlen = r.u32()? as usize;
        let notes = String::from_utf8_lossy(r.take(nlen)?).into_owned();
        let nc = r.u32()? as usize;
        let cbytes = r.take(nc.checked_mul(10).ok_or("cluster count overflow")?)?;
        let mut keys = Vec::with_capacity(nc);
        let mut rows = Vec::with_capacity(nc);
        for ch in cbytes.chunks_exact(10) {
            let mut k = [0u8; 8];
            k.copy_from_slice(&ch[..8]);
            keys.push(u64::from_le_bytes(k));
            rows.push(u16::from_le_bytes([ch[8], ch[9]]));
        }
        if keys.windows(2).any(|w| w[0] >= w[1]) {
            return Err("cluster table not sorted".into());
        }
        let ncoarse = r.u32()? as usize;
        let coarse = r
            .take(ncoarse.checked_mul(2).ok_or("coarse count overflow")?)?
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let nw = 3usize << bits;
        let wbytes = r.take(nw * 2)?;
        let weights = wbytes
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]) as f32 * scale)
            .collect();
        if r.pos != b.len() {
            return Err("trailing bytes".into());
        }
        Ok(Classifier {
            bits,
            weights,
            bias,
            clusters: Clusters { keys, rows, coarse },
            notes,
        })
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).ok_or("length overflow")?;
        let s = self.b.get(self.pos..end).ok_or("file is truncated")?;
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_bits(self.u32()?))
    }
}

/// Converts a char offset of `s` to a byte offset (clamped to the end).
fn char_to_byte(s: &str, c: usize) -> usize {
    s.char_indices().nth(c).map(|x| x.0).unwrap_or(s.len())
}

/// Reads a NewsMTSC JSONL file: one [`Example`] per target (polarity 2/4/6 → 0/1/2).
pub fn read_newsmtsc(path: &Path) -> Result<Vec<Example>, StanceError> {
    let fmt_err = |line: usize, message: String| StanceError::Format {
        path: path.to_path_buf(),
        message: format!("line {line}: {message}"),
    };
    let text = std::fs::read_to_string(path).map_err(|source| StanceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| fmt_err(i + 1, e.to_string()))?;
        let s = v
            .get("sentence_normalized")
            .and_then(|x| x.as_str())
            .ok_or_else(|| fmt_err(i + 1, "missing sentence_normalized".into()))?;
        let targets = v
            .get("targets")
            .and_then(|x| x.as_array())
            .ok_or_else(|| fmt_err(i + 1, "missing targets".into()))?;
        let mut spans = Vec::new();
        let mut labels = Vec::new();
        for t in targets {
            let from = t.get("from").and_then(|x| x.as_u64()).unwrap_or(0) as usize;
            let to = t.get("to").and_then(|x| x.as_u64()).unwrap_or(0) as usize;
            let pol = t.get("polarity").and_then(|x| x.as_f64()).unwrap_or(0.0);
            let label = match pol.round() as i64 {
                2 => 0,
                4 => 1,
                6 => 2,
                other => return Err(fmt_err(i + 1, format!("polarity {other} not in 2, 4, 6"))),
            };
            spans.push(char_to_byte(s, from)..char_to_byte(s, to));
            labels.push(label);
        }
        for (k, (span, label)) in spans.iter().zip(&labels).enumerate() {
            let others = spans
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, r)| r.clone())
                .collect();
            out.push(Example {
                text: s.to_string(),
                target: span.clone(),
                others,
                label: *label,
                group: i,
            });
        }
    }
    Ok(out)
}

fn load_clusters(tsv: Option<&Path>, params: TrainParams) -> Result<Clusters, StanceError> {
    let Some(tsv) = tsv.filter(|_| params.clusters) else {
        return Ok(Clusters::default());
    };
    let mut c = Clusters::from_tsv(tsv)?;
    if params.coarse > 0 {
        let npy = tsv.with_file_name("vectors_20000x300_f32.npy");
        c.build_coarse(&npy, params.coarse, 8)?;
    }
    Ok(c)
}

/// Where the word-cluster table is looked for, relative to the training file
/// (`…/data/stance/newsmtsc/train.jsonl` → `…/data/vectors/word2row.tsv`).
pub fn default_clusters_path(train: &Path) -> PathBuf {
    train
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(|d| d.join("vectors").join("word2row.tsv"))
        .unwrap_or_else(|| PathBuf::from("word2row.tsv"))
}

/// Trains the built-in model on NewsMTSC `train` and writes it to `out`. Reproducible: the
/// same data and seed give the same file. Word clusters are read from
/// [`default_clusters_path`] when that file exists.
pub fn train_newsmtsc(train: &Path, out: &Path, seed: u64) -> Result<TrainReport, StanceError> {
    let data = read_newsmtsc(train)?;
    let cpath = default_clusters_path(train);
    let params = TrainParams {
        clusters: cpath.exists(),
        ..TrainParams::default()
    };
    let t = Instant::now();
    let model = Classifier::train(&data, Some(&cpath), params, seed)?;
    let seconds = t.elapsed().as_secs_f64();
    let model_bytes = model.save(out)?;
    Ok(TrainReport {
        n_examples: data.len(),
        seconds,
        model_bytes,
        params,
    })
}

/// k-fold cross-validation on `train`, grouped by sentence (all targets of a sentence land in
/// the same fold); returns the pooled report over all held-out predictions.
pub fn cross_validate(
    train: &Path,
    folds: usize,
    params: TrainParams,
    seed: u64,
) -> Result<EvalReport, StanceError> {
    let data = read_newsmtsc(train)?;
    let clusters = load_clusters(Some(&default_clusters_path(train)), params)?;
    let folds = folds.max(2);
    let mut pairs = Vec::new();
    for k in 0..folds {
        let fold_of = |g: usize| (fnv(&(g as u64).to_le_bytes()) % folds as u64) as usize;
        let tr: Vec<Example> = data
            .iter()
            .filter(|e| fold_of(e.group) != k)
            .cloned()
            .collect();
        let model = Classifier::train_with(&tr, clusters.clone(), params, seed);
        for e in data.iter().filter(|e| fold_of(e.group) == k) {
            let p = model.predict_with(&e.text, e.target.clone(), &e.others);
            pairs.push((e.label, argmax3(&p)));
        }
    }
    Ok(EvalReport::from_pairs(
        &format!("{} ({folds}-fold CV)", train.display()),
        pairs,
    ))
}

fn argmax3(p: &[f32; 3]) -> usize {
    let mut best = 0;
    for i in 1..3 {
        if p[i] > p[best] {
            best = i;
        }
    }
    best
}

/// Scores `model` on a NewsMTSC file.
pub fn eval_newsmtsc(model: &Path, data: &Path) -> Result<EvalReport, StanceError> {
    let m = Classifier::load(model)?;
    let ex = read_newsmtsc(data)?;
    let pairs = ex.iter().map(|e| {
        (
            e.label,
            argmax3(&m.predict_with(&e.text, e.target.clone(), &e.others)),
        )
    });
    Ok(EvalReport::from_pairs(&data.display().to_string(), pairs))
}
