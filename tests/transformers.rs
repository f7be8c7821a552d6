//! The transformer backends end to end (feature `transformers`; run by
//! scripts/test-transformers.sh, which makes the fixtures first).
//!
//! `NEWSMILL_TF_FIXTURES` names a folder with two tiny random-weight Hugging Face checkpoints,
//! `hf/ner` (BERT token classifier, CoNLL labels) and `hf/nli` (BERT sequence classifier,
//! contradiction/neutral/entailment, old LayerNorm names), written by
//! tests/fixtures/make_tiny_models.py. The tests convert them with `newsmill models convert`,
//! run `newsmill run` on seeds/ with both backends and check the tables against the built-in
//! backends' schema, the text and the models' label maps.
#![cfg(feature = "transformers")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::{Field, Row};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsmill"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    let dir = std::env::var_os("NEWSMILL_TF_FIXTURES")
        .map(PathBuf::from)
        .expect(
            "NEWSMILL_TF_FIXTURES is not set: run scripts/test-transformers.sh (it makes the tiny \
         models these tests need)",
        );
    assert!(
        dir.join("hf/ner/config.json").is_file(),
        "{} has no hf/ner: run tests/fixtures/make_tiny_models.py",
        dir.display()
    );
    dir
}

fn ok(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "newsmill failed: {err}");
    assert!(!err.contains("panicked"), "{err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Converted models (once per test binary): `(ner_dir, nli_dir, convert output)`.
fn converted() -> &'static (PathBuf, PathBuf, String) {
    static DIRS: OnceLock<(PathBuf, PathBuf, String)> = OnceLock::new();
    DIRS.get_or_init(|| {
        let fx = fixtures();
        let out = fx.join("converted");
        let mut log = String::new();
        for name in ["ner", "nli"] {
            let o = bin()
                .args(["models", "convert"])
                .arg(fx.join("hf").join(name))
                .arg(out.join(name))
                .output()
                .unwrap();
            log += &ok(&o);
        }
        (out.join("ner"), out.join("nli"), log)
    })
}

fn write_config(dir: &Path, body: &str) -> PathBuf {
    let p = dir.join("pipeline.toml");
    std::fs::write(&p, body).unwrap();
    p
}

fn transformer_config(dir: &Path, extra_ner: &str) -> PathBuf {
    let (ner, nli, _) = converted();
    let models = repo().join("models");
    write_config(
        dir,
        &format!(
            "[ner]\nbackend = \"transformers\"\nmodel_dir = {ner:?}\nbatch_size = 4\n{extra_ner}\n\
             [stance]\nbackend = \"nli\"\nclassifier_model = {:?}\n\
             [stance.nli]\nmodel_dir = {nli:?}\nmin_confidence = 0.4\n",
            models.join("stance-newsmtsc.bin")
        ),
    )
}

fn run(config: &Path, out: &Path) -> Output {
    bin()
        .current_dir(repo())
        .args([
            "run",
            "--quiet",
            "--threads",
            "2",
            "--input",
            "seeds",
            "--config",
        ])
        .arg(config)
        .arg("--output")
        .arg(out)
        .output()
        .unwrap()
}

fn parquet_files(dir: &Path, table: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(table))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    files.sort();
    files
}

/// `name: physical type (repetition)` of every column of a table.
fn schema(dir: &Path, table: &str) -> Vec<String> {
    let f = &parquet_files(dir, table)[0];
    let r = SerializedFileReader::new(std::fs::File::open(f).unwrap()).unwrap();
    let descr = r.metadata().file_metadata().schema_descr();
    (0..descr.num_columns())
        .map(|i| {
            let c = descr.column(i);
            format!(
                "{}: {:?} {:?} {:?}",
                c.path(),
                c.physical_type(),
                c.logical_type_ref(),
                c.self_type().get_basic_info().repetition()
            )
        })
        .collect()
}

fn rows(dir: &Path, table: &str) -> Vec<Row> {
    let mut out = Vec::new();
    for f in parquet_files(dir, table) {
        let r = SerializedFileReader::new(std::fs::File::open(&f).unwrap()).unwrap();
        out.extend(r.get_row_iter(None).unwrap().map(|x| x.unwrap()));
    }
    out
}

fn get<'a>(row: &'a Row, col: &str) -> &'a Field {
    row.get_column_iter()
        .find(|(n, _)| n.as_str() == col)
        .map(|(_, f)| f)
        .unwrap_or_else(|| panic!("no column {col}"))
}

fn s(f: &Field) -> String {
    match f {
        Field::Str(s) => s.clone(),
        other => panic!("not a string: {other:?}"),
    }
}

fn n(f: &Field) -> usize {
    match f {
        Field::Int(v) => *v as usize,
        Field::Long(v) => *v as usize,
        Field::UInt(v) => *v as usize,
        Field::ULong(v) => *v as usize,
        other => panic!("not an integer: {other:?}"),
    }
}

fn chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

#[test]
fn convert_reports_renames_and_labels() {
    let (ner, nli, log) = converted();
    assert!(ner.join("rust_model.ot").is_file() && nli.join("rust_model.ot").is_file());
    // The NLI fixture uses old LayerNorm names: they must have been renamed.
    assert!(
        log.lines()
            .any(|l| l.contains("nli") && !l.contains(" 0 renamed")),
        "{log}"
    );
    assert!(log.contains("labels: O B-PER I-PER"), "{log}");
    assert!(
        log.contains("labels: contradiction neutral entailment"),
        "{log}"
    );
}

