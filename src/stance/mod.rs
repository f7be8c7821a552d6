//! Stance by actor: who supports or opposes whom (or which configured topic), with evidence.
//!
//! For every sentence the tagger runs, in order of precision:
//! 1. [`rules`]: speech-act and event verbs between actors from the cue [`lexicon`]
//!    ("condemned", "refused to back", "signed treaties with"), with negation and modality,
//!    hyphenated compounds ("Moscow-backed"), and a speaker's words about a target in a quote;
//! 2. [`classifier`]: for a quote's speaker and each actor or topic named in the quote where no
//!    rule fired, the target-dependent sentiment model trained on NewsMTSC (`method =
//!    "classifier"`).
//!
//! With `backend = "nli"` (feature `transformers`), [`nli`] replaces both: a zero-shot NLI model
//! judges every actor → actor/topic pair of a sentence (`method = "nli"`).
//!
//! Each record names the cue and the method that produced it. Corpus-level aggregation lives
//! in [`summary`].

pub mod classifier;
pub mod lexicon;
pub mod nli;
#[cfg(feature = "transformers")]
pub mod nli_model;
pub mod rules;
pub mod summary;
#[cfg(test)]
mod tests;
pub mod topics;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::doc::{Doc, Polarity, Stance, StanceTarget};

pub use crate::eval::stance::EvalReport;
pub use classifier::{eval_newsmtsc, train_newsmtsc, Classifier, TrainReport};
pub use lexicon::{CueIndex, Lexicon, LexiconError};
pub use nli::{NliConfig, NliScorer};
pub use summary::{StanceSummary, SummaryInput, SummaryRow};
pub use topics::{TopicConfig, TopicMatcher};

/// Default location of the NewsMTSC model, relative to the working directory or config file.
pub const DEFAULT_MODEL: &str = "models/stance-newsmtsc.bin";

/// Errors of the stance stage.
#[derive(Debug, thiserror::Error)]
pub enum StanceError {
    /// A lexicon file is unreadable or malformed (the message names file and line).
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    /// A configuration value is invalid.
    #[error("invalid stance config: key `{key}`: {message}")]
    Config {
        /// Key inside `[stance]`.
        key: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A model or data file is malformed.
    #[error("{path}: {message}")]
    Format {
        /// File.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Which stance implementation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StanceBackend {
    /// Cue-lexicon rules plus the optional NewsMTSC classifier (CPU, built in).
    #[default]
    Rules,
    /// Zero-shot NLI with a transformer model (`[stance.nli]`; needs the `transformers`
    /// cargo feature and libtorch).
    Nli,
}

/// `[stance]`: stance tagging options.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StanceConfig {
    /// Run this stage (needs `[actors]`; topics work without quotes).
    pub enabled: bool,
    /// Implementation: "rules" (cue lexicon and the NewsMTSC classifier) or "nli" (a zero-shot
    /// NLI transformer, see `[stance.nli]`; needs newsmill built with `--features
    /// transformers`, see the README).
    pub backend: StanceBackend,
    /// A cue lexicon file (same format as `resources/stance/cues.tsv`). Unset: the built-in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lexicon_file: Option<PathBuf>,
    /// With `lexicon_file`: true layers the file over the built-in lexicon (an entry with the
    /// same cue and pattern replaces the built-in one, weight 0 removes it); false uses the
    /// file alone.
    pub extend_default_lexicon: bool,
    /// Topics actors can take a stance on, each with the phrases that name it.
    pub topics: Vec<TopicConfig>,
    /// Use the NewsMTSC sentiment model for quote speaker → target pairs no rule covers.
    pub use_classifier: bool,
    /// The classifier model file (found like `[ner] model`: [`crate::shipped_models`]).
    pub classifier_model: PathBuf,
    /// Smallest class probability for a classifier record to be kept (0..1).
    pub classifier_min_confidence: f32,
    /// Keep neutral classifier records (true) or only support/oppose ones (false).
    pub classifier_neutral: bool,
    /// Records scoring below this are dropped (0..1).
    pub min_score: f32,
    /// How many tokens after a verb cue its target may start.
    pub max_distance: usize,
    /// Options of the "nli" backend.
    pub nli: NliConfig,
}

impl Default for StanceConfig {
    fn default() -> Self {
        StanceConfig {
            enabled: true,
            backend: StanceBackend::Rules,
            lexicon_file: None,
            extend_default_lexicon: true,
            topics: Vec::new(),
            use_classifier: true,
            classifier_model: PathBuf::from(DEFAULT_MODEL),
            classifier_min_confidence: 0.7,
            classifier_neutral: false,
            min_score: 0.1,
            max_distance: 8,
            nli: NliConfig::default(),
        }
    }
}

impl StanceConfig {
    /// Checks value ranges and topics; errors are `(key, message)`.
    pub fn validate(&self) -> Result<(), (String, String)> {
        for (key, v) in [
            ("min_score", self.min_score),
            ("classifier_min_confidence", self.classifier_min_confidence),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err((
                    key.to_string(),
                    format!("{v} is out of range; allowed: 0 to 1"),
                ));
            }
        }
        if !(1..=50).contains(&self.max_distance) {
            return Err((
                "max_distance".to_string(),
                format!("{} is out of range; allowed: 1 to 50", self.max_distance),
            ));
        }
        if self.backend == StanceBackend::Nli {
            if !crate::transformers::COMPILED {
                return Err((
                    "backend".to_string(),
                    crate::transformers::feature_missing("stance.backend", "nli"),
                ));
            }
            self.nli
                .validate()
                .map_err(|(k, m)| (format!("nli.{k}"), m))?;
        }
        TopicMatcher::validate(&self.topics)
    }

