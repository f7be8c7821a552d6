//! Reading NewsMTSC JSONL files into one [`Example`] per target.

use std::ops::Range;
use std::path::Path;

use super::super::StanceError;

/// One NewsMTSC target: sentence, target span, the other targets' spans, gold label.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The sentence.
    pub text: String,
    /// Byte span of the target in `text`.
    pub target: Range<usize>,
    /// Byte spans of the other targets.
    pub others: Vec<Range<usize>>,
    /// 0 negative, 1 neutral, 2 positive.
    pub label: usize,
    /// Sentence number in the file (for grouped cross-validation).
    pub group: usize,
}

/// Converts a char offset of `s` to a byte offset (clamped to the end).
fn char_to_byte(s: &str, c: usize) -> usize {
    s.char_indices().nth(c).map(|x| x.0).unwrap_or(s.len())
}

/// Reads a NewsMTSC JSONL file: one [`Example`] per target (polarity 2/4/6 → 0/1/2).
pub fn read_newsmtsc(path: &Path) -> Result<Vec<Example>, StanceError> {
    let fmt_err = |line: usize, message: String| StanceError::Format {
        path: path.to_path_buf(),
        message: format!("line {line}: {message}"),
    };
    let text = std::fs::read_to_string(path).map_err(|source| StanceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| fmt_err(i + 1, e.to_string()))?;
        let s = v
            .get("sentence_normalized")
            .and_then(|x| x.as_str())
            .ok_or_else(|| fmt_err(i + 1, "missing sentence_normalized".into()))?;
        let targets = v
            .get("targets")
            .and_then(|x| x.as_array())
            .ok_or_else(|| fmt_err(i + 1, "missing targets".into()))?;
        let mut spans = Vec::new();
        let mut labels = Vec::new();
        for t in targets {
            let from = t.get("from").and_then(|x| x.as_u64()).unwrap_or(0) as usize;
            let to = t.get("to").and_then(|x| x.as_u64()).unwrap_or(0) as usize;
            let pol = t.get("polarity").and_then(|x| x.as_f64()).unwrap_or(0.0);
            let label = match pol.round() as i64 {
                2 => 0,
                4 => 1,
                6 => 2,
                other => return Err(fmt_err(i + 1, format!("polarity {other} not in 2, 4, 6"))),
            };
            spans.push(char_to_byte(s, from)..char_to_byte(s, to));
            labels.push(label);
        }
        for (k, (span, label)) in spans.iter().zip(&labels).enumerate() {
            let others = spans
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, r)| r.clone())
                .collect();
            out.push(Example {
                text: s.to_string(),
                target: span.clone(),
                others,
                label: *label,
                group: i,
            });
        }
    }
    Ok(out)
}
