//! Neural re-scorer of the built-in NER: a small BiLSTM tagger whose per-token
//! scores are added, times a dev-tuned weight (`mix`), to the perceptron's last-pass
//! emission scores before Viterbi decoding (a product of experts: the perceptron brings
//! sparse lexical and document features, the LSTM sentence context over dense word
//! vectors). With a CRF output layer (the shipped `models/ner-conll.lstm`) the scores
//! are the CRF's emissions and `mix` times its transition scores join the perceptron's
//! (`NerModel::set_rescorer`); with a softmax layer they are tag log-probabilities.
//!
//! Trained by `scripts/train_ner_lstm.py` on ids from `lstm_inputs.rs`. Every layer
//! before the LSTM except the character CNN is linear, so loading folds the embeddings
//! and the LSTM input weights into one gate-space row per id, and the character
//! convolution into one row per character and offset. A token's input gate vector is
//! cached per scratch (`InputCache`), so a word seen before costs one copy, two
//! recurrent steps and the output layer.
//!
//! Record format (little-endian): magic `NMNERNN1`, u32 header length, a JSON
//! header (tags, input sizes, hidden size, mix, optional span-score calibration, tensor
//! names and shapes, training metadata), then the f32 tensors in header order. A re-scorer
//! file holds one record, or several back to back for an ensemble (`rescorer.rs`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use super::features::Clusters;
use super::lstm_inputs::{self, N_INPUTS};

const MAGIC: &[u8; 8] = b"NMNERNN1";

/// Source of `LstmNet::id` (0 means "no model" in a scratch's cache).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Memory budget of a scratch's input-vector cache, and its entry limit (h=64: 4096 entries
/// of 2 KiB; h=128: 2048 of 4 KiB).
const CACHE_BYTES: usize = 8 << 20;
const CACHE_MAX_ENTRIES: usize = 4096;

/// One loaded re-scorer network (one record of a re-scorer file; `rescorer::LstmRescorer`
/// holds a file's networks). Immutable; share across threads.
#[derive(Debug, Clone)]
pub struct LstmNet {
    /// BILOU tag names in the perceptron's order (checked against it when paired).
    pub tags: Vec<String>,
    /// Label scheme the re-scorer was trained for.
    pub scheme: String,
    /// Weight of the re-scorer's scores added to the perceptron's.
    pub mix: f32,
    /// Share of the re-scorer's scores (and CRF transitions) that also join the first pass of a
    /// two-pass model, so the stage-1 predictions behind the document features already see
    /// them. 0 (the default, and for files without the header key): the last pass only. Chosen
    /// on dev by `newsmill train ner-calibrate --tune-first-pass`.
    pub first_pass: f32,
    /// Table size of every input (the first is the word-vector row).
    pub input_sizes: [u32; N_INPUTS],
    hidden: usize,
    /// Identity of the loaded weights (clones share it): keys the scratch's input cache.
    id: u64,
    /// Per input: `size x (2 * 4h)` gate pre-activations (forward then backward).
    gate_tables: Vec<QuantTable>,
    /// Per direction: gate bias (4h).
    bias: [Vec<f32>; 2],
    /// Per direction: recurrent weights `W_hh` (`4h x h`), blocked for `matvec`.
    w_hh: [BlockedMat; 2],
    /// Output weights (`n_tags x 2h`), blocked for `matvec`.
    out_w: BlockedMat,
    out_b: Vec<f32>,
    /// Character CNN input, when the re-scorer was trained with one.
    chars: Option<CharCnn>,
    /// CRF transition scores, when trained with a CRF output layer: the emissions are then
    /// added unnormalised and these (times `mix`) join the perceptron's transitions.
    pub crf: Option<CrfScores>,
    /// Span-score calibration `(a, b)` of the paired model (score = sigmoid(a * margin + b)),
    /// fitted on dev by `newsmill train ner-calibrate` (or copied by its `--calib-from` from a
    /// train-only file after a train+dev retrain); `None` before that.
    pub calib: Option<(f32, f32)>,
    /// Free-text training metadata (the JSON header without tensors).
    pub meta: String,
}

/// Transition, start and end scores of a CRF output layer (`n_tags x n_tags`, row = previous
/// tag), as trained (not yet multiplied by `mix`).
#[derive(Debug, Clone)]
pub struct CrfScores {
    /// Row-major `prev x next`.
    pub trans: Vec<f32>,
    /// Score of starting a sentence with each tag.
    pub start: Vec<f32>,
    /// Score of ending a sentence with each tag.
    pub end: Vec<f32>,
}

/// Character CNN (embedding, one convolution, max over positions, tanh), folded at load:
/// `proj[(id * width + k) * filters ..]` is the convolution's kernel column `k` applied to
/// the embedding of character `id`, so a position costs `width` row additions.
#[derive(Debug, Clone)]
struct CharCnn {
    /// Character -> id (0 padding, 1 unknown, known characters from 2).
    vocab: std::collections::HashMap<char, u32>,
    max_chars: usize,
    width: usize,
    filters: usize,
    proj: Vec<f32>,
    bias: Vec<f32>,
    /// The LSTM input weights of the character features, both directions stacked
    /// (`2 * 4h x filters`), blocked for `matvec`.
    w: BlockedMat,
}

impl CharCnn {
    /// The token's character features (`filters` values in -1..1) into `out`.
    fn features(&self, token: &str, ids: &mut Vec<u32>, acc: &mut Vec<f32>, out: &mut [f32]) {
        ids.clear();
        let n = token.chars().count();
        let half = self.max_chars / 2;
        for (i, c) in token.chars().enumerate() {
            // Long words keep their first and last max_chars/2 characters (as in training).
            if n > self.max_chars && i >= half && i < n - half {
                continue;
            }
            ids.push(self.vocab.get(&c).copied().unwrap_or(1));
        }
        let f = self.filters;
        let pad = self.width / 2;
        out.fill(-1e4);
        acc.resize(f, 0.0);
        for l in 0..ids.len() {
            acc.copy_from_slice(&self.bias);
            for k in 0..self.width {
                // Position l + k - pad; outside the word contributes nothing (zero padding).
                let Some(pos) = (l + k).checked_sub(pad) else {
                    continue;
                };
                if let Some(&id) = ids.get(pos) {
                    let at = (id as usize * self.width + k) * f;
                    if let Some(row) = self.proj.get(at..at + f) {
                        axpy(acc, row, 1.0);
                    }
                }
            }
            for (o, &a) in out.iter_mut().zip(acc.iter()) {
                *o = o.max(a);
            }
        }
        // The rational tanh of the LSTM cell (within 2e-6 of std's, which cost as much as
        // the rest of the character CNN).
        for o in out.iter_mut() {
            *o = tanh(*o);
        }
    }
}