    /// Makes relative paths relative to `base` (the config file's folder).
    pub fn resolve_paths(&mut self, base: &Path) {
        let join = |p: &Path| {
            if p.is_absolute() || base.as_os_str().is_empty() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        if let Some(p) = &self.lexicon_file {
            self.lexicon_file = Some(join(p));
        }
        self.classifier_model = join(&self.classifier_model);
        if let Some(p) = &self.nli.model_dir {
            self.nli.model_dir = Some(join(p));
        }
    }
}

/// The stance stage: lexicon rules, topics and the optional classifier, shared read-only.
#[derive(Debug)]
pub struct StanceTagger {
    lexicon: Lexicon,
    /// `lexicon.cues` by first byte (see [`CueIndex`]).
    cue_index: CueIndex,
    topics: TopicMatcher,
    classifier: Option<Classifier>,
    nli: Option<NliScorer>,
    cfg: StanceConfig,
}

impl StanceTagger {
    /// Builds the tagger: parses the lexicon(s), compiles topics, loads the model.
    pub fn new(cfg: &StanceConfig) -> Result<Self, StanceError> {
        cfg.validate()
            .map_err(|(key, message)| StanceError::Config { key, message })?;
        let mut lexicon = match &cfg.lexicon_file {
            None => Lexicon::builtin()?,
            Some(p) => {
                let user = Lexicon::load(p)?;
                if cfg.extend_default_lexicon {
                    let mut base = Lexicon::builtin()?;
                    base.extend(user);
                    base
                } else {
                    user
                }
            }
        };
        lexicon.prune();
        let nli = match cfg.backend {
            StanceBackend::Nli => Some(NliScorer::load(&cfg.nli)?),
            StanceBackend::Rules => None,
        };
        let classifier = if cfg.use_classifier && nli.is_none() {
            Some(Classifier::load(&crate::shipped_models::locate(
                &cfg.classifier_model,
            ))?)
        } else {
            None
        };
        Ok(StanceTagger {
            cue_index: CueIndex::new(&lexicon.cues),
            lexicon,
            topics: TopicMatcher::new(&cfg.topics),
            classifier,
            nli,
            cfg: cfg.clone(),
        })
    }

    /// The lexicon in use.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Tags one document with the configured backend: replaces `doc.stances`. Only the NLI
    /// backend can fail (a libtorch error).
    pub fn try_tag(&self, doc: &mut Doc) -> Result<(), StanceError> {
        match &self.nli {
            Some(scorer) => nli::tag(doc, &self.topics, &self.cfg.nli, self.cfg.min_score, scorer),
            None => {
                self.tag(doc);
                Ok(())
            }
        }
    }

