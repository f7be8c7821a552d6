//! Scheduled-run behaviour through the real binary: SIGKILL at random moments, incremental
//! runs, and sharded runs merged back together.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use common::{
    bin, read_rows, repo, run, run_unchecked, small_buffer_corpus, staging_leftovers, table_bytes,
    walkdir,
};

/// Every table a default run writes.
const TABLES: &[&str] = &[
    "documents",
    "sentences",
    "entities",
    "failures",
    "mentions",
    "quotes",
    "stances",
    "actors",
    "actor_stance_summary",
];

/// Copies the seed articles into `dir` `copies` times (distinct names, so distinct ids).
fn seed_copies(dir: &Path, copies: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..copies {
        for e in std::fs::read_dir(repo().join("seeds")).unwrap() {
            let p = e.unwrap().path();
            let name = format!("{i:03}_{}", p.file_name().unwrap().to_string_lossy());
            std::fs::copy(&p, dir.join(name)).unwrap();
        }
    }
}

/// A JSONL file with one record per paragraph of the seed articles (many small units).
fn seed_paragraphs(path: &Path, skip: usize, take: usize) {
    let mut lines = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(repo().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in names {
        let text = std::fs::read_to_string(&p).unwrap();
        for para in text
            .split("\n\n")
            .filter(|x| x.split_whitespace().count() > 12)
        {
            lines.push(serde_json::json!({ "text": para.trim() }).to_string());
        }
    }
    let body: Vec<String> = lines.into_iter().skip(skip).take(take).collect();
    std::fs::write(path, body.join("\n") + "\n").unwrap();
}

/// Rows of every table, each table's rows sorted: equal when two outputs hold the same rows.
fn row_sets(dir: &Path) -> BTreeMap<&'static str, Vec<String>> {
    TABLES
        .iter()
        .map(|t| {
            let mut rows = read_rows(dir, t);
            rows.sort();
            (*t, rows)
        })
        .collect()
}

