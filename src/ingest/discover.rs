//! Finding input files: walk folders recursively in a fixed order.

use std::path::{Path, PathBuf};

use super::{Failure, IngestConfig};
use crate::doc::SourceFormat;

/// One input file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Path to open.
    pub path: PathBuf,
    /// Path as shown in tables and messages.
    pub display: String,
    /// Stable key the doc id is derived from: the path relative to the input argument
    /// (`/`-separated), or the file name when the argument is the file itself.
    pub key: String,
    /// Format by extension.
    pub format: SourceFormat,
    /// Size in bytes at discovery (progress and batch sizing; reading re-checks the limit).
    pub bytes: u64,
}

/// Lists the files under `inputs` in sorted order, plus failures for unreadable paths and
/// unsupported files (so nothing is skipped silently).
pub fn discover(inputs: &[PathBuf], cfg: &IngestConfig) -> Vec<Result<InputFile, Failure>> {
    let mut out = Vec::new();
    for input in inputs {
        let walker = walkdir::WalkDir::new(input)
            .follow_links(cfg.follow_symlinks)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !(cfg.skip_hidden && e.depth() > 0 && is_hidden(e.file_name())));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let p = e.path().unwrap_or(input).display().to_string();
                    out.push(Err(Failure::ingest(
                        &p,
                        None,
                        format!("cannot read path: {e}"),
                    )));
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                continue;
            }
            let path = entry.path().to_path_buf();
            let display = path.display().to_string();
            let name = entry.file_name().to_string_lossy();
            let Some(format) = cfg.format_of(&name) else {
                out.push(Err(Failure::ingest(
                    &display,
                    None,
                    format!(
                        "unsupported file type; newsmill reads {} (optionally .gz); set [ingest] *_extensions to add more",
                        supported(cfg)
                    ),
                )));
                continue;
            };
            let key = relative_key(input, &path);
            // The size of what is read: a symlinked file is read through its link, so its
            // target's size, not the link's (which `entry.metadata()` gives without following).
            let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            out.push(Ok(InputFile {
                path,
                display,
                key,
                format,
                bytes,
            }));
        }
    }
    out
}

fn supported(cfg: &IngestConfig) -> String {
    let all: Vec<String> = cfg
        .txt_extensions
        .iter()
        .chain(&cfg.jsonl_extensions)
        .chain(&cfg.html_extensions)
        .map(|e| format!(".{e}"))
        .collect();
    all.join(", ")
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

fn relative_key(root: &Path, path: &Path) -> String {
    let rel = match path.strip_prefix(root) {
        Ok(r) if !r.as_os_str().is_empty() => r.to_path_buf(),
        _ => PathBuf::from(path.file_name().unwrap_or(path.as_os_str())),
    };
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_reports_unsupported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.txt"), "b").unwrap();
        std::fs::write(dir.path().join("a.jsonl"), "{}").unwrap();
        std::fs::write(dir.path().join("c.pdf"), "%PDF").unwrap();
        std::fs::write(dir.path().join(".hidden.txt"), "x").unwrap();
        let found = discover(&[dir.path().to_path_buf()], &IngestConfig::default());
        let keys: Vec<String> = found
            .iter()
            .map(|r| match r {
                Ok(f) => f.key.clone(),
                Err(f) => format!("fail:{}", f.source_path.rsplit('/').next().unwrap()),
            })
            .collect();
        assert_eq!(keys, vec!["a.jsonl", "fail:c.pdf", "sub/b.txt"]);
        let single = discover(&[dir.path().join("sub/b.txt")], &IngestConfig::default());
        assert_eq!(single[0].as_ref().unwrap().key, "b.txt");
    }
}