    /// Tags one document with the lexicon rules and classifier: replaces `doc.stances` with one record per (sentence, source,
    /// target), the strongest rule winning, in sentence order then by source and target.
    pub fn tag(&self, doc: &mut Doc) {
        let mut all: Vec<Stance> = Vec::new();
        for sent in 0..doc.sentences.len() {
            let Some(mut ctx) = rules::SentCtx::new(doc, sent, &self.topics) else {
                continue;
            };
            ctx.infer_reported_speech(&self.lexicon);
            let mut found =
                rules::apply(&ctx, &self.lexicon, &self.cue_index, self.cfg.max_distance);
            for f in found.iter_mut() {
                f.target = state_of_place(doc, &f.target);
                f.source = state_of_place_actor(doc, f.source);
            }
            // A place that is not read as its state ("blockaded roads outside Paris,
            // denouncing …") holds no stance.
            found.retain(|f| !is_place_actor(doc, f.source));
            if let Some(clf) = &self.classifier {
                self.classify(doc, &ctx, clf, &mut found);
            }
            // A speaker who names their own state in a quote speaks for it, not about it
            // ("… and that Bangkok would suspend trade", said the Thai prime minister): the
            // quote lexicon would read the state as a target (the classifier skips such
            // targets already, through `same_side`). Explicit verb rules ("criticised his own
            // government") still count.
            found.retain(|f| {
                !(f.method == "quote-lexicon" && own_affiliation(doc, f.source, &f.target))
            });
            // One record per (source, target): the highest score, first found on ties.
            let mut best: BTreeMap<(usize, TargetKey), rules::Found> = BTreeMap::new();
            for f in found {
                if f.score < self.cfg.min_score {
                    continue;
                }
                let key = (f.source, TargetKey::of(&f.target));
                match best.get(&key) {
                    Some(b) if b.score >= f.score => {}
                    _ => {
                        best.insert(key, f);
                    }
                }
            }
            for (_, f) in best {
                all.push(Stance {
                    sent,
                    source: f.source,
                    target: f.target,
                    polarity: f.polarity,
                    score: f.score,
                    cue: f.cue,
                    method: f.method,
                    evidence: ctx.span,
                });
            }
        }
        doc.stances = all;
    }

