//! The batch job: discover inputs, stream them through the stages in parallel batches, write
//! tables as batches complete, then commit the output atomically.
//!
//! Determinism: batches are cut by unit count and bytes only (never by thread count), rayon
//! results are collected in input order, and rows are written by one thread in that order, so
//! the tables are byte-identical whatever `--threads` is.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::PipelineConfig;
use crate::doc::Doc;
use crate::ingest::{self, Failure, Unit, UnitReader};
use crate::output::commit::Staging;
use crate::output::manifest::{self, DocCounts, Manifest, StageStats, TableStats};
use crate::output::rows::RowSink;
use crate::output::OutputError;
use crate::progress::Progress;
use crate::stage::Stage;
use crate::stages;

/// Bytes of input after which a batch is cut even if it has fewer than `run.batch_size` units.
const BATCH_BYTES: u64 = 64 * 1024 * 1024;

/// Error that stops a run (per-document problems never do: they become `failures` rows).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A stage could not be set up (model or resource file missing or invalid).
    #[error("cannot set up stage {stage}: {message}")]
    Setup {
        /// Stage name.
        stage: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Writing output failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The thread pool could not be built.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    /// No inputs.
    #[error("input path {0} does not exist")]
    MissingInput(PathBuf),
}

/// What to run on, where to write and how.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Files and folders to read.
    pub inputs: Vec<PathBuf>,
    /// Output folder.
    pub output: PathBuf,
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
}

/// Totals of a finished run.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Articles read and processed by every stage.
    pub docs_ok: u64,
    /// Articles a stage failed on.
    pub docs_failed: u64,
    /// Inputs that could not be read.
    pub ingest_failures: u64,
    /// Sentences written.
    pub sentences: u64,
    /// Wall time.
    pub seconds: f64,
    /// Input bytes.
    pub input_bytes: u64,
    /// Output folder.
    pub output: PathBuf,
}

impl std::fmt::Display for RunSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "newsmill: {} docs ok, {} failed in a stage, {} inputs unreadable, {} sentences in {:.2}s ({:.1} MB/s) -> {}",
            self.docs_ok,
            self.docs_failed,
            self.ingest_failures,
            self.sentences,
            self.seconds,
            self.input_bytes as f64 / 1e6 / self.seconds.max(1e-9),
            self.output.display()
        )
    }
}

/// A document after the stages, with what happened to it.
pub struct Processed {
    /// The document.
    pub doc: Doc,
    /// The stage that failed, with its failure row.
    pub failure: Option<Failure>,
    /// Time spent in each stage (pipeline order; zero for stages not reached).
    pub timings: Vec<Duration>,
}

/// The configured stages, ready to run.
pub struct Pipeline {
    cfg: PipelineConfig,
    stages: Vec<Box<dyn Stage>>,
}

impl Pipeline {
    /// Builds the enabled stages (loading models and resources) from a validated config.
    pub fn from_config(cfg: PipelineConfig) -> Result<Self, PipelineError> {
        let stages = stages::build(&cfg)?;
        Ok(Pipeline { cfg, stages })
    }

    /// The resolved configuration.
    pub fn config(&self) -> &PipelineConfig {
        &self.cfg
    }

    /// The enabled stages in order.
    pub fn stages(&self) -> &[Box<dyn Stage>] {
        &self.stages
    }

