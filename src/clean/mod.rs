//! Clean stage: plain article text (after ingest) → article prose + metadata.
//!
//! How it works, in order:
//! 1. `lines` splits the text into blocks (one per line; hard-wrapped text such as
//!    Reuters-21578 is re-flowed into paragraphs first).
//! 2. `classify` labels each block: sentence-like prose, short/long non-sentence lines,
//!    configurable patterns from `resources/boilerplate.txt` (chrome, trailer openers, captions,
//!    wire notes), date lines and bylines, and — when corpus statistics are supplied — lines
//!    repeated across many documents of the same source. Alt-text lines printed just before a
//!    caption are marked as captions; earlier copies of repeated paragraphs are flagged.
//! 3. `select` picks the article body as the maximum-sum run of line scores, so menus,
//!    teaser lists and comment sections around the article fall away.
//! 4. Content lines inside the body are kept; `metadata` reads the title, byline, dateline,
//!    date and agency from the header lines and the lead paragraph.
//!
//! Output text: one paragraph per kept block, paragraphs separated by `"\n\n"`, whitespace
//! inside a paragraph collapsed to single spaces. Nothing here panics on any input; cost is
//! linear in the input size.

mod classify;
mod dates;
mod lines;
mod metadata;
mod patterns;
mod repeats;
mod select;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use patterns::DEFAULT_PATTERNS;
pub use repeats::CorpusLineStats;

use classify::{Classifier, Kind, Line, MetaRegexes};
use dates::DateParser;
use metadata::MetaExtractor;
use patterns::Patterns;
use select::Weights;

/// Errors from building a [`Cleaner`].
#[derive(Debug, thiserror::Error)]
pub enum CleanError {
    /// The user pattern file could not be read.
    #[error("cannot read boilerplate pattern file {path}: {source}")]
    PatternFileRead {
        /// Path as given in the config.
        path: String,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// A pattern line is malformed (unknown kind or invalid regex).
    #[error("{file}:{line}: bad boilerplate pattern: {message}")]
    BadPattern {
        /// File name (or `<built-in ...>`).
        file: String,
        /// 1-based line number (0 when the error concerns the whole set).
        line: usize,
        /// What is wrong, from the regex compiler or the loader.
        message: String,
    },
    /// A built-in expression failed to compile (a bug in newsmill, please report it).
    #[error("internal error compiling built-in expression: {0}")]
    Internal(String),
}

/// Configuration of the clean stage (`[clean]` in `pipeline.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CleanConfig {
    /// Run this stage. When off, the decoded text is the article text.
    pub enabled: bool,
    /// Treat the first non-boilerplate line as the headline (for inputs such as the BBC corpus
    /// files whose first line is always the title). When false, the title is taken from the
    /// input metadata if present, else guessed from the lines above the body.
    pub title_from_first_line: bool,
    /// Additional pattern file (same format as `resources/boilerplate.txt`), added to the
    /// built-in rules. Errors name the file and line.
    pub extra_patterns_file: Option<PathBuf>,
    /// Use the built-in pattern list. Turn off only if your own file replaces it entirely.
    pub use_default_patterns: bool,
    /// Choose the article body as the densest run of prose lines and drop everything around it
    /// (menus, teaser lists, comments). Turn off for inputs that are already article text, to
    /// apply only the line rules.
    pub select_body: bool,
    /// Drop photo captions, photo credits and the alt-text line printed before a caption.
    pub drop_captions: bool,
    /// Drop earlier copies of a paragraph printed twice in the same document (a lede repeated
    /// below the photo, a duplicated caption); the last copy is kept.
    pub drop_repeated_paragraphs: bool,
    /// Learn boilerplate from the corpus: before the main pass, `newsmill run` reads every
    /// input once more and counts, per source (the URL's host, else the input's folder or
    /// JSONL file), in how many documents each short line occurs; lines repeated across many
    /// documents of a source (see `min_repeat_*`) are then dropped as site chrome. Costs one
    /// extra read and decode of the inputs; sharded runs count over all inputs, so shards see
    /// the same statistics as a single run.
    pub corpus_pass: bool,
    /// Corpus statistics: a non-sentence line is boilerplate if it occurs in at least this many
    /// documents of the same source (needs `Cleaner::with_corpus_stats`).
    pub min_repeat_docs: u32,
    /// Corpus statistics: a sentence-like line (which could be a quote reused in follow-up
    /// stories) needs at least this many documents of the same source to count as boilerplate.
    pub min_repeat_docs_sentence: u32,
    /// Corpus statistics: and it must occur in at least this fraction of that source's
    /// documents (0.0 disables the test). Site chrome is on nearly every page of a site;
    /// formulaic lines of one big wire source ("Year" in 7% of Reuters earnings tables,
    /// "Terms were not disclosed.") are not, and are kept.
    pub min_repeat_fraction: f32,
    /// Remove the dateline prefix ("MOSCOW, Aug 14 (Reuters) - ") from the lead paragraph.
    /// The place and agency are extracted either way.
    pub strip_dateline: bool,
    /// A line needs at least this many words (CJK characters count half) to be treated as a
    /// sentence for body selection.
    pub min_sentence_words: usize,
}

