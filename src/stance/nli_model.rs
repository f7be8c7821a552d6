//! The NLI model behind `[stance] backend = "nli"` (feature `transformers`): rust-bert's
//! zero-shot classification pipeline over a local model directory.

use std::path::Path;
use std::sync::Mutex;

use rust_bert::pipelines::common::{ModelResource, ModelType};
use rust_bert::pipelines::zero_shot_classification::{
    ZeroShotClassificationConfig, ZeroShotClassificationModel,
};
use rust_bert::resources::LocalResource;

use super::nli::{check_nli_labels, NliConfig};
use super::StanceError;
use crate::transformers::runtime::{read_json, resolve_device, torch_err};
use crate::transformers::{check_model_dir, vocab_is_cased, TransformersError};

/// A loaded NLI model. One forward pass at a time (it uses every core already).
pub struct NliModel {
    model: Mutex<ZeroShotClassificationModel>,
    batch_size: usize,
    max_length: usize,
}

fn err(e: TransformersError) -> StanceError {
    StanceError::Config {
        key: "nli".into(),
        message: e.to_string(),
    }
}

/// Parses `config.json` as the config struct rust-bert will read for this model type, so a
/// bad file is an error here rather than a panic inside rust-bert.
fn precheck_config(model_type: ModelType, path: &Path) -> Result<(), TransformersError> {
    match model_type {
        ModelType::Bert | ModelType::Roberta => {
            read_json::<rust_bert::bert::BertConfig>(path).map(|_| ())
        }
        ModelType::DistilBert => {
            read_json::<rust_bert::distilbert::DistilBertConfig>(path).map(|_| ())
        }
        ModelType::MobileBert => {
            read_json::<rust_bert::mobilebert::MobileBertConfig>(path).map(|_| ())
        }
        ModelType::Bart => read_json::<rust_bert::bart::BartConfig>(path).map(|_| ()),
        ModelType::Deberta => read_json::<rust_bert::deberta::DebertaConfig>(path).map(|_| ()),
        ModelType::DebertaV2 => {
            read_json::<rust_bert::deberta_v2::DebertaV2Config>(path).map(|_| ())
        }
        _ => Ok(()),
    }
}

impl NliModel {
    /// Loads `[stance.nli] model_dir` on `[stance.nli] device`.
    pub fn load(cfg: &NliConfig) -> Result<Self, StanceError> {
        let dir = cfg
            .model_dir
            .as_deref()
            .ok_or_else(|| StanceError::Config {
                key: "nli.model_dir".into(),
                message: "must be set when backend = \"nli\"".into(),
            })?;
        let files = check_model_dir(dir, "stance.nli.model_dir").map_err(err)?;
        let config_path = dir.join("config.json");
        check_nli_labels(&files.config.labels).map_err(|message| {
            err(TransformersError::Model {
                path: config_path.clone(),
                message,
            })
        })?;
        let model_type = match files.config.model_type.as_str() {
            "bert" => ModelType::Bert,
            "distilbert" => ModelType::DistilBert,
            "mobilebert" => ModelType::MobileBert,
            "roberta" => ModelType::Roberta,
            "bart" => ModelType::Bart,
            "deberta" => ModelType::Deberta,
            "deberta-v2" => ModelType::DebertaV2,
            other => {
                return Err(err(TransformersError::Model {
                    path: config_path,
                    message: format!("model_type {other:?} is not supported for NLI"),
                }))
            }
        };
        precheck_config(model_type, &config_path).map_err(err)?;
        let device = resolve_device(cfg.device, "stance.nli.device").map_err(err)?;
        let vocab = files.tokenizer[0].clone();
        let merges = files.tokenizer.get(1).cloned();
        let lower_case = match files.lower_case {
            Some(l) => l,
            None if vocab.extension().is_some_and(|e| e == "txt") => {
                let text = std::fs::read_to_string(&vocab).map_err(|source| {
                    err(TransformersError::Io {
                        path: vocab.clone(),
                        source,
                    })
                })?;
                !vocab_is_cased(&text)
            }
            None => false,
        };
        let zs = ZeroShotClassificationConfig {
            model_type,
            model_resource: ModelResource::Torch(Box::new(LocalResource::from(files.weights))),
            config_resource: Box::new(LocalResource::from(config_path)),
            vocab_resource: Box::new(LocalResource::from(vocab)),
            merges_resource: merges.map(|m| Box::new(LocalResource::from(m)) as Box<_>),
            lower_case,
            strip_accents: Some(lower_case),
            add_prefix_space: None,
            device,
            kind: None,
        };
        let model = ZeroShotClassificationModel::new(zs).map_err(|e| {
            err(torch_err(
                format!("loading the NLI model in {}", dir.display()),
                e,
            ))
        })?;
        // Inputs longer than the position table would index past it inside libtorch.
        // RoBERTa's table has two extra rows (its positions start after the padding index).
        let positions = files.config.max_positions.unwrap_or(512);
        let positions = if model_type == ModelType::Roberta {
            positions.saturating_sub(2)
        } else {
            positions
        };
        Ok(NliModel {
            model: Mutex::new(model),
            batch_size: cfg.batch_size.max(1),
            max_length: cfg.max_length.min(positions).max(8),
        })
    }

    /// Entailment probability (against contradiction) of each hypothesis given the premise.
    pub fn entailment(
        &self,
        premise: &str,
        hypotheses: &[String],
    ) -> Result<Vec<f32>, StanceError> {
        let model = self.model.lock().map_err(|_| {
            err(torch_err(
                "running the NLI model",
                "a previous run panicked",
            ))
        })?;
        let mut out = Vec::with_capacity(hypotheses.len());
        for chunk in hypotheses.chunks(self.batch_size) {
            let labels: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let scored = model
                .predict_multilabel(
                    [premise],
                    &labels[..],
                    Some(Box::new(|h: &str| h.to_string())),
                    self.max_length,
                )
                .map_err(|e| err(torch_err("running the NLI model", e)))?;
            let row = scored.into_iter().next().unwrap_or_default();
            if row.len() != chunk.len() {
                return Err(err(torch_err(
                    "running the NLI model",
                    format!("{} scores for {} hypotheses", row.len(), chunk.len()),
                )));
            }
            out.extend(row.iter().map(|l| l.score as f32));
        }
        Ok(out)
    }
}
