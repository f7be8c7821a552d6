//! Stage 4, ner: named entities from the built-in CPU model ([`crate::ner`]).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::doc::{ByteSpan, Doc, Entity};
use crate::ner::NerModel;
use crate::pipeline::PipelineError;
use crate::stage::{Stage, StageError};

/// Which NER implementation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NerBackend {
    /// The built-in averaged-perceptron tagger (CPU, no extra dependencies).
    Builtin,
}

/// `[ner]` options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NerConfig {
    /// Run this stage (actors, quotes and stance need it).
    pub enabled: bool,
    /// Implementation: "builtin".
    pub backend: NerBackend,
    /// Model file: `models/ner-conll.bin` (PER, ORG, LOC, MISC; the default) or
    /// `models/ner-ontonotes.bin` (18 OntoNotes types). Relative paths are resolved against
    /// the config file's folder.
    pub model: PathBuf,
    /// Entities scoring below this (0..1) are dropped.
    pub min_score: f32,
}

impl Default for NerConfig {
    fn default() -> Self {
        NerConfig {
            enabled: true,
            backend: NerBackend::Builtin,
            model: PathBuf::from("models/ner-conll.bin"),
            min_score: 0.0,
        }
    }
}

impl NerConfig {
    /// Checks values; returns the offending key and a message.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if !(0.0..=1.0).contains(&self.min_score) {
            return Err((
                "min_score".into(),
                format!("{} is out of range; allowed: 0 to 1", self.min_score),
            ));
        }
        Ok(())
    }
}

/// The ner stage.
pub struct NerStage {
    model: NerModel,
    min_score: f32,
}

impl NerStage {
    /// Loads the model.
    pub fn new(cfg: &NerConfig) -> Result<Self, PipelineError> {
        let model = NerModel::load(&cfg.model).map_err(|e| PipelineError::Setup {
            stage: "ner",
            message: format!("{e} (set [ner] model in pipeline.toml)"),
        })?;
        Ok(NerStage {
            model,
            min_score: cfg.min_score,
        })
    }
}

impl Stage for NerStage {
    fn name(&self) -> &'static str {
        "ner"
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        let sentences: Vec<Vec<&str>> = (0..doc.sentences.len())
            .map(|i| doc.sentence_tokens(i))
            .collect();
        let tagged = self.model.tag_document(&sentences);
        let mut entities = Vec::new();
        for (sent_idx, (sent, spans)) in doc.sentences.iter().zip(tagged).enumerate() {
            for e in spans {
                if e.score < self.min_score || e.start >= e.end {
                    continue;
                }
                let (first, last) = (sent.token_start + e.start, sent.token_start + e.end - 1);
                let (Some(a), Some(b)) = (doc.tokens.get(first), doc.tokens.get(last)) else {
                    continue;
                };
                if last >= sent.token_end {
                    continue;
                }
                entities.push(Entity {
                    sent: sent_idx,
                    token_start: first,
                    token_end: last + 1,
                    span: ByteSpan::new(a.start, b.end),
                    label: e.label,
                    score: e.score,
                });
            }
        }
        doc.entities = entities;
        Ok(())
    }
}
