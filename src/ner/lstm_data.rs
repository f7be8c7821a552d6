//! Training data for the neural re-scorer: `newsmill train ner-lstm-data`
//! writes, for a labelled file, every sentence's token ids (as cased, UPPER
//! CASE and Title Case, for case augmentation), its gold BILOU tags and,
//! optionally, the perceptron's final emission scores (to tune how much weight
//! the re-scorer gets). `scripts/train_ner_lstm.py` reads it.
//!
//! Format: JSON lines. The first line describes the tag set and the
//! perceptron's last-pass transition scores; every further line is one sentence.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::rescorer::LstmRescorer;
use super::{conll, lstm, lstm_inputs, train::title_case, NerError, NerModel};
use crate::output::atomic_file::{temp_path, write_atomically};

/// Write the re-scorer training file for the documents of every file of `data`, in order
/// (e.g. train and dev for a final retrain); returns the sentence count.
pub fn write(
    model: &NerModel,
    data: &[PathBuf],
    out: &Path,
    with_emissions: bool,
) -> Result<usize, NerError> {
    let mut docs = Vec::new();
    for path in data {
        docs.extend(conll::read_file(path)?);
    }
    let d = model.data();
    let ts = &d.tagset;
    let clusters = &d.res.clusters;
    let n_rows = lstm_inputs::n_rows(clusters);
    let last = d.stage2.as_ref().unwrap_or(&d.stage1);
    let tags = model.tag_names();
    let io = |e| NerError::Io {
        path: out.to_path_buf(),
        source: e,
    };
    // Written to a temporary file renamed at the end, like every model file.
    let tmp = temp_path(out);
    let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io)?);
    let header = serde_json::json!({
        "scheme": d.scheme,
        "tags": tags,
        "input_sizes": lstm_inputs::input_sizes(n_rows),
        "trans": last.trans,
        "start": last.start,
        "end": last.end,
        "source": data.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
    });
    writeln!(w, "{header}").map_err(io)?;
    let mut n = 0;
    for (di, doc) in docs.iter().enumerate() {
        let sents: Vec<Vec<&str>> = doc
            .sentences
            .iter()
            .map(|s| s.tokens.iter().map(String::as_str).collect())
            .collect();
        // The perceptron's last-pass scores of the document as written, in UPPER CASE and
        // in Title Case (the re-scorer trains on all three).
        let cased = |f: &dyn Fn(&str) -> String| -> Vec<Vec<f32>> {
            let mut out = vec![Vec::new(); sents.len()];
            if with_emissions {
                let owned: Vec<Vec<String>> = sents
                    .iter()
                    .map(|s| s.iter().map(|t| f(t)).collect())
                    .collect();
                let toks: Vec<Vec<&str>> = owned
                    .iter()
                    .map(|s| s.iter().map(String::as_str).collect())
                    .collect();
                model.tag_document_raw(&toks, &mut |si, e| {
                    if let Some(slot) = out.get_mut(si) {
                        *slot = e.to_vec();
                    }
                });
            }
            out
        };
        let emissions = [
            cased(&|t| t.to_string()),
            cased(&|t| t.to_uppercase()),
            cased(&|t| title_case(t)),
        ];
        for (si, s) in doc.sentences.iter().enumerate() {
            let ids = |f: &dyn Fn(&str) -> String| -> Vec<[u32; lstm_inputs::N_INPUTS]> {
                s.tokens
                    .iter()
                    .map(|t| lstm_inputs::token_ids(clusters, n_rows, &f(t)))
                    .collect()
            };
            let spans: Vec<(usize, usize, usize)> = conll::spans_of(&s.tags)
                .into_iter()
                .filter_map(|(a, b, t)| d.types.iter().position(|x| *x == t).map(|ti| (a, b, ti)))
                .collect();
            let line = serde_json::json!({
                "doc": di,
                "tokens": s.tokens,
                "ids": ids(&|t| t.to_string()),
                "upper": ids(&|t| t.to_uppercase()),
                "title": ids(&|t| title_case(t)),
                "gold": ts.encode(s.tokens.len(), &spans),
                "emis": emissions[0].get(si).cloned().unwrap_or_default(),
                "emis_upper": emissions[1].get(si).cloned().unwrap_or_default(),
                "emis_title": emissions[2].get(si).cloned().unwrap_or_default(),
            });
            writeln!(w, "{line}").map_err(io)?;
            n += 1;
        }
    }
    w.flush().map_err(io)?;
    drop(w);
    std::fs::rename(&tmp, out).map_err(io)?;
    Ok(n)
}

