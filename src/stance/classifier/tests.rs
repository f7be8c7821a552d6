//! Tests of the model file and of the shipped model's behaviour on sentences written for
//! these tests (not taken from NewsMTSC).

use std::path::Path;

use super::*;

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/stance-newsmtsc.bin");

fn shipped() -> Option<Classifier> {
    let path = Path::new(SHIPPED);
    if !path.exists() {
        eprintln!("skipped: {} not present", path.display());
        return None;
    }
    Some(Classifier::load(path).expect("shipped model loads"))
}

/// Probabilities for the first occurrence of `target` in `s`, the other names masked.
fn probs(m: &Classifier, s: &str, target: &str, others: &[&str]) -> [f32; 3] {
    let at = s.find(target).expect("target in sentence");
    let others: Vec<Range<usize>> = others
        .iter()
        .filter_map(|o| s.find(o).map(|a| a..a + o.len()))
        .collect();
    m.predict_with(s, at..at + target.len(), &others)
}

#[test]
fn shipped_model_has_both_parts() {
    let Some(m) = shipped() else { return };
    assert!(!m.mlps.is_empty(), "the shipped model mixes in the MLP");
    assert!(m.alpha > 0.0 && m.alpha < 1.0, "{}", m.alpha);
    assert!(m.notes().contains("NewsMTSC"), "{}", m.notes());
    let p = m.predict("Senator Smith spoke on Tuesday.", 0..13);
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{p:?}");
}

#[test]
fn shipped_model_flips_with_the_verb() {
    let Some(m) = shipped() else { return };
    // Same frame, the evaluative words decide.
    let pairs = [
        (
            "Voters were furious after Governor Ellison was charged with fraud and corruption.",
            "Voters cheered as Governor Ellison was honoured for her courage and integrity.",
            "Governor Ellison",
        ),
        (
            "The report accused Mayor Dunmore of lying to residents and wasting public money.",
            "The report praised Mayor Dunmore for helping residents and saving public money.",
            "Mayor Dunmore",
        ),
    ];
    for (neg, pos, t) in pairs {
        let pn = probs(&m, neg, t, &[]);
        let pp = probs(&m, pos, t, &[]);
        assert_eq!(argmax3(&pn), 0, "negative about {t}: {pn:?} in {neg}");
        assert_eq!(argmax3(&pp), 2, "positive about {t}: {pp:?} in {pos}");
    }
}

#[test]
fn shipped_model_is_target_dependent() {
    let Some(m) = shipped() else { return };
    // One sentence, two people: the attacker is not the one spoken of badly.
    let s = "Hartley praised Okafor as a brilliant and honest leader, while Okafor's critics were silent.";
    let p = probs(&m, s, "Okafor", &["Hartley"]);
    assert!(p[2] > p[0], "Okafor praised: {p:?}");
    let s = "Critics slammed Senator Voss for lying to voters and betraying his party.";
    let p = probs(&m, s, "Senator Voss", &[]);
    assert!(p[0] > p[2] && p[0] > p[1], "Voss attacked: {p:?}");
    // A plain factual sentence leans neutral.
    let s = "Senator Voss will travel to Denver on Thursday for a meeting with state officials.";
    let p = probs(&m, s, "Senator Voss", &[]);
    assert_eq!(argmax3(&p), 1, "neutral: {p:?}");
}

#[test]
fn other_versions_and_garbage_are_refused_naming_the_file() {
    let Some(m) = shipped() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.bin");
    let mut bytes = format::to_bytes(&m);
    bytes[8..12].copy_from_slice(&1u32.to_le_bytes());
    std::fs::write(&path, &bytes).expect("write");
    let err = Classifier::load(&path)
        .expect_err("version 1 refused")
        .to_string();
    assert!(
        err.contains("old.bin") && err.contains("version 1"),
        "{err}"
    );
    std::fs::write(&path, b"NMSTANCE").expect("write");
    let err = Classifier::load(&path).expect_err("truncated").to_string();
    assert!(err.contains("old.bin"), "{err}");
}