impl Default for CleanConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            title_from_first_line: false,
            extra_patterns_file: None,
            use_default_patterns: true,
            select_body: true,
            drop_captions: true,
            drop_repeated_paragraphs: true,
            corpus_pass: true,
            min_repeat_docs: 3,
            min_repeat_docs_sentence: 5,
            min_repeat_fraction: 0.2,
            strip_dateline: false,
            min_sentence_words: 8,
        }
    }
}

/// One document to clean.
#[derive(Debug, Clone, Copy, Default)]
pub struct CleanInput<'a> {
    /// Plain text from ingest (page text or article text).
    pub text: &'a str,
    /// Title from the input metadata (JSONL field, HTML `<title>`/`og:title`), if known.
    pub title: Option<&'a str>,
    /// Site / agency / directory the document came from; keys the corpus line statistics.
    pub source_key: Option<&'a str>,
}

/// Result of cleaning one document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cleaned {
    /// Article prose: paragraphs separated by `"\n\n"`, single spaces inside a paragraph.
    pub text: String,
    /// Headline (from the input metadata when given, else extracted).
    pub title: Option<String>,
    /// Byline as printed ("Jamelle Bouie", "DW staff (sp)").
    pub byline: Option<String>,
    /// Dateline place in capitals ("MOSCOW").
    pub dateline: Option<String>,
    /// Publication date, ISO 8601 `YYYY-MM-DD`; `None` when no date with a year was found.
    pub published: Option<String>,
    /// Agency / source ("Reuters", "AP", "AFP", "DW", "RFE/RL"), canonicalised when known.
    pub agency: Option<String>,
    /// Non-empty input lines that did not make it into `text`.
    pub removed_lines: usize,
}

/// One block's fate, from [`Cleaner::explain`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineDecision {
    /// The block text (whitespace-normalised; re-flowed if the input was hard-wrapped).
    pub text: String,
    /// Class name ("Prose", "Short", "Drop", "Caption", "Meta", ...; "+dup" for an earlier copy).
    pub class: String,
    /// Score used by body selection.
    pub score: f32,
    /// Inside the chosen body region.
    pub in_body: bool,
    /// Part of the output text.
    pub kept: bool,
}

/// Intermediate result shared by `clean` and `explain`.
struct Analysis {
    lines: Vec<Line>,
    keep: Vec<bool>,
    core_start: usize,
    start: usize,
    end: usize,
    title: Option<String>,
}

/// The clean stage. Build once, share across threads (`Cleaner: Send + Sync`).
#[derive(Debug, Clone)]
pub struct Cleaner {
    cfg: CleanConfig,
    patterns: Patterns,
    dates: DateParser,
    meta_re: MetaRegexes,
    extractor: MetaExtractor,
    weights: Weights,
    stats: Option<CorpusLineStats>,
}

fn internal(e: regex::Error) -> CleanError {
    CleanError::Internal(e.to_string())
}

impl Cleaner {
    /// Compiles the patterns (built-in plus `extra_patterns_file`).
    pub fn new(cfg: &CleanConfig) -> Result<Self, CleanError> {
        Ok(Self {
            cfg: cfg.clone(),
            patterns: Patterns::load(cfg.extra_patterns_file.as_deref(), cfg.use_default_patterns)?,
            dates: DateParser::new().map_err(internal)?,
            meta_re: MetaRegexes::new().map_err(internal)?,
            extractor: MetaExtractor::new().map_err(internal)?,
            weights: Weights::default(),
            stats: None,
        })
    }

    /// Adds corpus line statistics (from a pre-pass with [`CorpusLineStats::observe`]).
    pub fn with_corpus_stats(mut self, mut stats: CorpusLineStats) -> Self {
        // Lines seen in fewer documents than any rule asks for can never be flagged: dropping
        // them (most lines occur once) shrinks the table the whole run keeps, without changing
        // a single decision of `apply_corpus_stats`.
        stats.retain_at_least(self.min_repeat_docs(false).min(self.min_repeat_docs(true)));
        self.stats = Some(stats);
        self
    }

