//! `pipeline.toml`: one section per stage, every option with a default and a doc comment.
//!
//! Unknown keys are errors (`deny_unknown_fields`), reported with the file, line and the keys
//! that are allowed. Relative paths in the file are resolved against the file's directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::ingest::IngestConfig;
pub use crate::output::OutputConfig;
pub use crate::stages::actors::ActorsConfig;
pub use crate::stages::clean::CleanConfig;
pub use crate::stages::ner::NerConfig;
pub use crate::stages::quotes::QuotesConfig;
pub use crate::stages::split::SplitConfig;
pub use crate::stages::stance::StanceConfig;

/// Largest file a config key may name (alias, lexicon, abbreviation, pattern, verb files).
pub const MAX_USER_FILE_BYTES: u64 = 64 << 20;

/// Reads a text file named by a config key. A path that is not a regular file is refused (a
/// FIFO or `/dev/zero` would otherwise be read without end), and so is a file over
/// [`MAX_USER_FILE_BYTES`]; the `io::Error` says which, and callers add the path.
pub fn read_user_file(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "not a regular file (a config key must name a text file)",
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_USER_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_USER_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_USER_FILE_BYTES >> 20),
        ));
    }
    Ok(text)
}

/// Error loading or validating a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// TOML syntax error, unknown key or wrong type (the message names line, column and key).
    #[error("invalid config {path}: {message}")]
    Parse {
        /// File.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A value is out of range.
    #[error("invalid config {path}: key `{key}`: {message}")]
    Value {
        /// File.
        path: PathBuf,
        /// Dotted key, e.g. `run.batch_size`.
        key: String,
        /// What is wrong and what is allowed.
        message: String,
    },
}

/// The whole pipeline configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineConfig {
    /// How the batch job runs (threads, batching, progress).
    pub run: RunConfig,
    /// Reading input files.
    pub ingest: IngestConfig,
    /// Removing boilerplate and extracting metadata.
    pub clean: CleanConfig,
    /// Sentence splitting and tokenisation.
    pub split: SplitConfig,
    /// Named-entity recognition.
    pub ner: NerConfig,
    /// Actor resolution (aliases, misspellings, metonyms, demonyms, roles).
    pub actors: ActorsConfig,
    /// Quote attribution.
    pub quotes: QuotesConfig,
    /// Stance by actor toward actors and topics.
    pub stance: StanceConfig,
    /// Writing Parquet tables.
    pub output: OutputConfig,
}

/// `[run]`: how the batch job runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Worker threads; 0 uses every core. `--threads` overrides it.
    pub threads: usize,
    /// Documents processed together before their rows are written. Larger batches use more
    /// memory; smaller ones write more, smaller row groups. 1..=100000.
    pub batch_size: usize,
    /// Show a progress bar on stderr when it is a terminal.
    pub progress: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            threads: 0,
            batch_size: 512,
            progress: true,
        }
    }
}

impl PipelineConfig {
    /// Loads and validates a config file; relative paths inside are made relative to its folder.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut cfg = Self::from_toml_str(&text, path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        cfg.resolve_paths(base);
        Ok(cfg)
    }

    /// Parses and validates TOML text; `path` is only used in messages.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let cfg: PipelineConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        cfg.validate(path)?;
        Ok(cfg)
    }

    /// The fully resolved config as TOML (defaults included).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot render config: {e}\n"))
    }

    /// A stable hash of the resolved config (16 hex digits), recorded in the manifest.
    pub fn hash(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        crate::doc::hex_prefix(blake3::hash(json.as_bytes()).as_bytes(), 8)
    }

    /// Hash of what changes table contents: the config without `[run]` (threads, batching,
    /// progress) and `[output]` (folder, compression), the code identity (`crate::CODE`: rule
    /// code changes between commits of one version) and the built-in resource files compiled
    /// into it (stance cues, actor knowledge, abbreviations, boilerplate patterns). Outputs with
    /// equal results hashes (and model checksums) can be extended incrementally and merged.
    pub fn results_hash(&self) -> String {
        self.results_hash_with(crate::CODE, &builtin_resources())
    }

    /// [`Self::results_hash`] for the given code identity and built-in resource texts.
    fn results_hash_with(&self, code: &str, resources: &[&str]) -> String {
        let mut c = self.clone();
        c.run = Default::default();
        c.output = Default::default();
        let mut h = blake3::Hasher::new();
        h.update(serde_json::to_string(&c).unwrap_or_default().as_bytes());
        h.update(&(code.len() as u64).to_le_bytes());
        h.update(code.as_bytes());
        for text in resources {
            // Length-prefixed, so moving text from one file to the next changes the hash.
            h.update(&(text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        crate::doc::hex_prefix(h.finalize().as_bytes(), 8)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let bad = |key: &str, message: String| ConfigError::Value {
            path: path.to_path_buf(),
            key: key.to_string(),
            message,
        };
        if !(1..=100_000).contains(&self.run.batch_size) {
            return Err(bad(
                "run.batch_size",
                format!(
                    "{} is out of range; allowed: 1 to 100000",
                    self.run.batch_size
                ),
            ));
        }
        self.output
            .validate()
            .map_err(|(key, msg)| bad(&format!("output.{key}"), msg))?;
        self.ingest
            .validate()
            .map_err(|(key, msg)| bad(&format!("ingest.{key}"), msg))?;
        self.ner
            .validate()
            .map_err(|(key, msg)| bad(&format!("ner.{key}"), msg))?;
        self.stance
            .validate()
            .map_err(|(key, msg)| bad(&format!("stance.{key}"), msg))?;
        self.actors.validate().map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: format!("[actors] {e}"),
        })?;
        self.quotes.validate().map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: format!("[quotes] {e}"),
        })?;
        Ok(())
    }

    /// Makes relative model and resource paths written in the file relative to `base` (the
    /// config file's folder). `output.dir`, input paths and the built-in default model paths
    /// stay relative to the working directory.
    pub fn resolve_paths(&mut self, base: &Path) {
        // Built-in default model paths (`models/...`) stay relative to the working directory:
        // a config file elsewhere that does not name a model still finds the shipped one.
        let defaults = PipelineConfig::default();
        if self.ner.model != defaults.ner.model {
            self.ner.model = resolve_path(base, &self.ner.model);
        }
        if let Some(p) = &mut self.ner.model_dir {
            *p = resolve_path(base, p);
        }
        if let crate::stages::ner::Rescorer::File(p) = &mut self.ner.rescorer {
            *p = resolve_path(base, p);
        }
        self.actors.resolve_paths(base);
        self.quotes.resolve_paths(base);
        let default_classifier = self.stance.classifier_model == defaults.stance.classifier_model;
        self.stance.resolve_paths(base);
        if default_classifier {
            self.stance.classifier_model = defaults.stance.classifier_model;
        }
        if let Some(p) = &mut self.clean.extra_patterns_file {
            *p = resolve_path(base, p);
        }
        if let Some(p) = &mut self.split.abbreviations_file {
            *p = resolve_path(base, p);
        }
    }
}

