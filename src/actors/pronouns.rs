//! Pronoun speakers and subjects: "he said", "she told reporters", "said he", and a "He"/"She"
//! opening a sentence ("She will not visit Moscow"), whose actions the stance rules read. Kept
//! simple and precise: only "he"/"she" (from `pronouns.tsv`) directly before a speech verb (or
//! right after one) or as a sentence's first word, outside quotation marks, resolved to a person
//! mentioned outside quotation marks in the same or the previous `pronoun_window` sentences
//! (pronouns already resolved count, so "Rice ... She ... She ..." chains to Rice). The antecedent is taken from the nearest sentence that
//! has a gender-compatible person, and within it the leftmost one (in English news the subject
//! comes first: "Bagapsh said after talks with Medvedev. ... he told reporters" → Bagapsh).

use super::knowledge::Gender;
use super::metonyms::is_filler;
use super::resolve::Ctx;

/// A pronoun to resolve: token index and gender.
pub fn subject_pronouns(ctx: &Ctx) -> Vec<(usize, Gender)> {
    let v = &ctx.v;
    let mut out = Vec::new();
    for i in 0..v.len() {
        let Some(g) = ctx.kb.pronoun(v.tok(i)) else {
            continue;
        };
        if v.in_quote(i) {
            continue;
        }
        let sent = v.sent_range(v.sent(i));
        let mut j = i + 1;
        while j < sent.end && j < i + 4 && is_filler(&v.lower(j)) {
            j += 1;
        }
        let after = j < sent.end && ctx.kb.verb(v.tok(j)).is_some_and(|c| c.is_speech());
        let before = i > sent.start && ctx.kb.verb(v.tok(i - 1)).is_some_and(|c| c.is_speech());
        // A capitalised pronoun opening a sentence is its subject ("She will not visit ...").
        let opens = i == sent.start && j < sent.end && v.tok(i).starts_with(char::is_uppercase);
        if after || before || opens {
            out.push((i, g));
        }
    }
    out
}

/// Picks the antecedent among `cands` = (token start, sentence, actor, gender) of person
/// mentions, for a pronoun at token `i` in sentence `sent`.
pub fn antecedent(
    cands: &[(usize, usize, usize, Gender)],
    i: usize,
    sent: usize,
    g: Gender,
    window: usize,
) -> Option<usize> {
    let lo = sent.saturating_sub(window);
    let ok: Vec<&(usize, usize, usize, Gender)> = cands
        .iter()
        .filter(|(t, s, _, cg)| *t < i && *s >= lo && *s <= sent && cg.agrees(g))
        .collect();
    let best_sent = ok.iter().map(|c| c.1).max()?;
    ok.iter()
        .filter(|c| c.1 == best_sent)
        .min_by_key(|c| c.0)
        .map(|c| c.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_sentence_then_leftmost_with_gender() {
        let m = Gender::Male;
        let f = Gender::Female;
        // (token, sentence, actor, gender)
        let cands = [(0, 0, 10, f), (5, 0, 11, m), (12, 1, 12, m), (14, 1, 13, m)];
        assert_eq!(antecedent(&cands, 20, 2, m, 2), Some(12));
        assert_eq!(antecedent(&cands, 20, 2, f, 2), Some(10));
        assert_eq!(antecedent(&cands, 20, 4, m, 2), None);
        assert_eq!(antecedent(&cands, 13, 1, m, 2), Some(12));
    }
}
