//! Writing one file so that a reader never sees half of it: the bytes go to a hidden
//! temporary file in the same folder (same file system), which is then renamed over the
//! target. Used for model files and evaluation reports; the tables use a whole staging folder
//! instead (`commit.rs`).

use std::path::{Path, PathBuf};

/// The temporary file `write_atomically` uses for `path`: `.NAME.tmp` beside it.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or(path.as_os_str()));
    name.push(".tmp");
    path.with_file_name(name)
}

/// Write `bytes` to `path` through `temp_path(path)` and a rename. The folder must exist.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temp_path(path);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("model.bin");
        std::fs::write(&path, b"old").expect("write");
        write_atomically(&path, b"new").expect("atomic write");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        assert!(!temp_path(&path).exists());
        assert_eq!(temp_path(&path), dir.path().join(".model.bin.tmp"));
        let missing = dir.path().join("no-such-folder").join("x.tsv");
        assert!(write_atomically(&missing, b"x").is_err());
    }
}
