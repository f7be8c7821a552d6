//! Splitting text into blocks (one block = one output paragraph candidate) and cheap line features.
//!
//! Two input shapes occur: page text with one block per line (HTML-to-text output, web scrapes)
//! and hard-wrapped text (Reuters-21578, e-mail, old wire feeds) where a paragraph spans several
//! ~70-character lines and starts with an indent or follows a blank line. Hard-wrapped text is
//! re-flowed first, otherwise every wrapped line would look like a short non-sentence line.

/// A paragraph candidate with whitespace normalised to single spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    /// The normalised text (no leading/trailing whitespace, no control characters).
    pub text: String,
    /// How many non-empty input lines were merged into this block (for `removed_lines`).
    pub lines: usize,
    /// True if a blank line (or the start of the text) precedes this block.
    pub after_blank: bool,
}

/// Splits `text` into blocks, re-flowing hard-wrapped paragraphs when the text looks wrapped.
pub(crate) fn split_blocks(text: &str) -> Vec<Block> {
    let raw: Vec<&str> = text.split('\n').collect();
    if looks_hard_wrapped(&raw) {
        reflow(&raw)
    } else {
        let mut out = Vec::new();
        let mut blank = true;
        for l in raw {
            let t = normalize_ws(l);
            if t.is_empty() {
                blank = true;
                continue;
            }
            out.push(Block {
                text: t,
                lines: 1,
                after_blank: blank,
            });
            blank = false;
        }
        out
    }
}

/// Collapses whitespace runs to one space, drops control and zero-width characters, trims.
pub(crate) fn normalize_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{FFFD}'
    )
}

fn indent_of(l: &str) -> usize {
    l.chars().take_while(|c| *c == ' ' || *c == '\t').count()
}

/// Heuristic for hard-wrapped text: no line is much longer than a right margin of 30–110
/// characters, and where a line does not end a sentence, the first word of the next line would
/// not have fitted on it (the "filled line" property of wrapped text). Page text with one block
/// per line fails one of the two: menus and captions are short lines followed by words that
/// would have fitted; paragraphs are longer than any margin.
fn looks_hard_wrapped(raw: &[&str]) -> bool {
    let mut lens: Vec<usize> = Vec::new();
    for l in raw.iter().take(20_000) {
        if !l.trim().is_empty() {
            lens.push(l.trim_end().chars().count());
        }
    }
    if lens.len() < 3 {
        return false;
    }
    let mut sorted = lens.clone();
    sorted.sort_unstable();
    let (Some(&p95), Some(&max)) = (
        sorted.get((sorted.len() * 95 / 100).min(sorted.len().saturating_sub(1))),
        sorted.last(),
    ) else {
        return false;
    };
    if !(30..=110).contains(&p95) || max > p95 + 30 {
        return false;
    }
    let (mut pairs, mut would_fit) = (0usize, 0usize);
    for w in raw.windows(2).take(20_000) {
        let (a, b) = (w[0].trim_end(), w[1].trim_end());
        if a.trim().is_empty() || b.trim().is_empty() || indent_of(b) >= 2 || ends_sentence(a) {
            continue;
        }
        let first_word = b.split_whitespace().next().map_or(0, |x| x.chars().count());
        pairs += 1;
        if a.chars().count() + 1 + first_word + 2 <= max {
            would_fit += 1;
        }
    }
    pairs >= 2 && would_fit * 5 <= pairs
}

/// True if some indented line is directly followed by a non-indented, non-empty line (a wrapped
/// paragraph continuing at the margin).
fn continuation_after_indent(raw: &[&str]) -> bool {
    raw.windows(2).any(|w| {
        indent_of(w[0]) >= 2
            && !w[0].trim().is_empty()
            && !w[1].trim().is_empty()
            && indent_of(w[1]) == 0
    })
}

