//! `newsmill bench --transformers`: words/s of the transformer backends on the CPU, at the
//! shape of a tiny BERT (4 layers, 256 hidden) and of BERT-base (12 layers, 768 hidden), with
//! random weights (speed does not depend on the weights). Feature `transformers`.
//!
//! The models are written to a temporary folder (config.json, a vocabulary of the corpus'
//! frequent words plus single characters, random `rust_model.ot`) and loaded through the same
//! code as `newsmill run`. The first `--transformers-docs` documents go through the built-in
//! stages first; then the NER stage and the NLI stance stage are timed alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use rust_bert::bert::{BertConfig, BertForSequenceClassification, BertForTokenClassification};
use tch::nn::VarStore;
use tch::Device;

use newsmill::bench::BenchRow;
use newsmill::config::PipelineConfig;
use newsmill::doc::Doc;
use newsmill::ingest::{self, UnitReader};
use newsmill::pipeline::Pipeline;
use newsmill::stage::Stage;
use newsmill::stages::ner::{NerBackend, NerStage};
use newsmill::stages::stance::StanceStage;
use newsmill::stance::StanceBackend;

const CONLL: [&str; 9] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];
const NLI: [&str; 3] = ["contradiction", "neutral", "entailment"];

/// (name, layers, hidden, heads)
const SHAPES: [(&str, i64, i64, i64); 2] = [
    ("tiny BERT 4x256", 4, 256, 4),
    ("BERT-base 12x768", 12, 768, 12),
];

/// Measures the transformer backends on the first `n_docs` documents of `data`.
pub fn run(
    cfg: &PipelineConfig,
    data: &[PathBuf],
    n_docs: usize,
    threads: usize,
) -> Result<Vec<BenchRow>> {
    tch::set_num_threads(threads as i32);
    tch::manual_seed(42);
    let pipeline = Pipeline::from_config(cfg.clone()).context("setting up the pipeline")?;
    let files = ingest::discover(data, &cfg.ingest);
    let mut docs: Vec<Doc> = UnitReader::new(files, cfg.ingest.max_doc_bytes)
        .filter_map(|u| ingest::load_unit(u, &cfg.ingest).ok())
        .take(n_docs)
        .collect();
    for d in docs.iter_mut() {
        for s in pipeline.stages() {
            if s.name() != "stance" {
                let _ = s.process(d);
            }
        }
    }
    let bytes: u64 = docs.iter().map(|d| d.text.len() as u64).sum();
    let words: u64 = docs
        .iter()
        .map(|d| d.text.split_whitespace().count() as u64)
        .sum();
    let tmp = std::env::temp_dir().join(format!("newsmill-bench-tf-{}", std::process::id()));
    let vocab = corpus_vocab(&docs, 28_000);
    let mut rows = Vec::new();
    for (name, layers, hidden, heads) in SHAPES {
        eprintln!(
            "bench: transformers, {name}, {} docs, {threads} thread(s)...",
            docs.len()
        );
        let dir = tmp.join(name.replace(' ', "-"));
        write_model(
            &dir.join("ner"),
            &vocab,
            &CONLL,
            layers,
            hidden,
            heads,
            false,
        )?;
        write_model(&dir.join("nli"), &vocab, &NLI, layers, hidden, heads, true)?;
        let mut ner_cfg = cfg.ner.clone();
        ner_cfg.backend = NerBackend::Transformers;
        ner_cfg.model_dir = Some(dir.join("ner"));
        let ner = NerStage::new(&ner_cfg)?;
        let mut st_cfg = cfg.stance.clone();
        st_cfg.backend = StanceBackend::Nli;
        st_cfg.nli.model_dir = Some(dir.join("nli"));
        st_cfg.nli.min_confidence = 0.0;
        let stance = StanceStage::new(&st_cfg)?;
        let mut work = docs.clone();
        for (label, stage) in [
            ("ner", &ner as &dyn Stage),
            ("stance", &stance as &dyn Stage),
        ] {
            let t = Instant::now();
            for d in work.iter_mut() {
                stage
                    .process(d)
                    .map_err(|e| anyhow::anyhow!("{label}: {e}"))?;
            }
            rows.push(BenchRow {
                stage: format!(
                    "{label} ({}, {name}, random weights)",
                    if label == "ner" {
                        "transformers"
                    } else {
                        "nli"
                    }
                ),
                threads,
                seconds: t.elapsed().as_secs_f64(),
                docs: work.len() as u64,
                bytes,
                words,
                peak_rss: newsmill::output::manifest::peak_rss_bytes(),
            });
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(rows)
}

/// Special tokens, the `max` most frequent words of the corpus, and every character alone and
/// as a `##` continuation: WordPiece then splits text into about as many pieces as a real
/// BERT vocabulary would. Sorted deterministically.
fn corpus_vocab(docs: &[Doc], max: usize) -> Vec<String> {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut chars: std::collections::BTreeSet<char> = std::collections::BTreeSet::new();
    for d in docs {
        for w in d.text.split(|c: char| !c.is_alphanumeric()) {
            if w.chars().count() > 1 {
                *counts.entry(w).or_default() += 1;
            }
        }
        chars.extend(d.text.chars().filter(|c| !c.is_whitespace()));
    }
    let mut by_count: Vec<(&str, u64)> = counts.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut v: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(by_count.iter().take(max).map(|(w, _)| w.to_string()));
    for c in &chars {
        v.push(c.to_string());
        v.push(format!("##{c}"));
    }
    let mut seen = std::collections::BTreeSet::new();
    v.retain(|x| seen.insert(x.clone()));
    v
}

fn write_model(
    dir: &Path,
    vocab: &[String],
    labels: &[&str],
    layers: i64,
    hidden: i64,
    heads: i64,
    sequence: bool,
) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("vocab.txt"), vocab.join("\n") + "\n")?;
    std::fs::write(
        dir.join("tokenizer_config.json"),
        r#"{"do_lower_case": false}"#,
    )?;
    let id2label: BTreeMap<String, &str> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (i.to_string(), *l))
        .collect();
    let config = serde_json::json!({
        "model_type": "bert",
        "hidden_act": "gelu",
        "attention_probs_dropout_prob": 0.1,
        "hidden_dropout_prob": 0.1,
        "hidden_size": hidden,
        "initializer_range": 0.02,
        "intermediate_size": 4 * hidden,
        "max_position_embeddings": 512,
        "num_attention_heads": heads,
        "num_hidden_layers": layers,
        "type_vocab_size": 2,
        "vocab_size": vocab.len(),
        "id2label": id2label,
    });
    let text = serde_json::to_string_pretty(&config)?;
    std::fs::write(dir.join("config.json"), &text)?;
    let bert: BertConfig = serde_json::from_str(&text)?;
    let vs = VarStore::new(Device::Cpu);
    if sequence {
        let _m = BertForSequenceClassification::new(vs.root(), &bert)?;
    } else {
        let _m = BertForTokenClassification::new(vs.root(), &bert)?;
    }
    vs.save(dir.join("rust_model.ot"))?;
    Ok(())
}
