//! From sub-word predictions back to entity spans in the text.
//!
//! A transformer tagger labels WordPiece pieces ("Zür", "##ich"), each with a character
//! offset range into the sentence as the tokenizer saw it. This module groups pieces into
//! words (a `##` continuation joins the word before it), takes each word's label from its first
//! piece (as the models were trained), decodes BIO/IOBES labels over the words into entities,
//! and converts character offsets to byte offsets into the document. It is pure Rust, so it is
//! compiled and tested without libtorch.

use crate::doc::ByteSpan;

/// One sub-word piece of a sentence with the model's prediction for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// Character (Unicode scalar) offsets `[begin, end)` into the sentence text; `None` for
    /// pieces that match no text (special tokens).
    pub chars: Option<(usize, usize)>,
    /// True when the piece continues the word of the piece before it (WordPiece `##`).
    pub continuation: bool,
    /// Index of the predicted label in the model's label map.
    pub label: usize,
    /// Probability of that label.
    pub prob: f32,
}

/// An entity found in one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignedEntity {
    /// Byte span in the document (sentence offset added).
    pub span: ByteSpan,
    /// Entity type: the label without its `B-`/`I-`/`E-`/`S-` prefix.
    pub label: String,
    /// Mean probability of the words' labels.
    pub score: f32,
}

/// The role of a label in a span encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Outside,
    /// Starts an entity (`B-`).
    Begin,
    /// Continues one (`I-`, or a bare type).
    Inside,
    /// Ends one (`E-`, `L-`).
    End,
    /// A one-word entity (`S-`, `U-`).
    Single,
}

/// Splits `B-PER` into (Begin, "PER"); `O` is Outside; a label without a prefix is Inside.
fn parse_label(label: &str) -> (Role, &str) {
    if label == "O" || label.is_empty() {
        return (Role::Outside, "");
    }
    let role = match label.get(..2) {
        Some("B-") => Role::Begin,
        Some("I-") => Role::Inside,
        Some("E-") | Some("L-") => Role::End,
        Some("S-") | Some("U-") => Role::Single,
        _ => return (Role::Inside, label),
    };
    (role, label.get(2..).unwrap_or(""))
}

/// A word: character span and its first piece's prediction.
struct Word {
    begin: usize,
    end: usize,
    label: usize,
    prob: f32,
}

