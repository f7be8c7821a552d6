//! The one place where byte offsets become character offsets.
//!
//! Tables store Unicode scalar value (character) offsets into `clean_text`, so that
//! `clean_text[start:end]` in Python, `substr` in DuckDB and `str.slice` in Polars all agree.

/// Maps byte offsets of one text to character offsets in O(log n) per lookup.
pub struct CharIndex {
    /// (byte offset, char offset, byte width) of every non-ASCII character.
    wide: Vec<(usize, usize, usize)>,
    len_bytes: usize,
    len_chars: usize,
}

impl CharIndex {
    /// Builds the index for `text` in one pass; ASCII-only text stores nothing.
    pub fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        let mut chars = 0usize;
        for (b, c) in text.char_indices() {
            if !c.is_ascii() {
                wide.push((b, chars, c.len_utf8()));
            }
            chars += 1;
        }
        CharIndex {
            wide,
            len_bytes: text.len(),
            len_chars: chars,
        }
    }

    /// Character offset of byte offset `byte`, clamped to the text. A byte inside a
    /// multi-byte character maps to that character.
    pub fn char_offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.len_bytes);
        let i = self.wide.partition_point(|&(b, _, _)| b <= byte);
        match i.checked_sub(1).map(|j| self.wide[j]) {
            None => byte,
            Some((b, c, w)) if byte < b + w => c,
            Some((b, c, w)) => c + 1 + (byte - b - w),
        }
    }

    /// Length of the text in characters.
    pub fn len_chars(&self) -> usize {
        self.len_chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_naive_count() {
        let text = "Tbilisi – Gori, «Цхинвали» 😀 ok";
        let idx = CharIndex::new(text);
        for (b, _) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            assert_eq!(idx.char_offset(b), text[..b].chars().count(), "byte {b}");
        }
        assert_eq!(idx.len_chars(), text.chars().count());
        assert_eq!(idx.char_offset(10_000), text.chars().count());
    }
}
