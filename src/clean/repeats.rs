//! Corpus-learned boilerplate: lines that repeat across many documents of the same source.
//!
//! A site's navigation, "About us" paragraph, newsletter pitch or legal footer is printed on
//! every page of that site; article sentences almost never are. A cheap pre-pass counts, per
//! source, in how many documents each short line occurs. Counting is by 64-bit hashes of the
//! folded line text (case, spacing, punctuation and digits ignored), so memory is ~16 bytes per
//! distinct line and nothing of the text is stored.
//!
//! Memory bound without losing determinism: when the table grows past `max_entries`, it keeps
//! only keys whose hash has its top `level` bits zero and raises `level` until it fits. The set
//! of kept keys is then a pure function of the final level, and the final level is the smallest
//! one at which the *whole* corpus fits, whatever the order of `observe`/`merge` calls or how
//! the corpus was split across threads. Counts of kept keys are exact.

use std::collections::HashMap;

use super::lines::{fnv1a, fold_key, split_blocks};

/// Lines longer than this (bytes) are not counted: boilerplate lines are short, and skipping
/// long paragraphs keeps the table small.
pub const DEFAULT_MAX_LINE_BYTES: usize = 400;

/// Default cap on distinct (source, line) keys: 4M keys ≈ 64 MB.
pub const DEFAULT_MAX_ENTRIES: usize = 1 << 22;

/// Per-source document frequencies of short lines. Build with [`CorpusLineStats::observe`]
/// (one call per document), combine per-thread tables with [`CorpusLineStats::merge`], then
/// hand the result to `Cleaner::with_corpus_stats`.
#[derive(Debug, Clone)]
pub struct CorpusLineStats {
    /// (source, line) key → number of documents containing the line.
    counts: HashMap<u64, u32>,
    /// source key → number of documents observed.
    docs: HashMap<u64, u32>,
    /// Keys are kept only if their top `level` bits are zero (0 = keep all).
    level: u32,
    max_entries: usize,
    max_line_bytes: usize,
}

impl Default for CorpusLineStats {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_LINE_BYTES)
    }
}

fn source_hash(source_key: &str) -> u64 {
    fnv1a(source_key.as_bytes())
}

