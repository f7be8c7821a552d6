//! Training: averaged structured perceptron with constrained Viterbi.
//!
//! Deterministic: sentence order comes from a seeded generator, features are
//! interned in corpus order, and no hash-map iteration order reaches the model
//! (rows are saved sorted by key). Single-threaded.
//!
//! Stage 1 is trained with early stopping on the dev set (best epoch kept).
//! With `two_stage`, stage-1 predictions for the training documents are made by
//! k-fold jackknifing (each fold tagged by a stage-1 model that never saw it), so
//! stage 2 learns how far to trust first-pass predictions as they will be at
//! test time; stage 2 is then trained and early-stopped the same way.

use std::path::PathBuf;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::conll::{self, Document};
use super::decode::{self, Encoding, Scratch, TagSet};
use super::features::{self, DocFeatures, Resources, StagePreds};
use super::hash::FxMap;
use super::model::{ModelData, Stage};
use super::resources::{self, Rng};
use super::{NerError, NerModel};

/// Training configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// Labelled training files (any format `conll::read_file` reads).
    pub train: Vec<PathBuf>,
    /// Dev file for early stopping and score calibration (strongly recommended).
    pub dev: Option<PathBuf>,
    /// Label scheme name stored in the model: "conll", "ontonotes" or other.
    pub scheme: String,
    /// Maximum epochs per stage.
    pub epochs: usize,
    /// Seed for shuffling, k-means and augmentation sampling.
    pub seed: u64,
    /// Output model file.
    pub out: PathBuf,
    /// `word<TAB>row` cluster file (20,000-way clusters); None = no cluster features.
    pub word2row: Option<PathBuf>,
    /// `.npy` vector table for coarse k-means clusters; None = no coarse clusters.
    pub vectors: Option<PathBuf>,
    /// Directory with the shared gazetteers; None = no gazetteer features.
    pub gazetteers: Option<PathBuf>,
    /// Labelled files whose capitalised entity strings become extra gazetteer
    /// lists (one per type, stored as hashes). Use another corpus than `train`
    /// (a list built from the training data itself would fire on every training
    /// entity and be over-trusted).
    pub entity_lists: Vec<PathBuf>,
    /// Coarse cluster sizes computed by k-means over the vector rows.
    pub coarse_clusters: Vec<u32>,
    /// Tag encoding: "bilou" or "bio".
    pub encoding: String,
    /// Train a second pass with document-level features from first-pass predictions.
    pub two_stage: bool,
    /// Jackknife folds for the stage-1 predictions used to train stage 2.
    pub folds: usize,
    /// Drop features seen fewer than this many times in training.
    pub min_count: u32,
    /// Fraction of training documents added again in UPPER CASE (headline robustness).
    pub upper_augment: f64,
    /// Fraction of training documents added again in Title Case.
    pub title_augment: f64,
    /// Perceptrons per stage trained on different example orders and averaged
    /// (free at tagging time; costs training time).
    pub ensemble: usize,
    /// Stop a stage after this many epochs without dev improvement.
    pub patience: usize,
    /// Train stage 1 for exactly this many epochs (no early stopping); used to
    /// retrain on train+dev with an epoch count chosen on dev.
    pub stage1_epochs: Option<usize>,
    /// Train stage 2 for exactly this many epochs (no early stopping).
    pub stage2_epochs: Option<usize>,
    /// Span-score calibration `(a, b)` to store instead of fitting it on `dev`
    /// (when `dev` is part of the training data, take it from the dev-tuned run).
    pub calib: Option<(f32, f32)>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        let shared = PathBuf::from("../shared/data");
        TrainConfig {
            train: Vec::new(),
            dev: None,
            scheme: "conll".into(),
            epochs: 15,
            seed: 1,
            out: PathBuf::from("models/ner-conll.bin"),
            word2row: Some(shared.join("vectors/word2row.tsv")),
            vectors: Some(shared.join("vectors/vectors_20000x300_f32.npy")),
            gazetteers: Some(shared.join("gazetteers")),
            entity_lists: Vec::new(),
            coarse_clusters: vec![64, 256, 1024],
            encoding: "bilou".into(),
            two_stage: true,
            folds: 5,
            min_count: 1,
            upper_augment: 0.15,
            title_augment: 0.1,
            ensemble: 1,
            patience: 5,
            stage1_epochs: None,
            stage2_epochs: None,
            calib: None,
        }
    }
}

