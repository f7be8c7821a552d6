//! The corpus pass: after every document has been seen, actor keys are merged into canonical
//! actors (name variants and misspellings across documents), the spilled tables are rewritten
//! with final actor ids, and the `actors` and `actor_stance_summary` tables are written.
//!
//! Keyed tables are streamed batch by batch, so memory stays bounded by the number of
//! distinct actors, not by corpus size.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, StringArray};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::actor_rows::KEY_COLUMNS;
use super::parquet::TableWriter;
use super::state::{keyed_dir, parquet_files, part_name};
use super::tables::{self, TableBuilder};
use super::{OutputConfig, OutputError};
use crate::actors::{ActorRegistry, CorpusActors};
use crate::doc::Polarity;
use crate::stance::summary::{StanceSummary, SummaryInput};

/// Runs the corpus pass over every keyed part under `dir/_state/keyed` (this run's and, for
/// incremental runs and merges, earlier ones); writes the final mentions, quotes, stances,
/// actors and summary tables as `<table>/part-00000.parquet`; returns the files written.
pub fn finish(
    dir: &Path,
    registry: ActorRegistry,
    cfg: &OutputConfig,
) -> Result<Vec<(PathBuf, u64)>, OutputError> {
    let actors = registry.finalize();
    let mut written = Vec::new();
    let mut summary = StanceSummary::new();
    let mut doc_counts = DocCounter::default();
    let mut any_stances = false;
    for (table, key_cols) in KEY_COLUMNS {
        let parts = parquet_files(&keyed_dir(dir, table))?;
        if parts.is_empty() {
            continue;
        }
        let spec = tables::all_tables()
            .into_iter()
            .find(|t| t.name == *table)
            .ok_or_else(|| OutputError::Refused(format!("unknown table {table}")))?;
        let mut writer = TableWriter::create(dir, spec, &part_name(0), cfg)?;
        for part in parts {
            let file =
                std::fs::File::open(&part).map_err(|e| OutputError::io("opening", &part, e))?;
            let reader = ParquetRecordBatchReaderBuilder::try_new(file)
                .and_then(|b| b.with_batch_size(8192).build())
                .map_err(|e| encode(table, e))?;
            for batch in reader {
                let batch = batch.map_err(|e| encode(table, e))?;
                let batch = map_keys(&batch, key_cols, &actors).map_err(|e| encode(table, e))?;
                match *table {
                    "stances" => {
                        any_stances = true;
                        observe_stances(&batch, &mut summary)
                    }
                    "mentions" => doc_counts.observe(&batch),
                    _ => {}
                }
                writer.write(&batch)?;
            }
        }
        written.push(writer.close()?);
    }
    written.push(write_actors(dir, &actors, &doc_counts, cfg)?);
    if any_stances || keyed_dir(dir, "stances").exists() {
        written.push(write_summary(dir, summary, &actors, cfg)?);
    }
    Ok(written)
}

/// Distinct documents per final actor id, counted from the mentions table. Mentions of one
/// document are contiguous, so remembering each actor's last document is enough.
#[derive(Default)]
struct DocCounter {
    by_actor: HashMap<String, (String, u64)>,
}

impl DocCounter {
    fn observe(&mut self, batch: &RecordBatch) {
        let (Some(doc), Some(actor)) = (column(batch, "doc_id"), column(batch, "actor_id")) else {
            return;
        };
        for i in 0..batch.num_rows() {
            if actor.is_null(i) {
                continue;
            }
            let (last, n) = self.by_actor.entry(actor.value(i).to_string()).or_default();
            if *n == 0 || last != doc.value(i) {
                *n += 1;
                last.clear();
                last.push_str(doc.value(i));
            }
        }
    }

    fn get(&self, actor_id: &str) -> u64 {
        self.by_actor.get(actor_id).map_or(0, |(_, n)| *n)
    }
}

fn encode(table: &str, e: impl std::fmt::Display) -> OutputError {
    OutputError::Encode {
        table: table.to_string(),
        message: e.to_string(),
    }
}

