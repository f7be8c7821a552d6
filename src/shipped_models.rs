//! Where the shipped model files (`models/...`) are found when newsmill does not run from the
//! repository folder.
//!
//! The default model paths (`models/ner-conll.bin`, `models/stance-newsmtsc.bin`) are
//! relative, and a scheduled job (cron, systemd, a container) rarely starts in the checkout,
//! so a relative path whose first component is `models` that does not exist under the working
//! directory is looked up in these folders, in order, and the first existing file is used:
//!
//! 1. `$NEWSMILL_MODELS` (a folder holding the model files);
//! 2. `models/` and `share/newsmill/models/` beside the executable and up to three folders
//!    above it (`target/release/newsmill` finds the checkout's `models/`; an install prefix
//!    such as `/usr/local/bin/newsmill` finds `/usr/local/share/newsmill/models/`);
//! 3. the `models/` folder of the source tree newsmill was built from.
//!
//! Only where the file is read changes: the config (and so its hash, which decides whether an
//! output can be extended or merged) keeps the path as written, and the manifest records the
//! file actually read with its checksum.

use std::path::{Component, Path, PathBuf};

/// The environment variable naming a folder with the model files.
pub const MODELS_ENV: &str = "NEWSMILL_MODELS";

/// The file to read for `path`: `path` itself when it exists, is absolute or does not start
/// with `models/`; else the first match in the search folders; else `path` unchanged (so the
/// error that follows names what the config says and [`not_found_hint`] adds where newsmill
/// looked).
pub fn locate(path: &Path) -> PathBuf {
    locate_in(path, &search_folders())
}

/// The folders [`locate`] searches, in order (existing or not).
pub fn search_folders() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(dir) = std::env::var_os(MODELS_ENV).filter(|d| !d.is_empty()) {
        out.push(PathBuf::from(dir));
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        for dir in exe_dir.ancestors().take(4) {
            out.push(dir.join("models"));
            out.push(dir.join("share").join("newsmill").join("models"));
        }
    }
    out.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("models"));
    out
}

/// [`locate`] with explicit search folders.
pub fn locate_in(path: &Path, folders: &[PathBuf]) -> PathBuf {
    let Some(rest) = searched_part(path) else {
        return path.to_path_buf();
    };
    folders
        .iter()
        .map(|f| f.join(rest))
        .find(|p| p.is_file())
        .unwrap_or_else(|| path.to_path_buf())
}

/// For a path that is searched for (relative, `models/...`, missing under the working
/// directory): the part after `models/`.
fn searched_part(path: &Path) -> Option<&Path> {
    if path.is_absolute() || path.exists() {
        return None;
    }
    let mut parts = path.components();
    if parts.next() != Some(Component::Normal("models".as_ref())) {
        return None;
    }
    Some(parts.as_path()).filter(|rest| !rest.as_os_str().is_empty())
}

/// For a model file that was not found: where newsmill looked and how to point it elsewhere
/// (`None` for a path that is not searched for, so there is nothing to add).
pub fn not_found_hint(path: &Path) -> Option<String> {
    searched_part(path)?;
    let folders: Vec<String> = search_folders()
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    let cwd = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| "(unknown)".into());
    Some(format!(
        "looked under the working directory {cwd} and in {}; set {MODELS_ENV} to the folder \
         with the model files, or name the file in pipeline.toml",
        folders.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_model_in_the_first_search_folder_that_has_it() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(b.path().join("sub")).unwrap();
        std::fs::write(b.path().join("sub/m.bin"), b"x").unwrap();
        std::fs::write(a.path().join("n.bin"), b"y").unwrap();
        std::fs::write(b.path().join("n.bin"), b"z").unwrap();
        let folders = [a.path().to_path_buf(), b.path().to_path_buf()];
        assert_eq!(
            locate_in(Path::new("models/sub/m.bin"), &folders),
            b.path().join("sub/m.bin")
        );
        assert_eq!(
            locate_in(Path::new("models/n.bin"), &folders),
            a.path().join("n.bin"),
            "the first folder wins"
        );
        assert_eq!(
            locate_in(Path::new("models/n.bin"), &[]),
            Path::new("models/n.bin"),
            "nothing to search: unchanged"
        );
    }

    #[test]
    fn leaves_other_paths_alone() {
        let a = tempfile::tempdir().unwrap();
        std::fs::write(a.path().join("m.bin"), b"x").unwrap();
        let folders = [a.path().to_path_buf()];
        for p in ["elsewhere/m.bin", "m.bin", "models", "/abs/models/m.bin"] {
            assert_eq!(locate_in(Path::new(p), &folders), Path::new(p), "{p}");
        }
        assert_eq!(
            locate_in(Path::new("models/missing.bin"), &folders),
            Path::new("models/missing.bin"),
            "not found anywhere: the path as written, for the error message"
        );
    }

    #[test]
    fn the_source_tree_is_always_searched_last() {
        let folders = search_folders();
        assert_eq!(
            folders.last().map(PathBuf::as_path),
            Some(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("models")
                    .as_path()
            )
        );
    }
}
