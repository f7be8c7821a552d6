//! Misspelling tolerance: when two normalised names are "the same name, misspelt".
//!
//! We use the `strsim` crate (mature, no dependencies, used by clap) for two measures with
//! complementary failure modes: Jaro-Winkler rewards a shared beginning and forgives
//! transpositions, so it ranks "abhkazia"/"abkhazia" and "dimitry"/"dmitry" high, but on its own it
//! also ranks different short names high ("gambia"/"zambia" would pass a loose threshold);
//! restricted Damerau-Levenshtein counts the edits, so requiring both a high Jaro-Winkler score
//! *and* at most one edit (two for long names) keeps real misspellings and rejects neighbours.
//! Names shorter than a minimum length are never fuzzy-matched: "Iran"/"Iraq" are one edit
//! apart.

/// Fuzzy-matching policy.
#[derive(Debug, Clone, Copy)]
pub struct Fuzzy {
    /// Minimum Jaro-Winkler similarity in `[0, 1]`.
    pub threshold: f64,
    /// Minimum length in characters of both strings.
    pub min_chars: usize,
}

impl Fuzzy {
    /// A policy with the given threshold and minimum length.
    pub fn new(threshold: f64, min_chars: usize) -> Self {
        Fuzzy {
            threshold,
            min_chars,
        }
    }

    /// True when `a` and `b` (normalised) are equal or one is a plausible misspelling of the
    /// other: same first letter (misspellings rarely change it, and it keeps "Prussia" away from
    /// "Russia"), both at least `min_chars` long, lengths within 2, at most 1 edit (2 when both
    /// have 10 or more characters) and Jaro-Winkler similarity at least `threshold`.
    pub fn similar(&self, a: &str, b: &str) -> bool {
        if a == b {
            return true;
        }
        if a.chars().next() != b.chars().next() {
            return false;
        }
        let (la, lb) = (a.chars().count(), b.chars().count());
        let shortest = la.min(lb);
        if shortest < self.min_chars || la.abs_diff(lb) > 2 {
            return false;
        }
        let max_edits = Self::max_edits(shortest);
        bag_distance(a, b) <= max_edits
            && strsim::osa_distance(a, b) <= max_edits
            && strsim::jaro_winkler(a, b) >= self.threshold
    }

    /// Most edits [`Fuzzy::similar`] allows between a word of `len` characters and any other
    /// (the shorter word decides; a longer partner never allows more than this word's own bound
    /// would if it were the shorter one).
    fn max_edits(len: usize) -> usize {
        if len >= 10 {
            2
        } else {
            1
        }
    }

    /// The single entry of `pool` similar to `query`, choosing the highest Jaro-Winkler score;
    /// `None` when nothing is similar or when two different targets tie for the best score
    /// (an ambiguous misspelling is left alone).
    pub fn best<'a, T: Copy + PartialEq>(
        &self,
        query: &str,
        pool: impl IntoIterator<Item = (&'a str, T)>,
    ) -> Option<T> {
        let mut best: Option<(f64, T)> = None;
        let mut tied = false;
        for (cand, target) in pool {
            if !self.similar(query, cand) {
                continue;
            }
            let score = strsim::jaro_winkler(query, cand);
            match best {
                Some((s, t)) if score < s || (score == s && t == target) => {}
                Some((s, _)) if score == s => tied = true,
                _ => {
                    best = Some((score, target));
                    tied = false;
                }
            }
        }
        if tied {
            None
        } else {
            best.map(|(_, t)| t)
        }
    }
}

/// A lower bound of the edit distance, in one pass and without allocating: how many
/// characters of one word have no counterpart in the other, counted over 64 buckets of
/// characters. An insertion, deletion or substitution changes the count by at most one and a
/// transposition not at all, so `bag_distance(a, b) <= osa_distance(a, b)`; sharing a bucket
/// only lowers the count, so the bound holds for any characters. The corpus merge checks many
/// index candidates that share one piece of a name and little else; this rejects most of them
/// before the quadratic distance runs.
fn bag_distance(a: &str, b: &str) -> usize {
    let mut counts = [0i32; 64];
    for c in a.chars() {
        counts[c as usize % 64] += 1;
    }
    for c in b.chars() {
        counts[c as usize % 64] -= 1;
    }
    let (mut extra_a, mut extra_b) = (0usize, 0usize);
    for n in counts {
        if n > 0 {
            extra_a += n as usize;
        } else {
            extra_b += n.unsigned_abs() as usize;
        }
    }
    extra_a.max(extra_b)
}

