//! Exact-span precision / recall / F1 (conlleval / seqeval definition) and speed.
//!
//! A predicted entity counts as correct only if its start, end and type all
//! equal a gold entity's. Gold tags are read with conlleval chunk semantics
//! (see `conll::spans_of`), so IOB1 files score the same as their IOB2 version.

use super::eval_errors::{self, ErrorKind};
use super::train::title_case;
use crate::eval::ratio;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// How `evaluate` transforms the data before scoring (robustness and cross-scheme rows of
/// the model card). The default scores the file as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvalOptions {
    /// Re-case every token before tagging (the gold labels stay).
    pub case: CaseTransform,
    /// Gold label renames `(from, to)`, e.g. `("person", "PER")` to score WNUT-17 with a
    /// CoNLL model; gold types that are neither renamed nor predicted by the model still count.
    pub map: Vec<(String, String)>,
    /// Types dropped from both gold and predictions before scoring, e.g. `MISC` on data
    /// whose annotation has no such type.
    pub ignore: Vec<String>,
    /// Keep one TSV row per span error in `EvalReport::error_rows` (for `--errors FILE`).
    pub list_errors: bool,
}

impl EvalOptions {
    /// Gold label after renaming, or `None` when the type is ignored.
    pub fn gold_label(&self, label: &str) -> Option<String> {
        let l = self
            .map
            .iter()
            .find(|(from, _)| from == label)
            .map_or(label, |(_, to)| to.as_str());
        (!self.ignore.iter().any(|i| i == l)).then(|| l.to_string())
    }

    /// Whether predictions of this type are scored.
    pub fn keeps_prediction(&self, label: &str) -> bool {
        !self.ignore.iter().any(|i| i == label)
    }

    /// A short description for the report header (empty for the defaults).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.case != CaseTransform::AsIs {
            parts.push(format!("case={}", self.case.name()));
        }
        if !self.map.is_empty() {
            let m: Vec<String> = self.map.iter().map(|(a, b)| format!("{a}={b}")).collect();
            parts.push(format!("map={}", m.join(",")));
        }
        if !self.ignore.is_empty() {
            parts.push(format!("ignore={}", self.ignore.join(",")));
        }
        parts.join(" ")
    }
}

/// Token re-casing for headline-style robustness evaluation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseTransform {
    /// Tokens as written.
    #[default]
    AsIs,
    /// Every token in UPPER CASE.
    Upper,
    /// Every token lower-cased, then its first letter upper-cased ("Title Case").
    Title,
}

impl CaseTransform {
    /// Parse `as-is`, `upper` or `title`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "as-is" => Some(CaseTransform::AsIs),
            "upper" => Some(CaseTransform::Upper),
            "title" => Some(CaseTransform::Title),
            _ => None,
        }
    }

    /// The name `parse` accepts.
    pub fn name(self) -> &'static str {
        match self {
            CaseTransform::AsIs => "as-is",
            CaseTransform::Upper => "upper",
            CaseTransform::Title => "title",
        }
    }

    /// The token re-cased (borrowed as it is for `AsIs`).
    pub fn apply(self, t: &str) -> Cow<'_, str> {
        match self {
            CaseTransform::AsIs => Cow::Borrowed(t),
            CaseTransform::Upper => Cow::Owned(t.to_uppercase()),
            CaseTransform::Title => Cow::Owned(title_case(&t.to_lowercase())),
        }
    }
}

/// Counts for one entity type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeCounts {
    /// Predicted spans that exactly match a gold span.
    pub tp: usize,
    /// Predicted spans with no exact gold match.
    pub fp: usize,
    /// Gold spans with no exact predicted match.
    pub fn_: usize,
}

impl TypeCounts {
    /// Precision in [0,1] (0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// Recall in [0,1] (0 when there is no gold span).
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
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
}