/// Reusable buffers of one tagging thread, and a bounded cache of input vectors.
#[derive(Debug, Default, Clone)]
pub struct NetScratch {
    cache: InputCache,
    /// Positions of the sentence's tokens not found in the cache, with their ids.
    misses: Vec<(usize, [u32; N_INPUTS])>,
    xg: Vec<f32>,
    hs: Vec<f32>,
    g: Vec<f32>,
    h: Vec<f32>,
    c: Vec<f32>,
    logits: Vec<f32>,
    char_ids: Vec<u32>,
    char_acc: Vec<f32>,
    char_feat: Vec<f32>,
}

/// Token string -> its input gate pre-activations (bias + table rows + character
/// features, both directions). These depend only on the token (and the model), so a
/// repeated token skips 8 cache-missing table rows, the character CNN and its projection.
/// Entries are computed by the same code as uncached ones, so results are bit-identical
/// with or without the cache. Once full it stops inserting (bounded memory, deterministic).
#[derive(Default, Clone)]
struct InputCache {
    /// `LstmNet::id` of the model the entries belong to (0: none yet).
    model: u64,
    /// Token -> entry number.
    index: HashMap<Box<str>, u32>,
    /// Entries stored.
    entries: usize,
    /// Per entry: `2 * 4h` values.
    vals: Vec<f32>,
    /// Entry limit override (tests); `None`: `CACHE_BYTES` worth, at most `CACHE_MAX_ENTRIES`.
    limit: Option<usize>,
}

impl std::fmt::Debug for InputCache {
    // The values run to megabytes: show the size only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputCache")
            .field("model", &self.model)
            .field("entries", &self.entries)
            .finish()
    }
}

impl InputCache {
    /// Forget entries of another model.
    fn use_model(&mut self, model: u64) {
        if self.model != model {
            self.index.clear();
            self.entries = 0;
            self.vals.clear();
            self.model = model;
        }
    }

    fn get(&self, token: &str, width: usize) -> Option<&[f32]> {
        let e = *self.index.get(token)? as usize;
        self.vals.get(e * width..(e + 1) * width)
    }

    fn insert(&mut self, token: &str, row: &[f32]) {
        let limit = self
            .limit
            .unwrap_or(CACHE_BYTES / (4 * row.len()).max(1))
            .min(CACHE_MAX_ENTRIES);
        if self.entries >= limit || self.index.contains_key(token) {
            return;
        }
        self.index.insert(token.into(), self.entries as u32);
        self.entries += 1;
        self.vals.extend_from_slice(row);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn f32s(&mut self, n: usize) -> Option<Vec<f32>> {
        let end = self.pos.checked_add(n.checked_mul(4)?)?;
        let b = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }
}

impl LstmNet {
    /// A file of exactly one record (tests).
    #[cfg(test)]
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        match Self::from_record(bytes)? {
            (net, []) => Ok(net),
            _ => Err("trailing bytes after the tensors".into()),
        }
    }

