//! Acceptance tests of the shipped NER models: `models/ner-conll.bin`, alone and paired with its
//! re-scorer `models/ner-conll.lstm` (the default), on real model output: F1 on a held-out
//! slice of CoNLL-2003 test, and the key entities of the seed articles (labels and byte
//! offsets) through the clean → split → ner stages; `models/ner-ontonotes.bin` paired with
//! `models/ner-ontonotes.lstm`: F1 and span-score calibration on a slice of CoNLL-2012 test.

mod common;

use std::path::{Path, PathBuf};

use common::repo;
use newsmill::config::PipelineConfig;
use newsmill::doc::{Doc, DocId, DocMeta, Source};
use newsmill::ner::{self, conll, NerModel};
use newsmill::stage::Stage;
use newsmill::stages::ner::Rescorer;
use newsmill::stages::{clean::CleanStage, ner::NerStage, split::SplitStage};

fn conll_model() -> NerModel {
    let path = repo().join("models/ner-conll.bin");
    NerModel::load(&path).unwrap_or_else(|e| panic!("cannot load shipped model: {e}"))
}

/// The shipped perceptron `models/{name}.bin` paired with its shipped re-scorer
/// `models/{name}.lstm`, as `[ner] rescorer = "auto"` (the default) loads them.
fn paired_model(name: &str) -> NerModel {
    let path = repo().join(format!("models/{name}.bin"));
    let file = Rescorer::Auto.file_for(&path);
    assert_eq!(file, Some(repo().join(format!("models/{name}.lstm"))));
    NerModel::load_with_rescorer(&path, file)
        .unwrap_or_else(|e| panic!("cannot load shipped model {name} and its re-scorer: {e}"))
}

fn paired_conll_model() -> NerModel {
    paired_model("ner-conll")
}

/// The even-numbered documents of CoNLL-2003 test (the held-out slice of the F1 floors).
fn conll_test_slice() -> Vec<conll::Document> {
    let data = repo().join("../shared/data/ner/conll2003/test.txt");
    assert!(
        data.exists(),
        "CoNLL-2003 test data not found at {}: this test needs the shared data checkout \
         (../shared/data/ner/conll2003/test.txt next to the repository); CI always has it",
        data.display()
    );
    let docs = conll::read_file(&data).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        docs.len() > 200,
        "expected 231 documents, read {}",
        docs.len()
    );
    docs.into_iter().step_by(2).collect()
}

/// Floor for the exact-span micro F1 of `ner-conll.bin` on the even-numbered documents
/// (0, 2, 4, ...) of CoNLL-2003 test (`test.txt`, 116 of its 231 documents, 23,836
/// tokens). The model card (models/README.md, "Scores") reports 89.13 for this slice
/// (the full test set scores 90.17); the floor is 2 points under it, so a retrained model
/// that loses more than that fails here.
const CONLL_TEST_SLICE_F1_FLOOR: f64 = 87.13;

