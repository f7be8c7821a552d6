//! Bodies of the fuzz targets, shared by the cargo-fuzz crate in `fuzz/` and by the stable
//! regression test `tests/fuzz_regressions.rs`, so a corpus file or crash reproducer runs
//! exactly the same code in both.
//!
//! Each function takes arbitrary bytes, feeds them through the public API the pipeline uses,
//! and checks invariants with `assert!` (a failed assertion is a finding, like a panic).
//! Where a target has options, the first input byte picks them, so a reproducer file fixes
//! the configuration too. Not part of the supported API.

use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::clean::{CleanConfig, CleanInput, Cleaner};
use crate::config::PipelineConfig;
use crate::doc::{ByteSpan, DocId, DocMeta, Source, SourceFormat};
use crate::ingest::{self, decode, html, IngestConfig, InputFile, Unit, UnitReader};
use crate::stage::Stage;
use crate::stages::split::SplitStage;
use crate::text::sentences::SplitConfig;
use crate::text::tokens;

/// Inflation limit used by the decode target: small, so gzip bombs hit the limit quickly.
const DECODE_LIMIT: u64 = 1 << 20;
/// JSONL line and document limit: the smallest `ingest.max_doc_bytes` allowed, so the
/// overlong-line path is reached by small inputs.
const JSONL_LIMIT: u64 = 1024;

/// The first byte (option bits) and the rest of the input.
fn options(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((&b, rest)) => (b, rest),
        None => (0, data),
    }
}

/// `YYYY-MM-DD` with plausible month and day.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

/// Checks that `spans` are non-empty, inside `within`, on char boundaries, ordered and
/// non-overlapping, and that none starts or ends with whitespace.
fn check_spans(text: &str, within: Range<usize>, spans: &[Range<usize>], what: &str) {
    let mut prev_end = within.start;
    for r in spans {
        assert!(r.start < r.end, "empty {what} {r:?}");
        assert!(
            r.start >= prev_end && r.end <= within.end,
            "{what} {r:?} out of order or outside {within:?} (previous ends at {prev_end})"
        );
        let s = text
            .get(r.clone())
            .unwrap_or_else(|| panic!("{what} {r:?} not on char boundaries"));
        assert!(
            !s.starts_with(char::is_whitespace) && !s.ends_with(char::is_whitespace),
            "{what} {r:?} not trimmed: {s:?}"
        );
        prev_end = r.end;
    }
}

/// Decoder: bytes of unknown encoding (maybe gzip) → text.
pub fn decode(data: &[u8]) {
    match decode::decode(data, DECODE_LIMIT) {
        Ok(d) => {
            assert!(!d.text.trim().is_empty(), "decoded text is blank");
            assert_eq!(d.encoding.ends_with("+gzip"), decode::is_gzip(data));
            if !decode::is_gzip(data) && !data.starts_with(&[0xEF, 0xBB, 0xBF]) {
                if let Ok(s) = std::str::from_utf8(data) {
                    assert_eq!(d.text, s, "valid UTF-8 must decode unchanged");
                    assert_eq!(d.encoding, "UTF-8");
                }
            }
        }
        Err(decode::DecodeError::TooLarge(limit)) => assert_eq!(limit, DECODE_LIMIT),
        Err(_) => {}
    }
}

/// HTML extraction. Option bit 0: smallest nesting limit (16), to stress the flattening;
/// bit 1: pass a page URL.
pub fn html(data: &[u8]) {
    let (opt, rest) = options(data);
    let page = String::from_utf8_lossy(rest);
    let cfg = html::HtmlConfig {
        max_depth: if opt & 1 != 0 { 16 } else { 128 },
        ..html::HtmlConfig::default()
    };
    let url = (opt & 2 != 0).then_some("https://news.example.org/world/2008/article.html");
    match html::extract_html(&page, url, &cfg) {
        Ok(a) => {
            for line in a.text.lines() {
                assert_eq!(line, line.trim(), "HTML text line not trimmed");
            }
            assert!(!a.text.contains("\n\n\n"), "more than one blank line");
            if let Some(d) = &a.published {
                assert!(is_iso_date(d), "published {d:?} is not YYYY-MM-DD");
            }
        }
        Err(html::HtmlError::ExtractorPanicked) => panic!("the HTML extractor panicked"),
        Err(_) => {}
    }
}