    /// Parse the record at the start of `bytes`; returns the network and the bytes after it
    /// (the next record of an ensemble file, or nothing).
    pub(crate) fn from_record(bytes: &[u8]) -> Result<(Self, &[u8]), String> {
        let (head, tensor_bytes) = split_header(bytes)?;
        if head["format"].as_u64() != Some(1) {
            return Err(format!(
                "format {} (this build reads format 1)",
                head["format"]
            ));
        }
        let strings = |k: &str| -> Result<Vec<String>, String> {
            head[k]
                .as_array()
                .ok_or(format!("header lacks {k}"))?
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or(format!("bad {k}")))
                .collect()
        };
        let tags = strings("tags")?;
        let scheme = head["scheme"]
            .as_str()
            .ok_or("header lacks scheme")?
            .to_string();
        let hidden = head["hidden"].as_u64().ok_or("header lacks hidden")? as usize;
        let mix = head["mix"].as_f64().ok_or("header lacks mix")? as f32;
        let first_pass = match head.get("first_pass") {
            None => 0.0,
            Some(v) => match v.as_f64() {
                Some(x) if x.is_finite() && x >= 0.0 => x as f32,
                _ => return Err(format!("first_pass must be a number >= 0, found {v}")),
            },
        };
        let calib = match head.get("calib") {
            None => None,
            Some(v) => match (v[0].as_f64(), v[1].as_f64()) {
                (Some(a), Some(b)) => Some((a as f32, b as f32)),
                _ => return Err(format!("calib must be [a, b], found {v}")),
            },
        };
        let sizes: Vec<u32> = uints(&head["input_sizes"], "input_sizes")?
            .map(|x| x as u32)
            .collect();
        let input_sizes: [u32; N_INPUTS] = sizes
            .try_into()
            .map_err(|_| format!("expected {N_INPUTS} input sizes"))?;
        let mut r = Reader {
            bytes,
            pos: bytes.len() - tensor_bytes.len(),
        };
        let mut tensors = Vec::new();
        for t in head["tensors"].as_array().ok_or("header lacks tensors")? {
            let name = t["name"].as_str().ok_or("tensor without name")?.to_string();
            let shape: Vec<usize> = uints(&t["shape"], "tensor shape")?
                .map(|x| x as usize)
                .collect();
            let n = shape.iter().product();
            let data = r.f32s(n).ok_or(format!("truncated tensor {name}"))?;
            tensors.push((name, shape, data));
        }
        let rest = &bytes[r.pos..];
        let find = |name: &str| -> Result<(&Vec<usize>, &Vec<f32>), String> {
            tensors
                .iter()
                .find(|(n, _, _)| n == name)
                .map(|(_, shape, data)| (shape, data))
                .ok_or(format!("missing tensor {name}"))
        };
        let get = |name: &str, rows: usize, cols: Option<usize>| -> Result<&Vec<f32>, String> {
            let (shape, data) = find(name)?;
            let ok = shape.first() == Some(&rows)
                && cols.is_none_or(|c| shape.get(1) == Some(&c))
                && shape.len() <= 2;
            if !ok {
                return Err(format!("tensor {name} has shape {shape:?}"));
            }
            Ok(data)
        };
        let (h, nt) = (hidden, tags.len());
        let g4 = 4 * h;
        // Input tables (rows x width): the folded vector projection, then one embedding per
        // hashed input.
        let mut inputs = Vec::with_capacity(N_INPUTS);
        for (i, &size) in input_sizes.iter().enumerate() {
            let name = if i == 0 {
                "rows".to_string()
            } else {
                format!("table{i}")
            };
            let (shape, table) = find(&name)?;
            if shape.len() != 2 || shape[0] != size as usize {
                return Err(format!(
                    "tensor {name} has shape {shape:?}, input size {size}"
                ));
            }
            inputs.push((table, shape[0], shape[1]));
        }
        let table_dim: usize = inputs.iter().map(|&(_, _, w)| w).sum();
        let char_filters =
            find("char.conv.b").map_or(0, |(shape, _)| shape.first().copied().unwrap_or(0));
        let in_dim = table_dim + char_filters;
        let mut w_ih = Vec::new();
        let mut bias: [Vec<f32>; 2] = Default::default();
        let mut w_hh: [BlockedMat; 2] = Default::default();
        for (d, dir) in ["fwd", "bwd"].iter().enumerate() {
            w_ih.push(get(&format!("{dir}.w_ih"), g4, Some(in_dim))?.clone());
            bias[d] = get(&format!("{dir}.b"), g4, None)?.clone();
            let w = get(&format!("{dir}.w_hh"), g4, Some(h))?;
            w_hh[d] = BlockedMat::new(&transpose(w, g4, h), h, g4);
        }
        let out_w = get("out.w", nt, Some(2 * h))?;
        let out_w = BlockedMat::new(&transpose(out_w, nt, 2 * h), 2 * h, nt);
        let out_b = get("out.b", nt, None)?.clone();
        let chars = if char_filters > 0 {
            let f = char_filters;
            let width = head["char_width"]
                .as_u64()
                .ok_or("header lacks char_width")? as usize;
            let max_chars = head["max_chars"].as_u64().ok_or("header lacks max_chars")? as usize;
            let list = strings("chars")?;
            let mut vocab = std::collections::HashMap::new();
            for (i, c) in list.iter().enumerate() {
                let mut it = c.chars();
                match (it.next(), it.next()) {
                    (Some(ch), None) => {
                        vocab.insert(ch, i as u32 + 2);
                    }
                    _ => return Err(format!("chars[{i}] is not one character: {c:?}")),
                }
            }
            let n_chars = list.len() + 2;
            let (eshape, emb) = find("char.emb")?;
            let cd = eshape.get(1).copied().unwrap_or(0);
            if eshape.first() != Some(&n_chars) {
                return Err(format!(
                    "char.emb has shape {eshape:?} for {n_chars} characters"
                ));
            }
            let w = get("char.conv.w", f, Some(cd * width))?;
            let bias = get("char.conv.b", f, None)?.clone();
            let mut proj = vec![0f32; n_chars * width * f];
            for id in 0..n_chars {
                for k in 0..width {
                    for fi in 0..f {
                        let mut v = 0f32;
                        for j in 0..cd {
                            // PyTorch Conv1d weight: filters x channels x width.
                            v += w[fi * cd * width + j * width + k] * emb[id * cd + j];
                        }
                        proj[(id * width + k) * f + fi] = v;
                    }
                }
            }
            // Transposed (`f x 2 * 4h`), forward gates then backward.
            let mut w_t = vec![0f32; f * 2 * g4];
            for (d, w) in w_ih.iter().enumerate() {
                for k in 0..g4 {
                    for j in 0..f {
                        w_t[j * 2 * g4 + d * g4 + k] = w[k * in_dim + table_dim + j];
                    }
                }
            }
            Some(CharCnn {
                vocab,
                max_chars,
                width,
                filters: f,
                proj,
                bias,
                w: BlockedMat::new(&w_t, f, 2 * g4),
            })
        } else {
            None
        };
        let crf = if find("crf.trans").is_ok() {
            Some(CrfScores {
                trans: get("crf.trans", nt, Some(nt))?.clone(),
                start: get("crf.start", nt, None)?.clone(),
                end: get("crf.end", nt, None)?.clone(),
            })
        } else {
            None
        };
        // Fold every input table into gate space: row x W_ih[:, cols]^T, both directions.
        let mut gate_tables = Vec::with_capacity(N_INPUTS);
        let mut off = 0;
        for &(table, rows, width) in &inputs {
            // Per direction, W_ih columns off..off+width transposed: width x 4h.
            let cols: Vec<Vec<f32>> = w_ih
                .iter()
                .map(|w| {
                    let mut t = vec![0f32; width * g4];
                    for k in 0..g4 {
                        for j in 0..width {
                            t[j * g4 + k] = w[k * in_dim + off + j];
                        }
                    }
                    t
                })
                .collect();
            let out = fold_table(table, rows, width, &cols, g4);
            gate_tables.push(QuantTable::new(&out, 2 * g4));
            off += width;
        }
        let mut meta = head.clone();
        if let Some(o) = meta.as_object_mut() {
            o.remove("tensors");
        }
        let net = LstmNet {
            tags,
            scheme,
            mix,
            first_pass,
            input_sizes,
            hidden,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            gate_tables,
            bias,
            w_hh,
            out_w,
            out_b,
            chars,
            crf,
            calib,
            meta: meta.to_string(),
        };
        Ok((net, rest))
    }

    /// Hidden size of each LSTM direction.
    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// Check that this re-scorer fits a perceptron with these tag names, scheme
    /// and word-vector rows.
    pub fn check_pair(
        &self,
        tags: &[String],
        scheme: &str,
        clusters: &Clusters,
    ) -> Result<(), String> {
        if scheme != self.scheme {
            return Err(format!(
                "re-scorer is for scheme {:?}, the model is {scheme:?}",
                self.scheme
            ));
        }
        if tags != self.tags.as_slice() {
            return Err("re-scorer and model have different tag sets".into());
        }
        let rows = lstm_inputs::input_sizes(lstm_inputs::n_rows(clusters));
        if rows != self.input_sizes {
            return Err(format!(
                "re-scorer input sizes {:?} do not match the model's {rows:?}",
                self.input_sizes
            ));
        }
        Ok(())
    }

    /// Add `weight` times the network's scores (CRF emissions, or a softmax layer's
    /// log-probabilities) for every token of a sentence to `emis` (`n_tokens * n_tags`).
    /// For a file of one network `weight` is its `mix`; an ensemble shares `mix` out.
    /// `ids_of` gives a token's `lstm_inputs::token_ids`; it is only called for tokens the
    /// scratch's cache does not hold, so it must be a pure function of the token for this
    /// re-scorer (the paired model's word clusters).
    pub fn add_scores(
        &self,
        tokens: &[&str],
        ids_of: &mut dyn FnMut(&str) -> [u32; N_INPUTS],
        emis: &mut [f32],
        sc: &mut NetScratch,
        weight: f32,
    ) {
        #[cfg(target_arch = "x86_64")]
        {
            if has_avx2_fma() {
                // SAFETY: the CPU supports AVX2 and FMA (checked just above).
                unsafe { self.add_scores_avx2(tokens, ids_of, emis, sc, weight) };
                return;
            }
        }
        self.add_scores_impl::<false>(tokens, ids_of, emis, sc, weight);
    }

    /// `add_scores` compiled for AVX2 + FMA, with the matrix-vector products in intrinsics.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn add_scores_avx2(
        &self,
        tokens: &[&str],
        ids_of: &mut dyn FnMut(&str) -> [u32; N_INPUTS],
        emis: &mut [f32],
        sc: &mut NetScratch,
        weight: f32,
    ) {
        self.add_scores_impl::<true>(tokens, ids_of, emis, sc, weight);
    }

    /// Start loading the table rows of these ids into the cache.
    #[inline(always)]
    fn prefetch_rows(&self, ids: &[u32; N_INPUTS]) {
        for (table, &id) in self.gate_tables.iter().zip(ids) {
            table.prefetch(id as usize);
        }
    }

    /// The input gate pre-activations of one token (both directions, `2 * 4h`) into `dst`:
    /// bias, the id rows, and the projected character features.
    #[inline(always)]
    fn input_gates<const AVX: bool>(
        &self,
        ids: &[u32; N_INPUTS],
        word: Option<&str>,
        dst: &mut [f32],
        (char_ids, char_acc, char_feat): (&mut Vec<u32>, &mut Vec<f32>, &mut Vec<f32>),
    ) {
        let g4 = 4 * self.hidden;
        dst[..g4].copy_from_slice(&self.bias[0]);
        dst[g4..].copy_from_slice(&self.bias[1]);
        for (table, &id) in self.gate_tables.iter().zip(ids) {
            table.add_row(id as usize, dst);
        }
        if let (Some(cnn), Some(word)) = (&self.chars, word) {
            char_feat.resize(cnn.filters, 0.0);
            cnn.features(word, char_ids, char_acc, char_feat);
            matvec::<AVX>(&cnn.w, dst, char_feat, false);
        }
    }

    /// The body of `add_scores`; `AVX` only on the path that checked `has_avx2_fma`.
    #[inline(always)]
    fn add_scores_impl<const AVX: bool>(
        &self,
        tokens: &[&str],
        ids_of: &mut dyn FnMut(&str) -> [u32; N_INPUTS],
        emis: &mut [f32],
        sc: &mut NetScratch,
        weight: f32,
    ) {
        let (h, nt) = (self.hidden, self.tags.len());
        let n = tokens.len();
        let g4 = 4 * h;
        let w = 2 * g4;
        if n == 0 || emis.len() != n * nt {
            return;
        }
        // Input gate pre-activations of both directions, from the cache when the token
        // was seen before.
        sc.cache.use_model(self.id);
        sc.xg.clear();
        sc.xg.resize(n * w, 0.0);
        sc.misses.clear();
        for (t, &word) in tokens.iter().enumerate() {
            match sc.cache.get(word, w) {
                Some(row) => sc.xg[t * w..(t + 1) * w].copy_from_slice(row),
                None => {
                    let ids = ids_of(word);
                    if sc.misses.is_empty() {
                        self.prefetch_rows(&ids);
                    }
                    sc.misses.push((t, ids));
                }
            }
        }
        // The table rows are random rows of tens of MB, mostly cache misses: fetch the
        // next token's while this one's character CNN runs.
        for i in 0..sc.misses.len() {
            if let Some((_, next)) = sc.misses.get(i + 1) {
                self.prefetch_rows(next);
            }
            let (t, ids) = sc.misses[i];
            let word = tokens[t];
            let dst = &mut sc.xg[t * w..(t + 1) * w];
            // A token repeated within the sentence: its first occurrence cached it.
            if let Some(row) = sc.cache.get(word, w) {
                dst.copy_from_slice(row);
                continue;
            }
            let bufs = (&mut sc.char_ids, &mut sc.char_acc, &mut sc.char_feat);
            self.input_gates::<AVX>(&ids, Some(word), dst, bufs);
            sc.cache.insert(word, dst);
        }
        // Hidden states: hs[t] = [forward h_t | backward h_t]. `g` is padded to the
        // blocked matrix's width (pad lanes stay 0: their weights are 0).
        sc.hs.clear();
        sc.hs.resize(n * 2 * h, 0.0);
        for d in 0..2 {
            sc.h.clear();
            sc.h.resize(h, 0.0);
            sc.c.clear();
            sc.c.resize(h, 0.0);
            sc.g.clear();
            sc.g.resize(self.w_hh[d].n_pad, 0.0);
            for step in 0..n {
                let t = if d == 0 { step } else { n - 1 - step };
                sc.g[..g4].copy_from_slice(&sc.xg[t * w + d * g4..t * w + (d + 1) * g4]);
                // The first step's h is all zeros: nothing to add.
                if step > 0 {
                    matvec::<AVX>(&self.w_hh[d], &mut sc.g, &sc.h, step % 2 == 1);
                }
                lstm_cell(&mut sc.g[..g4], &mut sc.c, &mut sc.h);
                sc.hs[t * 2 * h + d * h..t * 2 * h + (d + 1) * h].copy_from_slice(&sc.h);
            }
        }
        sc.logits.clear();
        sc.logits.resize(self.out_w.n_pad, 0.0);
        for t in 0..n {
            sc.logits[..nt].copy_from_slice(&self.out_b);
            sc.logits[nt..].fill(0.0);
            let hs = &sc.hs[t * 2 * h..(t + 1) * 2 * h];
            matvec::<AVX>(&self.out_w, &mut sc.logits, hs, false);
            let logits = &sc.logits[..nt];
            // A CRF layer's scores are unnormalised potentials; a softmax layer's become
            // log-probabilities.
            let lse = if self.crf.is_some() {
                0.0
            } else {
                let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                max + logits.iter().map(|&z| (z - max).exp()).sum::<f32>().ln()
            };
            for (e, &z) in emis[t * nt..(t + 1) * nt].iter_mut().zip(logits) {
                *e += weight * (z - lse);
            }
        }
    }
}

