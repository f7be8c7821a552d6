//! Stage 4, ner: named entities from the built-in CPU model ([`crate::ner`]), or from a
//! transformer token classifier when built with the `transformers` feature.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::doc::{ByteSpan, Doc, Entity};
use crate::ner::NerModel;
use crate::pipeline::PipelineError;
use crate::stage::{Stage, StageError};
use crate::transformers::DeviceChoice;

/// Which NER implementation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NerBackend {
    /// The built-in averaged-perceptron tagger (CPU, no extra dependencies).
    Builtin,
    /// A BERT token classifier from `model_dir`, run by rust-bert (needs the `transformers`
    /// cargo feature and libtorch).
    Transformers,
}

/// `[ner]` options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NerConfig {
    /// Run this stage (actors, quotes and stance need it).
    pub enabled: bool,
    /// Implementation: "builtin", or "transformers" (a BERT token classifier from `model_dir`;
    /// needs newsmill built with `--features transformers`, see the README).
    pub backend: NerBackend,
    /// Model file: `models/ner-conll.bin` (PER, ORG, LOC, MISC; the default) or
    /// `models/ner-ontonotes.bin` (18 OntoNotes types). Relative paths are resolved against
    /// the config file's folder; the default, when missing under the working directory, is
    /// looked up beside the executable or in `$NEWSMILL_MODELS` ([`crate::shipped_models`]).
    pub model: PathBuf,
    /// Neural re-scorer of the builtin model (a small BiLSTM-CRF whose scores are added to
    /// the perceptron's; see models/README.md): "auto" uses the model's sibling file ending
    /// in `.lstm` (`models/ner-conll.lstm`, `models/ner-ontonotes.lstm`) when it exists,
    /// "none" turns it off (about twice as fast, 0.2-0.4 F1 less), any other value is a
    /// re-scorer file (relative paths are resolved against the config file's folder).
    pub rescorer: Rescorer,
    /// Entities scoring below this (0..1) are dropped.
    pub min_score: f32,
    /// With backend "transformers": a local model directory with `config.json` (its `id2label`
    /// gives the labels), `vocab.txt` and `rust_model.ot` or `model.safetensors`, e.g. made by
    /// `newsmill models convert`. Relative paths are resolved against the config file's folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_dir: Option<PathBuf>,
    /// With backend "transformers": "cpu", "cuda" (an error without a usable GPU) or "auto"
    /// (the GPU when usable, else the CPU).
    pub device: DeviceChoice,
    /// With backend "transformers": sentence windows per forward pass (1..=1024). Sentences
    /// are sorted by length first, so larger batches pad little.
    pub batch_size: usize,
}

impl Default for NerConfig {
    fn default() -> Self {
        NerConfig {
            enabled: true,
            backend: NerBackend::Builtin,
            model: PathBuf::from("models/ner-conll.bin"),
            rescorer: Rescorer::Auto,
            min_score: 0.0,
            model_dir: None,
            device: DeviceChoice::Cpu,
            batch_size: 16,
        }
    }
}

/// `[ner] rescorer`: which neural re-scorer joins the builtin model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Rescorer {
    /// The model's sibling `.lstm` file when it exists, else none.
    Auto,
    /// No re-scorer.
    None,
    /// This re-scorer file (it must exist and fit the model).
    File(PathBuf),
}

impl From<String> for Rescorer {
    fn from(s: String) -> Self {
        match s.as_str() {
            "auto" => Rescorer::Auto,
            "none" => Rescorer::None,
            _ => Rescorer::File(PathBuf::from(s)),
        }
    }
}

impl From<Rescorer> for String {
    fn from(r: Rescorer) -> Self {
        match r {
            Rescorer::Auto => "auto".into(),
            Rescorer::None => "none".into(),
            Rescorer::File(p) => p.display().to_string(),
        }
    }
}

