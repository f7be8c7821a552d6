//! Corpus-level `actor_stance_summary`: per (source actor, target) counts of support, oppose
//! and neutral records, the net balance and the number of documents.
//!
//! A [`StanceSummary`] is filled per shard or thread with [`StanceSummary::observe`], combined
//! with [`StanceSummary::merge`] in any order, and turned into rows by
//! [`StanceSummary::finish`]; the result does not depend on the order of observation or
//! merging, provided that the records of one document arrive together (the corpus pass reads
//! the stances table in document order) and partial summaries hold disjoint documents.

use std::collections::BTreeMap;

use crate::doc::Polarity;

/// One stance record with final corpus-level ids.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryInput<'a> {
    /// Document id.
    pub doc_id: &'a str,
    /// Final actor id of the source.
    pub source: &'a str,
    /// Final actor id of the target, or `topic:<name>`.
    pub target: &'a str,
    /// The record's polarity.
    pub polarity: Polarity,
}

/// One row of `actor_stance_summary`.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Source actor id.
    pub source: String,
    /// Target actor id or `topic:<name>`.
    pub target: String,
    /// Support records.
    pub n_support: u64,
    /// Oppose records.
    pub n_oppose: u64,
    /// Neutral records.
    pub n_neutral: u64,
    /// `(n_support - n_oppose) / (n_support + n_oppose + n_neutral)`, in `[-1, 1]`.
    pub net: f64,
    /// Distinct documents with at least one record for the pair.
    pub n_docs: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Cell {
    support: u64,
    oppose: u64,
    neutral: u64,
    /// Documents counted so far, and the last one (records of a document arrive together, so
    /// a change of document is a new document: no per-cell set of ids to hold in memory).
    n_docs: u64,
    last_doc: String,
}

/// Mergeable accumulator for the summary table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StanceSummary {
    cells: BTreeMap<(String, String), Cell>,
}

impl StanceSummary {
    /// An empty summary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one record.
    pub fn observe(&mut self, row: &SummaryInput<'_>) {
        let cell = self
            .cells
            .entry((row.source.to_string(), row.target.to_string()))
            .or_default();
        match row.polarity {
            Polarity::Support => cell.support += 1,
            Polarity::Oppose => cell.oppose += 1,
            Polarity::Neutral => cell.neutral += 1,
        }
        if cell.n_docs == 0 || cell.last_doc != row.doc_id {
            cell.n_docs += 1;
            cell.last_doc.clear();
            cell.last_doc.push_str(row.doc_id);
        }
    }

    /// Adds another partial summary, over other documents, into this one.
    pub fn merge(&mut self, other: StanceSummary) {
        for (k, c) in other.cells {
            let cell = self.cells.entry(k).or_default();
            cell.support += c.support;
            cell.oppose += c.oppose;
            cell.neutral += c.neutral;
            cell.n_docs += c.n_docs;
        }
    }

    /// Rows sorted by source, then target.
    pub fn finish(self) -> Vec<SummaryRow> {
        self.cells
            .into_iter()
            .map(|((source, target), c)| {
                let total = c.support + c.oppose + c.neutral;
                let net = if total == 0 {
                    0.0
                } else {
                    (c.support as f64 - c.oppose as f64) / total as f64
                };
                SummaryRow {
                    source,
                    target,
                    n_support: c.support,
                    n_oppose: c.oppose,
                    n_neutral: c.neutral,
                    net,
                    n_docs: c.n_docs,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<(&'static str, &'static str, &'static str, Polarity)> {
        vec![
            ("d1", "russia", "georgia", Polarity::Oppose),
            ("d1", "russia", "georgia", Polarity::Oppose),
            ("d2", "russia", "georgia", Polarity::Support),
            ("d2", "usa", "georgia", Polarity::Support),
            ("d3", "russia", "topic:independence", Polarity::Support),
            ("d3", "russia", "georgia", Polarity::Neutral),
        ]
    }

    fn input<'a>(r: &(&'a str, &'a str, &'a str, Polarity)) -> SummaryInput<'a> {
        SummaryInput {
            doc_id: r.0,
            source: r.1,
            target: r.2,
            polarity: r.3,
        }
    }

    #[test]
    fn counts_net_and_docs() {
        let mut s = StanceSummary::new();
        for r in rows() {
            s.observe(&input(&r));
        }
        let out = s.finish();
        assert_eq!(out.len(), 3);
        let rg = &out[0];
        assert_eq!(
            (rg.source.as_str(), rg.target.as_str()),
            ("russia", "georgia")
        );
        assert_eq!(
            (rg.n_support, rg.n_oppose, rg.n_neutral, rg.n_docs),
            (1, 2, 1, 3)
        );
        assert!((rg.net - (-0.25)).abs() < 1e-12);
        assert_eq!(out[1].target, "topic:independence");
        assert_eq!(out[2].source, "usa");
        assert!((out[2].net - 1.0).abs() < 1e-12);
    }

    #[test]
    fn merge_is_order_independent() {
        let rs = rows();
        let mut whole = StanceSummary::new();
        for r in &rs {
            whole.observe(&input(r));
        }
        let (mut a, mut b) = (StanceSummary::new(), StanceSummary::new());
        // Partial summaries hold disjoint documents (as shards do).
        for r in &rs {
            if r.0 == "d2" { &mut b } else { &mut a }.observe(&input(r));
        }
        let mut ba = b.clone();
        ba.merge(a.clone());
        a.merge(b);
        assert_eq!(a.clone().finish(), whole.clone().finish());
        assert_eq!(ba.finish(), whole.finish());
    }
}
