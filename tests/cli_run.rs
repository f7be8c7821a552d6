//! End-to-end tests of `newsmill run` through the real binary: bad input, determinism across
//! thread counts, and config errors. Kill-safety, incremental and sharded runs: scheduled_runs.rs.

mod common;

use common::{bin, read_rows, repo, run, small_buffer_corpus, stdout_of_success, table_bytes};

#[test]
fn bad_inputs_become_failure_rows_and_good_ones_survive() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    // Invalid UTF-8 (windows-1252 bytes), Latin-1, binary, empty, and a 50 MB single line.
    std::fs::write(
        input.join("cp1252.txt"),
        b"Le pr\xe9sident \x93Sarkozy\x94 a parl\xe9 \xe0 Moscou.\n",
    )
    .unwrap();
    std::fs::write(
        input.join("latin1.txt"),
        b"Der Au\xdfenminister sagte, die L\xf6sung sei nah.\n",
    )
    .unwrap();
    std::fs::write(
        input.join("binary.txt"),
        [0u8, 159, 146, 150, 0, 1, 2, 3, 255, 254],
    )
    .unwrap();
    std::fs::write(input.join("empty.txt"), b"").unwrap();
    let long_line = "word ".repeat(10 * 1024 * 1024);
    std::fs::write(input.join("long.txt"), long_line.as_bytes()).unwrap();
    std::fs::write(
        input.join("feed.jsonl"),
        "{\"id\": \"a\", \"title\": \"One\", \"text\": \"First article. It has two sentences.\"}\n\
         {\"id\": \"b\", \"text\": \"broken\n\
         {\"id\": \"c\", \"title\": \"Three\", \"text\": \"Third article.\"}\n",
    )
    .unwrap();
    std::fs::write(input.join("notes.pdf"), b"%PDF-1.4").unwrap();
    let para = "<p>The foreign minister said on Tuesday that talks with the rebels would resume next week, \
                according to officials familiar with the plan, and that observers would be allowed in.</p>";
    let page = format!(
        "<html><head><title>Talks to resume | Example News</title>\
         <meta property=\"article:published_time\" content=\"2008-09-09T10:00:00Z\"></head>\
         <body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>\
         <article><h1>Talks to resume</h1>{}</article>\
         <footer>Copyright Example News</footer></body></html>",
        para.repeat(4)
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, page.as_bytes()).unwrap();
    std::fs::write(input.join("page.html.gz"), gz.finish().unwrap()).unwrap();
    let out = tmp.path().join("out");
    run(&input, &out, &[]);

    let failures = read_rows(&out, "failures");
    let joined = failures.join("\n");
    assert!(
        joined.contains("binary.txt") && joined.contains("binary data"),
        "{joined}"
    );
    assert!(
        joined.contains("empty.txt") && joined.contains("empty input"),
        "{joined}"
    );
    assert!(
        joined.contains("feed.jsonl")
            && joined.contains("line: 2")
            && joined.contains("malformed JSON"),
        "{joined}"
    );
    assert!(
        joined.contains("notes.pdf") && joined.contains("unsupported file type"),
        "{joined}"
    );
    assert_eq!(failures.len(), 4, "{joined}");

    let docs = read_rows(&out, "documents");
    let all = docs.join("\n");
    assert_eq!(docs.len(), 6, "{all}");
    assert!(all.contains("talks with the rebels would resume"), "{all}");
    assert!(all.contains("UTF-8+gzip") && all.contains("html"), "{all}");
    assert!(!all.contains("Copyright Example News"), "{all}");
    assert!(
        all.contains("président “Sarkozy” a parlé à Moscou"),
        "{all}"
    );
    assert!(all.contains("Außenminister"), "{all}");
    assert!(all.contains("windows-1252"), "{all}");
    assert!(
        all.contains("First article.") && all.contains("Third article."),
        "{all}"
    );
}

#[test]
fn output_is_byte_identical_at_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = repo().join("seeds");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&seeds, &a, &["--threads", "1"]);
    run(&seeds, &b, &["--threads", "2"]);
    let (ta, tb) = (table_bytes(&a), table_bytes(&b));
    assert!(ta.len() >= 3);
    assert_eq!(ta, tb);
}

#[test]
fn bad_config_key_is_named_with_line() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("p.toml");
    std::fs::write(&cfg, "[run]\nthreads = 1\n\n[output]\nzstd_levle = 3\n").unwrap();
    let out = bin().args(["config", "check"]).arg(&cfg).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("p.toml") && err.contains("zstd_levle") && err.contains("line 5"),
        "{err}"
    );
    assert!(
        err.contains("zstd_level"),
        "should list allowed keys: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    std::fs::write(&cfg, "[output]\nzstd_level = 99\n").unwrap();
    let out = bin().args(["run", "--config"]).arg(&cfg).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("output.zstd_level") && err.contains("1 to 22"),
        "{err}"
    );
}

