//! The neural re-scorer paired with a perceptron (`NerModel::set_rescorer`): one BiLSTM-CRF
//! network (`lstm.rs`), or an ensemble of networks trained alike from different seeds whose
//! scores are averaged. Averaging independently trained networks cancels part of each one's
//! seed-specific errors, at the cost of one more network's tagging time per member.
//!
//! A re-scorer file holds its networks' records back to back (`lstm.rs` describes a record);
//! `newsmill train ner-lstm-join` writes one from single-network files. The first record's
//! header settings are the whole file's: `mix`, `first_pass` and `calib` (which
//! `train ner-calibrate` rewrites there); the later records' own values of them are ignored.
//! Each of the K networks adds `mix / K` times its scores, and the CRF transition, start and
//! end scores are the networks' mean, so a file of one network behaves exactly as before.

use std::path::Path;

use super::features::Clusters;
use super::lstm::{CrfScores, LstmNet, NetScratch};
use super::lstm_inputs::N_INPUTS;
use super::NerError;

/// A loaded re-scorer file: one network or several. Immutable; share across threads.
#[derive(Debug, Clone)]
pub struct LstmRescorer {
    nets: Vec<LstmNet>,
    /// BILOU tag names in the perceptron's order (every network's; checked when paired).
    pub tags: Vec<String>,
    /// Label scheme the networks were trained for.
    pub scheme: String,
    /// Weight of the (averaged) re-scorer scores added to the perceptron's: the first record's.
    pub mix: f32,
    /// Share of the scores that also join a two-pass model's first pass (the first record's;
    /// see `LstmNet::first_pass`).
    pub first_pass: f32,
    /// Mean CRF transition, start and end scores of the networks (`None`: softmax networks).
    pub crf: Option<CrfScores>,
    /// Span-score calibration `(a, b)` of the pairing (the first record's; see `LstmNet::calib`).
    pub calib: Option<(f32, f32)>,
    /// The first record's training metadata, with the network count when there are several.
    pub meta: String,
}

/// Per-thread buffers: one scratch (and input cache) per network of the file.
#[derive(Debug, Default, Clone)]
pub struct LstmScratch {
    nets: Vec<NetScratch>,
}

impl LstmRescorer {
    /// Load a re-scorer file. Errors name the file and what is wrong.
    pub fn load(path: &Path) -> Result<Self, NerError> {
        let bytes = std::fs::read(path).map_err(|e| NerError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Self::from_bytes(&bytes).map_err(|msg| NerError::Model {
            path: path.to_path_buf(),
            msg,
        })
    }

    /// Parse every record of a re-scorer file.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let mut nets = Vec::new();
        let mut rest = bytes;
        loop {
            let (net, after) = LstmNet::from_record(rest).map_err(|msg| {
                if nets.is_empty() {
                    msg
                } else {
                    format!("network {} of the file: {msg}", nets.len() + 1)
                }
            })?;
            nets.push(net);
            rest = after;
            if rest.is_empty() {
                break;
            }
        }
        Self::from_nets(nets)
    }

    /// Combine networks (at least one) that share tags, scheme, inputs and output layer kind.
    fn from_nets(nets: Vec<LstmNet>) -> Result<Self, String> {
        let first = nets
            .first()
            .ok_or("a re-scorer needs at least one network")?;
        for (i, n) in nets.iter().enumerate().skip(1) {
            if let Some(what) = mismatch(first, n) {
                return Err(format!(
                    "network {} of the file has another {what} than the first",
                    i + 1
                ));
            }
        }
        let k = nets.len() as f32;
        let mean = |part: fn(&CrfScores) -> &Vec<f32>| -> Vec<f32> {
            let mut acc = vec![0f32; first.crf.as_ref().map_or(0, |c| part(c).len())];
            for c in nets.iter().filter_map(|n| n.crf.as_ref()) {
                for (a, x) in acc.iter_mut().zip(part(c)) {
                    *a += x / k;
                }
            }
            acc
        };
        let crf = first.crf.as_ref().map(|_| CrfScores {
            trans: mean(|c| &c.trans),
            start: mean(|c| &c.start),
            end: mean(|c| &c.end),
        });
        let meta = if nets.len() > 1 {
            format!("{} networks={}", first.meta, nets.len())
        } else {
            first.meta.clone()
        };
        Ok(LstmRescorer {
            tags: first.tags.clone(),
            scheme: first.scheme.clone(),
            mix: first.mix,
            first_pass: first.first_pass,
            calib: first.calib,
            crf,
            meta,
            nets,
        })
    }

