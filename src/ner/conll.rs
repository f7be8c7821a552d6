//! Reader for the token-per-line NER formats used by the shared data sets.
//!
//! One reader covers all of them because they differ only in column layout and
//! in how documents are marked:
//! - CoNLL-2003 / CoNLL++: `token POS chunk NER` (space separated, IOB1 tags),
//!   `-DOCSTART- -X- -X- O` lines start documents.
//! - OntoNotes 5 (BIO export): `token<TAB>tag`, `-DOCSTART-<TAB>bc/cnn/00/cnn_0008`
//!   starts a document and carries its id (the genre is the id's first path part).
//! - UNER (`.iob2`): CoNLL-U-like `idx<TAB>token<TAB>tag<TAB>-<TAB>annotator`, with
//!   `# newdoc id = ...` comments starting documents.
//! - WNUT-17, WikiANN: `token<TAB>tag`; WikiANN tokens carry an `en:` prefix.
//!
//! Files without any document marker yield one document per sentence, so that
//! document-level features never leak between unrelated tweets or snippets.
//! All tag sequences are normalised to IOB2 (every entity starts with `B-`),
//! using the conlleval rule that `I-X` after anything but `B-X`/`I-X` opens a new
//! entity.

use std::path::Path;

use super::NerError;

/// One sentence: tokens and their gold IOB2 tags (same length).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sentence {
    /// Token strings as they appear in the file.
    pub tokens: Vec<String>,
    /// IOB2 tags (`O`, `B-TYPE`, `I-TYPE`), one per token.
    pub tags: Vec<String>,
}

/// One document: the unit over which document-level features are computed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Document id when the file gives one (OntoNotes, UNER), else empty.
    pub id: String,
    /// OntoNotes genre (`bc`, `bn`, `mz`, `nw`, `tc`, `wb`) derived from the id, if any.
    pub genre: Option<String>,
    /// Sentences of the document, in order.
    pub sentences: Vec<Sentence>,
}

impl Document {
    /// Number of tokens over all sentences.
    pub fn n_tokens(&self) -> usize {
        self.sentences.iter().map(|s| s.tokens.len()).sum()
    }
}

