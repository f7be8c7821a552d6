//! Quote extraction (`[quotes]`): direct and reported speech with speakers.
//!
//! [`QuoteExtractor::extract`] fills [`Doc::quotes`] after the actors stage:
//! - **direct quotes** are passages in quotation marks ([`marks`]), attributed by a speech
//!   verb after the quote in the same sentence (`"…," Medvedev said`, `"…," said Bagapsh`) or
//!   before it (`Kokoity added: "…"`, `X described it as "…"`). A quote interrupted by its
//!   attribution (`"…," he said, "…"`) is one quote whose span runs from the first part's start
//!   to the second part's end (the document model has one span per quote, so the attribution
//!   in the middle is inside it). An unattributed quote right after an attributed one (only
//!   whitespace or a line break between them) continues it and gets the same speaker; an
//!   unclosed quote at a paragraph end takes the speaker of the quote opening the next one.
//!   Quotes of fewer than `min_direct_words` words ("truce") are scare quotes and skipped.
//! - **indirect speech**: `X said (that) …`, `X told Y (that) …`, `X warned (that) …`, `X
//!   vowed to …`, `X announced that …`, `X accused Y of …`, `…, X said.`, `according to X, …`
//!   and `…, according to X`. The quote span is the reported clause.
//!
//! Speakers are the actor mentions ([`Doc::mentions`]) next to the speech verb, so they are
//! resolved through names, roles ("the minister said") and pronouns ("he said") exactly as the
//! actors stage resolved those mentions. A speaker that is not an actor ("officials said")
//! is kept as `speaker_text` with no `speaker`.

pub mod cues;
mod direct;
mod indirect;
pub mod marks;
mod speaker;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::actors::knowledge::{builtin_text, parse_pronouns, parse_verbs, Gender, VerbClass};
use crate::actors::view::TokenView;
use crate::actors::ActorsError;
use crate::doc::{Doc, Quote};

/// Errors building the extractor (a verb list that cannot be read or parsed, a bad option).
#[derive(Debug, thiserror::Error)]
pub enum QuotesError {
    /// A verb or pronoun file is invalid; the message names the file and line.
    #[error(transparent)]
    Resource(#[from] ActorsError),
    /// An option is out of range.
    #[error("[quotes] {key}: {message}")]
    Config {
        /// Option name.
        key: String,
        /// What is wrong and what is allowed.
        message: String,
    },
}

/// `[quotes]` options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuotesConfig {
    /// Run this stage.
    pub enabled: bool,
    /// Extract quotes in quotation marks.
    pub direct: bool,
    /// Extract reported speech.
    pub indirect: bool,
    /// Direct quotes with fewer words are scare quotes and skipped (1 to 20).
    pub min_direct_words: usize,
    /// Reported clauses with fewer words are skipped (1 to 20).
    pub min_indirect_words: usize,
    /// Give an unattributed quote that directly follows an attributed one the same speaker.
    pub continuation: bool,
    /// Speech-verb list replacing the built-in `resources/actors/verbs.tsv` (same format).
    pub verbs_file: Option<PathBuf>,
}

impl Default for QuotesConfig {
    fn default() -> Self {
        QuotesConfig {
            enabled: true,
            direct: true,
            indirect: true,
            min_direct_words: 2,
            min_indirect_words: 2,
            continuation: true,
            verbs_file: None,
        }
    }
}

impl QuotesConfig {
    /// Checks ranges.
    pub fn validate(&self) -> Result<(), QuotesError> {
        for (key, v) in [
            ("min_direct_words", self.min_direct_words),
            ("min_indirect_words", self.min_indirect_words),
        ] {
            if !(1..=20).contains(&v) {
                return Err(QuotesError::Config {
                    key: key.into(),
                    message: format!("{v} is out of range; allowed: 1 to 20"),
                });
            }
        }
        Ok(())
    }

    /// Makes a relative `verbs_file` relative to `base` (the config file's folder).
    pub fn resolve_paths(&mut self, base: &Path) {
        if let Some(p) = &mut self.verbs_file {
            if p.is_relative() && !base.as_os_str().is_empty() {
                *p = base.join(&*p);
            }
        }
    }
}

/// Extracts quotes. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct QuoteExtractor {
    cfg: QuotesConfig,
    verbs: HashMap<String, VerbClass>,
    pronouns: HashMap<String, Gender>,
}

impl QuoteExtractor {
    /// Loads the speech-verb list.
    pub fn new(cfg: &QuotesConfig) -> Result<Self, QuotesError> {
        cfg.validate()?;
        let verbs = match &cfg.verbs_file {
            Some(p) => {
                let text = crate::config::read_user_file(p).map_err(|source| ActorsError::Io {
                    path: p.clone(),
                    source,
                })?;
                parse_verbs(&text, &p.display().to_string())?
            }
            None => parse_verbs(
                builtin_text("verbs.tsv").unwrap_or(""),
                "built-in resources/actors/verbs.tsv",
            )?,
        };
        let pronouns = parse_pronouns(
            builtin_text("pronouns.tsv").unwrap_or(""),
            "built-in resources/actors/pronouns.tsv",
        )?;
        Ok(QuoteExtractor {
            cfg: cfg.clone(),
            verbs,
            pronouns,
        })
    }

    /// Fills `doc.quotes` (replacing what was there), in text order. Needs tokens and
    /// sentences; speakers come from `doc.mentions`.
    pub fn extract(&self, doc: &mut Doc) {
        doc.quotes.clear();
        if doc.tokens.is_empty() {
            return;
        }
        let marks = marks::find_quotes(&doc.text);
        let quoted: Vec<_> = marks.iter().map(|m| m.content).collect();
        let v = TokenView::new(doc, &quoted);
        let ctx = speaker::QCtx::new(v, doc, &self.verbs, &self.pronouns);
        let mut out: Vec<Quote> = Vec::new();
        let mut used_cues = vec![false; ctx.v.len()];
        if self.cfg.direct {
            direct::extract(&ctx, &self.cfg, &marks, &mut used_cues, &mut out);
        }
        if self.cfg.indirect {
            indirect::extract(&ctx, &self.cfg, &marks, &used_cues, &mut out);
        }
        out.sort_by_key(|q| (q.span.start, q.span.end));
        drop(ctx);
        doc.quotes = out;
    }
}
