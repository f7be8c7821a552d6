//! `newsmill train ...`: reproducible training of the built-in models.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

use newsmill::ner::{self, TrainConfig};

/// What to train.
#[derive(Subcommand)]
pub enum TrainCmd {
    /// Train a built-in NER model (averaged perceptron, two stages). See models/README.md for
    /// the exact commands that produced the shipped models.
    Ner(Box<TrainNerArgs>),
    /// Shrink a trained NER model: drop feature weights with absolute value under
    /// --min-weight (both passes). Check the result's dev F1 with `eval ner`.
    NerPrune {
        /// Model to prune.
        #[arg(long)]
        model: PathBuf,
        /// Output model file.
        #[arg(long)]
        out: PathBuf,
        /// Smallest absolute weight kept.
        #[arg(long = "min-weight")]
        min_weight: f32,
    },
    /// Write the training data of the neural NER re-scorer for one labelled file: JSON lines
    /// with every sentence's token ids (as written, UPPER CASE and Title Case), gold tags and,
    /// with --emissions, the perceptron's last-pass scores (the dev file needs them: the
    /// trainer tunes the re-scorer's weight on them). `scripts/train_ner_lstm.py` trains on
    /// it; the exact commands of the shipped file are in models/README.md.
    NerLstmData {
        /// The perceptron model the re-scorer will be paired with.
        #[arg(long)]
        model: PathBuf,
        /// Labelled data in CoNLL/BIO format (repeatable: the files' documents in order, e.g.
        /// train and dev for a final retrain).
        #[arg(long, required = true)]
        data: Vec<PathBuf>,
        /// Output JSON-lines file.
        #[arg(long)]
        out: PathBuf,
        /// Also write the perceptron's last-pass emission scores.
        #[arg(long)]
        emissions: bool,
    },
    /// Fit the span-score calibration of a model paired with its re-scorer on dev data (the
    /// re-scorer changes the decoding margins the scores are computed from) and store it in
    /// the re-scorer file's header (or copy them from a dev-calibrated file with --calib-from).
    #[command(group(clap::ArgGroup::new("source").required(true).args(["dev", "calib_from"])))]
    NerCalibrate {
        /// The perceptron model.
        #[arg(long, default_value = "models/ner-conll.bin")]
        model: PathBuf,
        /// The re-scorer file to calibrate (rewritten in place, atomically).
        #[arg(long)]
        rescorer: PathBuf,
        /// Dev data in CoNLL/BIO format.
        #[arg(long)]
        dev: Option<PathBuf>,
        /// Copy the settings chosen on dev (mix, first-pass weight, calibration) from this
        /// re-scorer file (tuned on dev with the same model's recipe) instead of fitting them:
        /// for a final retrain on train+dev, where dev is training data.
        #[arg(long, conflicts_with_all = ["dev", "tune_first_pass"])]
        calib_from: Option<PathBuf>,
        /// First choose how much of the re-scorer's scores also join the model's first pass
        /// (0, 0.25, 0.5, 0.75 or 1; two-pass models only), by dev F1: the best weight among
        /// those that beat 0 on both the even- and the odd-numbered dev documents, else 0.
        /// Stored in the header as `first_pass`; the calibration is then fitted with it.
        #[arg(long)]
        tune_first_pass: bool,
    },
    /// Join re-scorer files into one ensemble file whose networks' scores are averaged (e.g.
    /// the same recipe trained with seeds 1 and 2). The first file's settings (mix, first-pass
    /// weight, calibration) become the ensemble's: run `ner-calibrate` on the result. Each
    /// network adds its tagging time.
    NerLstmJoin {
        /// Re-scorer files, in order (at least two; any may itself be an ensemble).
        #[arg(required = true, num_args = 2..)]
        rescorers: Vec<PathBuf>,
        /// Output re-scorer file (written atomically).
        #[arg(long)]
        out: PathBuf,
    },
    /// Train the NewsMTSC target-sentiment classifier used by the stance stage.
    Stance {
        /// NewsMTSC train.jsonl.
        #[arg(long)]
        newsmtsc: PathBuf,
        /// Output model file.
        #[arg(long, default_value = "models/stance-newsmtsc.bin")]
        out: PathBuf,
        /// Random seed.
        #[arg(long, default_value_t = 13)]
        seed: u64,
        /// Instead of training, run grouped k-fold cross-validation on the train file with
        /// the shipped parameters and print the held-out scores (nothing is written).
        #[arg(long, value_name = "FOLDS")]
        cv: Option<usize>,
    },
}