/// Read a labelled NER file in any of the supported layouts.
pub fn read_file(path: &Path) -> Result<Vec<Document>, NerError> {
    let bytes = std::fs::read(path).map_err(|e| NerError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    parse(&text).map_err(|msg| NerError::Data {
        path: path.to_path_buf(),
        msg,
    })
}

/// Genre prefix of an OntoNotes document id (`bc/cnn/00/cnn_0008` -> `bc`).
pub fn genre_of(id: &str) -> Option<String> {
    let first = id.split('/').next()?;
    if id.contains('/') && !first.is_empty() {
        Some(first.to_string())
    } else {
        None
    }
}

/// Parse file contents. Errors name the 1-based line number.
pub fn parse(text: &str) -> Result<Vec<Document>, String> {
    let mut docs: Vec<Document> = Vec::new();
    let mut saw_doc_marker = false;
    let mut cur_doc = Document::default();
    let mut cur = Sentence::default();

    fn flush_sentence(doc: &mut Document, s: &mut Sentence) {
        if !s.tokens.is_empty() {
            s.tags = to_iob2(&s.tags);
            doc.sentences.push(std::mem::take(s));
        }
    }

    for (lineno, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() {
            flush_sentence(&mut cur_doc, &mut cur);
            continue;
        }
        if is_comment(line) {
            // CoNLL-U style comment; `# newdoc id = X` starts a document.
            let rest = line.trim_start_matches('#').trim();
            if let Some(id) = rest.strip_prefix("newdoc id =") {
                flush_sentence(&mut cur_doc, &mut cur);
                if !cur_doc.sentences.is_empty() {
                    docs.push(std::mem::take(&mut cur_doc));
                }
                saw_doc_marker = true;
                cur_doc.id = id.trim().to_string();
                cur_doc.genre = None;
            }
            continue;
        }
        if line.starts_with("-DOCSTART-") {
            flush_sentence(&mut cur_doc, &mut cur);
            if !cur_doc.sentences.is_empty() {
                docs.push(std::mem::take(&mut cur_doc));
            }
            saw_doc_marker = true;
            let id = line
                .split('\t')
                .nth(1)
                .map(str::trim)
                .unwrap_or_default()
                .to_string();
            cur_doc.genre = genre_of(&id);
            cur_doc.id = id;
            continue;
        }
        let cols: Vec<&str> = if line.contains('\t') {
            line.split('\t').collect()
        } else {
            line.split(' ').filter(|c| !c.is_empty()).collect()
        };
        let (token, tag) = match cols.as_slice() {
            [tok, tag] => (*tok, *tag),
            // UNER: idx token tag - annotator
            [idx, tok, tag, ..] if cols.len() == 5 && idx.parse::<usize>().is_ok() => (*tok, *tag),
            [tok, .., tag] => (*tok, *tag),
            _ => {
                return Err(format!(
                    "line {}: expected at least 2 columns, got {:?}",
                    lineno + 1,
                    line
                ))
            }
        };
        if !is_tag(tag) {
            return Err(format!("line {}: bad tag {:?}", lineno + 1, tag));
        }
        let token = token.strip_prefix("en:").unwrap_or(token);
        cur.tokens.push(token.to_string());
        cur.tags.push(tag.to_string());
    }
    flush_sentence(&mut cur_doc, &mut cur);
    if !cur_doc.sentences.is_empty() {
        docs.push(cur_doc);
    }
    if !saw_doc_marker {
        // No document structure: every sentence is its own document.
        let mut out = Vec::new();
        for d in docs {
            for s in d.sentences {
                out.push(Document {
                    id: String::new(),
                    genre: None,
                    sentences: vec![s],
                });
            }
        }
        return Ok(out);
    }
    Ok(docs)
}

/// A `#` line is a comment unless it is a token line whose token is `#...`:
/// token lines have a tab (2-column formats) or end in a tag without ` = `.
fn is_comment(line: &str) -> bool {
    if !line.starts_with('#') || line.contains('\t') {
        return false;
    }
    line.contains(" = ") || !line.rsplit(' ').next().is_some_and(is_tag) || !line.contains(' ')
}

fn is_tag(t: &str) -> bool {
    t == "O"
        || ((t.starts_with("B-")
            || t.starts_with("I-")
            || t.starts_with("E-")
            || t.starts_with("S-"))
            && t.len() > 2)
}

/// Split a tag into (prefix char, type). `O` -> ('O', "").
pub fn split_tag(tag: &str) -> (char, &str) {
    match tag.split_once('-') {
        Some((p, ty)) => (p.chars().next().unwrap_or('O'), ty),
        None => ('O', ""),
    }
}

/// Normalise IOB1 / IOB2 / IOBES tags to IOB2 (conlleval chunk semantics).
pub fn to_iob2(tags: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(tags.len());
    let mut prev_ty: Option<String> = None; // type of the open entity, if any
    for tag in tags {
        let (p, ty) = split_tag(tag);
        match p {
            'B' | 'S' => {
                out.push(format!("B-{ty}"));
                prev_ty = if p == 'S' { None } else { Some(ty.to_string()) };
            }
            'I' | 'E' => {
                if prev_ty.as_deref() == Some(ty) {
                    out.push(format!("I-{ty}"));
                } else {
                    out.push(format!("B-{ty}"));
                }
                prev_ty = if p == 'E' { None } else { Some(ty.to_string()) };
            }
            _ => {
                out.push("O".to_string());
                prev_ty = None;
            }
        }
    }
    out
}

/// Entity spans `(start, end_exclusive, type)` of an IOB2 tag sequence.
pub fn spans_of(tags: &[String]) -> Vec<(usize, usize, String)> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let (p, ty) = split_tag(tag);
        let continues = p == 'I' && open.is_some_and(|(_, t)| t == ty);
        if !continues {
            if let Some((s, t)) = open.take() {
                spans.push((s, i, t.to_string()));
            }
            if p != 'O' {
                open = Some((i, ty));
            }
        }
    }
    if let Some((s, t)) = open {
        spans.push((s, tags.len(), t.to_string()));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: &[&str]) -> Vec<String> {
        x.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn iob1_to_iob2() {
        let t = to_iob2(&v(&["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"]));
        assert_eq!(t, v(&["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "B-ORG"]));
    }

    #[test]
    fn spans() {
        let s = spans_of(&v(&["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"]));
        assert_eq!(
            s,
            vec![
                (0, 2, "PER".to_string()),
                (3, 4, "LOC".to_string()),
                (4, 6, "LOC".to_string())
            ]
        );
    }

    #[test]
    fn parse_conll_and_onto() {
        let c = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\n\n-DOCSTART- -X- -X- O\n\nPeter NNP B-NP I-PER\n";
        let d = parse(c).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].sentences[0].tags, v(&["B-ORG", "O"]));
        let o = "-DOCSTART-\tbc/cnn/00/cnn_0008\n\nWhat\tO\nChina\tB-GPE\n";
        let d = parse(o).unwrap();
        assert_eq!(d[0].genre.as_deref(), Some("bc"));
        assert_eq!(d[0].sentences[0].tokens, v(&["What", "China"]));
        let u = "# newdoc id = a\n# text = x\n1\tIn\tO\t-\t-\n2\tParis\tB-LOC\t-\tst\n";
        let d = parse(u).unwrap();
        assert_eq!(d[0].id, "a");
        assert_eq!(d[0].sentences[0].tokens, v(&["In", "Paris"]));
        let w = "#\tO\nhi\tO\n\nen:Paris\tB-LOC\n";
        let d = parse(w).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].sentences[0].tokens, v(&["#", "hi"]));
        assert_eq!(d[1].sentences[0].tokens, v(&["Paris"]));
        assert!(parse("tok\tNOTATAG\n").is_err());
    }
}
