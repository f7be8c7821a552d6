//! Transformer NER through rust-bert (feature `transformers`): a BERT token classifier from a
//! local model directory (`[ner] model_dir`).
//!
//! A document's sentences are tokenised into WordPiece pieces with character offsets, cut
//! into windows the model can take (at most `max_position_embeddings` pieces), sorted by
//! length and run in batches of `[ner] batch_size`, so padding stays small. Piece predictions
//! go back to text spans in [`super::wordpiece_align`].

use std::path::PathBuf;
use std::sync::Mutex;

use rust_bert::bert::{BertConfig, BertForTokenClassification};
use rust_tokenizers::tokenizer::{BertTokenizer, Tokenizer};
use rust_tokenizers::vocab::Vocab;
use rust_tokenizers::Mask;
use tch::{nn::VarStore, Device, Kind, Tensor};

use super::wordpiece_align::{self, AlignedEntity, Piece};
use crate::doc::ByteSpan;
use crate::transformers::runtime::{load_weights, read_json, resolve_device, torch_err};
use crate::transformers::{check_model_dir, vocab_is_cased, DeviceChoice, TransformersError};

/// The model and its variables. libtorch modules are used by one thread at a time here: the
/// model already uses every core for one batch, and a lock keeps runs reproducible.
struct Net {
    _vs: VarStore,
    model: BertForTokenClassification,
}

/// A loaded transformer NER model. `Sync`: share one across threads.
pub struct TransformerNer {
    net: Mutex<Net>,
    tokenizer: BertTokenizer,
    labels: Vec<String>,
    device: Device,
    batch_size: usize,
    /// Pieces per window, without `[CLS]` and `[SEP]`.
    window: usize,
    cls: i64,
    sep: i64,
    pad: i64,
    weights: PathBuf,
}

impl std::fmt::Debug for TransformerNer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransformerNer")
            .field("weights", &self.weights)
            .field("labels", &self.labels)
            .field("device", &self.device)
            .finish()
    }
}

/// One window of one sentence's pieces.
struct Window {
    sent: usize,
    /// First piece of the sentence in this window.
    first: usize,
    ids: Vec<i64>,
}

impl TransformerNer {
    /// Loads `dir` (checked by [`check_model_dir`]; errors name `ner.model_dir`) on `device`.
    pub fn load(
        dir: &std::path::Path,
        device: DeviceChoice,
        batch_size: usize,
    ) -> Result<Self, TransformersError> {
        let files = check_model_dir(dir, "ner.model_dir")?;
        if files.config.model_type != "bert" {
            return Err(TransformersError::Model {
                path: dir.join("config.json"),
                message: format!(
                    "model_type {:?}: the transformer NER backend runs BERT token classifiers \
                     (model_type \"bert\")",
                    files.config.model_type
                ),
            });
        }
        if files.config.labels.is_empty() {
            return Err(TransformersError::Model {
                path: dir.join("config.json"),
                message: "config.json has no id2label: not a token classifier".into(),
            });
        }
        let device = resolve_device(device, "ner.device")?;
        let config_path = dir.join("config.json");
        let config: BertConfig = read_json(&config_path)?;
        let vocab_path = &files.tokenizer[0];
        let lower_case = match files.lower_case {
            Some(l) => l,
            None => {
                let text = std::fs::read_to_string(vocab_path).map_err(|source| {
                    TransformersError::Io {
                        path: vocab_path.clone(),
                        source,
                    }
                })?;
                !vocab_is_cased(&text)
            }
        };
        let tokenizer = BertTokenizer::from_file(vocab_path, lower_case, lower_case)
            .map_err(|e| torch_err(format!("reading {}", vocab_path.display()), e))?;
        let vocab = tokenizer.vocab();
        let id = |t: &str| {
            vocab
                .special_values()
                .get(t)
                .copied()
                .ok_or_else(|| TransformersError::Model {
                    path: vocab_path.clone(),
                    message: format!("the vocabulary has no {t} token"),
                })
        };
        let (cls, sep, pad) = (id("[CLS]")?, id("[SEP]")?, id("[PAD]")?);
        // A piece id past the embedding table would make libtorch fail mid-run.
        let n_vocab = vocab.values().len() as i64;
        if n_vocab > config.vocab_size {
            return Err(TransformersError::Model {
                path: vocab_path.clone(),
                message: format!(
                    "{n_vocab} entries, but config.json has vocab_size {}: vocabulary and \
                     weights do not belong together",
                    config.vocab_size
                ),
            });
        }
        let mut vs = VarStore::new(device);
        let model = BertForTokenClassification::new(vs.root(), &config)
            .map_err(|e| torch_err(format!("building the model of {}", dir.display()), e))?;
        load_weights(&mut vs, &files.weights)?;
        let max_pos = files.config.max_positions.unwrap_or(512).clamp(8, 512);
        Ok(TransformerNer {
            net: Mutex::new(Net { _vs: vs, model }),
            tokenizer,
            labels: files.config.labels,
            device,
            batch_size: batch_size.max(1),
            window: max_pos - 2,
            cls,
            sep,
            pad,
            weights: files.weights,
        })
    }

