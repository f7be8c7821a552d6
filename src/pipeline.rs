//! The batch job: discover inputs, stream them through the stages in parallel batches, write
//! tables as batches complete, then commit the output atomically.
//!
//! Determinism: batches are cut by unit count and bytes only (never by thread count), rayon
//! results are collected in input order, and rows are written by one thread in that order, so
//! the tables are byte-identical whatever `--threads` is.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::clean::CorpusLineStats;
use crate::config::PipelineConfig;
use crate::doc::Doc;
use crate::ingest::{self, Failure, Unit, UnitOutcome, UnitReader};
use crate::output::commit::Staging;
use crate::output::manifest::{self, DocCounts, Manifest, RunRecord, StageStats};
use crate::output::rows::{self, RowSink};
use crate::output::state::{self, Prior};
use crate::output::OutputError;
use crate::progress::Progress;
use crate::stage::Stage;
use crate::stages;
use crate::stages::clean::{source_group, CleanStage};

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
    /// Build on the existing output: skip inputs whose raw bytes it already holds and add the
    /// rest as new table parts (see [`crate::output::state`]).
    pub incremental: bool,
    /// Process only this deterministic share of the inputs.
    pub shard: Option<Shard>,
}

/// One of `count` deterministic shares of the inputs (`--shard index/count`, index from 0).
/// A unit belongs to shard `BLAKE3(unit key) mod count`, where the unit key is the file's
/// input-relative path (plus `#line` for a JSONL record), so the shares are fixed by the
/// inputs alone and `newsmill merge` of all shards equals a single run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, `0..count`.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let err = || {
            format!("--shard {s:?}: expected INDEX/COUNT with 0 <= INDEX < COUNT, e.g. 0/4 .. 3/4")
        };
        let (i, n) = s.split_once('/').ok_or_else(err)?;
        let index: u32 = i.trim().parse().map_err(|_| err())?;
        let count: u32 = n.trim().parse().map_err(|_| err())?;
        if count == 0 || index >= count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether the unit with this key belongs to the shard.
    pub fn owns(&self, unit_key: &str) -> bool {
        crate::doc::DocId::from_source_key(unit_key).bucket(u64::from(self.count))
            == u64::from(self.index)
    }
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
    /// Inputs skipped because the output already holds them (incremental runs).
    pub skipped: u64,
    /// An incremental run found nothing new and left the output untouched.
    pub unchanged: bool,
}

