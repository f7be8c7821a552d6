//! Actor resolution (`[actors]`): entity mentions become mentions of canonical actors.
//!
//! Per document, [`ActorResolver::resolve`] fills [`Doc::actors`] and [`Doc::mentions`] from
//! the NER entities (plus gazetteer names the NER missed):
//! - name variants join one person: "Dmitry Medvedev", "Medvedev", "Dimitry Medvedev"
//!   (misspelt), "George W Bush" / "George W. Bush" (initials and punctuation);
//! - titles and appositives give offices and affiliations ("Russian President Dmitry
//!   Medvedev" → person "Dmitry Medvedev", affiliated with Russia);
//! - capitals and seats of government stand for their state when they act ("the Kremlin
//!   said", "Moscow warned") and stay places when they are locations ("in Moscow");
//! - demonyms name their state ("Russian troops" → Russia);
//! - acronyms join the organisation the same document writes out ("SEC" → "Securities and
//!   Exchange Commission"; [`acronyms`]);
//! - role phrases ("the Georgian president") and pronoun speakers and subjects ("he said",
//!   "She will not visit Moscow") resolve to a person named in the document.
//!
//! Keys ([`crate::doc::DocActor::key`]) are normalised canonical names ([`names::normalize_key`]):
//! gazetteer names for states and organisations, full names for persons, so documents agree.
//! The corpus pass ([`ActorRegistry`]) then merges surname-only, misspelt and acronym keys and
//! assigns stable ids.
//!
//! Knowledge lives in `resources/actors/` (see its README for sources and licences); each file
//! can be replaced through `resources_dir`, and the alias file ([`aliases`]) extends and
//! overrides it.

pub mod acronyms;
pub mod aliases;
mod demonyms;
pub mod fuzzy;
pub mod knowledge;
mod lexicon;
pub mod metonyms;
pub mod names;
mod orgs;
mod persons;
mod pronouns;
pub mod registry;
mod resolve;
mod roles;
#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod testutil;
pub mod view;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::doc::Doc;

pub use knowledge::Knowledge;
pub use registry::{ActorRecord, ActorRegistry, CorpusActors};

/// Errors building the resolver: a resource or alias file that cannot be read or parsed, or a
/// bad option. Messages name the file and line.
#[derive(Debug, thiserror::Error)]
pub enum ActorsError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A line of a resource or alias file is invalid.
    #[error("{origin}:{line}: {message}")]
    Resource {
        /// File (or built-in resource) name.
        origin: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// An option is out of range.
    #[error("[actors] {key}: {message}")]
    Config {
        /// Option name.
        key: String,
        /// What is wrong and what is allowed.
        message: String,
    },
}

/// `[actors]` options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActorsConfig {
    /// Run this stage.
    pub enabled: bool,
    /// User alias file (CSV, TSV or TOML; see [`aliases`]) that extends and overrides the
    /// built-in knowledge. Relative paths are resolved against the config file's folder.
    pub alias_file: Option<PathBuf>,
    /// Folder whose files replace the built-in ones of the same name (`countries.tsv`,
    /// `countries_extra.tsv`, `orgs.tsv`, `metonyms.tsv`, `persons.tsv`, `roles.tsv`,
    /// `verbs.tsv`, `pronouns.tsv`); files it lacks stay built-in.
    pub resources_dir: Option<PathBuf>,
    /// Minimum Jaro-Winkler similarity (0.5 to 1.0) for a misspelling to match a known name;
    /// at most one edit (two for names of 10+ letters) is also required.
    pub fuzzy_threshold: f64,
    /// Names shorter than this many letters are never fuzzy-matched (2 to 20).
    pub fuzzy_min_chars: usize,
    /// Let acting capitals and seats of government stand for their state.
    pub metonyms: bool,
    /// Make demonyms ("Russian troops") mentions of their state.
    pub demonyms: bool,
    /// Resolve role phrases ("the Georgian president") to persons named in the document.
    pub roles: bool,
    /// Resolve "he"/"she" next to speech verbs ("he said") or opening a sentence ("She will
    /// not visit Moscow") to persons named shortly before.
    pub pronouns: bool,
    /// How many sentences back a pronoun's antecedent may be (0 to 10).
    pub pronoun_window: usize,
    /// Also find gazetteer names (countries, organisations, seats, listed persons' full names)
    /// that the NER did not tag.
    pub lexicon_scan: bool,
    /// Use the built-in list of notable persons for canonical names and gender.
    pub known_persons: bool,
    /// Ignore entities whose NER score is below this (0 to 1).
    pub min_entity_score: f32,
    /// Link an acronym to the one organisation or group written out in full in the same
    /// document whose initials it is ("SEC" → "Securities and Exchange Commission"); this also
    /// overrides the built-in reading of an acronym the document spells out differently.
    pub acronyms: bool,
    /// Corpus pass: merge surname-only keys onto the one full name ending with them.
    pub corpus_merge_surnames: bool,
    /// Corpus pass: merge misspelt keys onto a similar, more frequent key.
    pub corpus_merge_fuzzy: bool,
    /// Corpus pass: merge an acronym written alone ("SEC") onto the full name it was linked to
    /// (`acronyms`) in at least two documents, when no other full name comes close.
    pub corpus_merge_acronyms: bool,
}