/// Joins wrapped lines into paragraphs: a new paragraph starts after a blank line, at an indented
/// line (when the text indents paragraphs), or after a short line that ends a sentence.
fn reflow(raw: &[&str]) -> Vec<Block> {
    let nonempty: Vec<&str> = raw
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let indented = nonempty.iter().filter(|l| indent_of(l) >= 2).count();
    let uses_indent = indented >= 2 && continuation_after_indent(raw);
    let margin = {
        let mut lens: Vec<usize> = nonempty.iter().map(|l| l.trim().chars().count()).collect();
        lens.sort_unstable();
        lens.get(lens.len() * 9 / 10).copied().unwrap_or(0)
    };
    let mut out: Vec<Block> = Vec::new();
    let mut cur = String::new();
    let mut cur_lines = 0usize;
    let mut cur_after_blank = true;
    let mut blank = true;
    let mut prev_short_end = false;
    let flush = |out: &mut Vec<Block>, cur: &mut String, lines: &mut usize, ab: bool| {
        let t = normalize_ws(cur);
        if !t.is_empty() {
            out.push(Block {
                text: t,
                lines: *lines,
                after_blank: ab,
            });
        }
        cur.clear();
        *lines = 0;
    };
    for l in raw {
        let t = l.trim();
        if t.is_empty() {
            blank = true;
            continue;
        }
        let new_par = blank || (uses_indent && indent_of(l) >= 2) || prev_short_end;
        if new_par && cur_lines > 0 {
            flush(&mut out, &mut cur, &mut cur_lines, cur_after_blank);
        }
        if cur_lines == 0 {
            cur_after_blank = blank;
        } else {
            // "well-\nknown" → "well-known": a word broken at a hyphen continues without a
            // space. The hyphen is kept (we cannot tell "exam-ple" from "well-known" without a
            // dictionary, and keeping it loses no letters).
            let hyphen_join = cur.ends_with('-')
                && cur.chars().rev().nth(1).is_some_and(|c| c.is_alphabetic())
                && t.chars().next().is_some_and(|c| c.is_lowercase());
            if !hyphen_join {
                cur.push(' ');
            }
        }
        cur.push_str(t);
        cur_lines += 1;
        blank = false;
        let n = t.chars().count();
        prev_short_end = ends_sentence(t) && n * 10 < margin * 7;
    }
    if cur_lines > 0 {
        flush(&mut out, &mut cur, &mut cur_lines, cur_after_blank);
    }
    out
}

/// True if the line ends like a sentence (after stripping closing quotes and brackets).
pub(crate) fn ends_sentence(t: &str) -> bool {
    let trimmed = t.trim_end_matches(|c: char| {
        matches!(
            c,
            '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '」' | '』' | '*' | ' '
        )
    });
    trimmed.chars().next_back().is_some_and(|c| {
        matches!(
            c,
            '.' | '!' | '?' | '。' | '！' | '？' | ':' | ';' | '…' | '؟' | '।' | '״'
        )
    })
}

/// True for characters of scripts written without spaces (CJK, kana); each counts as half a word.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Simple shape statistics of a block.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shape {
    /// Word-like units: alphanumeric runs outside CJK, plus half a unit per CJK character.
    pub units: f32,
    /// Number of alphanumeric runs (words).
    pub words: usize,
    /// Words starting with an upper-case letter.
    pub capitalized: usize,
    /// Words that are all digits.
    pub numeric: usize,
    /// Ends like a sentence.
    pub terminal: bool,
}

/// Computes the shape of a block in one pass.
pub(crate) fn shape(t: &str) -> Shape {
    let mut s = Shape {
        terminal: ends_sentence(t),
        ..Shape::default()
    };
    let mut cjk = 0usize;
    let mut in_word = false;
    let mut first = true;
    let mut all_digit = true;
    let finish = |s: &mut Shape, all_digit: bool| {
        s.words += 1;
        if all_digit {
            s.numeric += 1;
        }
    };
    for c in t.chars() {
        if is_cjk(c) {
            cjk += 1;
            if in_word {
                finish(&mut s, all_digit);
                in_word = false;
            }
            continue;
        }
        if c.is_alphanumeric() || c == '_' || c == '\'' && in_word {
            if !in_word {
                in_word = true;
                first = true;
                all_digit = true;
            }
            if first {
                if c.is_uppercase() {
                    s.capitalized += 1;
                }
                first = false;
            }
            if !c.is_ascii_digit() {
                all_digit = false;
            }
        } else if in_word {
            finish(&mut s, all_digit);
            in_word = false;
        }
    }
    if in_word {
        finish(&mut s, all_digit);
    }
    s.units = s.words as f32 + cjk as f32 / 2.0;
    s
}

/// Lower-cased key of the alphanumeric content, digits folded to `0`: two lines that differ only
/// in spacing, punctuation, case or numbers ("34 Comments" / "12 Comments") get the same key.
pub(crate) fn fold_key(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut gap = false;
    let mut last_digit = false;
    for c in t.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            if c.is_ascii_digit() {
                if !last_digit {
                    out.push('0');
                }
                last_digit = true;
            } else {
                last_digit = false;
                out.extend(c.to_lowercase());
            }
        } else {
            gap = true;
            last_digit = false;
        }
    }
    out
}

