//! Per-document stages, one file each, in pipeline order: clean → split → ner → actors →
//! quotes → stance. (Ingest creates documents and lives in [`crate::ingest`].)

pub mod clean;
pub mod split;

use crate::config::PipelineConfig;
use crate::output::manifest::ModelFile;
use crate::output::OutputError;
use crate::pipeline::PipelineError;
use crate::stage::Stage;

/// Builds the enabled stages in pipeline order.
pub fn build(cfg: &PipelineConfig) -> Result<Vec<Box<dyn Stage>>, PipelineError> {
    let mut stages: Vec<Box<dyn Stage>> = Vec::new();
    if cfg.clean.enabled {
        stages.push(Box::new(clean::CleanStage::new(&cfg.clean)?));
    } else {
        stages.push(Box::new(clean::PassThrough));
    }
    if cfg.split.enabled {
        stages.push(Box::new(split::SplitStage::new(&cfg.split)?));
    }
    Ok(stages)
}

/// Model and resource files the enabled stages load, with checksums (for the manifest).
pub fn model_files(cfg: &PipelineConfig) -> Result<Vec<ModelFile>, OutputError> {
    let _ = cfg;
    Ok(Vec::new())
}
