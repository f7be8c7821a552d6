//! Parquet files: zstd-compressed, row groups cut by rows or buffered bytes.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::tables::TableSpec;
use super::{OutputConfig, OutputError};

/// Writes one table to one Parquet file.
pub struct TableWriter {
    spec: &'static TableSpec,
    path: PathBuf,
    writer: ArrowWriter<File>,
    max_buffer: usize,
    rows: u64,
}

impl TableWriter {
    /// Creates `<dir>/<table>/<file_name>` (folders included).
    pub fn create(
        dir: &Path,
        spec: &'static TableSpec,
        file_name: &str,
        cfg: &OutputConfig,
    ) -> Result<Self, OutputError> {
        let table_dir = dir.join(spec.name);
        std::fs::create_dir_all(&table_dir)
            .map_err(|e| OutputError::io("creating", &table_dir, e))?;
        let path = table_dir.join(file_name);
        let file = File::create(&path).map_err(|e| OutputError::io("creating", &path, e))?;
        let level = ZstdLevel::try_new(cfg.zstd_level).map_err(|e| encode(spec, e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(level))
            .set_max_row_group_row_count(Some(cfg.row_group_rows))
            .set_created_by(format!("newsmill {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer =
            ArrowWriter::try_new(file, spec.schema(), Some(props)).map_err(|e| encode(spec, e))?;
        Ok(TableWriter {
            spec,
            path,
            writer,
            max_buffer: cfg.row_group_mib * 1024 * 1024,
            rows: 0,
        })
    }

    /// Appends a batch; writes a row group when the buffer is full.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.rows += batch.num_rows() as u64;
        self.writer.write(batch).map_err(|e| encode(self.spec, e))?;
        if self.buffered() >= self.max_buffer {
            self.writer.flush().map_err(|e| encode(self.spec, e))?;
        }
        Ok(())
    }

    /// Memory held for the row group in progress (the writer's estimate: encoded pages plus
    /// what is not encoded yet, dictionaries included). `in_progress_size`, the anticipated
    /// file size, leaves dictionaries out and can stay far below what is held.
    pub fn buffered(&self) -> usize {
        self.writer.memory_size()
    }

    /// Writes the row group in progress now, however small.
    pub fn cut_row_group(&mut self) -> Result<(), OutputError> {
        self.writer.flush().map_err(|e| encode(self.spec, e))
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Finishes the file and flushes it to disk; returns its path and row count.
    pub fn close(self) -> Result<(PathBuf, u64), OutputError> {
        let file = self.writer.into_inner().map_err(|e| encode(self.spec, e))?;
        file.sync_all()
            .map_err(|e| OutputError::io("syncing", &self.path, e))?;
        Ok((self.path, self.rows))
    }
}

fn encode(spec: &TableSpec, e: impl std::fmt::Display) -> OutputError {
    OutputError::Encode {
        table: spec.name.to_string(),
        message: e.to_string(),
    }
}
