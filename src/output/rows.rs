//! Turning processed documents into table rows, and streaming them to Parquet.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::manifest::TableStats;
use super::offsets::CharIndex;
use super::parquet::TableWriter;
use super::state::{parquet_files, parquet_rows, part_name, KEYED_DIR, REGISTRY_FILE, STATE_DIR};
use super::tables::{self, TableBuilder, TableSpec};
use super::{OutputConfig, OutputError};
use crate::config::PipelineConfig;
use crate::ingest::Failure;
use crate::pipeline::Processed;

/// Which per-document tables a run writes (depends on the enabled stages).
#[derive(Debug, Clone)]
pub struct TableSet {
    /// Specs in output order.
    pub tables: Vec<&'static TableSpec>,
}

impl TableSet {
    /// Tables for a config: documents and failures always; the others when their stage runs.
    pub fn for_config(cfg: &PipelineConfig) -> Self {
        let runs = |s: &str| crate::stages::runs(cfg, s);
        let mut tables = vec![&tables::DOCUMENTS];
        if runs("split") {
            tables.push(&tables::SENTENCES);
        }
        if runs("ner") {
            tables.push(&tables::ENTITIES);
        }
        tables.push(&tables::FAILURES);
        TableSet { tables }
    }

    /// Actor-dependent tables, spilled with actor keys and rewritten with actor ids by the
    /// corpus pass.
    pub fn spilled(cfg: &PipelineConfig) -> Vec<&'static TableSpec> {
        let runs = |s: &str| crate::stages::runs(cfg, s);
        let mut out = Vec::new();
        if runs("actors") {
            out.push(&tables::MENTIONS);
        }
        if runs("quotes") {
            out.push(&tables::QUOTES);
        }
        if runs("stance") {
            out.push(&tables::STANCES);
        }
        out
    }
}

struct Table {
    builder: TableBuilder,
    writer: TableWriter,
}

/// Collects rows per table and writes them as batches complete.
pub struct RowSink {
    dir: PathBuf,
    cfg: OutputConfig,
    tables: BTreeMap<&'static str, Table>,
    /// Corpus-level actor merging; present when the actors stage runs.
    registry: Option<crate::actors::ActorRegistry>,
}

impl RowSink {
    /// Opens part `part` of every table under `dir`: per-document tables as
    /// `dir/<table>/part-NNNNN.parquet`, actor-keyed tables under `dir/_state/keyed/`.
    pub fn create(
        dir: &Path,
        pipeline_cfg: &PipelineConfig,
        cfg: &OutputConfig,
        part: u32,
    ) -> Result<Self, OutputError> {
        let mut tables = BTreeMap::new();
        let set = TableSet::for_config(pipeline_cfg);
        let keyed = dir.join(STATE_DIR).join(KEYED_DIR);
        let specs = set.tables.into_iter().map(|s| (s, dir)).chain(
            TableSet::spilled(pipeline_cfg)
                .into_iter()
                .map(|s| (s, keyed.as_path())),
        );
        for (spec, folder) in specs {
            let writer = TableWriter::create(folder, spec, &part_name(part), cfg)?;
            tables.insert(
                spec.name,
                Table {
                    builder: TableBuilder::new(spec),
                    writer,
                },
            );
        }
        let registry = crate::stages::runs(pipeline_cfg, "actors")
            .then(|| crate::actors::ActorRegistry::new(&pipeline_cfg.actors));
        Ok(RowSink {
            dir: dir.to_path_buf(),
            cfg: cfg.clone(),
            tables,
            registry,
        })
    }

