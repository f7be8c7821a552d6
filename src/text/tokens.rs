//! Word tokenizer following CoNLL-2003 / Penn Treebank conventions, because the NER model
//! is trained on CoNLL tokens.
//!
//! Conventions (checked against CoNLL-2003 train and OntoNotes 5):
//! - punctuation is split off words: `,` `;` `:` `?` `!` quotes, brackets, `%`, and the
//!   currency sign before a number (`$ 100`, but `US$` and `C$` stay whole as in CoNLL);
//! - the sentence-final period is always its own token, even after an abbreviation
//!   (CoNLL has `Inc .` and `U.S .` at sentence end); inside a sentence abbreviations and
//!   initials keep their period (`U.S.`, `Gen.`, `Aug.`, `W.`);
//! - clitics are split: `Russia's` → `Russia` `'s`, `don't` → `do` `n't`, `can't` → `ca` `n't`,
//!   `I'm` → `I` `'m` (straight or curly apostrophe); `cannot` and `o'clock` stay whole;
//! - numbers (`1,000.50`, `2008-08-14`, `9/11`, `6-4`, `8:22:00`), hyphenated words
//!   (`self-styled`), URLs and e-mail addresses stay whole;
//! - ellipses (`...`, `…`, `....`) are one token; `--` and `—` are split off as tokens.
//!
//! All offsets are byte offsets into the full text.

use std::ops::Range;

use super::sentences::is_builtin_abbreviation;

/// Appends byte ranges (absolute offsets into `text`) of the word tokens inside `range`.
///
/// `range` is normally one sentence from [`super::sentences::SentenceSplitter::split`]: the
/// period at its end is split off as the sentence-final period. Out-of-bounds or
/// non-char-boundary ranges are clamped inward, never causing a panic. Tokens are
/// non-empty, in order, non-overlapping, contain no whitespace and lie inside `range`.
pub fn tokenize_into(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let mut start = range.start.min(text.len());
    let mut end = range.end.min(text.len());
    while start < end && !text.is_char_boundary(start) {
        start += 1;
    }
    while end > start && !text.is_char_boundary(end) {
        end -= 1;
    }
    // One chunk of lookahead so the last chunk can be treated as sentence-final.
    let mut tail = Vec::new();
    let mut cur = next_chunk(text, start, end);
    while let Some(chunk) = cur {
        let next = next_chunk(text, chunk.end, end);
        word(text, chunk, next.is_none(), true, out, &mut tail);
        cur = next;
    }
}

/// The next maximal run of non-whitespace characters in `text[pos..end]`.
fn next_chunk(text: &str, pos: usize, end: usize) -> Option<Range<usize>> {
    let s = text.get(pos..end)?;
    let first = s.find(|c: char| !c.is_whitespace())?;
    let len = s[first..]
        .find(char::is_whitespace)
        .unwrap_or(s.len() - first);
    Some(pos + first..pos + first + len)
}

/// Convenience: tokens of `range` as a new vector.
pub fn tokenize(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    tokenize_into(text, range, &mut out);
    out
}

fn is_leading_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '“' | '(' | '[' | '{' | '«' | '‹' | '¿' | '¡' | '„' | '`' | '*'
    )
}

fn is_closing_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '”' | '’' | '\'' | ')' | ']' | '}' | '»' | '›' | '*'
    )
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’' || c == '‘'
}

fn is_currency(c: char) -> bool {
    matches!(c, '$' | '£' | '€' | '¥')
}

/// Clitics split off the end of a word (compared case-insensitively, apostrophe normalised).
const CLITICS: &[&str] = &["'s", "'m", "'d", "'ll", "'re", "'ve"];

fn push(out: &mut Vec<Range<usize>>, r: Range<usize>) {
    if r.start < r.end {
        out.push(r);
    }
}

/// URL or e-mail address: kept whole apart from trailing punctuation.
fn looks_like_url(s: &str) -> bool {
    if s.contains("://") || s.starts_with("www.") || s.starts_with("WWW.") {
        return true;
    }
    match s.find('@') {
        Some(at) if at > 0 => s[at + 1..]
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .contains('.'),
        _ => false,
    }
}