#[test]
fn conll_model_f1_on_held_out_test_slice() {
    let slice = conll_test_slice();
    let model = conll_model();
    let rep = ner::evaluate_docs(&model, &slice, "conll2003 test, even documents");
    let f1 = 100.0 * rep.overall.f1();
    eprintln!(
        "ner-conll on {} documents / {} tokens of CoNLL-2003 test: P {:.2} R {:.2} F1 {:.2}",
        slice.len(),
        rep.tokens,
        100.0 * rep.overall.precision(),
        100.0 * rep.overall.recall(),
        f1
    );
    assert!(
        rep.tokens > 20_000,
        "slice too small: {} tokens",
        rep.tokens
    );
    assert!(
        f1 >= CONLL_TEST_SLICE_F1_FLOOR,
        "F1 {f1:.2} on the CoNLL-2003 test slice is under the floor {CONLL_TEST_SLICE_F1_FLOOR}"
    );
    // Every wrong prediction is exactly one classified error; missed gold spans are the false
    // negatives that no prediction touched.
    let kinds = |k: ner::eval_errors::ErrorKind| rep.error_counts.get(&k).copied().unwrap_or(0);
    use ner::eval_errors::ErrorKind as K;
    assert_eq!(
        kinds(K::Type) + kinds(K::Boundary) + kinds(K::BoundaryType) + kinds(K::Spurious),
        rep.overall.fp
    );
    assert!(kinds(K::Missed) > 0 && kinds(K::Missed) < rep.overall.fn_);

    // Headline casing (`eval ner --case upper|title`): the case-augmented training keeps the
    // loss within about 6 points on the full test set (models/README.md: 85.59 / 84.71 against
    // 90.17); a model that loses more than 8 here has lost its case robustness.
    for case in [ner::CaseTransform::Upper, ner::CaseTransform::Title] {
        let opts = ner::EvalOptions {
            case,
            ..Default::default()
        };
        let rc = ner::evaluate_docs_with(&model, &slice, "re-cased", &opts);
        let f1c = 100.0 * rc.overall.f1();
        eprintln!(
            "ner-conll on the same slice, case {}: F1 {f1c:.2}",
            case.name()
        );
        assert!(
            f1c >= f1 - 8.0 && f1c < f1,
            "case {}: F1 {f1c:.2} against {f1:.2} as written",
            case.name()
        );
    }
}

/// Floor for the same slice and metric with the re-scorer (`models/ner-conll.lstm`) paired,
/// as the default configuration tags. The model card reports 89.58 for this slice (full test
/// set: 90.36); the floor is 2 points under it.
const PAIRED_TEST_SLICE_F1_FLOOR: f64 = 87.58;

#[test]
fn paired_conll_model_f1_and_score_calibration_on_held_out_test_slice() {
    let slice = conll_test_slice();
    let model = paired_conll_model();
    let r = model.rescorer().expect("paired");
    assert!(
        r.calib.is_some(),
        "the shipped re-scorer carries its span-score calibration"
    );
    let rep = ner::evaluate_docs(&model, &slice, "conll2003 test, even documents");
    let f1 = 100.0 * rep.overall.f1();
    let cal = &rep.calibration;
    eprintln!(
        "ner-conll + re-scorer on the slice: P {:.2} R {:.2} F1 {f1:.2}; span scores mean {:.3}, \
         ECE {:.3}",
        100.0 * rep.overall.precision(),
        100.0 * rep.overall.recall(),
        cal.mean_score(),
        cal.ece()
    );
    assert!(
        f1 >= PAIRED_TEST_SLICE_F1_FLOOR,
        "F1 {f1:.2} with the re-scorer is under the floor {PAIRED_TEST_SLICE_F1_FLOOR}"
    );
    // Every predicted span got a score; the dev-fitted calibration must stay roughly honest
    // on held-out news (copied from the train-only pairing, where it was fitted on dev: ECE
    // 0.035 on this slice, 0.028 on the whole test set, 0.038 for the perceptron alone there).
    assert_eq!(cal.spans(), rep.overall.tp + rep.overall.fp);
    assert!(
        cal.ece() < 0.05,
        "expected calibration error {:.3}",
        cal.ece()
    );
}