impl Rescorer {
    /// The re-scorer file to pair with `model`, if any.
    pub fn file_for(&self, model: &std::path::Path) -> Option<PathBuf> {
        match self {
            Rescorer::Auto => Some(model.with_extension("lstm")).filter(|p| p.is_file()),
            Rescorer::None => None,
            Rescorer::File(p) => Some(p.clone()),
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
        if !(1..=1024).contains(&self.batch_size) {
            return Err((
                "batch_size".into(),
                format!("{} is out of range; allowed: 1 to 1024", self.batch_size),
            ));
        }
        if self.backend == NerBackend::Transformers {
            if !crate::transformers::COMPILED {
                return Err((
                    "backend".into(),
                    crate::transformers::feature_missing("ner.backend", "transformers"),
                ));
            }
            if self.model_dir.is_none() {
                return Err((
                    "model_dir".into(),
                    "must be set when backend = \"transformers\" (a local model directory; \
                     see `newsmill models convert --help`)"
                        .into(),
                ));
            }
        }
        Ok(())
    }
}

/// The loaded implementation.
enum Backend {
    Builtin(Box<NerModel>),
    #[cfg(feature = "transformers")]
    Transformers(Box<crate::ner::transformers::TransformerNer>),
}

/// The ner stage.
pub struct NerStage {
    backend: Backend,
    min_score: f32,
}

impl NerStage {
    /// Loads the model.
    pub fn new(cfg: &NerConfig) -> Result<Self, PipelineError> {
        let setup = |message: String| PipelineError::Setup {
            stage: "ner",
            message,
        };
        let backend = match cfg.backend {
            NerBackend::Builtin => {
                let model = crate::shipped_models::locate(&cfg.model);
                Backend::Builtin(Box::new(
                    NerModel::load_with_rescorer(&model, cfg.rescorer.file_for(&model)).map_err(
                        |e| {
                            let hint = crate::shipped_models::not_found_hint(&model)
                                .unwrap_or_else(|| {
                                    "set [ner] model or rescorer in pipeline.toml".into()
                                });
                            setup(format!("{e} ({hint})"))
                        },
                    )?,
                ))
            }
            #[cfg(feature = "transformers")]
            NerBackend::Transformers => {
                let dir = cfg.model_dir.as_deref().ok_or_else(|| {
                    setup("ner.model_dir must be set when backend = \"transformers\"".into())
                })?;
                Backend::Transformers(Box::new(
                    crate::ner::transformers::TransformerNer::load(dir, cfg.device, cfg.batch_size)
                        .map_err(|e| setup(e.to_string()))?,
                ))
            }
            #[cfg(not(feature = "transformers"))]
            NerBackend::Transformers => {
                return Err(setup(crate::transformers::feature_missing(
                    "ner.backend",
                    "transformers",
                )))
            }
        };
        Ok(NerStage {
            backend,
            min_score: cfg.min_score,
        })
    }
}

impl Stage for NerStage {
    fn name(&self) -> &'static str {
        "ner"
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        // One arm without the `transformers` feature, two with it.
        #[allow(clippy::infallible_destructuring_match)]
        let model = match &self.backend {
            Backend::Builtin(m) => m,
            #[cfg(feature = "transformers")]
            Backend::Transformers(t) => return self.process_transformers(t, doc),
        };
        let sentences: Vec<Vec<&str>> = (0..doc.sentences.len())
            .map(|i| doc.sentence_tokens(i))
            .collect();
        let tagged = model.tag_document(&sentences);
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

#[cfg(feature = "transformers")]
impl NerStage {
    /// Transformer entities, snapped to the document's tokens so that `token_start..token_end`
    /// and the span agree (as with the built-in backend); an entity overlapping one already
    /// kept is dropped.
    fn process_transformers(
        &self,
        model: &crate::ner::transformers::TransformerNer,
        doc: &mut Doc,
    ) -> Result<(), StageError> {
        let spans: Vec<ByteSpan> = doc.sentences.iter().map(|s| s.span).collect();
        let tagged = model
            .tag(&doc.text, &spans)
            .map_err(|e| StageError(e.to_string()))?;
        let mut entities: Vec<Entity> = Vec::new();
        for (sent_idx, (sent, found)) in doc.sentences.iter().zip(tagged).enumerate() {
            for e in found {
                if e.score < self.min_score {
                    continue;
                }
                let toks = sent.token_start..sent.token_end.min(doc.tokens.len());
                let mut hit = toks.clone().filter(|&i| {
                    doc.tokens[i].start < e.span.end && doc.tokens[i].end > e.span.start
                });
                let Some(first) = hit.next() else { continue };
                let last = hit.next_back().unwrap_or(first);
                if entities
                    .last()
                    .is_some_and(|p| p.sent == sent_idx && p.token_end > first)
                {
                    continue;
                }
                entities.push(Entity {
                    sent: sent_idx,
                    token_start: first,
                    token_end: last + 1,
                    span: ByteSpan::new(doc.tokens[first].start, doc.tokens[last].end),
                    label: e.label,
                    score: e.score,
                });
            }
        }
        doc.entities = entities;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescorer_setting_reads_auto_none_or_a_file() {
        let parse = |v: &str| -> Rescorer {
            let cfg: NerConfig =
                toml::from_str(&format!("rescorer = {v:?}")).expect("valid [ner] table");
            cfg.rescorer
        };
        assert_eq!(parse("auto"), Rescorer::Auto);
        assert_eq!(parse("none"), Rescorer::None);
        assert_eq!(parse("my.lstm"), Rescorer::File("my.lstm".into()));
        assert_eq!(NerConfig::default().rescorer, Rescorer::Auto);
        for r in [
            Rescorer::Auto,
            Rescorer::None,
            Rescorer::File("a/b.lstm".into()),
        ] {
            assert_eq!(Rescorer::from(String::from(r.clone())), r);
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let model = dir.path().join("m.bin");
        assert_eq!(Rescorer::Auto.file_for(&model), None, "no sibling file yet");
        std::fs::write(dir.path().join("m.lstm"), b"x").expect("write");
        assert_eq!(
            Rescorer::Auto.file_for(&model),
            Some(dir.path().join("m.lstm"))
        );
        assert_eq!(Rescorer::None.file_for(&model), None);
        let named = Rescorer::File("elsewhere.lstm".into());
        assert_eq!(named.file_for(&model), Some("elsewhere.lstm".into()));
    }
}
