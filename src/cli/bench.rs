//! `newsmill bench`: throughput per stage and end to end, and peak memory.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use newsmill::bench::{bench_stages, BenchRow};
use newsmill::pipeline::Pipeline;

/// Arguments of `newsmill bench`.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// Pipeline configuration (the enabled stages are measured).
    #[arg(short, long, default_value = "pipeline.toml")]
    config: PathBuf,
    /// Corpus to measure on (files or folders).
    #[arg(long, num_args = 1.., default_values = ["../shared/data/news"])]
    data: Vec<PathBuf>,
    /// Thread counts to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 2])]
    threads: Vec<usize>,
    /// Replay the corpus K times (distinct doc ids) in the end-to-end runs, to show how time and
    /// memory grow with corpus size.
    #[arg(long, default_value_t = 1)]
    scale: usize,
    /// Skip the per-stage measurements (end-to-end only).
    #[arg(long)]
    e2e_only: bool,
    /// Also time the transformer backends (NER and NLI stance) on the CPU at a tiny-BERT and a
    /// BERT-base shape with random weights, on the first --transformers-docs documents. Needs
    /// newsmill built with `--features transformers`.
    #[arg(long)]
    transformers: bool,
    /// Documents for --transformers (BERT-base runs at a few hundred words/s on 2 cores).
    #[arg(long, default_value_t = 20)]
    transformers_docs: usize,
    /// Only the --transformers measurements.
    #[arg(long)]
    transformers_only: bool,
}