/// An index that finds, among many words, the ones [`Fuzzy::similar`] may accept for a query,
/// without comparing the query to every word: a corpus of a million articles has hundreds of
/// thousands of distinct names, and pairwise comparison is quadratic.
///
/// It uses the pigeonhole filter of PassJoin (Li et al., VLDB 2011), adapted to adjacent
/// transpositions. `similar` allows at most `k` edits (1, or 2 when both words have 10+
/// characters). An insertion, deletion or substitution touches one piece of a word cut into
/// pieces, a transposition at most two, so with `2k + 1` pieces at least one piece of the
/// indexed word appears unchanged in the query, shifted by at most `k` characters. Each word is
/// indexed under a hash of (first character, length, piece number, piece text), a handful of
/// entries per word; a query probes every piece of every length `similar` allows (its own
/// length ±2) at every shift up to 2, about a hundred probes. Hash collisions only add
/// candidates, and candidates are checked with `similar` itself, so the result is exactly the
/// words `similar` accepts (a unit test checks this against a full scan).
#[derive(Debug, Default)]
pub struct FuzzyIndex {
    /// (piece hash, word index), sorted.
    entries: Vec<(u64, u32)>,
}

/// Length difference `similar` allows.
const MAX_LEN_DIFF: usize = 2;

impl FuzzyIndex {
    /// Indexes `words`; results refer to positions in this slice.
    pub fn new<S: AsRef<str>>(fz: &Fuzzy, words: &[S]) -> Self {
        let mut entries = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            let chars: Vec<char> = w.as_ref().chars().collect();
            let first = chars.first().copied().unwrap_or('\0');
            if chars.len() < fz.min_chars {
                // Never fuzzy-matched: only an identical word finds it.
                entries.push((whole_hash(&chars), i));
                continue;
            }
            for (piece, (start, len)) in pieces(chars.len()).enumerate() {
                let text = chars.get(start..start + len).unwrap_or(&[]);
                entries.push((piece_hash(first, chars.len(), piece, text), i));
            }
        }
        entries.sort_unstable();
        entries.dedup();
        FuzzyIndex { entries }
    }

    /// Positions (ascending) of the indexed words that are [`Fuzzy::similar`] to `query`,
    /// including an identical word.
    pub fn similar_to<S: AsRef<str>>(&self, fz: &Fuzzy, words: &[S], query: &str) -> Vec<usize> {
        let chars: Vec<char> = query.chars().collect();
        let first = chars.first().copied().unwrap_or('\0');
        let mut cands: Vec<u32> = Vec::new();
        let mut probe = |h: u64| {
            let from = self.entries.partition_point(|e| e.0 < h);
            cands.extend(
                self.entries[from..]
                    .iter()
                    .take_while(|e| e.0 == h)
                    .map(|e| e.1),
            );
        };
        probe(whole_hash(&chars));
        if chars.len() >= fz.min_chars {
            let lo = chars.len().saturating_sub(MAX_LEN_DIFF).max(fz.min_chars);
            for len_b in lo..=chars.len() + MAX_LEN_DIFF {
                for (piece, (start, len)) in pieces(len_b).enumerate() {
                    for shifted in start.saturating_sub(MAX_LEN_DIFF)..=start + MAX_LEN_DIFF {
                        if let Some(text) = chars.get(shifted..shifted + len) {
                            probe(piece_hash(first, len_b, piece, text));
                        }
                    }
                }
            }
        }
        cands.sort_unstable();
        cands.dedup();
        cands
            .into_iter()
            .map(|i| i as usize)
            .filter(|&i| words.get(i).is_some_and(|w| fz.similar(query, w.as_ref())))
            .collect()
    }
}

/// The `2k + 1` pieces (start, length) of a word of `n` characters, `k` being the edits
/// `similar` allows at that length; lengths differ by at most one.
fn pieces(n: usize) -> impl Iterator<Item = (usize, usize)> {
    let m = 2 * Fuzzy::max_edits(n) + 1;
    let (base, extra) = (n / m, n % m);
    (0..m).map(move |i| {
        // The last `extra` pieces are one character longer.
        let long_before = i.saturating_sub(m - extra);
        let start = i * base + long_before;
        let len = base + usize::from(i >= m - extra);
        (start, len)
    })
}

fn fnv_chars(h: &mut u64, chars: &[char]) {
    for &c in chars {
        *h ^= u64::from(c);
        *h = h.wrapping_mul(0x0100_0000_01b3);
    }
}

/// Hash of a whole word (exact matches).
fn whole_hash(chars: &[char]) -> u64 {
    let mut h: u64 = 0x8422_2325_cbf2_9ce4;
    fnv_chars(&mut h, chars);
    h
}