    /// Number of networks whose scores are averaged.
    pub fn networks(&self) -> usize {
        self.nets.len()
    }

    /// Hidden size of each LSTM direction (of the first network).
    pub fn hidden(&self) -> usize {
        self.nets.first().map_or(0, LstmNet::hidden)
    }

    /// Check that the re-scorer fits a perceptron with these tag names, scheme and
    /// word-vector rows (the networks were checked against each other at load).
    pub fn check_pair(
        &self,
        tags: &[String],
        scheme: &str,
        clusters: &Clusters,
    ) -> Result<(), String> {
        match self.nets.first() {
            Some(n) => n.check_pair(tags, scheme, clusters),
            None => Err("a re-scorer needs at least one network".into()),
        }
    }

    /// Add `mix` times the networks' mean scores for every token of a sentence to `emis`
    /// (`n_tokens * n_tags`), as `LstmNet::add_scores` does for one. Networks are added in
    /// file order, so results do not depend on threads.
    pub fn add_scores(
        &self,
        tokens: &[&str],
        ids_of: &mut dyn FnMut(&str) -> [u32; N_INPUTS],
        emis: &mut [f32],
        sc: &mut LstmScratch,
    ) {
        let weight = self.mix / self.nets.len() as f32;
        if sc.nets.len() < self.nets.len() {
            sc.nets.resize_with(self.nets.len(), NetScratch::default);
        }
        for (net, s) in self.nets.iter().zip(sc.nets.iter_mut()) {
            net.add_scores(tokens, ids_of, emis, s, weight);
        }
    }
}

/// What keeps `n` from joining `first` in one ensemble, if anything.
fn mismatch(first: &LstmNet, n: &LstmNet) -> Option<&'static str> {
    if n.tags != first.tags {
        Some("tag set")
    } else if n.scheme != first.scheme {
        Some("scheme")
    } else if n.input_sizes != first.input_sizes {
        Some("input sizes")
    } else if n.crf.is_some() != first.crf.is_some() {
        Some("output layer (CRF or softmax)")
    } else {
        None
    }
}