#[test]
fn rescorer_pairs_only_with_a_model_it_fits() {
    let lstm = repo().join("models/ner-conll.lstm");
    // The CoNLL re-scorer refuses the OntoNotes model, naming both files and the reason.
    let onto = repo().join("models/ner-ontonotes.bin");
    let err = NerModel::load_with_rescorer(&onto, Some(lstm.clone()))
        .expect_err("scheme mismatch")
        .to_string();
    assert!(
        err.contains("ner-conll.lstm") && err.contains("ner-ontonotes.bin"),
        "{err}"
    );
    assert!(err.contains("scheme"), "{err}");
    // A missing file is an error that names it, not a silent fallback to no re-scorer.
    let missing = repo().join("models/no-such.lstm");
    let err = NerModel::load_with_rescorer(&repo().join("models/ner-conll.bin"), Some(missing))
        .expect_err("missing file")
        .to_string();
    assert!(err.contains("no-such.lstm"), "{err}");
    // "auto" pairs a model with its sibling .lstm file (both shipped models have one; a model
    // without one runs alone, see `stages::ner` tests); "none" drops the re-scorer.
    assert_eq!(
        Rescorer::Auto.file_for(&onto),
        Some(repo().join("models/ner-ontonotes.lstm"))
    );
    let plain =
        NerModel::load_with_rescorer(&repo().join("models/ner-conll.bin"), None).expect("loads");
    assert!(plain.rescorer().is_none());
    // The paired model still tags text on its own, with spans in token order.
    let paired = paired_conll_model();
    let toks = [
        "Dmitry",
        "Medvedev",
        "flew",
        "to",
        "Tbilisi",
        "with",
        "NATO",
        "officials",
        ".",
    ];
    let spans = paired.tag_document(&[toks.to_vec()]);
    let got: Vec<(usize, usize, &str)> = spans[0]
        .iter()
        .map(|e| (e.start, e.end, e.label.as_str()))
        .collect();
    assert_eq!(got, [(0, 2, "PER"), (4, 5, "LOC"), (6, 7, "ORG")]);
    assert!(spans[0].iter().all(|e| e.score > 0.0 && e.score < 1.0));
}

/// Floor for the exact-span micro F1 of `ner-ontonotes.bin` paired with its re-scorer
/// `ner-ontonotes.lstm` (as `[ner] rescorer = "auto"` loads them) on every fourth document of
/// the OntoNotes CoNLL-2012 test set (52 documents, 32,380 tokens). The model card reports
/// 89.07 for this slice (the whole test set scores 86.66) since both files were retrained on
/// train + dev (the perceptron in session 20, the re-scorer in session 21); the floor is 1.9
/// points under it, as before.
const ONTONOTES_PAIRED_SLICE_F1_FLOOR: f64 = 87.17;

#[test]
fn paired_ontonotes_model_f1_on_a_held_out_test_slice() {
    let model = paired_model("ner-ontonotes");
    let r = model.rescorer().expect("paired");
    assert_eq!(r.scheme, "ontonotes");
    assert!(r.calib.is_some(), "the re-scorer carries its calibration");
    assert!(
        r.first_pass > 0.0,
        "ner-ontonotes.lstm was tuned on dev to join the first pass too"
    );
    let data = repo().join("../shared/data/ner/ontonotes5/onto.conll-2012-test.ner.bio");
    assert!(
        data.exists(),
        "OntoNotes test data not found at {}: this test needs the shared data checkout",
        data.display()
    );
    let docs = conll::read_file(&data).unwrap_or_else(|e| panic!("{e}"));
    let slice: Vec<conll::Document> = docs.into_iter().step_by(4).collect();
    let rep = ner::evaluate_docs(&model, &slice, "conll-2012 test, every fourth document");
    let f1 = 100.0 * rep.overall.f1();
    eprintln!(
        "ner-ontonotes + re-scorer on {} documents / {} tokens of CoNLL-2012 test: F1 {f1:.2}, \
         ECE {:.3}",
        slice.len(),
        rep.tokens,
        rep.calibration.ece()
    );
    assert!(
        rep.tokens > 30_000,
        "slice too small: {} tokens",
        rep.tokens
    );
    assert!(
        f1 >= ONTONOTES_PAIRED_SLICE_F1_FLOOR,
        "F1 {f1:.2} is under the floor {ONTONOTES_PAIRED_SLICE_F1_FLOOR}"
    );
    assert_eq!(model.labels().len(), 18);
    // The dev-fitted calibration stays honest on held-out text (model card: ECE 0.003 on dev
    // for the train-only perceptron it was fitted with, 0.008 on the whole CoNLL-2012 test set
    // with the train + dev one).
    assert_eq!(rep.calibration.spans(), rep.overall.tp + rep.overall.fp);
    assert!(
        rep.calibration.ece() < 0.05,
        "ECE {:.3}",
        rep.calibration.ece()
    );
}