#[test]
fn mlp_model_saves_and_loads_identically() {
    // A tiny model with a hand-made 4-d vector table, so the MLP path runs without the
    // shared data: "good"-like words near one corner, "bad"-like near another.
    let mut keys_rows: Vec<(u64, u16)> = [
        ("praised", 0u16),
        ("admired", 0),
        ("thanked", 0),
        ("applauded", 0),
        ("attacked", 1),
        ("insulted", 1),
        ("blamed", 1),
        ("mocked", 1),
        ("travelled", 2),
        ("the", 3),
        ("senator", 3),
    ]
    .iter()
    .map(|(w, r)| (fnv(w.as_bytes()), *r))
    .collect();
    keys_rows.sort_unstable();
    let table = WordTable {
        keys: keys_rows.iter().map(|p| p.0).collect(),
        rows: keys_rows.iter().map(|p| p.1).collect(),
    };
    let q: Vec<i8> = vec![
        127, 0, 0, 0, //
        0, 127, 0, 0, //
        0, 0, 127, 0, //
        0, 0, 0, 127,
    ];
    let vectors = Vectors::from_quantised(4, q, vec![1.0 / 127.0; 4]).expect("vectors");
    let mut data = Vec::new();
    for (i, (w, label)) in [
        ("praised", 2),
        ("admired", 2),
        ("attacked", 0),
        ("insulted", 0),
        ("thanked", 2),
        ("blamed", 0),
    ]
    .iter()
    .enumerate()
    {
        for name in ["Smith", "Jones"] {
            let text = format!("The senator {w} {name}.");
            let at = text.find(name).unwrap_or(0);
            data.push(Example {
                target: at..at + name.len(),
                text,
                others: vec![],
                label: *label,
                group: i,
            });
        }
    }
    let params = TrainParams {
        bits: 12,
        mlp: MlpParams {
            hidden: 8,
            epochs: 30,
            lr: 0.01,
            ..MlpParams::default()
        },
        ..TrainParams::default()
    };
    let m = Classifier::train_with(&data, table.clone(), vectors.clone(), params, 3);
    let m2 = Classifier::train_with(&data, table, vectors, params, 3);
    assert_eq!(format::to_bytes(&m), format::to_bytes(&m2), "reproducible");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("m.bin");
    m.save(&path).expect("save");
    let loaded = Classifier::load(&path).expect("load");
    let s = "The senator applauded Brown.";
    let a = m.parts(s, 22..27, &[]);
    let b = loaded.parts(s, 22..27, &[]);
    assert_eq!(a, b);
    let d = a.dense.expect("MLP present");
    assert!(
        d[2] > d[0],
        "unseen 'applauded' shares the 'praised' vector: {d:?}"
    );
    let s = "The senator mocked Brown.";
    let d = loaded.parts(s, 19..24, &[]).dense.expect("MLP present");
    assert!(d[0] > d[2], "'mocked' shares the 'attacked' vector: {d:?}");
}

#[test]
fn confidence_table_counts_kept_records_and_their_precision() {
    let pred = |label: usize, multi: bool, logits: [f32; 3]| CvPrediction {
        label,
        multi,
        parts: Parts {
            sparse: logits,
            dense: None,
        },
    };
    // Probabilities: a confident right negative (~0.98), a confident wrong positive (~0.98),
    // a weak right positive (~0.58), a neutral prediction (never a record).
    let preds = [
        pred(0, true, [5.0, 1.0, 0.0]),
        pred(0, false, [0.0, 1.0, 5.0]),
        pred(2, true, [0.0, 0.0, 1.0]),
        pred(2, false, [0.0, 4.0, 0.0]),
    ];
    let table = confidence_table(&preds, 0.0);
    let row = |t: &str| -> Vec<String> {
        let line = table.lines().find(|l| l.starts_with(t)).expect("row");
        line.split(" | ").map(str::to_string).collect()
    };
    // At 0.50 three records are kept, two right; 4 gold polar targets, 2 of them multi.
    assert_eq!(
        row("0.50")[1..],
        ["3", "0.667", "0.500", "2", "1.000", "1.000"]
    );
    // At 0.60 the weak positive is dropped.
    assert_eq!(
        row("0.60")[1..],
        ["2", "0.500", "0.250", "1", "1.000", "0.500"]
    );
}
