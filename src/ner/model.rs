//! Model file format (little-endian binary, versioned) and its load/save.
//!
//! Layout: magic `NMNERMDL`, format version (u32), then sections in fixed
//! order: header (scheme, encoding, entity types, span-score calibration,
//! free-text training metadata), word clusters (sorted 64-bit word hashes
//! with cluster ids, coarse cluster tables), gazetteer phrase hashes, and one or two
//! weight stages (sorted feature keys, sparse i16-quantised weight rows
//! (row offsets, tag ids, weights) with a per-stage scale, transition/start/end scores as f32).
//! Everything read is bounds-checked; a truncated or corrupt file gives an
//! error naming the file, never a panic.

use std::path::Path;

use super::decode::{Encoding, TagSet};
use super::features::{Clusters, Gazetteer, Resources};
use super::hash::U64Table;
use super::NerError;

/// File magic.
pub const MAGIC: &[u8; 8] = b"NMNERMDL";
/// Current format version; bump on any change of layout or feature hashing.
pub const VERSION: u32 = 3;

/// Weights of one tagging pass.
///
/// Feature weights are kept i16-quantised in memory too (one scale per stage):
/// tagging is bound by memory latency, and the quantised model is exactly what
/// the file holds, so save/load never changes predictions. Rows are sparse
/// (only non-zero (tag, weight) entries): a perceptron row is updated only for
/// the tags it was confused between, so most of an 18-type row is zero.
#[derive(Debug, Clone, Default)]
pub struct Stage {
    /// Sorted feature keys (rows are laid out in this order).
    pub keys: Vec<u64>,
    /// All rows back to back. A row is a header word holding its entry count,
    /// then one word per entry: tag index in the high 16 bits, quantised weight
    /// (i16) in the low 16 bits.
    pub packed: Vec<u32>,
    /// Weight = quantised weight * scale.
    pub scale: f32,
    /// Transition scores `prev * n_tags + cur`.
    pub trans: Vec<f32>,
    /// Scores for the first tag of a sentence.
    pub start: Vec<f32>,
    /// Scores for the last tag of a sentence.
    pub end: Vec<f32>,
}

impl Stage {
    /// Build from rows given as (key, weights) sorted by key; quantises the weights.
    pub fn from_rows(
        rows: Vec<(u64, Vec<f32>)>,
        n_tags: usize,
        trans: Vec<f32>,
        start: Vec<f32>,
        end: Vec<f32>,
    ) -> Self {
        let maxabs = rows
            .iter()
            .flat_map(|r| r.1.iter())
            .fold(0.0f32, |m, x| m.max(x.abs()));
        let scale = if maxabs > 0.0 { maxabs / 32767.0 } else { 1.0 };
        let mut keys = Vec::with_capacity(rows.len());
        let mut sparse: Vec<Vec<(u16, i16)>> = Vec::with_capacity(rows.len());
        for (k, w) in rows {
            let row: Vec<(u16, i16)> = w
                .iter()
                .take(n_tags)
                .enumerate()
                .map(|(t, x)| {
                    (
                        t as u16,
                        (x / scale).round().clamp(-32767.0, 32767.0) as i16,
                    )
                })
                .filter(|&(_, q)| q != 0)
                .collect();
            if !row.is_empty() {
                keys.push(k);
                sparse.push(row);
            }
        }
        Self::assemble(keys, &sparse, scale, trans, start, end)
    }

    fn assemble(
        keys: Vec<u64>,
        rows: &[Vec<(u16, i16)>],
        scale: f32,
        trans: Vec<f32>,
        start: Vec<f32>,
        end: Vec<f32>,
    ) -> Self {
        let mut packed = Vec::with_capacity(rows.iter().map(|r| r.len() + 1).sum());
        for r in rows {
            packed.push(r.len() as u32);
            packed.extend(
                r.iter()
                    .map(|&(t, w)| (u32::from(t) << 16) | u32::from(w as u16)),
            );
        }
        Stage {
            keys,
            packed,
            scale,
            trans,
            start,
            end,
        }
    }