    /// Cleans one document. Never panics; empty input gives an empty result.
    pub fn clean(&self, input: &CleanInput) -> Cleaned {
        let a = self.analyze(input);
        let ls = &a.lines;
        let mut out = Cleaned {
            title: a.title.clone(),
            ..Cleaned::default()
        };
        self.extract_meta(ls, a.core_start, &mut out);

        // Assemble paragraphs; dateline and trailing signature on the first/last kept blocks.
        let mut paras: Vec<String> = Vec::new();
        let mut removed = 0usize;
        for (l, &k) in ls.iter().zip(&a.keep) {
            if k {
                paras.push(l.text.clone());
            } else {
                removed += l.src_lines;
            }
        }
        if let Some(first) = paras.first_mut() {
            if let Some(d) = self.extractor.dateline(first) {
                if out.dateline.is_none() {
                    out.dateline = d.place.clone();
                }
                if let Some(ag) = d.agency.clone() {
                    out.agency = Some(ag);
                }
                if self.cfg.strip_dateline && d.prefix_len < first.len() {
                    if let Some(rest) = first.get(d.prefix_len..) {
                        *first = rest.to_string();
                    }
                }
            }
        }
        if let Some(last) = paras.last_mut() {
            if let Some((at, ag)) = self.extractor.signature(last) {
                if let Some(head) = last.get(..at) {
                    *last = head.trim_end().to_string();
                }
                if out.agency.is_none() {
                    out.agency = Some(ag);
                }
            }
            if last.is_empty() {
                paras.pop();
                removed += 1;
            }
        }
        out.text = paras.join("\n\n");
        out.removed_lines = removed;
        out
    }