/// The unsigned integers of a JSON array (`what` names it in the error when it is not one).
fn uints<'a>(
    v: &'a serde_json::Value,
    what: &str,
) -> Result<impl Iterator<Item = u64> + 'a, String> {
    let a = v.as_array().ok_or(format!("header lacks {what}"))?;
    Ok(a.iter().filter_map(serde_json::Value::as_u64))
}

/// A re-scorer file's JSON header and the tensor bytes after it.
pub fn split_header(bytes: &[u8]) -> Result<(serde_json::Value, &[u8]), String> {
    if bytes.get(..8) != Some(&MAGIC[..]) {
        return Err("not a newsmill NER re-scorer (bad magic; expected NMNERNN1)".into());
    }
    let len = bytes
        .get(8..12)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or("truncated header")?;
    let head = bytes.get(12..12 + len).ok_or("truncated header")?;
    let head = serde_json::from_slice(head).map_err(|e| format!("bad JSON header: {e}"))?;
    Ok((head, &bytes[12 + len..]))
}

/// `bytes` (a re-scorer file) with header key `key` set to `value`; the tensors are kept.
pub fn with_header_value(
    bytes: &[u8],
    key: &str,
    value: serde_json::Value,
) -> Result<Vec<u8>, String> {
    let (mut head, tensors) = split_header(bytes)?;
    head.as_object_mut()
        .ok_or("the header is not a JSON object")?
        .insert(key.to_string(), value);
    let head = head.to_string().into_bytes();
    let len = u32::try_from(head.len()).map_err(|_| "header too long")?;
    let mut out = Vec::with_capacity(bytes.len() + 32);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(tensors);
    Ok(out)
}