/// Hash of one piece of a word with the given first character and length.
fn piece_hash(first: char, len: usize, piece: usize, text: &[char]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    fnv_chars(&mut h, &[first]);
    h ^= (len as u64) << 8 | piece as u64;
    h = h.wrapping_mul(0x0100_0000_01b3);
    fnv_chars(&mut h, text);
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspellings_match_and_neighbours_do_not() {
        let fz = Fuzzy::new(0.90, 5);
        assert!(fz.similar("abhkazia", "abkhazia"));
        assert!(fz.similar("dimitry", "dmitry"));
        assert!(fz.similar("condoleeza", "condoleezza"));
        assert!(fz.similar("tskhinvali", "tshinvali"));
        assert!(!fz.similar("gambia", "zambia"));
        assert!(!fz.similar("iran", "iraq"));
        assert!(!fz.similar("austria", "australia"));
        assert!(!fz.similar("slovenia", "slovakia"));
        assert!(!fz.similar("ivanov", "lavrov"));
        assert!(!fz.similar("prussia", "russia"));
        assert!(fz.similar("borys", "boris"));
    }

    /// A seeded xorshift generator: `next(m)` is a number below `m`.
    fn xorshift(mut rng: u64) -> impl FnMut(usize) -> usize {
        move |m| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % m as u64) as usize
        }
    }

    /// The bound never exceeds the distance it guards, on random words with accents and
    /// characters that share a bucket.
    #[test]
    fn bag_distance_bounds_osa_distance() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let alphabet = ['a', 'b', 'c', 'A', '0', 'p', 'é', 'ü', ' '];
        for _ in 0..5000 {
            let a: String = (0..next(12))
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            let b: String = (0..next(12))
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            assert!(
                bag_distance(&a, &b) <= strsim::osa_distance(&a, &b),
                "{a:?} {b:?}"
            );
        }
        assert_eq!(bag_distance("abkhazia", "abhkazia"), 0);
        assert_eq!(bag_distance("gambia", "zambia"), 1);
        assert_eq!(bag_distance("medvedev", "lavrov"), 6);
    }

    #[test]
    fn best_is_unique_or_none() {
        let fz = Fuzzy::new(0.90, 5);
        let pool = [("abkhazia", 1), ("south ossetia", 2)];
        assert_eq!(
            fz.best("abhkazia", pool.iter().map(|(s, t)| (*s, *t))),
            Some(1)
        );
        assert_eq!(fz.best("nowhere", pool.iter().map(|(s, t)| (*s, *t))), None);
        let tie = [("abcdefx", 1), ("abcdefy", 2)];
        assert_eq!(fz.best("abcdefz", tie.iter().map(|(s, t)| (*s, *t))), None);
    }

    /// The index finds exactly what a full pairwise scan with `similar` finds.
    #[test]
    fn index_agrees_with_pairwise_scan() {
        let fz = Fuzzy::new(0.85, 5);
        let words = [
            "abkhazia",
            "abhkazia",
            "abkhazian",
            "abkhazi",
            "akbhazia",
            "condoleezza",
            "condoleeza",
            "condolezza",
            "condoleezzaa",
            "kondoleezza",
            "tskhinvali",
            "tshinvali",
            "tskhinvaliy",
            "medvedev",
            "medvedv",
            "medevdev",
            "iran",
            "iraq",
            "russia",
            "prussia",
            "saakashvili",
            "saakashvilli",
            "sakashvili",
            "saakasvhili",
            "gambia",
            "zambia",
            "über",
            "übera",
            "ünited states",
            "ünited statez",
            "abc",
        ];
        let idx = FuzzyIndex::new(&fz, &words);
        for q in words
            .iter()
            .chain(["abkhasia", "medvedevv", "nowhere", ""].iter())
        {
            let want: Vec<usize> = (0..words.len())
                .filter(|&i| fz.similar(q, words[i]))
                .collect();
            assert_eq!(idx.similar_to(&fz, &words, q), want, "query {q:?}");
        }
    }

    /// Same check on many random near-duplicates: words over a 3-letter alphabet with 0–3
    /// random edits (substitution, insertion, deletion, transposition), short and long.
    #[test]
    fn index_agrees_with_pairwise_scan_on_random_edits() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let alphabet = ['a', 'b', 'c'];
        let mut words: Vec<String> = Vec::new();
        for _ in 0..60 {
            let n = 4 + next(12);
            let base: Vec<char> = (0..n).map(|_| alphabet[next(3)]).collect();
            for _ in 0..5 {
                let mut w = base.clone();
                for _ in 0..next(4) {
                    let p = next(w.len().max(1));
                    match next(4) {
                        0 if !w.is_empty() => w[p] = alphabet[next(3)],
                        1 => w.insert(p, alphabet[next(3)]),
                        2 if w.len() > 1 => {
                            w.remove(p);
                        }
                        _ if p + 1 < w.len() => w.swap(p, p + 1),
                        _ => {}
                    }
                }
                words.push(w.into_iter().collect());
            }
        }
        for threshold in [0.0, 0.9] {
            let fz = Fuzzy::new(threshold, 5);
            let idx = FuzzyIndex::new(&fz, &words);
            for q in &words {
                let want: Vec<usize> = (0..words.len())
                    .filter(|&i| fz.similar(q, &words[i]))
                    .collect();
                assert_eq!(idx.similar_to(&fz, &words, q), want, "query {q:?}");
            }
        }
    }
}
