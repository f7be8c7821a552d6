//! `manifest.json`: what a run read, with which config and models, and what it wrote.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::OutputError;

/// This binary's build and code identity for messages, the counterpart of
/// [`Manifest::made_by`]: `0.1.0+g1a2b3c4d, code 0.1.0+c1a2b3c4d5e6f7a8b`.
pub fn this_build() -> String {
    format!("{}, code {}", crate::BUILD, crate::CODE)
}

/// Top-level keys of `manifest.json` and what they hold, for `newsmill schema` and
/// `docs/schema.md` (a test checks that this lists exactly the keys a manifest has).
pub const MANIFEST_KEYS: &[(&str, &str)] = &[
    (
        "newsmill_version",
        "The build that wrote the output (provenance): version, git commit and a hash of \
         uncommitted changes, as `newsmill --version` prints it.",
    ),
    (
        "newsmill_code",
        "The code identity: version and a content hash of the compiled sources and built-in \
         resources. `run --incremental` and `merge` only combine outputs of the same code; \
         builds of commits that changed only documentation or tests share it.",
    ),
    (
        "started_at",
        "UTC start time of the run or merge (ISO 8601).",
    ),
    ("finished_at", "UTC end time (ISO 8601)."),
    (
        "seconds",
        "Wall time of the run in seconds (0 for a merge).",
    ),
    ("threads", "Worker threads used (0 for a merge)."),
    (
        "peak_rss_bytes",
        "Peak resident memory of the process in bytes (Linux; null elsewhere).",
    ),
    (
        "inputs",
        "Input paths as given (for a merge: the merged output folders).",
    ),
    ("input_files", "Input files found."),
    ("input_bytes", "Bytes of those files."),
    (
        "config_hash",
        "Hash of the resolved config (16 hex digits; `newsmill config show` prints the config).",
    ),
    (
        "results_hash",
        "Hash of what changes table contents: the config without `[run]` and `[output]`, the \
         code identity and the built-in resource files. Outputs are only extended or merged \
         when it is equal (and the model checksums are).",
    ),
    ("config", "The resolved config, every key with its value."),
    (
        "stages",
        "Per stage, in pipeline order: `name`, documents processed (`docs`), documents it \
         failed on (`failed`), CPU seconds summed over threads (`cpu_seconds`).",
    ),
    (
        "tables",
        "Per table: `rows`, and its Parquet `files` relative to the output folder.",
    ),
    (
        "models",
        "Model and resource files used: `stage`, `path` as configured, `bytes`, `blake3` (64 hex \
         digits).",
    ),
    (
        "documents",
        "Documents of this run: `read`, `ok`, `failed_stage`, `failed_ingest` (earlier runs: \
         `history`; for a merge, the sums over the merged runs).",
    ),
    (
        "shard",
        "The shard the output holds (`index/count`) if the run was sharded, else null.",
    ),
    (
        "history",
        "Every run whose rows the output holds, oldest first: times, `inputs`, `shard`, the \
         table `part` number it wrote, its `documents` counts and the inputs it `skipped` as \
         already present.",
    ),
];

/// The run manifest, written last into the output folder.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// The newsmill build that wrote the output (provenance): version, git commit and a hash of
    /// uncommitted changes (`newsmill --version`; `crate::BUILD`).
    pub newsmill_version: String,
    /// The identity of the code that computed the rows: version and a content hash of the
    /// compiled sources and built-in resources (`crate::CODE`). Builds of different commits
    /// share it when their code is the same; `run --incremental` and `merge` require it equal.
    /// Empty in manifests written before it existed.
    #[serde(default)]
    pub newsmill_code: String,
    /// UTC start time, ISO 8601.
    pub started_at: String,
    /// UTC end time, ISO 8601.
    pub finished_at: String,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Worker threads used.
    pub threads: usize,
    /// Peak resident memory of the run in bytes (Linux VmHWM; null elsewhere).
    pub peak_rss_bytes: Option<u64>,
    /// Input paths as given.
    pub inputs: Vec<String>,
    /// Input files found.
    pub input_files: u64,
    /// Bytes of those files.
    pub input_bytes: u64,
    /// Hash of the resolved config (see `newsmill config show`).
    pub config_hash: String,
    /// Hash of what changes table contents (the config without `[run]` and `[output]`, the
    /// newsmill code identity and the built-in resource files compiled into it): incremental
    /// runs and merges only combine outputs with equal hashes.
    #[serde(default)]
    pub results_hash: String,
    /// The resolved config.
    pub config: serde_json::Value,
    /// Per-stage counts and timings, in pipeline order.
    pub stages: Vec<StageStats>,
    /// Rows and files per table.
    pub tables: BTreeMap<String, TableStats>,
    /// Model and resource files used, with checksums.
    pub models: Vec<ModelFile>,
    /// Documents read, written ok, and failed by this run (earlier runs: `history`).
    pub documents: DocCounts,
    /// The shard this output holds (`index/count`), if the run was sharded.
    #[serde(default)]
    pub shard: Option<String>,
    /// Every run (or merged shard run) whose rows the output holds, oldest first.
    #[serde(default)]
    pub history: Vec<RunRecord>,
}

