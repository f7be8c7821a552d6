//! `newsmill models convert`: a local Hugging Face checkpoint directory → a model directory
//! rust-bert loads (feature `transformers`). No network: only files already on disk.
//!
//! The weights (`model.safetensors`, sharded `model-0000x-of-0000y.safetensors` with their
//! index, or `pytorch_model.bin`) are read with libtorch, old LayerNorm names
//! (`gamma`/`beta`) are renamed to `weight`/`bias`, half-precision tensors become f32, and
//! everything is written, sorted by name, to `rust_model.ot` (libtorch's format, what
//! rust-bert's own conversion script produces). `config.json` and the tokenizer files are
//! copied beside it.

use std::path::{Path, PathBuf};

use tch::{Kind, Tensor};

use super::runtime::torch_err;
use super::{rust_bert_name, tokenizer_files, HfConfig, TransformersError};

/// Optional files copied when present (tokenizer settings).
const OPTIONAL_FILES: [&str; 2] = ["tokenizer_config.json", "special_tokens_map.json"];

/// What a conversion did.
#[derive(Debug, Clone)]
pub struct ConvertReport {
    /// The weights file written.
    pub weights: PathBuf,
    /// Weights files read.
    pub sources: Vec<PathBuf>,
    /// Tensors written.
    pub tensors: usize,
    /// Parameters (elements) written.
    pub parameters: i64,
    /// Tensors renamed from `gamma`/`beta`.
    pub renamed: usize,
    /// Files copied (names).
    pub copied: Vec<String>,
    /// `model_type` and labels of the model.
    pub config: HfConfig,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TransformersError + '_ {
    move |source| TransformersError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The weights files of a checkpoint, in load order.
fn weight_sources(src: &Path) -> Result<Vec<PathBuf>, TransformersError> {
    let single = src.join("model.safetensors");
    if single.is_file() {
        return Ok(vec![single]);
    }
    let index = src.join("model.safetensors.index.json");
    if index.is_file() {
        let text = std::fs::read_to_string(&index).map_err(io(&index))?;
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| TransformersError::Model {
                path: index.clone(),
                message: format!("invalid index: {e}"),
            })?;
        let mut shards: Vec<String> = v
            .get("weight_map")
            .and_then(|m| m.as_object())
            .map(|m| {
                m.values()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        shards.sort();
        shards.dedup();
        if shards.is_empty() {
            return Err(TransformersError::Model {
                path: index,
                message: "the index lists no shards".into(),
            });
        }
        return Ok(shards.iter().map(|s| src.join(s)).collect());
    }
    let bin = src.join("pytorch_model.bin");
    if bin.is_file() {
        return Ok(vec![bin]);
    }
    Err(TransformersError::ModelDir {
        key: "models convert".into(),
        message: format!(
            "{} has no weights: expected model.safetensors, model.safetensors.index.json with \
             its shards, or pytorch_model.bin",
            src.display()
        ),
    })
}

/// Converts the checkpoint in `src` into `out` (created if needed).
pub fn convert(src: &Path, out: &Path) -> Result<ConvertReport, TransformersError> {
    let missing = |message: String| TransformersError::ModelDir {
        key: "models convert".into(),
        message,
    };
    if !src.is_dir() {
        return Err(missing(format!("{} is not a directory", src.display())));
    }
    let config_path = src.join("config.json");
    if !config_path.is_file() {
        return Err(missing(format!("{} is missing", config_path.display())));
    }
    let config = HfConfig::read(src)?;
    let tok = tokenizer_files(&config.model_type).ok_or_else(|| TransformersError::Model {
        path: config_path.clone(),
        message: format!("model_type {:?} is not supported", config.model_type),
    })?;
    for name in tok {
        if !src.join(name).is_file() {
            return Err(missing(format!(
                "{} is missing (model_type {:?} needs {})",
                src.join(name).display(),
                config.model_type,
                tok.join(" and ")
            )));
        }
    }
    let sources = weight_sources(src)?;
    let mut named: Vec<(String, Tensor)> = Vec::new();
    let mut renamed = 0;
    for path in &sources {
        let tensors = if path.extension().is_some_and(|e| e == "bin") {
            Tensor::loadz_multi(path)
        } else {
            Tensor::read_safetensors(path)
        }
        .map_err(|e| torch_err(format!("reading {}", path.display()), e))?;
        for (name, t) in tensors {
            let new = rust_bert_name(&name);
            renamed += usize::from(new != name);
            let t = match t.kind() {
                Kind::Half | Kind::BFloat16 | Kind::Double => t.to_kind(Kind::Float),
                _ => t,
            };
            named.push((new, t.contiguous()));
        }
    }
    named.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = named.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(TransformersError::Model {
            path: src.to_path_buf(),
            message: format!("tensor {:?} appears twice", w[0].0),
        });
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    let weights = out.join("rust_model.ot");
    Tensor::save_multi(&named, &weights)
        .map_err(|e| torch_err(format!("writing {}", weights.display()), e))?;
    let mut copied = Vec::new();
    for name in std::iter::once("config.json")
        .chain(tok.iter().copied())
        .chain(OPTIONAL_FILES)
    {
        let from = src.join(name);
        if from.is_file() {
            let to = out.join(name);
            if from != to {
                std::fs::copy(&from, &to).map_err(io(&to))?;
            }
            copied.push(name.to_string());
        }
    }
    Ok(ConvertReport {
        weights,
        sources,
        tensors: named.len(),
        parameters: named.iter().map(|(_, t)| t.numel() as i64).sum(),
        renamed,
        copied,
        config,
    })
}
