//! Test helper: builds a [`Doc`] by hand (sentences split after ". ", "? ", "! " and at line
//! breaks; tokens split at whitespace and punctuation, with "'s" as its own token) and marks
//! every occurrence of the given entity strings with their labels.

use crate::doc::{ByteSpan, Doc, DocId, DocMeta, Entity, Sentence, Source};

fn tokenize(text: &str, start: usize, end: usize, out: &mut Vec<ByteSpan>) {
    let s = &text[start..end];
    let mut i = 0;
    let bytes: Vec<(usize, char)> = s.char_indices().collect();
    while i < bytes.len() {
        let (b, c) = bytes[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if (c == '\'' || c == '’')
            && bytes.get(i + 1).is_some_and(|&(_, n)| n == 's')
            && bytes.get(i + 2).is_none_or(|&(_, n)| !n.is_alphanumeric())
        {
            let e = bytes[i + 1].0 + 1;
            out.push(ByteSpan::new(start + b, start + e));
            i += 2;
            continue;
        }
        if c.is_alphanumeric() {
            let mut j = i;
            // words keep inner periods of initials/abbreviations (U.S.) and hyphens
            while j < bytes.len() {
                let (_, cj) = bytes[j];
                let inner = (cj == '.' || cj == '-' || cj == '/')
                    && bytes.get(j + 1).is_some_and(|&(_, n)| n.is_alphanumeric());
                let abbrev = cj == '.' && j > i && j - i == 1 && bytes[j - 1].1.is_uppercase();
                if cj.is_alphanumeric() || inner || abbrev {
                    j += 1;
                } else {
                    break;
                }
            }
            let e = bytes.get(j).map(|&(x, _)| x).unwrap_or(s.len());
            out.push(ByteSpan::new(start + b, start + e));
            i = j;
        } else {
            out.push(ByteSpan::new(start + b, start + b + c.len_utf8()));
            i += 1;
        }
    }
}

/// A document with sentences, tokens and the given entities (every occurrence of each string,
/// aligned to token boundaries).
pub fn doc_from(text: &str, entities: &[(&str, &str)]) -> Doc {
    let mut doc = Doc::new(
        DocId::from_source_key("test"),
        Source::plain_text("test"),
        String::new(),
        DocMeta::default(),
    );
    doc.text = text.to_string();
    // sentence boundaries
    let mut bounds = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(b, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1).map(|&(_, n)| n);
        let next2 = chars.get(k + 2).map(|&(_, n)| n);
        let end_here = c == '\n'
            || (matches!(c, '.' | '?' | '!')
                && next == Some(' ')
                && next2.is_some_and(|n| n.is_uppercase() || n == '"' || n == '“'))
            || (matches!(c, '"' | '”')
                && k > 0
                && matches!(chars[k - 1].1, '.' | '?' | '!')
                && next == Some(' ')
                && next2.is_some_and(|n| n.is_uppercase() || n == '"' || n == '“'));
        if end_here {
            let e = if c == '\n' { b } else { b + c.len_utf8() };
            bounds.push((start, e));
            start = b + c.len_utf8();
        }
    }
    bounds.push((start, text.len()));
    for (s, e) in bounds {
        let seg = &text[s..e];
        let lead = seg.len() - seg.trim_start().len();
        let (s, e) = (s + lead, s + lead + seg.trim().len());
        if s >= e {
            continue;
        }
        let t0 = doc.tokens.len();
        tokenize(text, s, e, &mut doc.tokens);
        doc.sentences.push(Sentence {
            span: ByteSpan::new(s, e),
            token_start: t0,
            token_end: doc.tokens.len(),
        });
    }
    for (surface, label) in entities {
        if surface.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(pos) = text[from..].find(surface) {
            let (s, e) = (from + pos, from + pos + surface.len());
            from = e;
            let ts = doc.tokens.iter().position(|t| t.start == s);
            let te = doc.tokens.iter().position(|t| t.end == e);
            if let (Some(ts), Some(te)) = (ts, te) {
                let sent = doc
                    .sentences
                    .iter()
                    .position(|x| x.token_start <= ts && ts < x.token_end)
                    .unwrap_or(0);
                doc.entities.push(Entity {
                    sent,
                    token_start: ts,
                    token_end: te + 1,
                    span: ByteSpan::new(s, e),
                    label: label.to_string(),
                    score: 1.0,
                });
            }
        }
    }
    doc.entities
        .sort_by_key(|e| (e.span.start, std::cmp::Reverse(e.span.end)));
    // drop entities overlapping an earlier (longer) one
    let mut kept: Vec<Entity> = Vec::new();
    for e in std::mem::take(&mut doc.entities) {
        if kept.last().is_none_or(|k| k.span.end <= e.span.start) {
            kept.push(e);
        }
    }
    doc.entities = kept;
    doc
}
