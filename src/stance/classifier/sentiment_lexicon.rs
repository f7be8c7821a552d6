//! Prior word polarity for the classifier's lexicon features: the VADER sentiment lexicon
//! (Hutto & Gilbert 2014, MIT; shipped inside the `vader_sentiment` crate), and for words
//! VADER lacks, AFINN-165 (Finn Årup Nielsen; ODbL 1.0; `resources/stance/afinn-en-165.txt`,
//! see `resources/stance/README.md`). Both are looked up lower-cased.

use std::collections::HashMap;
use std::sync::OnceLock;

/// AFINN-165 word list compiled into the binary (word TAB integer valence −5 … +5).
const AFINN: &str = include_str!("../../../resources/stance/afinn-en-165.txt");

/// AFINN valences are on a −5 … +5 scale, VADER's on −4 … +4.
const AFINN_TO_VADER: f64 = 0.8;

/// VADER valence of a lower-case word (−4 … +4), if the lexicon has it. The stance rules'
/// label reading uses this alone (it was tuned on VADER).
pub fn valence(word: &str) -> Option<f64> {
    static TABLE: OnceLock<HashMap<String, f64>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            vader_sentiment::LEXICON
                .iter()
                .map(|(k, v)| (k.to_lowercase(), *v))
                .collect()
        })
        .get(word)
        .copied()
}

/// AFINN-165 valence of a lower-case word, rescaled to VADER's −4 … +4. Multi-word AFINN
/// entries ("does not work") are left out: the features look at one token at a time.
pub fn afinn_valence(word: &str) -> Option<f64> {
    static TABLE: OnceLock<HashMap<String, f64>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            AFINN
                .lines()
                .filter_map(|line| {
                    let (w, v) = line.rsplit_once('\t')?;
                    if w.contains(' ') {
                        return None;
                    }
                    let v: f64 = v.trim().parse().ok()?;
                    Some((w.trim().to_lowercase(), v * AFINN_TO_VADER))
                })
                .collect()
        })
        .get(word)
        .copied()
}

/// The prior valence the classifier's features use: VADER's, else AFINN's. AFINN adds 700+
/// words VADER lacks, many of them from news rather than social media ("allegations",
/// "corruption", "deplore", "blackmail", "breach"); grouped 5-fold CV on NewsMTSC train rose
/// from 0.6759 to 0.6802 (mean of seeds 13–15, every seed up by 0.003–0.005). Where both
/// lists have a word, averaging the two was no better (0.6805).
pub fn prior_valence(word: &str) -> Option<f64> {
    valence(word).or_else(|| afinn_valence(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn afinn_fills_words_vader_lacks() {
        // VADER has "praise"; AFINN's value is not used for it.
        assert_eq!(prior_valence("praise"), valence("praise"));
        // "corruption" and "deplored" are AFINN-only: negative, rescaled to VADER's range.
        for w in ["corruption", "deplored", "allegations"] {
            assert!(valence(w).is_none(), "{w} is in VADER");
            let v = prior_valence(w).expect(w);
            assert!((-4.0..0.0).contains(&v), "{w}: {v}");
        }
        assert!(prior_valence("acclaimed").is_some_and(|v| v > 0.0));
        // Every single-word line parsed: AFINN-165 has 3,382 entries, 30 of them phrases.
        assert!(afinn_valence("does not work").is_none());
        let n = AFINN.lines().filter(|l| !l.trim().is_empty()).count();
        let parsed = AFINN
            .lines()
            .filter_map(|l| l.rsplit_once('\t'))
            .filter(|(w, _)| !w.contains(' ') && afinn_valence(&w.to_lowercase()).is_some())
            .count();
        assert_eq!(n, 3382);
        assert_eq!(parsed, 3382 - 30);
    }
}
