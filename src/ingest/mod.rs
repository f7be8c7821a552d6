//! Ingest: find input files, read them as a stream of [`Unit`]s, and turn each unit into a [`Doc`].
//!
//! Reading is split in two so memory stays bounded and work stays parallel:
//! [`UnitReader`] walks files in a fixed (sorted) order on one thread and yields small units
//! (a whole `.txt`/`.html` file, or one JSONL line), and [`load_unit`] decodes and parses a unit
//! on any worker thread. Anything that cannot be read becomes a [`Failure`], never a panic.

pub mod decode;
pub mod discover;
pub mod html;
pub mod jsonl;
pub mod reader;

use serde::{Deserialize, Serialize};

use crate::doc::{Doc, DocId, DocMeta, Source, SourceFormat};

pub use discover::{discover, InputFile};
pub use reader::{Unit, UnitReader};

/// `[ingest]`: which files are read and how. Ingest always runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// File extensions read as plain text (one article per file). A trailing `.gz` is always allowed.
    pub txt_extensions: Vec<String>,
    /// File extensions read as JSON Lines (one article per line).
    pub jsonl_extensions: Vec<String>,
    /// File extensions read as HTML pages (main content is extracted).
    pub html_extensions: Vec<String>,
    /// Skip files and folders whose name starts with a dot.
    pub skip_hidden: bool,
    /// Follow symbolic links while walking folders.
    pub follow_symlinks: bool,
    /// Largest article (file, or JSONL line) in bytes, after decompression; larger ones are
    /// reported in `failures` and skipped. 1 KiB ..= 4 GiB.
    pub max_doc_bytes: u64,
    /// Plain-text files: use the first non-empty line as the title (and drop it from the text)
    /// when it looks like a headline. Off by default: the cleaner finds titles after
    /// removing navigation lines, which often come first in scraped text.
    pub txt_title_from_first_line: bool,
    /// JSONL field names; for each, the first field present in a record is used.
    pub jsonl: JsonlFields,
    /// HTML main-content extraction.
    pub html: html::HtmlConfig,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            txt_extensions: vec!["txt".into(), "text".into()],
            jsonl_extensions: vec!["jsonl".into(), "ndjson".into()],
            html_extensions: vec!["html".into(), "htm".into()],
            skip_hidden: true,
            follow_symlinks: false,
            max_doc_bytes: 64 * 1024 * 1024,
            txt_title_from_first_line: false,
            jsonl: JsonlFields::default(),
            html: html::HtmlConfig::default(),
        }
    }
}

impl IngestConfig {
    /// Checks values; returns the offending key and a message.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if !(1024..=(4u64 << 30)).contains(&self.max_doc_bytes) {
            return Err((
                "max_doc_bytes".into(),
                format!(
                    "{} is out of range; allowed: 1024 to 4294967296",
                    self.max_doc_bytes
                ),
            ));
        }
        if self.jsonl.text.is_empty() {
            return Err(("jsonl.text".into(), "needs at least one field name".into()));
        }
        Ok(())
    }

    /// The format a file name maps to, ignoring a trailing `.gz`; `None` for unsupported files.
    pub fn format_of(&self, name: &str) -> Option<SourceFormat> {
        let lower = name.to_ascii_lowercase();
        let base = lower.strip_suffix(".gz").unwrap_or(&lower);
        let ext = base.rsplit_once('.').map(|(_, e)| e)?;
        let has = |list: &[String]| list.iter().any(|e| e.eq_ignore_ascii_case(ext));
        if has(&self.txt_extensions) {
            Some(SourceFormat::Txt)
        } else if has(&self.jsonl_extensions) {
            Some(SourceFormat::Jsonl)
        } else if has(&self.html_extensions) {
            Some(SourceFormat::Html)
        } else {
            None
        }
    }
}

/// `[ingest.jsonl]`: field names of JSONL records. Each key lists candidates; the first present wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JsonlFields {
    /// Article body (required in every record).
    pub text: Vec<String>,
    /// Headline.
    pub title: Vec<String>,
    /// URL.
    pub url: Vec<String>,
    /// Publication date (ISO 8601 or a common date format; the date part is kept).
    pub date: Vec<String>,
    /// Your own record id: when present, the doc_id is derived from it instead of file and line.
    pub id: Vec<String>,
    /// Author line.
    pub byline: Vec<String>,
    /// Agency or publisher.
    pub agency: Vec<String>,
}