/// Entities of one sentence. `sentence` is the sentence text, `base` its byte offset in the
/// document, `labels` the model's label map (id order). Pieces out of range of the text or of
/// the label map are ignored; never panics.
pub fn entities(
    sentence: &str,
    base: usize,
    pieces: &[Piece],
    labels: &[String],
) -> Vec<AlignedEntity> {
    // Byte offset of every char index (plus the end), for char → byte conversion.
    let bytes: Vec<usize> = sentence
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(sentence.len()))
        .collect();
    let n_chars = bytes.len() - 1;
    let mut words: Vec<Word> = Vec::new();
    for p in pieces {
        let Some((b, e)) = p.chars else { continue };
        if b >= e || e > n_chars {
            continue;
        }
        match words.last_mut() {
            Some(w) if p.continuation && b >= w.end => w.end = e,
            _ => words.push(Word {
                begin: b,
                end: e,
                label: p.label,
                prob: p.prob,
            }),
        }
    }
    let mut out = Vec::new();
    // Open entity: (type, first word, last word, probability sum).
    let mut open: Option<(&str, usize, usize, f32)> = None;
    let close = |open: &mut Option<(&str, usize, usize, f32)>, out: &mut Vec<AlignedEntity>| {
        if let Some((ty, first, last, sum)) = open.take() {
            let (Some(&s), Some(&e)) = (
                words.get(first).and_then(|w| bytes.get(w.begin)),
                words.get(last).and_then(|w| bytes.get(w.end)),
            ) else {
                return;
            };
            out.push(AlignedEntity {
                span: ByteSpan::new(base + s, base + e),
                label: ty.to_string(),
                score: sum / (last + 1 - first) as f32,
            });
        }
    };
    for (i, w) in words.iter().enumerate() {
        let (role, ty) = labels
            .get(w.label)
            .map(|l| parse_label(l))
            .unwrap_or((Role::Outside, ""));
        if ty.is_empty() {
            close(&mut open, &mut out);
            continue;
        }
        let continues = matches!(role, Role::Inside | Role::End)
            && matches!(open, Some((t, _, _, _)) if t == ty);
        if continues {
            if let Some(o) = open.as_mut() {
                o.2 = i;
                o.3 += w.prob;
            }
        } else {
            close(&mut open, &mut out);
            open = Some((ty, i, i, w.prob));
        }
        if matches!(role, Role::End | Role::Single) {
            close(&mut open, &mut out);
        }
    }
    close(&mut open, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn piece(b: usize, e: usize, cont: bool, label: usize, prob: f32) -> Piece {
        Piece {
            chars: Some((b, e)),
            continuation: cont,
            label,
            prob,
        }
    }

    fn text_of<'a>(doc: &'a str, e: &AlignedEntity) -> &'a str {
        &doc[e.span.start..e.span.end]
    }

    #[test]
    fn pieces_merge_into_words_and_multibyte_offsets_hold() {
        // "José Müller flew to Zürich." with pieces as a cased WordPiece model splits it:
        // José = Jos ##é, Müller = M ##ü ##ller, Zürich = Z ##ür ##ich.
        let doc = "Intro. José Müller flew to Zürich.";
        let base = doc.find("José").unwrap();
        let sent = &doc[base..];
        let pieces = vec![
            Piece {
                chars: None,
                continuation: false,
                label: 0,
                prob: 1.0,
            },
            piece(0, 3, false, 1, 0.9),   // Jos
            piece(3, 4, true, 0, 0.2),    // ##é: its label is ignored (first piece wins)
            piece(5, 6, false, 2, 0.8),   // M
            piece(6, 7, true, 2, 0.5),    // ##ü
            piece(7, 11, true, 1, 0.5),   // ##ller
            piece(12, 16, false, 0, 0.9), // flew
            piece(17, 19, false, 0, 0.9), // to
            piece(20, 21, false, 3, 0.7), // Z
            piece(21, 23, true, 0, 0.7),  // ##ür
            piece(23, 26, true, 4, 0.7),  // ##ich
            piece(26, 27, false, 0, 0.9), // .
        ];
        let ents = entities(sent, base, &pieces, &labels());
        assert_eq!(ents.len(), 2, "{ents:?}");
        assert_eq!(text_of(doc, &ents[0]), "José Müller");
        assert_eq!(ents[0].label, "PER");
        assert!((ents[0].score - 0.85).abs() < 1e-6);
        assert_eq!(text_of(doc, &ents[1]), "Zürich");
        assert_eq!(ents[1].label, "LOC");
        // Char offsets of the table = chars before the byte offset.
        assert_eq!(doc[..ents[1].span.start].chars().count(), 7 + 20);
    }

    #[test]
    fn accents_stripped_by_an_uncased_tokenizer_keep_original_offsets() {
        // An uncased model sees "sao paulo" but its offsets point at "São Paulo": the span
        // must be the original text, four bytes longer than the char count.
        let sent = "São Paulo, 東京 and Kraków.";
        let pieces = vec![
            piece(0, 3, false, 3, 0.9),   // sao
            piece(4, 9, false, 4, 0.9),   // paulo
            piece(9, 10, false, 0, 0.9),  // ,
            piece(11, 12, false, 3, 0.6), // 東 (CJK chars are separate words)
            piece(12, 13, false, 4, 0.8), // 京
            piece(14, 17, false, 0, 0.9), // and
            piece(18, 21, false, 3, 0.9), // kra
            piece(21, 24, true, 3, 0.9),  // ##kow
            piece(24, 25, false, 0, 0.9), // .
        ];
        let ents = entities(sent, 0, &pieces, &labels());
        let texts: Vec<&str> = ents.iter().map(|e| text_of(sent, e)).collect();
        assert_eq!(texts, ["São Paulo", "東京", "Kraków"]);
        assert!((ents[1].score - 0.7).abs() < 1e-6);
    }

    #[test]
    fn bio_transitions() {
        let sent = "A B C D E";
        let p = |i: usize, label: usize| piece(2 * i, 2 * i + 1, false, label, 1.0);
        // I-PER after O starts an entity; I-LOC after PER starts a new one; B-PER B-PER are two.
        let pieces = vec![p(0, 2), p(1, 4), p(2, 1), p(3, 1), p(4, 0)];
        let ents = entities(sent, 10, &pieces, &labels());
        let got: Vec<(usize, usize, &str)> = ents
            .iter()
            .map(|e| (e.span.start, e.span.end, e.label.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (10, 11, "PER"),
                (12, 13, "LOC"),
                (14, 15, "PER"),
                (16, 17, "PER")
            ]
        );
    }

    #[test]
    fn iobes_and_bare_labels() {
        let labels: Vec<String> = ["O", "S-ORG", "B-LOC", "E-LOC", "MISC"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let sent = "a b c d e f";
        let p = |i: usize, label: usize| piece(2 * i, 2 * i + 1, false, label, 1.0);
        let pieces = vec![p(0, 1), p(1, 1), p(2, 2), p(3, 3), p(4, 4), p(5, 4)];
        let ents = entities(sent, 0, &pieces, &labels);
        let got: Vec<(&str, &str)> = ents
            .iter()
            .map(|e| (text_of(sent, e), e.label.as_str()))
            .collect();
        assert_eq!(
            got,
            [("a", "ORG"), ("b", "ORG"), ("c d", "LOC"), ("e f", "MISC")]
        );
    }

    #[test]
    fn garbage_never_panics() {
        let sent = "é";
        let pieces = vec![
            piece(0, 5, false, 1, 1.0),  // past the end
            piece(1, 0, false, 1, 1.0),  // reversed
            piece(0, 1, false, 99, 1.0), // unknown label id
            piece(0, 1, true, 1, 1.0),   // overlapping continuation
        ];
        let ents = entities(sent, 0, &pieces, &labels());
        for e in &ents {
            assert!(sent.get(e.span.start..e.span.end).is_some());
        }
        assert!(entities("", 0, &[], &labels()).is_empty());
    }
}