/// Summary of a training run.
#[derive(Debug, Clone, Default)]
pub struct TrainReport {
    /// Dev F1 (0-100) after each stage-1 epoch.
    pub stage1_dev_f1: Vec<f64>,
    /// Dev F1 (0-100) after each stage-2 epoch (empty without two_stage).
    pub stage2_dev_f1: Vec<f64>,
    /// Best stage-1 epoch (1-based).
    pub stage1_best_epoch: usize,
    /// Best stage-2 epoch (1-based, 0 without two_stage).
    pub stage2_best_epoch: usize,
    /// Final dev F1 (0-100) of the saved model, if a dev set was given.
    pub dev_f1: Option<f64>,
    /// Training sentences (after augmentation).
    pub train_sentences: usize,
    /// Weight rows in the saved model (both stages).
    pub weight_rows: usize,
    /// Size of the written model file in bytes.
    pub model_bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl std::fmt::Display for TrainReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let best = |v: &[f64], e: usize| v.get(e.wrapping_sub(1)).copied().unwrap_or(0.0);
        writeln!(
            f,
            "stage 1: best epoch {} of {}, dev F1 {:.2}",
            self.stage1_best_epoch,
            self.stage1_dev_f1.len(),
            best(&self.stage1_dev_f1, self.stage1_best_epoch)
        )?;
        if !self.stage2_dev_f1.is_empty() {
            writeln!(
                f,
                "stage 2: best epoch {} of {}, dev F1 {:.2}",
                self.stage2_best_epoch,
                self.stage2_dev_f1.len(),
                best(&self.stage2_dev_f1, self.stage2_best_epoch)
            )?;
        }
        if let Some(d) = self.dev_f1 {
            writeln!(f, "final dev F1 {d:.2}")?;
        }
        write!(
            f,
            "{} training sentences, {} weight rows, model {} bytes, {:.1}s",
            self.train_sentences, self.weight_rows, self.model_bytes, self.seconds
        )
    }
}

/// Fixed entity type inventories of the known schemes (index order = type id).
fn scheme_types(scheme: &str, docs: &[Document]) -> Vec<String> {
    let fixed: &[&str] = match scheme {
        "conll" => &["LOC", "MISC", "ORG", "PER"],
        "ontonotes" => &[
            "CARDINAL",
            "DATE",
            "EVENT",
            "FAC",
            "GPE",
            "LANGUAGE",
            "LAW",
            "LOC",
            "MONEY",
            "NORP",
            "ORDINAL",
            "ORG",
            "PERCENT",
            "PERSON",
            "PRODUCT",
            "QUANTITY",
            "TIME",
            "WORK_OF_ART",
        ],
        _ => &[],
    };
    if !fixed.is_empty() {
        return fixed.iter().map(|s| s.to_string()).collect();
    }
    let mut set = std::collections::BTreeSet::new();
    for d in docs {
        for s in &d.sentences {
            for (_, _, t) in conll::spans_of(&s.tags) {
                set.insert(t);
            }
        }
    }
    set.into_iter().collect()
}

/// A training sentence in interned-feature form.
struct TSent {
    feats: Vec<u32>,
    offs: Vec<u32>,
    gold: Vec<u16>,
    /// Index of the source document (for jackknife folds; copies share it).
    doc: usize,
}

/// Feature interning with an optional frequency cut-off.
struct Interner {
    ids: FxMap<u64, u32>,
    keys: Vec<u64>,
}

fn doc_tokens(d: &Document) -> Vec<Vec<&str>> {
    d.sentences
        .iter()
        .map(|s| s.tokens.iter().map(String::as_str).collect())
        .collect()
}

