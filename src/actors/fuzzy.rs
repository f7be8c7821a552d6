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
        let max_edits = if shortest >= 10 { 2 } else { 1 };
        strsim::damerau_levenshtein(a, b) <= max_edits
            && strsim::jaro_winkler(a, b) >= self.threshold
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
}