/// Cleaners for the 8 combinations of three option bits.
fn cleaner(opt: u8) -> &'static Cleaner {
    static CLEANERS: OnceLock<Vec<Cleaner>> = OnceLock::new();
    let all = CLEANERS.get_or_init(|| {
        (0u8..8)
            .map(|bits| {
                let cfg = CleanConfig {
                    title_from_first_line: bits & 1 != 0,
                    select_body: bits & 2 == 0,
                    strip_dateline: bits & 4 != 0,
                    ..CleanConfig::default()
                };
                Cleaner::new(&cfg).unwrap_or_else(|e| panic!("built-in cleaner config: {e}"))
            })
            .collect()
    });
    &all[usize::from(opt & 7)]
}

/// Split stages for the 8 combinations of three option bits.
fn splitter(opt: u8) -> &'static SplitStage {
    static SPLITTERS: OnceLock<Vec<SplitStage>> = OnceLock::new();
    let all = SPLITTERS.get_or_init(|| {
        (0u8..8)
            .map(|bits| {
                let cfg = SplitConfig {
                    single_newline_is_boundary: bits & 1 == 0,
                    lowercase_start_is_boundary: bits & 2 != 0,
                    max_sentence_bytes: if bits & 4 != 0 { 16 } else { 4000 },
                    ..SplitConfig::default()
                };
                SplitStage::new(&cfg).unwrap_or_else(|e| panic!("built-in split config: {e}"))
            })
            .collect()
    });
    &all[usize::from(opt & 7)]
}

/// Runs the split stage (sentences, then tokens per sentence) on `text` exactly as the
/// pipeline does and checks its spans: sentences trimmed, ordered, within the length limit;
/// tokens inside their sentence; no non-whitespace text outside every sentence.
pub fn split_and_check(text: &str, opt: u8) -> crate::doc::Doc {
    let source = Source::plain_text("fuzz");
    let mut doc = crate::doc::Doc::new(
        DocId::from_source_key("fuzz"),
        source,
        String::new(),
        DocMeta::default(),
    );
    doc.text = text.to_string();
    let stage = splitter(opt);
    let max = if opt & 4 != 0 { 16 } else { 4000 };
    stage
        .process(&mut doc)
        .unwrap_or_else(|e| panic!("split stage failed: {e}"));
    let sentences: Vec<Range<usize>> = doc
        .sentences
        .iter()
        .map(|s| s.span.start..s.span.end)
        .collect();
    check_spans(&doc.text, 0..doc.text.len(), &sentences, "sentence");
    let mut covered = 0;
    let mut token_at = 0;
    for (s, r) in doc.sentences.iter().zip(&sentences) {
        assert!(r.len() <= max, "sentence {r:?} longer than {max} bytes");
        let gap = &doc.text[covered..r.start];
        assert!(
            gap.trim().is_empty(),
            "text between sentences lost: {gap:?}"
        );
        covered = r.end;
        assert_eq!(s.token_start, token_at, "token ranges not contiguous");
        assert!(s.token_start <= s.token_end && s.token_end <= doc.tokens.len());
        token_at = s.token_end;
        let toks: Vec<Range<usize>> = doc.tokens[s.token_start..s.token_end]
            .iter()
            .map(|t: &ByteSpan| t.start..t.end)
            .collect();
        check_spans(&doc.text, r.clone(), &toks, "token");
    }
    assert_eq!(token_at, doc.tokens.len(), "tokens outside sentences");
    let tail = &doc.text[covered..];
    assert!(
        tail.trim().is_empty(),
        "text after last sentence lost: {tail:?}"
    );
    doc
}

/// Cleaner, then split and tokens on the cleaned text. Option bits 0-2 pick the cleaner
/// (title from first line, no body selection, strip dateline); bit 3 passes the first line
/// as metadata title; bits 4-6 pick the splitter.
pub fn clean(data: &[u8]) {
    let (opt, rest) = options(data);
    let text = String::from_utf8_lossy(rest);
    let title = (opt & 8 != 0).then(|| text.lines().next().unwrap_or(""));
    let out = cleaner(opt).clean(&CleanInput {
        text: &text,
        title,
        source_key: None,
    });
    assert!(!out.text.contains("\n\n\n"), "more than one blank line");
    for para in out.text.split("\n\n") {
        assert!(!para.is_empty() || out.text.is_empty(), "empty paragraph");
        assert!(
            !para.contains('\n'),
            "line break inside a paragraph: {para:?}"
        );
        assert!(
            !para.contains("  "),
            "double space inside a paragraph: {para:?}"
        );
    }
    if let Some(d) = &out.published {
        assert!(is_iso_date(d), "published {d:?} is not YYYY-MM-DD");
    }
    split_and_check(&out.text, opt >> 4);
}