/// (path, length, modification time) of every file: unchanged means nothing was touched.
fn listing(dir: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    let mut out: Vec<_> = walkdir(dir)
        .into_iter()
        .map(|p| {
            let m = std::fs::metadata(&p).unwrap();
            (p, m.len(), m.modified().unwrap())
        })
        .collect();
    out.sort();
    out
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// A small xorshift generator, seeded from the clock and printed, so a failing kill point can
/// be replayed with `NEWSMILL_KILL_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn sigkill_at_random_points_leaves_previous_output_or_none() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    seed_copies(&input, 200);
    seed_paragraphs(&input.join("paragraphs.jsonl"), 0, usize::MAX);

    // Uninterrupted reference run, timed to spread the kill points over a whole run.
    let reference_dir = tmp.path().join("reference");
    let t = Instant::now();
    run(&input, &reference_dir, &[]);
    let full_ms = (t.elapsed().as_millis() as u64).max(50);
    let reference = table_bytes(&reference_dir);

    let seed = std::env::var("NEWSMILL_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("kill points from NEWSMILL_KILL_SEED={seed} over a {full_ms} ms run");
    let mut rng = Rng(seed);

    let out = tmp.path().join("out");
    let spawn = || {
        bin()
            .current_dir(repo())
            .args(["run", "--quiet", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&out)
            .spawn()
            .unwrap()
    };
    // Two kills of a first run (no previous output): afterwards there is no output, or a
    // complete one if the run had just finished.
    for _ in 0..2 {
        let at = rng.next() % full_ms;
        let mut child = spawn();
        std::thread::sleep(Duration::from_millis(at));
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            !out.exists() || table_bytes(&out) == reference,
            "first run killed at {at} ms left a partial output (seed {seed})"
        );
    }
    run(&input, &out, &[]);
    // Ten kills of a rerun: the previous complete output must survive each one intact.
    for _ in 0..10 {
        let at = rng.next() % (full_ms + full_ms / 4);
        let mut child = spawn();
        std::thread::sleep(Duration::from_millis(at));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_eq!(
            table_bytes(&out),
            reference,
            "after kill at {at} ms (seed {seed})"
        );
    }
    run(&input, &out, &[]);
    assert_eq!(table_bytes(&out), reference);
    let leftovers = staging_leftovers(tmp.path());
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A table write that fails mid-run (here: the file-size limit, `ulimit -f`, which makes a
/// write return EFBIG once SIGXFSZ is ignored, as a full disk returns ENOSPC) stops the run
/// with an error naming the table, without hanging the worker pool or the writer thread, and
/// leaves the previous output exactly as it was and no staging folder behind.
#[cfg(target_os = "linux")]
#[test]
fn a_write_error_mid_run_stops_cleanly_and_keeps_the_previous_output() {
    let tmp = tempfile::tempdir().unwrap();
    // Small row groups, so tables are written while documents are still being processed.
    let (input, cfg) = small_buffer_corpus(tmp.path(), 1500);
    let cfg = cfg.as_str();
    let out = tmp.path().join("out");
    run(&input, &out, &["--config", cfg]);
    let previous = table_bytes(&out);

    let mut child = std::process::Command::new("bash")
        .current_dir(repo())
        .arg("-c")
        .arg(r#"trap '' XFSZ; ulimit -f 64; exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_newsmill"))
        .args(["run", "--quiet", "--config", cfg, "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("the run did not stop within 120 s of a write error");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("writing table") && stderr.contains("File too large"),
        "the error names the table and the cause: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(table_bytes(&out), previous, "the previous output changed");
    let leftovers = staging_leftovers(tmp.path());
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Without the limit the same run succeeds and writes the same tables as before.
    run(&input, &out, &["--config", cfg]);
    assert_eq!(table_bytes(&out), previous);
}

#[test]
fn incremental_runs_add_only_new_documents_and_change_nothing_when_rerun() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(repo().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    for p in &seeds[..3] {
        std::fs::copy(p, input.join(p.file_name().unwrap())).unwrap();
    }
    seed_paragraphs(&input.join("wire.jsonl"), 0, 6);
    let out = tmp.path().join("out");
    run(&input, &out, &["--incremental"]); // no output yet: a plain first run
    let first_rows = read_rows(&out, "documents").len();
    assert_eq!(first_rows, 3 + 6);

    // Unchanged input: no work, nothing touched (not even the manifest).
    let before = listing(&out);
    let rerun = run(&input, &out, &["--incremental"]);
    assert!(
        String::from_utf8_lossy(&rerun.stderr).is_empty(),
        "quiet rerun printed something"
    );
    assert_eq!(
        listing(&out),
        before,
        "an unchanged rerun modified the output"
    );

    // New inputs: two more articles and lines appended to the JSONL file.
    let old_parts = table_bytes(&out);
    for p in &seeds[3..] {
        std::fs::copy(p, input.join(p.file_name().unwrap())).unwrap();
    }
    seed_paragraphs(&input.join("wire.jsonl"), 0, 9);
    run(&input, &out, &["--incremental"]);
    let new_parts = table_bytes(&out);
    // Every per-document part of the first run is still there, byte for byte.
    for (name, bytes) in &old_parts {
        if ["documents/", "sentences/", "entities/", "failures/"]
            .iter()
            .any(|t| name.starts_with(t))
        {
            let now = new_parts.iter().find(|(n, _)| n == name);
            assert_eq!(now.map(|(_, b)| b), Some(bytes), "{name} changed");
        }
    }
    // New rows went into new parts only.
    let docs_part1 = read_rows_of_file(&out.join("documents/part-00001.parquet"));
    assert_eq!(
        docs_part1,
        2 + 3,
        "new part holds exactly the new documents"
    );
    let m = manifest(&out);
    assert_eq!(m["history"].as_array().unwrap().len(), 2);
    assert_eq!(m["history"][1]["skipped"], 3 + 6);
    assert_eq!(m["tables"]["documents"]["rows"], 5 + 9);

    // The result holds the same rows as one full run over the final inputs.
    let full = tmp.path().join("full");
    run(&input, &full, &[]);
    assert_eq!(row_sets(&out), row_sets(&full));

    // And a third run with nothing new leaves it alone again.
    let before = listing(&out);
    run(&input, &out, &["--incremental"]);
    assert_eq!(listing(&out), before);

    // Extending with other settings is refused with the reason.
    let cfg = tmp.path().join("other.toml");
    std::fs::write(&cfg, "[ner]\nmin_score = 0.9\n").unwrap();
    std::fs::write(
        input.join("late.txt"),
        "A late article about Georgia and Russia. It has two sentences.",
    )
    .unwrap();
    let err = refused_run(
        &input,
        &out,
        &["--incremental", "--config", cfg.to_str().unwrap()],
    );
    assert!(
        err.contains("different settings") && err.contains("without --incremental"),
        "{err}"
    );

    // An output of another commit with the same code (a change to documentation or tests
    // only) is extended: outputs are matched by the code identity, not by the commit. The
    // manifest names the build as `newsmill --version` does.
    let version = bin().arg("-V").output().unwrap();
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    let long = bin().arg("--version").output().unwrap();
    let long = String::from_utf8_lossy(&long.stdout).into_owned();
    let mut m = manifest(&out);
    let recorded = m["newsmill_version"].as_str().unwrap().to_string();
    let code = m["newsmill_code"].as_str().unwrap().to_string();
    assert_eq!(format!("newsmill {recorded}"), version);
    assert!(
        long.starts_with(&format!("newsmill {recorded}\ncode {code} ")),
        "{long}"
    );
    assert!(
        code.starts_with(&format!("{}+c", env!("CARGO_PKG_VERSION"))),
        "{code}"
    );
    m["newsmill_version"] = serde_json::json!("0.1.0+g00000000");
    std::fs::write(out.join("manifest.json"), m.to_string()).unwrap();
    run(&input, &out, &["--incremental"]);
    let m = manifest(&out);
    assert_eq!(m["newsmill_version"].as_str(), Some(recorded.as_str()));
    assert_eq!(row_sets(&out), {
        let full = tmp.path().join("full-late");
        run(&input, &full, &[]);
        row_sets(&full)
    });

    // Extending an output of other code is refused, naming both builds: rule code changes
    // between commits of one version.
    std::fs::write(
        input.join("later.txt"),
        "A later article about Abkhazia. Tbilisi disagreed on Monday.",
    )
    .unwrap();
    let mut m = manifest(&out);
    m["newsmill_code"] = serde_json::json!("0.0.1+c0000000000000000");
    std::fs::write(out.join("manifest.json"), m.to_string()).unwrap();
    let err = refused_run(&input, &out, &["--incremental"]);
    assert!(
        err.contains(&format!(
            "newsmill {recorded}, code 0.0.1+c0000000000000000 (this is {recorded}, code {code})"
        )),
        "{err}"
    );
    // So is an output written before code identities were recorded.
    m.as_object_mut().unwrap().remove("newsmill_code");
    std::fs::write(out.join("manifest.json"), m.to_string()).unwrap();
    let err = refused_run(&input, &out, &["--incremental"]);
    assert!(err.contains("code unrecorded"), "{err}");
}

/// Runs `newsmill run` as `common::run` does, expecting a refusal; returns its stderr.
fn refused_run(input: &Path, output: &Path, extra: &[&str]) -> String {
    let o = run_unchecked(input, output, extra);
    assert!(!o.status.success(), "the run was not refused");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read_rows_of_file(path: &Path) -> usize {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let r = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    r.metadata().file_metadata().num_rows() as usize
}

#[test]
fn shard_outputs_merged_equal_a_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    seed_copies(&input, 2);
    seed_paragraphs(&input.join("wire.jsonl"), 0, usize::MAX);
    std::fs::write(input.join("notes.pdf"), b"%PDF-1.4 not an article").unwrap();
    let full = tmp.path().join("full");
    run(&input, &full, &[]);

    let n = 3;
    let shards: Vec<PathBuf> = (0..n)
        .map(|i| tmp.path().join(format!("shard-{i}")))
        .collect();
    for (i, dir) in shards.iter().enumerate() {
        run(&input, dir, &["--shard", &format!("{i}/{n}")]);
        let docs = read_rows(dir, "documents").len();
        assert!(docs > 0, "shard {i} got no documents");
    }
    // Given out of order on purpose: merge orders shards by index.
    let merged = tmp.path().join("merged");
    let out = bin()
        .current_dir(repo())
        .args(["merge", "--quiet", "--output"])
        .arg(&merged)
        .args([&shards[2], &shards[0], &shards[1]])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (a, b) = (row_sets(&full), row_sets(&merged));
    for t in TABLES {
        assert!(!a[t].is_empty() || *t == "failures", "{t} is empty");
        assert_eq!(
            a[t], b[t],
            "table {t} differs between the single run and the merge"
        );
    }

    // An incomplete set of shards is refused, naming what is missing.
    let partial = bin()
        .current_dir(repo())
        .args(["merge", "--quiet", "--output"])
        .arg(tmp.path().join("partial"))
        .args([&shards[0], &shards[2]])
        .output()
        .unwrap();
    assert!(!partial.status.success());
    let err = String::from_utf8_lossy(&partial.stderr);
    assert!(err.contains("missing: 1/3"), "{err}");

    // A shard made by other code is refused, naming it: the merge rebuilds the corpus tables
    // with its own code, so the rows it combines must come from that code.
    let mut m = manifest(&shards[1]);
    m["newsmill_code"] = serde_json::json!("0.0.1+c0000000000000000");
    std::fs::write(shards[1].join("manifest.json"), m.to_string()).unwrap();
    let other = bin()
        .current_dir(repo())
        .args(["merge", "--quiet", "--output"])
        .arg(tmp.path().join("other"))
        .args(&shards)
        .output()
        .unwrap();
    assert!(!other.status.success());
    let err = String::from_utf8_lossy(&other.stderr);
    assert!(
        err.contains(&format!("{} was made by", shards[1].display()))
            && err.contains("code 0.0.1+c0000000000000000; this is"),
        "{err}"
    );
    assert!(!tmp.path().join("other").exists());
}