/// A table of f32 rows stored as i8 with one scale per row (a quarter of the
/// memory; the rounding error, under 0.4% of a row's largest value, did not
/// change dev F1).
#[derive(Debug, Clone)]
struct QuantTable {
    width: usize,
    scales: Vec<f32>,
    values: Vec<i8>,
}

impl QuantTable {
    fn new(rows: &[f32], width: usize) -> Self {
        let mut scales = Vec::with_capacity(rows.len() / width.max(1));
        let mut values = Vec::with_capacity(rows.len());
        for row in rows.chunks_exact(width.max(1)) {
            scales.push(crate::quantise::quantise_row_i8(row, &mut values));
        }
        QuantTable {
            width,
            scales,
            values,
        }
    }

    /// Hint the CPU to load row `id` (and its scale) into the cache.
    #[inline(always)]
    fn prefetch(&self, id: usize) {
        #[cfg(target_arch = "x86_64")]
        if let (Some(scale), Some(row)) = (
            self.scales.get(id),
            self.values.get(id * self.width..(id + 1) * self.width),
        ) {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            // SAFETY: a prefetch is only a hint (it never faults), and these addresses
            // are inside the table anyway.
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(scale).cast());
                for line in row.chunks(64) {
                    _mm_prefetch::<_MM_HINT_T0>(line.as_ptr());
                }
                if let Some(last) = row.last() {
                    _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(last));
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = id;
    }

    /// `dst += row id` (ids out of range add nothing).
    #[inline(always)]
    fn add_row(&self, id: usize, dst: &mut [f32]) {
        let (Some(&scale), Some(row)) = (
            self.scales.get(id),
            self.values.get(id * self.width..(id + 1) * self.width),
        ) else {
            return;
        };
        for (d, &q) in dst.iter_mut().zip(row) {
            *d += scale * f32::from(q);
        }
    }
}

/// `table` (`rows x width`) times each direction's transposed input weights
/// (`width x 4h`): `rows x (2 * 4h)` gate pre-activations.
fn fold_table(table: &[f32], rows: usize, width: usize, cols: &[Vec<f32>], g4: usize) -> Vec<f32> {
    #[inline(always)]
    fn fold(table: &[f32], width: usize, cols: &[Vec<f32>], g4: usize, out: &mut [f32]) {
        for (row, dst) in table.chunks_exact(width).zip(out.chunks_exact_mut(2 * g4)) {
            for (d, colt) in cols.iter().enumerate() {
                matvec_acc_generic(&mut dst[d * g4..(d + 1) * g4], colt, row);
            }
        }
    }
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn fold_avx2(
        table: &[f32],
        width: usize,
        cols: &[Vec<f32>],
        g4: usize,
        out: &mut [f32],
    ) {
        fold(table, width, cols, g4, out);
    }
    let mut out = vec![0f32; rows * 2 * g4];
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            unsafe { fold_avx2(table, width, cols, g4, &mut out) };
            return out;
        }
    }
    fold(table, width, cols, g4, &mut out);
    out
}

fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0f32; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            t[c * rows + r] = m[r * cols + c];
        }
    }
    t
}

#[inline]
fn axpy(dst: &mut [f32], src: &[f32], a: f32) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d += a * s;
    }
}

/// Whether the CPU has AVX2 and FMA (checked once; the answer is cached by std).
#[cfg(target_arch = "x86_64")]
fn has_avx2_fma() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// `acc += W x` with `W` given transposed (`x.len()` rows of `acc.len()`), written as
/// a sum of scaled rows so it vectorises without reassociating a dot product.
#[inline(always)]
fn matvec_acc_generic(acc: &mut [f32], w_t: &[f32], x: &[f32]) {
    let n = acc.len();
    for (row, &xj) in w_t.chunks_exact(n).zip(x) {
        if xj != 0.0 {
            axpy(acc, row, xj);
        }
    }
}

