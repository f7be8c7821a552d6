//! `newsmill eval stance --newsmtsc FILE`: scores the built-in target-dependent sentiment model
//! on a NewsMTSC JSONL file (e.g. `devtest_mt.jsonl`): per-class precision, recall and F1 over
//! negative / neutral / positive, macro F1 and accuracy.

use std::fmt;
use std::path::Path;

use crate::stance::StanceError;

/// Class names in label order (NewsMTSC polarity 2.0, 4.0, 6.0).
pub const CLASSES: [&str; 3] = ["negative", "neutral", "positive"];

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ClassScores {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// Gold items of the class.
    pub support: u64,
}

/// Scores of one evaluation run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvalReport {
    /// Data file name (for display).
    pub data: String,
    /// Targets scored.
    pub n: u64,
    /// Fraction of targets labelled correctly.
    pub accuracy: f64,
    /// Unweighted mean of the three class F1 scores.
    pub macro_f1: f64,
    /// Per-class scores, in [`CLASSES`] order.
    pub per_class: [ClassScores; 3],
    /// `confusion[gold][predicted]`.
    pub confusion: [[u64; 3]; 3],
}

impl EvalReport {
    /// Scores predictions against gold labels (both in `0..3`; other values are ignored).
    pub fn from_pairs(data: &str, pairs: impl IntoIterator<Item = (usize, usize)>) -> Self {
        let mut confusion = [[0u64; 3]; 3];
        for (g, p) in pairs {
            if g < 3 && p < 3 {
                confusion[g][p] += 1;
            }
        }
        let n: u64 = confusion.iter().flatten().sum();
        let correct: u64 = (0..3).map(|i| confusion[i][i]).sum();
        let mut per_class = [ClassScores::default(); 3];
        for (c, pc) in per_class.iter_mut().enumerate() {
            let tp = confusion[c][c] as f64;
            let pred: u64 = (0..3).map(|g| confusion[g][c]).sum();
            let gold: u64 = confusion[c].iter().sum();
            let precision = if pred == 0 { 0.0 } else { tp / pred as f64 };
            let recall = if gold == 0 { 0.0 } else { tp / gold as f64 };
            let f1 = if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            *pc = ClassScores {
                precision,
                recall,
                f1,
                support: gold,
            };
        }
        EvalReport {
            data: data.to_string(),
            n,
            accuracy: if n == 0 {
                0.0
            } else {
                correct as f64 / n as f64
            },
            macro_f1: per_class.iter().map(|c| c.f1).sum::<f64>() / 3.0,
            per_class,
            confusion,
        }
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "NewsMTSC target sentiment: {} ({} targets)",
            self.data, self.n
        )?;
        writeln!(
            f,
            "{:<10} {:>9} {:>9} {:>9} {:>8}",
            "class", "precision", "recall", "f1", "gold"
        )?;
        for (name, c) in CLASSES.iter().zip(&self.per_class) {
            writeln!(
                f,
                "{:<10} {:>9.4} {:>9.4} {:>9.4} {:>8}",
                name, c.precision, c.recall, c.f1, c.support
            )?;
        }
        writeln!(f, "macro F1   {:.4}", self.macro_f1)?;
        writeln!(f, "accuracy   {:.4}", self.accuracy)?;
        writeln!(f, "confusion (rows gold, columns predicted: neg neu pos):")?;
        for (name, row) in CLASSES.iter().zip(&self.confusion) {
            writeln!(f, "  {:<9} {:>6} {:>6} {:>6}", name, row[0], row[1], row[2])?;
        }
        Ok(())
    }
}

/// Runs the evaluation: loads `model`, predicts every target of `data`, scores.
pub fn run(model: &Path, data: &Path) -> Result<EvalReport, StanceError> {
    crate::stance::eval_newsmtsc(model, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_by_hand() {
        // gold/pred: 2 neg correct, 1 neg→neu, 1 neu correct, 1 pos→neg.
        let r = EvalReport::from_pairs("t", [(0, 0), (0, 0), (0, 1), (1, 1), (2, 0)]);
        assert_eq!(r.n, 5);
        assert!((r.accuracy - 0.6).abs() < 1e-12);
        let neg = r.per_class[0];
        assert!((neg.precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((neg.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.per_class[1].precision - 0.5).abs() < 1e-12);
        assert!((r.per_class[1].recall - 1.0).abs() < 1e-12);
        assert_eq!(r.per_class[2].f1, 0.0);
        let want = (2.0 / 3.0 + 2.0 / 3.0 + 0.0) / 3.0;
        assert!((r.macro_f1 - want).abs() < 1e-12, "{}", r.macro_f1);
        let shown = r.to_string();
        assert!(shown.contains("macro F1   0.4444"), "{shown}");
    }
}