/// Length in bytes of the clitic at the end of `s`, if any (`'s`, `n't`, ...).
fn clitic_len(s: &str) -> Option<usize> {
    for pat in ["n't", "n’t"] {
        if s.len() > pat.len() && ends_with_ignore_ascii_case(s, pat) {
            let head = &s[..s.len() - pat.len()];
            if head.chars().next_back().is_some_and(char::is_alphabetic) {
                return Some(pat.len());
            }
        }
    }
    let last_apos = s.rfind(is_apostrophe)?;
    let suffix = &s[last_apos..];
    let apos_len = suffix.chars().next().map_or(1, char::len_utf8);
    let rest = &suffix[apos_len..];
    let head = &s[..last_apos];
    if head.is_empty()
        || !head
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '.')
    {
        return None;
    }
    let known = CLITICS
        .iter()
        .any(|c| c.len() == rest.len() + 1 && c[1..].eq_ignore_ascii_case(rest));
    known.then_some(suffix.len())
}

fn ends_with_ignore_ascii_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.is_char_boundary(s.len() - suffix.len())
        && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Tokenizes one whitespace-free chunk `r`. `is_last`: last chunk of the sentence.
/// `outer`: first level (internal pieces are processed once more with `outer = false`).
fn word(
    text: &str,
    r: Range<usize>,
    is_last: bool,
    outer: bool,
    out: &mut Vec<Range<usize>>,
    tail: &mut Vec<Range<usize>>,
) {
    let Some(_) = text.get(r.clone()) else {
        return;
    };
    let mut a = r.start;
    let mut b = r.end;
    let s = |a: usize, b: usize| text.get(a..b).unwrap_or("");

    // 1. Leading punctuation, currency signs and leading ellipses/dashes.
    loop {
        let cur = s(a, b);
        let Some(c) = cur.chars().next() else { break };
        let cl = c.len_utf8();
        if cur.len() == cl {
            break;
        }
        if is_leading_punct(c) {
            push(out, a..a + cl);
            a += cl;
            continue;
        }
        if is_apostrophe(c) {
            let rest = &cur[cl..];
            let is_clitic = CLITICS.iter().any(|k| k[1..].eq_ignore_ascii_case(rest));
            if rest.starts_with(|d: char| d.is_ascii_digit())
                || is_clitic
                || rest.eq_ignore_ascii_case("em")
            {
                break;
            }
            push(out, a..a + cl);
            a += cl;
            continue;
        }
        if c == '.' || c == '…' || c == '-' || c == '—' {
            let run = cur.find(|d: char| d != c).unwrap_or(cur.len());
            let is_ellipsis = c == '…' || (c == '.' && run >= 2);
            let is_dash = c == '—' || (c == '-' && run >= 2);
            if (is_ellipsis || is_dash) && run < cur.len() {
                push(out, a..a + run);
                a += run;
                continue;
            }
        }
        // Currency before a number: `$100` → `$` `100`; `US$100` → `US$` `100`.
        let prefix = cur
            .find(|d: char| !d.is_ascii_uppercase())
            .unwrap_or(cur.len());
        if prefix <= 3 {
            let after = &cur[prefix..];
            if let Some(sym) = after.chars().next().filter(|&d| is_currency(d)) {
                let sl = sym.len_utf8();
                if after[sl..].starts_with(|d: char| d.is_ascii_digit()) {
                    push(out, a..a + prefix + sl);
                    a += prefix + sl;
                }
            }
        }
        break;
    }

    // 2. URLs and e-mail addresses: only trailing punctuation comes off.
    if looks_like_url(s(a, b)) {
        let local_tail_start = tail.len();
        while b > a {
            let Some(c) = s(a, b).chars().next_back() else {
                break;
            };
            if matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '>') || is_closing_punct(c) {
                let cl = c.len_utf8();
                tail.push(b - cl..b);
                b -= cl;
            } else {
                break;
            }
        }
        push(out, a..b);
        while tail.len() > local_tail_start {
            if let Some(t) = tail.pop() {
                push(out, t);
            }
        }
        return;
    }

    // 3. Trailing punctuation and clitics (collected in reverse order).
    let local_tail_start = tail.len();
    let mut only_closers = true;
    loop {
        let cur = s(a, b);
        let Some(c) = cur.chars().next_back() else {
            break;
        };
        let cl = c.len_utf8();
        if cur.len() == cl {
            break;
        }
        if is_closing_punct(c) {
            tail.push(b - cl..b);
            b -= cl;
            // `(U.S.)`: a period before a closing bracket belongs to the bracketed text.
            only_closers &= !matches!(c, ')' | ']' | '}');
            continue;
        }
        if matches!(c, ',' | ';' | ':' | '%') {
            tail.push(b - cl..b);
            b -= cl;
            only_closers = false;
            continue;
        }
        if matches!(c, '?' | '!' | '‽') {
            let head = cur.trim_end_matches(['?', '!', '‽']);
            if head.is_empty() {
                break;
            }
            tail.push(a + head.len()..b);
            b = a + head.len();
            only_closers = false;
            continue;
        }
        if c == '.' || c == '…' {
            let head = cur.trim_end_matches(['.', '…']);
            if head.is_empty() {
                break;
            }
            let run = &cur[head.len()..];
            if run.len() >= 2 {
                // `...`, `....`, `…`: one token.
                tail.push(a + head.len()..b);
                b = a + head.len();
                only_closers = false;
                continue;
            }
            let sentence_final = is_last && outer && only_closers;
            let w = head.trim_start_matches(is_apostrophe);
            let keep = !sentence_final && (is_builtin_abbreviation(w) || is_list_number(w));
            if keep {
                break;
            }
            tail.push(b - 1..b);
            b -= 1;
            only_closers = false;
            continue;
        }
        if let Some(len) = clitic_len(cur) {
            tail.push(b - len..b);
            b -= len;
            only_closers = false;
            continue;
        }
        break;
    }

    // 4. Internal splits (`said,"The`, `word--word`, `a—b`, `mean...see`).
    if outer {
        split_inside(text, a..b, is_last, out, tail);
    } else {
        push(out, a..b);
    }
    while tail.len() > local_tail_start {
        if let Some(t) = tail.pop() {
            push(out, t);
        }
    }
}

