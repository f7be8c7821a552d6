//! Clean-stage evaluation: 4-gram shingle precision / recall / F1 exactly as the Zyte
//! article-extraction-benchmark `evaluate.py` computes them, applied to the AEB plain-text set
//! (`../shared/data/boilerplate/aeb_plaintext_with_boilerplate.jsonl`: page text with
//! boilerplate → cleaner → compared with `gold_article_body`).
//!
//! Definitions copied from `evaluate.py`:
//! - tokens are Python `re` `\w+` runs (Unicode letters, digits and `_`; combining marks split
//!   words) — reproduced with [`is_py_word_char`];
//! - shingles are token 4-grams with multiplicity; a text with fewer than 4 tokens has one
//!   shingle made of all its tokens; tp/fp/fn are multiset intersections/differences,
//!   normalised by their sum so every document weighs the same;
//! - precision is the mean over documents with tp+fp > 0, recall the mean over documents with
//!   tp+fn > 0, and F1 is the harmonic mean of those two means (not a mean of per-doc F1s).
//!
//! [`evaluate`] takes any closure from a document to predicted text; [`evaluate_cleaner`] runs
//! the clean stage (optionally after a corpus pre-pass keyed by the URL host), which is what
//! `newsmill eval clean` reports. Tuning was done on the even positions only (`dev`); report
//! `test` (odd positions) as the held-out figure.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// Errors while loading the evaluation set or writing predictions.
#[derive(Debug, thiserror::Error)]
pub enum CleanEvalError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File involved.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// A JSONL line is not a valid record.
    #[error("{path}:{line}: invalid record: {source}")]
    Json {
        /// File involved.
        path: String,
        /// 1-based line number.
        line: usize,
        /// Parser error.
        source: serde_json::Error,
    },
}

/// One AEB plain-text item.
#[derive(Debug, Clone, Deserialize)]
pub struct AebDoc {
    /// Benchmark id (hash).
    pub id: String,
    /// Page URL (its host is a natural `source_key`).
    pub url: String,
    /// Full page text, one block per line, boilerplate included.
    pub page_text: String,
    /// Gold article body.
    #[serde(rename = "gold_article_body")]
    pub gold: String,
}

/// Loads the JSONL set, naming the line of any malformed record.
pub fn load_aeb(path: &Path) -> Result<Vec<AebDoc>, CleanEvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| CleanEvalError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let d: AebDoc = serde_json::from_str(line).map_err(|source| CleanEvalError::Json {
            path: path.display().to_string(),
            line: i + 1,
            source,
        })?;
        out.push(d);
    }
    Ok(out)
}

/// Host part of a URL (`https://www.bbc.com/news/x` → `www.bbc.com`), used as `source_key`.
pub fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest.get(..end).unwrap_or(rest)
}