impl std::fmt::Display for RunSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.unchanged {
            return write!(
                f,
                "newsmill: nothing new ({} inputs already in {}); output unchanged ({:.2}s)",
                self.skipped,
                self.output.display(),
                self.seconds
            );
        }
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
        )?;
        if self.skipped > 0 {
            write!(
                f,
                " ({} inputs already in the output skipped)",
                self.skipped
            )?;
        }
        Ok(())
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
    pub fn process(&self, doc: Doc) -> Processed {
        self.process_with(doc, None)
    }

    /// Like [`Pipeline::process`], with `clean` (a cleaner holding this run's corpus
    /// statistics) in place of the configured clean stage.
    fn process_with(&self, mut doc: Doc, clean: Option<&dyn Stage>) -> Processed {
        let mut timings = vec![Duration::ZERO; self.stages.len()];
        for (i, configured) in self.stages.iter().enumerate() {
            let stage: &dyn Stage = match clean {
                Some(c) if i == 0 => c,
                _ => configured.as_ref(),
            };
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

        let mut stats: Vec<StageStats> = Vec::new();
        let corpus_clean = if self.cfg.clean.enabled && self.cfg.clean.corpus_pass {
            let (line_stats, pass) = self.corpus_line_stats(&files, &pool);
            stats.push(pass);
            Some(CleanStage::with_corpus_stats(&self.cfg.clean, line_stats)?)
        } else {
            None
        };
        let clean = corpus_clean.as_ref().map(|c| c as &dyn Stage);

        let staging = Staging::begin(&opts.output)?;
        let prior = if opts.incremental {
            Prior::load(&opts.output)?
        } else {
            None
        };
        if let Some(p) = &prior {
            self.check_compatible(p)?;
            p.link_parts(staging.path(), &|n| n)?;
        }
        let part = prior.as_ref().map_or(0, Prior::next_part);
        let mut sink = RowSink::create(staging.path(), &self.cfg, &self.cfg.output, part)?;
        if let Some(p) = &prior {
            sink.add_saved_registry(&p.dir)?;
        }
        let seen = prior.as_ref().map(|p| &p.seen);
        let skip = |hash: &str| {
            seen.is_some_and(|s| state::hash_key(hash).is_some_and(|k| s.contains(&k)))
        };
        let mut ids: HashSet<u64> = prior
            .as_ref()
            .map(|p| p.doc_ids.clone())
            .unwrap_or_default();

        let progress = Progress::new(input_bytes, opts.progress);
        let first_stage = stats.len();
        stats.extend(self.stages.iter().map(|s| StageStats {
            name: s.name().to_string(),
            ..Default::default()
        }));
        let mut counts = DocCounts::default();
        let mut skipped = 0u64;
        let mut bytes_done = 0u64;

        let units = UnitReader::new(files, self.cfg.ingest.max_doc_bytes)
            .filter(|u| opts.shard.is_none_or(|s| s.owns(&ingest::unit_key(u))));
        let mut reader = units.peekable();
        // Rows are written by a writer thread while the pool processes the next batch: writing
        // (row building, Parquet encoding, zstd) is serial, and done between batches it left
        // the workers idle for about a tenth of the run. The rendezvous channel keeps at most
        // one finished batch waiting, so memory holds two batches, not the whole corpus. Rows
        // still go out in input order from one thread, so tables do not depend on --threads.
        let sink = std::thread::scope(|scope| -> Result<RowSink, PipelineError> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Write>>(0);
            let writer = scope.spawn(move || -> Result<RowSink, OutputError> {
                for batch in rx {
                    for write in batch {
                        match write {
                            Write::Doc(p) => sink.add_doc(&p)?,
                            Write::Failure(f, hash) => sink.add_failure(&f, &hash),
                        }
                    }
                    sink.flush()?;
                }
                Ok(sink)
            });
            while reader.peek().is_some() {
                let (batch, batch_bytes) = next_batch(&mut reader, self.cfg.run.batch_size);
                let results: Vec<Outcome> = pool.install(|| {
                    batch
                        .into_par_iter()
                        .map(|unit| self.load_and_process(unit, &skip, clean))
                        .collect()
                });
                bytes_done += batch_bytes;
                let mut writes = Vec::with_capacity(results.len());
                for result in results {
                    match result {
                        Outcome::Processed(p) => {
                            if let Some(dup) = duplicate(&mut ids, &p.doc) {
                                counts.failed_ingest += 1;
                                writes.push(Write::Failure(dup, p.doc.source.hash.clone()));
                                continue;
                            }
                            counts.read += 1;
                            record_stage_stats(&mut stats[first_stage..], &p);
                            if p.failure.is_some() {
                                counts.failed_stage += 1;
                            } else {
                                counts.ok += 1;
                            }
                            writes.push(Write::Doc(p));
                        }
                        Outcome::Failed(f, hash) => {
                            counts.failed_ingest += 1;
                            writes.push(Write::Failure(f, hash));
                        }
                        Outcome::Skipped => skipped += 1,
                    }
                }
                if tx.send(writes).is_err() {
                    // The writer stopped on an error; joining below returns it.
                    break;
                }
                progress.update(bytes_done.min(input_bytes), counts.read + skipped);
            }
            drop(tx);
            match writer.join() {
                Ok(result) => Ok(result?),
                Err(panic) => Err(PipelineError::Output(OutputError::Refused(format!(
                    "internal error in the table writer (please report): {}",
                    panic_message(&panic)
                )))),
            }
        })?;
        progress.finish();

        let mut summary = RunSummary {
            docs_ok: counts.ok,
            docs_failed: counts.failed_stage,
            ingest_failures: counts.failed_ingest,
            sentences: 0,
            seconds: 0.0,
            input_bytes,
            output: opts.output.clone(),
            skipped,
            unchanged: false,
        };
        if prior.is_some() && counts.read + counts.failed_ingest == 0 {
            // Nothing new: drop the staging folder, leave the output exactly as it was.
            drop(sink);
            drop(staging);
            summary.unchanged = true;
            summary.seconds = started.elapsed().as_secs_f64();
            return Ok(summary);
        }
        sink.close()?;
        let tables = rows::table_stats(staging.path())?;
        summary.sentences = tables.get("sentences").map_or(0, |t| t.rows);
        summary.seconds = started.elapsed().as_secs_f64();
        let finished_at = manifest::now_iso();
        let mut history = prior
            .as_ref()
            .map(|p| p.manifest.history.clone())
            .unwrap_or_default();
        history.push(RunRecord {
            started_at: started_at.clone(),
            finished_at: finished_at.clone(),
            inputs: opts
                .inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            shard: opts.shard.map(|s| s.to_string()),
            part,
            documents: counts.clone(),
            skipped,
        });
        let manifest = Manifest {
            newsmill_version: crate::BUILD.to_string(),
            newsmill_code: crate::CODE.to_string(),
            started_at,
            finished_at,
            seconds: summary.seconds,
            threads,
            peak_rss_bytes: manifest::peak_rss_bytes(),
            inputs: opts
                .inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            input_files,
            input_bytes,
            config_hash: self.cfg.hash(),
            results_hash: self.cfg.results_hash(),
            config: serde_json::to_value(&self.cfg).unwrap_or_default(),
            stages: stats,
            tables,
            models: stages::model_files(&self.cfg)?,
            documents: counts,
            shard: opts.shard.map(|s| s.to_string()),
            history,
        };
        manifest.write(staging.path())?;
        staging.commit()?;
        Ok(summary)
    }

    /// An incremental run may only extend an output made with the same settings and models:
    /// otherwise old and new rows would not be comparable.
    fn check_compatible(&self, prior: &Prior) -> Result<(), PipelineError> {
        let refuse = |what: String| {
            PipelineError::Output(OutputError::Refused(format!(
                "{} was made with {what}; an incremental run would mix incomparable rows. \
                 Run without --incremental to rebuild it",
                prior.dir.display()
            )))
        };
        // The code first: results_hash covers it too, but this names both builds. Another
        // commit with the same code (documentation, tests) may extend the output.
        if prior.manifest.newsmill_code != crate::CODE {
            return Err(refuse(format!(
                "{} (this is {})",
                prior.manifest.made_by(),
                crate::output::manifest::this_build()
            )));
        }
        if prior.manifest.results_hash != self.cfg.results_hash() {
            return Err(refuse(
                "different settings (compare `newsmill config show` with its manifest.json)".into(),
            ));
        }
        let models = stages::model_files(&self.cfg)?;
        let sums = |m: &[crate::output::manifest::ModelFile]| {
            m.iter().map(|f| f.blake3.clone()).collect::<Vec<_>>()
        };
        if sums(&models) != sums(&prior.manifest.models) {
            return Err(refuse("different model or resource files".into()));
        }
        Ok(())
    }

    /// The corpus pre-pass of the clean stage: every input (whatever the shard or what an
    /// incremental run skips) is read and decoded once, and its short lines are counted per
    /// source. Partial tables merge exactly, so the result is the same at any thread count.
    fn corpus_line_stats(
        &self,
        files: &[Result<ingest::InputFile, Failure>],
        pool: &rayon::ThreadPool,
    ) -> (CorpusLineStats, StageStats) {
        let nanos = AtomicU64::new(0);
        let docs = AtomicU64::new(0);
        let mut total = CorpusLineStats::default();
        let mut reader = UnitReader::new(files.to_vec(), self.cfg.ingest.max_doc_bytes).peekable();
        while reader.peek().is_some() {
            let (batch, _) = next_batch(&mut reader, self.cfg.run.batch_size);
            let part = pool.install(|| {
                batch
                    .into_par_iter()
                    .fold(CorpusLineStats::default, |mut acc, unit| {
                        let t = Instant::now();
                        if let Ok(doc) = ingest::load_unit(unit, &self.cfg.ingest) {
                            acc.observe(&source_group(&doc), &doc.raw);
                            docs.fetch_add(1, Ordering::Relaxed);
                        }
                        nanos.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
                        acc
                    })
                    .reduce(CorpusLineStats::default, |mut a, b| {
                        a.merge(b);
                        a
                    })
            });
            total.merge(part);
        }
        let pass = StageStats {
            name: "clean-corpus-pass".into(),
            docs: docs.into_inner(),
            failed: 0,
            cpu_seconds: nanos.into_inner() as f64 / 1e9,
        };
        (total, pass)
    }

    fn load_and_process(
        &self,
        unit: Unit,
        skip: &(dyn Fn(&str) -> bool + Sync),
        clean: Option<&dyn Stage>,
    ) -> Outcome {
        match ingest::load_unit_unless(unit, &self.cfg.ingest, skip) {
            UnitOutcome::Doc(doc) => Outcome::Processed(Box::new(self.process_with(*doc, clean))),
            UnitOutcome::Failed {
                failure,
                source_hash,
            } => Outcome::Failed(failure, source_hash),
            UnitOutcome::Skipped => Outcome::Skipped,
        }
    }
}

