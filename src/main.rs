//! The `newsmill` command line.

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use newsmill::config::PipelineConfig;
use newsmill::pipeline::{Pipeline, RunOptions};

/// jemalloc (see Cargo.toml for why); the system allocator on MSVC targets.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// `--version` (`-V` prints the first line only): the build, then the code identity that
/// decides whether outputs of another build can be extended or merged.
const LONG_VERSION: &str = concat!(
    env!("NEWSMILL_BUILD"),
    "\ncode ",
    env!("NEWSMILL_CODE"),
    " (outputs are extended and merged only by builds of the same code)"
);

/// newsmill turns folders of raw news articles (plain text, JSONL, HTML; any encoding; gzip ok)
/// into Parquet tables: documents, sentences, entities, actors, quotes and stances.
///
/// Typical use:
///   newsmill run                                  # pipeline.toml, seeds/ -> output/
///   newsmill run --input archive/ --output out/   # your own corpus
///   newsmill run --input archive/ --incremental   # scheduled: only what is new
///   newsmill run --shard 0/4 --output out-0 ...   # one of 4 shards; then `newsmill merge`
///   newsmill config show                          # every option with its default
///   newsmill schema                               # what each output column means
#[derive(Parser)]
#[command(
    name = "newsmill",
    version = newsmill::BUILD,
    long_version = LONG_VERSION,
    about,
    long_about,
    verbatim_doc_comment
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the batch job: read inputs, run the enabled stages, write Parquet tables.
    ///
    /// The output folder is replaced atomically when the run finishes: until then it holds the
    /// previous run's complete output. Unreadable inputs and per-article stage errors become rows
    /// of the `failures` table; the run goes on.
    Run(RunArgs),
    /// Combine shard outputs (`run --shard i/N`) or outputs of disjoint inputs into one.
    ///
    /// Table parts are hard-linked (copied across file systems), the actor tables are rebuilt
    /// over all inputs: the result equals a single run over all inputs. Example:
    ///   newsmill merge --output out out-0 out-1 out-2 out-3
    #[command(verbatim_doc_comment)]
    Merge {
        /// Merged output folder (replaced atomically).
        #[arg(short, long)]
        output: PathBuf,
        /// Output folders to merge (all shards of one sharded run, or outputs of disjoint inputs).
        #[arg(required = true, num_args = 1..)]
        inputs: Vec<PathBuf>,
        /// No summary line.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Check or print a pipeline.toml.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Print every output table's columns, types and meaning, and the keys of manifest.json.
    Schema {
        /// Print Markdown (the text of docs/schema.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Measure accuracy on held-out gold data (run from the repo, next to ../shared/).
    #[command(subcommand)]
    Eval(cli::eval::EvalCmd),
    /// Measure throughput (MB/s, docs/s, words/s) per stage and end to end, and peak memory.
    ///
    /// Prints a Markdown table; results with dates and the machine go in benches/RESULTS.md.
    Bench(cli::bench::BenchArgs),
    /// Train the built-in models from ../shared/data (reproducible: fixed seeds).
    #[command(subcommand)]
    Train(cli::train::TrainCmd),
    /// Prepare transformer models offline (the optional `transformers` feature).
    #[command(subcommand)]
    Models(cli::models::ModelsCmd),
}

#[derive(clap::Args)]
struct RunArgs {
    /// Pipeline configuration; a missing default file means all defaults.
    #[arg(short, long, default_value = "pipeline.toml")]
    config: PathBuf,
    /// Input files or folders (read recursively). Default: seeds/.
    #[arg(short, long, num_args = 1..)]
    input: Vec<PathBuf>,
    /// Output folder (replaced as a whole). Default: [output] dir of the config, else output/.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Worker threads; 0 = all cores. Default: [run] threads.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// No progress bar and no summary line.
    #[arg(short, long)]
    quiet: bool,
    /// Extend the existing output instead of replacing it: inputs whose raw bytes are already
    /// in it (documents.source_hash, failures.source_hash) are skipped without any work, new
    /// ones are added as new table parts (`<table>/part-NNNNN.parquet`), and the actor tables
    /// are rebuilt over everything. Nothing new: the output is left untouched. The output must
    /// have been made with the same settings and models.
    #[arg(long)]
    incremental: bool,
    /// Process only shard INDEX of COUNT (0-based: 0/4 .. 3/4), a fixed share of the input
    /// units chosen by a hash of their path (and line); give each shard its own --output and
    /// combine them with `newsmill merge`.
    #[arg(long, value_name = "INDEX/COUNT")]
    shard: Option<newsmill::pipeline::Shard>,
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Validate a config file and exit non-zero with the file, line and key on error.
    Check {
        /// Config file.
        #[arg(default_value = "pipeline.toml")]
        path: PathBuf,
    },
    /// Print the fully resolved config (every option, defaults filled in) as TOML.
    Show {
        /// Config file; without one, the defaults are printed.
        path: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Merge {
            output,
            inputs,
            quiet,
        } => {
            let t = std::time::Instant::now();
            let m = newsmill::output::merge::merge(&inputs, &output)?;
            if !quiet {
                eprintln!(
                    "newsmill: merged {} outputs, {} documents in {:.2}s -> {}",
                    m.inputs,
                    m.documents,
                    t.elapsed().as_secs_f64(),
                    output.display()
                );
            }
            Ok(())
        }
        Command::Config(ConfigCmd::Check { path }) => {
            PipelineConfig::load(&path)?;
            println!("{}: ok", path.display());
            Ok(())
        }
        Command::Config(ConfigCmd::Show { path }) => {
            let cfg = match path {
                Some(p) => PipelineConfig::load(&p)?,
                None => PipelineConfig::default(),
            };
            print!("{}", cfg.to_toml());
            Ok(())
        }
        Command::Eval(cmd) => cli::eval::run(cmd),
        Command::Bench(args) => cli::bench::run(args),
        Command::Train(cmd) => cli::train::run(cmd),
        Command::Models(cmd) => cli::models::run(cmd),
        Command::Schema { markdown } => {
            if markdown {
                print!("{}", newsmill::output::schema_doc::markdown());
            } else {
                print!("{}", newsmill::output::schema_doc::text());
            }
            Ok(())
        }
    }
}

fn run(args: RunArgs) -> Result<()> {
    let cfg = cli::load_config(&args.config)?;
    let inputs = if args.input.is_empty() {
        vec![PathBuf::from("seeds")]
    } else {
        args.input
    };
    let opts = RunOptions {
        inputs,
        output: args.output.unwrap_or_else(|| cfg.output.dir.clone()),
        threads: args.threads.unwrap_or(cfg.run.threads),
        progress: cfg.run.progress && !args.quiet,
        incremental: args.incremental,
        shard: args.shard,
    };
    let pipeline = Pipeline::from_config(cfg).context("setting up the pipeline")?;
    let summary = pipeline.run(&opts)?;
    if !args.quiet {
        eprintln!("{summary}");
    }
    Ok(())
}
