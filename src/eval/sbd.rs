//! Sentence-boundary evaluation against gold data (`newsmill eval sbd`).
//!
//! Two gold formats (see `../shared/data/sbd/README.md`):
//! - golden rules: JSONL `{id, title, text, expected: [sentence, ...]}`; a case passes when
//!   the predicted sentences equal the expected ones after collapsing whitespace runs;
//! - documents: JSONL `{doc_id, text, sent_spans: [[start, end], ...]}` with *character*
//!   offsets into `text`; paragraphs are separated by `"\n"`.
//!
//! **Boundary F1.** The whole document is split at once; paragraph ends are free boundaries,
//! as in the README. A boundary is the end offset of a sentence, after trimming whitespace,
//! that is *not* the end of its paragraph. Precision = matched predicted boundaries / all
//! predicted boundaries, recall = matched gold boundaries / all gold boundaries, where two
//! boundaries match when their end offsets are equal. Free paragraph ends are excluded from
//! both sides, so a splitter that never splits inside a paragraph scores recall 0.

use serde::Deserialize;
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::text::sentences::SentenceSplitter;

/// How many error examples a report keeps (printed with `--errors N`).
const MAX_EXAMPLES: usize = 5000;

/// Errors while reading gold data.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The gold file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// File that failed.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// A line is not valid JSON of the expected shape.
    #[error("{path}:{line}: not a valid gold record: {source}")]
    Json {
        /// Gold file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Parser error.
        source: serde_json::Error,
    },
    /// A record is well-formed JSON but inconsistent (e.g. span outside the text).
    #[error("{path}:{line}: {message}")]
    Format {
        /// Gold file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Golden-rule results: exact-match cases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoldenSummary {
    /// Cases whose predicted sentences equal the expected ones.
    pub passed: usize,
    /// All cases.
    pub total: usize,
    /// Ids of failing cases, in file order.
    pub failed_ids: Vec<String>,
}

/// Result of evaluating the splitter on one gold file.
#[derive(Debug, Clone, Default)]
pub struct SbdReport {
    /// Dataset name (file stem).
    pub dataset: String,
    /// Documents (or golden-rule cases).
    pub docs: usize,
    /// Gold sentences.
    pub gold_sents: usize,
    /// Predicted sentences.
    pub pred_sents: usize,
    /// Gold boundaries that are not paragraph ends.
    pub gold_boundaries: usize,
    /// Predicted boundaries that are not paragraph ends.
    pub pred_boundaries: usize,
    /// Boundaries present in both.
    pub matched: usize,
    /// Golden-rule exact-match summary (only for golden-rule files).
    pub golden: Option<GoldenSummary>,
    /// Up to 5000 error examples: `MISS`/`FALSE` + document id + context around the offset,
    /// with `‖` marking the boundary position.
    pub examples: Vec<String>,
}

impl SbdReport {
    /// Boundary precision (1.0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        ratio(self.matched, self.pred_boundaries)
    }

    /// Boundary recall (1.0 when there is nothing to find).
    pub fn recall(&self) -> f64 {
        ratio(self.matched, self.gold_boundaries)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// The table header matching [`SbdReport::row`].
    pub fn header() -> String {
        format!(
            "{:<28} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6}  {}",
            "dataset", "docs", "gold", "pred", "P", "R", "F1", "golden rules"
        )
    }

    /// One table row (no header).
    pub fn row(&self) -> String {
        let golden = match &self.golden {
            Some(g) if g.failed_ids.is_empty() => format!("{}/{}", g.passed, g.total),
            Some(g) => format!(
                "{}/{} (failed: {})",
                g.passed,
                g.total,
                g.failed_ids.join(", ")
            ),
            None => String::new(),
        };
        format!(
            "{:<28} {:>5} {:>6} {:>6} {:>6.4} {:>6.4} {:>6.4}  {}",
            self.dataset,
            self.docs,
            self.gold_sents,
            self.pred_sents,
            self.precision(),
            self.recall(),
            self.f1(),
            golden
        )
    }

    fn example(&mut self, kind: &str, doc: &str, text: &str, at: usize) {
        if self.examples.len() >= MAX_EXAMPLES {
            return;
        }
        let lo = floor_boundary(text, at.saturating_sub(60));
        let hi = floor_boundary(text, (at + 60).min(text.len()));
        let at = floor_boundary(text, at);
        let before = text.get(lo..at).unwrap_or("");
        let after = text.get(at..hi).unwrap_or("");
        self.examples.push(format!(
            "{kind} {doc}: {}‖{}",
            before.replace('\n', "⏎"),
            after.replace('\n', "⏎")
        ));
    }
}

impl fmt::Display for SbdReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", Self::header())?;
        write!(f, "{}", self.row())
    }
}