/// What `calibrate` chose and fitted (both are stored in the re-scorer file's header).
#[derive(Debug, Clone)]
pub struct Calibration {
    /// With `tune_first_pass`: the chosen first-pass weight and the dev score of every weight
    /// tried.
    pub first_pass: Option<(f32, Vec<FirstPassRow>)>,
    /// Span score = sigmoid(a * margin + b).
    pub a: f32,
    pub b: f32,
}

/// Pair `model` with `rescorer`, fit the span-score calibration on `dev` (as training does
/// for the perceptron alone) and store it in the re-scorer file's header, rewritten
/// atomically. With `tune_first_pass`, first score every weight of `FIRST_PASS_GRID` for the
/// re-scorer's first pass on the same dev documents, keep the one `choose_first_pass` allows,
/// and fit the calibration with it. The model, the re-scorer and dev are read once for both.
pub fn calibrate(
    model: &Path,
    rescorer: &Path,
    dev: &Path,
    tune_first_pass: bool,
) -> Result<Calibration, NerError> {
    let mut m = NerModel::load(model)?;
    let mut r = LstmRescorer::load(rescorer)?;
    let docs = conll::read_file(dev)?;
    let pair = |m: &mut NerModel, r: LstmRescorer| pair_with(m, r, model, rescorer);
    let first_pass = if tune_first_pass {
        let rows = score_first_pass_grid(&mut m, &r, &docs, pair)?;
        let chosen = choose_first_pass(&rows);
        r.first_pass = chosen;
        Some((chosen, rows))
    } else {
        None
    };
    pair(&mut m, r)?;
    let (a, b) = super::train::calibrate(&m, &docs);
    let mut values = Vec::new();
    if let Some((chosen, _)) = &first_pass {
        values.push(("first_pass", serde_json::json!(chosen)));
    }
    values.push(("calib", serde_json::json!([a, b])));
    store_header_values(rescorer, &values)?;
    Ok(Calibration { first_pass, a, b })
}

/// Set `r` on `m`; a refusal names the re-scorer file (`rescorer`) and the model (`model`).
fn pair_with(
    m: &mut NerModel,
    r: LstmRescorer,
    model: &Path,
    rescorer: &Path,
) -> Result<(), NerError> {
    m.set_rescorer(r).map_err(|msg| NerError::Model {
        path: rescorer.to_path_buf(),
        msg: format!("{msg} (paired with model {})", model.display()),
    })
}

/// The settings of a re-scorer file that are chosen on dev rather than learned: what
/// `copy_calibration` copies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DevSettings {
    /// How much of the re-scorer's scores join the model's last pass.
    pub mix: f32,
    /// How much join its first pass.
    pub first_pass: f32,
    /// The span-score calibration: `sigmoid(a * margin + b)`.
    pub calib: (f32, f32),
}

/// Copy the settings chosen on dev (`mix`, the first-pass weight and the span-score
/// calibration) of `from`, a re-scorer whose pairing with a model was tuned and calibrated on
/// dev, into `rescorer`'s header (rewritten atomically), after checking that `rescorer` pairs
/// with `model`. For a final retrain on train+dev, where dev is no longer held out and its
/// margins are larger than those of unseen text: a model trained the same way on a little less
/// data has nearly the same margins on unseen text. The mix is copied too because the
/// calibration was fitted with it (a retrain that was given another `--mix` would otherwise
/// pair a calibration with the wrong margins).
pub fn copy_calibration(
    model: &Path,
    rescorer: &Path,
    from: &Path,
) -> Result<DevSettings, NerError> {
    let source = LstmRescorer::load(from)?;
    let Some((a, b)) = source.calib else {
        return Err(NerError::Model {
            path: from.to_path_buf(),
            msg: "has no span-score calibration to copy (run `newsmill train ner-calibrate` \
                  on it first)"
                .into(),
        });
    };
    let mut m = NerModel::load(model)?;
    let target = LstmRescorer::load(rescorer)?;
    if target.tags != source.tags {
        return Err(NerError::Model {
            path: rescorer.to_path_buf(),
            msg: format!("its tag set differs from that of {}", from.display()),
        });
    }
    pair_with(&mut m, target, model, rescorer)?;
    store_header_values(
        rescorer,
        &[
            ("mix", serde_json::json!(source.mix)),
            ("first_pass", serde_json::json!(source.first_pass)),
            ("calib", serde_json::json!([a, b])),
        ],
    )?;
    Ok(DevSettings {
        mix: source.mix,
        first_pass: source.first_pass,
        calib: (a, b),
    })
}