    /// The model's labels in id order (from `config.json`).
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The weights file loaded.
    pub fn weights(&self) -> &std::path::Path {
        &self.weights
    }

    /// Entities of every sentence of `text` (`sentences` are byte spans into it), with byte
    /// spans into `text`.
    pub fn tag(
        &self,
        text: &str,
        sentences: &[ByteSpan],
    ) -> Result<Vec<Vec<AlignedEntity>>, TransformersError> {
        // Tokenise every sentence; cut long ones into windows.
        let mut pieces: Vec<Vec<Piece>> = Vec::with_capacity(sentences.len());
        let mut windows: Vec<Window> = Vec::new();
        for (si, s) in sentences.iter().enumerate() {
            let sent = text.get(s.start..s.end).unwrap_or("");
            let tok = self.tokenizer.tokenize_with_offsets(sent);
            let ids = self.tokenizer.convert_tokens_to_ids(&tok.tokens);
            let ps: Vec<Piece> = tok
                .offsets
                .iter()
                .zip(&tok.masks)
                .map(|(o, m)| Piece {
                    chars: o.as_ref().map(|o| (o.begin as usize, o.end as usize)),
                    continuation: *m == Mask::Continuation,
                    label: 0,
                    prob: 0.0,
                })
                .collect();
            for (k, chunk) in ids.chunks(self.window).enumerate() {
                windows.push(Window {
                    sent: si,
                    first: k * self.window,
                    ids: chunk.to_vec(),
                });
            }
            pieces.push(ps);
        }
        // Similar lengths together: less padding. Stable order keeps runs reproducible.
        let mut order: Vec<usize> = (0..windows.len()).collect();
        order.sort_by_key(|&i| (windows[i].ids.len(), i));
        for batch in order.chunks(self.batch_size) {
            let preds = self.predict(batch.iter().map(|&i| &windows[i].ids[..]))?;
            for (&wi, p) in batch.iter().zip(preds) {
                let w = &windows[wi];
                if let Some(ps) = pieces.get_mut(w.sent) {
                    for (k, (label, prob)) in p.into_iter().enumerate() {
                        if let Some(piece) = ps.get_mut(w.first + k) {
                            piece.label = label;
                            piece.prob = prob;
                        }
                    }
                }
            }
        }
        Ok(sentences
            .iter()
            .zip(&pieces)
            .map(|(s, ps)| {
                let sent = text.get(s.start..s.end).unwrap_or("");
                wordpiece_align::entities(sent, s.start, ps, &self.labels)
            })
            .collect())
    }

    /// Best label and its probability for every piece of every window in one batch.
    fn predict<'a>(
        &self,
        batch: impl Iterator<Item = &'a [i64]>,
    ) -> Result<Vec<Vec<(usize, f32)>>, TransformersError> {
        let rows: Vec<&[i64]> = batch.collect();
        let Some(max_len) = rows.iter().map(|r| r.len() + 2).max() else {
            return Ok(Vec::new());
        };
        let mut ids = Vec::with_capacity(rows.len() * max_len);
        let mut mask = Vec::with_capacity(rows.len() * max_len);
        for r in &rows {
            ids.push(self.cls);
            ids.extend_from_slice(r);
            ids.push(self.sep);
            mask.resize(mask.len() + r.len() + 2, 1i64);
            ids.resize(ids.len() + max_len - r.len() - 2, self.pad);
            mask.resize(mask.len() + max_len - r.len() - 2, 0i64);
        }
        let shape = [rows.len() as i64, max_len as i64];
        let ids = Tensor::from_slice(&ids).view(shape).to(self.device);
        let mask = Tensor::from_slice(&mask).view(shape).to(self.device);
        let types = ids.zeros_like();
        let net = self
            .net
            .lock()
            .map_err(|_| torch_err("running the NER model", "a previous run panicked"))?;
        let (best_p, best_i) = tch::no_grad(|| {
            let out = net
                .model
                .forward_t(Some(&ids), Some(&mask), Some(&types), None, None, false);
            out.logits.softmax(-1, Kind::Float).max_dim(-1, false)
        });
        drop(net);
        let best_p: Vec<f32> = Vec::try_from(&best_p.to(Device::Cpu).flatten(0, -1))
            .map_err(|e| torch_err("reading the NER model output", e))?;
        let best_i: Vec<i64> = Vec::try_from(&best_i.to(Device::Cpu).flatten(0, -1))
            .map_err(|e| torch_err("reading the NER model output", e))?;
        Ok(rows
            .iter()
            .enumerate()
            .map(|(b, r)| {
                // Skip [CLS]: position 1 + k is the row's piece k.
                (0..r.len())
                    .map(|k| {
                        let at = b * max_len + 1 + k;
                        (
                            best_i.get(at).map_or(0, |&i| i.max(0) as usize),
                            best_p.get(at).copied().unwrap_or(0.0),
                        )
                    })
                    .collect()
            })
            .collect())
    }
}