/// Formats several reports as one table with a single header.
pub fn format_table(reports: &[SbdReport]) -> String {
    let mut s = SbdReport::header();
    for r in reports {
        s.push('\n');
        s.push_str(&r.row());
    }
    s
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One golden-rule case. `id` may be a number or a string.
#[derive(Deserialize)]
struct GoldenCase {
    id: serde_json::Value,
    text: String,
    expected: Vec<String>,
}

/// One gold document.
#[derive(Deserialize)]
struct GoldDoc {
    #[serde(default)]
    doc_id: String,
    text: String,
    sent_spans: Vec<[usize; 2]>,
}

fn dataset_name(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

fn read_lines(path: &Path) -> Result<String, EvalError> {
    std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Paragraph byte ranges of `text` (split on `\n`), trimmed; empty paragraphs skipped.
fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        let lead = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            out.push(start + lead..start + lead + trimmed.len());
        }
        start += line.len() + 1;
    }
    out
}

/// Predicted sentences of `text`. The whole document is split in one call, as the pipeline
/// splits a whole article, so cues that the splitter takes from the whole text (informal
/// writing) see the document. With the default `single_newline_is_boundary` every
/// paragraph end is a hard break, so no sentence crosses a paragraph.
fn predict(text: &str, splitter: &SentenceSplitter) -> Vec<Range<usize>> {
    splitter.split(text)
}

/// Internal (non-paragraph-end) sentence ends.
fn internal_ends(
    text: &str,
    sents: &[Range<usize>],
    para_ends: &BTreeSet<usize>,
) -> BTreeSet<usize> {
    sents
        .iter()
        .filter_map(|r| {
            let s = text.get(r.clone())?;
            let end = r.start + s.trim_end().len();
            (!para_ends.contains(&end)).then_some(end)
        })
        .collect()
}

/// Adds one document's counts and examples to `report`.
fn score_doc(
    report: &mut SbdReport,
    doc_id: &str,
    text: &str,
    gold: &[Range<usize>],
    pred: &[Range<usize>],
) {
    let para_ends: BTreeSet<usize> = paragraphs(text).into_iter().map(|p| p.end).collect();
    let g = internal_ends(text, gold, &para_ends);
    let p = internal_ends(text, pred, &para_ends);
    report.docs += 1;
    report.gold_sents += gold.len();
    report.pred_sents += pred.len();
    report.gold_boundaries += g.len();
    report.pred_boundaries += p.len();
    report.matched += g.intersection(&p).count();
    for &miss in g.difference(&p) {
        report.example("MISS ", doc_id, text, miss);
    }
    for &extra in p.difference(&g) {
        report.example("FALSE", doc_id, text, extra);
    }
}

/// Collapses whitespace runs to one space and trims, so that `"a \nb"` equals `"a b"`.
fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Byte ranges of `sentences` in `text`, matched in order character by character while
/// skipping whitespace on both sides. `None` if the non-whitespace characters differ.
fn locate(text: &str, sentences: &[String]) -> Option<Vec<Range<usize>>> {
    let mut chars = text
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .peekable();
    let mut out = Vec::with_capacity(sentences.len());
    for sent in sentences {
        let mut start = None;
        let mut end = None;
        for want in sent.chars().filter(|c| !c.is_whitespace()) {
            let (pos, got) = chars.next()?;
            if got != want {
                return None;
            }
            start.get_or_insert(pos);
            end = Some(pos + got.len_utf8());
        }
        if let (Some(s), Some(e)) = (start, end) {
            out.push(s..e);
        }
    }
    Some(out)
}

/// Evaluates the splitter on a golden-rules JSONL file (`{id, text, expected}` per line).
/// A case passes when the predicted sentences equal the expected ones after collapsing
/// whitespace runs to one space (the pragmatic_segmenter cases join lines that way).
pub fn eval_golden_rules(path: &Path, splitter: &SentenceSplitter) -> Result<SbdReport, EvalError> {
    let src = read_lines(path)?;
    let mut report = SbdReport {
        dataset: dataset_name(path),
        ..SbdReport::default()
    };
    let mut golden = GoldenSummary::default();
    for (idx, line) in src.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: GoldenCase = serde_json::from_str(line).map_err(|source| EvalError::Json {
            path: path.to_path_buf(),
            line: idx + 1,
            source,
        })?;
        let id = match &case.id {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let pred = splitter.split(&case.text);
        let got: Vec<String> = pred
            .iter()
            .filter_map(|r| case.text.get(r.clone()))
            .map(collapse_ws)
            .collect();
        let want: Vec<String> = case.expected.iter().map(|s| collapse_ws(s)).collect();
        golden.total += 1;
        if got == want {
            golden.passed += 1;
        } else {
            golden.failed_ids.push(id.clone());
        }
        // Locate the expected sentences in the text (ignoring whitespace differences) to
        // score boundaries too.
        let gold = locate(&case.text, &want).ok_or_else(|| EvalError::Format {
            path: path.to_path_buf(),
            line: idx + 1,
            message: "expected sentences do not match the text in order (ignoring whitespace)"
                .into(),
        })?;
        score_doc(&mut report, &id, &case.text, &gold, &pred);
    }
    report.golden = Some(golden);
    Ok(report)
}