/// `1.` / `12.` as used for ranks and list items in CoNLL (`1. Jones`).
fn is_list_number(w: &str) -> bool {
    !w.is_empty() && w.len() <= 2 && w.bytes().all(|b| b.is_ascii_digit())
}

/// Splits `r` at internal punctuation and tokenizes each piece without further splitting.
fn split_inside(
    text: &str,
    r: Range<usize>,
    is_last: bool,
    out: &mut Vec<Range<usize>>,
    tail: &mut Vec<Range<usize>>,
) {
    let Some(s) = text.get(r.clone()) else {
        return;
    };
    let base = r.start;
    let mut piece_start = 0usize;
    let mut i = 0usize;
    let mut prev: Option<char> = None;
    while let Some(c) = s.get(i..).and_then(|t| t.chars().next()) {
        let cl = c.len_utf8();
        let next = s.get(i + cl..).and_then(|t| t.chars().next());
        let digit_both =
            prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|d| d.is_ascii_digit());
        let run_of = |ch: char| s[i..].find(|d: char| d != ch).unwrap_or(s.len() - i);
        let sep_len = match c {
            ',' | '–' if !digit_both => cl,
            ';' | '"' | '“' | '”' | '(' | ')' | '[' | ']' | '{' | '}' | '—' => cl,
            '…' => run_of('…'),
            '!' | '?' => s[i..]
                .find(|d: char| d != '!' && d != '?')
                .unwrap_or(s.len() - i),
            '.' if next == Some('.') => run_of('.'),
            '-' if next == Some('-') => run_of('-'),
            _ => 0,
        };
        if sep_len == 0 {
            prev = Some(c);
            i += cl;
            continue;
        }
        if i > piece_start {
            word(text, base + piece_start..base + i, false, false, out, tail);
        }
        push(out, base + i..base + i + sep_len);
        i += sep_len;
        piece_start = i;
        prev = s.get(..i).and_then(|t| t.chars().next_back());
    }
    if piece_start < s.len() {
        word(
            text,
            base + piece_start..r.end,
            is_last && piece_start == 0,
            false,
            out,
            tail,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<&str> {
        tokenize(text, 0..text.len())
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn punctuation_and_final_period() {
        assert_eq!(
            toks("Russia's army, which isn't small, said: \"No.\""),
            [
                "Russia", "'s", "army", ",", "which", "is", "n't", "small", ",", "said", ":", "\"",
                "No", ".", "\""
            ]
        );
        assert_eq!(
            toks("He works for Acme Inc."),
            ["He", "works", "for", "Acme", "Inc", "."]
        );
        assert_eq!(
            toks("(Reuters) - Fine."),
            ["(", "Reuters", ")", "-", "Fine", "."]
        );
    }

    #[test]
    fn abbreviations_and_initials_keep_period_inside_sentence() {
        assert_eq!(
            toks("U.S. Gen. George W. Bush met on Aug. 14 at 5 p.m. today."),
            [
                "U.S.", "Gen.", "George", "W.", "Bush", "met", "on", "Aug.", "14", "at", "5",
                "p.m.", "today", "."
            ]
        );
    }

    #[test]
    fn clitics() {
        assert_eq!(
            toks("I can't, won't, don't"),
            ["I", "ca", "n't", ",", "wo", "n't", ",", "do", "n't"]
        );
        assert_eq!(
            toks("They’re at Jones’ o'clock cannot"),
            ["They", "’re", "at", "Jones", "’", "o'clock", "cannot"]
        );
        assert_eq!(toks("the '90s"), ["the", "'90s"]);
    }

    #[test]
    fn numbers_hyphens_urls() {
        assert_eq!(
            toks("It cost $1,000.50 (£600m) on 2008-08-14, up 5%, after 9/11 and 6-4 wins."),
            [
                "It",
                "cost",
                "$",
                "1,000.50",
                "(",
                "£",
                "600m",
                ")",
                "on",
                "2008-08-14",
                ",",
                "up",
                "5",
                "%",
                ",",
                "after",
                "9/11",
                "and",
                "6-4",
                "wins",
                "."
            ]
        );
        assert_eq!(
            toks("Russia-backed self-styled rebels; see https://ex.com/a.html. Mail jo.doe@ex.org, US$5"),
            [
                "Russia-backed", "self-styled", "rebels", ";", "see", "https://ex.com/a.html", ".", "Mail",
                "jo.doe@ex.org", ",", "US$", "5"
            ]
        );
    }

    #[test]
    fn quotes_dashes_ellipses() {
        assert_eq!(
            toks("“Go…” he said--quietly—then left... ‘Fine?!’"),
            [
                "“", "Go", "…", "”", "he", "said", "--", "quietly", "—", "then", "left", "...",
                "‘", "Fine", "?!", "’"
            ]
        );
        assert_eq!(
            toks("said,\"The end.\""),
            ["said", ",", "\"", "The", "end", ".", "\""]
        );
    }

    #[test]
    fn offsets_valid_and_inside_range() {
        let text = "Ça va? «Très bien», dit-il… 100 €. “Über-cool” O’Neill’s.";
        let start = 3;
        let end = text.len();
        let toks = tokenize(text, start..end);
        let mut prev = start;
        for t in &toks {
            assert!(t.start >= prev && t.start < t.end && t.end <= end, "{t:?}");
            assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            assert!(!text[t.clone()].contains(char::is_whitespace));
            prev = t.end;
        }
        // Tokens cover all non-whitespace characters of the range.
        let covered: usize = toks.iter().map(|t| t.len()).sum();
        let non_ws: usize = text[start..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(char::len_utf8)
            .sum();
        assert_eq!(covered, non_ws);
    }

    #[test]
    fn bad_ranges_do_not_panic() {
        let text = "é bad";
        assert_eq!(tokenize(text, 1..100).len(), 1);
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 5..2;
        assert!(tokenize(text, reversed).is_empty());
        assert!(tokenize("", 0..0).is_empty());
    }

    #[test]
    fn tokens_lie_inside_sentences_on_random_input() {
        let sp =
            super::super::sentences::SentenceSplitter::new(&Default::default()).expect("valid");
        let mut seed: u64 = 42;
        for round in 0..200 {
            let mut bytes = Vec::new();
            for _ in 0..(round * 13) % 1500 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                bytes.push(match seed % 6 {
                    0 => b". ,'\"-$%"[(seed >> 8) as usize % 8],
                    1 => b' ',
                    _ => (seed >> 16) as u8,
                });
            }
            let text = String::from_utf8_lossy(&bytes);
            for sent in sp.split(&text) {
                let toks = tokenize(&text, sent.clone());
                let mut prev = sent.start;
                for t in &toks {
                    assert!(t.start >= prev && t.start < t.end && t.end <= sent.end);
                    assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
                    prev = t.end;
                }
                let covered: usize = toks.iter().map(|t| t.len()).sum();
                let non_ws: usize = text[sent.clone()]
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .map(char::len_utf8)
                    .sum();
                assert_eq!(covered, non_ws, "{:?}", &text[sent]);
            }
        }
        let dots = ".".repeat(1 << 20);
        assert_eq!(tokenize(&dots, 0..dots.len()).len(), 1);
    }
}
