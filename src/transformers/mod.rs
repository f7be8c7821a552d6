//! Shared pieces of the optional transformer backends (`[ner] backend = "transformers"`,
//! `[stance] backend = "nli"`): the device choice, model-directory checks and the Hugging Face
//! `config.json` fields newsmill reads.
//!
//! This module is compiled in every build, so a config that asks for a transformer backend
//! parses everywhere and fails with a message that says how to build with the feature. The
//! parts that need libtorch (loading, running, converting models) are behind the
//! `transformers` cargo feature: [`runtime`] and [`convert`].

#[cfg(feature = "transformers")]
pub mod convert;
#[cfg(feature = "transformers")]
pub mod runtime;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Weights file names newsmill loads from a model directory, in order of preference:
/// `rust_model.ot` (what `newsmill models convert` writes) or a Hugging Face
/// `model.safetensors` (libtorch reads it directly).
pub const WEIGHT_FILES: [&str; 2] = ["rust_model.ot", "model.safetensors"];

/// True when this binary was built with the `transformers` cargo feature.
pub const COMPILED: bool = cfg!(feature = "transformers");

/// Where a transformer model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// The CPU (the default: reproducible and available everywhere).
    #[default]
    Cpu,
    /// The first CUDA GPU; an error when none is usable.
    Cuda,
    /// The first CUDA GPU when usable, else the CPU.
    Auto,
}

/// Errors of the transformer backends. Every variant names the file or key involved.
#[derive(Debug, thiserror::Error)]
pub enum TransformersError {
    /// The model directory or a file it must hold is missing.
    #[error("{key}: {message}")]
    ModelDir {
        /// The config key that named the directory, e.g. `ner.model_dir`.
        key: String,
        /// What is missing and how to get it.
        message: String,
    },
    /// A model file is malformed or describes a model newsmill cannot run.
    #[error("{path}: {message}")]
    Model {
        /// File involved.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The requested device is not available.
    #[error("{key} = \"cuda\" but no usable CUDA device was found (this build's libtorch sees none); use device = \"cpu\", or \"auto\" to fall back to the CPU")]
    NoCuda {
        /// The config key, e.g. `ner.device`.
        key: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File involved.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// libtorch or rust-bert failed while loading or running a model.
    #[error("{context}: {message}")]
    Torch {
        /// What newsmill was doing.
        context: String,
        /// The library's message.
        message: String,
    },
}

/// The message for a config that asks for a transformer backend in a build without the
/// feature: names the key and how to build with it.
pub fn feature_missing(key: &str, value: &str) -> String {
    format!(
        "{key} = \"{value}\" needs newsmill built with the `transformers` cargo feature \
         (libtorch 2.4): run ./scripts/setup-libtorch.sh, then `source .venv/libtorch.env` and \
         `cargo build --release --features transformers` (see README, \"Optional: transformer \
         backends\")"
    )
}

/// New name for a checkpoint tensor in `newsmill models convert`: LayerNorm `gamma`/`beta` → `weight`/`bias`.
pub fn rust_bert_name(name: &str) -> String {
    if let Some(stem) = name.strip_suffix(".gamma") {
        format!("{stem}.weight")
    } else if let Some(stem) = name.strip_suffix(".beta") {
        format!("{stem}.bias")
    } else {
        name.to_string()
    }
}

/// The fields of a Hugging Face `config.json` that newsmill needs.
#[derive(Debug, Clone, PartialEq)]
pub struct HfConfig {
    /// `model_type`, e.g. `bert`.
    pub model_type: String,
    /// Labels in id order, from `id2label`.
    pub labels: Vec<String>,
    /// `max_position_embeddings` (the longest input in sub-word pieces), if given.
    pub max_positions: Option<usize>,
}

#[derive(Deserialize)]
struct RawConfig {
    model_type: Option<String>,
    #[serde(default)]
    id2label: BTreeMap<String, String>,
    max_position_embeddings: Option<usize>,
}

impl HfConfig {
    /// Parses `config.json` text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, TransformersError> {
        let bad = |message: String| TransformersError::Model {
            path: path.to_path_buf(),
            message,
        };
        let raw: RawConfig =
            serde_json::from_str(text).map_err(|e| bad(format!("invalid config.json: {e}")))?;
        let model_type = raw
            .model_type
            .ok_or_else(|| bad("config.json has no `model_type`".into()))?;
        let mut by_id: BTreeMap<usize, String> = BTreeMap::new();
        for (k, v) in raw.id2label {
            let id: usize = k
                .trim()
                .parse()
                .map_err(|_| bad(format!("id2label key {k:?} is not a number")))?;
            by_id.insert(id, v);
        }
        if by_id.keys().enumerate().any(|(i, &id)| i != id) {
            return Err(bad("id2label ids must be 0, 1, 2, ... without gaps".into()));
        }
        Ok(HfConfig {
            model_type,
            labels: by_id.into_values().collect(),
            max_positions: raw.max_position_embeddings,
        })
    }

    /// Reads `dir/config.json`.
    pub fn read(dir: &Path) -> Result<Self, TransformersError> {
        let path = dir.join("config.json");
        let text = std::fs::read_to_string(&path).map_err(|source| TransformersError::Io {
            path: path.clone(),
            source,
        })?;
        Self::parse(&text, &path)
    }
}

/// Tokenizer files a model type needs, besides `config.json` and the weights.
pub fn tokenizer_files(model_type: &str) -> Option<&'static [&'static str]> {
    match model_type {
        "bert" | "distilbert" | "mobilebert" => Some(&["vocab.txt"]),
        "roberta" | "bart" | "deberta" => Some(&["vocab.json", "merges.txt"]),
        "deberta-v2" => Some(&["spm.model"]),
        _ => None,
    }
}

