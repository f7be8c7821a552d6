//! Demonyms: "Russian troops" refers to Russia. The mention covers the demonym and a following
//! group noun from `roles.tsv` (kind `group`), so the span says what acts ("Russian troops").

use super::knowledge::Knowledge;
use super::view::TokenView;

/// One past the last token of the group noun after a demonym ending at `end` (exclusive), or
/// `end` when no group noun follows. Two-word group nouns ("interior ministry", "air force") are
/// tried first.
pub fn group_extension(v: &TokenView, kb: &Knowledge, end: usize) -> usize {
    let sent = v.sent_range(v.sent(end.saturating_sub(1)));
    for len in [2usize, 1] {
        let stop = end + len;
        if stop > sent.end {
            continue;
        }
        if (end..stop).any(|i| !v.tok(i).chars().all(char::is_alphabetic)) {
            continue;
        }
        if kb.role(&v.key_of(end..stop)).is_some_and(|r| r.group) {
            return stop;
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::testutil::doc_from;

    #[test]
    fn group_nouns_extend_the_span() {
        let kb = Knowledge::builtin().unwrap();
        let doc = doc_from(
            "Russian troops and the Georgian interior ministry and Russian passports.",
            &[],
        );
        let v = TokenView::new(&doc, &[]);
        assert_eq!(group_extension(&v, &kb, 1), 2);
        assert_eq!(group_extension(&v, &kb, 5), 7);
        assert_eq!(group_extension(&v, &kb, 9), 10);
        assert_eq!(group_extension(&v, &kb, 10), 10);
        assert_eq!(group_extension(&v, &kb, 3), 3);
    }
}
