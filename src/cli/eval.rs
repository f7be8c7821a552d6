//! `newsmill eval ...`: accuracy on held-out gold data.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;

use newsmill::eval::sbd;
use newsmill::output::atomic_file::write_atomically;
use newsmill::text::sentences::{SentenceSplitter, SplitConfig};

/// What to evaluate.
#[derive(Subcommand)]
pub enum EvalCmd {
    /// Sentence boundaries: pySBD golden rules, GUM news, UD EWT and UD GUM (dev and test).
    ///
    /// Prints precision, recall and F1 of sentence ends per data set (paragraph ends are free),
    /// and how many golden rules pass.
    Sbd {
        /// Folder with golden_rules_en.jsonl, gum_news/, ud_english_ewt/, ud_english_gum/.
        #[arg(long, default_value = "../shared/data/sbd")]
        data: PathBuf,
        /// Also print up to this many missed / false boundaries with context.
        #[arg(long, default_value_t = 0)]
        errors: usize,
    },
    /// Named entities: exact-span precision, recall and F1 per type and overall
    /// (conlleval/seqeval definition), and words/s.
    Ner {
        /// Model file.
        #[arg(long, default_value = "models/ner-conll.bin")]
        model: PathBuf,
        /// Gold data in CoNLL/BIO format (repeatable).
        #[arg(long, required = true)]
        data: Vec<PathBuf>,
        /// Label scheme of the data: conll or ontonotes.
        #[arg(long, default_value = "conll")]
        scheme: String,
        /// Re-case every token before tagging, to measure headline robustness: as-is, upper
        /// (ALL CAPS) or title (lower-cased, then first letter upper-cased). Gold labels stay.
        #[arg(long, default_value = "as-is", value_parser = ["as-is", "upper", "title"])]
        case: String,
        /// Rename a gold label before scoring, FROM=TO (repeatable), to score data of another
        /// scheme, e.g. WNUT-17 with the CoNLL model: --map person=PER --map location=LOC
        /// --map group=ORG --map corporation=ORG --map creative-work=MISC --map product=MISC.
        #[arg(long = "map", value_name = "FROM=TO", value_parser = parse_label_map)]
        map: Vec<(String, String)>,
        /// Drop this type from gold and predictions before scoring (repeatable), e.g.
        /// --ignore MISC on data annotated with PER/ORG/LOC only.
        #[arg(long = "ignore", value_name = "TYPE")]
        ignore: Vec<String>,
        /// Also write every span error to this TSV file, one row each, classified as type
        /// (right words, wrong type), boundary (overlaps a gold span of its type), boundary+type,
        /// spurious (overlaps no gold span) or missed (no prediction overlaps it), with the
        /// document id, sentence index, spans in token indices and the sentence with its gold
        /// spans in [brackets]. The report always prints the count of each kind.
        #[arg(long, value_name = "FILE")]
        errors: Option<PathBuf>,
        /// Neural re-scorer paired with the model, as `[ner] rescorer` in pipeline.toml: auto
        /// (the model's sibling .lstm file when it exists, e.g. models/ner-conll.lstm), none,
        /// or a file.
        #[arg(long, default_value = "auto", value_name = "auto|none|FILE")]
        rescorer: String,
    },
    /// Stance: records on the hand-written gold set, or target-dependent sentiment on NewsMTSC.
    ///
    /// Without --newsmtsc: runs the configured actors, quotes and stance stages on the gold
    /// sentences and prints precision, recall and F1 of (source, target, polarity) records,
    /// per split, once with the gold entities and once through the whole configured pipeline
    /// (the NER model included), and which method produced the hits.
    ///
    /// With --newsmtsc FILE: the built-in sentiment classifier alone on NewsMTSC, macro F1 over
    /// positive/neutral/negative.
    Stance {
        /// NewsMTSC JSONL file (e.g. ../shared/data/stance/newsmtsc/devtest_mt.jsonl).
        #[arg(long)]
        newsmtsc: Option<PathBuf>,
        /// Classifier model file (with --newsmtsc).
        #[arg(long, default_value = "models/stance-newsmtsc.bin")]
        model: PathBuf,
        /// Gold stance records (JSONL; format in models/STANCE.md, "Stance records").
        #[arg(long, default_value = "tests/data/stance_gold.jsonl")]
        gold: PathBuf,
        /// Pipeline config whose [actors], [quotes], [stance] (and, for the pipeline rows,
        /// [clean], [split], [ner]) settings are evaluated.
        #[arg(long, default_value = "pipeline.toml")]
        config: PathBuf,
        /// Only this split (dev or heldout); default: each split separately.
        #[arg(long)]
        split: Option<String>,
        /// Also list every record of the gold-entity run: correct, false alarm or missed.
        #[arg(long)]
        list: bool,
    },
    /// Plain-text cleaning on the AEB benchmark: 4-gram precision, recall, F1 vs the gold body.
    Clean {
        /// aeb_plaintext_with_boilerplate.jsonl.
        #[arg(
            long,
            default_value = "../shared/data/boilerplate/aeb_plaintext_with_boilerplate.jsonl"
        )]
        data: PathBuf,
        /// Learn repeated lines per site from the set first (corpus statistics).
        #[arg(long)]
        corpus_pass: bool,
    },
    /// HTML main-content extraction on the AEB benchmark (same scorer as its evaluate.py).
    Html {
        /// The scrapinghub_aeb folder (html/, ground-truth.json).
        #[arg(long, default_value = "../shared/data/boilerplate/scrapinghub_aeb")]
        data: PathBuf,
    },
    /// Quote attribution on the hand-written gold set: speaker accuracy and quote span F1.
    Quotes {
        /// Gold JSONL.
        #[arg(long, default_value = "tests/data/quotes_gold.jsonl")]
        gold: PathBuf,
        /// Only this split (dev or heldout); default: each split separately.
        #[arg(long)]
        split: Option<String>,
    },
}