/// Code points that Rust's `char::is_alphanumeric` accepts but Python 3.11's `re` `\w` does
/// not (combining marks in the Alphabetic property, circled letters). Generated from
/// Python 3.11 / Unicode 14 `unicodedata`; characters assigned after Unicode 14 are not
/// listed (Python treats them as non-word, we as word), which only matters for scripts added
/// since 2021.
const NOT_PY_WORD: &[(u32, u32)] = &[
    (0x345, 0x345),
    (0x363, 0x36F),
    (0x5B0, 0x5BD),
    (0x5BF, 0x5BF),
    (0x5C1, 0x5C2),
    (0x5C4, 0x5C5),
    (0x5C7, 0x5C7),
    (0x610, 0x61A),
    (0x64B, 0x657),
    (0x659, 0x65F),
    (0x670, 0x670),
    (0x6D6, 0x6DC),
    (0x6E1, 0x6E4),
    (0x6E7, 0x6E8),
    (0x6ED, 0x6ED),
    (0x711, 0x711),
    (0x730, 0x73F),
    (0x7A6, 0x7B0),
    (0x816, 0x817),
    (0x81B, 0x823),
    (0x825, 0x827),
    (0x829, 0x82C),
    (0x8D4, 0x8DF),
    (0x8E3, 0x8E9),
    (0x8F0, 0x903),
    (0x93A, 0x93B),
    (0x93E, 0x94C),
    (0x94E, 0x94F),
    (0x955, 0x957),
    (0x962, 0x963),
    (0x981, 0x983),
    (0x9BE, 0x9C4),
    (0x9C7, 0x9C8),
    (0x9CB, 0x9CC),
    (0x9D7, 0x9D7),
    (0x9E2, 0x9E3),
    (0xA01, 0xA03),
    (0xA3E, 0xA42),
    (0xA47, 0xA48),
    (0xA4B, 0xA4C),
    (0xA51, 0xA51),
    (0xA70, 0xA71),
    (0xA75, 0xA75),
    (0xA81, 0xA83),
    (0xABE, 0xAC5),
    (0xAC7, 0xAC9),
    (0xACB, 0xACC),
    (0xAE2, 0xAE3),
    (0xAFA, 0xAFC),
    (0xB01, 0xB03),
    (0xB3E, 0xB44),
    (0xB47, 0xB48),
    (0xB4B, 0xB4C),
    (0xB56, 0xB57),
    (0xB62, 0xB63),
    (0xB82, 0xB82),
    (0xBBE, 0xBC2),
    (0xBC6, 0xBC8),
    (0xBCA, 0xBCC),
    (0xBD7, 0xBD7),
    (0xC00, 0xC04),
    (0xC3E, 0xC44),
    (0xC46, 0xC48),
    (0xC4A, 0xC4C),
    (0xC55, 0xC56),
    (0xC62, 0xC63),
    (0xC81, 0xC83),
    (0xCBE, 0xCC4),
    (0xCC6, 0xCC8),
    (0xCCA, 0xCCC),
    (0xCD5, 0xCD6),
    (0xCE2, 0xCE3),
    (0xD00, 0xD03),
    (0xD3E, 0xD44),
    (0xD46, 0xD48),
    (0xD4A, 0xD4C),
    (0xD57, 0xD57),
    (0xD62, 0xD63),
    (0xD81, 0xD83),
    (0xDCF, 0xDD4),
    (0xDD6, 0xDD6),
    (0xDD8, 0xDDF),
    (0xDF2, 0xDF3),
    (0xE31, 0xE31),
    (0xE34, 0xE3A),
    (0xE4D, 0xE4D),
    (0xEB1, 0xEB1),
    (0xEB4, 0xEB9),
    (0xEBB, 0xEBC),
    (0xECD, 0xECD),
    (0xF71, 0xF83),
    (0xF8D, 0xF97),
    (0xF99, 0xFBC),
    (0x102B, 0x1036),
    (0x1038, 0x1038),
    (0x103B, 0x103E),
    (0x1056, 0x1059),
    (0x105E, 0x1060),
    (0x1062, 0x1064),
    (0x1067, 0x106D),
    (0x1071, 0x1074),
    (0x1082, 0x108D),
    (0x108F, 0x108F),
    (0x109A, 0x109D),
    (0x1712, 0x1713),
    (0x1732, 0x1733),
    (0x1752, 0x1753),
    (0x1772, 0x1773),
    (0x17B6, 0x17C8),
    (0x1885, 0x1886),
    (0x18A9, 0x18A9),
    (0x1920, 0x192B),
    (0x1930, 0x1938),
    (0x1A17, 0x1A1B),
    (0x1A55, 0x1A5E),
    (0x1A61, 0x1A74),
    (0x1ABF, 0x1AC0),
    (0x1ACC, 0x1ACE),
    (0x1B00, 0x1B04),
    (0x1B35, 0x1B43),
    (0x1B80, 0x1B82),
    (0x1BA1, 0x1BA9),
    (0x1BAC, 0x1BAD),
    (0x1BE7, 0x1BF1),
    (0x1C24, 0x1C36),
    (0x1DD3, 0x1DF4),
    (0x24B6, 0x24E9),
    (0x2DE0, 0x2DFF),
    (0xA674, 0xA67B),
    (0xA69E, 0xA69F),
    (0xA802, 0xA802),
    (0xA80B, 0xA80B),
    (0xA823, 0xA827),
    (0xA880, 0xA881),
    (0xA8B4, 0xA8C3),
    (0xA8C5, 0xA8C5),
    (0xA8FF, 0xA8FF),
    (0xA926, 0xA92A),
    (0xA947, 0xA952),
    (0xA980, 0xA983),
    (0xA9B4, 0xA9BF),
    (0xA9E5, 0xA9E5),
    (0xAA29, 0xAA36),
    (0xAA43, 0xAA43),
    (0xAA4C, 0xAA4D),
    (0xAA7B, 0xAA7D),
    (0xAAB0, 0xAAB0),
    (0xAAB2, 0xAAB4),
    (0xAAB7, 0xAAB8),
    (0xAABE, 0xAABE),
    (0xAAEB, 0xAAEF),
    (0xAAF5, 0xAAF5),
    (0xABE3, 0xABEA),
    (0xFB1E, 0xFB1E),
    (0x10376, 0x1037A),
    (0x10A01, 0x10A03),
    (0x10A05, 0x10A06),
    (0x10A0C, 0x10A0F),
    (0x10D24, 0x10D27),
    (0x10EAB, 0x10EAC),
    (0x11000, 0x11002),
    (0x11038, 0x11045),
    (0x11073, 0x11074),
    (0x11080, 0x11082),
    (0x110B0, 0x110B8),
    (0x110C2, 0x110C2),
    (0x11100, 0x11102),
    (0x11127, 0x11132),
    (0x11145, 0x11146),
    (0x11180, 0x11182),
    (0x111B3, 0x111BF),
    (0x111CE, 0x111CF),
    (0x1122C, 0x11234),
    (0x11237, 0x11237),
    (0x1123E, 0x1123E),
    (0x112DF, 0x112E8),
    (0x11300, 0x11303),
    (0x1133E, 0x11344),
    (0x11347, 0x11348),
    (0x1134B, 0x1134C),
    (0x11357, 0x11357),
    (0x11362, 0x11363),
    (0x11435, 0x11441),
    (0x11443, 0x11445),
    (0x114B0, 0x114C1),
    (0x115AF, 0x115B5),
    (0x115B8, 0x115BE),
    (0x115DC, 0x115DD),
    (0x11630, 0x1163E),
    (0x11640, 0x11640),
    (0x116AB, 0x116B5),
    (0x1171D, 0x1172A),
    (0x1182C, 0x11838),
    (0x11930, 0x11935),
    (0x11937, 0x11938),
    (0x1193B, 0x1193C),
    (0x11940, 0x11940),
    (0x11942, 0x11942),
    (0x119D1, 0x119D7),
    (0x119DA, 0x119DF),
    (0x119E4, 0x119E4),
    (0x11A01, 0x11A0A),
    (0x11A35, 0x11A39),
    (0x11A3B, 0x11A3E),
    (0x11A51, 0x11A5B),
    (0x11A8A, 0x11A97),
    (0x11C2F, 0x11C36),
    (0x11C38, 0x11C3E),
    (0x11C92, 0x11CA7),
    (0x11CA9, 0x11CB6),
    (0x11D31, 0x11D36),
    (0x11D3A, 0x11D3A),
    (0x11D3C, 0x11D3D),
    (0x11D3F, 0x11D41),
    (0x11D43, 0x11D43),
    (0x11D47, 0x11D47),
    (0x11D8A, 0x11D8E),
    (0x11D90, 0x11D91),
    (0x11D93, 0x11D96),
    (0x11EF3, 0x11EF6),
    (0x16F4F, 0x16F4F),
    (0x16F51, 0x16F87),
    (0x16F8F, 0x16F92),
    (0x16FF0, 0x16FF1),
    (0x1BC9E, 0x1BC9E),
    (0x1E000, 0x1E006),
    (0x1E008, 0x1E018),
    (0x1E01B, 0x1E021),
    (0x1E023, 0x1E024),
    (0x1E026, 0x1E02A),
    (0x1E947, 0x1E947),
    (0x1F130, 0x1F149),
    (0x1F150, 0x1F169),
    (0x1F170, 0x1F189),
];

