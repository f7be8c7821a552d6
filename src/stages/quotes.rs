//! Stage 6a, quotes: direct and indirect speech with speakers ([`crate::quotes`]).

use crate::doc::Doc;
use crate::pipeline::PipelineError;
use crate::quotes::QuoteExtractor;
use crate::stage::{Stage, StageError};

pub use crate::quotes::QuotesConfig;

/// The quotes stage.
pub struct QuotesStage {
    extractor: QuoteExtractor,
}

impl QuotesStage {
    /// Loads the speech-verb list.
    pub fn new(cfg: &QuotesConfig) -> Result<Self, PipelineError> {
        let extractor = QuoteExtractor::new(cfg).map_err(|e| PipelineError::Setup {
            stage: "quotes",
            message: e.to_string(),
        })?;
        Ok(QuotesStage { extractor })
    }
}

impl Stage for QuotesStage {
    fn name(&self) -> &'static str {
        "quotes"
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        self.extractor.extract(doc);
        Ok(())
    }
}
