//! Subcommand handlers of the `newsmill` binary.

pub mod bench;
#[cfg(feature = "transformers")]
pub mod bench_transformers;
pub mod eval;
pub mod models;
pub mod train;

use std::path::Path;

use anyhow::Result;
use newsmill::config::PipelineConfig;

/// Loads the config; the default `pipeline.toml` may be absent (defaults apply).
pub fn load_config(path: &Path) -> Result<PipelineConfig> {
    if path == Path::new("pipeline.toml") && !path.exists() {
        return Ok(PipelineConfig::default());
    }
    Ok(PipelineConfig::load(path)?)
}
