//! `newsmill eval ...`: accuracy of each stage on held-out gold data.

pub mod clean;
pub mod gold;
pub mod html;
pub mod quotes;
pub mod sbd;
pub mod stance;
pub mod stance_records;

/// `a / b`, or 0 when `b` is 0.
pub(crate) fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Precision, recall and F1 from true positives, predictions and gold items (0 where a
/// denominator is 0).
pub(crate) fn prf(tp: usize, predicted: usize, gold: usize) -> (f64, f64, f64) {
    let p = ratio(tp, predicted);
    let r = ratio(tp, gold);
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}