/// Sentence splitter and tokens per sentence on raw text (no cleaning). Option bits 0-2 pick
/// the splitter (no line-break boundaries, lower-case boundaries, 16-byte sentences).
pub fn split(data: &[u8]) {
    let (opt, rest) = options(data);
    split_and_check(&String::from_utf8_lossy(rest), opt);
}

/// Tokenizer on an arbitrary (possibly out-of-bounds, mid-character) byte range: the first
/// four bytes are the range's start and end as little-endian `u16`.
pub fn tokenize(data: &[u8]) {
    if data.len() < 4 {
        return;
    }
    let start = usize::from(u16::from_le_bytes([data[0], data[1]]));
    let end = usize::from(u16::from_le_bytes([data[2], data[3]]));
    let text = String::from_utf8_lossy(&data[4..]);
    let toks = tokens::tokenize(&text, start..end);
    // The documented clamping: inward to the text and to char boundaries.
    let mut lo = start.min(text.len());
    let mut hi = end.min(text.len());
    while lo < hi && !text.is_char_boundary(lo) {
        lo += 1;
    }
    while hi > lo && !text.is_char_boundary(hi) {
        hi -= 1;
    }
    check_spans(&text, lo..hi.max(lo), &toks, "token");
    // Whole text as one sentence: every non-whitespace character is in some token.
    let all = tokens::tokenize(&text, 0..text.len());
    check_spans(&text, 0..text.len(), &all, "token");
    let mut at = 0;
    for t in &all {
        assert!(
            text[at..t.start].trim().is_empty(),
            "text between tokens lost"
        );
        at = t.end;
    }
    assert!(text[at..].trim().is_empty(), "text after last token lost");
}

/// JSONL reader: the bytes are written to a temporary `.jsonl` file, read with
/// [`UnitReader`] (lines over [`JSONL_LIMIT`] bytes become failures; gzip is detected) and
/// every unit is loaded with [`ingest::load_unit`], as in the pipeline.
pub fn jsonl(data: &[u8]) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "newsmill-fuzz-{}-{}.jsonl",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let file = InputFile {
        path: path.clone(),
        display: "fuzz.jsonl".into(),
        key: "fuzz.jsonl".into(),
        format: SourceFormat::Jsonl,
        bytes: data.len() as u64,
    };
    let cfg = IngestConfig {
        max_doc_bytes: JSONL_LIMIT,
        ..IngestConfig::default()
    };
    let mut last_line = 0;
    for unit in UnitReader::new(vec![Ok(file)], JSONL_LIMIT) {
        let line = match &unit {
            Unit::Record { line, bytes, .. } => {
                assert!(bytes.len() as u64 <= JSONL_LIMIT, "line over the limit");
                assert!(!bytes.contains(&b'\n'), "record holds a line break");
                assert!(!bytes.iter().all(u8::is_ascii_whitespace), "blank record");
                Some(*line)
            }
            Unit::Failed(f) => f.line,
            Unit::File(_) => panic!("a JSONL file yielded a whole-file unit"),
        };
        if let Some(line) = line {
            assert!(line > last_line, "line numbers not increasing");
            last_line = line;
        }
        match ingest::load_unit(unit, &cfg) {
            Ok(doc) => {
                assert!(
                    !doc.raw.is_empty() && doc.raw == doc.raw.trim(),
                    "untrimmed text"
                );
                if let Some(d) = &doc.meta.published {
                    assert!(is_iso_date(d), "published {d:?} is not YYYY-MM-DD");
                }
            }
            Err(f) => assert_eq!(f.stage, "ingest"),
        }
    }
    let _ = std::fs::remove_file(&path);
}

/// Config loader: TOML text → validated [`PipelineConfig`]. Value errors name a key; a
/// valid config survives a round trip through [`PipelineConfig::to_toml`] with the same hash,
/// and its split section builds a splitter (unless it names a file).
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let path = Path::new("fuzz.toml");
    match PipelineConfig::from_toml_str(&text, path) {
        Ok(cfg) => {
            let back = PipelineConfig::from_toml_str(&cfg.to_toml(), path)
                .unwrap_or_else(|e| panic!("resolved config does not load again: {e}"));
            assert_eq!(cfg.hash(), back.hash(), "hash changed in a TOML round trip");
            if cfg.split.abbreviations_file.is_none() {
                let _ = crate::text::sentences::SentenceSplitter::new(&cfg.split);
            }
        }
        Err(crate::config::ConfigError::Value { key, message, .. }) => {
            assert!(
                !key.is_empty() && !message.is_empty(),
                "value error without key"
            );
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}