    /// Classifier records for quote speaker → target pairs with no rule record.
    fn classify(
        &self,
        doc: &Doc,
        ctx: &rules::SentCtx,
        clf: &Classifier,
        found: &mut Vec<rules::Found>,
    ) {
        let Some(sentence) = ctx.span.slice(&doc.text).get(..) else {
            return;
        };
        if sentence.is_empty() {
            return;
        }
        let mut seen: Vec<(usize, TargetKey)> = found
            .iter()
            .map(|f| (f.source, TargetKey::of(&f.target)))
            .collect();
        for c in ctx.candidates() {
            // Only speech the quote stage attributed: inferred speech spans are too loose.
            let Some(speaker) = ctx.speaker_at(c.start) else {
                continue;
            };
            if ctx.inferred.get(c.start).copied().unwrap_or(true)
                || matches!(c.target, StanceTarget::Actor(a) if a == speaker)
                || (matches!(c.target, StanceTarget::Actor(_))
                    && ctx.proxy_head(c.start, c.end) == Some(false))
                // "… in the Caucasus": a place adjunct is where, not whom, the speech is about.
                || rules::is_place_adjunct(ctx, c.start)
            {
                continue;
            }
            let target = state_of_place(doc, &c.target);
            let key = (speaker, TargetKey::of(&target));
            // Sentiment toward a region or city ("aid convoys bound for Darfur") is about
            // events there, not a stance toward an actor; a place does not speak for itself.
            if seen.contains(&key)
                || same_side(doc, speaker, &target)
                || matches!(target, StanceTarget::Actor(a) if is_place_actor(doc, a))
                || is_place_actor(doc, speaker)
            {
                continue;
            }
            seen.push(key);
            let span = ctx.tok_span(c.start, c.end);
            let (Some(a), Some(b)) = (
                span.start.checked_sub(ctx.span.start),
                span.end.checked_sub(ctx.span.start),
            ) else {
                continue;
            };
            // Other actors are masked as the model saw other targets in training.
            let others: Vec<std::ops::Range<usize>> = ctx
                .mentions
                .iter()
                .filter(|m| m.start != c.start)
                .map(|m| ctx.tok_span(m.start, m.end))
                .filter_map(|s| {
                    Some(s.start.checked_sub(ctx.span.start)?..s.end.checked_sub(ctx.span.start)?)
                })
                .collect();
            let probs = clf.predict_with(sentence, a..b, &others);
            let (cls, p) = argmax(&probs);
            let polarity = match cls {
                0 => Polarity::Oppose,
                2 => Polarity::Support,
                _ => Polarity::Neutral,
            };
            if p < self.cfg.classifier_min_confidence
                || (polarity == Polarity::Neutral && !self.cfg.classifier_neutral)
            {
                continue;
            }
            found.push(rules::Found {
                source: speaker,
                target,
                polarity,
                score: p,
                cue: "newsmtsc".to_string(),
                method: "classifier".to_string(),
            });
        }
    }
}

/// A place that does not act ("visit Moscow") stands for the state it belongs to, when that
/// state is an actor of the document.
pub(crate) fn state_of_place(doc: &Doc, t: &StanceTarget) -> StanceTarget {
    match t {
        StanceTarget::Actor(a) => StanceTarget::Actor(state_of_place_actor(doc, *a)),
        StanceTarget::Topic(_) => t.clone(),
    }
}

/// [`state_of_place`] for an actor index (a source or speaker).
fn state_of_place_actor(doc: &Doc, a: usize) -> usize {
    if is_place_actor(doc, a) {
        if let Some(aff) = doc.actors.get(a).and_then(|x| x.affiliation.as_ref()) {
            if let Some(s) = doc.actors.iter().position(|x| &x.key == aff) {
                return s;
            }
        }
    }
    a
}

/// True when actor `a` is of type place (a city, region or sea that does not stand for a state
/// here).
fn is_place_actor(doc: &Doc, a: usize) -> bool {
    doc.actors
        .get(a)
        .is_some_and(|x| x.actor_type == crate::doc::ActorType::Place)
}

/// True when the speaker belongs to the target actor or the other way round (a minister and
/// their state): the classifier's sentiment there says little about stance.
pub(crate) fn same_side(doc: &Doc, speaker: usize, t: &StanceTarget) -> bool {
    let StanceTarget::Actor(a) = t else {
        return false;
    };
    match (doc.actors.get(speaker), doc.actors.get(*a)) {
        (Some(s), Some(o)) => {
            s.affiliation.as_deref() == Some(o.key.as_str())
                || o.affiliation.as_deref() == Some(s.key.as_str())
                || (s.affiliation.is_some() && s.affiliation == o.affiliation)
        }
        _ => false,
    }
}

fn argmax(p: &[f32; 3]) -> (usize, f32) {
    let mut best = (1, p[1]);
    for (i, &v) in p.iter().enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best
}

/// Orderable form of a [`StanceTarget`] for de-duplication.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TargetKey {
    Actor(usize),
    Topic(String),
}

impl TargetKey {
    pub(crate) fn of(t: &StanceTarget) -> Self {
        match t {
            StanceTarget::Actor(a) => TargetKey::Actor(*a),
            StanceTarget::Topic(n) => TargetKey::Topic(n.clone()),
        }
    }
}

/// Whether `target` is the actor that `source` is affiliated with (a minister's state).
fn own_affiliation(doc: &Doc, source: usize, target: &StanceTarget) -> bool {
    let StanceTarget::Actor(t) = target else {
        return false;
    };
    match (doc.actors.get(source), doc.actors.get(*t)) {
        (Some(s), Some(t)) => s.affiliation.as_deref() == Some(t.key.as_str()),
        _ => false,
    }
}
