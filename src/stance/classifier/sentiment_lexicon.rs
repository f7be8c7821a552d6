//! Prior word polarity from the VADER sentiment lexicon (Hutto & Gilbert 2014, MIT; shipped
//! inside the `vader_sentiment` crate), lower-cased for lookup.

use std::collections::HashMap;
use std::sync::OnceLock;

/// VADER valence of a lower-case word (−4 … +4), if the lexicon has it.
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
