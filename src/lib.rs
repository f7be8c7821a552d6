//! newsmill: a batch NLP pipeline that turns raw news articles into analysis-ready Parquet tables.
//!
//! Data flows one way: ingest → clean → split → ner → actors → quotes/stance → write.
//! Each stage lives in a module named after it and implements [`stage::Stage`]; the
//! [`pipeline::Pipeline`] runs them over batches of documents with rayon and streams rows to
//! the [`output`] writers. See `docs/architecture.md` for the tour.

pub mod actors;

/// This build's identity: the crate version, the git commit built from and a hash of any
/// uncommitted changes (set by `build.rs`, e.g. `0.1.0+g1a2b3c4d`). Manifests record it;
/// incremental runs and merges only combine rows of the same build.
pub const BUILD: &str = env!("NEWSMILL_BUILD");

pub mod bench;
pub mod clean;
pub mod config;
pub mod doc;
pub mod eval;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod ingest;
pub mod ner;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod quantise;
pub mod quotes;
pub mod shipped_models;
pub mod stage;
pub mod stages;
pub mod stance;
pub mod text;
pub mod transformers;