/// Runs the benchmark and prints a Markdown table.
pub fn run(args: BenchArgs) -> Result<()> {
    let cfg = super::load_config(&args.config)?;
    for d in &args.data {
        if !d.exists() {
            bail!(
                "bench data {} does not exist (pass --data DIR)",
                d.display()
            );
        }
    }
    let mut rows: Vec<BenchRow> = Vec::new();
    if args.transformers || args.transformers_only {
        rows.extend(transformers(&cfg, &args)?);
        if args.transformers_only {
            println!("{}", BenchRow::header());
            for r in &rows {
                println!("{}", r.row());
            }
            return Ok(());
        }
    }
    if !args.e2e_only {
        let pipeline = Pipeline::from_config(cfg.clone()).context("setting up the pipeline")?;
        for &t in &args.threads {
            eprintln!("bench: stages alone at {t} thread(s)...");
            rows.extend(bench_stages(&pipeline, &args.data, t)?);
        }
    }
    let tmp = tempdir()?;
    let inputs = replicate(&args.data, args.scale, &tmp)?;
    let e2e_config = e2e_config(&cfg, &tmp)?;
    for &t in &args.threads {
        eprintln!(
            "bench: end to end at {t} thread(s), scale {}...",
            args.scale
        );
        rows.push(end_to_end(
            &e2e_config,
            &inputs,
            &tmp.join(format!("out-{t}")),
            t,
            args.scale,
        )?);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    println!("{}", BenchRow::header());
    for r in &rows {
        println!("{}", r.row());
    }
    Ok(())
}

#[cfg(feature = "transformers")]
fn transformers(cfg: &newsmill::config::PipelineConfig, args: &BenchArgs) -> Result<Vec<BenchRow>> {
    let mut rows = Vec::new();
    for &t in &args.threads {
        rows.extend(super::bench_transformers::run(
            cfg,
            &args.data,
            args.transformers_docs,
            t,
        )?);
    }
    Ok(rows)
}

#[cfg(not(feature = "transformers"))]
fn transformers(
    _cfg: &newsmill::config::PipelineConfig,
    _args: &BenchArgs,
) -> Result<Vec<BenchRow>> {
    bail!(
        "--transformers needs newsmill built with the `transformers` cargo feature: run \
         ./scripts/setup-libtorch.sh, then `source .venv/libtorch.env` and \
         `cargo build --release --features transformers`"
    )
}

/// The config for the end-to-end runs: the user's, with JSONL record ids ignored. Reuters and
/// BBC records carry their own `id`, so the replicas of `--scale` would share doc ids (and all
/// but the first become duplicate-id failure rows); without ids, doc ids come from the replica's
/// path and line. Relative paths are made absolute first, since the copy lives in `tmp`.
fn e2e_config(cfg: &newsmill::config::PipelineConfig, tmp: &Path) -> Result<PathBuf> {
    let mut cfg = cfg.clone();
    cfg.resolve_paths(&std::env::current_dir().context("reading the working directory")?);
    cfg.ingest.jsonl.id.clear();
    let path = tmp.join("bench-pipeline.toml");
    std::fs::write(&path, cfg.to_toml()).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

fn tempdir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("newsmill-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// With scale K > 1, builds K folders of symlinks to the input files under one input folder, so
/// every replica gets its own source keys (and doc ids).
fn replicate(data: &[PathBuf], scale: usize, tmp: &Path) -> Result<Vec<PathBuf>> {
    if scale <= 1 {
        return Ok(data.to_vec());
    }
    // One input folder holding the replicas: source keys are paths relative to the input
    // folder, so `replicas/000/...` and `replicas/001/...` give distinct doc ids.
    let root = tmp.join("replicas");
    for k in 0..scale {
        let rep = root.join(format!("{k:03}"));
        for (i, d) in data.iter().enumerate() {
            let base = rep.join(i.to_string());
            for entry in walk(d)? {
                let rel = entry.strip_prefix(d).unwrap_or(&entry);
                let link = if rel.as_os_str().is_empty() {
                    base.join(entry.file_name().unwrap_or_default())
                } else {
                    base.join(rel)
                };
                if let Some(parent) = link.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let target = std::fs::canonicalize(&entry)?;
                std::os::unix::fs::symlink(&target, &link)
                    .with_context(|| format!("linking {}", link.display()))?;
            }
        }
    }
    Ok(vec![root])
}

fn walk(p: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(p).sort_by_file_name() {
        let e = e?;
        if e.file_type().is_file() {
            out.push(e.into_path());
        }
    }
    Ok(out)
}

fn end_to_end(
    config: &Path,
    inputs: &[PathBuf],
    out: &Path,
    threads: usize,
    scale: usize,
) -> Result<BenchRow> {
    let exe = std::env::current_exe().context("locating the newsmill binary")?;
    let mut cmd = Command::new(exe);
    cmd.arg("run")
        .arg("--quiet")
        .arg("--threads")
        .arg(threads.to_string());
    if config.exists() {
        cmd.arg("--config").arg(config);
    }
    cmd.arg("--output").arg(out).arg("--input").args(inputs);
    let status = cmd.status().context("running newsmill run")?;
    if !status.success() {
        bail!("newsmill run failed during the benchmark");
    }
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("manifest.json")).context("reading the run manifest")?,
    )?;
    let docs = manifest["documents"]["read"].as_u64().unwrap_or(0);
    let bytes = manifest["input_bytes"].as_u64().unwrap_or(0);
    let words = words_in_run(out)?;
    Ok(BenchRow {
        stage: format!("end-to-end (scale {scale})"),
        threads,
        seconds: manifest["seconds"].as_f64().unwrap_or(0.0),
        docs,
        bytes,
        words,
        peak_rss: manifest["peak_rss_bytes"].as_u64(),
    })
}

/// Whitespace words of the cleaned text, read back from the documents table (every part).
fn words_in_run(out: &Path) -> Result<u64> {
    use arrow::array::{Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ProjectionMask;
    let mut words = 0u64;
    for path in newsmill::output::state::parquet_files(&out.join("documents"))? {
        let file = std::fs::File::open(&path)?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
        let schema = builder.parquet_schema();
        let idx = (0..schema.num_columns())
            .find(|&i| schema.column(i).name() == "clean_text")
            .context("documents table without clean_text")?;
        let mask = ProjectionMask::leaves(schema, [idx]);
        for batch in builder.with_projection(mask).build()? {
            let batch = batch?;
            if let Some(col) = batch.column(0).as_any().downcast_ref::<StringArray>() {
                words += col
                    .iter()
                    .flatten()
                    .map(|s| s.split_whitespace().count() as u64)
                    .sum::<u64>();
            }
        }
    }
    Ok(words)
}
