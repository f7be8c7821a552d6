//! Quote evaluation against hand-labelled sentences (`tests/data/quotes_gold.jsonl`).
//!
//! Gold format, one JSON object per line:
//! `{"id", "text", "entities": [[surface, label], ...], "quotes": [{"speaker", "cue", "kind",
//! "quote"}], "note"?, "split"?}`. `split` is `dev` for records written together with the
//! rules and `heldout` for records written after the rules were frozen (report them apart). `quote` is the exact quoted text (it must occur once in `text`;
//! direct quotes without their marks and without a trailing comma; a split quote runs from the
//! first part's start to the second part's end); `speaker` is the actor's canonical name or
//! `null` when the speaker is not an actor (or there is none).
//!
//! Scores:
//! - **exact span** precision/recall/F1: a predicted quote counts when its byte span equals a
//!   gold span;
//! - **token-overlap** precision/recall/F1: gold and predicted quotes are paired greedily by
//!   shared tokens; precision = shared tokens / predicted tokens, recall = shared tokens / gold
//!   tokens, summed over the whole set;
//! - **speaker accuracy** over paired gold quotes (a gold `null` is right when no actor is
//!   predicted) and end to end (over all gold quotes); also kind and cue accuracy over pairs.
//!
//! By default documents are prepared with the built-in sentence splitter and tokenizer and the
//! gold `entities` (every occurrence tagged), so the scores measure actors + quotes with
//! perfect NER; [`evaluate_with`] takes any other preparation (e.g. the NER model).

use std::fmt;
use std::path::Path;

use serde::Deserialize;

pub use super::gold::GoldError;
use super::gold::{prepare_doc, read_jsonl};
use super::{prf, ratio};
use crate::actors::names::normalize_key;
use crate::actors::ActorResolver;
use crate::doc::{ByteSpan, Doc};
use crate::quotes::QuoteExtractor;

/// One gold quote.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldQuote {
    /// Canonical name of the speaking actor, or `None`.
    pub speaker: Option<String>,
    /// Speech verb or phrase.
    pub cue: String,
    /// `direct` or `indirect`.
    pub kind: String,
    /// Exact quoted text.
    pub quote: String,
}

/// One gold record.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldRecord {
    /// Record id.
    pub id: String,
    /// Text.
    pub text: String,
    /// Entities as (surface, label); every occurrence is tagged.
    #[serde(default)]
    pub entities: Vec<(String, String)>,
    /// Gold quotes.
    pub quotes: Vec<GoldQuote>,
    /// Free comment.
    #[serde(default)]
    pub note: Option<String>,
    /// `dev` (written together with the rules) or `heldout` (written after the rules were
    /// frozen and never used to change them).
    #[serde(default)]
    pub split: Option<String>,
}

/// Reads a gold file, checking that every quote occurs exactly once in its text.
pub fn load_gold(path: &Path) -> Result<Vec<GoldRecord>, GoldError> {
    read_jsonl(path, |r: &GoldRecord| {
        for q in &r.quotes {
            if r.text.matches(q.quote.as_str()).count() != 1 {
                return Err(format!(
                    "quote {:?} must occur exactly once in the text",
                    q.quote
                ));
            }
            if q.kind != "direct" && q.kind != "indirect" {
                return Err(format!("kind {:?}: allowed direct, indirect", q.kind));
            }
        }
        Ok(())
    })
}

/// A document from a gold record: built-in splitter and tokenizer, gold entities.
pub fn prepare_with_gold_entities(r: &GoldRecord) -> Doc {
    prepare_doc(&r.id, &r.text, &r.entities)
}

/// Scores.
#[derive(Debug, Clone, Default)]
pub struct QuoteEvalReport {
    /// Records.
    pub docs: usize,
    /// Gold quotes.
    pub gold: usize,
    /// Predicted quotes.
    pub predicted: usize,
    /// Predicted quotes whose span equals a gold span.
    pub exact: usize,
    /// Tokens in gold quotes.
    pub gold_tokens: usize,
    /// Tokens in predicted quotes.
    pub pred_tokens: usize,
    /// Tokens shared by paired quotes.
    pub shared_tokens: usize,
    /// Gold quotes paired with a prediction.
    pub paired: usize,
    /// Paired gold quotes with the right speaker.
    pub speaker_correct: usize,
    /// Paired gold quotes with the right kind.
    pub kind_correct: usize,
    /// Paired gold quotes with the right cue.
    pub cue_correct: usize,
    /// One line per error, for inspection.
    pub errors: Vec<String>,
}

