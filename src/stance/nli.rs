//! Zero-shot stance by natural-language inference (`[stance] backend = "nli"`).
//!
//! For every sentence, each actor that can act (not a place) and each quote speaker is paired
//! with every other actor or topic of the sentence. The sentence is the premise; two
//! hypotheses are built from templates ("{source} supports {target}." / "{source} opposes
//! {target}.") and an NLI model scores how strongly each is entailed (rust-bert's zero-shot
//! classification, feature `transformers`, in [`super::nli_model`]). The stronger one wins when
//! its probability reaches `min_confidence`. Records have `method = "nli"` and the winning
//! hypothesis as `cue`.
//!
//! Pair selection, hypotheses and the decision are pure and tested without libtorch.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::rules::SentCtx;
use super::{same_side, state_of_place, StanceError, TargetKey, TopicMatcher};
use crate::doc::{ActorType, Doc, Polarity, Stance, StanceTarget};
use crate::transformers::DeviceChoice;

/// `[stance.nli]`: the NLI backend's options (used when `[stance] backend = "nli"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NliConfig {
    /// A local NLI model directory (`config.json` whose `id2label` is contradiction, neutral,
    /// entailment in that order, the tokenizer files and `rust_model.ot` or
    /// `model.safetensors`), e.g. made by `newsmill models convert`. Relative paths are
    /// resolved against the config file's folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_dir: Option<PathBuf>,
    /// "cpu", "cuda" (an error without a usable GPU) or "auto" (the GPU when usable).
    pub device: DeviceChoice,
    /// Hypotheses per forward pass (1..=1024).
    pub batch_size: usize,
    /// Hypothesis for support; `{source}` and `{target}` are replaced by the actor names or
    /// the topic name.
    pub support_hypothesis: String,
    /// Hypothesis for opposition, with the same placeholders.
    pub oppose_hypothesis: String,
    /// Smallest entailment probability (0..1) for a support or oppose record.
    pub min_confidence: f32,
    /// Also keep a neutral record when neither hypothesis reaches `min_confidence`.
    pub neutral: bool,
    /// At most this many (source, target) pairs per sentence, in text order (1..=200): bounds
    /// the cost of sentences that name many actors.
    pub max_pairs: usize,
    /// Longest premise plus hypothesis in sub-word pieces; longer inputs are truncated.
    pub max_length: usize,
}

impl Default for NliConfig {
    fn default() -> Self {
        NliConfig {
            model_dir: None,
            device: DeviceChoice::Cpu,
            batch_size: 32,
            support_hypothesis: "{source} supports {target}.".into(),
            oppose_hypothesis: "{source} opposes {target}.".into(),
            min_confidence: 0.5,
            neutral: false,
            max_pairs: 12,
            max_length: 256,
        }
    }
}