/// Output columns per block of a `BlockedMat`: 8 AVX registers of accumulators.
const BLOCK: usize = 64;

/// A matrix for `acc += W x`, stored as column blocks of up to `BLOCK` outputs, each
/// block `n_in` rows of its outputs in turn, so a block's accumulators stay in registers
/// while its weights stream contiguously. Outputs are padded to a multiple of 8 with
/// zero weights.
#[derive(Debug, Clone, Default)]
struct BlockedMat {
    n_in: usize,
    /// Padded output count (`acc.len()` of `matvec`).
    n_pad: usize,
    data: Vec<f32>,
}

impl BlockedMat {
    /// From `w_t`, `n_in` rows of `n_out` (the matrix transposed).
    fn new(w_t: &[f32], n_in: usize, n_out: usize) -> Self {
        let n_pad = n_out.div_ceil(8) * 8;
        let mut data = vec![0f32; n_in * n_pad];
        let mut at = 0;
        for c0 in (0..n_pad).step_by(BLOCK) {
            let wc = BLOCK.min(n_pad - c0);
            for j in 0..n_in {
                for k in c0..(c0 + wc).min(n_out) {
                    data[at + j * wc + k - c0] = w_t[j * n_out + k];
                }
            }
            at += n_in * wc;
        }
        BlockedMat { n_in, n_pad, data }
    }

    fn n_blocks(&self) -> usize {
        self.n_pad.div_ceil(BLOCK)
    }

    /// Block `b`: (first output, width, weights). Every block before the last is `BLOCK`
    /// wide, so block `b` starts at `n_in * b * BLOCK`.
    fn block(&self, b: usize) -> (usize, usize, &[f32]) {
        let c0 = b * BLOCK;
        let wc = BLOCK.min(self.n_pad.saturating_sub(c0));
        let at = self.n_in * c0;
        (
            c0,
            wc,
            self.data.get(at..at + self.n_in * wc).unwrap_or(&[]),
        )
    }

    /// Whether `matvec` can run on these lengths (else it leaves `acc` alone).
    fn fits(&self, acc: &[f32], x: &[f32]) -> bool {
        acc.len() == self.n_pad && x.len() == self.n_in && self.data.len() == self.n_in * self.n_pad
    }

    /// `acc += W x`, plain Rust (the order of the original row-sum loop: identical sums).
    fn matvec_generic(&self, acc: &mut [f32], x: &[f32]) {
        if !self.fits(acc, x) {
            return;
        }
        for b in 0..self.n_blocks() {
            let (c0, wc, blk) = self.block(b);
            let mut r = [0f32; BLOCK];
            r[..wc].copy_from_slice(&acc[c0..c0 + wc]);
            for (row, &xj) in blk.chunks_exact(wc).zip(x) {
                for (r, &w) in r[..wc].iter_mut().zip(row) {
                    *r += xj * w;
                }
            }
            acc[c0..c0 + wc].copy_from_slice(&r[..wc]);
        }
    }

    /// `acc += W x` with AVX2 FMA, one block's accumulators in registers. `rev` runs
    /// the blocks last to first: alternating it between consecutive calls (the recurrent
    /// steps) starts each call on the blocks the previous one left in L1 (h=64: W_hh is
    /// 64 KiB, more than L1). The blocks are independent, so the result is the same.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn matvec_avx2(&self, acc: &mut [f32], x: &[f32], rev: bool) {
        if !self.fits(acc, x) {
            return;
        }
        let nb = self.n_blocks();
        for i in 0..nb {
            let (c0, wc, blk) = self.block(if rev { nb - 1 - i } else { i });
            let a = &mut acc[c0..c0 + wc];
            // SAFETY: AVX2 and FMA are enabled on this function; `fits` and `block`
            // give `a.len() == wc` (a multiple of 8, at most 64) and
            // `blk.len() == x.len() * wc`, the lengths `block_avx2` reads and writes.
            unsafe {
                match wc / 8 {
                    8 => block_avx2::<8>(blk, x, a),
                    7 => block_avx2::<7>(blk, x, a),
                    6 => block_avx2::<6>(blk, x, a),
                    5 => block_avx2::<5>(blk, x, a),
                    4 => block_avx2::<4>(blk, x, a),
                    3 => block_avx2::<3>(blk, x, a),
                    2 => block_avx2::<2>(blk, x, a),
                    _ => block_avx2::<1>(blk, x, a),
                }
            }
        }
    }
}

/// `a += blk^T x` for one block of `NV` AVX vectors: `blk` is `x.len()` rows of `8 * NV`.
///
/// # Safety
/// Needs AVX2 and FMA, `a.len() >= 8 * NV` and `blk.len() >= x.len() * 8 * NV`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn block_avx2<const NV: usize>(blk: &[f32], x: &[f32], a: &mut [f32]) {
    use std::arch::x86_64::*;
    debug_assert!(a.len() >= 8 * NV && blk.len() >= x.len() * 8 * NV);
    let mut r = [_mm256_setzero_ps(); NV];
    // SAFETY (all pointer reads and writes below): within the lengths the caller promises.
    for (v, r) in r.iter_mut().enumerate() {
        *r = unsafe { _mm256_loadu_ps(a.as_ptr().add(8 * v)) };
    }
    let mut p = blk.as_ptr();
    for &xj in x {
        let xv = _mm256_set1_ps(xj);
        for (v, r) in r.iter_mut().enumerate() {
            *r = _mm256_fmadd_ps(xv, unsafe { _mm256_loadu_ps(p.add(8 * v)) }, *r);
        }
        p = unsafe { p.add(8 * NV) };
    }
    for (v, r) in r.iter().enumerate() {
        unsafe { _mm256_storeu_ps(a.as_mut_ptr().add(8 * v), *r) };
    }
}

