//! What an output folder keeps so that later runs can build on it: incremental runs
//! (`run --incremental`) and `newsmill merge` of shard outputs.
//!
//! Layout of an output folder:
//! - `<table>/part-NNNNN.parquet`: per-document tables (documents, sentences, entities,
//!   failures) get one new part per run that adds documents; parts are never rewritten, so a
//!   later run hard-links them into its staging folder instead of copying.
//! - corpus-level tables (mentions, quotes, stances, actors, actor_stance_summary) are rebuilt
//!   by every run from the saved state, as `part-00000.parquet`, because a new document can
//!   merge two actors and so change the ids of older rows.
//! - `_state/keyed/<table>/part-NNNNN.parquet`: mentions, quotes and stances with document-level
//!   actor *keys* (not ids), one part per run, and `_state/actor_registry.json`: the corpus
//!   actor counters. Together they let the corpus pass rerun without any NLP work.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{Array, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::commit::MANIFEST;
use super::manifest::Manifest;
use super::OutputError;

/// Folder (inside an output folder) holding state for later runs.
pub const STATE_DIR: &str = "_state";
/// Sub-folder of [`STATE_DIR`] with the actor-keyed tables.
pub const KEYED_DIR: &str = "keyed";
/// The saved actor registry, inside [`STATE_DIR`].
pub const REGISTRY_FILE: &str = "actor_registry.json";

/// Per-document tables: each run that adds documents adds one part to each.
pub const APPEND_TABLES: &[&str] = &["documents", "sentences", "entities", "failures"];

/// Actor-keyed tables saved under `_state/keyed`.
pub const KEYED_TABLES: &[&str] = &["mentions", "quotes", "stances"];

/// File name of part `seq` of a table.
pub fn part_name(seq: u32) -> String {
    format!("part-{seq:05}.parquet")
}

/// Folder of the keyed parts of `table` under output (or staging) folder `dir`.
pub fn keyed_dir(dir: &Path, table: &str) -> PathBuf {
    dir.join(STATE_DIR).join(KEYED_DIR).join(table)
}

/// The Parquet files of a folder, sorted by name (missing folder: none).
pub fn parquet_files(dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(OutputError::io("reading", dir, e)),
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    files.sort();
    Ok(files)
}

/// A complete earlier output that a run builds on.
#[derive(Debug)]
pub struct Prior {
    /// Its folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// `source_hash` of every input it holds (documents and failures).
    pub seen: HashSet<u128>,
    /// Its document ids.
    pub doc_ids: HashSet<u64>,
    /// Part numbers used so far (sorted).
    pub parts: Vec<u32>,
}

/// Parses a 32-hex-digit source hash.
pub fn hash_key(hex: &str) -> Option<u128> {
    u128::from_str_radix(hex, 16).ok()
}

/// Parses a 16-hex-digit document id.
pub fn doc_key(hex: &str) -> Option<u64> {
    u64::from_str_radix(hex, 16).ok()
}

