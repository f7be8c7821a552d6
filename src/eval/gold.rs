//! Reading hand-written gold files (JSON lines) and turning a record into a document with gold
//! entities, shared by the quote and stance-record evaluations.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::doc::{ByteSpan, Doc, DocId, DocMeta, Entity, Sentence, Source};
use crate::text::sentences::{SentenceSplitter, SplitConfig};
use crate::text::tokens::tokenize_into;

/// Errors reading a gold file.
#[derive(Debug, thiserror::Error)]
pub enum GoldError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A line is not a valid record.
    #[error("{path}:{line}: {message}")]
    Format {
        /// File.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Reads a JSON-lines gold file (blank lines skipped); `check` validates each record and its
/// message is reported with the file and line.
pub fn read_jsonl<T: DeserializeOwned>(
    path: &Path,
    check: impl Fn(&T) -> Result<(), String>,
) -> Result<Vec<T>, GoldError> {
    let text = std::fs::read_to_string(path).map_err(|source| GoldError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| GoldError::Format {
            path: path.to_path_buf(),
            line: i + 1,
            message,
        };
        let r: T = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        check(&r).map_err(bad)?;
        out.push(r);
    }
    Ok(out)
}

/// A document from a gold record's id, text and `[surface, label]` entities: the built-in
/// sentence splitter and tokenizer, and every occurrence of each surface that starts and ends
/// on token boundaries tagged (the longest wins where two overlap).
pub fn prepare_doc(id: &str, text: &str, entities: &[(String, String)]) -> Doc {
    let mut doc = Doc::new(
        DocId::from_source_key(id),
        Source::plain_text(id.to_string()),
        String::new(),
        DocMeta::default(),
    );
    doc.text = text.to_string();
    let splitter = SentenceSplitter::new(&SplitConfig::default()).ok();
    let whole = std::iter::once(0..doc.text.len()).collect::<Vec<_>>();
    let ranges = splitter.map(|s| s.split(&doc.text)).unwrap_or(whole);
    let mut toks = Vec::new();
    for range in ranges {
        let t0 = toks.len();
        tokenize_into(&doc.text, range.clone(), &mut toks);
        doc.sentences.push(Sentence {
            span: ByteSpan::new(range.start, range.end),
            token_start: t0,
            token_end: toks.len(),
        });
    }
    doc.tokens = toks
        .into_iter()
        .map(|t| ByteSpan::new(t.start, t.end))
        .collect();
    let mut ents = Vec::new();
    for (surface, label) in entities {
        if surface.is_empty() {
            continue;
        }
        for (pos, _) in doc.text.match_indices(surface.as_str()) {
            let end = pos + surface.len();
            let ts = doc.tokens.iter().position(|t| t.start == pos);
            let te = doc.tokens.iter().position(|t| t.end == end);
            if let (Some(ts), Some(te)) = (ts, te) {
                let sent = doc
                    .sentences
                    .iter()
                    .position(|s| s.token_start <= ts && ts < s.token_end)
                    .unwrap_or(0);
                ents.push(Entity {
                    sent,
                    token_start: ts,
                    token_end: te + 1,
                    span: ByteSpan::new(pos, end),
                    label: label.clone(),
                    score: 1.0,
                });
            }
        }
    }
    ents.sort_by_key(|e| (e.span.start, std::cmp::Reverse(e.span.end)));
    for e in ents {
        if doc
            .entities
            .last()
            .is_none_or(|l| l.span.end <= e.span.start)
        {
            doc.entities.push(e);
        }
    }
    doc
}