    /// Per-block decisions for debugging a pattern file or a surprising result: the block
    /// text, its class, whether it lies in the chosen body, and whether it was kept.
    pub fn explain(&self, input: &CleanInput) -> Vec<LineDecision> {
        let a = self.analyze(input);
        let sc = select::scores(&a.lines, &self.weights);
        a.lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineDecision {
                text: l.text.clone(),
                class: format!("{:?}{}", l.kind, if l.earlier_dup { "+dup" } else { "" }),
                score: sc.get(i).copied().unwrap_or(0.0),
                in_body: i >= a.start && i < a.end,
                kept: a.keep.get(i).copied().unwrap_or(false),
            })
            .collect()
    }

    /// Classification, body selection and title choice (shared by `clean` and `explain`).
    fn analyze(&self, input: &CleanInput) -> Analysis {
        let mut blocks = lines::split_blocks(input.text);
        // A wire signature glued to the last paragraph ("... creditor banks. Reuter") becomes
        // its own block, so the paragraph is classified as the sentence it is.
        if let Some(last) = blocks.last_mut() {
            if let Some((at, _)) = self.extractor.signature(&last.text) {
                if let (Some(head), Some(sig)) = (last.text.get(..at), last.text.get(at..)) {
                    let (head, sig) = (head.trim_end().to_string(), sig.trim().to_string());
                    if !head.is_empty() {
                        last.text = head;
                        blocks.push(lines::Block {
                            text: sig,
                            lines: 0,
                            after_blank: false,
                        });
                    }
                }
            }
        }
        let classifier = Classifier {
            patterns: &self.patterns,
            dates: &self.dates,
            meta: &self.meta_re,
            min_sentence_units: self.cfg.min_sentence_words as f32,
        };
        let mut ls: Vec<Line> = blocks
            .into_iter()
            .map(|b| classifier.classify(b.text, b.lines))
            .collect();
        self.apply_corpus_stats(&mut ls, input.source_key);
        if self.cfg.drop_captions {
            classify::mark_alt_text(&mut ls);
        } else {
            for l in ls.iter_mut().filter(|l| l.kind == Kind::Caption) {
                l.kind = Kind::Long;
            }
        }
        if self.cfg.drop_repeated_paragraphs {
            let keys: Vec<(u64, usize)> =
                ls.iter().map(|l| lines::exact_key_hash(&l.text)).collect();
            let dups = repeats::earlier_duplicates(&keys, 12);
            for (l, d) in ls.iter_mut().zip(dups) {
                l.earlier_dup = d;
            }
        }

        // `core_start` begins the best-scoring segment (metadata is read above it);
        // `start..end` is the kept region after widening it over an unpunctuated lede and a
        // trailing list.
        let n = ls.len();
        let (core_start, (start, end)) = if self.cfg.select_body {
            let sc = select::scores(&ls, &self.weights);
            match select::best_region(&ls, &sc, self.weights.first_chunk_share) {
                Some(r)
                    if ls
                        .get(r.0..r.1)
                        .is_some_and(|s| s.iter().any(|l| l.kind == Kind::Prose)) =>
                {
                    let title_known = self.cfg.title_from_first_line
                        || input.title.is_some_and(|t| !t.trim().is_empty());
                    let r2 = select::extend_region(&ls, r);
                    (r.0, select::extend_clean_margins(&ls, r2, title_known))
                }
                _ => (0, (0, n)),
            }
        } else {
            (0, (0, n))
        };
        let mut keep: Vec<bool> = ls
            .iter()
            .enumerate()
            .map(|(i, l)| i >= start && i < end && l.kind.is_content() && !l.earlier_dup)
            .collect();

        let (title, title_idx) =
            if let Some(t) = input.title.map(str::trim).filter(|t| !t.is_empty()) {
                let tk = lines::exact_key(t);
                let idx = ls
                    .iter()
                    .take(end.min(core_start + 3))
                    .position(|l| lines::exact_key(&l.text) == tk);
                (Some(t.to_string()), idx)
            } else {
                let idx = if self.cfg.title_from_first_line {
                    ls.iter().position(|l| {
                        !matches!(
                            l.kind,
                            Kind::Drop | Kind::End | Kind::Stop | Kind::Wire | Kind::Meta
                        )
                    })
                } else {
                    metadata::pick_title(&ls, core_start)
                };
                (idx.and_then(|i| ls.get(i)).map(|l| l.text.clone()), idx)
            };
        if let Some(k) = title_idx.and_then(|i| keep.get_mut(i)) {
            *k = false;
        }
        Analysis {
            lines: ls,
            keep,
            core_start,
            start,
            end,
            title,
        }
    }

    /// Documents of one source a line must occur in to be corpus boilerplate (never fewer
    /// than 2): `min_repeat_docs_sentence` for sentence-like lines, else `min_repeat_docs`.
    fn min_repeat_docs(&self, sentence: bool) -> u32 {
        let min = if sentence {
            self.cfg.min_repeat_docs_sentence
        } else {
            self.cfg.min_repeat_docs
        };
        min.max(2)
    }

    fn apply_corpus_stats(&self, ls: &mut [Line], source_key: Option<&str>) {
        let (Some(stats), Some(src)) = (self.stats.as_ref(), source_key) else {
            return;
        };
        let docs = stats.source_docs(src);
        if docs < self.min_repeat_docs(false) {
            return;
        }
        for l in ls.iter_mut() {
            if !l.kind.is_content() {
                continue;
            }
            let c = stats.line_docs(src, &l.text);
            let sentence = matches!(l.kind, Kind::Prose | Kind::ShortProse | Kind::Teaser);
            let frac_ok = c as f32 >= self.cfg.min_repeat_fraction * docs as f32;
            if c >= self.min_repeat_docs(sentence) && frac_ok {
                l.kind = Kind::Corpus;
            }
        }
    }

    /// Byline, date and agency from metadata lines: header lines first (nearest to the body
    /// first), then the rest.
    fn extract_meta(&self, ls: &[Line], body_start: usize, out: &mut Cleaned) {
        // Header lines nearest to the body first (a page's top bar may carry today's date or
        // a columnist's name), then the body and trailer in reading order.
        let b = body_start.min(ls.len());
        let order = (0..b).rev().chain(b..ls.len());
        let mut published: Option<String> = None;
        let mut updated: Option<String> = None;
        for i in order {
            let Some(l) = ls.get(i) else { continue };
            if let Some(a) = l.agency.as_deref() {
                if out.agency.is_none() {
                    out.agency = metadata::normalize_agency(a)
                        .filter(|a| metadata::known_agency(a).is_some() || l.kind == Kind::Wire);
                }
            }
            if l.kind != Kind::Meta {
                continue;
            }
            if out.byline.is_none() {
                if let Some(b) = l.byline.as_deref() {
                    out.byline = Some(b.to_string());
                    // "Associated Press November 19, 2019", "DW staff (sp)".
                    if out.agency.is_none() {
                        out.agency = metadata::agency_in_byline(b).map(str::to_string);
                    }
                }
            }
            if let Some(iso) = l.date.and_then(|d| d.iso()) {
                if l.date_is_update {
                    updated.get_or_insert(iso);
                } else {
                    published.get_or_insert(iso);
                }
            }
        }
        out.published = published.or(updated);
    }
}

#[cfg(test)]
mod tests;
