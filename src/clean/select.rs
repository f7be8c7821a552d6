//! Choosing the article body: the contiguous run of lines with the largest "prose mass".
//!
//! Every line gets a score: sentence-like lines count positive (by length, capped), chrome,
//! captions, dates and short labels count negative, and trailer openers ("Comments", "Related
//! stories") count strongly negative. The body is the maximum-sum contiguous segment (Kadane),
//! the line-level analogue of Finn et al.'s Body Text Extraction. Sub-headings, ads and captions
//! inside the article cost a little but are outweighed by the paragraphs around them; menus
//! and teaser lists outside it never accumulate enough positive mass.

use super::classify::{Kind, Line};

/// Scoring weights. Tuned on the even-numbered half of the AEB plain-text set (see
/// `eval::clean`); kept as constants because they encode the method, not user preferences.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Weights {
    /// Cap on the positive weight of one prose line (units ≈ words).
    pub prose_cap: f32,
    /// Multiplier for a prose line with no prose neighbour (teaser summaries in link lists).
    pub isolated: f32,
    /// Score of a short sentence ("Nobody was hurt.").
    pub short_prose: f32,
    /// Penalty for a short non-sentence line.
    pub short: f32,
    /// Penalty for chrome, captions, wire notes and corpus-repeated lines.
    pub chrome: f32,
    /// Penalty for date lines, bylines and teasers.
    pub meta: f32,
    /// Penalty for a trailer opener.
    pub end: f32,
    /// Penalty for the earlier copy of a repeated line.
    pub dup: f32,
    /// A chunk before the best one wins if it has at least this share of the best mass.
    pub first_chunk_share: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            prose_cap: 40.0,
            isolated: 0.2,
            short_prose: 1.0,
            short: 2.5,
            chrome: 5.0,
            meta: 4.0,
            end: 30.0,
            dup: 3.0,
            first_chunk_share: 0.5,
        }
    }
}

/// Per-line scores.
pub(crate) fn scores(lines: &[Line], w: &Weights) -> Vec<f32> {
    // Neighbours are looked up across interleaved chrome (ads, captions, wire notes,
    // corpus-repeated lines): a paragraph between two photos is not a lonely teaser.
    let see_through = |l: &Line| {
        matches!(
            l.kind,
            Kind::Drop | Kind::Caption | Kind::Wire | Kind::Corpus
        )
    };
    let prose_before = |i: usize| {
        lines
            .get(..i)
            .and_then(|h| h.iter().rev().find(|l| !see_through(l)))
            .is_some_and(|l| l.kind == Kind::Prose)
    };
    let prose_after = |i: usize| {
        lines
            .get(i + 1..)
            .and_then(|t| t.iter().find(|l| !see_through(l)))
            .is_some_and(|l| l.kind == Kind::Prose)
    };
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if l.earlier_dup {
                return -w.dup;
            }
            match l.kind {
                Kind::Prose => {
                    let v = l.shape.units.min(w.prose_cap);
                    let neighbour = prose_before(i) || prose_after(i);
                    if neighbour {
                        v
                    } else {
                        v * w.isolated
                    }
                }
                Kind::ShortProse => w.short_prose,
                Kind::Long => 0.0,
                Kind::Short => -w.short,
                Kind::Teaser | Kind::Meta => -w.meta,
                Kind::Drop | Kind::Caption | Kind::Wire | Kind::Corpus => -w.chrome,
                Kind::End | Kind::Stop => -w.end,
            }
        })
        .collect()
}

/// Prose mass of roughly one full paragraph (a prose line scores at most `prose_cap` = 40).
const PARAGRAPH_MASS: f32 = 45.0;

/// Chooses the body: comment-section openers (`Kind::Stop`) split the page into chunks; each chunk's
/// best segment is found with [`best_segment`], and the first chunk whose segment carries at
/// least `min_share` of the best chunk's mass wins. Articles come before their comment
/// sections and link lists, which can hold more prose than a short article.
pub(crate) fn best_region(
    lines: &[Line],
    scores: &[f32],
    min_share: f32,
) -> Option<(usize, usize)> {
    let mut chunks: Vec<(f32, (usize, usize))> = Vec::new();
    let mut start = 0usize;
    for i in 0..=lines.len() {
        let wall = lines.get(i).is_none_or(|l| l.kind == Kind::Stop);
        if !wall {
            continue;
        }
        if let Some(sc) = scores.get(start..i) {
            if let Some((a, b)) = best_segment(sc) {
                let mass: f32 = sc.get(a..b).map_or(0.0, |v| v.iter().sum());
                chunks.push((mass, (start + a, start + b)));
            }
        }
        start = i + 1;
    }
    let max = chunks.iter().map(|c| c.0).fold(0.0f32, f32::max);
    // A chunk with a full paragraph's worth of prose before the comments wins even when the
    // comment thread is longer than the article.
    let enough = (min_share * max).min(PARAGRAPH_MASS);
    chunks.iter().find(|c| c.0 >= enough).map(|c| c.1)
}

