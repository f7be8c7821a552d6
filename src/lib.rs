//! newsmill: a batch NLP pipeline that turns raw news articles into analysis-ready Parquet tables.
//!
//! Data flows one way: ingest → clean → split → ner → actors → quotes/stance → write.
//! Each stage lives in a module named after it and implements [`stage::Stage`]; the
//! [`pipeline::Pipeline`] runs them over batches of documents with rayon and streams rows to
//! the [`output`] writers. See `docs/architecture.md` for the tour.

pub mod actors;

/// This build's identity for people: the crate version, the git commit built from and a hash
/// of any uncommitted changes (set by `build.rs`, e.g. `0.1.0+g1a2b3c4d`; `newsmill
/// --version`). Manifests record it as provenance.
pub const BUILD: &str = env!("NEWSMILL_BUILD");

/// The identity of the code that computes the rows: the version and a content hash of the
/// compiled sources and built-in resources (set by `build.rs`, e.g. `0.1.0+c1a2b3c4d5e6f7a8b`).
/// Incremental runs and merges only combine rows of equal code identities, so builds of
/// different commits with the same code (a change to documentation or tests only) can.
pub const CODE: &str = env!("NEWSMILL_CODE");

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