impl Prior {
    /// Reads what a run needs of an existing output folder: `Ok(None)` when there is none yet.
    /// Refuses a folder without saved state (written with `output.keep_state = false` or by an
    /// older newsmill).
    pub fn load(dir: &Path) -> Result<Option<Prior>, OutputError> {
        let manifest_path = dir.join(MANIFEST);
        if !manifest_path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&manifest_path)
            .map_err(|e| OutputError::io("reading", &manifest_path, e))?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            OutputError::Refused(format!(
                "{} is not a manifest this newsmill can read ({e}); run without --incremental to rebuild the output",
                manifest_path.display()
            ))
        })?;
        if !dir.join(STATE_DIR).is_dir() {
            return Err(OutputError::Refused(format!(
                "{} has no {STATE_DIR}/ folder (it was written with output.keep_state = false), so it cannot be \
                 extended; run without --incremental to rebuild it",
                dir.display()
            )));
        }
        let mut prior = Prior {
            dir: dir.to_path_buf(),
            manifest,
            seen: HashSet::new(),
            doc_ids: HashSet::new(),
            parts: Vec::new(),
        };
        for table in ["documents", "failures"] {
            for file in parquet_files(&dir.join(table))? {
                prior.read_hashes(&file, table == "documents")?;
            }
        }
        prior.parts = parts_of(&dir.join("documents"))?;
        Ok(Some(prior))
    }

    fn read_hashes(&mut self, file: &Path, with_ids: bool) -> Result<(), OutputError> {
        let bad = |e: &dyn std::fmt::Display| OutputError::Encode {
            table: file.display().to_string(),
            message: format!("reading earlier output: {e}"),
        };
        let f = File::open(file).map_err(|e| OutputError::io("opening", file, e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(f).map_err(|e| bad(&e))?;
        let schema = builder.parquet_schema();
        let wanted: Vec<usize> = (0..schema.num_columns())
            .filter(|&i| {
                let col = schema.column(i);
                let n = col.name();
                n == "source_hash" || (with_ids && n == "doc_id")
            })
            .collect();
        if wanted.is_empty() {
            return Err(bad(
                &"no source_hash column (written by an older newsmill); run without --incremental",
            ));
        }
        let mask = ProjectionMask::leaves(schema, wanted);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(65_536)
            .build()
            .map_err(|e| bad(&e))?;
        for batch in reader {
            let batch = batch.map_err(|e| bad(&e))?;
            let col = |name: &str| {
                batch
                    .column_by_name(name)
                    .and_then(|c| c.as_any().downcast_ref::<StringArray>().cloned())
            };
            if let Some(h) = col("source_hash") {
                self.seen.extend(h.iter().flatten().filter_map(hash_key));
            }
            if let Some(ids) = col("doc_id") {
                self.doc_ids
                    .extend(ids.iter().flatten().filter_map(doc_key));
            }
        }
        Ok(())
    }

    /// The next free part number.
    pub fn next_part(&self) -> u32 {
        self.parts.last().map_or(0, |p| p + 1)
    }

    /// Hard-links (or, across file systems, copies) every part of the per-document tables and
    /// of the keyed state into `staging`, renumbered by `renumber`. Parts are immutable, so
    /// linking is safe: no run ever writes into an existing part file.
    pub fn link_parts(
        &self,
        staging: &Path,
        renumber: &dyn Fn(u32) -> u32,
    ) -> Result<(), OutputError> {
        link_tables(&self.dir, staging, renumber)
    }
}

/// Part numbers of a table folder, sorted.
pub fn parts_of(table_dir: &Path) -> Result<Vec<u32>, OutputError> {
    let mut parts: Vec<u32> = parquet_files(table_dir)?
        .iter()
        .filter_map(|p| {
            p.file_name()?
                .to_str()?
                .strip_prefix("part-")?
                .strip_suffix(".parquet")?
                .parse()
                .ok()
        })
        .collect();
    parts.sort_unstable();
    Ok(parts)
}

/// Links the per-document and keyed parts of output folder `from` into `to`, renumbered.
pub fn link_tables(
    from: &Path,
    to: &Path,
    renumber: &dyn Fn(u32) -> u32,
) -> Result<(), OutputError> {
    let folders = APPEND_TABLES
        .iter()
        .map(|t| (from.join(t), to.join(t)))
        .chain(
            KEYED_TABLES
                .iter()
                .map(|t| (keyed_dir(from, t), keyed_dir(to, t))),
        );
    for (src, dst) in folders {
        let parts = parts_of(&src)?;
        if parts.is_empty() {
            continue;
        }
        std::fs::create_dir_all(&dst).map_err(|e| OutputError::io("creating", &dst, e))?;
        for p in parts {
            let a = src.join(part_name(p));
            let b = dst.join(part_name(renumber(p)));
            if std::fs::hard_link(&a, &b).is_err() {
                std::fs::copy(&a, &b).map_err(|e| OutputError::io("copying", &a, e))?;
            }
        }
    }
    Ok(())
}

/// Rows in a Parquet file (from its footer).
pub fn parquet_rows(path: &Path) -> Result<u64, OutputError> {
    let f = File::open(path).map_err(|e| OutputError::io("opening", path, e))?;
    let b = ParquetRecordBatchReaderBuilder::try_new(f).map_err(|e| OutputError::Encode {
        table: path.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(b.metadata().file_metadata().num_rows().max(0) as u64)
}