    /// Runs every stage on one document. A stage error or panic stops this document only.
    pub fn process(&self, mut doc: Doc) -> Processed {
        let mut timings = vec![Duration::ZERO; self.stages.len()];
        for (i, stage) in self.stages.iter().enumerate() {
            let t = Instant::now();
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| stage.process(&mut doc)));
            timings[i] = t.elapsed();
            let error = match result {
                Ok(Ok(())) => continue,
                Ok(Err(e)) => e.to_string(),
                Err(panic) => format!("internal error (please report): {}", panic_message(&panic)),
            };
            let failure = Failure {
                source_path: doc.source.path.clone(),
                line: doc.source.line,
                stage: stage.name().to_string(),
                error,
            };
            return Processed {
                doc,
                failure: Some(failure),
                timings,
            };
        }
        Processed {
            doc,
            failure: None,
            timings,
        }
    }

    /// Runs the batch job.
    pub fn run(&self, opts: &RunOptions) -> Result<RunSummary, PipelineError> {
        let started = Instant::now();
        let started_at = manifest::now_iso();
        for input in &opts.inputs {
            if !input.exists() {
                return Err(PipelineError::MissingInput(input.clone()));
            }
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads)
            .build()
            .map_err(|e| PipelineError::Threads(e.to_string()))?;
        let threads = pool.current_num_threads();

        let files = ingest::discover(&opts.inputs, &self.cfg.ingest);
        let input_files = files.iter().filter(|f| f.is_ok()).count() as u64;
        let input_bytes: u64 = files.iter().flatten().map(|f| f.bytes).sum();

        let staging = Staging::begin(&opts.output)?;
        let mut sink = RowSink::create(staging.path(), &self.cfg, &self.cfg.output)?;
        let progress = Progress::new(input_bytes, opts.progress);
        let mut stats: Vec<StageStats> = self
            .stages
            .iter()
            .map(|s| StageStats {
                name: s.name().to_string(),
                ..Default::default()
            })
            .collect();
        let mut counts = DocCounts::default();
        let mut bytes_done = 0u64;

        let mut reader = UnitReader::new(files, self.cfg.ingest.max_doc_bytes).peekable();
        while reader.peek().is_some() {
            let mut batch = Vec::new();
            let mut batch_bytes = 0;
            while let Some(unit) = reader
                .next_if(|_| batch.len() < self.cfg.run.batch_size && batch_bytes < BATCH_BYTES)
            {
                let n = unit.approx_bytes();
                batch_bytes += n;
                batch.push((unit, n));
            }
            let results: Vec<Result<Processed, Failure>> = pool.install(|| {
                batch
                    .into_par_iter()
                    .map(|(unit, _)| self.load_and_process(unit))
                    .collect()
            });
            bytes_done += batch_bytes;
            for result in results {
                match result {
                    Ok(p) => {
                        counts.read += 1;
                        for (s, t) in stats.iter_mut().zip(&p.timings) {
                            if !t.is_zero() || p.failure.is_none() {
                                s.docs += 1;
                                s.cpu_seconds += t.as_secs_f64();
                            }
                        }
                        if let Some(f) = &p.failure {
                            counts.failed_stage += 1;
                            if let Some(s) = stats.iter_mut().find(|s| s.name == f.stage) {
                                s.failed += 1;
                            }
                        } else {
                            counts.ok += 1;
                        }
                        sink.add_doc(&p)?;
                    }
                    Err(f) => {
                        counts.failed_ingest += 1;
                        sink.add_failure(&f);
                    }
                }
            }
            sink.flush()?;
            progress.update(bytes_done.min(input_bytes), counts.read);
        }
        progress.finish();

        let tables = sink.close()?;
        let sentences = tables.get("sentences").map(|t| t.rows).unwrap_or(0);
        let seconds = started.elapsed().as_secs_f64();
        let manifest = Manifest {
            newsmill_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at,
            finished_at: manifest::now_iso(),
            seconds,
            threads,
            peak_rss_bytes: crate::bench::peak_rss_bytes(),
            inputs: opts
                .inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            input_files,
            input_bytes,
            config_hash: self.cfg.hash(),
            config: serde_json::to_value(&self.cfg).unwrap_or_default(),
            stages: stats,
            tables: tables
                .into_iter()
                .collect::<std::collections::BTreeMap<String, TableStats>>(),
            models: stages::model_files(&self.cfg)?,
            documents: counts.clone(),
        };
        manifest.write(staging.path())?;
        staging.commit()?;
        Ok(RunSummary {
            docs_ok: counts.ok,
            docs_failed: counts.failed_stage,
            ingest_failures: counts.failed_ingest,
            sentences,
            seconds,
            input_bytes,
            output: opts.output.clone(),
        })
    }

    fn load_and_process(&self, unit: Unit) -> Result<Processed, Failure> {
        let doc = ingest::load_unit(unit, &self.cfg.ingest)?;
        Ok(self.process(doc))
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}
