//! Writing results: table schemas, the Parquet writer, the atomic commit and the run manifest.

pub mod actor_rows;
pub mod atomic_file;
pub mod commit;
pub mod corpus;
pub mod manifest;
pub mod merge;
pub mod offsets;
pub mod parquet;
pub mod rows;
pub mod schema_doc;
pub mod state;
pub mod tables;

use serde::{Deserialize, Serialize};

/// Error while writing output.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// File system problem, with the path involved.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Path involved.
        path: std::path::PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Parquet or Arrow encoding problem.
    #[error("writing table {table}: {message}")]
    Encode {
        /// Table name.
        table: String,
        /// Cause.
        message: String,
    },
    /// The output folder cannot be used.
    #[error("{0}")]
    Refused(String),
}

impl OutputError {
    /// Wraps an I/O error with what was being done and where.
    pub fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        OutputError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// `[output]`: where and how tables are written. Output always runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// Output folder; `--output` overrides it. Each table is a sub-folder of Parquet files
    /// (`output/<table>/*.parquet`), next to `manifest.json`.
    pub dir: std::path::PathBuf,
    /// zstd compression level, 1 (fastest) ..= 22 (smallest).
    pub zstd_level: i32,
    /// Most rows in one Parquet row group, 1024 ..= 10000000. Row groups are also cut at
    /// `row_group_mib` of buffered data, which keeps memory flat.
    pub row_group_rows: usize,
    /// Buffered data (MiB) of all tables together at which the biggest table's row group is
    /// written (and of one table, in the corpus pass), 1 ..= 1024. This bounds the run's
    /// memory for output, whatever the corpus size.
    pub row_group_mib: usize,
    /// Keep `_state/` in the output folder (actor-keyed copies of mentions, quotes and stances,
    /// and the actor counters), which `run --incremental` and `newsmill merge` need. Turning
    /// it off saves that disk space; such an output can only be rebuilt, not extended.
    pub keep_state: bool,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: "output".into(),
            zstd_level: 3,
            row_group_rows: 128 * 1024,
            row_group_mib: 32,
            keep_state: true,
        }
    }
}

impl OutputConfig {
    /// Checks values; returns the offending key and a message.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if !(1..=22).contains(&self.zstd_level) {
            return Err((
                "zstd_level".into(),
                format!("{} is out of range; allowed: 1 to 22", self.zstd_level),
            ));
        }
        if !(1024..=10_000_000).contains(&self.row_group_rows) {
            return Err((
                "row_group_rows".into(),
                format!(
                    "{} is out of range; allowed: 1024 to 10000000",
                    self.row_group_rows
                ),
            ));
        }
        if !(1..=1024).contains(&self.row_group_mib) {
            return Err((
                "row_group_mib".into(),
                format!("{} is out of range; allowed: 1 to 1024", self.row_group_mib),
            ));
        }
        Ok(())
    }
}