impl Default for JsonlFields {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        JsonlFields {
            text: v(&["text", "body", "content", "article"]),
            title: v(&["title", "headline"]),
            url: v(&["url", "link"]),
            date: v(&["date", "published", "publication_date", "pubdate"]),
            id: v(&["id", "doc_id", "guid"]),
            byline: v(&["byline", "author", "authors"]),
            agency: v(&["agency", "source", "publisher"]),
        }
    }
}

/// A problem with one input, written to the `failures` table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Failure {
    /// File as displayed (input path joined with the path below it).
    pub source_path: String,
    /// 1-based line for JSONL records.
    pub line: Option<u64>,
    /// Stage that failed (`ingest`, `clean`, `ner`, ...).
    pub stage: String,
    /// What went wrong, in words a user can act on.
    pub error: String,
}

impl Failure {
    /// An ingest failure.
    pub fn ingest(source_path: &str, line: Option<u64>, error: impl Into<String>) -> Self {
        Failure {
            source_path: source_path.to_string(),
            line,
            stage: "ingest".into(),
            error: error.into(),
        }
    }
}

/// The outcome of loading a unit: a document or a failure.
pub type Loaded = Result<Doc, Failure>;

/// What became of one unit when loading it with a skip test ([`load_unit_unless`]).
#[derive(Debug)]
pub enum UnitOutcome {
    /// A document, ready for the stages (its [`Source::hash`] is set).
    Doc(Box<Doc>),
    /// The unit could not be read; `source_hash` identifies it for incremental runs.
    Failed {
        /// The failure row.
        failure: Failure,
        /// Hash of the raw bytes, or of the failure itself when no bytes could be read.
        source_hash: String,
    },
    /// The skip test said the unit's raw bytes are already processed: nothing was decoded.
    Skipped,
}

impl Failure {
    /// Identity of a failure that has no readable bytes (unsupported or unreadable file):
    /// the same failure on the same path gets the same hash, so incremental reruns skip it.
    pub fn identity_hash(&self) -> String {
        let line = self.line.map(|l| l.to_string()).unwrap_or_default();
        crate::doc::source_hash(
            format!("failure\0{}\0{line}\0{}", self.source_path, self.error).as_bytes(),
        )
    }
}

/// The key a unit is assigned to a shard by: the file's source key, plus `#line` for a JSONL
/// record; for an unreadable input, its path (and line). Known before anything is decoded.
pub fn unit_key(unit: &Unit) -> String {
    match unit {
        Unit::File(f) => f.key.clone(),
        Unit::Record { file, line, .. } => format!("{}#{line}", file.key),
        Unit::Failed(f) => match f.line {
            Some(l) => format!("{}#{l}", f.source_path),
            None => f.source_path.clone(),
        },
    }
}

/// Decodes and parses one unit into a document (runs on worker threads).
pub fn load_unit(unit: Unit, cfg: &IngestConfig) -> Loaded {
    match load_unit_unless(unit, cfg, &|_| false) {
        UnitOutcome::Doc(d) => Ok(*d),
        UnitOutcome::Failed { failure, .. } => Err(failure),
        UnitOutcome::Skipped => Err(Failure::ingest("", None, "skipped")),
    }
}

