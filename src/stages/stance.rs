//! Stage 6b, stance: who supports or opposes whom or what ([`crate::stance`]).

use crate::doc::Doc;
use crate::pipeline::PipelineError;
use crate::stage::{Stage, StageError};
use crate::stance::{StanceError, StanceTagger};

pub use crate::stance::StanceConfig;

/// The stance stage.
pub struct StanceStage {
    tagger: StanceTagger,
}

impl StanceStage {
    /// Loads the cue lexicon and the classifier.
    pub fn new(cfg: &StanceConfig) -> Result<Self, PipelineError> {
        let tagger = StanceTagger::new(cfg).map_err(|e| {
            let hint = match &e {
                StanceError::Io { path, .. } => crate::shipped_models::not_found_hint(path),
                _ => None,
            };
            PipelineError::Setup {
                stage: "stance",
                message: match hint {
                    Some(hint) => format!("{e} ({hint})"),
                    None => e.to_string(),
                },
            }
        })?;
        Ok(StanceStage { tagger })
    }
}

impl Stage for StanceStage {
    fn name(&self) -> &'static str {
        "stance"
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        self.tagger
            .try_tag(doc)
            .map_err(|e| StageError(e.to_string()))
    }
}
