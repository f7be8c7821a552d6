//! HTML extraction evaluation on the Zyte article-extraction benchmark
//! (`../shared/data/boilerplate/scrapinghub_aeb`: `html/<id>.html.gz` pages and
//! `ground-truth.json` `{id: {articleBody, url}}`).
//!
//! Scores are the benchmark's own `evaluate.py` metrics — 4-gram shingle precision / recall /
//! F1 with per-document normalisation, mean P and mean R, F1 of the means — computed by the
//! shared implementation in [`super::clean`], so a prediction file written with
//! [`write_predictions`] scores the same under `python3 evaluate.py` (checked to 1e-9).
//!
//! [`evaluate`] takes any closure from a page to its predicted article text;
//! [`evaluate_extract_html`] runs newsmill's own extractor (`ingest::html`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::clean::{metrics, shingle_tp_fp_fn, Prf};

/// Errors while loading the benchmark or writing predictions.
#[derive(Debug, thiserror::Error)]
pub enum HtmlEvalError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File involved.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// `ground-truth.json` is not the expected `{id: {articleBody, url}}` object.
    #[error("{path}: {message}")]
    Format {
        /// File involved.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// One benchmark page.
#[derive(Debug, Clone)]
pub struct AebPage {
    /// Benchmark id (hash; also the file name).
    pub id: String,
    /// Page URL from the ground truth (may be empty).
    pub url: String,
    /// Decompressed HTML.
    pub html: String,
    /// Gold article body.
    pub gold: String,
}

/// Loads every page listed in `dir/ground-truth.json` from `dir/html/<id>.html.gz`, sorted
/// by id so dev/test halves and outputs are stable.
pub fn load_aeb_html(dir: &Path) -> Result<Vec<AebPage>, HtmlEvalError> {
    let gt_path = dir.join("ground-truth.json");
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| HtmlEvalError::Io { path, source }
    };
    let text = std::fs::read_to_string(&gt_path).map_err(io(&gt_path))?;
    let format = |message: String| HtmlEvalError::Format {
        path: gt_path.display().to_string(),
        message,
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format(e.to_string()))?;
    let obj = value
        .as_object()
        .ok_or_else(|| format("top level is not an object".into()))?;
    let mut pages = Vec::with_capacity(obj.len());
    for (id, item) in obj {
        let field = |name: &str| {
            item.get(name)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let path: PathBuf = dir.join("html").join(format!("{id}.html.gz"));
        let file = std::fs::File::open(&path).map_err(io(&path))?;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .map_err(io(&path))?;
        pages.push(AebPage {
            id: id.clone(),
            url: field("url"),
            // The benchmark's pages are UTF-8; stray invalid bytes become U+FFFD.
            html: String::from_utf8_lossy(&bytes).into_owned(),
            gold: field("articleBody"),
        });
    }
    pages.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(pages)
}

/// Scores of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HtmlEvalReport {
    /// All pages.
    pub all: Prf,
    /// Even positions in id order.
    pub dev: Prf,
    /// Odd positions in id order.
    pub test: Prf,
    /// Pages whose prediction is empty (failed or no content found).
    pub empty: usize,
    /// Total HTML bytes processed.
    pub bytes: usize,
    /// Wall-clock seconds spent in `predict` (single-threaded).
    pub seconds: f64,
}

impl HtmlEvalReport {
    /// Extraction throughput in MB (10^6 bytes) of HTML per second.
    pub fn mb_per_s(&self) -> f64 {
        if self.seconds > 0.0 {
            self.bytes as f64 / 1e6 / self.seconds
        } else {
            0.0
        }
    }
}

/// Runs `predict` on every page (in order, one thread, timed) and scores it.
pub fn evaluate<F: Fn(&AebPage) -> String>(
    pages: &[AebPage],
    predict: F,
) -> (HtmlEvalReport, Vec<String>) {
    let start = Instant::now();
    let preds: Vec<String> = pages.iter().map(&predict).collect();
    let seconds = start.elapsed().as_secs_f64();
    let rows: Vec<(f64, f64, f64)> = pages
        .iter()
        .zip(&preds)
        .map(|(p, pred)| shingle_tp_fp_fn(&p.gold, pred))
        .collect();
    let half = |parity: usize| -> Vec<(f64, f64, f64)> {
        rows.iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == parity)
            .map(|(_, r)| *r)
            .collect()
    };
    let report = HtmlEvalReport {
        all: metrics(&rows),
        dev: metrics(&half(0)),
        test: metrics(&half(1)),
        empty: preds.iter().filter(|p| p.trim().is_empty()).count(),
        bytes: pages.iter().map(|p| p.html.len()).sum(),
        seconds,
    };
    (report, preds)
}

/// Default location of the benchmark relative to the repository root.
pub const AEB_HTML_DIR: &str = "../shared/data/boilerplate/scrapinghub_aeb";