    /// A copy without the weights whose absolute value is under `min_abs`
    /// (rows left empty are dropped with their keys); same scale, so every
    /// kept weight is unchanged.
    pub fn pruned(&self, min_abs: f32) -> Stage {
        let mut keys = Vec::with_capacity(self.keys.len());
        let mut rows = Vec::with_capacity(self.keys.len());
        for (k, r) in self.keys.iter().zip(self.sparse_rows()) {
            let r: Vec<(u16, i16)> = r
                .into_iter()
                .filter(|&(_, q)| f32::from(q).abs() * self.scale >= min_abs)
                .collect();
            if !r.is_empty() {
                keys.push(*k);
                rows.push(r);
            }
        }
        Self::assemble(
            keys,
            &rows,
            self.scale,
            self.trans.clone(),
            self.start.clone(),
            self.end.clone(),
        )
    }

    /// Number of stored (non-zero) weights.
    pub fn n_weights(&self) -> usize {
        self.packed.len().saturating_sub(self.keys.len())
    }

    /// Packed entry slices of the rows, in key order.
    fn row_slices(&self) -> Vec<&[u32]> {
        let mut out = Vec::with_capacity(self.keys.len());
        let mut i = 0usize;
        while let Some(&n) = self.packed.get(i) {
            let n = n as usize;
            out.push(self.packed.get(i + 1..i + 1 + n).unwrap_or_default());
            i += 1 + n;
        }
        out
    }

    /// Rows as (tag, quantised weight) lists, in key order (for saving).
    fn sparse_rows(&self) -> Vec<Vec<(u16, i16)>> {
        self.row_slices()
            .into_iter()
            .map(|r| {
                r.iter()
                    .map(|&e| ((e >> 16) as u16, e as u16 as i16))
                    .collect()
            })
            .collect()
    }
}

/// Tagging-time index over both stages' weights.
///
/// One table maps each feature key (union of both stages) to one contiguous
/// region `[n1, stage-1 entries.., n2, stage-2 entries..]`, so a feature's
/// weights for both passes cost two cache misses (slot, row) in total; tagging
/// is bound by memory latency, and the first pass computes the second pass's
/// base scores with the same lookups.
#[derive(Debug, Clone, Default)]
pub struct Joint {
    table: U64Table,
    packed: Vec<u32>,
}

impl Joint {
    /// Merge the stages (both have keys sorted ascending).
    pub fn build(s1: &Stage, s2: Option<&Stage>) -> Self {
        let r1 = s1.row_slices();
        let (k2, r2): (&[u64], Vec<&[u32]>) = match s2 {
            Some(s) => (&s.keys, s.row_slices()),
            None => (&[], Vec::new()),
        };
        let k1 = &s1.keys;
        let mut packed = Vec::with_capacity(
            s1.packed.len() + s2.map_or(0, |s| s.packed.len()) + 2 * (k1.len() + k2.len()),
        );
        let mut pairs: Vec<(u64, u32)> = Vec::with_capacity(k1.len().max(k2.len()));
        let (mut i, mut j) = (0usize, 0usize);
        let empty: &[u32] = &[];
        while i < k1.len() || j < k2.len() {
            let (key, a, b) = match (k1.get(i), k2.get(j)) {
                (Some(&x), Some(&y)) if x == y => {
                    i += 1;
                    j += 1;
                    (x, r1.get(i - 1).copied(), r2.get(j - 1).copied())
                }
                (Some(&x), Some(&y)) if x < y => {
                    i += 1;
                    (x, r1.get(i - 1).copied(), None)
                }
                (Some(&x), None) => {
                    i += 1;
                    (x, r1.get(i - 1).copied(), None)
                }
                (_, Some(&y)) => {
                    j += 1;
                    (y, None, r2.get(j - 1).copied())
                }
                (None, None) => break,
            };
            let (a, b) = (a.unwrap_or(empty), b.unwrap_or(empty));
            pairs.push((key, packed.len() as u32));
            packed.push(a.len() as u32);
            packed.extend_from_slice(a);
            packed.push(b.len() as u32);
            packed.extend_from_slice(b);
        }
        Joint {
            table: U64Table::build(pairs.into_iter()),
            packed,
        }
    }

    /// Resolve keys to row starts (appends to `rows`; unknown keys are skipped).
    #[inline]
    pub fn lookup(&self, keys: &[u64], rows: &mut Vec<u32>) {
        rows.extend(keys.iter().filter_map(|&k| {
            let r = self.table.get(k)?;
            // The row is read in `accumulate`, after the whole sentence's lookups.
            super::hash::prefetch(&self.packed, r as usize);
            Some(r)
        }));
    }