/// The files of a model directory recorded (with checksums) in the run manifest: the config,
/// the tokenizer files and the weights that exist, in a fixed order.
pub fn manifest_files(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<&str> = vec!["config.json"];
    if let Ok(cfg) = HfConfig::read(dir) {
        names.extend(tokenizer_files(&cfg.model_type).unwrap_or(&[]));
    }
    if let Some(w) = WEIGHT_FILES.iter().find(|n| dir.join(n).is_file()) {
        names.push(w);
    }
    names
        .into_iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect()
}

/// The files of a checked model directory.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFiles {
    /// The directory.
    pub dir: PathBuf,
    /// `config.json`, parsed.
    pub config: HfConfig,
    /// The weights file (one of [`WEIGHT_FILES`]).
    pub weights: PathBuf,
    /// Tokenizer files, in the order of [`tokenizer_files`].
    pub tokenizer: Vec<PathBuf>,
    /// `do_lower_case` from `tokenizer_config.json`, when the file says.
    pub lower_case: Option<bool>,
}

/// Checks that `dir` holds a model newsmill can load: `config.json`, the tokenizer files for its
/// `model_type` and a weights file. Errors name `key` and the missing file.
pub fn check_model_dir(dir: &Path, key: &str) -> Result<ModelFiles, TransformersError> {
    let missing = |message: String| TransformersError::ModelDir {
        key: key.to_string(),
        message,
    };
    let convert_hint = "make one from a local Hugging Face checkpoint with `newsmill models \
                        convert CHECKPOINT_DIR OUT_DIR`";
    if !dir.is_dir() {
        return Err(missing(format!(
            "model directory {} does not exist; {convert_hint}",
            dir.display()
        )));
    }
    let config_path = dir.join("config.json");
    if !config_path.is_file() {
        return Err(missing(format!(
            "{} is missing (the model directory must hold config.json, the tokenizer vocabulary \
             and rust_model.ot or model.safetensors); {convert_hint}",
            config_path.display()
        )));
    }
    let config = HfConfig::read(dir)?;
    let Some(tok_names) = tokenizer_files(&config.model_type) else {
        return Err(TransformersError::Model {
            path: config_path,
            message: format!(
                "model_type {:?} is not supported; supported: bert, distilbert, mobilebert, \
                 roberta, bart, deberta, deberta-v2",
                config.model_type
            ),
        });
    };
    let mut tokenizer = Vec::new();
    for name in tok_names {
        let p = dir.join(name);
        if !p.is_file() {
            return Err(missing(format!(
                "{} is missing (model_type {:?} needs {}); {convert_hint}",
                p.display(),
                config.model_type,
                tok_names.join(" and ")
            )));
        }
        tokenizer.push(p);
    }
    let Some(weights) = WEIGHT_FILES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
    else {
        return Err(missing(format!(
            "{} has no weights file: expected {}/rust_model.ot or {}/model.safetensors; \
             {convert_hint}",
            dir.display(),
            dir.display(),
            dir.display()
        )));
    };
    let lower_case = read_lower_case(dir);
    Ok(ModelFiles {
        dir: dir.to_path_buf(),
        config,
        weights,
        tokenizer,
        lower_case,
    })
}

