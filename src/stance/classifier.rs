//! Target-dependent sentiment classifier trained on NewsMTSC (Hamborg & Donnay, EACL 2021):
//! given a sentence and a target span in it, the probabilities that the sentence speaks of the
//! target negatively, neutrally or positively.
//!
//! Method: two models whose logits are mixed (weight [`TrainParams::alpha`] on the second):
//! 1. multinomial logistic regression over hashed, target-relative sparse features
//!    ([`features::sparse`]: each word with its side and distance bucket, negation scope,
//!    quotation side, bigrams, the words around the target, 20,000-way word clusters, prior
//!    word polarity from the VADER lexicon, and AFINN-165 for words VADER lacks
//!    (`sentiment_lexicon`)), trained with AdaGrad and
//!    lazy L2;
//! 2. a small MLP ([`mlp`]) over pooled word vectors around the target
//!    ([`features::dense`]), trained with Adam and dropout.
//!
//! Other targets in the sentence are masked as one placeholder so the models learn relations
//! rather than names. All shuffles and initialisations are seeded, so training is
//! reproducible byte for byte. The file layout is documented in `classifier/format.rs`.

mod data;
pub mod features;
mod format;
pub mod mlp;
pub(crate) mod sentiment_lexicon;
#[cfg(test)]
mod tests;
pub mod vectors;

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::StanceError;
use crate::eval::stance::EvalReport;

pub use data::{read_newsmtsc, Example};
pub use features::tokenize;
pub use format::{MAGIC, VERSION};
pub use mlp::MlpParams;

use features::Prepared;
use mlp::Mlp;
use vectors::{Vectors, WordTable};

/// Training hyper-parameters (chosen by grouped 5-fold cross-validation on NewsMTSC train).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainParams {
    /// log2 of the number of sparse feature buckets.
    pub bits: u32,
    /// Passes of the sparse model over the data.
    pub epochs: usize,
    /// AdaGrad learning rate of the sparse model.
    pub lr: f32,
    /// L2 penalty per example of the sparse model.
    pub l2: f32,
    /// Use the word table (cluster features, and the vectors the MLP needs).
    pub clusters: bool,
    /// Weight classes inversely to their frequency (false: the training prior stands).
    pub balanced: bool,
    /// The MLP over pooled word vectors (`hidden = 0`: none).
    pub mlp: MlpParams,
    /// Weight of the MLP's logits in the mix (the sparse model gets `1 - alpha`).
    pub alpha: f32,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            bits: 20,
            epochs: 8,
            lr: 0.005,
            l2: 1e-5,
            clusters: true,
            balanced: false,
            mlp: MlpParams::default(),
            alpha: 0.25,
        }
    }
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

/// A trained model.
#[derive(Debug, Clone)]
pub struct Classifier {
    bits: u32,
    weights: Vec<f32>,
    bias: [f32; 3],
    table: WordTable,
    vectors: Vectors,
    /// MLPs trained with different seeds; their logits are averaged.
    mlps: Vec<Mlp>,
    alpha: f32,
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

fn softmax(z: [f32; 3]) -> [f32; 3] {
    let m = z[0].max(z[1]).max(z[2]);
    let e = [(z[0] - m).exp(), (z[1] - m).exp(), (z[2] - m).exp()];
    let s = e[0] + e[1] + e[2];
    [e[0] / s, e[1] / s, e[2] / s]
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

/// Mixes sparse and MLP logits.
fn mix(sparse: [f32; 3], dense: Option<[f32; 3]>, alpha: f32) -> [f32; 3] {
    match dense {
        Some(d) => std::array::from_fn(|c| (1.0 - alpha) * sparse[c] + alpha * d[c]),
        None => sparse,
    }
}

/// Class weights: inverse frequency when `balanced`, else 1.
fn class_weights(labels: impl Iterator<Item = usize>, balanced: bool) -> [f32; 3] {
    if !balanced {
        return [1.0; 3];
    }
    let mut counts = [0usize; 3];
    let mut n = 0usize;
    for y in labels {
        if let Some(c) = counts.get_mut(y) {
            *c += 1;
            n += 1;
        }
    }
    std::array::from_fn(|c| {
        if counts[c] == 0 {
            0.0
        } else {
            n as f32 / (3.0 * counts[c] as f32)
        }
    })
}

/// Logits of the two models for one target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parts {
    /// Logits of the sparse model.
    pub sparse: [f32; 3],
    /// Logits of the MLP, when the model has one.
    pub dense: Option<[f32; 3]>,
}

impl Classifier {
    fn mask(&self) -> u64 {
        (1u64 << self.bits) - 1
    }