/// Result of `evaluate`: per-type and overall exact-span scores plus tagging speed.
#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    /// Data file that was scored.
    pub data: String,
    /// Per entity type counts, sorted by type name.
    pub per_type: BTreeMap<String, TypeCounts>,
    /// Sum over all types (micro average).
    pub overall: TypeCounts,
    /// Number of sentences scored.
    pub sentences: usize,
    /// Number of tokens scored.
    pub tokens: usize,
    /// Wall seconds spent inside `tag_document` (excludes file reading and scoring).
    pub tag_seconds: f64,
    /// CPU seconds of the tagging thread inside `tag_document` (Linux
    /// `/proc/thread-self/schedstat`; None elsewhere). On a shared, loaded
    /// machine this is the honest single-core figure; wall time includes waiting.
    pub tag_cpu_seconds: Option<f64>,
    /// How many span errors of each kind (see `eval_errors`), over all sentences.
    pub error_counts: BTreeMap<ErrorKind, usize>,
    /// One `eval_errors::tsv_row` per error, when `EvalOptions::list_errors` is set.
    pub error_rows: Vec<String>,
    /// How well the predicted spans' scores match how often they are exactly right.
    pub calibration: ScoreCalibration,
}

/// Predicted spans binned by score (ten bins of width 0.1), with how many in each bin were
/// exactly correct: a reliability diagram, summarised by the expected calibration error.
#[derive(Debug, Clone, Default)]
pub struct ScoreCalibration {
    /// Per bin: spans, sum of their scores, exactly correct spans.
    pub bins: [(usize, f64, usize); 10],
}

impl ScoreCalibration {
    /// Count one predicted span with its score and whether it was exactly correct.
    pub fn add(&mut self, score: f32, correct: bool) {
        let i = ((score.clamp(0.0, 1.0) * 10.0) as usize).min(9);
        let b = &mut self.bins[i];
        b.0 += 1;
        b.1 += f64::from(score);
        b.2 += usize::from(correct);
    }

    /// Spans counted.
    pub fn spans(&self) -> usize {
        self.bins.iter().map(|b| b.0).sum()
    }

    /// Mean score of the counted spans (0 when none).
    pub fn mean_score(&self) -> f64 {
        let n = self.spans();
        if n == 0 {
            return 0.0;
        }
        self.bins.iter().map(|b| b.1).sum::<f64>() / n as f64
    }

    /// Expected calibration error: the span-weighted mean over bins of
    /// |mean score - fraction correct| (0 = perfectly calibrated).
    pub fn ece(&self) -> f64 {
        let n = self.spans();
        if n == 0 {
            return 0.0;
        }
        self.bins
            .iter()
            .filter(|b| b.0 > 0)
            .map(|&(_, sum, ok)| (sum - ok as f64).abs())
            .sum::<f64>()
            / n as f64
    }
}

/// Nanoseconds the calling thread has spent on a CPU, if the OS tells us (Linux).
pub fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

impl EvalReport {
    /// Tokens tagged per second of `tag_document` time (single thread).
    pub fn words_per_second(&self) -> f64 {
        if self.tag_seconds > 0.0 {
            self.tokens as f64 / self.tag_seconds
        } else {
            0.0
        }
    }

    /// Tokens tagged per CPU-second of the tagging thread, if measured.
    pub fn words_per_cpu_second(&self) -> Option<f64> {
        self.tag_cpu_seconds
            .filter(|s| *s > 0.0)
            .map(|s| self.tokens as f64 / s)
    }

    /// Add one sentence's gold and predicted spans `(start, end, type)`.
    pub fn add(&mut self, gold: &[(usize, usize, String)], pred: &[(usize, usize, String)]) {
        for p in pred {
            let c = self.per_type.entry(p.2.clone()).or_default();
            if gold.contains(p) {
                c.tp += 1;
                self.overall.tp += 1;
            } else {
                c.fp += 1;
                self.overall.fp += 1;
            }
        }
        for g in gold {
            if !pred.contains(g) {
                self.per_type.entry(g.2.clone()).or_default().fn_ += 1;
                self.overall.fn_ += 1;
            }
        }
    }