/// Arguments of `newsmill train ner` (defaults reproduce the shipped recipe).
#[derive(clap::Args)]
pub struct TrainNerArgs {
    /// Training data in CoNLL/BIO format (repeatable).
    #[arg(long, required = true)]
    data: Vec<PathBuf>,
    /// Dev data for early stopping and score calibration.
    #[arg(long)]
    dev: Option<PathBuf>,
    /// Label scheme: conll or ontonotes.
    #[arg(long, default_value = "conll")]
    scheme: String,
    /// Output model file.
    #[arg(long)]
    out: PathBuf,
    /// Annotated corpora whose entity names become hashed name-list features (repeatable).
    #[arg(long = "entity-list")]
    entity_lists: Vec<PathBuf>,
    /// Fraction of training documents repeated in UPPER CASE.
    #[arg(long = "upper")]
    upper: Option<f64>,
    /// Fraction of training documents repeated in Title Case.
    #[arg(long = "title")]
    title: Option<f64>,
    /// Epochs without dev improvement before stopping.
    #[arg(long)]
    patience: Option<usize>,
    /// Most epochs per stage.
    #[arg(long)]
    epochs: Option<usize>,
    /// Random seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Train stage 1 for exactly this many epochs (no early stopping), e.g. the
    /// dev-chosen count when retraining on train+dev.
    #[arg(long = "stage1-epochs")]
    stage1_epochs: Option<usize>,
    /// Train stage 2 for exactly this many epochs (no early stopping).
    #[arg(long = "stage2-epochs")]
    stage2_epochs: Option<usize>,
    /// Copy the span-score calibration from this (dev-tuned) model instead of
    /// fitting it on --dev (use when --dev is also training data).
    #[arg(long = "calib-from")]
    calib_from: Option<PathBuf>,
    /// Drop features seen fewer than this many times in training (smaller model).
    #[arg(long = "min-count")]
    min_count: Option<u32>,
    /// Perceptrons per stage, trained on different example orders and weight-averaged.
    #[arg(long)]
    ensemble: Option<usize>,
    /// Train stage 1 only (no second pass): a quick screen for feature or
    /// update changes (stage-1 dev F1 per epoch is printed).
    #[arg(long = "stage1-only")]
    stage1_only: bool,
    /// Folder of the shared data (vectors/ and gazetteers/ are taken from it).
    #[arg(long, default_value = "../shared/data")]
    shared: PathBuf,
}