/// Extract + intern features for all documents. `preds[d]` = stage-1 predictions.
fn build_corpus(
    res: &Resources,
    docs: &[Document],
    src: &[usize],
    preds: Option<&[StagePreds]>,
    ts: &TagSet,
    types: &[String],
    min_count: u32,
) -> (Vec<TSent>, Interner) {
    let mut feats = DocFeatures::default();
    let mut feats2 = DocFeatures::default();
    let mut counts: FxMap<u64, u32> = FxMap::default();
    if min_count > 1 {
        for (di, d) in docs.iter().enumerate() {
            let toks = doc_tokens(d);
            features::extract_doc(res, &toks, &mut feats);
            if let Some(p) = preds {
                features::extract_stage2(&toks, &p[di], &mut feats2);
            }
            for &k in feats.keys.iter().chain(&feats2.keys) {
                *counts.entry(k).or_insert(0) += 1;
            }
        }
    }
    let mut it = Interner {
        ids: FxMap::default(),
        keys: Vec::new(),
    };
    let mut out = Vec::new();
    for (di, d) in docs.iter().enumerate() {
        let toks = doc_tokens(d);
        features::extract_doc(res, &toks, &mut feats);
        if let Some(p) = preds {
            features::extract_stage2(&toks, &p[di], &mut feats2);
        }
        for (si, s) in d.sentences.iter().enumerate() {
            let (a, b) = (feats.sent_starts[si], feats.sent_starts[si + 1]);
            let mut fv = Vec::new();
            let mut offs = vec![0u32];
            for t in a..b {
                let extra = if preds.is_some() {
                    feats2.token(t)
                } else {
                    &[]
                };
                for &k in feats.token(t).iter().chain(extra) {
                    if min_count > 1 && counts.get(&k).copied().unwrap_or(0) < min_count {
                        continue;
                    }
                    let next = it.keys.len() as u32;
                    let id = *it.ids.entry(k).or_insert_with(|| next);
                    if id == next {
                        it.keys.push(k);
                    }
                    fv.push(id);
                }
                offs.push(fv.len() as u32);
            }
            let spans: Vec<(usize, usize, usize)> = conll::spans_of(&s.tags)
                .into_iter()
                .filter_map(|(s, e, t)| types.iter().position(|x| *x == t).map(|ti| (s, e, ti)))
                .collect();
            out.push(TSent {
                feats: fv,
                offs,
                gold: ts.encode(s.tokens.len(), &spans),
                doc: src[di],
            });
        }
    }
    (out, it)
}

/// Averaged perceptron state over interned features with lazily allocated rows.
struct Perceptron {
    n_tags: usize,
    row_of: Vec<u32>,
    w: Vec<f32>,
    u: Vec<f64>,
    /// trans (n*n) + start (n) + end (n)
    tw: Vec<f32>,
    tu: Vec<f64>,
    c: f64,
}

const NO_ROW: u32 = u32::MAX;

impl Perceptron {
    fn new(n_feats: usize, n_tags: usize) -> Self {
        let nt = n_tags * n_tags + 2 * n_tags;
        Perceptron {
            n_tags,
            row_of: vec![NO_ROW; n_feats],
            w: Vec::new(),
            u: Vec::new(),
            tw: vec![0.0; nt],
            tu: vec![0.0; nt],
            c: 1.0,
        }
    }

    fn row(&mut self, f: u32) -> usize {
        let r = self.row_of[f as usize];
        if r != NO_ROW {
            return r as usize;
        }
        let r = self.w.len() / self.n_tags;
        self.row_of[f as usize] = r as u32;
        self.w.resize(self.w.len() + self.n_tags, 0.0);
        self.u.resize(self.u.len() + self.n_tags, 0.0);
        r
    }

    fn avg(&self, w: f32, u: f64) -> f32 {
        (f64::from(w) - u / self.c) as f32
    }

    /// Emissions and transition parts, current or averaged weights.
    fn scores(&self, s: &TSent, averaged: bool, emis: &mut Vec<f32>, tr: &mut Vec<f32>) {
        let n_tags = self.n_tags;
        let n = s.gold.len();
        emis.clear();
        emis.resize(n * n_tags, 0.0);
        for i in 0..n {
            let e = &mut emis[i * n_tags..(i + 1) * n_tags];
            let (a, b) = (s.offs[i] as usize, s.offs[i + 1] as usize);
            for &f in &s.feats[a..b] {
                let r = self.row_of[f as usize];
                if r == NO_ROW {
                    continue;
                }
                let base = r as usize * n_tags;
                if averaged {
                    let (w, u) = (&self.w[base..base + n_tags], &self.u[base..base + n_tags]);
                    for ((x, w), u) in e.iter_mut().zip(w).zip(u) {
                        *x += self.avg(*w, *u);
                    }
                } else {
                    for (x, w) in e.iter_mut().zip(&self.w[base..base + n_tags]) {
                        *x += *w;
                    }
                }
            }
        }
        tr.clear();
        if averaged {
            tr.extend(self.tw.iter().zip(&self.tu).map(|(w, u)| self.avg(*w, *u)));
        } else {
            tr.extend_from_slice(&self.tw);
        }
    }

    fn predict(&self, ts: &TagSet, s: &TSent, averaged: bool, buf: &mut Bufs) -> Vec<u16> {
        self.scores(s, averaged, &mut buf.emis, &mut buf.tr);
        let nt = self.n_tags;
        let (trans, rest) = buf.tr.split_at(nt * nt);
        let (start, end) = rest.split_at(nt);
        let mut path = Vec::new();
        decode::viterbi(ts, &buf.emis, trans, start, end, &mut buf.sc, &mut path);
        path
    }