/// Runs clean → split → ner with the repository's pipeline.toml on one seed article.
fn tag_seed(path: &Path, stages: &[Box<dyn Stage>]) -> Doc {
    let raw = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read seed {}: {e}", path.display()));
    let mut doc = Doc::new(
        DocId::from_source_key(&path.display().to_string()),
        Source::plain_text(path.display().to_string()),
        raw,
        DocMeta::default(),
    );
    for s in stages {
        s.process(&mut doc)
            .unwrap_or_else(|e| panic!("stage {} failed on {}: {e:?}", s.name(), path.display()));
    }
    doc
}

#[test]
fn seed_articles_key_entities_have_right_types_and_offsets() {
    let mut cfg = PipelineConfig::load(&repo().join("pipeline.toml"))
        .unwrap_or_else(|e| panic!("cannot load pipeline.toml: {e}"));
    cfg.ner.model = repo().join("models/ner-conll.bin");
    cfg.ner.min_score = 0.0;
    let stages: Vec<Box<dyn Stage>> = vec![
        Box::new(CleanStage::new(&cfg.clean).unwrap_or_else(|e| panic!("{e}"))),
        Box::new(SplitStage::new(&cfg.split).unwrap_or_else(|e| panic!("{e}"))),
        Box::new(NerStage::new(&cfg.ner).unwrap_or_else(|e| panic!("{e}"))),
    ];
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(repo().join("seeds"))
        .expect("seeds/ folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 5, "expected the 5 seed articles");

    let wanted = [
        ("Dmitry Medvedev", "PER"),
        ("Mikheil Saakashvili", "PER"),
        ("South Ossetia", "LOC"),
        ("Abkhazia", "LOC"),
        ("NATO", "ORG"),
        ("European Union", "ORG"),
    ];
    // Per wanted name: (occurrences in the cleaned texts, occurrences tagged exactly with the type).
    let mut found = [(0usize, 0usize); 6];
    for path in &seeds {
        let doc = tag_seed(path, &stages);
        let text = doc.text.as_str();
        // Every entity's byte span lies on char boundaries and covers exactly its tokens.
        for e in &doc.entities {
            let s = e.span;
            assert!(
                s.start < s.end && text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
                "bad span {s:?} in {}",
                path.display()
            );
            let first = doc.tokens[e.token_start];
            let last = doc.tokens[e.token_end - 1];
            assert_eq!((first.start, last.end), (s.start, s.end));
        }
        for (k, (name, label)) in wanted.iter().enumerate() {
            for (at, _) in text.match_indices(name) {
                // Whole-word occurrences only.
                let before = text[..at].chars().next_back();
                let after = text[at + name.len()..].chars().next();
                if before.is_some_and(char::is_alphanumeric)
                    || after.is_some_and(char::is_alphanumeric)
                {
                    continue;
                }
                found[k].0 += 1;
                let hit = doc.entities.iter().any(|e| {
                    e.span.start == at
                        && e.span.end == at + name.len()
                        && e.label == *label
                        && e.span.slice(text) == *name
                });
                if hit {
                    found[k].1 += 1;
                } else {
                    let near: Vec<String> = doc
                        .entities
                        .iter()
                        .filter(|e| e.span.end > at && e.span.start < at + name.len())
                        .map(|e| format!("{:?} {} {:?}", e.span.slice(text), e.label, e.span))
                        .collect();
                    eprintln!(
                        "{}: {name:?} at byte {at} tagged as {near:?}",
                        path.display()
                    );
                }
            }
        }
    }
    for (k, (name, label)) in wanted.iter().enumerate() {
        let (n, ok) = found[k];
        eprintln!("{name}: {ok}/{n} occurrences tagged {label} with exact offsets");
        assert!(n > 0, "{name:?} does not occur in the cleaned seed texts");
        assert!(ok > 0, "{name:?} never tagged {label} with exact offsets");
        // Nearly every mention must be right, not just one.
        assert!(
            ok * 10 >= n * 8,
            "{name:?}: only {ok} of {n} mentions tagged {label} with exact offsets"
        );
    }
}

/// `eval ner --errors FILE` through the binary on CoNLL-2003 test (held out: the shipped
/// `ner-conll` files are trained on train and dev, so dev has too few errors of each kind): one
/// well-formed TSV row per classified error, agreeing with the counts the report prints.
#[test]
fn eval_ner_errors_file_lists_every_classified_error() {
    let data = repo().join("../shared/data/ner/conll2003/test.txt");
    assert!(data.exists(), "needs {}", data.display());
    let tmp = tempfile::tempdir().expect("temp dir");
    let tsv = tmp.path().join("errors.tsv");
    let stdout = common::stdout_of_success(
        common::bin()
            .current_dir(repo())
            .args(["eval", "ner", "--data"])
            .arg(&data)
            .arg("--errors")
            .arg(&tsv),
    );
    // "errors: type 172, boundary 91, ..." -> kind -> count
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("errors: "))
        .unwrap_or_else(|| panic!("no errors line in:\n{stdout}"));
    let printed: Vec<(String, usize)> = line
        .split(", ")
        .map(|kv| {
            let (k, v) = kv.rsplit_once(' ').expect("kind count");
            (k.to_string(), v.parse().expect("count"))
        })
        .collect();
    let text = std::fs::read_to_string(&tsv).expect("errors file written");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    assert_eq!(header[4], "kind");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    let total: usize = printed.iter().map(|(_, n)| n).sum();
    assert!(total > 100, "CoNLL test has hundreds of errors: {line}");
    assert!(
        printed.iter().all(|(_, n)| *n > 0),
        "every kind occurs: {line}"
    );
    assert_eq!(rows.len(), total);
    for (kind, n) in &printed {
        assert_eq!(rows.iter().filter(|r| r[4] == kind).count(), *n, "{kind}");
    }
    for r in &rows {
        assert_eq!(r.len(), header.len(), "{r:?}");
        match r[4] {
            "missed" => assert!(r[7].is_empty() && !r[5].is_empty(), "{r:?}"),
            "spurious" => assert!(r[5].is_empty() && !r[7].is_empty(), "{r:?}"),
            _ => assert!(!r[5].is_empty() && !r[7].is_empty(), "{r:?}"),
        }
        // Every gold text appears bracketed in the sentence column.
        for g in r[6].split('|').filter(|g| !g.is_empty()) {
            assert!(r[9].contains(&format!("[{g}]")), "{r:?}");
        }
    }
}