/// Runs a train subcommand.
pub fn run(cmd: TrainCmd) -> Result<()> {
    match cmd {
        TrainCmd::Ner(a) => {
            let d = TrainConfig::default();
            let calib = match &a.calib_from {
                Some(p) => Some(ner::NerModel::load(p)?.calibration()),
                None => None,
            };
            let cfg = TrainConfig {
                train: a.data,
                dev: a.dev,
                scheme: a.scheme,
                out: a.out,
                entity_lists: a.entity_lists,
                upper_augment: a.upper.unwrap_or(d.upper_augment),
                title_augment: a.title.unwrap_or(d.title_augment),
                patience: a.patience.unwrap_or(d.patience),
                epochs: a.epochs.unwrap_or(d.epochs),
                seed: a.seed.unwrap_or(d.seed),
                min_count: a.min_count.unwrap_or(d.min_count),
                ensemble: a.ensemble.unwrap_or(d.ensemble),
                stage1_epochs: a.stage1_epochs,
                stage2_epochs: a.stage2_epochs,
                calib,
                two_stage: !a.stage1_only,
                word2row: Some(a.shared.join("vectors/word2row.tsv")),
                vectors: Some(a.shared.join("vectors/vectors_20000x300_f32.npy")),
                gazetteers: Some(a.shared.join("gazetteers")),
                ..d
            };
            let report = ner::train(&cfg, &|msg| eprintln!("{msg}"))?;
            println!("{report}");
            Ok(())
        }
        TrainCmd::NerPrune {
            model,
            out,
            min_weight,
        } => {
            let m = ner::NerModel::load(&model)?;
            let p = m.pruned(min_weight);
            p.save(&out)?;
            let (r0, w0) = m.weight_counts();
            let (r1, w1) = p.weight_counts();
            let bytes = std::fs::metadata(&out).map(|x| x.len()).unwrap_or(0);
            println!(
                "rows {r0} -> {r1}, weights {w0} -> {w1}; wrote {} ({bytes} bytes)",
                out.display()
            );
            Ok(())
        }
        TrainCmd::NerLstmData {
            model,
            data,
            out,
            emissions,
        } => {
            let m = ner::NerModel::load(&model)?;
            let n = ner::lstm_data::write(&m, &data, &out, emissions)?;
            println!("wrote {n} sentences to {}", out.display());
            Ok(())
        }
        TrainCmd::NerCalibrate {
            model,
            rescorer,
            dev,
            calib_from,
            tune_first_pass,
        } => {
            if let Some(from) = calib_from {
                let s = ner::lstm_data::copy_calibration(&model, &rescorer, &from)?;
                let (a, b) = s.calib;
                println!(
                    "copied from {}: mix = {}, first pass = {}, span score = sigmoid({a} * \
                     margin + {b}); stored in {}",
                    from.display(),
                    s.mix,
                    s.first_pass,
                    rescorer.display()
                );
                return Ok(());
            }
            // clap requires one of --dev and --calib-from.
            let Some(dev) = dev else {
                anyhow::bail!("--dev or --calib-from is required");
            };
            let fitted = ner::lstm_data::calibrate(&model, &rescorer, &dev, tune_first_pass)?;
            if let Some((chosen, rows)) = &fitted.first_pass {
                println!("first-pass weight | dev F1 | even documents | odd documents");
                for r in rows {
                    println!(
                        "{:>17} | {:>6.2} | {:>14.2} | {:>13.2}",
                        r.weight,
                        100.0 * r.all,
                        100.0 * r.even,
                        100.0 * r.odd
                    );
                }
                println!("first pass = {chosen}; stored in {}", rescorer.display());
            }
            println!(
                "span score = sigmoid({} * margin + {}); stored in {}",
                fitted.a,
                fitted.b,
                rescorer.display()
            );
            Ok(())
        }
        TrainCmd::NerLstmJoin { rescorers, out } => {
            let mut files = Vec::with_capacity(rescorers.len());
            for p in &rescorers {
                let bytes = std::fs::read(p)
                    .with_context(|| format!("cannot read re-scorer {}", p.display()))?;
                files.push((p.display().to_string(), bytes));
            }
            let named: Vec<(&str, &[u8])> = files
                .iter()
                .map(|(n, b)| (n.as_str(), b.as_slice()))
                .collect();
            let (joined, r) = ner::rescorer::join(&named)
                .map_err(|msg| anyhow::anyhow!("cannot join re-scorers: {msg}"))?;
            newsmill::output::atomic_file::write_atomically(&out, &joined)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "wrote {} ({} networks, mix {}, first pass {}, calibrated: {}); run \
                 `newsmill train ner-calibrate` on it",
                out.display(),
                r.networks(),
                r.mix,
                r.first_pass,
                if r.calib.is_some() { "yes" } else { "no" }
            );
            Ok(())
        }
        TrainCmd::Stance {
            newsmtsc,
            out,
            seed,
            cv,
        } => {
            if let Some(folds) = cv {
                let params = newsmill::stance::classifier::TrainParams::default();
                let cv =
                    newsmill::stance::classifier::cross_validate(&newsmtsc, folds, params, seed)?;
                println!("{}\n\n{}", cv.all, cv.multi);
                println!("\nSupport/oppose records kept per [stance] classifier_min_confidence (held out):");
                print!("{}", cv.confidence);
                return Ok(());
            }
            let report = newsmill::stance::train_newsmtsc(&newsmtsc, &out, seed)?;
            println!("{report}");
            Ok(())
        }
    }
}