/// True if Python's `re` would match `c` with `\w` (str pattern, UNICODE flag).
pub fn is_py_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    if !c.is_alphanumeric() {
        return false;
    }
    let cp = c as u32;
    NOT_PY_WORD
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_err()
}

/// `re.findall(r'\w+', text)`.
pub fn tokenize(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_py_word_char(c) {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            if let Some(t) = text.get(s..i) {
                out.push(t);
            }
        }
    }
    if let Some(s) = start {
        if let Some(t) = text.get(s..) {
            out.push(t);
        }
    }
    out
}

fn shingles<'a>(tokens: &[&'a str], n: usize) -> HashMap<Vec<&'a str>, u32> {
    let mut m: HashMap<Vec<&'a str>, u32> = HashMap::new();
    let count = tokens.len().saturating_sub(n - 1).max(1);
    for i in 0..count {
        let end = (i + n).min(tokens.len());
        let Some(s) = tokens.get(i..end) else {
            continue;
        };
        if !s.is_empty() {
            *m.entry(s.to_vec()).or_insert(0) += 1;
        }
    }
    m
}

/// Normalised (tp, fp, fn) of one document, as `string_shingle_matching(true, pred)`.
pub fn shingle_tp_fp_fn(truth: &str, pred: &str) -> (f64, f64, f64) {
    let t_tokens = tokenize(truth);
    let p_tokens = tokenize(pred);
    let t = shingles(&t_tokens, 4);
    let p = shingles(&p_tokens, 4);
    let (mut tp, mut fp, mut fnn) = (0.0f64, 0.0f64, 0.0f64);
    for (k, &tc) in &t {
        let pc = p.get(k).copied().unwrap_or(0);
        tp += f64::from(tc.min(pc));
        fnn += f64::from(tc.saturating_sub(pc));
    }
    for (k, &pc) in &p {
        let tc = t.get(k).copied().unwrap_or(0);
        fp += f64::from(pc.saturating_sub(tc));
    }
    let s = tp + fp + fnn;
    if s > 0.0 {
        (tp / s, fp / s, fnn / s)
    } else {
        (tp, fp, fnn)
    }
}