    /// Starts loading the table slots of `keys` (see [`U64Table::prefetch`]).
    #[inline]
    pub fn prefetch(&self, keys: &[u64]) {
        keys.iter().for_each(|&k| self.table.prefetch(k));
    }

    /// Add the rows' stage-1 entries into `acc1` and, if given, their stage-2
    /// entries into `acc2` (quantised units of the respective stage).
    #[inline]
    pub fn accumulate(&self, rows: &[u32], acc1: &mut [i32], mut acc2: Option<&mut [i32]>) {
        for &r in rows {
            let r = r as usize;
            let Some(&n1) = self.packed.get(r) else {
                continue;
            };
            let e1 = r + 1 + n1 as usize;
            if let Some(entries) = self.packed.get(r + 1..e1) {
                add_entries(entries, acc1);
            }
            if let Some(acc2) = acc2.as_deref_mut() {
                let Some(&n2) = self.packed.get(e1) else {
                    continue;
                };
                if let Some(entries) = self.packed.get(e1 + 1..e1 + 1 + n2 as usize) {
                    add_entries(entries, acc2);
                }
            }
        }
    }

    /// Add only the rows' stage-2 entries into `acc2`.
    #[inline]
    pub fn accumulate2(&self, rows: &[u32], acc2: &mut [i32]) {
        for &r in rows {
            let r = r as usize;
            let Some(&n1) = self.packed.get(r) else {
                continue;
            };
            let e1 = r + 1 + n1 as usize;
            let Some(&n2) = self.packed.get(e1) else {
                continue;
            };
            if let Some(entries) = self.packed.get(e1 + 1..e1 + 1 + n2 as usize) {
                add_entries(entries, acc2);
            }
        }
    }
}

#[inline]
fn add_entries(entries: &[u32], acc: &mut [i32]) {
    for &e in entries {
        if let Some(a) = acc.get_mut((e >> 16) as usize) {
            *a += i32::from(e as u16 as i16);
        }
    }
}

/// Everything in a model file.
#[derive(Debug, Clone)]
pub struct ModelData {
    /// "conll" | "ontonotes" | other label scheme name.
    pub scheme: String,
    /// Entity type names (index = type id).
    pub types: Vec<String>,
    /// Tag inventory.
    pub tagset: TagSet,
    /// Clusters and gazetteer.
    pub res: Resources,
    /// First pass.
    pub stage1: Stage,
    /// Optional second pass using document-level first-pass predictions.
    pub stage2: Option<Stage>,
    /// Span score = sigmoid(calib.0 * margin + calib.1).
    pub calib: (f32, f32),
    /// Free-text training metadata (command, data, epochs, seed).
    pub meta: String,
}

// ---------- writer ----------

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f32(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn f32s(&mut self, v: &[f32]) {
        self.u32(v.len() as u32);
        for &x in v {
            self.f32(x);
        }
    }
}

// ---------- reader ----------