#[test]
fn shipped_pipeline_toml_is_valid_and_schema_doc_is_current() {
    let out = bin()
        .current_dir(repo())
        .args(["config", "check", "pipeline.toml"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = bin().args(["schema", "--markdown"]).output().unwrap();
    let doc = std::fs::read_to_string(repo().join("docs/schema.md")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&md.stdout),
        doc,
        "docs/schema.md is stale: run scripts/gen-docs.sh"
    );
}

#[test]
fn config_doc_lists_every_key_with_its_default() {
    let shown = bin().args(["config", "show"]).output().unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout).into_owned();
    let doc = std::fs::read_to_string(repo().join("docs/config.md")).unwrap();
    assert!(
        doc.contains(&shown),
        "docs/config.md is stale: run scripts/gen-docs.sh"
    );
}

/// `bench --scale K` replays the corpus K times as distinct documents: the end-to-end row
/// counts K times the documents and bytes of the scale-1 row, even when JSONL records carry
/// their own ids (which would otherwise repeat across replicas and become failure rows).
#[test]
fn bench_scale_replays_the_corpus_as_distinct_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut jsonl = String::new();
    for i in 0..6 {
        jsonl.push_str(&format!(
            "{{\"id\": \"r{i}\", \"text\": \"Russia said on Monday it would talk to Georgia. Talks {i} begin soon.\"}}\n"
        ));
    }
    std::fs::write(data.join("wire.jsonl"), jsonl).unwrap();
    std::fs::write(
        data.join("note.txt"),
        "Georgia's foreign minister criticised Moscow on Tuesday.\n",
    )
    .unwrap();
    // Documents of the end-to-end row, from docs/s and seconds.
    let row = |scale: &str| -> f64 {
        let stdout = stdout_of_success(
            bin()
                .current_dir(repo())
                .args([
                    "bench",
                    "--e2e-only",
                    "--threads",
                    "1",
                    "--scale",
                    scale,
                    "--data",
                ])
                .arg(&data),
        );
        let line = stdout
            .lines()
            .find(|l| l.starts_with("| end-to-end"))
            .unwrap_or_else(|| panic!("no end-to-end row in {stdout}"));
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let num = |i: usize| cells[i].parse::<f64>().unwrap();
        // | stage | threads | seconds | docs/s | ...
        num(4) * num(3)
    };
    let docs1 = row("1");
    let docs3 = row("3");
    assert!((docs1 - 7.0).abs() < 0.5, "scale 1 counted {docs1} docs");
    assert!((docs3 - 21.0).abs() < 1.0, "scale 3 counted {docs3} docs");

    // The replicas are symlinks; a symlinked input counts its target's bytes.
    let linked = tmp.path().join("linked");
    std::fs::create_dir(&linked).unwrap();
    std::os::unix::fs::symlink(data.join("note.txt"), linked.join("note.txt")).unwrap();
    let out = tmp.path().join("out");
    run(&linked, &out, &[]);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let size = std::fs::metadata(data.join("note.txt")).unwrap().len();
    assert_eq!(manifest["input_bytes"].as_u64(), Some(size));
}

/// `[output] row_group_mib` bounds what all tables buffer together: with a 1 MiB budget, ~0.5 MB
/// of text in batches of 25 documents, and no table reaching 1 MiB on its own, row groups are
/// still cut as the run goes. Where they are cut depends on the data only, so 1 and 2 threads
/// still write the same bytes.
#[test]
fn row_groups_are_cut_by_a_shared_buffer_budget_deterministically() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let tmp = tempfile::tempdir().unwrap();
    let (input, cfg) = small_buffer_corpus(tmp.path(), 400);
    let cfg = cfg.as_str();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&input, &a, &["--config", cfg, "--threads", "1"]);
    run(&input, &b, &["--config", cfg, "--threads", "2"]);
    assert_eq!(table_bytes(&a), table_bytes(&b));
    let path = a.join("documents/part-00000.parquet");
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size < 1024 * 1024, "documents alone is {size} bytes");
    let docs = std::fs::File::open(&path).unwrap();
    let meta = SerializedFileReader::new(docs).unwrap().metadata().clone();
    let rows: i64 = meta.row_groups().iter().map(|g| g.num_rows()).sum();
    assert_eq!(rows, 400);
    assert!(
        meta.num_row_groups() >= 2,
        "{} row group(s)",
        meta.num_row_groups()
    );
}

