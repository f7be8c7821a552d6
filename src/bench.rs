//! Stage-by-stage throughput for `newsmill bench`.
//!
//! Documents are ingested into memory once; then each enabled stage runs over all of them, in
//! pipeline order, at the requested thread count, and is timed alone. End-to-end runs (with
//! Parquet writing and peak memory) are measured by the CLI by running `newsmill run` itself.

use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use crate::doc::Doc;
use crate::ingest::{self, UnitReader};
use crate::pipeline::{Pipeline, PipelineError};

/// One line of the bench table.
#[derive(Debug, Clone)]
pub struct BenchRow {
    /// Stage name (`ingest`, `clean`, ..., or `end-to-end`).
    pub stage: String,
    /// Worker threads.
    pub threads: usize,
    /// Wall seconds.
    pub seconds: f64,
    /// Documents.
    pub docs: u64,
    /// Input bytes (raw article text).
    pub bytes: u64,
    /// Whitespace-separated words of the raw text.
    pub words: u64,
    /// Peak resident memory of the process, when measured.
    pub peak_rss: Option<u64>,
}

impl BenchRow {
    /// Markdown table header.
    pub fn header() -> String {
        "| stage | threads | seconds | docs/s | MB/s | words/s | peak RSS |\n|---|---:|---:|---:|---:|---:|---:|".to_string()
    }

    /// Markdown table row.
    pub fn row(&self) -> String {
        let s = self.seconds.max(1e-9);
        format!(
            "| {} | {} | {:.3} | {:.0} | {:.2} | {:.0} | {} |",
            self.stage,
            self.threads,
            self.seconds,
            self.docs as f64 / s,
            self.bytes as f64 / 1e6 / s,
            self.words as f64 / s,
            self.peak_rss
                .map(|b| format!("{:.0} MB", b as f64 / 1e6))
                .unwrap_or_else(|| "-".into())
        )
    }
}

/// Times ingest and every enabled stage alone over the documents of `inputs`.
pub fn bench_stages(
    pipeline: &Pipeline,
    inputs: &[PathBuf],
    threads: usize,
) -> Result<Vec<BenchRow>, PipelineError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| PipelineError::Threads(e.to_string()))?;
    let cfg = &pipeline.config().ingest;
    let files = ingest::discover(inputs, cfg);
    let units: Vec<_> = UnitReader::new(files, cfg.max_doc_bytes).collect();
    let t = Instant::now();
    let mut docs: Vec<Doc> = pool.install(|| {
        units
            .into_par_iter()
            .filter_map(|u| ingest::load_unit(u, cfg).ok())
            .collect()
    });
    let ingest_secs = t.elapsed().as_secs_f64();
    let bytes: u64 = docs.iter().map(|d| d.raw.len() as u64).sum();
    let words: u64 = docs
        .iter()
        .map(|d| d.raw.split_whitespace().count() as u64)
        .sum();
    let n = docs.len() as u64;
    let row = |stage: &str, seconds: f64| BenchRow {
        stage: stage.to_string(),
        threads: pool.current_num_threads(),
        seconds,
        docs: n,
        bytes,
        words,
        peak_rss: None,
    };
    let mut rows = vec![row("ingest", ingest_secs)];
    for stage in pipeline.stages() {
        let t = Instant::now();
        pool.install(|| {
            docs.par_iter_mut().for_each(|d| {
                let _ = stage.process(d);
            })
        });
        rows.push(row(stage.name(), t.elapsed().as_secs_f64()));
    }
    Ok(rows)
}