struct R<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).ok_or("length overflow")?;
        let s = self
            .b
            .get(self.pos..end)
            .ok_or_else(|| format!("truncated at byte {}", self.pos))?;
        self.pos = end;
        Ok(s)
    }
    fn arr<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.arr::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_le_bytes(self.arr()?))
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    fn len(&mut self, max: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n > max || n > self.b.len() {
            return Err(format!("implausible length {n} at byte {}", self.pos));
        }
        Ok(n)
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.arr()?))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.arr()?))
    }
    fn str(&mut self) -> Result<String, String> {
        let n = self.len(usize::MAX)?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| "invalid UTF-8 string".to_string())
    }
    fn f32s(&mut self, expect: usize) -> Result<Vec<f32>, String> {
        let n = self.len(usize::MAX / 4)?;
        if n != expect {
            return Err(format!("expected {expect} floats, found {n}"));
        }
        let raw = self.take(n * 4)?;
        Ok(raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

fn write_stage(w: &mut W, st: &Stage) {
    let rows = st.sparse_rows();
    w.u32(st.keys.len() as u32);
    for &k in &st.keys {
        w.u64(k);
    }
    w.f32(st.scale);
    let mut off = 0u32;
    w.u32(0);
    for r in &rows {
        off += r.len() as u32;
        w.u32(off);
    }
    for r in &rows {
        for &(t, _) in r {
            w.u16(t);
        }
    }
    for r in &rows {
        for &(_, q) in r {
            w.u16(q as u16);
        }
    }
    w.f32s(&st.trans);
    w.f32s(&st.start);
    w.f32s(&st.end);
}

fn read_keys(r: &mut R) -> Result<Vec<u64>, String> {
    let n = r.len(usize::MAX / 8)?;
    let raw = r.take(n * 8)?;
    Ok(raw
        .chunks_exact(8)
        .map(|c| {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            u64::from_le_bytes(a)
        })
        .collect())
}

fn read_u16s(r: &mut R, n: usize) -> Result<Vec<u16>, String> {
    let raw = r.take(n.checked_mul(2).ok_or("overflow")?)?;
    Ok(raw
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect())
}

fn read_scale(r: &mut R) -> Result<f32, String> {
    let scale = r.f32()?;
    if !scale.is_finite() {
        return Err("non-finite weight scale".into());
    }
    Ok(scale)
}

/// Read a stage: sparse rows, validated (monotonic offsets, tags in range).
fn read_stage(r: &mut R, n_tags: usize) -> Result<Stage, String> {
    let keys = read_keys(r)?;
    let scale = read_scale(r)?;
    let mut offsets = Vec::with_capacity(keys.len() + 1);
    for _ in 0..=keys.len() {
        offsets.push(r.u32()?);
    }
    if offsets.first() != Some(&0) || offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err("bad row offsets".into());
    }
    let m = offsets.last().copied().unwrap_or(0) as usize;
    let tags = read_u16s(r, m)?;
    if tags.iter().any(|&t| t as usize >= n_tags) {
        return Err("tag index out of range".into());
    }
    let qweights = read_u16s(r, m)?;
    let trans = r.f32s(n_tags * n_tags)?;
    let start = r.f32s(n_tags)?;
    let end = r.f32s(n_tags)?;
    let rows: Vec<Vec<(u16, i16)>> = offsets
        .windows(2)
        .map(|w| {
            let (a, b) = (w[0] as usize, w[1] as usize);
            let t = tags.get(a..b).unwrap_or_default();
            let q = qweights.get(a..b).unwrap_or_default();
            t.iter().zip(q).map(|(&t, &q)| (t, q as i16)).collect()
        })
        .collect();
    Ok(Stage::assemble(keys, &rows, scale, trans, start, end))
}

/// Serialise a model to bytes.
pub fn to_bytes(m: &ModelData) -> Vec<u8> {
    let mut w = W(Vec::new());
    w.0.extend_from_slice(MAGIC);
    w.u32(VERSION);
    w.str(&m.scheme);
    w.u8(m.tagset.enc.id());
    w.u32(m.types.len() as u32);
    for t in &m.types {
        w.str(t);
    }
    w.f32(m.calib.0);
    w.f32(m.calib.1);
    w.str(&m.meta);

    // Clusters: sorted word hashes + row ids.
    let c = &m.res.clusters;
    w.u32(c.keys.len() as u32);
    for &k in &c.keys {
        w.u64(k);
    }
    for &r in c
        .rows
        .iter()
        .chain(std::iter::repeat(&0))
        .take(c.keys.len())
    {
        w.u16(r);
    }
    w.u32(m.res.clusters.coarse_k.len() as u32);
    for (lvl, k) in m.res.clusters.coarse_k.iter().enumerate() {
        w.u32(*k);
        let tab = m
            .res
            .clusters
            .coarse
            .get(lvl)
            .map_or(&[][..], |v| v.as_slice());
        w.u32(tab.len() as u32);
        for &c in tab {
            w.u16(c);
        }
    }

    // Gazetteer: phrase hashes (incl. mask-0 prefix entries), sorted.
    w.u32(m.res.gazetteer.lists.len() as u32);
    for l in &m.res.gazetteer.lists {
        w.str(l);
    }
    w.u32(m.res.gazetteer.max_len as u32);
    let mut phrases: Vec<(u64, u32)> = m
        .res
        .gazetteer
        .phrases
        .iter()
        .map(|(k, v)| (*k, *v))
        .collect();
    phrases.sort_unstable();
    w.u32(phrases.len() as u32);
    for (p, mask) in phrases {
        w.u64(p);
        w.u32(mask);
    }

    w.u8(if m.stage2.is_some() { 2 } else { 1 });
    write_stage(&mut w, &m.stage1);
    if let Some(s2) = &m.stage2 {
        write_stage(&mut w, s2);
    }
    w.0
}

/// Parse a model from bytes; `Err` carries a message without the path.
pub fn from_bytes(b: &[u8]) -> Result<ModelData, ParseError> {
    let mut r = R { b, pos: 0 };
    let magic = r.take(8).map_err(ParseError::Corrupt)?;
    if magic != MAGIC {
        return Err(ParseError::Corrupt(
            "not a newsmill NER model (bad magic)".into(),
        ));
    }
    let version = r.u32().map_err(ParseError::Corrupt)?;
    if version != VERSION {
        return Err(ParseError::Version(version));
    }
    parse_body(&mut r).map_err(ParseError::Corrupt)
}

/// Why a model could not be parsed.
#[derive(Debug)]
pub enum ParseError {
    /// Format version differs from `VERSION`.
    Version(u32),
    /// Anything else.
    Corrupt(String),
}

fn parse_body(r: &mut R) -> Result<ModelData, String> {
    let scheme = r.str()?;
    let enc = Encoding::from_id(r.u8()?).ok_or("unknown tag encoding")?;
    let n_types = r.len(1000)?;
    let mut types = Vec::with_capacity(n_types);
    for _ in 0..n_types {
        types.push(r.str()?);
    }
    let calib = (r.f32()?, r.f32()?);
    let meta = r.str()?;

    let n_words = r.len(50_000_000)?;
    let kb = r.take(n_words * 8)?;
    let rb = r.take(n_words * 2)?;
    let word_pairs: Vec<(u64, u16)> = kb
        .chunks_exact(8)
        .zip(rb.chunks_exact(2))
        .map(|(k, v)| {
            let mut a = [0u8; 8];
            a.copy_from_slice(k);
            (u64::from_le_bytes(a), u16::from_le_bytes([v[0], v[1]]))
        })
        .collect();
    let n_levels = r.len(16)?;
    let mut coarse_k = Vec::new();
    let mut coarse = Vec::new();
    for _ in 0..n_levels {
        coarse_k.push(r.u32()?);
        let n = r.len(1_000_000)?;
        let mut tab = Vec::with_capacity(n);
        for _ in 0..n {
            tab.push(r.u16()?);
        }
        coarse.push(tab);
    }

    let n_lists = r.len(32)?;
    let mut gazetteer = Gazetteer::default();
    for _ in 0..n_lists {
        gazetteer.lists.push(r.str()?);
    }
    gazetteer.max_len = r.len(1000)?;
    let n_phrases = r.len(50_000_000)?;
    gazetteer.phrases.reserve(n_phrases);
    for _ in 0..n_phrases {
        let p = r.u64()?;
        let mask = r.u32()?;
        gazetteer.phrases.insert(p, mask);
    }

    let tagset = TagSet::new(enc, n_types);
    let n_tags = tagset.n_tags;
    let n_stages = r.u8()?;
    if !(1..=2).contains(&n_stages) {
        return Err(format!("bad stage count {n_stages}"));
    }
    let stage1 = read_stage(r, n_tags)?;
    let stage2 = if n_stages == 2 {
        Some(read_stage(r, n_tags)?)
    } else {
        None
    };
    if r.pos != r.b.len() {
        return Err(format!("{} trailing bytes", r.b.len() - r.pos));
    }
    Ok(ModelData {
        scheme,
        types,
        tagset,
        res: Resources {
            clusters: Clusters::new(word_pairs, coarse, coarse_k),
            gazetteer,
        },
        stage1,
        stage2,
        calib,
        meta,
    })
}

/// Write a model file atomically (temp file + rename).
pub fn save(m: &ModelData, path: &Path) -> Result<(), NerError> {
    let bytes = to_bytes(m);
    let io = |e| NerError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
    }
    crate::output::atomic_file::write_atomically(path, &bytes).map_err(io)
}
