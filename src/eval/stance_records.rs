//! Stance records against hand-labelled sentences (`tests/data/stance_gold.jsonl`): what the
//! `stances` table would say, scored as (source, target, polarity) triples.
//!
//! Gold format, one JSON object per line:
//! `{"id", "split", "text", "entities": [[surface, label], ...], "stances": [{"source",
//! "target", "polarity"}], "acceptable"?: [...], "note"?}`. `polarity` is `support` or
//! `oppose`; `source` and `target` are names (a person's fullest written name, a state's common
//! English name even where the text writes "Moscow" or "the White House", an organisation's name
//! as written) or, for a target, `topic:NAME` of a topic in the config's `[stance.topics]`.
//! `acceptable` lists defensible records that are not required: predicting them is neither a
//! hit nor a false alarm. `split` is `dev` (used while tuning) or `heldout` (scored once).
//!
//! A gold name matches a predicted actor when its normalised key equals the key of the actor's
//! canonical name or of any surface the actor was written as in the record. Neutral records are
//! not scored (the default config does not write them). Each (source, target, polarity) is
//! counted once per record.
//!
//! Documents go through the configured actors, quotes and stance stages either with the gold
//! entities (the scores then measure actors + quotes + stance with perfect NER) or through the
//! whole configured pipeline (cleaning, splitting, the NER model: what `newsmill run` gives).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use super::gold::{prepare_doc, read_jsonl, GoldError};
use crate::actors::names::normalize_key;
use crate::doc::{Doc, DocActor, DocId, DocMeta, Polarity, Source, StanceTarget};
use crate::stage::Stage;

/// One gold stance.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldStance {
    /// Source actor name.
    pub source: String,
    /// Target actor name or `topic:NAME`.
    pub target: String,
    /// `support` or `oppose`.
    pub polarity: String,
}

/// One gold record.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StanceGoldRecord {
    /// Record id.
    pub id: String,
    /// `dev` or `heldout`.
    pub split: String,
    /// The text (one short paragraph).
    pub text: String,
    /// Every named entity, as `[surface, CoNLL label]`.
    #[serde(default)]
    pub entities: Vec<(String, String)>,
    /// Required records.
    pub stances: Vec<GoldStance>,
    /// Defensible records that are not required.
    #[serde(default)]
    pub acceptable: Vec<GoldStance>,
    /// What the record tests.
    #[serde(default)]
    pub note: Option<String>,
}

/// Reads a gold file, checking polarities and splits.
pub fn load_gold(path: &Path) -> Result<Vec<StanceGoldRecord>, GoldError> {
    read_jsonl(path, |r: &StanceGoldRecord| {
        if r.split != "dev" && r.split != "heldout" {
            return Err(format!("split {:?}: allowed dev, heldout", r.split));
        }
        for s in r.stances.iter().chain(&r.acceptable) {
            if s.polarity != "support" && s.polarity != "oppose" {
                return Err(format!(
                    "polarity {:?}: allowed support, oppose",
                    s.polarity
                ));
            }
        }
        for (surface, _) in &r.entities {
            if !r.text.contains(surface.as_str()) {
                return Err(format!("entity {surface:?} does not occur in the text"));
            }
        }
        Ok(())
    })
}

/// How records are turned into documents before the actors stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preparation {
    /// Built-in splitter and tokenizer, gold entities.
    GoldEntities,
    /// The configured clean, split and NER stages.
    Pipeline,
}

/// Hits and misses, overall and per method.
#[derive(Debug, Clone, Default)]
pub struct StanceRecordReport {
    /// Records scored.
    pub records: usize,
    /// Required gold triples.
    pub gold: usize,
    /// Predicted support/oppose triples, excluding those matching an `acceptable` one.
    pub predicted: usize,
    /// Predicted triples matching a required gold triple.
    pub correct: usize,
    /// Predicted triples whose source and target match a gold triple of the other polarity.
    pub polarity_flips: usize,
    /// Predicted triples matching an `acceptable` one (not scored).
    pub acceptable: usize,
    /// Per method: (correct, predicted).
    pub by_method: BTreeMap<String, (usize, usize)>,
    /// One line per predicted or gold record: `correct`, `false alarm` or `missed`.
    pub details: Vec<String>,
}