/// The built-in resource texts that shape the tables, in a fixed order.
fn builtin_resources() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = crate::actors::knowledge::BUILTIN
        .iter()
        .map(|(_, text)| *text)
        .collect();
    out.extend([
        crate::stance::lexicon::DEFAULT_LEXICON,
        crate::text::sentences::BUILTIN_ABBREVIATIONS,
        crate::clean::DEFAULT_PATTERNS,
    ]);
    out
}

/// Joins a relative path onto `base`; absolute paths are kept.
pub fn resolve_path(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() || base.as_os_str().is_empty() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_files_must_be_regular_and_bounded() {
        let e = read_user_file(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let e = read_user_file(dir.path()).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let ok = dir.path().join("a.txt");
        std::fs::write(&ok, "Gen.\n").unwrap();
        assert_eq!(read_user_file(&ok).unwrap(), "Gen.\n");
    }

    #[test]
    fn unknown_key_names_key_line_and_allowed() {
        let err =
            PipelineConfig::from_toml_str("[run]\nthreads = 2\nthraeds = 3\n", Path::new("p.toml"))
                .unwrap_err()
                .to_string();
        assert!(err.contains("p.toml"), "{err}");
        assert!(err.contains("thraeds"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("batch_size"), "{err}");
    }

    #[test]
    fn bad_value_names_key() {
        let err = PipelineConfig::from_toml_str("[run]\nbatch_size = 0\n", Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("run.batch_size"), "{err}");
    }

    #[test]
    fn rescorer_file_is_resolved_against_the_config_folder_but_auto_and_none_stay() {
        use crate::stages::ner::Rescorer;
        let base = Path::new("/etc/newsmill");
        for (value, want) in [
            ("auto", Rescorer::Auto),
            ("none", Rescorer::None),
            ("r.lstm", Rescorer::File("/etc/newsmill/r.lstm".into())),
            ("/abs/r.lstm", Rescorer::File("/abs/r.lstm".into())),
        ] {
            let text = format!("[ner]\nrescorer = {value:?}\n");
            let mut cfg = PipelineConfig::from_toml_str(&text, Path::new("p.toml")).unwrap();
            cfg.resolve_paths(base);
            assert_eq!(cfg.ner.rescorer, want, "{value}");
        }
    }

    #[test]
    fn results_hash_follows_settings_code_and_built_in_resources_but_not_threads() {
        let cfg = PipelineConfig::default();
        let res = builtin_resources();
        let code = crate::CODE;
        assert_eq!(cfg.results_hash(), cfg.results_hash_with(code, &res));
        let mut threads = cfg.clone();
        threads.run.threads = 7;
        threads.output.zstd_level = 9;
        assert_eq!(threads.results_hash(), cfg.results_hash());
        let mut other = cfg.clone();
        other.quotes.min_direct_words += 1;
        assert_ne!(other.results_hash(), cfg.results_hash());
        // Another code identity of the same version may have other rules.
        assert_ne!(
            cfg.results_hash_with("0.1.0+c0000000000000000", &res),
            cfg.results_hash_with("0.1.0+c1111111111111111", &res)
        );
        // A changed cue lexicon (say, a new hedge) is a different output.
        let k = res
            .iter()
            .position(|t| *t == crate::stance::lexicon::DEFAULT_LEXICON)
            .expect("the cue lexicon is hashed");
        let mut edited = res.clone();
        let lexicon = format!("{}stop short of\tnegation\t0.5\tNEG\n", res[k]);
        edited[k] = &lexicon;
        assert_ne!(cfg.results_hash_with(code, &edited), cfg.results_hash());
        // The same texts split differently are too.
        assert_ne!(
            cfg.results_hash_with(code, &["ab", "c"]),
            cfg.results_hash_with(code, &["a", "bc"])
        );
    }

    #[test]
    fn defaults_roundtrip_through_toml() {
        let cfg = PipelineConfig::default();
        let text = cfg.to_toml();
        let back = PipelineConfig::from_toml_str(&text, Path::new("x")).unwrap();
        assert_eq!(cfg.hash(), back.hash());
    }
}