/// Runs `newsmill run` on the seed articles with `cwd` as working directory and
/// `NEWSMILL_MODELS` set to `models_env` (else unset); returns the process output (not
/// checked).
fn run_seeds_from(
    cwd: &std::path::Path,
    models_env: Option<&std::path::Path>,
    config: &std::path::Path,
    out: &std::path::Path,
) -> std::process::Output {
    let mut cmd = bin();
    match models_env {
        Some(dir) => cmd.env("NEWSMILL_MODELS", dir),
        None => cmd.env_remove("NEWSMILL_MODELS"),
    };
    cmd.current_dir(cwd)
        .args(["run", "--quiet", "--config"])
        .arg(config)
        .arg("--input")
        .arg(repo().join("seeds"))
        .arg("--output")
        .arg(out)
        .output()
        .expect("spawn newsmill")
}

/// The model files an output's manifest says the run read.
fn manifest_model_paths(out: &std::path::Path) -> Vec<std::path::PathBuf> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    manifest["models"]
        .as_array()
        .expect("manifest lists the model files")
        .iter()
        .map(|m| std::path::PathBuf::from(m["path"].as_str().unwrap()))
        .collect()
}

#[test]
fn shipped_models_are_found_from_any_working_directory() {
    // A scheduled job rarely starts in the checkout. With the default `models/...` paths the
    // shipped files are found beside the executable, and the tables are those of a run
    // started in the repository.
    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = tmp.path().join("cron-home");
    std::fs::create_dir(&elsewhere).unwrap();
    let empty = tmp.path().join("defaults.toml");
    std::fs::write(&empty, "# every key at its default\n").unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for (cwd, out) in [(repo(), &a), (elsewhere.clone(), &b)] {
        let o = run_seeds_from(&cwd, None, &empty, out);
        assert!(
            o.status.success(),
            "from {}: {}",
            cwd.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert_eq!(table_bytes(&a), table_bytes(&b));
    assert!(read_rows(&b, "entities")
        .iter()
        .any(|r| r.contains("Dmitry Medvedev") && r.contains("PER")));
    let read = manifest_model_paths(&b);
    for name in ["ner-conll.bin", "ner-conll.lstm", "stance-newsmtsc.bin"] {
        let want = repo().join("models").join(name).canonicalize().unwrap();
        assert!(
            read.iter()
                .any(|p| p.canonicalize().ok().as_ref() == Some(&want)),
            "{name} not read from the checkout: {read:?}"
        );
    }

    // NEWSMILL_MODELS comes first (a copy of the NER model without its re-scorer; the stance
    // model is still found beside the executable).
    let models = tmp.path().join("my-models");
    std::fs::create_dir(&models).unwrap();
    std::fs::copy(
        repo().join("models/ner-conll.bin"),
        models.join("ner-conll.bin"),
    )
    .unwrap();
    let c = tmp.path().join("c");
    let o = run_seeds_from(&elsewhere, Some(&models), &empty, &c);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let paths = manifest_model_paths(&c);
    assert_eq!(paths.len(), 2, "no re-scorer beside the copy: {paths:?}");
    assert_eq!(paths[0], models.join("ner-conll.bin"));
    assert!(paths[1].ends_with("stance-newsmtsc.bin"), "{paths:?}");

    // A `models/...` file found nowhere names the places searched.
    std::fs::write(
        elsewhere.join("p.toml"),
        "[ner]\nmodel = \"models/ner-mine.bin\"\n",
    )
    .unwrap();
    let o = run_seeds_from(
        &elsewhere,
        None,
        std::path::Path::new("p.toml"),
        &tmp.path().join("d"),
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("models/ner-mine.bin")
            && err.contains("looked under the working directory")
            && err.contains("NEWSMILL_MODELS"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn help_teaches_by_example_and_version_names_build_and_code() {
    // The top-level help is the Cli doc comment: an attribute or item slipped between the
    // two would silently replace it with the one-line crate description.
    let help = stdout_of_success(bin().arg("--help"));
    assert!(
        help.contains("Typical use:")
            && help.contains("newsmill run --input archive/ --incremental"),
        "{help}"
    );
    let short = stdout_of_success(bin().arg("-V"));
    let long = stdout_of_success(bin().arg("--version"));
    let lines: Vec<&str> = long.lines().collect();
    assert_eq!(lines.len(), 2, "{long}");
    assert_eq!(lines[0], short.trim());
    assert!(
        lines[1].starts_with(&format!("code {}+c", env!("CARGO_PKG_VERSION"))),
        "{long}"
    );
}
