//! Sets `NEWSMILL_BUILD`, the provenance of this build: the crate version, plus the git
//! commit it was built from and, for a tree with uncommitted changes to tracked files, a
//! hash of those changes (`0.1.0+g1a2b3c4d`, `0.1.0+g1a2b3c4d.dirty-5e6f7a8b`; `newsmill
//! --version`, `newsmill_version` in manifests). Without git (a source tarball) it is the
//! version alone.
//!
//! Also sets `NEWSMILL_CODE`, the identity of what computes the rows: the version plus a
//! content hash of the compiled inputs ([`INPUTS`]: sources, built-in resources, manifest,
//! lock file, this script), e.g. `0.1.0+c1a2b3c4d5e6f7a8b`. Outputs are combined by it, not by
//! the commit, so a commit that changes only documentation, tests or model cards leaves
//! existing outputs extendable, and a tarball build of the same sources matches a git build.
//! `run --incremental` and `merge` refuse to combine rows of different code identities: rule
//! code changes between commits without a version bump.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the compiled binary is made of: a change to any of these changes the code identity
/// (and, uncommitted, the build's `.dirty-` hash).
const INPUTS: &[&str] = &["src", "resources", "Cargo.toml", "Cargo.lock", "build.rs"];

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Files under `path` (itself if a file), skipping hidden names (editor and VCS droppings).
fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    let hidden = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    if hidden {
        return;
    }
    if path.is_dir() {
        if let Ok(entries) = std::fs::read_dir(path) {
            for e in entries.flatten() {
                collect(&e.path(), out);
            }
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    }
}

/// blake3 over every input file's relative path and bytes, in path order: 16 hex digits.
fn code_hash() -> String {
    let mut files = Vec::new();
    for input in INPUTS {
        collect(Path::new(input), &mut files);
    }
    files.sort();
    let mut h = blake3::Hasher::new();
    for f in &files {
        let name = f.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(f).unwrap_or_default();
        h.update(&(name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    h.finalize().to_hex()[..16].to_string()
}

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=NEWSMILL_CODE={version}+c{}", code_hash());
    let mut id = version;
    if let Some(commit) = git(&["rev-parse", "--short=8", "HEAD"]) {
        id = format!("{id}+g{}", commit.trim());
        // Tracked files only: untracked scratch files do not go into the binary. Cargo.lock
        // counts because a dependency upgrade changes the compiled code as much as an edit.
        let diff_args: Vec<&str> = ["diff", "HEAD", "--"]
            .into_iter()
            .chain(INPUTS.iter().copied())
            .collect();
        if let Some(diff) = git(&diff_args) {
            if !diff.is_empty() {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                diff.hash(&mut h);
                id = format!("{id}.dirty-{:08x}", h.finish() as u32);
            }
        }
        // Rerun when HEAD moves (a commit or checkout) or the compiled sources change. Only
        // files that exist: cargo counts a missing one as always changed, which would rebuild
        // the crate on every cargo command (a repository made by `git init` has no
        // packed-refs until its refs are packed; a clone has one). A worktree keeps
        // its HEAD in --git-dir and the branches in --git-common-dir.
        for (dir_flag, files) in [
            ("--git-dir", &["HEAD"][..]),
            ("--git-common-dir", &["packed-refs", "refs/heads"][..]),
        ] {
            if let Some(dir) = git(&["rev-parse", dir_flag]) {
                let dir = Path::new(dir.trim());
                for path in files.iter().map(|f| dir.join(f)).filter(|p| p.exists()) {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
            }
        }
    }
    for f in INPUTS {
        println!("cargo:rerun-if-changed={f}");
    }
    println!("cargo:rustc-env=NEWSMILL_BUILD={id}");
}
