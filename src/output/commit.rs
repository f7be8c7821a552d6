//! Atomic output: a run writes into a staging folder beside the output folder and swaps it in
//! at the very end, so a run killed at any moment leaves the previous complete output (or, on
//! a first run, nothing), never a truncated table.
//!
//! On Linux the swap is one `renameat2(RENAME_EXCHANGE)` call: readers see the old folder or the
//! new one, never a mix. Elsewhere (or on file systems without it) the old folder is renamed
//! aside first; a kill between the two renames leaves no output folder and the previous output
//! in `.<name>.old-*`, which the next run restores before starting.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::OutputError;

/// The file that marks a folder as newsmill output.
pub const MANIFEST: &str = "manifest.json";

/// A staging folder for one run, holding the lock on the output folder until committed.
pub struct Staging {
    output: PathBuf,
    staging: PathBuf,
    _lock: File,
}

impl Staging {
    /// Takes the lock for `output`, tidies what killed runs left behind, and creates a fresh
    /// staging folder. Refuses to touch an existing folder that is not newsmill output.
    pub fn begin(output: &Path) -> Result<Self, OutputError> {
        let (parent, name) = split(output)?;
        std::fs::create_dir_all(&parent).map_err(|e| OutputError::io("creating", &parent, e))?;
        let lock_path = parent.join(format!(".{name}.newsmill.lock"));
        let lock = File::create(&lock_path)
            .map_err(|e| OutputError::io("creating lock file", &lock_path, e))?;
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive).map_err(|_| {
            OutputError::Refused(format!(
                "another newsmill run is writing to {} (lock {} is held); wait for it or choose another --output",
                output.display(),
                lock_path.display()
            ))
        })?;
        recover(&parent, &name, output)?;
        if output.exists() {
            let is_dir = output.is_dir();
            let empty = is_dir
                && std::fs::read_dir(output)
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(false);
            if !is_dir || (!empty && !output.join(MANIFEST).exists()) {
                return Err(OutputError::Refused(format!(
                    "{} exists and is not a newsmill output folder (no {MANIFEST}); newsmill replaces its output folder \
                     as a whole, so choose another --output or remove it",
                    output.display()
                )));
            }
        }
        let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
        std::fs::create_dir(&staging)
            .map_err(|e| OutputError::io("creating staging folder", &staging, e))?;
        Ok(Staging {
            output: output.to_path_buf(),
            staging,
            _lock: lock,
        })
    }

    /// Folder to write this run's files into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The final output folder.
    pub fn output(&self) -> &Path {
        &self.output
    }

    /// Swaps the staging folder in as the output folder and removes the previous output.
    pub fn commit(self) -> Result<(), OutputError> {
        sync_dir(&self.staging);
        if self.output.exists() {
            match rustix::fs::renameat_with(
                rustix::fs::CWD,
                &self.staging,
                rustix::fs::CWD,
                &self.output,
                rustix::fs::RenameFlags::EXCHANGE,
            ) {
                Ok(()) => {
                    // `staging` now holds the previous output.
                    remove(&self.staging)?;
                }
                Err(_) => {
                    let (parent, name) = split(&self.output)?;
                    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
                    rename(&self.output, &old)?;
                    rename(&self.staging, &self.output)?;
                    remove(&old)?;
                }
            }
        } else {
            rename(&self.staging, &self.output)?;
        }
        if let Some(parent) = self.output.parent() {
            sync_dir(parent);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // An abandoned (uncommitted) run removes its staging folder; after commit it is gone.
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// Removes stale staging folders and restores an output folder left renamed aside.
fn recover(parent: &Path, name: &str, output: &Path) -> Result<(), OutputError> {
    let staging_prefix = format!(".{name}.staging-");
    let old_prefix = format!(".{name}.old-");
    let entries = std::fs::read_dir(parent).map_err(|e| OutputError::io("reading", parent, e))?;
    let mut olds = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.starts_with(&staging_prefix) {
            remove(&entry.path())?;
        } else if file_name.starts_with(&old_prefix) {
            olds.push(entry.path());
        }
    }
    olds.sort();
    for old in olds {
        if !output.exists() && old.join(MANIFEST).exists() {
            rename(&old, output)?;
        } else {
            remove(&old)?;
        }
    }
    Ok(())
}

fn split(output: &Path) -> Result<(PathBuf, String), OutputError> {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            OutputError::Refused(format!(
                "output path {} has no folder name",
                output.display()
            ))
        })?;
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

fn rename(from: &Path, to: &Path) -> Result<(), OutputError> {
    std::fs::rename(from, to).map_err(|e| OutputError::io("renaming", from, e))
}

fn remove(p: &Path) -> Result<(), OutputError> {
    match std::fs::remove_dir_all(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(OutputError::io("removing", p, e)),
    }
}

fn sync_dir(p: &Path) {
    if let Ok(f) = File::open(p) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_replaces_output_and_refuses_foreign_folders() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        for round in 0..2 {
            let s = Staging::begin(&out).unwrap();
            std::fs::write(s.path().join(MANIFEST), format!("{round}")).unwrap();
            s.commit().unwrap();
            assert_eq!(
                std::fs::read_to_string(out.join(MANIFEST)).unwrap(),
                round.to_string()
            );
        }
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("staging") || n.contains(".old-"))
            .collect();
        assert!(names.is_empty(), "{names:?}");

        let foreign = dir.path().join("mine");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
        let err = Staging::begin(&foreign).err().unwrap().to_string();
        assert!(err.contains("not a newsmill output folder"), "{err}");
    }

    #[test]
    fn restores_output_renamed_aside_by_a_killed_run() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let old = dir.path().join(".out.old-123");
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join(MANIFEST), "prev").unwrap();
        std::fs::create_dir(dir.path().join(".out.staging-999")).unwrap();
        let s = Staging::begin(&out).unwrap();
        assert_eq!(std::fs::read_to_string(out.join(MANIFEST)).unwrap(), "prev");
        assert!(!dir.path().join(".out.staging-999").exists());
        drop(s);
    }
}
