//! Reciprocal verbs with a coordinated subject and no object: "Nigeria and Ghana signed a
//! defence pact", "Armenian and Azerbaijani forces clashed". Each conjunct takes the stance
//! toward each other one.

use super::{
    coordinated_before, flip, negated_weight, push, scope, subject_before, Found, SentCtx,
    CLAUSE_BREAK,
};
use crate::doc::{Polarity, StanceTarget};
use crate::stance::lexicon::Lexicon;

/// Cue lemmas read reciprocally when their "with" object is missing.
const RECIPROCAL: &[&str] = &["sign", "clash", "cooperate", "collaborate", "ally"];

/// What "sign" must be followed by to be a stance: signing a pact, not a player or a bill.
const AGREEMENT_NOUNS: &[&str] = &[
    "pact",
    "pacts",
    "agreement",
    "agreements",
    "deal",
    "treaty",
    "accord",
    "accords",
    "memorandum",
    "protocol",
    "ceasefire",
    "truce",
    "alliance",
];

/// Tokens after "sign" searched for the agreement noun.
const AGREEMENT_WINDOW: usize = 5;

/// Adds the records of a reciprocal cue at token `i` (`lemma`: the cue's first word; the cue
/// ends before `after`) whose "with" was not found. Returns whether it applied.
#[allow(clippy::too_many_arguments)]
pub(super) fn reciprocal(
    ctx: &SentCtx,
    lex: &Lexicon,
    i: usize,
    after: usize,
    lemma: &str,
    pol: Polarity,
    weight: f32,
    cue_name: &str,
    out: &mut Vec<Found>,
) -> bool {
    if !RECIPROCAL.contains(&lemma) {
        return false;
    }
    if lemma == "sign" {
        let agreement = (after..after + AGREEMENT_WINDOW)
            .take_while(|&k| !CLAUSE_BREAK.contains(&ctx.word(k)) && ctx.word(k) != ",")
            .any(|k| AGREEMENT_NOUNS.contains(&ctx.word(k)));
        if !agreement {
            return false;
        }
    }
    let Some((source, src_end)) = subject_before(ctx, lex, i, false) else {
        return false;
    };
    let src_start = ctx
        .mentions
        .iter()
        .find(|m| m.end == src_end)
        .map_or(src_end, |m| m.start);
    let mut sources = vec![source];
    sources.extend(coordinated_before(ctx, src_start));
    if sources.len() < 2 {
        return false;
    }
    let (neg, modal) = scope(ctx, lex, src_end, i);
    let score = negated_weight(weight, neg) * modal;
    for &a in &sources {
        for &b in &sources {
            if a != b {
                push(
                    out,
                    a,
                    &StanceTarget::Actor(b),
                    flip(pol, neg),
                    score,
                    cue_name.to_string(),
                    "verb",
                );
            }
        }
    }
    true
}
