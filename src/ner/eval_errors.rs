//! What kind of mistake each non-matching span is, for `newsmill eval ner --errors`.
//!
//! Exact-span F1 says how many spans are wrong, not why. Following the usual NER error
//! taxonomy (Chinchor & Sundheim 1993; the `nervaluate` package), every predicted span that
//! is not exactly a gold span, and every gold span that no prediction touches, is put in one
//! of five classes. A wrong type on the right words and a one-token boundary slip call for
//! different fixes (type features vs. boundary features), which is what a user tuning a model
//! or choosing one for their corpus needs to see.

use std::fmt;

/// One class of span error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    /// Right start and end, wrong type.
    Type,
    /// Overlaps a gold span of the same type, with other boundaries.
    Boundary,
    /// Overlaps gold spans of other types only, with other boundaries.
    BoundaryType,
    /// A predicted span that overlaps no gold span (false alarm).
    Spurious,
    /// A gold span that no predicted span overlaps.
    Missed,
}

impl ErrorKind {
    /// Every kind, in report order.
    pub const ALL: [ErrorKind; 5] = [
        ErrorKind::Type,
        ErrorKind::Boundary,
        ErrorKind::BoundaryType,
        ErrorKind::Spurious,
        ErrorKind::Missed,
    ];

    /// The name used in the report and the TSV file.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Type => "type",
            ErrorKind::Boundary => "boundary",
            ErrorKind::BoundaryType => "boundary+type",
            ErrorKind::Spurious => "spurious",
            ErrorKind::Missed => "missed",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A span `[start, end)` in token indices of its sentence, with its type.
pub type Span = (usize, usize, String);

/// One classified error. `pred` is empty for `Missed`; `gold` is empty for `Spurious` and
/// holds every gold span the prediction overlaps otherwise (a prediction that merges two
/// names overlaps both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanError {
    /// The class.
    pub kind: ErrorKind,
    /// The predicted span, if any.
    pub pred: Option<Span>,
    /// The gold spans involved.
    pub gold: Vec<Span>,
}

fn overlaps(a: &Span, b: &Span) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Classify the mismatches of one sentence. Exact matches (same start, end and type) are not
/// errors; spans are compared as sets, as the F1 scorer does.
pub fn classify(gold: &[Span], pred: &[Span]) -> Vec<SpanError> {
    let mut out = Vec::new();
    for p in pred.iter().filter(|p| !gold.contains(p)) {
        let touched: Vec<Span> = gold.iter().filter(|g| overlaps(g, p)).cloned().collect();
        let kind = if touched.is_empty() {
            ErrorKind::Spurious
        } else if touched.iter().any(|g| g.0 == p.0 && g.1 == p.1) {
            ErrorKind::Type
        } else if touched.iter().any(|g| g.2 == p.2) {
            ErrorKind::Boundary
        } else {
            ErrorKind::BoundaryType
        };
        out.push(SpanError {
            kind,
            pred: Some(p.clone()),
            gold: touched,
        });
    }
    for g in gold {
        if !pred.iter().any(|p| overlaps(g, p)) {
            out.push(SpanError {
                kind: ErrorKind::Missed,
                pred: None,
                gold: vec![g.clone()],
            });
        }
    }
    out
}

/// Header of the `--errors` TSV file (one row per `SpanError`).
pub const TSV_HEADER: &str =
    "data\tdoc_idx\tdoc_id\tsent_idx\tkind\tgold\tgold_text\tpred\tpred_text\tsentence";

/// One TSV row. `doc_idx` counts documents in the file from 0 (`-DOCSTART-` lines start
/// documents; CoNLL-2003 has no ids, so `doc_id` is often empty). Spans are written `start-end:TYPE` in token indices (end exclusive), several
/// gold spans separated by `|`; texts are the tokens joined by spaces; `sentence` marks gold
/// spans with `[ ]` and nothing else. Tabs and newlines inside tokens become spaces.
pub fn tsv_row(
    data: &str,
    (doc_idx, doc_id): (usize, &str),
    sent_idx: usize,
    tokens: &[&str],
    e: &SpanError,
) -> String {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let text = |s: &Span| {
        let end = s.1.min(tokens.len());
        clean(&tokens[s.0.min(end)..end].join(" "))
    };
    let span = |s: &Span| format!("{}-{}:{}", s.0, s.1, s.2);
    let gold_spans: Vec<String> = e.gold.iter().map(span).collect();
    let gold_texts: Vec<String> = e.gold.iter().map(text).collect();
    let mut sentence = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        let mut w = clean(t);
        if e.gold.iter().any(|g| g.0 == i) {
            w.insert(0, '[');
        }
        if e.gold.iter().any(|g| g.1 == i + 1) {
            w.push(']');
        }
        sentence.push(w);
    }
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        clean(data),
        doc_idx,
        clean(doc_id),
        sent_idx,
        e.kind,
        gold_spans.join("|"),
        gold_texts.join("|"),
        e.pred.as_ref().map(span).unwrap_or_default(),
        e.pred.as_ref().map(text).unwrap_or_default(),
        sentence.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: usize, b: usize, t: &str) -> Span {
        (a, b, t.to_string())
    }

    #[test]
    fn every_kind_is_recognised() {
        let gold = vec![
            s(0, 2, "PER"),
            s(3, 4, "LOC"),
            s(5, 7, "ORG"),
            s(8, 9, "MISC"),
            s(10, 11, "PER"),
        ];
        let pred = vec![
            s(0, 2, "PER"),  // exact: no error
            s(3, 4, "ORG"),  // type
            s(5, 6, "ORG"),  // boundary
            s(8, 10, "LOC"), // boundary+type
            s(12, 13, "PER"),
        ];
        let kinds: Vec<ErrorKind> = classify(&gold, &pred).iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ErrorKind::Type,
                ErrorKind::Boundary,
                ErrorKind::BoundaryType,
                ErrorKind::Spurious,
                ErrorKind::Missed
            ]
        );
    }

    #[test]
    fn a_merge_lists_both_gold_spans_and_the_row_marks_them() {
        let gold = vec![s(0, 1, "LOC"), s(2, 3, "LOC")];
        let pred = vec![s(0, 3, "LOC")];
        let errs = classify(&gold, &pred);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].kind, ErrorKind::Boundary);
        let row = tsv_row("f", (2, "d1"), 4, &["Paris", ",", "Texas", "."], &errs[0]);
        let cols: Vec<&str> = row.split('\t').collect();
        assert_eq!(cols.len(), TSV_HEADER.split('\t').count());
        assert_eq!(&cols[..5], ["f", "2", "d1", "4", "boundary"]);
        assert_eq!(cols[5], "0-1:LOC|2-3:LOC");
        assert_eq!(cols[6], "Paris|Texas");
        assert_eq!(cols[7], "0-3:LOC");
        assert_eq!(cols[8], "Paris , Texas");
        assert_eq!(cols[9], "[Paris] , [Texas] .");
    }
}