fn write_actors(
    dir: &Path,
    actors: &CorpusActors,
    docs: &DocCounter,
    cfg: &OutputConfig,
) -> Result<(PathBuf, u64), OutputError> {
    let mut writer = TableWriter::create(dir, &tables::ACTORS, &part_name(0), cfg)?;
    let mut b = TableBuilder::new(&tables::ACTORS);
    for r in actors.records() {
        b.row()
            .str(Some(&r.actor_id))
            .str(Some(&r.canonical_name))
            .str(Some(r.actor_type.as_str()))
            .str(r.affiliation_actor_id.as_deref())
            .str_list(r.aliases.iter().map(String::as_str))
            .i64(Some(docs.get(&r.actor_id) as i64))
            .i64(Some(r.n_mentions as i64));
        if b.rows() >= 8192 {
            writer.write(&b.finish().map_err(|e| encode("actors", e))?)?;
        }
    }
    writer.write(&b.finish().map_err(|e| encode("actors", e))?)?;
    writer.close()
}

/// Replaces actor keys by actor ids in the named string columns (unknown keys become null).
fn map_keys(
    batch: &RecordBatch,
    cols: &[&str],
    actors: &CorpusActors,
) -> Result<RecordBatch, arrow::error::ArrowError> {
    let schema = batch.schema();
    let mut arrays: Vec<ArrayRef> = batch.columns().to_vec();
    for (i, field) in schema.fields().iter().enumerate() {
        if !cols.contains(&field.name().as_str()) {
            continue;
        }
        if let Some(keys) = arrays[i].as_any().downcast_ref::<StringArray>() {
            let ids: StringArray = keys
                .iter()
                .map(|k| k.and_then(|k| actors.actor_id(k)))
                .collect();
            arrays[i] = Arc::new(ids);
        }
    }
    RecordBatch::try_new(schema, arrays)
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> Option<&'a StringArray> {
    batch
        .column_by_name(name)?
        .as_any()
        .downcast_ref::<StringArray>()
}

fn observe_stances(batch: &RecordBatch, summary: &mut StanceSummary) {
    let (Some(doc), Some(src), Some(tgt), Some(topic), Some(pol)) = (
        column(batch, "doc_id"),
        column(batch, "source_actor_id"),
        column(batch, "target_actor_id"),
        column(batch, "target_topic"),
        column(batch, "polarity"),
    ) else {
        return;
    };
    for i in 0..batch.num_rows() {
        if src.is_null(i) {
            continue;
        }
        let topic_key;
        let target = if !tgt.is_null(i) {
            tgt.value(i)
        } else if !topic.is_null(i) {
            topic_key = format!("topic:{}", topic.value(i));
            topic_key.as_str()
        } else {
            continue;
        };
        let polarity = match pol.value(i) {
            "support" => Polarity::Support,
            "oppose" => Polarity::Oppose,
            _ => Polarity::Neutral,
        };
        summary.observe(&SummaryInput {
            doc_id: doc.value(i),
            source: src.value(i),
            target,
            polarity,
        });
    }
}

fn write_summary(
    dir: &Path,
    summary: StanceSummary,
    actors: &CorpusActors,
    cfg: &OutputConfig,
) -> Result<(PathBuf, u64), OutputError> {
    let names: BTreeMap<&str, &str> = actors
        .records()
        .iter()
        .map(|r| (r.actor_id.as_str(), r.canonical_name.as_str()))
        .collect();
    let name_of = |id: &str| -> Option<String> {
        match id.strip_prefix("topic:") {
            Some(topic) => Some(topic.to_string()),
            None => names.get(id).map(|s| s.to_string()),
        }
    };
    let mut writer = TableWriter::create(dir, &tables::STANCE_SUMMARY, &part_name(0), cfg)?;
    let mut b = TableBuilder::new(&tables::STANCE_SUMMARY);
    for r in summary.finish() {
        b.row()
            .str(Some(&r.source))
            .str(name_of(&r.source).as_deref())
            .str(Some(&r.target))
            .str(name_of(&r.target).as_deref())
            .i64(Some(r.n_support as i64))
            .i64(Some(r.n_oppose as i64))
            .i64(Some(r.n_neutral as i64))
            .f32(Some(r.net as f32))
            .i64(Some(r.n_docs as i64));
    }
    writer.write(&b.finish().map_err(|e| encode("actor_stance_summary", e))?)?;
    writer.close()
}
