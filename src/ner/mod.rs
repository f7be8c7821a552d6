//! Built-in CPU named-entity recognizer.
//!
//! A linear-chain model (averaged structured perceptron, constrained Viterbi
//! over BILOU tags) on rich hashed features: words, affixes, shapes, word
//! clusters derived from the pruned spaCy vector table, gazetteers and
//! label-free document features. An optional second pass adds features from
//! the first pass's predictions for the same word elsewhere in the document
//! (two-pass decoding in the spirit of Ratinov & Roth 2009).
//!
//! Everything the tagger needs (weights, clusters, gazetteer) is in one model
//! file, so tagging runs offline with no other resources.

pub mod conll;
pub mod decode;
pub mod eval;
pub mod eval_errors;
pub mod features;
pub mod hash;
pub mod lstm;
pub mod lstm_data;
pub mod lstm_inputs;
pub mod model;
pub mod rescorer;
pub mod resources;
pub mod train;
#[cfg(feature = "transformers")]
pub mod transformers;
pub mod wordpiece_align;

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use eval::{CaseTransform, EvalOptions, EvalReport};
pub use train::{train, TrainConfig, TrainReport};

use decode::Scratch;
use features::{DocFeatures, StagePreds};
use model::ModelData;

/// Errors of the NER module. Every variant names the file involved.
#[derive(Debug, thiserror::Error)]
pub enum NerError {
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// File involved.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A model file is corrupt or not a model.
    #[error("invalid NER model file {path}: {msg}")]
    Model {
        /// Model file.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
    /// A model file was written by a different format version.
    #[error("NER model file {path} has format version {found}, but this build reads version {expected}; retrain or use a matching newsmill")]
    Version {
        /// Model file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
    /// A labelled data file is malformed.
    #[error("invalid NER data file {path}: {msg}")]
    Data {
        /// Data file.
        path: PathBuf,
        /// What is wrong (with line number).
        msg: String,
    },
    /// A training resource (vectors, clusters, gazetteer) is malformed.
    #[error("invalid NER resource {path}: {msg}")]
    Resource {
        /// Resource file.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
    /// Invalid training configuration.
    #[error("NER training: {0}")]
    Config(String),
}

/// One recognised entity in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct EntitySpan {
    /// Index of the first token in the sentence.
    pub start: usize,
    /// Index one past the last token (exclusive).
    pub end: usize,
    /// Entity type, e.g. "PER" (CoNLL) or "PERSON" (OntoNotes).
    pub label: String,
    /// Confidence in [0,1]: a logistic function of the decoding margin (how much
    /// the best tag sequence beats the best one that tags any of the span's tokens
    /// differently), fitted on the dev set to the probability that the span is
    /// exactly correct. Roughly calibrated on in-domain text only.
    pub score: f32,
}

/// A loaded NER model. Immutable and `Sync`: share one across threads.
#[derive(Debug, Clone)]
pub struct NerModel {
    data: ModelData,
    joint: model::Joint,
    /// Each pass's transition scores laid out for `decode::viterbi_grouped`.
    grouped: [decode::GroupedTrans; 2],
    /// Optional neural re-scorer whose scores join the last pass (see `lstm.rs`).
    rescorer: Option<std::sync::Arc<Paired>>,
}

/// A re-scorer paired with this model, and the last pass's scores it implies.
#[derive(Debug)]
struct Paired {
    lstm: rescorer::LstmRescorer,
    /// Last-pass transition, start and end scores: the perceptron's plus `mix` times the
    /// re-scorer's CRF scores (the perceptron's alone for a softmax re-scorer).
    trans: decode::GroupedTrans,
    start: Vec<f32>,
    end: Vec<f32>,
    /// Rows of the word-vector table (the re-scorer's first input).
    n_rows: u32,
    /// The first pass's scores when the re-scorer joins it too (`LstmRescorer::first_pass`).
    first: Option<FirstPass>,
}

/// First-pass transition, start and end scores of a two-pass model whose re-scorer joins
/// that pass: the perceptron's stage-1 scores plus `weight * mix` times the CRF's.
#[derive(Debug)]
struct FirstPass {
    /// Share of the re-scorer's (already `mix`-scaled) scores added to the first pass.
    weight: f32,
    trans: decode::GroupedTrans,
    start: Vec<f32>,
    end: Vec<f32>,
}

thread_local! {
    /// Per-thread buffers of the re-scorer, kept across documents so that its caches pay off.
    static LSTM_SCRATCH: std::cell::RefCell<rescorer::LstmScratch> = Default::default();
}

impl NerModel {
    /// Load a model file. Errors name the file and say whether it is missing,
    /// corrupt or of another format version.
    pub fn load(path: &Path) -> Result<Self, NerError> {
        let bytes = std::fs::read(path).map_err(|e| NerError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        match model::from_bytes(&bytes) {
            Ok(data) => Ok(NerModel::from_data(data)),
            Err(model::ParseError::Version(found)) => Err(NerError::Version {
                path: path.to_path_buf(),
                found,
                expected: model::VERSION,
            }),
            Err(model::ParseError::Corrupt(msg)) => Err(NerError::Model {
                path: path.to_path_buf(),
                msg,
            }),
        }
    }

    /// Save to a file (used by training).
    pub fn save(&self, path: &Path) -> Result<(), NerError> {
        model::save(&self.data, path)
    }

    /// Wrap model data (used by training).
    pub(crate) fn from_data(data: ModelData) -> Self {
        let joint = model::Joint::build(&data.stage1, data.stage2.as_ref());
        let grouped = [
            decode::GroupedTrans::new(&data.tagset, &data.stage1.trans),
            data.stage2
                .as_ref()
                .map_or_else(decode::GroupedTrans::default, |s| {
                    decode::GroupedTrans::new(&data.tagset, &s.trans)
                }),
        ];
        NerModel {
            data,
            joint,
            grouped,
            rescorer: None,
        }
    }

    /// Load a model and pair it with the neural re-scorer in `rescorer` (which must exist and
    /// fit the model), if given. `[ner] rescorer` chooses the file (`Rescorer::file_for`).
    pub fn load_with_rescorer(path: &Path, rescorer: Option<PathBuf>) -> Result<Self, NerError> {
        let mut m = Self::load(path)?;
        if let Some(f) = rescorer {
            let r = rescorer::LstmRescorer::load(&f)?;
            m.set_rescorer(r).map_err(|msg| NerError::Model {
                path: f.clone(),
                msg: format!("{msg} (paired with model {})", path.display()),
            })?;
        }
        Ok(m)
    }

    /// Pair the model with a neural re-scorer. Fails if the re-scorer was trained for
    /// another scheme, tag set or word-vector table.
    pub fn set_rescorer(&mut self, r: rescorer::LstmRescorer) -> Result<(), String> {
        let d = &self.data;
        r.check_pair(&self.tag_names(), &d.scheme, &d.res.clusters)?;
        let last = d.stage2.as_ref().unwrap_or(&d.stage1);
        let plus = |w: f32, a: &[f32], b: Option<&[f32]>| -> Vec<f32> {
            match b {
                Some(b) => a.iter().zip(b).map(|(x, y)| x + w * y).collect(),
                None => a.to_vec(),
            }
        };
        let crf = r.crf.as_ref();
        let (trans, start, end) = (
            crf.map(|c| c.trans.as_slice()),
            crf.map(|c| c.start.as_slice()),
            crf.map(|c| c.end.as_slice()),
        );
        // A one-pass model has no earlier pass for the re-scorer to join.
        let first = (d.stage2.is_some() && r.first_pass > 0.0).then(|| {
            let w = r.first_pass * r.mix;
            let st = &d.stage1;
            FirstPass {
                weight: r.first_pass,
                trans: decode::GroupedTrans::new(&d.tagset, &plus(w, &st.trans, trans)),
                start: plus(w, &st.start, start),
                end: plus(w, &st.end, end),
            }
        });
        self.rescorer = Some(std::sync::Arc::new(Paired {
            trans: decode::GroupedTrans::new(&d.tagset, &plus(r.mix, &last.trans, trans)),
            start: plus(r.mix, &last.start, start),
            end: plus(r.mix, &last.end, end),
            n_rows: lstm_inputs::n_rows(&d.res.clusters),
            first,
            lstm: r,
        }));
        Ok(())
    }

    /// The paired re-scorer, if any.
    pub fn rescorer(&self) -> Option<&rescorer::LstmRescorer> {
        self.rescorer.as_deref().map(|p| &p.lstm)
    }

    /// Tag names in tag-id order, e.g. `O`, `B-LOC`, `I-LOC`, `L-LOC`, `U-LOC`, ...
    pub fn tag_names(&self) -> Vec<String> {
        let d = &self.data;
        (0..d.tagset.n_tags)
            .map(|t| {
                let (k, ty) = d.tagset.kind(t);
                let name = d.types.get(ty).map_or("?", String::as_str);
                match k {
                    decode::Kind::O => "O".to_string(),
                    decode::Kind::B => format!("B-{name}"),
                    decode::Kind::I => format!("I-{name}"),
                    decode::Kind::L => format!("L-{name}"),
                    decode::Kind::U => format!("U-{name}"),
                }
            })
            .collect()
    }

    /// Model internals (used by training and tests).
    pub(crate) fn data(&self) -> &ModelData {
        &self.data
    }

    /// Entity types this model predicts, e.g. `["LOC","MISC","ORG","PER"]`.
    pub fn labels(&self) -> Vec<String> {
        self.data.types.clone()
    }

    /// Label scheme: "conll" or "ontonotes".
    pub fn scheme(&self) -> &str {
        &self.data.scheme
    }

    /// A copy without the feature weights whose absolute value is under `min_abs`
    /// (both passes; transition scores and calibration kept). Shrinks the file;
    /// check the pruned model's dev F1 before shipping it.
    pub fn pruned(&self, min_abs: f32) -> NerModel {
        let mut data = self.data.clone();
        data.stage1 = data.stage1.pruned(min_abs);
        data.stage2 = data.stage2.as_ref().map(|s| s.pruned(min_abs));
        data.meta = format!("{} pruned_below={min_abs}", data.meta);
        NerModel::from_data(data)
    }

    /// Stored feature weights (rows, weights) over both passes.
    pub fn weight_counts(&self) -> (usize, usize) {
        let s1 = &self.data.stage1;
        let (r2, w2) = self
            .data
            .stage2
            .as_ref()
            .map_or((0, 0), |s| (s.keys.len(), s.n_weights()));
        (s1.keys.len() + r2, s1.n_weights() + w2)
    }

    /// Span-score calibration `(a, b)`: score = sigmoid(a * margin + b). A paired
    /// re-scorer changes the margins, so it brings its own calibration (fitted on dev by
    /// `newsmill train ner-calibrate`).
    pub fn calibration(&self) -> (f32, f32) {
        self.rescorer
            .as_deref()
            .and_then(|p| p.lstm.calib)
            .unwrap_or(self.data.calib)
    }

    /// Free-text training metadata stored in the model.
    pub fn meta(&self) -> &str {
        &self.data.meta
    }

    /// Tag one document given as sentences of tokens (CoNLL/PTB-style tokens).
    /// Returns, per sentence, its entity spans in token order. Never panics;
    /// empty sentences give empty results.
    pub fn tag_document(&self, sentences: &[Vec<&str>]) -> Vec<Vec<EntitySpan>> {
        let d = &self.data;
        let (ca, cb) = self.calibration();
        self.spans_with_margins(sentences)
            .into_iter()
            .map(|spans| {
                spans
                    .into_iter()
                    .map(|(s, e, ty, margin)| {
                        let z = ca * margin + cb;
                        EntitySpan {
                            start: s,
                            end: e,
                            label: d.types.get(ty).cloned().unwrap_or_default(),
                            score: 1.0 / (1.0 + (-z).exp()),
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Spans as `(start, end, type id, margin)` with the paired re-scorer, if any.
    pub(crate) fn spans_with_margins(
        &self,
        sentences: &[Vec<&str>],
    ) -> Vec<Vec<(usize, usize, usize, f32)>> {
        let d = &self.data;
        match &self.rescorer {
            Some(p) => LSTM_SCRATCH.with(|cell| {
                let mut sc = cell.borrow_mut();
                let clusters = &d.res.clusters;
                let mut ids_of = |t: &str| lstm_inputs::token_ids(clusters, p.n_rows, t);
                self.tag_document_raw(sentences, &mut |si, emis| {
                    let toks = sentences.get(si).map_or(&[][..], |s| s.as_slice());
                    p.lstm.add_scores(toks, &mut ids_of, emis, &mut sc);
                })
            }),
            None => self.tag_document_raw(sentences, &mut |_, _| {}),
        }
    }

    /// Spans as `(start, end, type id, margin)`; margin = min over the span's
    /// tokens of the max-marginal gap (see `decode::margins`). With a re-scorer,
    /// `rescore` adds its scores to a sentence's emission scores (`n_tokens * n_tags`,
    /// row-major), once per sentence: to the last pass's just before that pass decodes it, or,
    /// when the re-scorer joins the first pass too, to a zeroed buffer in the first pass, which
    /// adds `first_pass` times it there and all of it in the last pass. Each re-scored pass
    /// decodes with its paired transition scores.
    pub(crate) fn tag_document_raw(
        &self,
        sentences: &[Vec<&str>],
        rescore: &mut dyn FnMut(usize, &mut [f32]),
    ) -> Vec<Vec<(usize, usize, usize, f32)>> {
        let d = &self.data;
        let ts = &d.tagset;
        let nt = ts.n_tags;
        let two = d.stage2.is_some();
        let paired = self.rescorer.as_deref();
        let mut feats = DocFeatures::default();
        let mut sc = Scratch::default();
        let mut path: Vec<u16> = Vec::new();
        let mut rows: Vec<u32> = Vec::new();
        let mut bounds: Vec<usize> = Vec::new();
        let mut acc1 = vec![0i32; nt];
        let mut acc2 = vec![0i32; nt];
        let mut emis: Vec<f32> = Vec::new();
        // When the re-scorer joins the first pass too, its scores are computed once per
        // sentence there and kept for the last pass.
        let first = paired.and_then(|p| p.first.as_ref());
        let mut kept: Vec<Vec<f32>> = Vec::new();

        // Pass 1: stage-1 decoding; the same lookups give stage 2's base scores.
        features::extract_doc(&d.res, sentences, &mut feats);
        let mut paths: Vec<Vec<u16>> = Vec::with_capacity(sentences.len());
        let mut base2: Vec<Vec<i32>> = Vec::with_capacity(if two { sentences.len() } else { 0 });
        let mut margins_all: Vec<Vec<f32>> = Vec::with_capacity(sentences.len());
        for si in 0..sentences.len() {
            let (a, b) = sentence_range(&feats, si);
            rows.clear();
            bounds.clear();
            bounds.push(0);
            for t in a..b {
                self.joint.prefetch(feats.token(t));
            }
            for t in a..b {
                self.joint.lookup(feats.token(t), &mut rows);
                bounds.push(rows.len());
            }
            emis.clear();
            emis.resize((b - a) * nt, 0.0);
            let mut b2 = if two {
                vec![0i32; (b - a) * nt]
            } else {
                Vec::new()
            };
            for (i, w) in bounds.windows(2).enumerate() {
                acc1.iter_mut().for_each(|v| *v = 0);
                acc2.iter_mut().for_each(|v| *v = 0);
                let r = rows.get(w[0]..w[1]).unwrap_or_default();
                self.joint
                    .accumulate(r, &mut acc1, if two { Some(&mut acc2[..]) } else { None });
                if let Some(e) = emis.get_mut(i * nt..(i + 1) * nt) {
                    for (e, v) in e.iter_mut().zip(&acc1) {
                        *e = *v as f32 * d.stage1.scale;
                    }
                }
                if let Some(x) = b2.get_mut(i * nt..(i + 1) * nt) {
                    x.copy_from_slice(&acc2);
                }
            }
            let st = &d.stage1;
            let (mut g1, mut start, mut end) = (&self.grouped[0], &st.start, &st.end);
            if let Some(f) = first {
                let mut scores = vec![0f32; emis.len()];
                rescore(si, &mut scores);
                for (e, x) in emis.iter_mut().zip(&scores) {
                    *e += f.weight * x;
                }
                kept.push(scores);
                (g1, start, end) = (&f.trans, &f.start, &f.end);
            }
            if !two {
                // A one-pass model: this is the last pass.
                rescore(si, &mut emis);
                if let Some(p) = paired {
                    (g1, start, end) = (&p.trans, &p.start, &p.end);
                }
            }
            let best = decode::viterbi_grouped(ts, &emis, g1, start, end, &mut sc, &mut path);
            if !two {
                // Margins are only needed for entity spans; skip the backward pass otherwise.
                margins_all.push(if path.iter().any(|&t| t != 0) {
                    decode::margins_grouped(ts, &emis, g1, end, best, &path, &mut sc)
                } else {
                    Vec::new()
                });
            }
            paths.push(path.clone());
            base2.push(b2);
        }

        // Pass 2: add the document features of the stage-1 predictions.
        if let Some(s2) = &d.stage2 {
            let (g2, start, end) = match paired {
                Some(p) => (&p.trans, &p.start, &p.end),
                None => (&self.grouped[1], &s2.start, &s2.end),
            };
            let preds = stage_preds(ts, &paths);
            let mut feats2 = DocFeatures::default();
            features::extract_stage2(sentences, &preds, &mut feats2);
            for (si, p) in paths.iter_mut().enumerate() {
                let (a, b) = sentence_range(&feats2, si);
                let Some(b2) = base2.get_mut(si) else {
                    continue;
                };
                emis.clear();
                emis.resize((b - a) * nt, 0.0);
                for t in a..b {
                    self.joint.prefetch(feats2.token(t));
                }
                for (i, t) in (a..b).enumerate() {
                    rows.clear();
                    self.joint.lookup(feats2.token(t), &mut rows);
                    if let Some(x) = b2.get_mut(i * nt..(i + 1) * nt) {
                        self.joint.accumulate2(&rows, x);
                        if let Some(e) = emis.get_mut(i * nt..(i + 1) * nt) {
                            for (e, v) in e.iter_mut().zip(x.iter()) {
                                *e = *v as f32 * s2.scale;
                            }
                        }
                    }
                }
                match kept.get(si) {
                    Some(scores) => emis.iter_mut().zip(scores).for_each(|(e, x)| *e += x),
                    None => rescore(si, &mut emis),
                }
                let best = decode::viterbi_grouped(ts, &emis, g2, start, end, &mut sc, &mut path);
                margins_all.push(if path.iter().any(|&t| t != 0) {
                    decode::margins_grouped(ts, &emis, g2, end, best, &path, &mut sc)
                } else {
                    Vec::new()
                });
                p.clone_from(&path);
            }
        }
        paths
            .iter()
            .zip(margins_all.iter())
            .map(|(p, m)| {
                ts.decode(p)
                    .into_iter()
                    .map(|(s, e, ty)| {
                        let margin = m
                            .get(s..e)
                            .map_or(0.0, |x| x.iter().copied().fold(f32::INFINITY, f32::min));
                        (s, e, ty, margin)
                    })
                    .collect()
            })
            .collect()
    }

    /// Benchmark helper: run only stage-1 feature extraction; returns the key count.
    pub fn bench_extract(&self, sentences: &[Vec<&str>]) -> usize {
        let mut feats = DocFeatures::default();
        features::extract_doc(&self.data.res, sentences, &mut feats);
        feats.keys.len()
    }
}

/// Global token range of sentence `si` (empty if out of range).
fn sentence_range(f: &DocFeatures, si: usize) -> (usize, usize) {
    match (f.sent_starts.get(si), f.sent_starts.get(si + 1)) {
        (Some(&a), Some(&b)) if a <= b => (a, b),
        _ => (0, 0),
    }
}

/// Convert decoded tag paths to the per-token (type+1, begins) form used by stage-2 features.
pub(crate) fn stage_preds(ts: &decode::TagSet, paths: &[Vec<u16>]) -> StagePreds {
    paths
        .iter()
        .map(|p| {
            let mut row = vec![(0u16, false); p.len()];
            for (s, e, ty) in ts.decode(p) {
                for (i, r) in row.iter_mut().enumerate().take(e).skip(s) {
                    *r = ((ty + 1) as u16, i == s);
                }
            }
            row
        })
        .collect()
}

/// Score a model on a labelled file (any supported format). `scheme` must match
/// the model's scheme (labels are compared by name).
pub fn evaluate(model: &NerModel, data: &Path, scheme: &str) -> Result<EvalReport, NerError> {
    evaluate_with(model, data, scheme, &EvalOptions::default())
}

/// `evaluate` with the data transformed first (re-cased tokens, renamed or ignored types).
pub fn evaluate_with(
    model: &NerModel,
    data: &Path,
    scheme: &str,
    opts: &EvalOptions,
) -> Result<EvalReport, NerError> {
    if scheme != model.scheme() {
        return Err(NerError::Config(format!(
            "model scheme is {:?} but evaluation asked for {:?}",
            model.scheme(),
            scheme
        )));
    }
    let docs = conll::read_file(data)?;
    let mut name = data.display().to_string();
    let how = opts.describe();
    if !how.is_empty() {
        name = format!("{name} [{how}]");
    }
    Ok(evaluate_docs_with(model, &docs, &name, opts))
}

/// Score a model on already-read documents.
pub fn evaluate_docs(model: &NerModel, docs: &[conll::Document], name: &str) -> EvalReport {
    evaluate_docs_with(model, docs, name, &EvalOptions::default())
}

/// `evaluate_docs` with the documents transformed first (see `EvalOptions`).
pub fn evaluate_docs_with(
    model: &NerModel,
    docs: &[conll::Document],
    name: &str,
    opts: &EvalOptions,
) -> EvalReport {
    let mut rep = EvalReport {
        data: name.to_string(),
        ..Default::default()
    };
    let mut cpu: Option<u64> = Some(0);
    for (di, doc) in docs.iter().enumerate() {
        let recased: Vec<Vec<std::borrow::Cow<str>>> = doc
            .sentences
            .iter()
            .map(|s| s.tokens.iter().map(|t| opts.case.apply(t)).collect())
            .collect();
        let sents: Vec<Vec<&str>> = recased
            .iter()
            .map(|s| s.iter().map(|t| t.as_ref()).collect())
            .collect();
        let c0 = eval::thread_cpu_ns();
        let t0 = Instant::now();
        let pred = model.tag_document(&sents);
        rep.tag_seconds += t0.elapsed().as_secs_f64();
        cpu = match (cpu, c0, eval::thread_cpu_ns()) {
            (Some(acc), Some(a), Some(b)) => Some(acc + b.saturating_sub(a)),
            _ => None,
        };
        for (si, (s, p)) in doc.sentences.iter().zip(pred.iter()).enumerate() {
            let gold: Vec<(usize, usize, String)> = conll::spans_of(&s.tags)
                .into_iter()
                .filter_map(|(a, b, l)| opts.gold_label(&l).map(|l| (a, b, l)))
                .collect();
            let kept: Vec<&EntitySpan> = p
                .iter()
                .filter(|e| opts.keeps_prediction(&e.label))
                .collect();
            let pred: Vec<(usize, usize, String)> = kept
                .iter()
                .map(|e| (e.start, e.end, e.label.clone()))
                .collect();
            for (e, span) in kept.iter().zip(&pred) {
                rep.calibration.add(e.score, gold.contains(span));
            }
            let tokens = sents.get(si).map_or(&[][..], |t| t.as_slice());
            rep.add_sentence(((di, &doc.id), si), tokens, &gold, &pred, opts.list_errors);
        }
    }
    rep.tag_cpu_seconds = cpu.map(|ns| ns as f64 * 1e-9);
    rep
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shipped model file `name` under the crate's `models/` directory.
    fn shipped_file(name: &str) -> Option<PathBuf> {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        [
            here.join("models").join(name),
            PathBuf::from("/work/main/models").join(name),
        ]
        .into_iter()
        .find(|p| p.exists())
    }

    fn shipped() -> Option<PathBuf> {
        shipped_file("ner-conll.bin")
    }

    #[test]
    fn shipped_ontonotes_model_tags_a_sentence() {
        let path =
            shipped_file("ner-ontonotes.bin").expect("models/ner-ontonotes.bin must be shipped");
        let m = NerModel::load(&path).expect("load shipped model");
        assert_eq!(m.scheme(), "ontonotes");
        assert_eq!(m.labels().len(), 18);
        let sent = vec![
            "Barack",
            "Obama",
            "visited",
            "Paris",
            "on",
            "Monday",
            "with",
            "three",
            "French",
            "ministers",
            ".",
        ];
        let out = m.tag_document(std::slice::from_ref(&sent));
        let got: Vec<(usize, usize, &str)> = out[0]
            .iter()
            .map(|e| (e.start, e.end, e.label.as_str()))
            .collect();
        assert!(got.contains(&(0, 2, "PERSON")), "{got:?}");
        assert!(got.contains(&(3, 4, "GPE")), "{got:?}");
        assert!(got.contains(&(5, 6, "DATE")), "{got:?}");
        assert!(got.contains(&(8, 9, "NORP")), "{got:?}");
    }

    #[test]
    fn shipped_conll_model_tags_a_sentence() {
        let path = shipped().expect("models/ner-conll.bin must be shipped");
        let m = NerModel::load(&path).expect("load shipped model");
        assert_eq!(m.scheme(), "conll");
        assert_eq!(m.labels(), vec!["LOC", "MISC", "ORG", "PER"]);
        let sent = vec![
            "Russian",
            "President",
            "Dmitry",
            "Medvedev",
            "met",
            "NATO",
            "officials",
            "in",
            "Brussels",
            ".",
        ];
        let out = m.tag_document(std::slice::from_ref(&sent));
        let got: Vec<(usize, usize, &str)> = out[0]
            .iter()
            .map(|e| (e.start, e.end, e.label.as_str()))
            .collect();
        assert!(got.contains(&(2, 4, "PER")), "{got:?}");
        assert!(got.contains(&(5, 6, "ORG")), "{got:?}");
        assert!(got.contains(&(8, 9, "LOC")), "{got:?}");
        assert!(out[0].iter().all(|e| (0.0..=1.0).contains(&e.score)));
        // Odd tokens never panic and spans stay inside their sentence.
        let long = "x".repeat(10_000);
        let odd = vec![
            vec![
                "",
                " ",
                "\u{0}",
                "ǅemal",
                "İstanbul",
                "🙂🙂",
                long.as_str(),
                "-LRB-",
                "``",
            ],
            vec!["U.S.", "'s", "--", "1996-08-22", "ÀÉÎ", "ß"],
        ];
        let out = m.tag_document(&odd);
        assert_eq!(out.len(), 2);
        for (s, spans) in odd.iter().zip(&out) {
            assert!(spans.iter().all(|e| e.start < e.end && e.end <= s.len()));
        }
        // Empty input is fine.
        assert!(m.tag_document(&[]).is_empty());
        assert_eq!(m.tag_document(&[vec![]]), vec![vec![]]);
    }

    #[test]
    fn model_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<NerModel>();
    }

    #[test]
    fn load_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("ner-load-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.bin");
        let e = NerModel::load(&missing).unwrap_err().to_string();
        assert!(e.contains("missing.bin"), "{e}");
        let junk = dir.join("junk.bin");
        std::fs::write(&junk, b"hello").unwrap();
        let e = NerModel::load(&junk).unwrap_err().to_string();
        assert!(e.contains("junk.bin"), "{e}");
        let mut v = model::MAGIC.to_vec();
        v.extend_from_slice(&999u32.to_le_bytes());
        let old = dir.join("old.bin");
        std::fs::write(&old, &v).unwrap();
        let e = NerModel::load(&old).unwrap_err();
        assert!(matches!(e, NerError::Version { found: 999, .. }), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