impl Default for ActorsConfig {
    fn default() -> Self {
        ActorsConfig {
            enabled: true,
            alias_file: None,
            resources_dir: None,
            fuzzy_threshold: 0.90,
            fuzzy_min_chars: 5,
            metonyms: true,
            demonyms: true,
            roles: true,
            pronouns: true,
            pronoun_window: 2,
            lexicon_scan: true,
            known_persons: true,
            min_entity_score: 0.0,
            acronyms: true,
            corpus_merge_surnames: true,
            corpus_merge_fuzzy: true,
            corpus_merge_acronyms: true,
        }
    }
}

impl ActorsConfig {
    /// Checks ranges; the error names the option and what is allowed.
    pub fn validate(&self) -> Result<(), ActorsError> {
        let bad = |key: &str, message: String| ActorsError::Config {
            key: key.to_string(),
            message,
        };
        if !(0.5..=1.0).contains(&self.fuzzy_threshold) {
            return Err(bad(
                "fuzzy_threshold",
                format!(
                    "{} is out of range; allowed: 0.5 to 1.0",
                    self.fuzzy_threshold
                ),
            ));
        }
        if !(2..=20).contains(&self.fuzzy_min_chars) {
            return Err(bad(
                "fuzzy_min_chars",
                format!("{} is out of range; allowed: 2 to 20", self.fuzzy_min_chars),
            ));
        }
        if self.pronoun_window > 10 {
            return Err(bad(
                "pronoun_window",
                format!("{} is out of range; allowed: 0 to 10", self.pronoun_window),
            ));
        }
        if !(0.0..=1.0).contains(&self.min_entity_score) {
            return Err(bad(
                "min_entity_score",
                format!("{} is out of range; allowed: 0 to 1", self.min_entity_score),
            ));
        }
        Ok(())
    }

    /// Makes relative paths relative to `base` (the config file's folder).
    pub fn resolve_paths(&mut self, base: &Path) {
        for p in [&mut self.alias_file, &mut self.resources_dir]
            .into_iter()
            .flatten()
        {
            if p.is_relative() && !base.as_os_str().is_empty() {
                *p = base.join(&*p);
            }
        }
    }

    /// Files this configuration reads besides the built-in resources (for the manifest).
    pub fn files(&self) -> Vec<PathBuf> {
        self.alias_file.iter().cloned().collect()
    }
}

/// Resolves the actors of documents. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct ActorResolver {
    kb: Arc<Knowledge>,
    cfg: ActorsConfig,
}

impl ActorResolver {
    /// Loads the knowledge (built-in files, `resources_dir` replacements, alias file).
    pub fn new(cfg: &ActorsConfig) -> Result<Self, ActorsError> {
        cfg.validate()?;
        let kb = Knowledge::load(cfg.resources_dir.as_deref(), cfg.alias_file.as_deref())?;
        Ok(ActorResolver {
            kb: Arc::new(kb),
            cfg: cfg.clone(),
        })
    }

    /// Fills `doc.actors` and `doc.mentions` (replacing what was there) from `doc.entities`,
    /// `doc.tokens` and `doc.sentences`. A document without tokens gets no actors.
    pub fn resolve(&self, doc: &mut Doc) {
        let fz = fuzzy::Fuzzy::new(self.cfg.fuzzy_threshold, self.cfg.fuzzy_min_chars);
        resolve::resolve_doc(&self.kb, &self.cfg, fz, doc);
    }

    /// The loaded knowledge.
    pub fn knowledge(&self) -> &Arc<Knowledge> {
        &self.kb
    }

    /// An empty corpus registry sharing this resolver's knowledge.
    pub fn registry(&self) -> ActorRegistry {
        ActorRegistry::with_knowledge(&self.cfg, Arc::clone(&self.kb))
    }
}