/// The next batch of units: at most `max_units`, cut once `BATCH_BYTES` of input are taken.
/// Cut by count and bytes only (never by thread count), so results do not depend on `--threads`.
fn next_batch<I: Iterator<Item = Unit>>(
    reader: &mut std::iter::Peekable<I>,
    max_units: usize,
) -> (Vec<Unit>, u64) {
    let mut batch = Vec::new();
    let mut bytes = 0;
    while let Some(unit) = reader.next_if(|_| batch.len() < max_units && bytes < BATCH_BYTES) {
        bytes += unit.approx_bytes();
        batch.push(unit);
    }
    (batch, bytes)
}

/// What the writer thread adds to the tables, in input order.
enum Write {
    Doc(Box<Processed>),
    Failure(Failure, String),
}

/// Adds a processed document's stage timings (and its failing stage) to the run statistics.
fn record_stage_stats(stats: &mut [StageStats], p: &Processed) {
    for (s, t) in stats.iter_mut().zip(&p.timings) {
        if !t.is_zero() || p.failure.is_none() {
            s.docs += 1;
            s.cpu_seconds += t.as_secs_f64();
        }
    }
    if let Some(f) = &p.failure {
        if let Some(s) = stats.iter_mut().find(|s| s.name == f.stage) {
            s.failed += 1;
        }
    }
}

/// What a worker made of one unit.
enum Outcome {
    Processed(Box<Processed>),
    Failed(Failure, String),
    Skipped,
}

/// A failure row when `doc`'s id was already written (two inputs with the same JSONL id, or
/// an input changed since an earlier run wrote it); records the id otherwise.
fn duplicate(ids: &mut HashSet<u64>, doc: &Doc) -> Option<Failure> {
    let key = state::doc_key(doc.id.as_str())?;
    if ids.insert(key) {
        return None;
    }
    Some(Failure::ingest(
        &doc.source.path,
        doc.source.line,
        format!(
            "duplicate doc_id {}: an earlier input of this run, or of the output this incremental run extends, \
             has the same source key (path, #line or JSONL id); its rows were kept and this input was skipped. \
             To replace changed inputs, run without --incremental",
            doc.id
        ),
    ))
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
