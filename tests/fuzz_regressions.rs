//! Stable replay of the fuzzing corpus, plus the pathological-size inputs of issue #7.
//!
//! Every file in `fuzz/corpus/<target>/` (the minimised corpus) and `fuzz/regressions/<target>/`
//! (minimised crash and hang reproducers) goes through `newsmill::fuzz_targets::<target>`, the
//! same body the cargo-fuzz target runs, so a fixed bug stays fixed without a nightly toolchain.

use std::path::{Path, PathBuf};

use newsmill::clean::{CleanConfig, CleanInput, Cleaner};
use newsmill::fuzz_targets;
use newsmill::ingest::{decode, html};

/// Files of one corpus folder, sorted; a missing folder is an empty list.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

/// Runs `body` on every corpus and regression file of `target`; returns how many ran.
fn replay(target: &str, body: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = files(&root.join("corpus").join(target));
    let regressions = files(&root.join("regressions").join(target));
    assert!(
        corpus.len() >= 10,
        "fuzz/corpus/{target} has {} files; was the corpus deleted?",
        corpus.len()
    );
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path).unwrap();
        // Name the file before running it, so a failure points at its reproducer.
        let result = std::panic::catch_unwind(|| body(&data));
        assert!(
            result.is_ok(),
            "fuzz target {target} failed on {}",
            path.display()
        );
    }
    corpus.len() + regressions.len()
}

#[test]
fn corpus_decode() {
    replay("decode", fuzz_targets::decode);
}

#[test]
fn corpus_html() {
    replay("html", fuzz_targets::html);
}

#[test]
fn corpus_clean() {
    replay("clean", fuzz_targets::clean);
}

#[test]
fn corpus_split() {
    replay("split", fuzz_targets::split);
}

#[test]
fn corpus_tokenize() {
    replay("tokenize", fuzz_targets::tokenize);
}

#[test]
fn corpus_jsonl() {
    replay("jsonl", fuzz_targets::jsonl);
}

#[test]
fn corpus_config() {
    replay("config", fuzz_targets::config);
}

/// A 50 MB single line (about 900,000 sentences, no line break) through decode, clean,
/// split and tokens. The quadratic failure modes this guards against (rescanning the line
/// per sentence or per token) would take hours; the assertions check that all the work was
/// done, not how fast (timing belongs in the benchmarks).
#[test]
fn fifty_megabyte_line_is_cleaned_split_and_tokenized_whole() {
    let sentence = "The minister said on Tuesday that the talks would resume. ";
    let reps = 50 * 1024 * 1024 / sentence.len();
    let line = sentence.repeat(reps);
    let decoded = decode::decode(line.as_bytes(), 64 << 20).unwrap();
    assert_eq!(decoded.text.len(), line.len());
    drop(line);
    let cleaner = Cleaner::new(&CleanConfig::default()).unwrap();
    let cleaned = cleaner.clean(&CleanInput {
        text: &decoded.text,
        title: None,
        source_key: None,
    });
    assert_eq!(
        cleaned.text,
        decoded.text.trim_end(),
        "the line is article text"
    );
    drop(decoded);
    let doc = fuzz_targets::split_and_check(&cleaned.text, 0);
    assert_eq!(doc.sentences.len(), reps);
    // "The minister said on Tuesday that the talks would resume ." = 11 tokens.
    assert_eq!(doc.tokens.len(), reps * 11);
}

/// 100,000 nested elements through HTML extraction and the cleaner, on a thread with the
/// 2 MiB stack of a worker: html5ever alone is quadratic in depth and the extractor recurses,
/// so without the nesting limit this either takes minutes or overflows the stack (an abort).
/// (`src/ingest/html.rs` covers more shapes of nesting; this is the end-to-end check.)
#[test]
fn hundred_thousand_deep_nesting_is_extracted_and_cleaned() {
    let n = 100_000;
    let text = "The foreign minister said on Tuesday that talks with the rebels would resume.";
    let pages = [
        format!(
            "<html><body>{}<p>{text}</p>{}</body></html>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        ),
        format!("<p>{}{text}", "<b><i>".repeat(n / 2)),
        format!("<body>{}{text}", "<ul><li>".repeat(n / 2)),
    ];
    let worker = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let cleaner = Cleaner::new(&CleanConfig::default()).unwrap();
            for page in &pages {
                let art = html::extract_html(page, None, &html::HtmlConfig::default()).unwrap();
                assert!(
                    art.text.contains(text),
                    "{:?}",
                    &art.text[..art.text.len().min(200)]
                );
                let cleaned = cleaner.clean(&CleanInput {
                    text: &art.text,
                    title: None,
                    source_key: None,
                });
                let doc = fuzz_targets::split_and_check(&cleaned.text, 0);
                assert!(!doc.tokens.is_empty());
            }
        });
    worker.unwrap().join().unwrap();
}