/// Reads one unit's raw bytes, hashes them, and — unless `skip(hash)` says they were processed
/// before — decodes and parses them into a document. Runs on worker threads.
pub fn load_unit_unless(
    unit: Unit,
    cfg: &IngestConfig,
    skip: &dyn Fn(&str) -> bool,
) -> UnitOutcome {
    let failed = |failure: Failure, source_hash: String| {
        if skip(&source_hash) {
            UnitOutcome::Skipped
        } else {
            UnitOutcome::Failed {
                failure,
                source_hash,
            }
        }
    };
    let (hash, result) = match unit {
        Unit::Failed(f) => {
            let h = f.identity_hash();
            return failed(f, h);
        }
        Unit::File(file) => {
            let bytes = match read_file(&file, cfg) {
                Ok(b) => b,
                Err(f) => {
                    let h = f.identity_hash();
                    return failed(f, h);
                }
            };
            let hash = crate::doc::source_hash(&bytes);
            if skip(&hash) {
                return UnitOutcome::Skipped;
            }
            let result = load_file(&file, bytes, &hash, cfg);
            (hash, result)
        }
        Unit::Record {
            file,
            line,
            bytes,
            gzip,
        } => {
            let hash = crate::doc::source_hash(&bytes);
            if skip(&hash) {
                return UnitOutcome::Skipped;
            }
            let result = jsonl::parse_record(&file, line, &bytes, gzip, &hash, cfg);
            (hash, result)
        }
    };
    match result {
        Ok(doc) => UnitOutcome::Doc(Box::new(doc)),
        Err(failure) => UnitOutcome::Failed {
            failure,
            source_hash: hash,
        },
    }
}

fn read_file(file: &InputFile, cfg: &IngestConfig) -> Result<Vec<u8>, Failure> {
    let fail = |e: String| Failure::ingest(&file.display, None, e);
    let meta = std::fs::metadata(&file.path).map_err(|e| fail(format!("cannot read file: {e}")))?;
    if meta.len() > cfg.max_doc_bytes {
        return Err(fail(format!(
            "file is {} bytes, over ingest.max_doc_bytes = {}",
            meta.len(),
            cfg.max_doc_bytes
        )));
    }
    std::fs::read(&file.path).map_err(|e| fail(format!("cannot read file: {e}")))
}

fn load_file(file: &InputFile, bytes: Vec<u8>, hash: &str, cfg: &IngestConfig) -> Loaded {
    let fail = |e: String| Failure::ingest(&file.display, None, e);
    let decoded = decode::decode(&bytes, cfg.max_doc_bytes).map_err(|e| fail(e.to_string()))?;
    drop(bytes);
    let source = Source {
        path: file.display.clone(),
        line: None,
        format: file.format,
        encoding: decoded.encoding,
        hash: hash.to_string(),
    };
    let id = DocId::from_source_key(&file.key);
    match file.format {
        SourceFormat::Html => {
            let page = html::extract_html(&decoded.text, None, &cfg.html)
                .map_err(|e| fail(format!("HTML extraction failed: {e}")))?;
            if page.text.trim().is_empty() {
                return Err(fail("HTML page has no article text".into()));
            }
            let meta = DocMeta {
                title: page.title,
                byline: page.byline,
                dateline: None,
                published: page.published,
                agency: page.site_name,
                url: page.url,
            };
            Ok(Doc::new(id, source, page.text, meta))
        }
        _ => {
            let mut meta = DocMeta::default();
            let mut text = decoded.text;
            if cfg.txt_title_from_first_line {
                if let Some((title, rest)) = split_title_line(&text) {
                    meta.title = Some(title);
                    text = rest;
                }
            }
            Ok(Doc::new(id, source, text, meta))
        }
    }
}

/// Splits off the first non-empty line when it looks like a headline (short, no final period).
fn split_title_line(text: &str) -> Option<(String, String)> {
    let start = text.len() - text.trim_start().len();
    let rest = &text[start..];
    let end = rest.find('\n').unwrap_or(rest.len());
    let line = rest[..end].trim();
    let words = line.split_whitespace().count();
    if line.is_empty() || words > 25 || line.ends_with('.') {
        return None;
    }
    Some((line.to_string(), rest[end..].trim_start().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        let c = IngestConfig::default();
        assert_eq!(c.format_of("a.TXT"), Some(SourceFormat::Txt));
        assert_eq!(c.format_of("a.jsonl.gz"), Some(SourceFormat::Jsonl));
        assert_eq!(c.format_of("x/b.htm"), Some(SourceFormat::Html));
        assert_eq!(c.format_of("c.pdf"), None);
        assert_eq!(c.format_of("README"), None);
    }

    #[test]
    fn title_line() {
        let (t, rest) = split_title_line("\n Russia Backs Rebel Regions\n\nBody text.").unwrap();
        assert_eq!(t, "Russia Backs Rebel Regions");
        assert_eq!(rest, "Body text.");
        assert!(split_title_line("A full sentence ends here.\nMore").is_none());
    }
}