/// Like [`fold_key`] but keeps digits: for duplicates inside one document, where "Net 1,545
/// vs 2,188" and "Net 6,635 vs 5,050" are different table rows.
pub(crate) fn exact_key(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut gap = false;
    for c in t.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// Hash of [`exact_key`] and the key's length in bytes, computed without allocating.
pub(crate) fn exact_key_hash(t: &str) -> (u64, usize) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut len = 0usize;
    let mut gap = false;
    let feed = |b: u8, h: &mut u64| {
        *h ^= u64::from(b);
        *h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    let mut buf = [0u8; 4];
    for c in t.chars() {
        if c.is_alphanumeric() {
            if gap && len > 0 {
                feed(b' ', &mut h);
                len += 1;
            }
            gap = false;
            for lc in c.to_lowercase() {
                for b in lc.encode_utf8(&mut buf).bytes() {
                    feed(b, &mut h);
                    len += 1;
                }
            }
        } else {
            gap = true;
        }
    }
    (h, len)
}

/// FNV-1a 64-bit: a fixed, dependency-free hash so corpus statistics are reproducible across runs
/// and Rust versions.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_text_keeps_one_block_per_line() {
        let t =
            "Home\nNews\n\nThe council met on Monday to discuss the budget for next year.\nShare\n";
        let b = split_blocks(t);
        assert_eq!(b.len(), 4);
        assert_eq!(
            b[2].text,
            "The council met on Monday to discuss the budget for next year."
        );
        assert!(b[2].after_blank);
        assert!(!b[3].after_blank);
    }

    #[test]
    fn indented_table_is_reflowed() {
        let t = "The board gave these figures for\nFebruary, in thousands of tonnes:\n    Wheat prev 39.9, Feb 48.7, total\n111.8 (82.7).\n    Maize nil (nil).\n    Sorghum 2.0, total 2.0 (nil)\n    Linseed prev 34.8, Feb 32.9, total\n80.8 (87.4).\n";
        let b = split_blocks(t);
        assert_eq!(b.len(), 5, "{b:?}");
        assert_eq!(b[1].text, "Wheat prev 39.9, Feb 48.7, total 111.8 (82.7).");
    }

    #[test]
    fn hard_wrapped_text_is_reflowed_at_indents() {
        // Filled to a 42-column margin, paragraphs indented, as in wire copy.
        let t = "The harbour authority said on Friday that\n\
                 shipping traffic through the northern\n\
                 channel would resume next week after the\n\
                 dredging work.\n    \
                 It said the cost of the work was not yet\n\
                 known but would be shared with the city\n\
                 council.\n    \
                 Officials declined to comment further.\n";
        let b = split_blocks(t);
        assert_eq!(b.len(), 3, "{b:?}");
        assert!(b[0].text.starts_with("The harbour authority said"));
        assert!(b[0].text.ends_with("after the dredging work."));
        assert_eq!(b[0].lines, 4);
        assert_eq!(b[2].text, "Officials declined to comment further.");
    }

    #[test]
    fn short_page_lines_are_not_reflowed() {
        // Short paragraphs and a caption: no line is "filled", so nothing is merged.
        let t = "Ferries to run at night\n\nThe harbour board approved the new timetable on Tuesday.\nA ferry at the pier\nThe ferry at the pier on Monday.AP\nMenu\nNews\nSport\n";
        assert_eq!(split_blocks(t).len(), 7);
    }

    #[test]
    fn dehyphenation_keeps_the_hyphen() {
        let t = "The committee reached what officials called a\ncompromise after long and often bitter talks\nin the capital on the question of the long-\nawaited budget that had divided the parties\nfor many months, a spokesman said on Friday\nevening.\n";
        let b = split_blocks(t);
        assert_eq!(b.len(), 1, "{b:?}");
        assert!(
            b[0].text.contains("the long-awaited budget"),
            "{}",
            b[0].text
        );
    }

    #[test]
    fn normalisation_and_shapes() {
        assert_eq!(normalize_ws("  a\u{200B}b \t c\u{0007} "), "ab c");
        let s = shape("Prices rose 3 percent in May.");
        assert_eq!(s.words, 6);
        assert_eq!(s.numeric, 1);
        assert!(s.terminal);
        assert!(shape("東京で会議が開かれた。").units >= 4.0);
        assert!(ends_sentence("He said: \"No.\""));
        assert!(!ends_sentence("Ceasefire under strain"));
        assert_eq!(fold_key("34 Comments!"), fold_key("12  comments"));
        assert_ne!(
            exact_key("Net 1,545 vs 2,188"),
            exact_key("Net 6,635 vs 5,050")
        );
        assert_eq!(
            exact_key("Net 1,545 vs 2,188."),
            exact_key("net 1 545 vs 2 188")
        );
    }
}