/// Mean precision, mean recall, and F1 of the two means (as `metrics_from_tp_fp_fns`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Prf {
    /// Mean per-document precision over documents with tp+fp > 0.
    pub precision: f64,
    /// Mean per-document recall over documents with tp+fn > 0.
    pub recall: f64,
    /// 2PR/(P+R) of the means.
    pub f1: f64,
    /// Number of documents scored.
    pub docs: usize,
}

fn precision_score(tp: f64, fp: f64, fnn: f64) -> f64 {
    if fp == 0.0 && fnn == 0.0 {
        1.0
    } else if tp == 0.0 && fp == 0.0 {
        0.0
    } else {
        tp / (tp + fp)
    }
}

fn recall_score(tp: f64, fp: f64, fnn: f64) -> f64 {
    if fp == 0.0 && fnn == 0.0 {
        1.0
    } else if tp == 0.0 && fnn == 0.0 {
        0.0
    } else {
        tp / (tp + fnn)
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Aggregates per-document (tp, fp, fn) triples.
pub fn metrics(rows: &[(f64, f64, f64)]) -> Prf {
    let p: Vec<f64> = rows
        .iter()
        .filter(|(tp, fp, _)| tp + fp > 0.0)
        .map(|&(tp, fp, fnn)| precision_score(tp, fp, fnn))
        .collect();
    let r: Vec<f64> = rows
        .iter()
        .filter(|(tp, _, fnn)| tp + fnn > 0.0)
        .map(|&(tp, fp, fnn)| recall_score(tp, fp, fnn))
        .collect();
    let (precision, recall) = (mean(&p), mean(&r));
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Prf {
        precision,
        recall,
        f1,
        docs: rows.len(),
    }
}

/// Scores on the whole set and on the deterministic dev (even position in the file) / test
/// (odd position) halves, for the cleaner and for the no-cleaning baseline (page text as is).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CleanEvalReport {
    /// Cleaner, all documents.
    pub all: Prf,
    /// Cleaner, even positions (used for tuning).
    pub dev: Prf,
    /// Cleaner, odd positions (held out).
    pub test: Prf,
    /// Page text unchanged, all documents.
    pub baseline: Prf,
    /// Page text unchanged, dev half.
    pub baseline_dev: Prf,
    /// Page text unchanged, test half.
    pub baseline_test: Prf,
}

/// Runs `predict` on every document and scores it against the gold body.
pub fn evaluate<F: Fn(&AebDoc) -> String>(
    docs: &[AebDoc],
    predict: F,
) -> (CleanEvalReport, Vec<String>) {
    let preds: Vec<String> = docs.iter().map(&predict).collect();
    let rows: Vec<(f64, f64, f64)> = docs
        .iter()
        .zip(&preds)
        .map(|(d, p)| shingle_tp_fp_fn(&d.gold, p))
        .collect();
    let base: Vec<(f64, f64, f64)> = docs
        .iter()
        .map(|d| shingle_tp_fp_fn(&d.gold, &d.page_text))
        .collect();
    let half = |v: &[(f64, f64, f64)], parity: usize| -> Vec<(f64, f64, f64)> {
        v.iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == parity)
            .map(|(_, r)| *r)
            .collect()
    };
    let report = CleanEvalReport {
        all: metrics(&rows),
        dev: metrics(&half(&rows, 0)),
        test: metrics(&half(&rows, 1)),
        baseline: metrics(&base),
        baseline_dev: metrics(&half(&base, 0)),
        baseline_test: metrics(&half(&base, 1)),
    };
    (report, preds)
}

