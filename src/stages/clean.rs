//! Stage 2, clean: boilerplate removal and metadata (title, byline, dateline, date, agency).
//!
//! The algorithm lives in [`crate::clean`]; this stage feeds it the decoded text and stores the
//! cleaned text and metadata on the document. Metadata from the input (JSONL fields, HTML meta
//! tags) wins over what the cleaner finds.

use crate::clean::{CleanInput, Cleaner, CorpusLineStats};
use crate::doc::{Doc, SourceFormat};
use crate::pipeline::PipelineError;
use crate::stage::{Stage, StageError};

pub use crate::clean::CleanConfig;

/// The clean stage.
pub struct CleanStage {
    cleaner: Cleaner,
}

impl CleanStage {
    /// Builds the cleaner (loads the boilerplate patterns).
    pub fn new(cfg: &CleanConfig) -> Result<Self, PipelineError> {
        let cleaner = Cleaner::new(cfg).map_err(|e| PipelineError::Setup {
            stage: "clean",
            message: e.to_string(),
        })?;
        Ok(CleanStage { cleaner })
    }

    /// Builds the cleaner with line statistics from a corpus pre-pass (see
    /// [`CleanConfig::corpus_pass`]).
    pub fn with_corpus_stats(
        cfg: &CleanConfig,
        stats: CorpusLineStats,
    ) -> Result<Self, PipelineError> {
        let cleaner = Self::new(cfg)?.cleaner.with_corpus_stats(stats);
        Ok(CleanStage { cleaner })
    }
}

/// The source a document's boilerplate is learned from: the host of its URL, else its JSONL
/// file, else the folder of its file (a crawl usually stores one site per folder).
pub fn source_group(doc: &Doc) -> String {
    if let Some(host) = doc.meta.url.as_deref().and_then(url_host) {
        return format!("host:{host}");
    }
    match doc.source.format {
        SourceFormat::Jsonl => format!("file:{}", doc.source.path),
        _ => {
            let dir = doc
                .source
                .path
                .rsplit_once(['/', '\\'])
                .map_or("", |(d, _)| d);
            format!("dir:{dir}")
        }
    }
}

/// The lower-cased host of an `http(s)://host/...` URL, without `www.`.
fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?;
    let host = host.split(':').next()?.trim().to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty() && host.contains('.')).then_some(host)
}

impl Stage for CleanStage {
    fn name(&self) -> &'static str {
        "clean"
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        let raw = std::mem::take(&mut doc.raw);
        let group = source_group(doc);
        let cleaned = self.cleaner.clean(&CleanInput {
            text: &raw,
            title: doc.meta.title.as_deref(),
            source_key: Some(&group),
        });
        let m = &mut doc.meta;
        m.title = m.title.take().or(cleaned.title);
        m.byline = m.byline.take().or(cleaned.byline);
        m.dateline = m.dateline.take().or(cleaned.dateline);
        m.published = m.published.take().or(cleaned.published);
        m.agency = m.agency.take().or(cleaned.agency);
        doc.text = cleaned.text;
        Ok(())
    }
}

/// Used when cleaning is disabled: the decoded text is the article text.
pub struct PassThrough;

impl Stage for PassThrough {
    fn name(&self) -> &'static str {
        "clean"
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        doc.text = std::mem::take(&mut doc.raw);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://www.BBC.co.uk/news/x?y").as_deref(),
            Some("bbc.co.uk")
        );
        assert_eq!(
            url_host("http://user@example.org:8080/a").as_deref(),
            Some("example.org")
        );
        assert_eq!(url_host("not a url"), None);
    }
}