impl NliConfig {
    /// Checks values; errors are `(key inside [stance.nli], message)`.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if !(0.0..=1.0).contains(&self.min_confidence) {
            return Err((
                "min_confidence".into(),
                format!("{} is out of range; allowed: 0 to 1", self.min_confidence),
            ));
        }
        for (key, v, lo, hi) in [
            ("batch_size", self.batch_size, 1, 1024),
            ("max_pairs", self.max_pairs, 1, 200),
            ("max_length", self.max_length, 16, 4096),
        ] {
            if !(lo..=hi).contains(&v) {
                return Err((
                    key.into(),
                    format!("{v} is out of range; allowed: {lo} to {hi}"),
                ));
            }
        }
        for (key, t) in [
            ("support_hypothesis", &self.support_hypothesis),
            ("oppose_hypothesis", &self.oppose_hypothesis),
        ] {
            if !(t.contains("{source}") && t.contains("{target}")) {
                return Err((
                    key.into(),
                    format!("{t:?} must contain both {{source}} and {{target}}"),
                ));
            }
        }
        if self.model_dir.is_none() {
            return Err((
                "model_dir".into(),
                "must be set when [stance] backend = \"nli\" (a local NLI model directory; see \
                 `newsmill models convert --help`)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The two hypotheses (support, oppose) for a pair of names.
    pub fn hypotheses(&self, source: &str, target: &str) -> (String, String) {
        let fill = |t: &str| t.replace("{source}", source).replace("{target}", target);
        (
            fill(&self.support_hypothesis),
            fill(&self.oppose_hypothesis),
        )
    }

    /// The record for entailment probabilities of the support and oppose hypotheses:
    /// `(polarity, score, index of the winning hypothesis: 0 support, 1 oppose, 2 neither)`,
    /// or `None` when nothing is kept.
    pub fn decide(&self, p_support: f32, p_oppose: f32) -> Option<(Polarity, f32, usize)> {
        let (pol, p, which) = if p_support >= p_oppose {
            (Polarity::Support, p_support, 0)
        } else {
            (Polarity::Oppose, p_oppose, 1)
        };
        if p >= self.min_confidence {
            Some((pol, p, which))
        } else if self.neutral {
            Some((Polarity::Neutral, 1.0 - p, 2))
        } else {
            None
        }
    }
}

/// Scores how strongly a premise entails each hypothesis (probability of entailment against
/// contradiction). Implemented by the rust-bert model; tests use stand-ins.
pub trait EntailmentScorer {
    /// One probability per hypothesis, in order.
    fn entailment(&self, premise: &str, hypotheses: &[String]) -> Result<Vec<f32>, StanceError>;
}

/// A (source, target) pair of one sentence, with the names used in the hypotheses.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// Source actor.
    pub source: usize,
    /// Target actor or topic.
    pub target: StanceTarget,
    /// Source name (the actor's canonical name).
    pub source_name: String,
    /// Target name (canonical name or topic name).
    pub target_name: String,
}

/// Candidate pairs of one sentence, in text order, at most `max`: sources are the actors named
/// in it that can act (not places) and the speakers of quotes in it; targets are the other
/// actors (a place standing for its state) and the topics. Pairs on the same side (a minister
/// and their state) are left out.
pub fn pairs(doc: &Doc, ctx: &SentCtx, max: usize) -> Vec<Pair> {
    let mut sources: Vec<usize> = Vec::new();
    for m in &ctx.mentions {
        let acts = doc
            .actors
            .get(m.actor)
            .is_some_and(|a| a.actor_type != ActorType::Place);
        if acts && !sources.contains(&m.actor) {
            sources.push(m.actor);
        }
    }
    for (i, s) in ctx.speaker.iter().enumerate() {
        if let Some(a) = *s {
            if !ctx.inferred.get(i).copied().unwrap_or(true) && !sources.contains(&a) {
                sources.push(a);
            }
        }
    }
    let targets = ctx.candidates();
    let name = |a: usize| doc.actors.get(a).map(|x| x.canonical_name.clone());
    let mut seen: Vec<(usize, TargetKey)> = Vec::new();
    let mut out = Vec::new();
    for &source in &sources {
        let Some(source_name) = name(source) else {
            continue;
        };
        for c in &targets {
            let target = state_of_place(doc, &c.target);
            let target_name = match &target {
                StanceTarget::Actor(a) if *a == source => continue,
                StanceTarget::Actor(a) => match name(*a) {
                    Some(n) => n,
                    None => continue,
                },
                StanceTarget::Topic(t) => t.clone(),
            };
            let key = (source, TargetKey::of(&target));
            if seen.contains(&key) || same_side(doc, source, &target) {
                continue;
            }
            seen.push(key);
            out.push(Pair {
                source,
                target,
                source_name: source_name.clone(),
                target_name,
            });
            if out.len() >= max {
                return out;
            }
        }
    }
    out
}

/// Tags one document with NLI: replaces `doc.stances`.
pub fn tag(
    doc: &mut Doc,
    topics: &TopicMatcher,
    cfg: &NliConfig,
    min_score: f32,
    scorer: &dyn EntailmentScorer,
) -> Result<(), StanceError> {
    let mut all: Vec<Stance> = Vec::new();
    for sent in 0..doc.sentences.len() {
        let Some(ctx) = SentCtx::new(doc, sent, topics) else {
            continue;
        };
        let found = pairs(doc, &ctx, cfg.max_pairs);
        if found.is_empty() {
            continue;
        }
        let Some(premise) = doc.text.get(ctx.span.start..ctx.span.end) else {
            continue;
        };
        let hyps: Vec<String> = found
            .iter()
            .flat_map(|p| {
                let (s, o) = cfg.hypotheses(&p.source_name, &p.target_name);
                [s, o]
            })
            .collect();
        let probs = scorer.entailment(premise, &hyps)?;
        for (i, p) in found.into_iter().enumerate() {
            let (Some(&ps), Some(&po)) = (probs.get(2 * i), probs.get(2 * i + 1)) else {
                continue;
            };
            let Some((polarity, score, which)) = cfg.decide(ps, po) else {
                continue;
            };
            if score < min_score {
                continue;
            }
            let cue = hyps.get(2 * i + which.min(1)).cloned().unwrap_or_default();
            all.push(Stance {
                sent,
                source: p.source,
                target: p.target,
                polarity,
                score,
                cue: if which == 2 { "nli".into() } else { cue },
                method: "nli".into(),
                evidence: ctx.span,
            });
        }
    }
    doc.stances = all;
    Ok(())
}

/// Checks that an NLI model's labels are the three rust-bert's zero-shot pipeline assumes:
/// contradiction first, entailment last. `labels` come from the model's `config.json`.
pub fn check_nli_labels(labels: &[String]) -> Result<(), String> {
    let lower: Vec<String> = labels.iter().map(|l| l.to_lowercase()).collect();
    let ok = lower.len() == 3
        && lower[0].starts_with("contradict")
        && lower[1] == "neutral"
        && lower[2].starts_with("entail");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the NLI model's id2label is {labels:?}; rust-bert's zero-shot classification needs \
             exactly [contradiction, neutral, entailment] in that order"
        ))
    }
}

