//! Inputs of the neural re-scorer (`lstm.rs`): every token becomes a handful of
//! small integer ids (its word-vector row, hashed prefix, suffix and shape).
//! Training (`scripts/train_ner_lstm.py`) reads ids written by this same code
//! (`newsmill train ner-lstm-data`), so training and tagging cannot disagree on
//! how a token is featurised.

use super::features::{norm_lower, norm_token, shape, Clusters};
use super::hash;

/// Number of id inputs per token.
pub const N_INPUTS: usize = 8;
/// Hash buckets of the prefix, suffix and shape inputs.
pub const PREFIX_BUCKETS: u32 = 4096;
/// Hash buckets of the suffix input.
pub const SUFFIX_BUCKETS: u32 = 4096;
/// Hash buckets of the shape input.
pub const SHAPE_BUCKETS: u32 = 1024;
/// Hash buckets of the 2-character prefix and suffix inputs.
pub const AFFIX2_BUCKETS: u32 = 1024;
/// Hash buckets of the word input (lower-cased, digit-normalised form).
pub const WORD_BUCKETS: u32 = 16384;

/// Table sizes of the inputs given the number of word-vector rows: the row input
/// has one extra id (`n_rows`) for words without a vector.
pub fn input_sizes(n_rows: u32) -> [u32; N_INPUTS] {
    [
        n_rows + 1,
        PREFIX_BUCKETS,
        SUFFIX_BUCKETS,
        SHAPE_BUCKETS,
        WORD_BUCKETS,
        AFFIX2_BUCKETS,
        AFFIX2_BUCKETS,
        SUFFIX_BUCKETS,
    ]
}

/// Number of word-vector rows the clusters know (0 without clusters).
pub fn n_rows(c: &Clusters) -> u32 {
    c.rows.iter().map(|&r| u32::from(r) + 1).max().unwrap_or(0)
}

/// The ids of one token: vector row (or `n_rows` when the word has none),
/// hashed 3-character prefix and suffix of its lower-cased, digit-normalised
/// form, hashed short word shape (keeps casing, which the other inputs drop),
/// hashed lower-cased form (a learned word embedding).
pub fn token_ids(c: &Clusters, n_rows: u32, token: &str) -> [u32; N_INPUTS] {
    let token = norm_token(token);
    let row = c.row(token).map_or(n_rows, u32::from).min(n_rows);
    let lower = norm_lower(token);
    let chars: Vec<char> = lower.chars().collect();
    let pre: String = chars.iter().take(3).collect();
    let suf: String = chars[chars.len().saturating_sub(3)..].iter().collect();
    let pre2: String = chars.iter().take(2).collect();
    let suf2: String = chars[chars.len().saturating_sub(2)..].iter().collect();
    let suf4: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    let bucket = |tag: u8, s: &str, n: u32| {
        let mut b = Vec::with_capacity(s.len() + 1);
        b.push(tag);
        b.extend_from_slice(s.as_bytes());
        (hash::bytes(&b) % u64::from(n)) as u32
    };
    [
        row,
        bucket(b'p', &pre, PREFIX_BUCKETS),
        bucket(b's', &suf, SUFFIX_BUCKETS),
        bucket(b'h', &shape(token, 2), SHAPE_BUCKETS),
        bucket(b'w', &lower, WORD_BUCKETS),
        bucket(b'P', &pre2, AFFIX2_BUCKETS),
        bucket(b'S', &suf2, AFFIX2_BUCKETS),
        bucket(b'4', &suf4, SUFFIX_BUCKETS),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_in_their_tables_and_separate_casing() {
        let c = Clusters::default();
        let n = n_rows(&c);
        let sizes = input_sizes(n);
        for w in ["Medvedev", "MEDVEDEV", "medvedev", "", "1998", "-LRB-", "Ö"] {
            let ids = token_ids(&c, n, w);
            for (id, size) in ids.iter().zip(sizes) {
                assert!(*id < size, "{w}: {id} >= {size}");
            }
        }
        // Same prefix/suffix whatever the case, different shape.
        let a = token_ids(&c, n, "Medvedev");
        let b = token_ids(&c, n, "medvedev");
        assert_eq!(a[1..3], b[1..3]);
        assert_eq!(a[4], b[4]);
        assert_ne!(a[3], b[3]);
    }
}