/// Scores `ingest::html::extract_html` with `cfg`, passing each page's URL; a page that fails
/// counts as an empty prediction.
pub fn evaluate_extract_html(
    pages: &[AebPage],
    cfg: &crate::ingest::html::HtmlConfig,
) -> (HtmlEvalReport, Vec<String>) {
    evaluate(pages, |p| {
        let url = (!p.url.is_empty()).then_some(p.url.as_str());
        crate::ingest::html::extract_html(&p.html, url, cfg)
            .map(|a| a.text)
            .unwrap_or_default()
    })
}

/// Writes `{"version": version, "output": {id: {"articleBody": text}}}` — the wrapped format
/// `evaluate.py` reads from `output/NAME.json` — for cross-checking with the reference script.
pub fn write_predictions(
    path: &Path,
    version: &str,
    pages: &[AebPage],
    preds: &[String],
) -> Result<(), HtmlEvalError> {
    let mut map = serde_json::Map::new();
    for (p, pred) in pages.iter().zip(preds) {
        let mut o = serde_json::Map::new();
        o.insert(
            "articleBody".to_string(),
            serde_json::Value::String(pred.clone()),
        );
        map.insert(p.id.clone(), serde_json::Value::Object(o));
    }
    let mut top = serde_json::Map::new();
    top.insert(
        "version".to_string(),
        serde_json::Value::String(version.to_string()),
    );
    top.insert("output".to_string(), serde_json::Value::Object(map));
    let text = serde_json::Value::Object(top).to_string();
    std::fs::write(path, text).map_err(|source| HtmlEvalError::Io {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn page(id: &str, gold: &str) -> AebPage {
        AebPage {
            id: id.into(),
            url: String::new(),
            html: format!("<p>{gold}</p>"),
            gold: gold.into(),
        }
    }

    #[test]
    fn scores_perfect_and_empty_predictions() {
        let pages = vec![
            page("a", "one two three four five"),
            page("b", "six seven eight nine ten"),
        ];
        let (r, preds) = evaluate(&pages, |p| p.gold.clone());
        assert_eq!(preds.len(), 2);
        assert!((r.all.f1 - 1.0).abs() < 1e-12 && r.empty == 0);
        let (r, _) = evaluate(&pages, |p| {
            if p.id == "a" {
                p.gold.clone()
            } else {
                String::new()
            }
        });
        // Precision only counts the non-empty prediction; recall counts both pages.
        assert!((r.all.precision - 1.0).abs() < 1e-12);
        assert!((r.all.recall - 0.5).abs() < 1e-12);
        assert_eq!(r.empty, 1);
        assert_eq!((r.dev.docs, r.test.docs), (1, 1));
    }

    /// Regression guard on the real benchmark (skipped when `../shared` is not checked out).
    /// Measured: P 0.930, R 0.989, F1 0.958, no empty page.
    #[test]
    fn aeb_html_scores() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(AEB_HTML_DIR);
        let Ok(pages) = load_aeb_html(&dir) else {
            eprintln!("{} not found; skipping", dir.display());
            return;
        };
        assert_eq!(pages.len(), 181);
        let (r, preds) = evaluate_extract_html(&pages, &crate::ingest::html::HtmlConfig::default());
        assert_eq!(preds.len(), pages.len());
        assert_eq!(r.empty, 0, "{r:?}");
        assert!(r.all.f1 >= 0.955, "{:?}", r.all);
        assert!(
            r.all.precision >= 0.925 && r.all.recall >= 0.985,
            "{:?}",
            r.all
        );
        assert!(r.test.f1 >= 0.95, "{:?}", r.test);
    }

    #[test]
    fn loads_benchmark_layout_and_writes_predictions() {
        let dir = std::env::temp_dir().join(format!("newsmill-eval-html-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("html")).expect("mkdir");
        std::fs::write(
            dir.join("ground-truth.json"),
            r#"{"z": {"articleBody": "gold z", "url": "https://x.org/z"}, "a": {"articleBody": "gold a"}}"#,
        )
        .expect("write gt");
        for id in ["z", "a"] {
            let f = std::fs::File::create(dir.join("html").join(format!("{id}.html.gz")))
                .expect("create");
            let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
            gz.write_all(format!("<p>page {id}</p>").as_bytes())
                .expect("gz");
            gz.finish().expect("finish");
        }
        let pages = load_aeb_html(&dir).expect("load");
        assert_eq!(
            pages.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["a", "z"]
        );
        assert_eq!(pages[1].url, "https://x.org/z");
        assert_eq!(pages[0].html, "<p>page a</p>");
        let out = dir.join("pred.json");
        write_predictions(&out, "test", &pages, &["x".into(), "y".into()]).expect("write");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("json");
        assert_eq!(v["output"]["z"]["articleBody"], "y");
        assert_eq!(v["version"], "test");
        assert!(load_aeb_html(&dir.join("missing")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