/// Runs an eval subcommand.
pub fn run(cmd: EvalCmd) -> Result<()> {
    match cmd {
        EvalCmd::Sbd { data, errors } => eval_sbd(&data, errors),
        EvalCmd::Ner {
            model,
            data,
            scheme,
            case,
            map,
            ignore,
            errors,
            rescorer,
        } => {
            let file = newsmill::stages::ner::Rescorer::from(rescorer).file_for(&model);
            let m = newsmill::ner::NerModel::load_with_rescorer(&model, file)?;
            match m.rescorer() {
                Some(r) => eprintln!(
                    "re-scorer: {} network(s), hidden {}, mix {}, first pass {}, calibrated: {}",
                    r.networks(),
                    r.hidden(),
                    r.mix,
                    r.first_pass,
                    if r.calib.is_some() { "yes" } else { "no" }
                ),
                None => eprintln!("re-scorer: none"),
            }
            let opts = newsmill::ner::EvalOptions {
                case: newsmill::ner::CaseTransform::parse(&case).ok_or_else(|| {
                    anyhow::anyhow!("--case {case:?}: allowed: as-is, upper, title")
                })?,
                map,
                ignore,
                list_errors: errors.is_some(),
            };
            let mut rows = vec![newsmill::ner::eval_errors::TSV_HEADER.to_string()];
            for d in &data {
                let mut rep = newsmill::ner::evaluate_with(&m, d, &scheme, &opts)?;
                println!("{rep}");
                rows.append(&mut rep.error_rows);
            }
            if let Some(path) = errors {
                let text = rows.join("\n") + "\n";
                write_atomically(&path, text.as_bytes())
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("wrote {} span errors to {}", rows.len() - 1, path.display());
            }
            Ok(())
        }
        EvalCmd::Stance {
            newsmtsc: Some(newsmtsc),
            model,
            ..
        } => {
            println!("{}", newsmill::eval::stance::run(&model, &newsmtsc)?);
            Ok(())
        }
        EvalCmd::Stance {
            newsmtsc: None,
            gold,
            config,
            split,
            list,
            ..
        } => eval_stance_records(&gold, &config, split.as_deref(), list),
        EvalCmd::Quotes { gold, split } => eval_quotes(&gold, split.as_deref()),
        EvalCmd::Clean { data, corpus_pass } => {
            use newsmill::eval::clean;
            let docs = clean::load_aeb(&data)?;
            let (r, _) = clean::evaluate_cleaner(
                &docs,
                &newsmill::clean::CleanConfig::default(),
                corpus_pass,
            )?;
            println!(
                "AEB plain text ({} pages): 4-gram shingle scores, mean over pages",
                docs.len()
            );
            println!("{:<26} {:>6} {:>6} {:>6}", "", "P", "R", "F1");
            for (name, p) in [
                ("cleaner, all", &r.all),
                ("cleaner, dev (even)", &r.dev),
                ("cleaner, test (odd)", &r.test),
                ("no cleaning, all", &r.baseline),
            ] {
                println!(
                    "{name:<26} {:>6.4} {:>6.4} {:>6.4}",
                    p.precision, p.recall, p.f1
                );
            }
            Ok(())
        }
        EvalCmd::Html { data } => {
            use newsmill::eval::html;
            let pages = html::load_aeb_html(&data)?;
            let (r, _) =
                html::evaluate_extract_html(&pages, &newsmill::ingest::html::HtmlConfig::default());
            println!(
                "AEB HTML ({} pages): 4-gram shingle scores, mean over pages",
                pages.len()
            );
            println!("{:<22} {:>6} {:>6} {:>6}", "", "P", "R", "F1");
            for (name, p) in [
                ("all", &r.all),
                ("dev (even)", &r.dev),
                ("test (odd)", &r.test),
            ] {
                println!(
                    "{name:<22} {:>6.4} {:>6.4} {:>6.4}",
                    p.precision, p.recall, p.f1
                );
            }
            println!(
                "empty extractions: {}; speed {:.1} MB/s",
                r.empty,
                r.mb_per_s()
            );
            Ok(())
        }
    }
}