/// `newsmill train ner-calibrate --tune-first-pass` on a small dev sample: it scores every
/// weight of the grid, stores the weight its rule allows in the re-scorer's header, and the
/// grid's 0 row is the shipped last-pass-only pairing; the calibration fitted with the chosen
/// weight is stored beside it.
#[test]
fn first_pass_tuning_scores_the_grid_and_stores_its_choice() {
    // The first 40 documents of CoNLL-2003 dev, cut from the file as they are.
    let dev = repo().join("../shared/data/ner/conll2003/dev.txt");
    let text = std::fs::read_to_string(&dev).unwrap_or_else(|e| panic!("{}: {e}", dev.display()));
    let cut = text
        .match_indices("-DOCSTART-")
        .nth(40)
        .map_or(text.len(), |(i, _)| i);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dev_sample = tmp.path().join("dev-sample.txt");
    std::fs::write(&dev_sample, &text[..cut]).expect("write sample");
    let sample = conll::read_file(&dev_sample).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sample.len(), 40);
    let rescorer = tmp.path().join("ner-conll.lstm");
    std::fs::copy(repo().join("models/ner-conll.lstm"), &rescorer).expect("copy re-scorer");
    let model = repo().join("models/ner-conll.bin");

    let fitted = ner::lstm_data::calibrate(&model, &rescorer, &dev_sample, true)
        .unwrap_or_else(|e| panic!("{e}"));
    let (chosen, rows) = fitted.first_pass.clone().expect("tuned");
    let weights: Vec<f32> = rows.iter().map(|r| r.weight).collect();
    assert_eq!(weights, ner::lstm_data::FIRST_PASS_GRID);
    let shipped = ner::evaluate_docs(&paired_conll_model(), &sample, "dev sample");
    assert!((rows[0].all - shipped.overall.f1()).abs() < 1e-12);
    let row = rows
        .iter()
        .find(|r| r.weight == chosen)
        .expect("chosen from the grid");
    if chosen > 0.0 {
        assert!(row.even > rows[0].even && row.odd > rows[0].odd);
    }
    // Whatever was chosen (0 included), no weight that beat 0 on both halves scored better.
    assert!(rows
        .iter()
        .filter(|r| r.even > rows[0].even && r.odd > rows[0].odd)
        .all(|r| r.all <= row.all));
    let stored = ner::rescorer::LstmRescorer::load(&rescorer).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored.first_pass, chosen);
    // The calibration was fitted after the choice and stored beside it.
    assert_eq!(stored.calib, Some((fitted.a, fitted.b)));
}