/// Default location of the AEB plain-text set relative to the repository root.
pub const AEB_PLAINTEXT: &str = "../shared/data/boilerplate/aeb_plaintext_with_boilerplate.jsonl";

/// Cleans every page text with `cfg` and scores it. With `corpus_pass`, line statistics are
/// first gathered over the whole set with the URL host as `source_key` (each host has at most
/// two pages here, so `cfg.min_repeat_docs` must be 2 for that evidence to fire).
pub fn evaluate_cleaner(
    docs: &[AebDoc],
    cfg: &crate::clean::CleanConfig,
    corpus_pass: bool,
) -> Result<(CleanEvalReport, Vec<String>), crate::clean::CleanError> {
    use crate::clean::{CleanInput, Cleaner, CorpusLineStats};
    let mut cleaner = Cleaner::new(cfg)?;
    if corpus_pass {
        let mut stats = CorpusLineStats::default();
        for d in docs {
            stats.observe(url_host(&d.url), &d.page_text);
        }
        cleaner = cleaner.with_corpus_stats(stats);
    }
    Ok(evaluate(docs, |d| {
        cleaner
            .clean(&CleanInput {
                text: &d.page_text,
                title: None,
                source_key: Some(url_host(&d.url)),
            })
            .text
    }))
}

/// Writes predictions as `{id: {"articleBody": text}}` (keys sorted), the format `evaluate.py`
/// reads from `output/NAME.json`, for cross-checking the scores with the reference script.
pub fn write_predictions(
    path: &Path,
    docs: &[AebDoc],
    preds: &[String],
) -> Result<(), CleanEvalError> {
    let mut map = serde_json::Map::new();
    let mut pairs: Vec<(&AebDoc, &String)> = docs.iter().zip(preds).collect();
    pairs.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    for (d, p) in pairs {
        let mut o = serde_json::Map::new();
        o.insert(
            "articleBody".to_string(),
            serde_json::Value::String(p.clone()),
        );
        map.insert(d.id.clone(), serde_json::Value::Object(o));
    }
    let text = serde_json::to_string(&serde_json::Value::Object(map)).unwrap_or_default();
    std::fs::write(path, text).map_err(|source| CleanEvalError::Io {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_word_semantics() {
        assert_eq!(
            tokenize("Don't stop-me now_1 ½ x²"),
            vec!["Don", "t", "stop", "me", "now_1", "½", "x²"]
        );
        // Devanagari vowel sign (Mc) splits words in Python's re.
        assert_eq!(tokenize("नमस्ते"), vec!["नमस", "त"]);
        assert_eq!(tokenize("東京 2020"), vec!["東京", "2020"]);
        assert!(tokenize("  ,;  ").is_empty());
    }

    #[test]
    fn shingle_scores_match_hand_computation() {
        // Identical texts.
        assert_eq!(shingle_tp_fp_fn("a b c d e", "a b c d e"), (1.0, 0.0, 0.0));
        // truth shingles: abcd, bcde; pred: abcd, bcdx → tp 1, fp 1, fn 1.
        let (tp, fp, fnn) = shingle_tp_fp_fn("a b c d e", "a b c d x");
        assert!(
            (tp - 1.0 / 3.0).abs() < 1e-12
                && (fp - 1.0 / 3.0).abs() < 1e-12
                && (fnn - 1.0 / 3.0).abs() < 1e-12
        );
        // Short texts form one shingle of all tokens; empty prediction has none.
        assert_eq!(shingle_tp_fp_fn("a b", "a b"), (1.0, 0.0, 0.0));
        assert_eq!(shingle_tp_fp_fn("a b c d", ""), (0.0, 0.0, 1.0));
        assert_eq!(shingle_tp_fp_fn("", ""), (0.0, 0.0, 0.0));
    }

    /// Regression guard on the real set (skipped when `../shared` is not checked out).
    #[test]
    fn aeb_plaintext_scores() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(AEB_PLAINTEXT);
        let Ok(docs) = load_aeb(&path) else {
            eprintln!("{} not found; skipping", path.display());
            return;
        };
        let cfg = crate::clean::CleanConfig::default();
        let (r, preds) = evaluate_cleaner(&docs, &cfg, false).unwrap();
        assert_eq!(preds.len(), docs.len());
        assert!(
            (r.baseline.f1 - 0.6649).abs() < 5e-4,
            "baseline {:?}",
            r.baseline
        );
        assert!(r.all.f1 >= 0.93, "{:?}", r.all);
        assert!(r.test.f1 >= 0.91, "{:?}", r.test);
        assert!(r.all.recall >= 0.94, "{:?}", r.all);
    }

    #[test]
    fn aggregate_means_then_f1() {
        let m = metrics(&[(1.0, 0.0, 0.0), (0.5, 0.5, 0.0), (0.0, 0.0, 1.0)]);
        // precision over docs with tp+fp>0: (1 + 0.5)/2; recall over docs with tp+fn>0: (1+1+0)/3.
        assert!((m.precision - 0.75).abs() < 1e-12);
        assert!((m.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.f1 - 2.0 * 0.75 * (2.0 / 3.0) / (0.75 + 2.0 / 3.0)).abs() < 1e-12);
        assert_eq!(url_host("https://www.bbc.com/news/x?y"), "www.bbc.com");
        assert_eq!(url_host("nohost"), "nohost");
    }
}