/// `acc += W x`; `AVX` is true only on the path that checked `has_avx2_fma`. `rev`:
/// see `BlockedMat::matvec_avx2`.
#[inline(always)]
fn matvec<const AVX: bool>(m: &BlockedMat, acc: &mut [f32], x: &[f32], rev: bool) {
    #[cfg(not(target_arch = "x86_64"))]
    let _ = rev;
    #[cfg(target_arch = "x86_64")]
    {
        if AVX {
            // SAFETY: `AVX` is only set by `add_scores_avx2`, entered after `has_avx2_fma`.
            unsafe { m.matvec_avx2(acc, x, rev) };
            return;
        }
    }
    m.matvec_generic(acc, x);
}

/// One LSTM step from the gate pre-activations `g` (PyTorch order i, f, g, o;
/// overwritten). Each loop runs over contiguous slices so that it vectorises.
#[inline(always)]
fn lstm_cell(g: &mut [f32], c: &mut [f32], h: &mut [f32]) {
    let n = h.len();
    let (sig_if, rest) = g.split_at_mut(2 * n);
    let (gg, go) = rest.split_at_mut(n);
    // Separate loops over plain slices rather than a chained iterator (simpler to vectorise).
    for x in sig_if.iter_mut() {
        *x = sigmoid(*x);
    }
    for x in go.iter_mut() {
        *x = sigmoid(*x);
    }
    for x in gg.iter_mut() {
        *x = tanh(*x);
    }
    let (gi, gf) = sig_if.split_at(n);
    for (((c, &i), &f), &g) in c.iter_mut().zip(gi).zip(gf.iter()).zip(gg.iter()) {
        *c = f * *c + i * g;
    }
    for ((h, &c), &o) in h.iter_mut().zip(c.iter()).zip(go.iter()) {
        *h = o * tanh(c);
    }
}

#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    0.5 * tanh(0.5 * x) + 0.5
}