impl StanceRecordReport {
    /// Precision, recall and F1 of support/oppose triples.
    pub fn prf(&self) -> (f64, f64, f64) {
        super::prf(self.correct, self.predicted, self.gold)
    }

    /// Header matching [`StanceRecordReport::row`].
    pub fn header() -> String {
        format!(
            "{:<16} {:>6} {:>6} {:>6} {:>8} {:>10} {:>5} {:>6}",
            "", "P", "R", "F1", "correct", "predicted", "gold", "flips"
        )
    }

    /// Correct/predicted per method, and how many predictions matched an acceptable record.
    pub fn methods(&self) -> String {
        let methods: Vec<String> = self
            .by_method
            .iter()
            .map(|(m, (c, n))| format!("{m} {c}/{n}"))
            .collect();
        format!(
            "correct/predicted by method: {}; {} matched an acceptable record",
            methods.join(", "),
            self.acceptable
        )
    }

    /// One table row: scores, counts and polarity flips.
    pub fn row(&self, name: &str) -> String {
        let (p, r, f1) = self.prf();
        format!(
            "{name:<16} {p:>6.3} {r:>6.3} {f1:>6.3} {:>8} {:>10} {:>5} {:>6}",
            self.correct, self.predicted, self.gold, self.polarity_flips
        )
    }
}

impl fmt::Display for StanceRecordReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", Self::header())?;
        writeln!(f, "{}", self.row("records"))?;
        write!(f, "{}", self.methods())
    }
}

/// A predicted triple with names to match against gold.
struct Predicted {
    source: usize,
    target: StanceTarget,
    polarity: Polarity,
    method: String,
    cue: String,
    score: f32,
}

/// Scores the records: `stages` are run in order on each prepared document (with
/// [`Preparation::GoldEntities`] they start at the actors stage, with
/// [`Preparation::Pipeline`] they are the whole configured pipeline).
pub fn evaluate(
    gold: &[StanceGoldRecord],
    stages: &[Box<dyn Stage>],
    prep: Preparation,
) -> StanceRecordReport {
    let mut rep = StanceRecordReport {
        records: gold.len(),
        ..StanceRecordReport::default()
    };
    for r in gold {
        let mut doc = match prep {
            Preparation::GoldEntities => prepare_doc(&r.id, &r.text, &r.entities),
            Preparation::Pipeline => Doc::new(
                DocId::from_source_key(&r.id),
                Source::plain_text(r.id.clone()),
                r.text.clone(),
                DocMeta::default(),
            ),
        };
        let mut failed = None;
        for stage in stages {
            if let Err(e) = stage.process(&mut doc) {
                failed = Some(format!("{}: stage {} failed: {e}", r.id, stage.name()));
                break;
            }
        }
        if let Some(msg) = failed {
            rep.gold += r.stances.len();
            rep.details.push(msg);
            continue;
        }
        score_record(r, &doc, &mut rep);
    }
    rep
}

fn actor_matches(actor: &DocActor, name: &str) -> bool {
    let key = normalize_key(name);
    !key.is_empty()
        && (normalize_key(&actor.canonical_name) == key
            || actor.aliases.iter().any(|a| normalize_key(a) == key))
}

fn target_matches(doc: &Doc, target: &StanceTarget, name: &str) -> bool {
    match (target, name.strip_prefix("topic:")) {
        (StanceTarget::Topic(t), Some(g)) => t.eq_ignore_ascii_case(g.trim()),
        (StanceTarget::Actor(a), None) => {
            doc.actors.get(*a).is_some_and(|x| actor_matches(x, name))
        }
        _ => false,
    }
}

fn same_pair(doc: &Doc, p: &Predicted, g: &GoldStance) -> bool {
    doc.actors
        .get(p.source)
        .is_some_and(|a| actor_matches(a, &g.source))
        && target_matches(doc, &p.target, &g.target)
}