/// One run that added rows to an output.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunRecord {
    /// UTC start time, ISO 8601.
    pub started_at: String,
    /// UTC end time, ISO 8601.
    pub finished_at: String,
    /// Input paths as given.
    pub inputs: Vec<String>,
    /// Shard (`index/count`) if the run was sharded.
    pub shard: Option<String>,
    /// Part number of the per-document table files this run wrote (`part-NNNNN.parquet`).
    pub part: u32,
    /// Documents it read, wrote ok, and failed.
    pub documents: DocCounts,
    /// Inputs it skipped because the output already held them.
    pub skipped: u64,
}

/// Counts and time of one stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StageStats {
    /// Stage name.
    pub name: String,
    /// Documents the stage processed.
    pub docs: u64,
    /// Documents it failed on.
    pub failed: u64,
    /// CPU seconds summed over threads.
    pub cpu_seconds: f64,
}

/// Rows and files of one table.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TableStats {
    /// Rows.
    pub rows: u64,
    /// Parquet files, relative to the output folder.
    pub files: Vec<String>,
}

/// A model or resource file and its checksum.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModelFile {
    /// What uses it (e.g. `ner`).
    pub stage: String,
    /// Path as configured.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// BLAKE3 of the contents (64 hex digits).
    pub blake3: String,
}

/// Document counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DocCounts {
    /// Articles read.
    pub read: u64,
    /// Articles all stages succeeded on.
    pub ok: u64,
    /// Articles a stage failed on.
    pub failed_stage: u64,
    /// Inputs that could not be read (ingest failures).
    pub failed_ingest: u64,
}

impl Manifest {
    /// The build and code identity that wrote this output, for the refusals of
    /// `run --incremental` and `merge`: `newsmill 0.1.0+g1a2b3c4d, code 0.1.0+c…`.
    pub fn made_by(&self) -> String {
        let code = if self.newsmill_code.is_empty() {
            "unrecorded (an output of a newsmill older than code identities)"
        } else {
            &self.newsmill_code
        };
        format!("newsmill {}, code {code}", self.newsmill_version)
    }

    /// Writes the manifest as pretty JSON.
    pub fn write(&self, dir: &Path) -> Result<(), OutputError> {
        let path = dir.join(super::commit::MANIFEST);
        let json = serde_json::to_string_pretty(self).map_err(|e| OutputError::Encode {
            table: "manifest".into(),
            message: e.to_string(),
        })?;
        std::fs::write(&path, json + "\n").map_err(|e| OutputError::io("writing", &path, e))
    }
}

/// Peak resident set size of this process in bytes (Linux `VmHWM`), if available.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Checksum entry for a file.
pub fn model_file(stage: &str, path: &Path) -> Result<ModelFile, OutputError> {
    let bytes = std::fs::read(path).map_err(|e| OutputError::io("reading", path, e))?;
    Ok(ModelFile {
        stage: stage.to_string(),
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
        blake3: blake3::hash(&bytes).to_hex().to_string(),
    })
}

/// Current UTC time as ISO 8601 (`2026-11-23T18:48:00Z`).
pub fn now_iso() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's civil_from_days.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_keys_documents_every_key_a_manifest_has() {
        let json = serde_json::to_value(Manifest::default()).unwrap();
        let mut have: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut documented: Vec<&str> = MANIFEST_KEYS.iter().map(|(k, _)| *k).collect();
        have.sort_unstable();
        documented.sort_unstable();
        assert_eq!(have, documented);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(14105), (2008, 8, 14));
        assert_eq!(now_iso().len(), 20);
    }
}