/// Rational approximation of tanh (the one Eigen uses for f32; error ~1e-7),
/// branch-free so the cell loop vectorises.
#[inline(always)]
fn tanh(x: f32) -> f32 {
    let x = x.clamp(-7.905_311, 7.905_311);
    let x2 = x * x;
    let mut p = x2 * -2.760_768_5e-16 + 2.000_188e-13;
    p = p * x2 + -8.604_672e-11;
    p = p * x2 + 5.122_297e-8;
    p = p * x2 + 1.485_722_4e-5;
    p = p * x2 + 6.372_619_3e-4;
    p = p * x2 + 4.893_524_6e-3;
    p *= x;
    let mut q = x2 * 1.198_258_4e-6 + 1.185_347_1e-4;
    q = q * x2 + 2.268_434_6e-3;
    q = q * x2 + 4.893_525e-3;
    p / q
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn fast_tanh_matches_std() {
        for i in -2000..=2000 {
            let x = i as f32 / 100.0;
            assert!((tanh(x) - x.tanh()).abs() < 2e-6, "{x}");
        }
    }

    #[test]
    fn header_values_are_replaced_and_the_tensors_kept() {
        let mut b = MAGIC.to_vec();
        let head = br#"{"format":1,"mix":8.0}"#;
        b.extend_from_slice(&(head.len() as u32).to_le_bytes());
        b.extend_from_slice(head);
        b.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let out = with_header_value(&b, "calib", serde_json::json!([0.5, -1.0])).expect("ok");
        let (head, tensors) = split_header(&out).expect("parses");
        assert_eq!(tensors, &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(head["calib"], serde_json::json!([0.5, -1.0]));
        assert_eq!(head["mix"], serde_json::json!(8.0));
        assert!(with_header_value(b"junk", "calib", serde_json::json!(1))
            .unwrap_err()
            .contains("magic"));
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        assert!(LstmNet::from_bytes(b"garbage")
            .unwrap_err()
            .contains("magic"));
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&5u32.to_le_bytes());
        b.extend_from_slice(b"{}   ");
        assert!(LstmNet::from_bytes(&b).unwrap_err().contains("format"));
    }

    /// Pseudo-random values in -0.5..0.5 (an LCG: deterministic, no dependency).
    fn rand(seed: &mut u64, n: usize) -> Vec<f32> {
        (0..n)
            .map(|_| {
                *seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (*seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn blocked_matvec_matches_the_row_sum() {
        let mut seed = 7;
        for (n_in, n_out) in [
            (50, 17),
            (64, 256),
            (128, 512),
            (50, 1024),
            (12, 48),
            (3, 96),
        ] {
            let w_t = rand(&mut seed, n_in * n_out);
            let x = rand(&mut seed, n_in);
            let m = BlockedMat::new(&w_t, n_in, n_out);
            let mut want = rand(&mut seed, n_out);
            let mut acc = want.clone();
            acc.resize(m.n_pad, 0.0);
            let start = acc.clone();
            matvec_acc_generic(&mut want, &w_t, &x);
            m.matvec_generic(&mut acc, &x);
            // Same products summed in the same order: identical.
            assert_eq!(&acc[..n_out], &want[..], "{n_in}x{n_out}");
            assert!(acc[n_out..].iter().all(|&v| v == 0.0));
            #[cfg(target_arch = "x86_64")]
            if has_avx2_fma() {
                let mut fast = start.clone();
                // SAFETY: the CPU supports AVX2 and FMA (checked just above).
                unsafe { m.matvec_avx2(&mut fast, &x, n_in % 2 == 0) };
                for k in 0..n_out {
                    // Relative to the sum of the terms' magnitudes (FMA rounds once).
                    let scale = start[k].abs()
                        + (0..n_in)
                            .map(|j| (x[j] * w_t[j * n_out + k]).abs())
                            .sum::<f32>();
                    assert!(
                        (fast[k] - want[k]).abs() <= 1e-5 * scale,
                        "{n_in}x{n_out}[{k}]: {} vs {}",
                        fast[k],
                        want[k]
                    );
                }
            }
        }
    }

    /// A tiny random re-scorer in the file format (h hidden units, character CNN,
    /// optionally a CRF layer).
    fn tiny_model(h: usize, crf: bool, seed: u64) -> LstmNet {
        LstmNet::from_bytes(&tiny_model_bytes(h, crf, seed)).unwrap()
    }

    /// The file bytes of `tiny_model`.
    pub(crate) fn tiny_model_bytes(h: usize, crf: bool, seed: u64) -> Vec<u8> {
        let mut seed = seed;
        let sizes = [5u32, 3, 3, 4, 3, 3, 3, 3];
        let (nt, f, cd, width) = (3, 5, 2, 3);
        let in_dim = 2 * N_INPUTS + f;
        let mut tensors: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, &n) in sizes.iter().enumerate() {
            let name = if i == 0 {
                "rows".to_string()
            } else {
                format!("table{i}")
            };
            tensors.push((name, vec![n as usize, 2]));
        }
        for dir in ["fwd", "bwd"] {
            tensors.push((format!("{dir}.w_ih"), vec![4 * h, in_dim]));
            tensors.push((format!("{dir}.b"), vec![4 * h]));
            tensors.push((format!("{dir}.w_hh"), vec![4 * h, h]));
        }
        tensors.push(("out.w".into(), vec![nt, 2 * h]));
        tensors.push(("out.b".into(), vec![nt]));
        tensors.push(("char.emb".into(), vec![5, cd]));
        tensors.push(("char.conv.w".into(), vec![f, cd * width]));
        tensors.push(("char.conv.b".into(), vec![f]));
        if crf {
            tensors.push(("crf.trans".into(), vec![nt, nt]));
            tensors.push(("crf.start".into(), vec![nt]));
            tensors.push(("crf.end".into(), vec![nt]));
        }
        let head = serde_json::json!({
            "format": 1,
            "tags": ["O", "U-X", "B-X"],
            "scheme": "test",
            "hidden": h,
            "mix": 0.5,
            "input_sizes": sizes,
            "char_width": width,
            "max_chars": 4,
            "chars": ["a", "b", "c"],
            "tensors": tensors.iter().map(|(n, s)| serde_json::json!({"name": n, "shape": s}))
                .collect::<Vec<_>>(),
        })
        .to_string();
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&(head.len() as u32).to_le_bytes());
        b.extend_from_slice(head.as_bytes());
        for (_, shape) in &tensors {
            for v in rand(&mut seed, shape.iter().product()) {
                b.extend_from_slice(&(2.0 * v).to_le_bytes());
            }
        }
        b
    }

    #[test]
    fn the_first_pass_weight_is_read_from_the_header() {
        let b = tiny_model_bytes(4, true, 3);
        // Files written before the key existed join the last pass only.
        assert_eq!(LstmNet::from_bytes(&b).unwrap().first_pass, 0.0);
        let with = |v| with_header_value(&b, "first_pass", v).expect("header rewritten");
        let r = LstmNet::from_bytes(&with(serde_json::json!(0.5))).unwrap();
        assert_eq!(r.first_pass, 0.5);
        for bad in [serde_json::json!(-1.0), serde_json::json!("half")] {
            let err = LstmNet::from_bytes(&with(bad)).unwrap_err();
            assert!(err.contains("first_pass"), "{err}");
        }
    }

    /// Ids as a pure function of the token, like `lstm_inputs::token_ids`.
    pub(crate) fn ids_of(m: &LstmNet, tok: &str) -> [u32; N_INPUTS] {
        let mut ids = [0u32; N_INPUTS];
        for (i, id) in ids.iter_mut().enumerate() {
            let x = tok.bytes().map(u32::from).sum::<u32>() + 7 * i as u32;
            *id = x % m.input_sizes[i];
        }
        ids
    }

    fn scores(m: &LstmNet, toks: &[&str], sc: &mut NetScratch) -> Vec<f32> {
        let mut emis = vec![0f32; toks.len() * m.tags.len()];
        m.add_scores(toks, &mut |t| ids_of(m, t), &mut emis, sc, m.mix);
        emis
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn cached_input_vectors_give_identical_scores() {
        let toks = ["ab", "c", "ab", "abcabc", "c", "zz", "ab", "c"];
        for (h, crf) in [(12, false), (64, true), (5, true)] {
            let m = tiny_model(h, crf, 1);
            let mut none = NetScratch::default();
            none.cache.limit = Some(0);
            let want = scores(&m, &toks, &mut none);
            assert_eq!(none.cache.entries, 0);
            assert!(want.iter().all(|v| v.is_finite() && *v != 0.0));
            // Within the sentence (repeats hit), then a second time (all hit).
            let mut sc = NetScratch::default();
            assert_eq!(bits(&scores(&m, &toks, &mut sc)), bits(&want), "h={h}");
            assert_eq!(sc.cache.entries, 4);
            assert_eq!(bits(&scores(&m, &toks, &mut sc)), bits(&want), "h={h}");
            // A full cache stops inserting and still gives the same scores.
            let mut small = NetScratch::default();
            small.cache.limit = Some(2);
            assert_eq!(bits(&scores(&m, &toks, &mut small)), bits(&want), "h={h}");
            assert_eq!(small.cache.entries, 2);
            // Another model with the same scratch does not see the first one's entries.
            let m2 = tiny_model(h, crf, 2);
            let mut fresh = NetScratch::default();
            let want2 = scores(&m2, &toks, &mut fresh);
            assert_ne!(bits(&want2), bits(&want));
            assert_eq!(bits(&scores(&m2, &toks, &mut sc)), bits(&want2), "h={h}");
            // Ids are only computed for tokens the cache lacks: for all eight tokens of the
            // sentence the first time (the cache fills after the scan), never again.
            let mut fresh = NetScratch::default();
            let mut calls = 0;
            let mut e = vec![0f32; want.len()];
            for expected_calls in [8, 8] {
                let mut count = |t: &str| {
                    calls += 1;
                    ids_of(&m2, t)
                };
                m2.add_scores(&toks, &mut count, &mut e, &mut fresh, m2.mix);
                assert_eq!(calls, expected_calls, "h={h}");
            }
        }
    }

    #[test]
    fn simd_and_generic_paths_agree() {
        let toks = ["ab", "c", "ab", "abcabc", "c", "zz", "ab", "c"];
        for (h, crf) in [(12, false), (64, true), (7, false)] {
            let m = tiny_model(h, crf, 3);
            let mut slow = vec![0f32; toks.len() * m.tags.len()];
            let mut ids = |t: &str| ids_of(&m, t);
            m.add_scores_impl::<false>(
                &toks,
                &mut ids,
                &mut slow,
                &mut NetScratch::default(),
                m.mix,
            );
            let fast = scores(&m, &toks, &mut NetScratch::default());
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() <= 1e-4 * (1.0 + b.abs()), "h={h}: {a} vs {b}");
            }
        }
    }
}
