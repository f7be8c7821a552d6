//! Stage 3, split: sentences and CoNLL/PTB-style word tokens with byte spans.
//!
//! The algorithms live in [`crate::text`]; this stage stores their byte ranges on the document.

use crate::doc::{ByteSpan, Doc, Sentence};
use crate::pipeline::PipelineError;
use crate::stage::{Stage, StageError};
use crate::text::sentences::SentenceSplitter;
use crate::text::tokens::tokenize_into;

pub use crate::text::sentences::SplitConfig;

/// The split stage.
pub struct SplitStage {
    splitter: SentenceSplitter,
}

impl SplitStage {
    /// Builds the splitter (loads the abbreviation list).
    pub fn new(cfg: &SplitConfig) -> Result<Self, PipelineError> {
        let splitter = SentenceSplitter::new(cfg).map_err(|e| PipelineError::Setup {
            stage: "split",
            message: e.to_string(),
        })?;
        Ok(SplitStage { splitter })
    }
}

impl Stage for SplitStage {
    fn name(&self) -> &'static str {
        "split"
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        let mut tokens = Vec::new();
        for range in self.splitter.split(&doc.text) {
            let token_start = doc.tokens.len();
            tokens.clear();
            tokenize_into(&doc.text, range.clone(), &mut tokens);
            doc.tokens
                .extend(tokens.iter().map(|t| ByteSpan::from(t.clone())));
            doc.sentences.push(Sentence {
                span: range.into(),
                token_start,
                token_end: doc.tokens.len(),
            });
        }
        Ok(())
    }
}