/// Widens the chosen body where the scores are blind:
/// - backwards over up to two long non-sentence lines directly above it (a lede printed without
///   a final period scores zero, so the maximum-sum segment starts just after it);
/// - forwards over a list or table that follows the last paragraph (tour dates, results): at
///   most one heading line, then at least three lines that each contain a digit and share the
///   same shape (first character class and first punctuation mark).
pub(crate) fn extend_region(
    lines: &[Line],
    (mut start, mut end): (usize, usize),
) -> (usize, usize) {
    let mut back = 0;
    while back < 2 && start > 0 {
        match lines.get(start - 1) {
            Some(l) if l.kind == Kind::Long && !l.earlier_dup => {
                start -= 1;
                back += 1;
            }
            _ => break,
        }
    }
    let listy = |l: &Line| {
        matches!(
            l.kind,
            Kind::Short | Kind::Long | Kind::ShortProse | Kind::Prose
        ) && !l.earlier_dup
            && l.text.chars().any(|c| c.is_ascii_digit())
    };
    for skip in 0..=1usize {
        let first = end + skip;
        let Some(head) = lines.get(first) else { break };
        if !listy(head) {
            if skip == 0 && matches!(head.kind, Kind::Short | Kind::Long) {
                continue;
            }
            break;
        }
        let key = shape_key(&head.text);
        let run = lines.get(first..).map_or(0, |rest| {
            rest.iter()
                .take_while(|l| listy(l) && shape_key(&l.text) == key)
                .count()
        });
        if run >= 3 {
            end = first + run;
        }
        break;
    }
    (start, end)
}

/// Keeps everything after the body when the tail shows no sign of page chrome (no pattern hit,
/// caption, date line, byline or corpus-repeated line; wire credits and signatures do not
/// count). Already-clean article text (wire copy, corpus files) then keeps its trailing lists
/// and tables, while page text, which always has chrome after the article, is trimmed. The
/// head gets the same treatment only when the title is known from elsewhere (`head_too`):
/// otherwise the lines above the first paragraph are kickers, headlines and bylines.
pub(crate) fn extend_clean_margins(
    lines: &[Line],
    (start, end): (usize, usize),
    head_too: bool,
) -> (usize, usize) {
    let chrome = |l: &Line| {
        matches!(
            l.kind,
            Kind::Drop | Kind::End | Kind::Stop | Kind::Caption | Kind::Meta | Kind::Corpus
        ) || l.earlier_dup
    };
    let tail_clean = lines.get(end..).is_some_and(|t| !t.iter().any(chrome));
    let head_clean = head_too && lines.get(..start).is_some_and(|h| !h.iter().any(chrome));
    (
        if head_clean { 0 } else { start },
        if tail_clean { lines.len() } else { end },
    )
}

/// (class of the first character, first punctuation mark) — equal for the rows of a list.
fn shape_key(t: &str) -> (u8, char) {
    let first = t.chars().next().map_or(0, |c| {
        if c.is_numeric() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_alphabetic() {
            3
        } else {
            4
        }
    });
    let punct = t
        .chars()
        .find(|c| {
            !c.is_alphanumeric() && !c.is_whitespace() && *c != '\'' && *c != '’' && *c != '.'
        })
        .unwrap_or(' ');
    (first, punct)
}

/// Maximum-sum contiguous segment `[start, end)`; `None` if no line scores above zero.
pub(crate) fn best_segment(scores: &[f32]) -> Option<(usize, usize)> {
    let mut best = 0.0f32;
    let mut best_range = None;
    let mut cur = 0.0f32;
    let mut start = 0usize;
    for (i, &s) in scores.iter().enumerate() {
        if cur <= 0.0 {
            cur = 0.0;
            start = i;
        }
        cur += s;
        if cur > best {
            best = cur;
            best_range = Some((start, i + 1));
        }
    }
    best_range
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kadane_finds_the_dense_middle() {
        let s = [-2.0, -2.0, 30.0, -2.0, 25.0, 28.0, -30.0, 20.0, -2.0];
        assert_eq!(best_segment(&s), Some((2, 6)));
        assert_eq!(best_segment(&[-1.0, -3.0]), None);
        assert_eq!(best_segment(&[]), None);
    }
}
