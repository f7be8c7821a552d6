//! Stage 2, clean: boilerplate removal and metadata (title, byline, dateline, date, agency).
//!
//! The algorithm lives in [`crate::clean`]; this stage feeds it the decoded text and stores the
//! cleaned text and metadata on the document. Metadata from the input (JSONL fields, HTML meta
//! tags) wins over what the cleaner finds.

use crate::clean::{CleanInput, Cleaner};
use crate::doc::Doc;
use crate::pipeline::PipelineError;
use crate::stage::{Stage, StageError};

pub use crate::clean::CleanConfig;

/// The clean stage.
pub struct CleanStage {
    cleaner: Cleaner,
}

impl CleanStage {
    /// Builds the cleaner (loads the boilerplate patterns).
    pub fn new(cfg: &CleanConfig) -> Result<Self, PipelineError> {
        let cleaner = Cleaner::new(cfg).map_err(|e| PipelineError::Setup {
            stage: "clean",
            message: e.to_string(),
        })?;
        Ok(CleanStage { cleaner })
    }
}

impl Stage for CleanStage {
    fn name(&self) -> &'static str {
        "clean"
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        let raw = std::mem::take(&mut doc.raw);
        let cleaned = self.cleaner.clean(&CleanInput {
            text: &raw,
            title: doc.meta.title.as_deref(),
            source_key: None,
        });
        let m = &mut doc.meta;
        m.title = m.title.take().or(cleaned.title);
        m.byline = m.byline.take().or(cleaned.byline);
        m.dateline = m.dateline.take().or(cleaned.dateline);
        m.published = m.published.take().or(cleaned.published);
        m.agency = m.agency.take().or(cleaned.agency);
        doc.text = cleaned.text;
        Ok(())
    }
}

/// Used when cleaning is disabled: the decoded text is the article text.
pub struct PassThrough;

impl Stage for PassThrough {
    fn name(&self) -> &'static str {
        "clean"
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        doc.text = std::mem::take(&mut doc.raw);
        Ok(())
    }
}
