//! Sets `NEWSMILL_BUILD`, the identity of this build's code: the crate version, plus the git
//! commit it was built from and, for a tree with uncommitted changes to tracked files, a
//! hash of those changes (`0.1.0+g1a2b3c4d`, `0.1.0+g1a2b3c4d.dirty-5e6f7a8b`). Outputs
//! record it, and `run --incremental` and `merge` refuse to combine rows of different
//! builds: rule code changes between commits without a version bump. Without git (a source
//! tarball) it is the version alone.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let mut id = version;
    if let Some(commit) = git(&["rev-parse", "--short=8", "HEAD"]) {
        id = format!("{id}+g{}", commit.trim());
        // Tracked files only: untracked scratch files do not go into the binary.
        if let Some(diff) = git(&["diff", "HEAD", "--", "src", "resources", "Cargo.toml"]) {
            if !diff.is_empty() {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                diff.hash(&mut h);
                id = format!("{id}.dirty-{:08x}", h.finish() as u32);
            }
        }
        // Rerun when HEAD moves (a commit or checkout) or the compiled sources change.
        if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
            let dir = Path::new(dir.trim());
            for f in ["HEAD", "packed-refs", "refs/heads"] {
                println!("cargo:rerun-if-changed={}", dir.join(f).display());
            }
        }
    }
    for f in ["src", "resources", "Cargo.toml", "build.rs"] {
        println!("cargo:rerun-if-changed={f}");
    }
    println!("cargo:rustc-env=NEWSMILL_BUILD={id}");
}