/// `newsmill train ner-calibrate --calib-from`: a retrain on train+dev takes the dev-chosen
/// mix, calibration and first-pass weight of the train-only pairing; the weights are untouched, and
/// a file without a calibration or with another tag set is refused with its path.
#[test]
fn calibration_copies_from_a_dev_calibrated_rescorer() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let shipped = std::fs::read(repo().join("models/ner-conll.lstm")).expect("read re-scorer");
    let with = |bytes: &[u8], key: &str, v: serde_json::Value| {
        ner::lstm::with_header_value(bytes, key, v).unwrap_or_else(|e| panic!("{e}"))
    };
    let source = tmp.path().join("source.lstm");
    let source_bytes = with(&shipped, "first_pass", serde_json::json!(0.25));
    let source_bytes = with(&source_bytes, "mix", serde_json::json!(12.0));
    std::fs::write(
        &source,
        with(&source_bytes, "calib", serde_json::json!([1.5, -2.0])),
    )
    .expect("write source");
    let target = tmp.path().join("target.lstm");
    std::fs::write(&target, &shipped).expect("write target");
    let model = repo().join("models/ner-conll.bin");

    let copied = ner::lstm_data::copy_calibration(&model, &target, &source)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        copied,
        ner::lstm_data::DevSettings {
            mix: 12.0,
            first_pass: 0.25,
            calib: (1.5, -2.0)
        }
    );
    let stored = ner::rescorer::LstmRescorer::load(&target).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((stored.mix, stored.first_pass), (12.0, 0.25));
    assert_eq!(stored.calib, Some((1.5, -2.0)));
    // Only the header changed: the tensors after it are the same bytes.
    let after = std::fs::read(&target).expect("read target");
    fn split(b: &[u8]) -> (serde_json::Value, &[u8]) {
        ner::lstm::split_header(b).unwrap_or_else(|e| panic!("{e}"))
    }
    let (mut head, shipped_tensors) = split(&shipped);
    assert_eq!(split(&after).1, shipped_tensors);

    // No calibration in the source: refused, naming it.
    let bare = tmp.path().join("bare.lstm");
    head.as_object_mut().expect("object").remove("calib");
    let head = head.to_string().into_bytes();
    let mut bare_bytes = shipped[..8].to_vec();
    bare_bytes.extend_from_slice(&(head.len() as u32).to_le_bytes());
    bare_bytes.extend_from_slice(&head);
    bare_bytes.extend_from_slice(shipped_tensors);
    std::fs::write(&bare, bare_bytes).expect("write");
    let err = ner::lstm_data::copy_calibration(&model, &target, &bare)
        .expect_err("nothing to copy")
        .to_string();
    assert!(
        err.contains("bare.lstm") && err.contains("calibration"),
        "{err}"
    );
    // Another tag set (the OntoNotes re-scorer): refused, naming the target.
    let onto = repo().join("models/ner-ontonotes.lstm");
    let err = ner::lstm_data::copy_calibration(&model, &target, &onto)
        .expect_err("tag sets differ")
        .to_string();
    assert!(
        err.contains("target.lstm") && err.contains("tag set"),
        "{err}"
    );
}
