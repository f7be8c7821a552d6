//! Helpers shared by the end-to-end tests (each test file is its own crate; not every file
//! uses every helper).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsmill"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `cmd`, fails the test (showing stdout and stderr) unless it exits successfully, and
/// returns its stdout.
pub fn stdout_of_success(cmd: &mut Command) -> String {
    let out = cmd.output().expect("spawn newsmill");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// `newsmill run --quiet --input INPUT --output OUTPUT EXTRA...` from the repository, whatever
/// its exit status.
pub fn run_unchecked(input: &Path, output: &Path, extra: &[&str]) -> Output {
    bin()
        .current_dir(repo())
        .args(["run", "--quiet", "--input"])
        .arg(input)
        .arg("--output")
        .arg(output)
        .args(extra)
        .output()
        .expect("spawn newsmill")
}

/// `run_unchecked`, failing the test unless the run succeeds without a panic.
pub fn run(input: &Path, output: &Path, extra: &[&str]) -> Output {
    let out = run_unchecked(input, output, extra);
    assert!(
        out.status.success(),
        "newsmill failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Reads a Parquet table back as (column name, rendered values) rows, via the parquet crate.
pub fn read_rows(dir: &Path, table: &str) -> Vec<String> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let mut rows = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(table))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    files.sort();
    for f in files {
        let reader = SerializedFileReader::new(std::fs::File::open(&f).unwrap()).unwrap();
        for row in reader.get_row_iter(None).unwrap() {
            rows.push(row.unwrap().to_string());
        }
    }
    rows
}

pub fn table_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walkdir(dir) {
        if entry.extension().is_some_and(|e| e == "parquet") {
            let rel = entry.strip_prefix(dir).unwrap().display().to_string();
            out.push((rel, std::fs::read(&entry).unwrap()));
        }
    }
    out.sort();
    out
}

pub fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// A JSONL file of `docs` articles (ids `d0`, `d1`, …) of pseudo-random words, so that zstd
/// cannot shrink the tables' buffers to nothing. Always the same bytes.
pub fn random_words_corpus(path: &Path, docs: usize) {
    let mut rng: u64 = 0x2545_f491_4f6c_dd1d;
    let mut word = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let len = 3 + (rng % 7) as usize;
        (0..len)
            .map(|i| char::from(b'a' + ((rng >> (5 * i)) % 26) as u8))
            .collect::<String>()
    };
    let mut jsonl = String::new();
    for d in 0..docs {
        let body: Vec<String> = (0..10)
            .map(|_| {
                let words: Vec<String> = (0..14).map(|_| word()).collect();
                format!("The {} said.", words.join(" "))
            })
            .collect();
        jsonl.push_str(
            &serde_json::json!({"id": format!("d{d}"), "title": format!("Article {d}"), "text": body.join(" ")})
                .to_string(),
        );
        jsonl.push('\n');
    }
    std::fs::write(path, jsonl).unwrap();
}

/// A folder `in/` under `dir` holding [`random_words_corpus`] of `docs` articles, and a config
/// `small-buffers.toml` (batches of 25 documents, `row_group_mib = 1`) under which row groups
/// are written while the run goes on: (input folder, config path).
pub fn small_buffer_corpus(dir: &Path, docs: usize) -> (PathBuf, String) {
    let input = dir.join("in");
    std::fs::create_dir(&input).unwrap();
    random_words_corpus(&input.join("corpus.jsonl"), docs);
    let cfg = dir.join("small-buffers.toml");
    std::fs::write(
        &cfg,
        "[run]\nbatch_size = 25\n\n[output]\nrow_group_mib = 1\n",
    )
    .unwrap();
    (input, cfg.to_str().unwrap().to_string())
}

/// Staging folders or set-aside old outputs left in `dir` (the parent of an output folder).
pub fn staging_leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.contains(".old-"))
        .collect()
}