    fn update(&mut self, s: &TSent, pred: &[u16]) {
        let nt = self.n_tags;
        let c = self.c;
        let n = s.gold.len().min(pred.len());
        for (i, (&g, &p)) in s.gold.iter().zip(pred).enumerate() {
            let (g, p) = (g as usize, p as usize);
            if g != p {
                let (a, b) = (s.offs[i] as usize, s.offs[i + 1] as usize);
                for k in a..b {
                    let r = self.row(s.feats[k]) * nt;
                    self.w[r + g] += 1.0;
                    self.u[r + g] += c;
                    self.w[r + p] -= 1.0;
                    self.u[r + p] -= c;
                }
            }
        }
        let mut bump = |idx: usize, d: f32| {
            self.tw[idx] += d;
            self.tu[idx] += c * f64::from(d);
        };
        for i in 0..n {
            let (g, p) = (s.gold[i] as usize, pred[i] as usize);
            let (gi, pi) = if i == 0 {
                (nt * nt + g, nt * nt + p)
            } else {
                (
                    s.gold[i - 1] as usize * nt + g,
                    pred[i - 1] as usize * nt + p,
                )
            };
            if gi != pi {
                bump(gi, 1.0);
                bump(pi, -1.0);
            }
        }
        if n > 0 {
            let (g, p) = (s.gold[n - 1] as usize, pred[n - 1] as usize);
            if g != p {
                bump(nt * nt + nt + g, 1.0);
                bump(nt * nt + nt + p, -1.0);
            }
        }
    }

    fn epoch(&mut self, ts: &TagSet, sents: &[TSent], order: &[usize], buf: &mut Bufs) -> usize {
        let mut errors = 0;
        for &i in order {
            let s = &sents[i];
            if s.gold.is_empty() {
                continue;
            }
            let pred = self.predict(ts, s, false, buf);
            if pred != s.gold {
                errors += 1;
                self.update(s, &pred);
            }
            self.c += 1.0;
        }
        errors
    }

    /// Averaged weight row of feature `f`, if it has one.
    fn avg_row(&self, f: usize) -> Option<impl Iterator<Item = f32> + '_> {
        let r = *self.row_of.get(f)?;
        if r == NO_ROW {
            return None;
        }
        let base = r as usize * self.n_tags;
        let w = self.w.get(base..base + self.n_tags)?;
        let u = self.u.get(base..base + self.n_tags)?;
        Some(w.iter().zip(u).map(|(w, u)| self.avg(*w, *u)))
    }
}

/// Export the mean of several perceptrons' averaged weights as a model stage
/// (rows sorted by key, zero rows dropped). Averaging the weights of linear
/// models trained on different example orders equals averaging their scores,
/// so the ensemble costs nothing at tagging time.
fn ensemble_stage(ps: &[Perceptron], keys: &[u64]) -> Stage {
    let Some(first) = ps.first() else {
        return Stage::default();
    };
    let nt = first.n_tags;
    let k = ps.len() as f32;
    let mut rows: Vec<(u64, Vec<f32>)> = Vec::new();
    for (f, &key) in keys.iter().enumerate() {
        let mut v = vec![0f32; nt];
        let mut any = false;
        for p in ps {
            if let Some(row) = p.avg_row(f) {
                any = true;
                for (x, w) in v.iter_mut().zip(row) {
                    *x += w / k;
                }
            }
        }
        if any && v.iter().any(|x| x.abs() > 1e-6) {
            rows.push((key, v));
        }
    }
    rows.sort_unstable_by_key(|r| r.0);
    let mut tr = vec![0f32; first.tw.len()];
    for p in ps {
        for ((x, w), u) in tr.iter_mut().zip(&p.tw).zip(&p.tu) {
            *x += p.avg(*w, *u) / k;
        }
    }
    let trans = tr[..nt * nt].to_vec();
    let start = tr[nt * nt..nt * nt + nt].to_vec();
    let end = tr[nt * nt + nt..].to_vec();
    Stage::from_rows(rows, nt, trans, start, end)
}

#[derive(Default)]
struct Bufs {
    emis: Vec<f32>,
    tr: Vec<f32>,
    sc: Scratch,
}