fn pair_key(source: u64, line: u64) -> u64 {
    // Mix so that equal lines of different sources land far apart.
    let mut h = source ^ line.rotate_left(29);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

fn kept(key: u64, level: u32) -> bool {
    level == 0 || (level < 64 && key >> (64 - level) == 0)
}

impl CorpusLineStats {
    /// Creates an empty table with a cap on distinct keys and on counted line length (bytes).
    pub fn new(max_entries: usize, max_line_bytes: usize) -> Self {
        Self {
            counts: HashMap::new(),
            docs: HashMap::new(),
            level: 0,
            max_entries: max_entries.max(1),
            max_line_bytes,
        }
    }

    /// Hash of one line as used for lookups (folded text), or `None` if it is not counted.
    fn line_hash(&self, line: &str) -> Option<u64> {
        if line.len() > self.max_line_bytes {
            return None;
        }
        let k = fold_key(line);
        (!k.is_empty()).then(|| fnv1a(k.as_bytes()))
    }

    /// Counts the distinct short lines of one document of `source_key`.
    pub fn observe(&mut self, source_key: &str, text: &str) {
        let src = source_hash(source_key);
        *self.docs.entry(src).or_insert(0) += 1;
        let mut keys: Vec<u64> = split_blocks(text)
            .iter()
            .filter_map(|b| self.line_hash(&b.text))
            .map(|h| pair_key(src, h))
            .filter(|k| kept(*k, self.level))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            *self.counts.entry(k).or_insert(0) += 1;
        }
        self.shrink_to_cap();
    }

    /// Adds another table (e.g. from another thread). Commutative and associative.
    pub fn merge(&mut self, other: Self) {
        for (s, n) in other.docs {
            *self.docs.entry(s).or_insert(0) += n;
        }
        self.level = self.level.max(other.level);
        self.max_entries = self.max_entries.min(other.max_entries);
        let level = self.level;
        self.counts.retain(|k, _| kept(*k, level));
        for (k, n) in other.counts {
            if kept(k, level) {
                let e = self.counts.entry(k).or_insert(0);
                *e = e.saturating_add(n);
            }
        }
        self.shrink_to_cap();
    }

    fn shrink_to_cap(&mut self) {
        while self.counts.len() > self.max_entries && self.level < 63 {
            self.level += 1;
            let level = self.level;
            self.counts.retain(|k, _| kept(*k, level));
        }
    }

    /// Drops the lines seen in fewer than `min_docs` documents and releases the memory they
    /// held. Only for a finished table: later counts of a dropped line would start from zero.
    pub fn retain_at_least(&mut self, min_docs: u32) {
        self.counts.retain(|_, n| *n >= min_docs);
        self.counts.shrink_to_fit();
    }

    /// Number of documents observed for `source_key`.
    pub fn source_docs(&self, source_key: &str) -> u32 {
        self.docs
            .get(&source_hash(source_key))
            .copied()
            .unwrap_or(0)
    }

    /// In how many documents of `source_key` the line occurs (0 if unknown, too long, or not
    /// tracked because of the memory cap).
    pub fn line_docs(&self, source_key: &str, line: &str) -> u32 {
        let Some(h) = self.line_hash(line) else {
            return 0;
        };
        let k = pair_key(source_hash(source_key), h);
        if !kept(k, self.level) {
            return 0;
        }
        self.counts.get(&k).copied().unwrap_or(0)
    }

    /// Number of distinct (source, line) keys held.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// True if nothing has been counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

/// Flags blocks that repeat a later block of the same document (same [`exact_key`] hash, key
/// at least `min_chars` bytes): the earlier copies of a lede printed twice, a caption printed
/// twice. The last copy is the one kept, because page text prints teasers/standfirsts before
/// the body.
///
/// [`exact_key`]: super::lines::exact_key
pub(crate) fn earlier_duplicates(keys: &[(u64, usize)], min_chars: usize) -> Vec<bool> {
    let mut last: HashMap<u64, usize> = HashMap::new();
    for (i, &(h, len)) in keys.iter().enumerate() {
        if len >= min_chars {
            last.insert(h, i);
        }
    }
    keys.iter()
        .enumerate()
        .map(|(i, &(h, len))| len >= min_chars && last.get(&h).is_some_and(|&j| j > i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(i: usize) -> String {
        format!(
            "Home\nSubscribe to our newsletter\nStory number {i} tells of event {} in detail.\n\
             The weather on day {i} was unusual for a town of {} people.\nAll rights reserved 2020",
            i * 7,
            i * 13
        )
    }

    #[test]
    fn retain_at_least_keeps_exactly_the_lines_at_or_over_the_count() {
        let mut s = CorpusLineStats::default();
        for i in 0..3 {
            s.observe("site-a", &doc(i));
        }
        s.observe("site-a", "Only once, this line.");
        let before = s.len();
        s.retain_at_least(2);
        assert!(s.len() < before);
        assert_eq!(s.line_docs("site-a", "Home"), 3);
        assert_eq!(s.line_docs("site-a", "All rights reserved 2020"), 3);
        assert_eq!(s.line_docs("site-a", "Only once, this line."), 0);
        assert_eq!(s.source_docs("site-a"), 4);
        s.retain_at_least(4);
        assert!(s.is_empty());
    }

    #[test]
    fn counts_repeated_lines_per_source() {
        let mut s = CorpusLineStats::default();
        for i in 0..5 {
            s.observe("site-a", &doc(i));
        }
        s.observe("site-b", "Home\nSomething else entirely.");
        assert_eq!(s.source_docs("site-a"), 5);
        assert_eq!(s.line_docs("site-a", "Home"), 5);
        assert_eq!(s.line_docs("site-a", "HOME "), 5, "folded lookup");
        assert_eq!(s.line_docs("site-b", "Home"), 1);
        // Digits are folded: the story lines share a shape, but their words differ by number
        // only, so they are counted together (which is why prose needs a stricter threshold).
        assert_eq!(s.line_docs("site-a", "All rights reserved 2021"), 5);
        assert_eq!(s.line_docs("site-a", "Never seen"), 0);
    }

    #[test]
    fn merge_is_order_independent_and_bounded() {
        let docs: Vec<String> = (0..300)
            .map(|i| format!("unique line {i} x{}\nshared", i * i))
            .collect();
        let mut one = CorpusLineStats::new(64, 400);
        for d in &docs {
            one.observe("s", d);
        }
        let mut parts: Vec<CorpusLineStats> =
            (0..3).map(|_| CorpusLineStats::new(64, 400)).collect();
        for (i, d) in docs.iter().enumerate() {
            parts[i % 3].observe("s", d);
        }
        let mut merged = CorpusLineStats::new(64, 400);
        for p in parts.into_iter().rev() {
            merged.merge(p);
        }
        assert!(one.len() <= 64 && merged.len() <= 64);
        assert_eq!(one.level, merged.level);
        let mut a: Vec<_> = one.counts.iter().collect();
        let mut b: Vec<_> = merged.counts.iter().collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        assert_eq!(merged.source_docs("s"), 300);
    }

    #[test]
    fn earlier_copies_are_flagged() {
        let keys: Vec<(u64, usize)> = ["A long lede sentence.", "x", "a long lede sentence", "x"]
            .iter()
            .map(|s| super::super::lines::exact_key_hash(s))
            .collect();
        assert_eq!(
            earlier_duplicates(&keys, 3),
            vec![true, false, false, false]
        );
    }
}