/// The bytes of a re-scorer file holding the networks of `files` (each a name for messages,
/// e.g. its path, and a re-scorer file's bytes, of one network or several) in that order,
/// after checking that they load together. The first file's header settings (`mix`,
/// `first_pass`, `calib`) become the ensemble's. Returns the file's bytes and the loaded
/// ensemble they hold. Errors name the file at fault.
pub fn join(files: &[(&str, &[u8])]) -> Result<(Vec<u8>, LstmRescorer), String> {
    let mut out = Vec::with_capacity(files.iter().map(|(_, b)| b.len()).sum());
    let mut nets: Vec<LstmNet> = Vec::new();
    let mut first_name = "";
    for &(name, bytes) in files {
        let r = LstmRescorer::from_bytes(bytes).map_err(|m| format!("{name}: {m}"))?;
        for net in r.nets {
            match nets.first() {
                None => first_name = name,
                Some(f) => {
                    if let Some(what) = mismatch(f, &net) {
                        return Err(format!(
                            "{name}: a network has another {what} than the first network of \
                             {first_name}"
                        ));
                    }
                }
            }
            nets.push(net);
        }
        out.extend_from_slice(bytes);
    }
    Ok((out, LstmRescorer::from_nets(nets)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::lstm::tests::{ids_of, tiny_model_bytes};
    use crate::ner::lstm::with_header_value;

    fn scores(r: &LstmRescorer, toks: &[&str], sc: &mut LstmScratch) -> Vec<f32> {
        let mut emis = vec![0f32; toks.len() * r.tags.len()];
        let first = &r.nets[0];
        r.add_scores(toks, &mut |t| ids_of(first, t), &mut emis, sc);
        emis
    }

    const TOKS: [&str; 6] = ["ab", "c", "ab", "abcabc", "zz", "c"];

    #[test]
    fn a_file_of_one_network_scores_as_that_network() {
        let b = tiny_model_bytes(6, true, 1);
        let r = LstmRescorer::from_bytes(&b).expect("one network");
        let net = LstmNet::from_bytes(&b).expect("one record");
        assert_eq!(r.networks(), 1);
        let mut want = vec![0f32; TOKS.len() * net.tags.len()];
        let mut ids = |t: &str| ids_of(&net, t);
        net.add_scores(
            &TOKS,
            &mut ids,
            &mut want,
            &mut NetScratch::default(),
            net.mix,
        );
        let got = scores(&r, &TOKS, &mut LstmScratch::default());
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&want));
        assert_eq!(
            r.crf.as_ref().map(|c| &c.trans),
            net.crf.as_ref().map(|c| &c.trans)
        );
    }

    #[test]
    fn an_ensemble_averages_its_networks_under_the_first_header() {
        let (a, b) = (tiny_model_bytes(6, true, 1), tiny_model_bytes(6, true, 2));
        // The second file's own settings must not leak into the ensemble.
        let b = with_header_value(&b, "mix", serde_json::json!(3.0)).expect("header");
        let a = with_header_value(&a, "calib", serde_json::json!([2.0, -1.0])).expect("header");
        let (joined, made) = join(&[("a", &a), ("b", &b)]).expect("compatible networks");
        let r = LstmRescorer::from_bytes(&joined).expect("two networks");
        assert_eq!((r.networks(), r.mix, r.calib), (2, 0.5, Some((2.0, -1.0))));
        // What join hands back is what its file loads as.
        assert_eq!(
            (made.networks(), made.mix, made.calib),
            (2, 0.5, Some((2.0, -1.0)))
        );
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&scores(&made, &TOKS, &mut LstmScratch::default())),
            bits(&scores(&r, &TOKS, &mut LstmScratch::default()))
        );
        let (na, nb) = (
            LstmRescorer::from_bytes(&a).expect("a"),
            LstmRescorer::from_bytes(&b).expect("b"),
        );
        let (sa, sb) = (
            scores(&na, &TOKS, &mut LstmScratch::default()),
            scores(&nb, &TOKS, &mut LstmScratch::default()),
        );
        let got = scores(&r, &TOKS, &mut LstmScratch::default());
        // Each network's scores at mix 0.5 (the first header's), halved.
        for ((g, x), y) in got.iter().zip(&sa).zip(&sb) {
            let want = 0.5 * x + 0.5 * (y / 3.0 * 0.5);
            assert!(
                (g - want).abs() <= 1e-5 * (1.0 + want.abs()),
                "{g} vs {want}"
            );
        }
        let (ca, cb, c) = (na.crf.unwrap(), nb.crf.unwrap(), r.crf.unwrap());
        for ((m, x), y) in c.trans.iter().zip(&ca.trans).zip(&cb.trans) {
            assert!((m - (x + y) / 2.0).abs() < 1e-6);
        }
        // A calibration rewrite touches the first header only and keeps the second network.
        let again = with_header_value(&joined, "first_pass", serde_json::json!(0.5)).expect("hdr");
        let r2 = LstmRescorer::from_bytes(&again).expect("still two networks");
        assert_eq!((r2.networks(), r2.first_pass), (2, 0.5));
    }

    #[test]
    fn networks_that_do_not_fit_together_are_refused() {
        let crf = tiny_model_bytes(6, true, 1);
        let softmax = tiny_model_bytes(6, false, 2);
        let err = join(&[("crf.lstm", &crf), ("softmax.lstm", &softmax)]).unwrap_err();
        assert!(
            err.starts_with("softmax.lstm: a network has another output layer")
                && err.contains("than the first network of crf.lstm"),
            "{err}"
        );
        // The same two records in one file (say, concatenated by hand) are refused at load.
        let err = LstmRescorer::from_bytes(&[crf.as_slice(), &softmax].concat()).unwrap_err();
        assert!(
            err.contains("network 2 of the file has another output layer"),
            "{err}"
        );
        let other_tags =
            with_header_value(&crf, "tags", serde_json::json!(["O", "U-Y", "B-Y"])).expect("hdr");
        let err = join(&[("crf.lstm", &crf), ("y.lstm", &other_tags)]).unwrap_err();
        assert!(
            err.starts_with("y.lstm:") && err.contains("tag set"),
            "{err}"
        );
        // A truncated second record is named as such.
        let mut cut = crf.clone();
        cut.extend_from_slice(&crf[..crf.len() / 2]);
        let err = LstmRescorer::from_bytes(&cut).unwrap_err();
        assert!(err.contains("network 2 of the file"), "{err}");
        let err = LstmRescorer::from_bytes(&[crf.as_slice(), b"junk"].concat()).unwrap_err();
        assert!(err.contains("network 2") && err.contains("magic"), "{err}");
    }
}