/// Upper/Title-case copies of a sample of documents.
fn augment(docs: &[Document], cfg: &TrainConfig, rng: &mut Rng) -> (Vec<Document>, Vec<usize>) {
    let mut out: Vec<Document> = docs.to_vec();
    let mut src: Vec<usize> = (0..docs.len()).collect();
    for (di, d) in docs.iter().enumerate() {
        let r = rng.unit();
        let mode = if r < cfg.upper_augment {
            1
        } else if r < cfg.upper_augment + cfg.title_augment {
            2
        } else {
            0
        };
        if mode == 0 {
            continue;
        }
        let mut c = d.clone();
        for s in &mut c.sentences {
            for t in &mut s.tokens {
                *t = if mode == 1 {
                    t.to_uppercase()
                } else {
                    title_case(t)
                };
            }
        }
        out.push(c);
        src.push(di);
    }
    (out, src)
}

/// First letter upper-case, rest unchanged (headline style "Title Case").
pub fn title_case(t: &str) -> String {
    let mut c = t.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Train a model as configured and write it to `cfg.out`.
pub fn train(cfg: &TrainConfig, progress: &dyn Fn(&str)) -> Result<TrainReport, NerError> {
    let t0 = Instant::now();
    if cfg.train.is_empty() {
        return Err(NerError::Config("no training files given".into()));
    }
    let enc = match cfg.encoding.as_str() {
        "bilou" => Encoding::Bilou,
        "bio" => Encoding::Bio,
        e => {
            return Err(NerError::Config(format!(
                "unknown encoding {e:?} (bilou|bio)"
            )))
        }
    };
    let mut docs = Vec::new();
    for p in &cfg.train {
        let d = conll::read_file(p)?;
        progress(&format!("read {} documents from {}", d.len(), p.display()));
        docs.extend(d);
    }
    let dev_docs = match &cfg.dev {
        Some(p) => Some(conll::read_file(p)?),
        None => None,
    };
    let types = scheme_types(&cfg.scheme, &docs);
    if types.is_empty() {
        return Err(NerError::Config("training data has no entities".into()));
    }
    let ts = TagSet::new(enc, types.len());
    let mut rng = Rng::new(cfg.seed);
    let (docs, src) = augment(&docs, cfg, &mut rng);

    let clusters = match &cfg.word2row {
        Some(p) => resources::build_clusters(
            p,
            cfg.vectors.as_deref(),
            &cfg.coarse_clusters,
            cfg.seed,
            progress,
        )?,
        None => Default::default(),
    };
    let mut gazetteer = match &cfg.gazetteers {
        Some(p) => resources::build_gazetteer(p, progress)?,
        None => Default::default(),
    };
    for p in &cfg.entity_lists {
        resources::add_entity_lists(&mut gazetteer, p, progress)?;
    }
    let res = Resources {
        clusters,
        gazetteer,
    };
    let meta = format!(
        "scheme={} encoding={} train={:?} dev={:?} entity_lists={:?} epochs<={} seed={} two_stage={} folds={} ensemble={} min_count={} upper_augment={} title_augment={} coarse={:?} stage_epochs={:?}/{:?}",
        cfg.scheme,
        cfg.encoding,
        cfg.train,
        cfg.dev,
        cfg.entity_lists,
        cfg.epochs,
        cfg.seed,
        cfg.two_stage,
        cfg.folds,
        cfg.ensemble,
        cfg.min_count,
        cfg.upper_augment,
        cfg.title_augment,
        cfg.coarse_clusters,
        cfg.stage1_epochs,
        cfg.stage2_epochs
    );
    let mut md = ModelData {
        scheme: cfg.scheme.clone(),
        types: types.clone(),
        tagset: ts.clone(),
        res,
        stage1: Stage::default(),
        stage2: None,
        calib: (1.0, 0.0),
        meta,
    };
    let mut report = TrainReport::default();

    // ---- stage 1 ----
    let (sents, interner) = build_corpus(&md.res, &docs, &src, None, &ts, &types, cfg.min_count);
    report.train_sentences = sents.len();
    progress(&format!(
        "stage 1: {} sentences, {} features ({:.1}s)",
        sents.len(),
        interner.keys.len(),
        t0.elapsed().as_secs_f64()
    ));
    let all: Vec<usize> = (0..sents.len()).collect();
    let (stage1, best1, f1s) = run_stage(
        cfg,
        &ts,
        &sents,
        &interner.keys,
        &all,
        &mut md,
        dev_docs.as_deref(),
        1,
        progress,
    )?;
    report.stage1_dev_f1 = f1s;
    report.stage1_best_epoch = best1;
    md.stage1 = stage1;

    // ---- stage 2 ----
    if cfg.two_stage {
        let folds = cfg.folds.max(2);
        let n_src = src.iter().copied().max().map_or(0, |m| m + 1);
        // Fold of each source document: deterministic shuffle.
        let mut perm: Vec<usize> = (0..n_src).collect();
        Rng::new(cfg.seed ^ 0xF01D).shuffle(&mut perm);
        let mut fold_of = vec![0usize; n_src];
        for (rank, &d) in perm.iter().enumerate() {
            fold_of[d] = rank % folds;
        }
        // Per document, per sentence stage-1 paths from jackknifed models.
        let mut doc_paths: Vec<Vec<Vec<u16>>> = docs
            .iter()
            .map(|d| vec![Vec::new(); d.sentences.len()])
            .collect();
        // Sentence -> (doc index in `docs`, sentence index) mapping.
        let mut sent_loc = Vec::with_capacity(sents.len());
        for (di, d) in docs.iter().enumerate() {
            for si in 0..d.sentences.len() {
                sent_loc.push((di, si));
            }
        }
        let epochs = best1.max(1);
        for f in 0..folds {
            let train_idx: Vec<usize> = (0..sents.len())
                .filter(|&i| fold_of[sents[i].doc] != f)
                .collect();
            let mut p = Perceptron::new(interner.keys.len(), ts.n_tags);
            let mut buf = Bufs::default();
            for e in 0..epochs {
                let mut order = train_idx.clone();
                Rng::new(cfg.seed.wrapping_add(e as u64)).shuffle(&mut order);
                p.epoch(&ts, &sents, &order, &mut buf);
            }
            for (i, s) in sents.iter().enumerate() {
                if fold_of[s.doc] == f {
                    let (di, si) = sent_loc[i];
                    doc_paths[di][si] = p.predict(&ts, s, true, &mut buf);
                }
            }
            progress(&format!(
                "stage 2: jackknife fold {}/{} done ({:.1}s)",
                f + 1,
                folds,
                t0.elapsed().as_secs_f64()
            ));
        }
        drop(sents);
        drop(interner);
        let preds: Vec<StagePreds> = doc_paths
            .iter()
            .map(|p| super::stage_preds(&ts, p))
            .collect();
        let (sents2, interner2) = build_corpus(
            &md.res,
            &docs,
            &src,
            Some(&preds),
            &ts,
            &types,
            cfg.min_count,
        );
        progress(&format!(
            "stage 2: {} features ({:.1}s)",
            interner2.keys.len(),
            t0.elapsed().as_secs_f64()
        ));
        let all: Vec<usize> = (0..sents2.len()).collect();
        let (stage2, best2, f1s) = run_stage(
            cfg,
            &ts,
            &sents2,
            &interner2.keys,
            &all,
            &mut md,
            dev_docs.as_deref(),
            2,
            progress,
        )?;
        report.stage2_dev_f1 = f1s;
        report.stage2_best_epoch = best2;
        md.stage2 = Some(stage2);
    }

    // ---- calibration of span scores on dev ----
    let mut model = NerModel::from_data(md);
    if let Some(c) = cfg.calib {
        model.data.calib = c;
    }
    if let Some(dd) = &dev_docs {
        let calib = cfg.calib.unwrap_or_else(|| calibrate(&model, dd));
        progress(&format!(
            "span score calibration: a={:.4} b={:.4}",
            calib.0, calib.1
        ));
        model.data.calib = calib;
        let rep = super::evaluate_docs(&model, dd, "dev");
        report.dev_f1 = Some(100.0 * rep.overall.f1());
    }
    report.weight_rows =
        model.data().stage1.keys.len() + model.data().stage2.as_ref().map_or(0, |s| s.keys.len());
    model.save(&cfg.out)?;
    report.model_bytes = std::fs::metadata(&cfg.out).map(|m| m.len()).unwrap_or(0);
    report.seconds = t0.elapsed().as_secs_f64();
    progress(&format!(
        "saved {} ({} bytes) in {:.1}s",
        cfg.out.display(),
        report.model_bytes,
        report.seconds
    ));
    Ok(report)
}

/// Train one stage with early stopping on dev; returns (best stage, best epoch, dev F1s).
#[allow(clippy::too_many_arguments)]
fn run_stage(
    cfg: &TrainConfig,
    ts: &TagSet,
    sents: &[TSent],
    keys: &[u64],
    idx: &[usize],
    md: &mut ModelData,
    dev: Option<&[Document]>,
    which: u8,
    progress: &dyn Fn(&str),
) -> Result<(Stage, usize, Vec<f64>), NerError> {
    let t0 = Instant::now();
    let mut ps: Vec<Perceptron> = (0..cfg.ensemble.max(1))
        .map(|_| Perceptron::new(keys.len(), ts.n_tags))
        .collect();
    let mut buf = Bufs::default();
    let mut best: Option<(f64, usize, Stage)> = None;
    let mut f1s = Vec::new();
    let fixed = if which == 1 {
        cfg.stage1_epochs
    } else {
        cfg.stage2_epochs
    };
    let max_epochs = fixed.unwrap_or(cfg.epochs).max(1);
    for e in 0..max_epochs {
        let mut errors = 0;
        for (k, p) in ps.iter_mut().enumerate() {
            let mut order = idx.to_vec();
            let seed =
                cfg.seed.wrapping_add(e as u64) ^ (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            Rng::new(seed).shuffle(&mut order);
            errors += p.epoch(ts, sents, &order, &mut buf);
        }
        let stage = ensemble_stage(&ps, keys);
        let f1 = match dev {
            Some(dd) => {
                if which == 1 {
                    md.stage1 = stage.clone();
                    md.stage2 = None;
                } else {
                    md.stage2 = Some(stage.clone());
                }
                let m = NerModel::from_data(md.clone());
                100.0 * super::evaluate_docs(&m, dd, "dev").overall.f1()
            }
            None => 0.0,
        };
        f1s.push(f1);
        progress(&format!(
            "stage {which} epoch {}: {} sentence errors, {} rows, dev F1 {:.2} ({:.1}s)",
            e + 1,
            errors,
            stage.keys.len(),
            f1,
            t0.elapsed().as_secs_f64()
        ));
        let improved = best.as_ref().is_none_or(|b| f1 > b.0 || dev.is_none()) || fixed.is_some();
        if improved {
            best = Some((f1, e + 1, stage));
        } else if best
            .as_ref()
            .is_some_and(|b| e + 1 >= b.1 + cfg.patience.max(1))
        {
            break;
        }
    }
    let (_, ep, stage) = best.ok_or_else(|| NerError::Config("no epochs run".into()))?;
    Ok((stage, ep, f1s))
}

/// Fit span score = sigmoid(a * margin + b) to P(span exactly correct) on dev
/// (logistic regression by Newton's method on two parameters).
pub(crate) fn calibrate(model: &NerModel, dev: &[Document]) -> (f32, f32) {
    let mut xs: Vec<(f64, f64)> = Vec::new();
    for d in dev {
        let toks = doc_tokens(d);
        let raw = model.spans_with_margins(&toks);
        for (s, spans) in d.sentences.iter().zip(raw) {
            let gold = conll::spans_of(&s.tags);
            for (st, en, ty, margin) in spans {
                let label = model.data().types.get(ty).cloned().unwrap_or_default();
                let ok = gold.iter().any(|g| g.0 == st && g.1 == en && g.2 == label);
                xs.push((f64::from(margin.min(1e3)), if ok { 1.0 } else { 0.0 }));
            }
        }
    }
    if xs.len() < 10 {
        return (1.0, 0.0);
    }
    // Standardise the margin so Newton steps are well conditioned.
    let scale = xs.iter().map(|x| x.0).sum::<f64>() / xs.len() as f64;
    let scale = if scale > 1e-9 { scale } else { 1.0 };
    let loss = |a: f64, b: f64| -> f64 {
        let mut l = 1e-3 * a * a;
        for &(x, y) in &xs {
            let z = a * x / scale + b;
            // log(1 + exp(-z)) for y=1, log(1 + exp(z)) for y=0, computed stably.
            let m = if y > 0.5 { -z } else { z };
            l += if m > 0.0 {
                m + (-m).exp().ln_1p()
            } else {
                m.exp().ln_1p()
            };
        }
        l
    };
    let (mut a, mut b) = (1.0f64, 0.0f64);
    let mut cur = loss(a, b);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (2e-3 * a, 0.0, 2e-3, 0.0, 1e-9);
        for &(x, y) in &xs {
            let x = x / scale;
            let p = 1.0 / (1.0 + (-(a * x + b)).exp());
            let r = p - y;
            ga += r * x;
            gb += r;
            let w = p * (1.0 - p);
            haa += w * x * x;
            hab += w * x;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-12 {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        // Damped step: halve until the loss does not increase.
        let mut t = 1.0;
        let mut moved = false;
        while t > 1e-4 {
            let (na, nb) = (a - t * da, b - t * db);
            let nl = loss(na, nb);
            if nl <= cur {
                a = na;
                b = nb;
                cur = nl;
                moved = true;
                break;
            }
            t *= 0.5;
        }
        if !moved || (da.abs() + db.abs()) * t < 1e-9 {
            break;
        }
    }
    let a = a / scale;
    if a.is_finite() && b.is_finite() && a > 0.0 {
        (a as f32, b as f32)
    } else {
        (1.0, 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy_file(dir: &std::path::Path) -> PathBuf {
        let mut s = String::new();
        let names = ["Smith", "Jones", "Brown", "Miller", "Davis"];
        let places = ["Paris", "London", "Berlin", "Madrid", "Rome"];
        for i in 0..40 {
            s.push_str("-DOCSTART- -X- -X- O\n\n");
            s.push_str(&format!(
                "Mr. NNP O O\n{} NNP O B-PER\nvisited VBD O O\n{} NNP O B-LOC\n. . O O\n\n",
                names[i % 5],
                places[(i / 5) % 5]
            ));
        }
        let p = dir.join("toy.txt");
        std::fs::write(&p, s).unwrap();
        p
    }

    #[test]
    fn train_save_load_roundtrip_is_deterministic() {
        let dir = std::env::temp_dir().join(format!("ner-train-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let data = toy_file(&dir);
        let cfg = TrainConfig {
            train: vec![data.clone()],
            dev: Some(data.clone()),
            epochs: 3,
            out: dir.join("a.bin"),
            word2row: None,
            vectors: None,
            gazetteers: None,
            folds: 2,
            ..Default::default()
        };
        let rep = train(&cfg, &|_| {}).unwrap();
        assert!(rep.dev_f1.unwrap() > 90.0, "{rep:?}");
        let cfg_b = TrainConfig {
            out: dir.join("b.bin"),
            ..cfg.clone()
        };
        train(&cfg_b, &|_| {}).unwrap();
        let a = std::fs::read(dir.join("a.bin")).unwrap();
        let b = std::fs::read(dir.join("b.bin")).unwrap();
        assert_eq!(a, b, "training must be deterministic");
        // Save/load roundtrip preserves predictions.
        let m = NerModel::load(&dir.join("a.bin")).unwrap();
        let sent = vec!["Mr.", "Jones", "visited", "Berlin", "."];
        let out = m.tag_document(&[sent]);
        let got: Vec<(usize, usize, &str)> = out[0]
            .iter()
            .map(|e| (e.start, e.end, e.label.as_str()))
            .collect();
        assert_eq!(got, vec![(1, 2, "PER"), (3, 4, "LOC")]);
        let again = NerModel::load(&dir.join("a.bin")).unwrap();
        m.save(&dir.join("c.bin")).unwrap();
        assert_eq!(std::fs::read(dir.join("c.bin")).unwrap(), a);
        assert_eq!(
            again.tag_document(&[vec!["Rome"]]),
            m.tag_document(&[vec!["Rome"]])
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_last_pass_hands_its_emissions_to_the_rescorer_hook_once_per_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let data = toy_file(dir.path());
        let sents = [
            vec!["Mr.", "Jones", "visited", "Berlin", "."],
            vec![],
            vec!["Rome"],
        ];
        for two_stage in [false, true] {
            let cfg = TrainConfig {
                train: vec![data.clone()],
                dev: Some(data.clone()),
                epochs: 2,
                out: dir.path().join("m.bin"),
                word2row: None,
                vectors: None,
                gazetteers: None,
                folds: 2,
                two_stage,
                ..Default::default()
            };
            train(&cfg, &|_| {}).unwrap();
            let m = NerModel::load(&cfg.out).unwrap();
            let nt = m.data().tagset.n_tags;
            let mut seen = Vec::new();
            let raw = m.tag_document_raw(&sents, &mut |si, emis| seen.push((si, emis.len())));
            // Every sentence once, in order, with its n_tokens x n_tags scores (the training
            // data export and the re-scorer both rely on this for one- and two-pass models).
            let want: Vec<(usize, usize)> = sents
                .iter()
                .enumerate()
                .map(|(i, s)| (i, s.len() * nt))
                .collect();
            assert_eq!(seen, want, "two_stage = {two_stage}");
            // Without a re-scorer the hook changes nothing.
            assert_eq!(raw, m.spans_with_margins(&sents), "two_stage = {two_stage}");
        }
    }
}
