//! `newsmill merge`: combines the outputs of shard runs (`run --shard i/N`), or of runs over
//! disjoint inputs, into one output folder.
//!
//! Per-document table parts are hard-linked (copied across file systems) and renumbered; the
//! actor counters of all inputs are added up and the corpus pass runs once over all keyed
//! parts, so the actors, mentions, quotes, stances and summary tables are exactly those of a
//! single run over all inputs.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use super::commit::Staging;
use super::manifest::{DocCounts, Manifest};
use super::rows::table_stats;
use super::state::{link_tables, Prior, REGISTRY_FILE, STATE_DIR};
use super::OutputError;
use crate::actors::ActorRegistry;
use crate::config::PipelineConfig;

/// What a merge did.
#[derive(Debug, Clone, Default)]
pub struct MergeSummary {
    /// Outputs merged.
    pub inputs: usize,
    /// Documents in the merged output.
    pub documents: u64,
    /// Rows per table.
    pub tables: BTreeMap<String, u64>,
}

/// Merges output folders `inputs` into `output` (replaced atomically, like a run's output).
pub fn merge(inputs: &[PathBuf], output: &Path) -> Result<MergeSummary, OutputError> {
    if inputs.is_empty() {
        return Err(OutputError::Refused(
            "merge needs at least one input folder".into(),
        ));
    }
    let mut priors = Vec::new();
    for dir in inputs {
        if same_dir(dir, output) {
            return Err(OutputError::Refused(format!(
                "the merge output {} is also one of its inputs; choose another --output",
                output.display()
            )));
        }
        let prior = Prior::load(dir)?.ok_or_else(|| {
            OutputError::Refused(format!(
                "{} is not a newsmill output folder (no manifest.json)",
                dir.display()
            ))
        })?;
        priors.push(prior);
    }
    check_same_settings(&priors)?;
    check_shards(&mut priors)?;
    check_disjoint(&priors)?;
    let first = &priors[0].manifest;
    let cfg: PipelineConfig = serde_json::from_value(first.config.clone()).map_err(|e| {
        OutputError::Refused(format!(
            "cannot read the config in {}/manifest.json: {e}",
            priors[0].dir.display()
        ))
    })?;

    let staging = Staging::begin(output)?;
    let mut next = 0u32;
    let mut registry = ActorRegistry::new(&cfg.actors);
    let mut has_registry = false;
    let mut documents = DocCounts::default();
    let mut history = Vec::new();
    for p in &priors {
        let map: BTreeMap<u32, u32> = p
            .parts
            .iter()
            .map(|&part| {
                next += 1;
                (part, next - 1)
            })
            .collect();
        link_tables(&p.dir, staging.path(), &|n| {
            map.get(&n).copied().unwrap_or(n)
        })?;
        let reg = p.dir.join(STATE_DIR).join(REGISTRY_FILE);
        if reg.exists() {
            let bytes = std::fs::read(&reg).map_err(|e| OutputError::io("reading", &reg, e))?;
            registry.add_json(&bytes).map_err(|e| OutputError::Encode {
                table: reg.display().to_string(),
                message: e.to_string(),
            })?;
            has_registry = true;
        }
        for mut h in p.manifest.history.iter().cloned() {
            h.part = map.get(&h.part).copied().unwrap_or(h.part);
            documents.read += h.documents.read;
            documents.ok += h.documents.ok;
            documents.failed_stage += h.documents.failed_stage;
            documents.failed_ingest += h.documents.failed_ingest;
            history.push(h);
        }
    }
    if has_registry {
        let state = staging.path().join(STATE_DIR);
        std::fs::create_dir_all(&state).map_err(|e| OutputError::io("creating", &state, e))?;
        let path = state.join(REGISTRY_FILE);
        let json = registry.to_json().map_err(|e| OutputError::Encode {
            table: REGISTRY_FILE.into(),
            message: e.to_string(),
        })?;
        std::fs::write(&path, json).map_err(|e| OutputError::io("writing", &path, e))?;
        super::corpus::finish(staging.path(), registry, &cfg.output)?;
    }
    let tables = table_stats(staging.path())?;
    let now = super::manifest::now_iso();
    let manifest = Manifest {
        newsmill_version: crate::BUILD.to_string(),
        newsmill_code: crate::CODE.to_string(),
        started_at: now.clone(),
        finished_at: now,
        inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
        input_files: priors.iter().map(|p| p.manifest.input_files).sum(),
        input_bytes: priors.iter().map(|p| p.manifest.input_bytes).sum(),
        config_hash: first.config_hash.clone(),
        results_hash: first.results_hash.clone(),
        config: first.config.clone(),
        models: first.models.clone(),
        documents,
        tables: tables.clone(),
        history,
        peak_rss_bytes: super::manifest::peak_rss_bytes(),
        ..Default::default()
    };
    manifest.write(staging.path())?;
    staging.commit()?;
    Ok(MergeSummary {
        inputs: priors.len(),
        documents: tables.get("documents").map_or(0, |t| t.rows),
        tables: tables.into_iter().map(|(k, v)| (k, v.rows)).collect(),
    })
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn check_same_settings(priors: &[Prior]) -> Result<(), OutputError> {
    // The merge rebuilds the corpus tables with this binary's code, so the rows it combines
    // must come from the same code (another commit with equal code is fine).
    for p in priors {
        if p.manifest.newsmill_code != crate::CODE {
            return Err(OutputError::Refused(format!(
                "{} was made by {}; this is {}. Merge with the newsmill that made it, or \
                 rebuild it with this one",
                p.dir.display(),
                p.manifest.made_by(),
                super::manifest::this_build()
            )));
        }
    }
    let first = &priors[0];
    for p in &priors[1..] {
        let sums = |p: &Prior| -> Vec<String> {
            p.manifest.models.iter().map(|m| m.blake3.clone()).collect()
        };
        if p.manifest.results_hash != first.manifest.results_hash || sums(p) != sums(first) {
            return Err(OutputError::Refused(format!(
                "{} and {} were made with different settings, models or newsmill builds; only \
                 outputs of the same config, models and newsmill build can be merged",
                first.dir.display(),
                p.dir.display()
            )));
        }
    }
    Ok(())
}

/// Shard outputs must be a complete set `0/N .. N-1/N`, each once; they are merged in index
/// order whatever order they were given in.
fn check_shards(priors: &mut [Prior]) -> Result<(), OutputError> {
    let shards: Vec<Option<(u32, u32)>> = priors
        .iter()
        .map(|p| shard_of(p).map(|s| (s.index, s.count)))
        .collect();
    if shards.iter().all(Option::is_none) {
        return Ok(());
    }
    let counts: BTreeSet<u32> = shards.iter().flatten().map(|s| s.1).collect();
    if shards.iter().any(Option::is_none) || counts.len() != 1 {
        return Err(OutputError::Refused(
            "either all inputs are shards of one sharded run (same COUNT in --shard INDEX/COUNT) or none is"
                .into(),
        ));
    }
    let n = counts.into_iter().next().unwrap_or(0);
    let have: BTreeSet<u32> = shards.iter().flatten().map(|s| s.0).collect();
    if have.len() != shards.len() {
        return Err(OutputError::Refused(
            "the same shard was given twice".into(),
        ));
    }
    let missing: Vec<String> = (0..n)
        .filter(|i| !have.contains(i))
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(OutputError::Refused(format!(
            "shard outputs missing: {}; merge needs all {n} shards",
            missing.join(", ")
        )));
    }
    priors.sort_by_key(|p| shard_of(p).map_or(0, |s| s.index));
    Ok(())
}

/// The shard an output holds, from its manifest.
fn shard_of(p: &Prior) -> Option<crate::pipeline::Shard> {
    p.manifest.shard.as_deref()?.parse().ok()
}

fn check_disjoint(priors: &[Prior]) -> Result<(), OutputError> {
    let mut all: HashSet<u64> = HashSet::new();
    for p in priors {
        for id in &p.doc_ids {
            if !all.insert(*id) {
                return Err(OutputError::Refused(format!(
                    "document {id:016x} is in more than one input (at least {}); merged outputs must hold \
                     disjoint documents",
                    p.dir.display()
                )));
            }
        }
    }
    Ok(())
}
