//! `newsmill models ...`: preparing transformer models offline.

use std::path::PathBuf;

use anyhow::Result;

/// `newsmill models` subcommands.
#[derive(clap::Subcommand)]
pub enum ModelsCmd {
    /// Turn a local Hugging Face checkpoint directory into a model directory for
    /// `[ner] backend = "transformers"` or `[stance] backend = "nli"`.
    ///
    /// Reads CHECKPOINT_DIR (config.json; vocab.txt, or vocab.json + merges.txt, or spm.model;
    /// model.safetensors, sharded safetensors with their index, or pytorch_model.bin) and
    /// writes OUT_DIR/rust_model.ot with config.json and the tokenizer files beside it. Nothing
    /// is downloaded. Needs newsmill built with `--features transformers`.
    Convert {
        /// The checkpoint directory (e.g. a `save_pretrained` folder or a copied hub snapshot).
        checkpoint_dir: PathBuf,
        /// Where the converted model goes (created if needed).
        out_dir: PathBuf,
    },
}

/// Runs a `models` subcommand.
pub fn run(cmd: ModelsCmd) -> Result<()> {
    match cmd {
        ModelsCmd::Convert {
            checkpoint_dir,
            out_dir,
        } => convert(&checkpoint_dir, &out_dir),
    }
}

#[cfg(feature = "transformers")]
fn convert(src: &std::path::Path, out: &std::path::Path) -> Result<()> {
    let r = newsmill::transformers::convert::convert(src, out)?;
    let sources: Vec<String> = r.sources.iter().map(|p| p.display().to_string()).collect();
    println!(
        "converted {} ({}): {} tensors, {} parameters, {} renamed\n  from {}\n  to {} (+ {})\n  labels: {}",
        src.display(),
        r.config.model_type,
        r.tensors,
        r.parameters,
        r.renamed,
        sources.join(", "),
        r.weights.display(),
        r.copied.join(", "),
        if r.config.labels.is_empty() {
            "(none: not a classifier)".to_string()
        } else {
            r.config.labels.join(" ")
        }
    );
    Ok(())
}

#[cfg(not(feature = "transformers"))]
fn convert(_src: &std::path::Path, _out: &std::path::Path) -> Result<()> {
    anyhow::bail!(
        "`newsmill models convert` needs newsmill built with the `transformers` cargo feature: \
         run ./scripts/setup-libtorch.sh, then `source .venv/libtorch.env` and \
         `cargo build --release --features transformers`"
    )
}
