//! A read-only view of a document's tokens that the actor and quote rules share: token text,
//! normalised keys, sentence of each token, and which tokens are inside quotation marks.

use std::ops::Range;

use crate::doc::{ByteSpan, Doc};

use super::names::{is_capitalized, normalize_key};

/// Token-level view of a [`Doc`].
#[derive(Debug)]
pub struct TokenView<'a> {
    text: &'a str,
    spans: &'a [ByteSpan],
    keys: Vec<String>,
    sent_of: Vec<usize>,
    sent_ranges: Vec<Range<usize>>,
    in_quote: Vec<bool>,
}

impl<'a> TokenView<'a> {
    /// Builds the view; `quoted` are byte spans inside quotation marks.
    pub fn new(doc: &'a Doc, quoted: &[ByteSpan]) -> Self {
        let n = doc.tokens.len();
        let text = doc.text.as_str();
        let keys = doc
            .tokens
            .iter()
            .map(|t| normalize_key(t.slice(text)))
            .collect();
        let mut sent_of = vec![0; n];
        let mut sent_ranges = Vec::with_capacity(doc.sentences.len());
        for (i, s) in doc.sentences.iter().enumerate() {
            let r = s.token_start.min(n)..s.token_end.min(n).max(s.token_start.min(n));
            for t in sent_of.iter_mut().take(r.end).skip(r.start) {
                *t = i;
            }
            sent_ranges.push(r);
        }
        if sent_ranges.is_empty() && n > 0 {
            sent_ranges.push(0..n);
        }
        let in_quote = doc
            .tokens
            .iter()
            .map(|t| quoted.iter().any(|q| q.start <= t.start && t.end <= q.end))
            .collect();
        TokenView {
            text,
            spans: &doc.tokens,
            keys,
            sent_of,
            sent_ranges,
            in_quote,
        }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The document text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Text of token `i` (`""` out of range).
    pub fn tok(&self, i: usize) -> &'a str {
        self.spans.get(i).map(|s| s.slice(self.text)).unwrap_or("")
    }

    /// Lowercase text of token `i`.
    pub fn lower(&self, i: usize) -> String {
        self.tok(i).to_lowercase()
    }

    /// Normalised key of token `i` (`""` for punctuation and out of range).
    pub fn key(&self, i: usize) -> &str {
        self.keys.get(i).map(String::as_str).unwrap_or("")
    }

    /// Normalised key of the tokens `r`: their keys joined by spaces, a leading "the" dropped.
    pub fn key_of(&self, r: Range<usize>) -> String {
        let words: Vec<&str> = r
            .filter_map(|i| self.keys.get(i))
            .map(String::as_str)
            .filter(|k| !k.is_empty())
            .collect();
        let start = usize::from(words.len() > 1 && words[0] == "the");
        words[start..].join(" ")
    }

    /// Byte span of token `i`.
    pub fn span(&self, i: usize) -> Option<ByteSpan> {
        self.spans.get(i).copied()
    }

    /// Byte span covering tokens `r` (empty span when `r` is empty or out of range).
    pub fn span_of(&self, r: Range<usize>) -> ByteSpan {
        match (
            self.spans.get(r.start),
            r.end.checked_sub(1).and_then(|e| self.spans.get(e)),
        ) {
            (Some(a), Some(b)) if r.start < r.end => ByteSpan::new(a.start, b.end),
            _ => ByteSpan::default(),
        }
    }

    /// Text of tokens `r` as written.
    pub fn text_of(&self, r: Range<usize>) -> &'a str {
        self.span_of(r).slice(self.text)
    }

    /// Sentence index of token `i`.
    pub fn sent(&self, i: usize) -> usize {
        self.sent_of.get(i).copied().unwrap_or(0)
    }

    /// Token range of sentence `s`.
    pub fn sent_range(&self, s: usize) -> Range<usize> {
        self.sent_ranges.get(s).cloned().unwrap_or(0..0)
    }

    /// Number of sentences.
    pub fn n_sents(&self) -> usize {
        self.sent_ranges.len()
    }

    /// True when token `i` lies inside quotation marks.
    pub fn in_quote(&self, i: usize) -> bool {
        self.in_quote.get(i).copied().unwrap_or(false)
    }

    /// True when token `i` starts with an uppercase letter.
    pub fn is_cap(&self, i: usize) -> bool {
        is_capitalized(self.tok(i))
    }

    /// True when token `i` is the first word of its sentence (or follows an opening quote or
    /// bracket there), where capitalisation says nothing.
    pub fn is_sentence_initial(&self, i: usize) -> bool {
        let start = self.sent_range(self.sent(i)).start;
        (start..i).all(|j| {
            let t = self.tok(j);
            !t.chars().any(char::is_alphanumeric)
        })
    }

    /// Index of the first token that starts at or after byte `pos`.
    pub fn token_at_or_after(&self, pos: usize) -> usize {
        self.spans.partition_point(|s| s.start < pos)
    }

    /// Index one past the last token that ends at or before byte `pos`.
    pub fn tokens_before(&self, pos: usize) -> usize {
        self.spans.partition_point(|s| s.end <= pos)
    }

    /// Token range covering byte span `s` (tokens that overlap it).
    pub fn tokens_in(&self, s: ByteSpan) -> Range<usize> {
        let a = self.spans.partition_point(|t| t.end <= s.start);
        let b = self.spans.partition_point(|t| t.start < s.end);
        a..b.max(a)
    }
}
