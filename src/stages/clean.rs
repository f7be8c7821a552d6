//! Stage 2, clean (placeholder until the cleaner lands): normalises whitespace.

use serde::{Deserialize, Serialize};

use crate::doc::Doc;
use crate::stage::{Stage, StageError};

/// `[clean]` options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CleanConfig {
    /// Run this stage.
    pub enabled: bool,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig { enabled: true }
    }
}

/// The clean stage.
pub struct CleanStage;

impl CleanStage {
    /// Builds the stage.
    pub fn new(_cfg: &CleanConfig) -> Result<Self, crate::pipeline::PipelineError> {
        Ok(CleanStage)
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

impl Stage for CleanStage {
    fn name(&self) -> &'static str {
        "clean"
    }
    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        let raw = std::mem::take(&mut doc.raw);
        let paras: Vec<&str> = raw
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        doc.text = paras.join("\n\n");
        Ok(())
    }
}