fn describe(doc: &Doc, p: &Predicted) -> String {
    let name = |i: usize| {
        doc.actors
            .get(i)
            .map_or("?".to_string(), |a| a.canonical_name.clone())
    };
    let target = match &p.target {
        StanceTarget::Actor(a) => name(*a),
        StanceTarget::Topic(t) => format!("topic:{t}"),
    };
    format!(
        "{} -> {target} {} {:.2} [{}/{}]",
        name(p.source),
        p.polarity.as_str(),
        p.score,
        p.method,
        p.cue
    )
}

fn score_record(r: &StanceGoldRecord, doc: &Doc, rep: &mut StanceRecordReport) {
    let mut preds: Vec<Predicted> = Vec::new();
    for s in doc
        .stances
        .iter()
        .filter(|s| s.polarity != Polarity::Neutral)
    {
        let dup = preds
            .iter()
            .any(|p| p.source == s.source && p.target == s.target && p.polarity == s.polarity);
        if !dup {
            preds.push(Predicted {
                source: s.source,
                target: s.target.clone(),
                polarity: s.polarity,
                method: s.method.clone(),
                cue: s.cue.clone(),
                score: s.score,
            });
        }
    }
    rep.gold += r.stances.len();
    let mut gold_used = vec![false; r.stances.len()];
    for p in &preds {
        let pol = p.polarity.as_str();
        let hit = r
            .stances
            .iter()
            .enumerate()
            .position(|(i, g)| !gold_used[i] && g.polarity == pol && same_pair(doc, p, g));
        if hit.is_none()
            && r.acceptable
                .iter()
                .any(|g| g.polarity == pol && same_pair(doc, p, g))
        {
            rep.acceptable += 1;
            continue;
        }
        rep.predicted += 1;
        let m = rep.by_method.entry(p.method.clone()).or_default();
        m.1 += 1;
        match hit {
            Some(i) => {
                gold_used[i] = true;
                rep.correct += 1;
                m.0 += 1;
                rep.details
                    .push(format!("{}: correct {}", r.id, describe(doc, p)));
            }
            None => {
                if r.stances
                    .iter()
                    .any(|g| g.polarity != pol && same_pair(doc, p, g))
                {
                    rep.polarity_flips += 1;
                }
                rep.details
                    .push(format!("{}: false alarm {}", r.id, describe(doc, p)));
            }
        }
    }
    for (g, used) in r.stances.iter().zip(&gold_used) {
        if !used {
            rep.details.push(format!(
                "{}: missed {} -> {} {}",
                r.id, g.source, g.target, g.polarity
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PipelineConfig;

    fn stages(cfg: &PipelineConfig) -> Vec<Box<dyn Stage>> {
        vec![
            Box::new(crate::stages::actors::ActorsStage::new(&cfg.actors).unwrap()),
            Box::new(crate::stages::quotes::QuotesStage::new(&cfg.quotes).unwrap()),
            Box::new(crate::stages::stance::StanceStage::new(&cfg.stance).unwrap()),
        ]
    }

    fn record(line: &str) -> StanceGoldRecord {
        serde_json::from_str(line).unwrap()
    }

    #[test]
    fn scorer_counts_hits_flips_misses_and_acceptable_records() {
        let mut cfg = PipelineConfig::default();
        cfg.stance.use_classifier = false;
        let st = stages(&cfg);
        // Written for this test: invented people; a plain verb stance, a negated one and a
        // record the gold calls acceptable.
        let hit = record(
            r#"{"id":"a","split":"dev","text":"Ilka Varga condemned Portugal on Monday.","entities":[["Ilka Varga","PER"],["Portugal","LOC"]],"stances":[{"source":"Ilka Varga","target":"Portugal","polarity":"oppose"}]}"#,
        );
        let flip = record(
            r#"{"id":"b","split":"dev","text":"Ilka Varga praised Portugal on Monday.","entities":[["Ilka Varga","PER"],["Portugal","LOC"]],"stances":[{"source":"Ilka Varga","target":"Portugal","polarity":"oppose"}]}"#,
        );
        let acceptable = record(
            r#"{"id":"c","split":"dev","text":"Ilka Varga praised Portugal on Monday.","entities":[["Ilka Varga","PER"],["Portugal","LOC"]],"stances":[],"acceptable":[{"source":"Ilka Varga","target":"Portugal","polarity":"support"}]}"#,
        );
        let rep = evaluate(&[hit], &st, Preparation::GoldEntities);
        assert_eq!(
            (rep.gold, rep.predicted, rep.correct),
            (1, 1, 1),
            "{:?}",
            rep.details
        );
        assert_eq!(rep.prf().2, 1.0);
        let rep = evaluate(&[flip], &st, Preparation::GoldEntities);
        assert_eq!(
            (rep.gold, rep.predicted, rep.correct),
            (1, 1, 0),
            "{:?}",
            rep.details
        );
        assert_eq!(rep.polarity_flips, 1);
        assert_eq!(
            rep.details.len(),
            2,
            "a false alarm and a miss: {:?}",
            rep.details
        );
        let rep = evaluate(&[acceptable], &st, Preparation::GoldEntities);
        assert_eq!(
            (rep.gold, rep.predicted, rep.acceptable),
            (0, 0, 1),
            "{:?}",
            rep.details
        );
    }

    #[test]
    fn gold_names_match_metonyms_and_topics() {
        let mut cfg = PipelineConfig::default();
        cfg.stance.use_classifier = false;
        cfg.stance.topics = vec![crate::stance::TopicConfig {
            name: "ceasefire".into(),
            phrases: vec!["ceasefire".into()],
        }];
        let st = stages(&cfg);
        let r = record(
            r#"{"id":"m","split":"dev","text":"The Kremlin rejected the ceasefire and condemned Ukraine.","entities":[["Kremlin","LOC"],["Ukraine","LOC"]],"stances":[{"source":"Russia","target":"topic:ceasefire","polarity":"oppose"},{"source":"Russia","target":"Ukraine","polarity":"oppose"}]}"#,
        );
        let rep = evaluate(&[r], &st, Preparation::GoldEntities);
        assert_eq!(rep.gold, 2);
        assert_eq!(rep.correct, 2, "{:?}", rep.details);
    }

    /// The shipped config and gold set: a floor under the heldout scores reported in
    /// models/STANCE.md (P 0.792, R 0.394, F1 0.526 with gold entities, 150 records), so a
    /// change that loses stances shows up here.
    #[test]
    fn heldout_scores_stay_above_the_reported_floor() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let gold = load_gold(&root.join("tests/data/stance_gold.jsonl")).unwrap();
        for split in ["dev", "heldout"] {
            let n = gold.iter().filter(|r| r.split == split).count();
            assert!(n >= 80, "{split}: {n} records");
        }
        let cfg = PipelineConfig::load(&root.join("pipeline.toml")).unwrap();
        let heldout: Vec<_> = gold.into_iter().filter(|r| r.split == "heldout").collect();
        let rep = evaluate(&heldout, &stages(&cfg), Preparation::GoldEntities);
        let (p, r, f) = rep.prf();
        assert!(
            p >= 0.76 && r >= 0.37 && f >= 0.50,
            "P {p:.3} R {r:.3} F1 {f:.3}"
        );
    }

    #[test]
    fn bad_polarity_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.jsonl");
        std::fs::write(
            &path,
            "{\"id\":\"a\",\"split\":\"dev\",\"text\":\"x\",\"stances\":[]}\n{\"id\":\"b\",\"split\":\"dev\",\"text\":\"x\",\"stances\":[{\"source\":\"A\",\"target\":\"B\",\"polarity\":\"pro\"}]}\n",
        )
        .unwrap();
        let err = load_gold(&path).unwrap_err().to_string();
        assert!(
            err.contains("g.jsonl:2") && err.contains("support, oppose"),
            "{err}"
        );
    }
}