/// `do_lower_case` from `tokenizer_config.json`, if the file exists and says.
fn read_lower_case(dir: &Path) -> Option<bool> {
    let text = std::fs::read_to_string(dir.join("tokenizer_config.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("do_lower_case")?.as_bool()
}

/// Whether a WordPiece vocabulary is cased: true when any ordinary entry has an uppercase
/// letter. Used when `tokenizer_config.json` does not say `do_lower_case`.
pub fn vocab_is_cased(vocab: &str) -> bool {
    vocab.lines().any(|l| {
        let l = l.trim();
        !(l.starts_with('[') && l.ends_with(']')) && l.chars().any(char::is_uppercase)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_labels_in_id_order() {
        let cfg = HfConfig::parse(
            r#"{"model_type":"bert","id2label":{"1":"B-PER","0":"O","10":"X","2":"I-PER","3":"a","4":"b","5":"c","6":"d","7":"e","8":"f","9":"g"},"max_position_embeddings":128}"#,
            Path::new("c.json"),
        )
        .unwrap();
        assert_eq!(cfg.labels[..3], ["O", "B-PER", "I-PER"]);
        assert_eq!(cfg.labels[10], "X");
        assert_eq!(cfg.max_positions, Some(128));
    }

    #[test]
    fn config_errors_name_the_problem() {
        let e = HfConfig::parse(r#"{"id2label":{}}"#, Path::new("c.json")).unwrap_err();
        assert!(e.to_string().contains("model_type"), "{e}");
        let e = HfConfig::parse(
            r#"{"model_type":"bert","id2label":{"0":"O","2":"B"}}"#,
            Path::new("c.json"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("gaps"), "{e}");
        let e = HfConfig::parse("{", Path::new("c.json")).unwrap_err();
        assert!(e.to_string().contains("c.json"), "{e}");
    }

    #[test]
    fn model_dir_errors_name_key_and_missing_file() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let e = check_model_dir(&d.join("nope"), "ner.model_dir").unwrap_err();
        assert!(e.to_string().contains("ner.model_dir"), "{e}");
        assert!(e.to_string().contains("does not exist"), "{e}");
        let e = check_model_dir(d, "ner.model_dir").unwrap_err();
        assert!(e.to_string().contains("config.json"), "{e}");
        std::fs::write(
            d.join("config.json"),
            r#"{"model_type":"bert","id2label":{"0":"O"}}"#,
        )
        .unwrap();
        let e = check_model_dir(d, "ner.model_dir").unwrap_err();
        assert!(e.to_string().contains("vocab.txt"), "{e}");
        std::fs::write(d.join("vocab.txt"), "[PAD]\n").unwrap();
        let e = check_model_dir(d, "ner.model_dir").unwrap_err();
        assert!(e.to_string().contains("rust_model.ot"), "{e}");
        std::fs::write(d.join("model.safetensors"), "").unwrap();
        std::fs::write(
            d.join("tokenizer_config.json"),
            r#"{"do_lower_case":false}"#,
        )
        .unwrap();
        let ok = check_model_dir(d, "ner.model_dir").unwrap();
        assert_eq!(ok.weights, d.join("model.safetensors"));
        assert_eq!(ok.lower_case, Some(false));
    }

    #[test]
    fn layer_norm_names() {
        assert_eq!(
            rust_bert_name("bert.embeddings.LayerNorm.gamma"),
            "bert.embeddings.LayerNorm.weight"
        );
        assert_eq!(rust_bert_name("x.LayerNorm.beta"), "x.LayerNorm.bias");
        assert_eq!(rust_bert_name("classifier.weight"), "classifier.weight");
        assert_eq!(rust_bert_name("gamma_proj.weight"), "gamma_proj.weight");
    }

    #[test]
    fn cased_vocab_detection() {
        assert!(vocab_is_cased("[PAD]\n[CLS]\nthe\nThe\n"));
        assert!(!vocab_is_cased("[PAD]\n[UNK]\nthe\n##s\n"));
    }

    #[test]
    fn feature_message_says_how_to_build() {
        let m = feature_missing("ner.backend", "transformers");
        assert!(m.contains("ner.backend") && m.contains("--features transformers"));
    }
}
