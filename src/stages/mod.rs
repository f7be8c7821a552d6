//! Per-document stages, one file each, in pipeline order: clean → split → ner → actors →
//! quotes → stance. (Ingest creates documents and lives in [`crate::ingest`].)

pub mod actors;
pub mod clean;
pub mod ner;
pub mod quotes;
pub mod split;
pub mod stance;

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
    let runs = |s: &str| runs(cfg, s);
    if runs("split") {
        stages.push(Box::new(split::SplitStage::new(&cfg.split)?));
    }
    if runs("ner") {
        stages.push(Box::new(ner::NerStage::new(&cfg.ner)?));
    }
    if runs("actors") {
        stages.push(Box::new(actors::ActorsStage::new(&cfg.actors)?));
    }
    if runs("quotes") {
        stages.push(Box::new(quotes::QuotesStage::new(&cfg.quotes)?));
    }
    if runs("stance") {
        stages.push(Box::new(stance::StanceStage::new(&cfg.stance)?));
    }
    Ok(stages)
}

/// Which stages actually run: each needs the ones before it (split needs clean text, ner needs
/// tokens, actors need entities, quotes and stance need actors).
pub fn runs(cfg: &PipelineConfig, stage: &str) -> bool {
    let split = cfg.split.enabled;
    let ner = split && cfg.ner.enabled;
    let actors = ner && cfg.actors.enabled;
    match stage {
        "split" => split,
        "ner" => ner,
        "actors" => actors,
        "quotes" => actors && cfg.quotes.enabled,
        "stance" => actors && cfg.stance.enabled,
        _ => true,
    }
}

/// Model and resource files the enabled stages load, with checksums (for the manifest).
pub fn model_files(cfg: &PipelineConfig) -> Result<Vec<ModelFile>, OutputError> {
    let mut files = Vec::new();
    if runs(cfg, "ner") {
        match (&cfg.ner.backend, &cfg.ner.model_dir) {
            (ner::NerBackend::Transformers, Some(dir)) => {
                for f in crate::transformers::manifest_files(dir) {
                    files.push(crate::output::manifest::model_file("ner", &f)?);
                }
            }
            _ => {
                // The files the stage reads (same rules as loading).
                let model = crate::shipped_models::locate(&cfg.ner.model);
                files.push(crate::output::manifest::model_file("ner", &model)?);
                if let Some(f) = cfg.ner.rescorer.file_for(&model) {
                    files.push(crate::output::manifest::model_file("ner", &f)?);
                }
            }
        }
    }
    if runs(cfg, "actors") {
        for f in cfg.actors.files() {
            files.push(crate::output::manifest::model_file("actors", &f)?);
        }
    }
    if runs(cfg, "stance") && cfg.stance.backend == crate::stance::StanceBackend::Nli {
        if let Some(dir) = &cfg.stance.nli.model_dir {
            for f in crate::transformers::manifest_files(dir) {
                files.push(crate::output::manifest::model_file("stance", &f)?);
            }
        }
    } else if runs(cfg, "stance") && cfg.stance.use_classifier {
        files.push(crate::output::manifest::model_file(
            "stance",
            &crate::shipped_models::locate(&cfg.stance.classifier_model),
        )?);
    }
    Ok(files)
}
