//! Finding quoted passages: pairs of quotation marks within a paragraph.
//!
//! Marks: curly `“ ”`, low-high `„ “`, guillemets `« »`, and straight `"`, whose direction is
//! read from its neighbours (after a space or at the start of a paragraph it opens; before a
//! space or punctuation it closes). Single quotes are ignored: in English news they are mostly
//! apostrophes or headline quotes, and pairing them is unreliable. A quote never crosses a line
//! break; a quote still open at the end of a paragraph is kept as an *unclosed* quote running to
//! the paragraph end (the news convention for quotes that continue in the next paragraph).

use crate::doc::ByteSpan;

/// A quoted passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteMarks {
    /// Byte offset of the opening mark.
    pub open: usize,
    /// Byte offset just after the closing mark, or the paragraph end for an unclosed quote.
    pub end: usize,
    /// Text between the marks, whitespace trimmed.
    pub content: ByteSpan,
    /// True when the quote has no closing mark in its paragraph.
    pub unclosed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Open,
    Close,
    Either,
}

fn opens_after(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c.is_whitespace() || matches!(c, '(' | '[' | '{' | '—' | '–' | '-' | '/' | ':'),
    }
}

fn closes_before(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || matches!(
                    c,
                    '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}' | '—' | '–' | '-' | '…'
                )
        }
    }
}

/// Quoted passages of `text`, in order.
pub fn find_quotes(text: &str) -> Vec<QuoteMarks> {
    let mut out = Vec::new();
    let mut para_start = 0;
    for line in text.split('\n') {
        scan_paragraph(text, para_start, para_start + line.len(), &mut out);
        para_start += line.len() + 1;
    }
    out
}

/// Byte spans of the quoted contents.
pub fn quoted_spans(text: &str) -> Vec<ByteSpan> {
    find_quotes(text).into_iter().map(|q| q.content).collect()
}

fn scan_paragraph(text: &str, start: usize, end: usize, out: &mut Vec<QuoteMarks>) {
    let Some(para) = text.get(start..end) else {
        return;
    };
    let mut open: Option<(usize, usize)> = None; // (offset of the mark, its byte length)
    let mut prev: Option<char> = None;
    let mut iter = para.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next = iter.peek().map(|&(_, n)| n);
        let role = match c {
            // After a low "„" (German, Czech…), "“" closes.
            '“' if open.is_some_and(|(o, _)| text.get(o..).is_some_and(|t| t.starts_with('„'))) => {
                Some(Role::Close)
            }
            '“' | '„' | '«' => Some(Role::Open),
            '”' | '»' => Some(Role::Close),
            '"' => {
                let (o, cl) = (opens_after(prev), closes_before(next));
                Some(match (o, cl) {
                    (true, false) => Role::Open,
                    (false, true) => Role::Close,
                    _ => Role::Either,
                })
            }
            _ => None,
        };
        prev = Some(c);
        let Some(role) = role else { continue };
        let pos = start + i;
        let len = c.len_utf8();
        match (open, role) {
            (Some((o, ol)), Role::Close | Role::Either) => {
                push(text, o, o + ol, pos, pos + len, false, out);
                open = None;
            }
            (_, Role::Open | Role::Either) => open = Some((pos, len)),
            (None, Role::Close) => {}
        }
    }
    if let Some((o, ol)) = open {
        push(text, o, o + ol, end, end, true, out);
    }
}

fn push(
    text: &str,
    open: usize,
    inner_start: usize,
    inner_end: usize,
    end: usize,
    unclosed: bool,
    out: &mut Vec<QuoteMarks>,
) {
    let Some(inner) = text.get(inner_start..inner_end) else {
        return;
    };
    if !inner.chars().any(char::is_alphanumeric) {
        return;
    }
    let lead = inner.len() - inner.trim_start().len();
    let trimmed = inner.trim();
    let s = inner_start + lead;
    out.push(QuoteMarks {
        open,
        end,
        content: ByteSpan::new(s, s + trimmed.len()),
        unclosed,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(text: &str) -> Vec<&str> {
        find_quotes(text)
            .iter()
            .map(|q| q.content.slice(text))
            .collect()
    }

    #[test]
    fn straight_and_curly_pairs() {
        assert_eq!(
            contents("\"We will stay,\" she said, \"and we will win.\""),
            vec!["We will stay,", "and we will win."]
        );
        assert_eq!(
            contents("“Yes,” he said. «Non» — „Ja“"),
            vec!["Yes,", "Non", "Ja"]
        );
        assert_eq!(contents("called it \"a farce\"."), vec!["a farce"]);
    }

    #[test]
    fn unclosed_quote_runs_to_paragraph_end_and_never_crosses_lines() {
        let text = "\"First paragraph goes on.\n\"Second one ends,\" he said.";
        let q = find_quotes(text);
        assert_eq!(q.len(), 2);
        assert!(q[0].unclosed);
        assert_eq!(q[0].content.slice(text), "First paragraph goes on.");
        assert!(!q[1].unclosed);
        assert_eq!(q[1].content.slice(text), "Second one ends,");
    }

    #[test]
    fn stray_marks_do_not_panic() {
        assert!(contents("” a ” b").is_empty());
        assert!(contents("\"").is_empty());
        assert_eq!(contents("5\" pipe and \"x y\""), vec!["x y"]);
    }
}