/// The NLI scorer, when this build has the `transformers` feature.
pub struct NliScorer {
    #[cfg(feature = "transformers")]
    model: super::nli_model::NliModel,
}

impl std::fmt::Debug for NliScorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NliScorer")
    }
}

impl NliScorer {
    /// Loads the model of `cfg` (errors name `stance.nli.model_dir` or `stance.backend`).
    pub fn load(cfg: &NliConfig) -> Result<Self, StanceError> {
        #[cfg(feature = "transformers")]
        {
            Ok(NliScorer {
                model: super::nli_model::NliModel::load(cfg)?,
            })
        }
        #[cfg(not(feature = "transformers"))]
        {
            let _ = cfg;
            Err(StanceError::Config {
                key: "backend".into(),
                message: crate::transformers::feature_missing("stance.backend", "nli"),
            })
        }
    }
}

impl EntailmentScorer for NliScorer {
    fn entailment(&self, premise: &str, hypotheses: &[String]) -> Result<Vec<f32>, StanceError> {
        #[cfg(feature = "transformers")]
        {
            self.model.entailment(premise, hypotheses)
        }
        #[cfg(not(feature = "transformers"))]
        {
            let _ = (premise, hypotheses);
            Ok(Vec::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypotheses_fill_templates() {
        let cfg = NliConfig::default();
        let (s, o) = cfg.hypotheses("Russia", "NATO");
        assert_eq!(s, "Russia supports NATO.");
        assert_eq!(o, "Russia opposes NATO.");
    }

    #[test]
    fn decide_picks_the_stronger_hypothesis_above_the_threshold() {
        let mut cfg = NliConfig::default();
        assert_eq!(cfg.decide(0.9, 0.2), Some((Polarity::Support, 0.9, 0)));
        assert_eq!(cfg.decide(0.3, 0.7), Some((Polarity::Oppose, 0.7, 1)));
        assert_eq!(cfg.decide(0.3, 0.4), None);
        cfg.neutral = true;
        let (pol, score, which) = cfg.decide(0.3, 0.4).unwrap();
        assert_eq!((pol, which), (Polarity::Neutral, 2));
        assert!((score - 0.6).abs() < 1e-6);
    }

    #[test]
    fn validate_names_keys() {
        let mut cfg = NliConfig::default();
        assert_eq!(cfg.validate().unwrap_err().0, "model_dir");
        cfg.model_dir = Some("m".into());
        assert!(cfg.validate().is_ok());
        cfg.oppose_hypothesis = "{source} opposes.".into();
        assert_eq!(cfg.validate().unwrap_err().0, "oppose_hypothesis");
        cfg = NliConfig {
            model_dir: Some("m".into()),
            min_confidence: 2.0,
            ..NliConfig::default()
        };
        assert_eq!(cfg.validate().unwrap_err().0, "min_confidence");
    }

    /// Entails "X supports Y" for every pair whose source is Russia, nothing else.
    struct RussiaSupports;

    impl EntailmentScorer for RussiaSupports {
        fn entailment(&self, _premise: &str, hyps: &[String]) -> Result<Vec<f32>, StanceError> {
            Ok(hyps
                .iter()
                .map(|h| {
                    if h.starts_with("Russia supports ") {
                        0.9
                    } else {
                        0.1
                    }
                })
                .collect())
        }
    }

    #[test]
    fn tag_runs_pairs_through_the_scorer() {
        let cfg = crate::config::PipelineConfig::default();
        let stages = crate::stages::build(&cfg).unwrap();
        let source = crate::doc::Source::plain_text("t.txt");
        let mut doc = Doc::new(
            crate::doc::DocId::from_source_key("t"),
            source,
            "Russia recognised Abkhazia and South Ossetia on Tuesday. Georgia condemned \
             Russia, and NATO urged restraint."
                .into(),
            Default::default(),
        );
        for st in stages.iter().filter(|s| s.name() != "stance") {
            st.process(&mut doc).unwrap();
        }
        assert!(doc.actors.len() >= 3, "{:?}", doc.actors);
        let nli = NliConfig {
            model_dir: Some("unused".into()),
            ..NliConfig::default()
        };
        let topics = TopicMatcher::new(&[]);
        tag(&mut doc, &topics, &nli, 0.1, &RussiaSupports).unwrap();
        assert!(!doc.stances.is_empty());
        for st in &doc.stances {
            assert_eq!(st.method, "nli");
            assert_eq!(st.polarity, Polarity::Support);
            assert_eq!(doc.actors[st.source].canonical_name, "Russia");
            assert!(st.cue.starts_with("Russia supports "), "{}", st.cue);
            assert!(matches!(st.target, StanceTarget::Actor(t) if t != st.source));
            assert!(st.evidence.start < st.evidence.end);
        }
        // Every source pairs with the other actors of its sentence; with neutral records on,
        // the pairs not entailed show up as neutral.
        let nli = NliConfig {
            neutral: true,
            ..nli
        };
        tag(&mut doc, &topics, &nli, 0.1, &RussiaSupports).unwrap();
        assert!(doc.stances.iter().any(|s| s.polarity == Polarity::Neutral));
    }

    #[test]
    fn nli_label_order() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_nli_labels(&l(&["CONTRADICTION", "NEUTRAL", "ENTAILMENT"])).is_ok());
        assert!(check_nli_labels(&l(&["entailment", "neutral", "contradiction"])).is_err());
        assert!(check_nli_labels(&l(&["entailment", "not_entailment"])).is_err());
    }
}