/// Evaluates the splitter on a documents JSONL file (`{doc_id, text, sent_spans}` with char
/// offsets), paragraph by paragraph; see the module docs for the boundary F1 definition.
pub fn eval_docs_jsonl(path: &Path, splitter: &SentenceSplitter) -> Result<SbdReport, EvalError> {
    let src = read_lines(path)?;
    let mut report = SbdReport {
        dataset: dataset_name(path),
        ..SbdReport::default()
    };
    for (idx, line) in src.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let doc: GoldDoc = serde_json::from_str(line).map_err(|source| EvalError::Json {
            path: path.to_path_buf(),
            line: idx + 1,
            source,
        })?;
        // Char offsets -> byte offsets (one entry per char plus the end).
        let byte_at: Vec<usize> = doc
            .text
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(doc.text.len()))
            .collect();
        let mut gold = Vec::with_capacity(doc.sent_spans.len());
        for &[s, e] in &doc.sent_spans {
            match (byte_at.get(s), byte_at.get(e)) {
                (Some(&bs), Some(&be)) if bs <= be => gold.push(bs..be),
                _ => {
                    return Err(EvalError::Format {
                        path: path.to_path_buf(),
                        line: idx + 1,
                        message: format!(
                            "sentence span [{s}, {e}] outside the text of {} ({} chars)",
                            doc.doc_id,
                            byte_at.len() - 1
                        ),
                    })
                }
            }
        }
        let pred = predict(&doc.text, splitter);
        score_doc(&mut report, &doc.doc_id, &doc.text, &gold, &pred);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::sentences::SplitConfig;

    fn splitter() -> SentenceSplitter {
        SentenceSplitter::new(&SplitConfig::default()).expect("valid")
    }

    fn write_tmp(name: &str, content: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("newsmill-sbd-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let p = dir.join(name);
        std::fs::write(&p, content).expect("write temp file");
        p
    }

    #[test]
    fn golden_rules_scoring() {
        let p = write_tmp(
            "golden.jsonl",
            concat!(
                r#"{"id": 1, "text": "It rained. We left.", "expected": ["It rained.", "We left."]}"#,
                "\n",
                r#"{"id": "b", "text": "Gen. Lee won.", "expected": ["Gen.", "Lee won."]}"#,
                "\n"
            ),
        );
        let r = eval_golden_rules(&p, &splitter()).expect("valid file");
        let g = r.golden.clone().expect("golden summary");
        assert_eq!((g.passed, g.total), (1, 2));
        assert_eq!(g.failed_ids, ["b"]);
        assert_eq!((r.gold_boundaries, r.pred_boundaries, r.matched), (2, 1, 1));
        assert!(r.to_string().contains("1/2 (failed: b)"));
    }

    #[test]
    fn docs_scoring_uses_char_offsets_and_free_paragraph_ends() {
        // "Héllo wörld." is 12 chars but 14 bytes.
        let text = "Héllo wörld. Bye now.\nNext para here";
        let p = write_tmp(
            "docs.jsonl",
            &format!(
                "{}\n",
                serde_json::json!({"doc_id": "d1", "text": text,
                    "sent_spans": [[0, 12], [13, 21], [22, 36]]})
            ),
        );
        let r = eval_docs_jsonl(&p, &splitter()).expect("valid");
        assert_eq!((r.docs, r.gold_sents, r.pred_sents), (1, 3, 3));
        // Only the boundary after "wörld." is internal; both paragraph ends are free.
        assert_eq!((r.gold_boundaries, r.pred_boundaries, r.matched), (1, 1, 1));
        assert!((r.f1() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bad_records_name_file_and_line() {
        let p = write_tmp(
            "bad.jsonl",
            "\n{\"doc_id\": \"x\", \"text\": \"ab\", \"sent_spans\": [[0, 9]]}\n",
        );
        let err = eval_docs_jsonl(&p, &splitter()).unwrap_err();
        assert!(err.to_string().contains("bad.jsonl:2:"), "{err}");
        let p = write_tmp("bad2.jsonl", "{not json}\n");
        let err = eval_golden_rules(&p, &splitter()).unwrap_err();
        assert!(err.to_string().contains("bad2.jsonl:1:"), "{err}");
    }
}