    /// Adds the actor counters an earlier run saved (`<output>/_state/actor_registry.json`),
    /// so the corpus pass covers its documents too. A missing file adds nothing.
    pub fn add_saved_registry(&mut self, output: &Path) -> Result<(), OutputError> {
        let path = output.join(STATE_DIR).join(REGISTRY_FILE);
        let Some(registry) = self.registry.as_mut() else {
            return Ok(());
        };
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(OutputError::io("reading", &path, e)),
        };
        registry.add_json(&bytes).map_err(|e| OutputError::Encode {
            table: path.display().to_string(),
            message: e.to_string(),
        })
    }

    pub(crate) fn builder(&mut self, name: &str) -> Option<&mut TableBuilder> {
        self.tables.get_mut(name).map(|t| &mut t.builder)
    }

    /// Adds the rows of one processed document to every table.
    pub fn add_doc(&mut self, p: &Processed) -> Result<(), OutputError> {
        let doc = &p.doc;
        let idx = CharIndex::new(&doc.text);
        let id = doc.id.as_str();
        let status = match &p.failure {
            Some(f) => format!("failed:{}", f.stage),
            None => "ok".to_string(),
        };
        if let Some(b) = self.builder("documents") {
            let m = &doc.meta;
            b.row()
                .str(Some(id))
                .str(Some(&doc.source.path))
                .i64(doc.source.line.map(|l| l as i64))
                .str(Some(doc.source.format.as_str()))
                .str(Some(&doc.source.encoding))
                .str(m.url.as_deref())
                .str(m.title.as_deref())
                .str(m.byline.as_deref())
                .str(m.dateline.as_deref())
                .date(m.published.as_deref().and_then(tables::iso_date_to_days))
                .str(m.agency.as_deref())
                .str(Some(&doc.text))
                .i64(Some(idx.len_chars() as i64))
                .i64(Some(doc.sentences.len() as i64))
                .str(Some(&blake3::hash(doc.text.as_bytes()).to_hex()[..32]))
                .str(Some(&status))
                .str(Some(&doc.source.hash));
        }
        if let Some(b) = self.builder("sentences") {
            for (i, s) in doc.sentences.iter().enumerate() {
                b.row()
                    .str(Some(id))
                    .i32(i as i32)
                    .i64(Some(idx.char_offset(s.span.start) as i64))
                    .i64(Some(idx.char_offset(s.span.end) as i64))
                    .str(Some(s.span.slice(&doc.text)));
            }
        }
        if let Some(b) = self.builder("entities") {
            for (i, e) in doc.entities.iter().enumerate() {
                b.row()
                    .str(Some(id))
                    .i32(e.sent as i32)
                    .i32(i as i32)
                    .i64(Some(idx.char_offset(e.span.start) as i64))
                    .i64(Some(idx.char_offset(e.span.end) as i64))
                    .str(Some(e.span.slice(&doc.text)))
                    .str(Some(&e.label))
                    .f32(Some(e.score));
            }
        }
        super::actor_rows::add(self, doc, &idx);
        if let Some(r) = &mut self.registry {
            r.observe(doc);
        }
        if let Some(f) = &p.failure {
            self.add_failure(f, &doc.source.hash);
        }
        Ok(())
    }

    /// Adds a failure row; `source_hash` identifies the input for incremental runs.
    pub fn add_failure(&mut self, f: &Failure, source_hash: &str) {
        if let Some(b) = self.builder("failures") {
            b.row()
                .str(Some(&f.source_path))
                .i64(f.line.map(|l| l as i64))
                .str(Some(&f.stage))
                .str(Some(&f.error))
                .str(Some(source_hash));
        }
    }

    /// Writes the buffered rows of every table.
    pub fn flush(&mut self) -> Result<(), OutputError> {
        for (name, t) in self.tables.iter_mut() {
            if t.builder.rows() == 0 {
                continue;
            }
            let batch = t.builder.finish().map_err(|e| OutputError::Encode {
                table: name.to_string(),
                message: e.to_string(),
            })?;
            t.writer.write(&batch)?;
        }
        // `row_group_mib` bounds the buffers of all tables together, not each one: a dozen
        // tables each filling its own buffer made peak memory climb with corpus size until
        // every buffer was full. Cutting the biggest row group keeps the sum under the budget.
        let budget = self.cfg.row_group_mib * 1024 * 1024;
        for _ in 0..self.tables.len() {
            let total: usize = self.tables.values().map(|t| t.writer.buffered()).sum();
            let biggest = self
                .tables
                .values_mut()
                .max_by_key(|t| t.writer.buffered())
                .filter(|t| t.writer.buffered() > 0);
            match biggest {
                Some(t) if total > budget => t.writer.cut_row_group()?,
                _ => break,
            }
        }
        Ok(())
    }

    /// Flushes and closes every table, then runs the corpus pass (actor ids, actors table,
    /// stance summary) over all keyed parts in the folder; saves the actor counters for later
    /// runs, or removes the saved state when `output.keep_state` is off.
    pub fn close(mut self) -> Result<(), OutputError> {
        self.flush()?;
        for (_, t) in std::mem::take(&mut self.tables) {
            t.writer.close()?;
        }
        if let Some(registry) = self.registry.take() {
            if self.cfg.keep_state {
                let path = self.dir.join(STATE_DIR).join(REGISTRY_FILE);
                let json = registry.to_json().map_err(|e| OutputError::Encode {
                    table: REGISTRY_FILE.into(),
                    message: e.to_string(),
                })?;
                std::fs::write(&path, json).map_err(|e| OutputError::io("writing", &path, e))?;
            }
            super::corpus::finish(&self.dir, registry, &self.cfg)?;
        }
        let state = self.dir.join(STATE_DIR);
        if !self.cfg.keep_state && state.exists() {
            std::fs::remove_dir_all(&state).map_err(|e| OutputError::io("removing", &state, e))?;
        }
        Ok(())
    }
}

/// Rows and files of every table in an output (or staging) folder, read from the Parquet
/// footers: covers parts linked from earlier runs as well as new ones.
pub fn table_stats(dir: &Path) -> Result<BTreeMap<String, TableStats>, OutputError> {
    let mut out = BTreeMap::new();
    for spec in tables::all_tables() {
        let files = parquet_files(&dir.join(spec.name))?;
        if files.is_empty() {
            continue;
        }
        let mut st = TableStats::default();
        for f in files {
            st.rows += parquet_rows(&f)?;
            st.files
                .push(f.strip_prefix(dir).unwrap_or(&f).display().to_string());
        }
        out.insert(spec.name.to_string(), st);
    }
    Ok(out)
}