#[test]
fn run_with_both_transformer_backends_matches_builtin_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = transformer_config(tmp.path(), "");
    let out_tf = tmp.path().join("out-tf");
    ok(&run(&cfg, &out_tf));
    let out_builtin = tmp.path().join("out-builtin");
    ok(&run(&repo().join("pipeline.toml"), &out_builtin));

    for table in [
        "documents",
        "sentences",
        "entities",
        "mentions",
        "actors",
        "quotes",
        "stances",
        "actor_stance_summary",
        "failures",
    ] {
        if parquet_files(&out_builtin, table).is_empty() {
            continue;
        }
        assert_eq!(
            schema(&out_tf, table),
            schema(&out_builtin, table),
            "table {table}: schema differs from the built-in backends'"
        );
    }
    assert!(rows(&out_tf, "failures").is_empty(), "stage errors");

    // Entities: offsets match the text, labels are the model's types.
    let texts: std::collections::BTreeMap<String, String> = rows(&out_tf, "documents")
        .iter()
        .map(|r| (s(get(r, "doc_id")), s(get(r, "clean_text"))))
        .collect();
    let ents = rows(&out_tf, "entities");
    assert!(ents.len() >= 10, "only {} entities", ents.len());
    let allowed: BTreeSet<&str> = ["PER", "ORG", "LOC", "MISC"].into();
    let mut labels = BTreeSet::new();
    for r in &ents {
        let text = &texts[&s(get(r, "doc_id"))];
        let (a, b) = (n(get(r, "start")), n(get(r, "end")));
        assert!(a < b, "empty entity");
        assert_eq!(chars(text, a, b), s(get(r, "text")), "entity offsets");
        let label = s(get(r, "label"));
        assert!(allowed.contains(label.as_str()), "label {label}");
        labels.insert(label);
        let score = match get(r, "score") {
            Field::Float(x) => *x,
            other => panic!("score {other:?}"),
        };
        assert!((0.0..=1.0).contains(&score));
    }
    assert!(labels.len() >= 2, "labels seen: {labels:?}");

    // Stances: every record is NLI, with a hypothesis as cue and evidence matching the text.
    let stances = rows(&out_tf, "stances");
    assert!(!stances.is_empty(), "no NLI stance records");
    for r in &stances {
        assert_eq!(s(get(r, "method")), "nli");
        let cue = s(get(r, "cue"));
        assert!(
            cue.contains(" supports ") || cue.contains(" opposes "),
            "cue {cue}"
        );
        let text = &texts[&s(get(r, "doc_id"))];
        let (a, b) = (n(get(r, "evidence_start")), n(get(r, "evidence_end")));
        assert_eq!(chars(text, a, b), s(get(r, "evidence")));
        let pol = s(get(r, "polarity"));
        assert!(pol == "support" || pol == "oppose", "{pol}");
    }
}

#[test]
fn auto_device_falls_back_to_cpu_and_cuda_is_an_error_here() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = transformer_config(tmp.path(), "device = \"auto\"");
    ok(&run(&cfg, &tmp.path().join("out")));
    let cfg = transformer_config(tmp.path(), "device = \"cuda\"");
    let o = run(&cfg, &tmp.path().join("out2"));
    let err = String::from_utf8_lossy(&o.stderr);
    // No GPU on the test machines: requesting one must fail clearly, never silently use the CPU.
    if !o.status.success() {
        assert!(err.contains("ner.device") && err.contains("CUDA"), "{err}");
    }
}

#[test]
fn incomplete_model_dir_names_the_missing_file() {
    let (ner, _, _) = converted();
    let tmp = tempfile::tempdir().unwrap();
    let broken = tmp.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    for f in ["config.json", "rust_model.ot"] {
        std::fs::copy(ner.join(f), broken.join(f)).unwrap();
    }
    let cfg = write_config(
        tmp.path(),
        &format!("[ner]\nbackend = \"transformers\"\nmodel_dir = {broken:?}\n"),
    );
    let o = run(&cfg, &tmp.path().join("out"));
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ner.model_dir") && err.contains("vocab.txt"),
        "{err}"
    );
}

#[test]
fn real_tokenizer_offsets_land_on_the_text() {
    // Accents, a non-Latin script and a multi-byte punctuation mark through the real WordPiece
    // tokenizer and model: every span must be a non-empty char-boundary slice of its sentence
    // that starts and ends on a word, whatever the random weights predict.
    let (ner, _, _) = converted();
    let model = newsmill::ner::transformers::TransformerNer::load(
        ner,
        newsmill::transformers::DeviceChoice::Cpu,
        2,
    )
    .unwrap();
    assert_eq!(model.labels()[1], "B-PER");
    let text = "José Müller flew to Zürich — then to 東京. Kraków’s mayor, Łukasz Żuk, spoke.";
    let mid = text.find(" then").unwrap();
    let spans = [
        newsmill::doc::ByteSpan::new(0, mid),
        newsmill::doc::ByteSpan::new(mid + 1, text.len()),
    ];
    let found = model.tag(text, &spans).unwrap();
    assert_eq!(found.len(), 2);
    let mut total = 0;
    for (sent, ents) in spans.iter().zip(&found) {
        for e in ents {
            total += 1;
            assert!(sent.start <= e.span.start && e.span.end <= sent.end);
            let t = text.get(e.span.start..e.span.end).expect("char boundaries");
            assert!(!t.is_empty() && t.trim() == t, "{t:?}");
        }
    }
    assert!(total > 0, "random weights gave no entity at all");
}