    /// `add` one sentence and classify its errors; with `list` also keep their TSV rows.
    pub fn add_sentence(
        &mut self,
        at: ((usize, &str), usize),
        tokens: &[&str],
        gold: &[(usize, usize, String)],
        pred: &[(usize, usize, String)],
        list: bool,
    ) {
        self.add(gold, pred);
        for e in eval_errors::classify(gold, pred) {
            *self.error_counts.entry(e.kind).or_default() += 1;
            if list {
                let row = eval_errors::tsv_row(&self.data, at.0, at.1, tokens, &e);
                self.error_rows.push(row);
            }
        }
        self.sentences += 1;
        self.tokens += tokens.len();
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "data: {}", self.data)?;
        writeln!(
            f,
            "{:<14} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6}",
            "type", "P", "R", "F1", "tp", "fp", "fn"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, c: &TypeCounts| {
            writeln!(
                f,
                "{:<14} {:>7.2} {:>7.2} {:>7.2} {:>6} {:>6} {:>6}",
                name,
                100.0 * c.precision(),
                100.0 * c.recall(),
                100.0 * c.f1(),
                c.tp,
                c.fp,
                c.fn_
            )
        };
        for (ty, c) in &self.per_type {
            row(f, ty, c)?;
        }
        row(f, "overall", &self.overall)?;
        let kinds: Vec<String> = ErrorKind::ALL
            .iter()
            .map(|k| format!("{k} {}", self.error_counts.get(k).copied().unwrap_or(0)))
            .collect();
        writeln!(f, "errors: {}", kinds.join(", "))?;
        let c = &self.calibration;
        if c.spans() > 0 {
            writeln!(
                f,
                "span scores: mean {:.3} vs precision {:.3}; expected calibration error {:.3}",
                c.mean_score(),
                self.overall.precision(),
                c.ece()
            )?;
        }
        write!(
            f,
            "sentences {}  tokens {}  tagging {:.3}s wall = {:.0} words/s",
            self.sentences,
            self.tokens,
            self.tag_seconds,
            self.words_per_second()
        )?;
        if let (Some(c), Some(w)) = (self.tag_cpu_seconds, self.words_per_cpu_second()) {
            write!(f, "; {c:.3}s CPU = {w:.0} words/CPU-second (1 thread)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_error_is_the_weighted_gap_between_score_and_accuracy() {
        let mut c = ScoreCalibration::default();
        assert_eq!((c.spans(), c.ece(), c.mean_score()), (0, 0.0, 0.0));
        // Bin 0.9: four spans scored 0.95, three right (accuracy 0.75, gap 0.2).
        for ok in [true, true, true, false] {
            c.add(0.95, ok);
        }
        // Bin 0.5: one span scored 0.5, right (gap 0.5). Score 1.0 falls in the top bin.
        c.add(0.5, true);
        c.add(1.0, true);
        assert_eq!(c.spans(), 6);
        assert_eq!(c.bins[9].0, 5);
        assert_eq!(c.bins[5], (1, 0.5, 1));
        // |4.8 - 4| + |0.5 - 1| over 6 spans.
        assert!((c.ece() - (0.8 + 0.5) / 6.0).abs() < 1e-6, "{}", c.ece());
        assert!((c.mean_score() - 5.3 / 6.0).abs() < 1e-6);
    }

    #[test]
    fn options_recase_rename_and_ignore() {
        assert_eq!(CaseTransform::Title.apply("mcDONALD'S"), "Mcdonald's");
        assert_eq!(CaseTransform::Upper.apply("Straße"), "STRASSE");
        assert_eq!(CaseTransform::parse("title"), Some(CaseTransform::Title));
        assert_eq!(CaseTransform::parse("Title"), None);
        let o = EvalOptions {
            case: CaseTransform::Upper,
            map: vec![
                ("person".into(), "PER".into()),
                ("product".into(), "MISC".into()),
            ],
            ignore: vec!["MISC".into()],
            list_errors: false,
        };
        assert_eq!(o.gold_label("person").as_deref(), Some("PER"));
        assert_eq!(o.gold_label("location").as_deref(), Some("location"));
        assert_eq!(o.gold_label("product"), None);
        assert!(!o.keeps_prediction("MISC"));
        assert!(o.keeps_prediction("PER"));
        assert_eq!(
            o.describe(),
            "case=upper map=person=PER,product=MISC ignore=MISC"
        );
        assert_eq!(EvalOptions::default().describe(), "");
    }

    #[test]
    fn exact_match_scoring() {
        let mut r = EvalReport::default();
        let gold = vec![(0, 2, "PER".to_string()), (3, 4, "LOC".to_string())];
        let pred = vec![(0, 2, "PER".to_string()), (3, 5, "LOC".to_string())];
        r.add(&gold, &pred);
        assert_eq!(
            r.overall,
            TypeCounts {
                tp: 1,
                fp: 1,
                fn_: 1
            }
        );
        assert!((r.overall.f1() - 0.5).abs() < 1e-9);
        assert_eq!(
            r.per_type["LOC"],
            TypeCounts {
                tp: 0,
                fp: 1,
                fn_: 1
            }
        );
    }
}