impl QuoteEvalReport {
    /// Exact-span precision, recall, F1.
    pub fn exact_prf(&self) -> (f64, f64, f64) {
        prf(self.exact, self.predicted, self.gold)
    }

    /// Token-overlap precision, recall, F1.
    pub fn overlap_prf(&self) -> (f64, f64, f64) {
        prf(self.shared_tokens, self.pred_tokens, self.gold_tokens)
    }

    /// Speaker accuracy over paired gold quotes.
    pub fn speaker_accuracy(&self) -> f64 {
        ratio(self.speaker_correct, self.paired)
    }

    /// Speaker accuracy over all gold quotes (unpaired ones count as wrong).
    pub fn speaker_accuracy_end_to_end(&self) -> f64 {
        ratio(self.speaker_correct, self.gold)
    }
}

impl fmt::Display for QuoteEvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (ep, er, ef) = self.exact_prf();
        let (op, or, of) = self.overlap_prf();
        writeln!(
            f,
            "quotes: {} records, {} gold quotes, {} predicted",
            self.docs, self.gold, self.predicted
        )?;
        writeln!(f, "exact span      P {ep:.3}  R {er:.3}  F1 {ef:.3}")?;
        writeln!(f, "token overlap   P {op:.3}  R {or:.3}  F1 {of:.3}")?;
        writeln!(
            f,
            "speaker accuracy {:.3} on {} paired quotes; {:.3} end to end",
            self.speaker_accuracy(),
            self.paired,
            self.speaker_accuracy_end_to_end()
        )?;
        writeln!(
            f,
            "kind accuracy {:.3}, cue accuracy {:.3} (paired)",
            ratio(self.kind_correct, self.paired),
            ratio(self.cue_correct, self.paired)
        )
    }
}

/// Evaluates on gold records prepared with the gold entities.
pub fn evaluate(
    gold: &[GoldRecord],
    resolver: &ActorResolver,
    extractor: &QuoteExtractor,
) -> QuoteEvalReport {
    evaluate_with(gold, resolver, extractor, prepare_with_gold_entities)
}

/// Evaluates with a custom preparation (sentences, tokens and entities) of each record.
pub fn evaluate_with(
    gold: &[GoldRecord],
    resolver: &ActorResolver,
    extractor: &QuoteExtractor,
    prepare: impl Fn(&GoldRecord) -> Doc,
) -> QuoteEvalReport {
    let mut rep = QuoteEvalReport {
        docs: gold.len(),
        ..QuoteEvalReport::default()
    };
    for r in gold {
        let mut doc = prepare(r);
        resolver.resolve(&mut doc);
        extractor.extract(&mut doc);
        score_record(r, &doc, &mut rep);
    }
    rep
}

fn tokens_of(doc: &Doc, s: ByteSpan) -> Vec<usize> {
    doc.tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| t.start >= s.start && t.end <= s.end)
        .map(|(i, _)| i)
        .collect()
}