    fn table(&self) -> Option<&WordTable> {
        (!self.table.is_empty()).then_some(&self.table)
    }

    fn sparse_scores(&self, feats: &[u64]) -> [f32; 3] {
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

    /// The two models' logits for `target` in `sentence` (see [`Classifier::predict_with`]).
    pub fn parts(&self, sentence: &str, target: Range<usize>, others: &[Range<usize>]) -> Parts {
        let p = Prepared::new(sentence, &target, others);
        let mut feats = Vec::new();
        features::sparse(&p, self.table(), &mut feats);
        let sparse = self.sparse_scores(&feats);
        let dense = (!self.mlps.is_empty()).then(|| {
            let mut x = Vec::new();
            features::dense(&p, &self.table, &self.vectors, &mut x);
            let mut z = [0f32; 3];
            for m in &self.mlps {
                let l = m.logits(&x);
                (0..3).for_each(|c| z[c] += l[c]);
            }
            z.map(|v| v / self.mlps.len() as f32)
        });
        Parts { sparse, dense }
    }

    /// Probabilities (negative, neutral, positive) of `sentence`'s sentiment toward the
    /// byte range `target`; `others` are other actors' mentions (masked as placeholders).
    pub fn predict_with(
        &self,
        sentence: &str,
        target: Range<usize>,
        others: &[Range<usize>],
    ) -> [f32; 3] {
        let p = self.parts(sentence, target, others);
        softmax(mix(p.sparse, p.dense, self.alpha))
    }

    /// [`Classifier::predict_with`] without other targets.
    pub fn predict(&self, sentence: &str, target: Range<usize>) -> [f32; 3] {
        self.predict_with(sentence, target, &[])
    }

    /// Free-text notes stored in the model (training data, parameters, date-free).
    pub fn notes(&self) -> &str {
        &self.notes
    }

    /// Trains on `data` (see [`TrainParams`]); `seed` fixes shuffles and initialisation.
    /// `clusters_tsv` is `word2row.tsv`; the MLP's vectors are read from
    /// `vectors_20000x300_f32.npy` next to it.
    pub fn train(
        data: &[Example],
        clusters_tsv: Option<&Path>,
        params: TrainParams,
        seed: u64,
    ) -> Result<Self, StanceError> {
        let (table, vectors) = load_resources(clusters_tsv, params)?;
        Ok(Self::train_with(data, table, vectors, params, seed))
    }

    fn train_with(
        data: &[Example],
        table: WordTable,
        vectors: Vectors,
        params: TrainParams,
        seed: u64,
    ) -> Self {
        let bits = params.bits.clamp(10, 24);
        let prepared: Vec<Prepared> = data
            .iter()
            .map(|e| Prepared::new(&e.text, &e.target, &e.others))
            .collect();
        let cw = class_weights(data.iter().map(|e| e.label), params.balanced);
        let tab = (!table.is_empty()).then_some(&table);
        let (weights, bias) = train_sparse(data, &prepared, tab, cw, bits, params, seed);
        let mut mlps = Vec::new();
        if params.mlp.hidden > 0 && !vectors.is_empty() && !table.is_empty() {
            let input = features::POOLS * vectors.dim();
            let mut x = Vec::with_capacity(data.len() * input);
            let mut row = Vec::new();
            for p in &prepared {
                features::dense(p, &table, &vectors, &mut row);
                x.extend_from_slice(&row);
            }
            let y: Vec<usize> = data.iter().map(|e| e.label).collect();
            for s in 0..params.mlp.seeds.max(1) as u64 {
                mlps.push(Mlp::train(&x, input, &y, cw, params.mlp, seed + 1000 * s));
            }
        }
        let notes = format!(
            "NewsMTSC train ({} targets); sparse logistic regression (AdaGrad) mixed with an MLP over pooled word vectors; {:?}; seed {}",
            data.len(),
            params,
            seed
        );
        let mut m = Classifier {
            bits,
            weights,
            bias,
            table,
            vectors,
            alpha: if mlps.is_empty() { 0.0 } else { params.alpha },
            mlps,
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

    /// Writes the model file (atomically, via a temporary file); returns its size in bytes.
    pub fn save(&self, path: &Path) -> Result<u64, StanceError> {
        let io = |source| StanceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let buf = format::to_bytes(self);
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
        }
        crate::output::atomic_file::write_atomically(path, &buf).map_err(io)?;
        Ok(buf.len() as u64)
    }

    /// Reads a model file; a truncated, foreign or other-version file is an error naming it.
    pub fn load(path: &Path) -> Result<Self, StanceError> {
        let bytes = std::fs::read(path).map_err(|source| StanceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        format::from_bytes(&bytes).map_err(|message| StanceError::Format {
            path: path.to_path_buf(),
            message: format!(
                "not a valid newsmill stance model ({message}); retrain with `newsmill train stance`"
            ),
        })
    }
}

/// Trains the sparse logistic regression: AdaGrad with lazy L2 over seeded shuffles.
fn train_sparse(
    data: &[Example],
    prepared: &[Prepared],
    table: Option<&WordTable>,
    cw: [f32; 3],
    bits: u32,
    params: TrainParams,
    seed: u64,
) -> (Vec<f32>, [f32; 3]) {
    let mask = (1u64 << bits) - 1;
    let feats: Vec<Vec<u64>> = prepared
        .iter()
        .map(|p| {
            let mut v = Vec::new();
            features::sparse(p, table, &mut v);
            for h in v.iter_mut() {
                *h &= mask;
            }
            v.sort_unstable();
            v.dedup();
            v
        })
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
            let scale = cw[y];
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
    (w, bias)
}

/// The word table and vectors for `params` (empty when `clusters` is off or no table given;
/// vectors only when the MLP is on).
fn load_resources(
    tsv: Option<&Path>,
    params: TrainParams,
) -> Result<(WordTable, Vectors), StanceError> {
    let Some(tsv) = tsv.filter(|_| params.clusters) else {
        return Ok(Default::default());
    };
    let table = WordTable::from_tsv(tsv)?;
    let vectors = if params.mlp.hidden > 0 {
        Vectors::from_npy(&vectors_path(tsv))?
    } else {
        Vectors::default()
    };
    Ok((table, vectors))
}

/// The vector matrix next to `word2row.tsv`.
fn vectors_path(tsv: &Path) -> PathBuf {
    tsv.with_file_name("vectors_20000x300_f32.npy")
}

/// Where the word table is looked for, relative to the training file
/// (`…/data/stance/newsmtsc/train.jsonl` → `…/data/vectors/word2row.tsv`).
pub fn default_clusters_path(train: &Path) -> PathBuf {
    train
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(|d| d.join("vectors").join("word2row.tsv"))
        .unwrap_or_else(|| PathBuf::from("word2row.tsv"))
}

/// Trains the built-in model on NewsMTSC `train` with `params` and writes it to `out`.
/// Reproducible: the same data, parameters and seed give the same file. The word table
/// and vectors are read from [`default_clusters_path`] when that file exists.
pub fn train_newsmtsc_with(
    train: &Path,
    out: &Path,
    params: TrainParams,
    seed: u64,
) -> Result<TrainReport, StanceError> {
    let data = read_newsmtsc(train)?;
    let cpath = default_clusters_path(train);
    let params = TrainParams {
        clusters: params.clusters && cpath.exists(),
        ..params
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

/// [`train_newsmtsc_with`] with the default (shipped) parameters.
pub fn train_newsmtsc(train: &Path, out: &Path, seed: u64) -> Result<TrainReport, StanceError> {
    train_newsmtsc_with(train, out, TrainParams::default(), seed)
}

/// One held-out prediction of cross-validation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CvPrediction {
    /// Gold label.
    pub label: usize,
    /// Whether the sentence has more than one target (as in `devtest_mt`).
    pub multi: bool,
    /// Both models' logits.
    pub parts: Parts,
}

/// k-fold cross-validation on `train`, grouped by sentence (all targets of a sentence land in
/// the same fold): every target's held-out logits.
pub fn cross_validate_predictions(
    train: &Path,
    folds: usize,
    params: TrainParams,
    seed: u64,
) -> Result<Vec<CvPrediction>, StanceError> {
    let data = read_newsmtsc(train)?;
    let (table, vectors) = load_resources(Some(&default_clusters_path(train)), params)?;
    let folds = folds.max(2);
    let fold_of = |g: usize| (fnv(&(g as u64).to_le_bytes()) % folds as u64) as usize;
    let mut out = Vec::with_capacity(data.len());
    for k in 0..folds {
        let tr: Vec<Example> = data
            .iter()
            .filter(|e| fold_of(e.group) != k)
            .cloned()
            .collect();
        let model = Classifier::train_with(&tr, table.clone(), vectors.clone(), params, seed);
        for e in data.iter().filter(|e| fold_of(e.group) == k) {
            out.push(CvPrediction {
                label: e.label,
                multi: !e.others.is_empty(),
                parts: model.parts(&e.text, e.target.clone(), &e.others),
            });
        }
    }
    Ok(out)
}

/// Scores cross-validation predictions with mixing weight `alpha`; `only_multi` keeps the
/// targets of sentences with several targets.
pub fn score_predictions(
    name: &str,
    preds: &[CvPrediction],
    alpha: f32,
    only_multi: bool,
) -> EvalReport {
    EvalReport::from_pairs(
        name,
        preds
            .iter()
            .filter(|p| p.multi || !only_multi)
            .map(|p| (p.label, argmax3(&mix(p.parts.sparse, p.parts.dense, alpha)))),
    )
}

/// What `[stance] classifier_min_confidence` buys, from held-out predictions: for each
/// threshold, how many support/oppose records the pipeline would keep (argmax not neutral and
/// its probability at least the threshold), how many of them have the right polarity, and
/// which share of the gold support/oppose targets they find. Rows for all targets and for
/// targets of sentences with several targets (as in the pipeline, where a sentence usually
/// names several actors).
pub fn confidence_table(preds: &[CvPrediction], alpha: f32) -> String {
    // (gold label, predicted class, its probability, multi-target sentence) once per target.
    let scored: Vec<(usize, usize, f32, bool)> = preds
        .iter()
        .map(|p| {
            let prob = softmax(mix(p.parts.sparse, p.parts.dense, alpha));
            let c = argmax3(&prob);
            (p.label, c, prob[c], p.multi)
        })
        .collect();
    let mut out = String::from(
        "classifier_min_confidence | kept (all) | precision | recall | kept (multi) | precision | recall\n",
    );
    for step in 0..=8 {
        let t = 0.5 + 0.05 * step as f32;
        let mut cols = Vec::new();
        for only_multi in [false, true] {
            let rows = scored.iter().filter(|r| r.3 || !only_multi);
            let gold_polar = rows.clone().filter(|r| r.0 != 1).count().max(1);
            let kept: Vec<_> = rows.filter(|r| r.1 != 1 && r.2 >= t).collect();
            let right = kept.iter().filter(|r| r.1 == r.0).count();
            cols.push(format!(
                "{} | {:.3} | {:.3}",
                kept.len(),
                right as f64 / kept.len().max(1) as f64,
                right as f64 / gold_polar as f64
            ));
        }
        out.push_str(&format!("{t:.2} | {} | {}\n", cols[0], cols[1]));
    }
    out
}

/// What [`cross_validate`] reports.
#[derive(Debug, Clone)]
pub struct CvReport {
    /// Pooled scores over all held-out predictions.
    pub all: EvalReport,
    /// The same, restricted to targets of sentences with several targets (the condition
    /// `devtest_mt` tests).
    pub multi: EvalReport,
    /// The [`confidence_table`] of the held-out predictions.
    pub confidence: String,
}

/// k-fold cross-validation on `train`, grouped by sentence: pooled held-out scores, the same
/// for multi-target sentences, and the [`confidence_table`].
pub fn cross_validate(
    train: &Path,
    folds: usize,
    params: TrainParams,
    seed: u64,
) -> Result<CvReport, StanceError> {
    let preds = cross_validate_predictions(train, folds, params, seed)?;
    let name = format!("{} ({}-fold CV)", train.display(), folds.max(2));
    Ok(CvReport {
        all: score_predictions(&name, &preds, params.alpha, false),
        multi: score_predictions(
            &format!("{name}, sentences with several targets"),
            &preds,
            params.alpha,
            true,
        ),
        confidence: confidence_table(&preds, params.alpha),
    })
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