/// Set each `(key, value)` in the re-scorer file's JSON header, rewriting the file atomically
/// once.
fn store_header_values(
    rescorer: &Path,
    values: &[(&str, serde_json::Value)],
) -> Result<(), NerError> {
    let io = |e| NerError::Io {
        path: rescorer.to_path_buf(),
        source: e,
    };
    let mut bytes = std::fs::read(rescorer).map_err(io)?;
    for (key, value) in values {
        bytes =
            lstm::with_header_value(&bytes, key, value.clone()).map_err(|msg| NerError::Model {
                path: rescorer.to_path_buf(),
                msg,
            })?;
    }
    write_atomically(rescorer, &bytes).map_err(io)
}

/// First-pass weights of the re-scorer tried by `calibrate` with `tune_first_pass` (0: the
/// last pass only).
pub const FIRST_PASS_GRID: [f32; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];

/// Dev scores of one first-pass weight.
#[derive(Debug, Clone)]
pub struct FirstPassRow {
    pub weight: f32,
    /// Exact-span F1 in [0, 1] on all dev documents, the even-numbered and the odd-numbered.
    pub all: f64,
    pub even: f64,
    pub odd: f64,
}

/// Score every first-pass weight of `FIRST_PASS_GRID` (how much of the re-scorer's scores
/// also join a two-pass model's first pass, `LstmRescorer::first_pass`) on the even- and the
/// odd-numbered dev documents. `pair` sets the re-scorer on the model.
fn score_first_pass_grid(
    m: &mut NerModel,
    r: &LstmRescorer,
    docs: &[conll::Document],
    pair: impl Fn(&mut NerModel, LstmRescorer) -> Result<(), NerError>,
) -> Result<Vec<FirstPassRow>, NerError> {
    let half = |odd: usize| -> Vec<conll::Document> {
        docs.iter().skip(odd).step_by(2).cloned().collect()
    };
    let halves = [half(0), half(1)];
    let mut rows = Vec::with_capacity(FIRST_PASS_GRID.len());
    for weight in FIRST_PASS_GRID {
        let mut tried = r.clone();
        tried.first_pass = weight;
        pair(m, tried)?;
        let [even, odd] = [&halves[0], &halves[1]].map(|d| super::evaluate_docs(m, d, "dev"));
        let all = super::eval::TypeCounts {
            tp: even.overall.tp + odd.overall.tp,
            fp: even.overall.fp + odd.overall.fp,
            fn_: even.overall.fn_ + odd.overall.fn_,
        };
        rows.push(FirstPassRow {
            weight,
            all: all.f1(),
            even: even.overall.f1(),
            odd: odd.overall.f1(),
        });
    }
    Ok(rows)
}

/// The weight with the best F1 on all of dev among those that beat 0 on both halves; a gain
/// that one half of dev does not confirm is taken for noise and the weight stays 0. `rows`
/// starts with weight 0, as `FIRST_PASS_GRID` does.
fn choose_first_pass(rows: &[FirstPassRow]) -> f32 {
    let Some(base) = rows.first() else {
        return 0.0;
    };
    rows.iter()
        .filter(|x| x.even > base.even && x.odd > base.odd)
        .fold(base, |best, x| if x.all > best.all { x } else { best })
        .weight
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(weight: f32, all: f64, even: f64, odd: f64) -> FirstPassRow {
        FirstPassRow {
            weight,
            all,
            even,
            odd,
        }
    }

    #[test]
    fn first_pass_choice_needs_a_gain_on_both_halves() {
        // 0.5 is best on all of dev, but its gain is on one half only: noise, so 0.25 wins.
        let rows = [
            row(0.0, 0.900, 0.890, 0.910),
            row(0.25, 0.902, 0.891, 0.913),
            row(0.5, 0.905, 0.880, 0.930),
        ];
        assert_eq!(choose_first_pass(&rows), 0.25);
        // No weight beats 0 on both halves: 0 stays.
        assert_eq!(choose_first_pass(&[rows[0].clone(), rows[2].clone()]), 0.0);
        // Ties on both halves are not gains.
        assert_eq!(
            choose_first_pass(&[rows[0].clone(), row(1.0, 0.900, 0.890, 0.910)]),
            0.0
        );
        assert_eq!(choose_first_pass(&[]), 0.0);
    }
}