fn score_record(r: &GoldRecord, doc: &Doc, rep: &mut QuoteEvalReport) {
    let gold: Vec<(ByteSpan, &GoldQuote)> = r
        .quotes
        .iter()
        .filter_map(|q| {
            r.text
                .find(q.quote.as_str())
                .map(|p| (ByteSpan::new(p, p + q.quote.len()), q))
        })
        .collect();
    rep.gold += gold.len();
    rep.predicted += doc.quotes.len();
    let gtoks: Vec<Vec<usize>> = gold.iter().map(|(s, _)| tokens_of(doc, *s)).collect();
    let ptoks: Vec<Vec<usize>> = doc.quotes.iter().map(|q| tokens_of(doc, q.span)).collect();
    rep.gold_tokens += gtoks.iter().map(Vec::len).sum::<usize>();
    rep.pred_tokens += ptoks.iter().map(Vec::len).sum::<usize>();
    for q in &doc.quotes {
        if gold.iter().any(|(s, _)| *s == q.span) {
            rep.exact += 1;
        }
    }
    // Greedy pairing by shared tokens, largest first (ties: text order).
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
    for (gi, g) in gtoks.iter().enumerate() {
        for (pi, p) in ptoks.iter().enumerate() {
            let shared = g.iter().filter(|t| p.contains(t)).count();
            if shared > 0 {
                pairs.push((shared, gi, pi));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut gused = vec![false; gold.len()];
    let mut pused = vec![false; doc.quotes.len()];
    for (shared, gi, pi) in pairs {
        if gused[gi] || pused[pi] {
            continue;
        }
        gused[gi] = true;
        pused[pi] = true;
        rep.paired += 1;
        rep.shared_tokens += shared;
        let (gs, gq) = gold[gi];
        let pq = &doc.quotes[pi];
        let pred_key = pq
            .speaker
            .and_then(|a| doc.actors.get(a))
            .map(|a| a.key.clone());
        let gold_key = gq.speaker.as_deref().map(normalize_key);
        if pred_key == gold_key {
            rep.speaker_correct += 1;
        } else {
            rep.errors.push(format!(
                "{}: speaker {:?} (text {:?}), gold {:?} for {:?}",
                r.id, pred_key, pq.speaker_text, gold_key, gq.quote
            ));
        }
        if pq.kind.as_str() == gq.kind {
            rep.kind_correct += 1;
        }
        if pq.cue.to_lowercase() == gq.cue.to_lowercase() {
            rep.cue_correct += 1;
        }
        if pq.span != gs {
            rep.errors.push(format!(
                "{}: span {:?}, gold {:?}",
                r.id,
                pq.span.slice(&doc.text),
                gq.quote
            ));
        }
    }
    for (gi, used) in gused.iter().enumerate() {
        if !used {
            rep.errors
                .push(format!("{}: missed {:?}", r.id, gold[gi].1.quote));
        }
    }
    for (pi, used) in pused.iter().enumerate() {
        if !used {
            let q = &doc.quotes[pi];
            rep.errors.push(format!(
                "{}: spurious {:?} (speaker {:?})",
                r.id,
                q.span.slice(&doc.text),
                q.speaker_text
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::ActorsConfig;
    use crate::quotes::QuotesConfig;

    fn gold_path() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/quotes_gold.jsonl")
    }

    #[test]
    fn scorer_counts_exact_overlap_and_speakers() {
        let line = r#"{"id":"t1","text":"\"We will win,\" Ada Kern said. Bo Lind said the war was over.","entities":[["Ada Kern","PER"],["Bo Lind","PER"]],"quotes":[{"speaker":"Ada Kern","cue":"said","kind":"direct","quote":"We will win"},{"speaker":"Bo Lind","cue":"said","kind":"indirect","quote":"the war was over"}]}"#;
        let r: GoldRecord = serde_json::from_str(line).unwrap();
        let resolver = ActorResolver::new(&ActorsConfig::default()).unwrap();
        let ex = QuoteExtractor::new(&QuotesConfig::default()).unwrap();
        let rep = evaluate(&[r], &resolver, &ex);
        assert_eq!(rep.gold, 2);
        assert_eq!(rep.predicted, 2, "{:?}", rep.errors);
        assert_eq!(rep.exact, 2, "{:?}", rep.errors);
        assert_eq!(rep.speaker_correct, 2);
        assert_eq!(rep.exact_prf().2, 1.0);
    }

    #[test]
    fn gold_file_loads_and_has_enough_sentences() {
        let path = gold_path();
        if !path.is_file() {
            // The scratch crate used during development has no tests/ folder.
            return;
        }
        let gold = load_gold(&path).unwrap();
        let sentences: usize = gold
            .iter()
            .map(|g| prepare_with_gold_entities(g).sentences.len())
            .sum();
        assert!(sentences >= 60, "{sentences}");
    }
}