fn eval_quotes(gold: &Path, split: Option<&str>) -> Result<()> {
    use newsmill::actors::{ActorResolver, ActorsConfig};
    use newsmill::eval::quotes;
    use newsmill::quotes::{QuoteExtractor, QuotesConfig};
    let records = quotes::load_gold(gold)?;
    let resolver = ActorResolver::new(&ActorsConfig::default())?;
    let extractor = QuoteExtractor::new(&QuotesConfig::default())?;
    let splits: Vec<String> = match split {
        Some(s) => vec![s.to_string()],
        None => {
            let mut v: Vec<String> = records.iter().filter_map(|r| r.split.clone()).collect();
            v.sort();
            v.dedup();
            v
        }
    };
    for s in splits {
        let subset: Vec<_> = records
            .iter()
            .filter(|r| r.split.as_deref() == Some(s.as_str()))
            .cloned()
            .collect();
        println!("== {s} ({} records, gold entities)", subset.len());
        println!("{}", quotes::evaluate(&subset, &resolver, &extractor));
    }
    Ok(())
}

fn eval_stance_records(gold: &Path, config: &Path, split: Option<&str>, list: bool) -> Result<()> {
    use newsmill::eval::stance_records::{evaluate, load_gold, Preparation, StanceRecordReport};
    use newsmill::stages;
    let records = load_gold(gold)?;
    let cfg = newsmill::config::PipelineConfig::load(config)?;
    anyhow::ensure!(
        stages::runs(&cfg, "stance"),
        "{}: the stance stage is off (it needs [split], [ner], [actors] and [stance] enabled)",
        config.display()
    );
    let all = stages::build(&cfg)?;
    let names: Vec<&str> = all.iter().map(|s| s.name()).collect();
    let actors_at = names.iter().position(|n| *n == "actors").unwrap_or(0);
    let splits: Vec<String> = match split {
        Some(s) => vec![s.to_string()],
        None => vec!["dev".into(), "heldout".into()],
    };
    for s in splits {
        let subset: Vec<_> = records.iter().filter(|r| r.split == s).cloned().collect();
        if subset.is_empty() {
            continue;
        }
        let rep = evaluate(&subset, &all[actors_at..], Preparation::GoldEntities);
        let piped = evaluate(&subset, &all, Preparation::Pipeline);
        println!(
            "== {s}: {} records, {} gold stances (support/oppose)",
            rep.records, rep.gold
        );
        println!("{}", StanceRecordReport::header());
        println!("{}", rep.row("gold entities"));
        println!("{}", piped.row("pipeline"));
        println!("gold entities: {}", rep.methods());
        println!("pipeline: {}", piped.methods());
        println!("(pipeline: {})\n", names.join(" > "));
        if list {
            for e in &rep.details {
                println!("  {e}");
            }
            println!();
        }
    }
    Ok(())
}

fn eval_sbd(data: &Path, errors: usize) -> Result<()> {
    let splitter = SentenceSplitter::new(&SplitConfig::default())?;
    let mut reports = vec![
        sbd::eval_golden_rules(&data.join("golden_rules_en.jsonl"), &splitter)
            .with_context(|| format!("evaluating on {}", data.display()))?,
    ];
    for (dir, file) in [
        ("gum_news", "gum_news_docs.jsonl"),
        ("ud_english_ewt", "ewt_dev_docs.jsonl"),
        ("ud_english_ewt", "ewt_test_docs.jsonl"),
        ("ud_english_gum", "gum_dev_docs.jsonl"),
        ("ud_english_gum", "gum_test_docs.jsonl"),
    ] {
        reports.push(sbd::eval_docs_jsonl(&data.join(dir).join(file), &splitter)?);
    }
    print!("{}", sbd::format_table(&reports));
    if errors > 0 {
        for r in &reports {
            for e in r.examples.iter().take(errors) {
                println!("{}: {e}", r.dataset);
            }
        }
    }
    Ok(())
}

/// Parses `FROM=TO` of `eval ner --map`.
fn parse_label_map(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a.to_string(), b.to_string())),
        _ => Err(format!("{s:?} is not FROM=TO (e.g. person=PER)")),
    }
}
