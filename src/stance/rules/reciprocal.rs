//! Reciprocal verbs with a coordinated subject and no object: "Nigeria and Ghana signed a
//! defence pact", "Armenian and Azerbaijani forces clashed", and any stance cue whose object
//! is "each other" ("agreed to back each other's bids"). Each conjunct takes the stance toward
//! each other one.

use super::{
    flip, negated_weight, push, scope, subject_before, subject_conjuncts, Found, SentCtx,
    CLAUSE_BREAK,
};
use crate::doc::{Polarity, StanceTarget};
use crate::stance::lexicon::{Cue, CueKind, Lexicon};

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

/// Adds the records of the reciprocal `cue` at token `i` (ending before `after`, shown as
/// `cue_name`) whose "with" was not found.
pub(super) fn reciprocal(
    ctx: &SentCtx,
    lex: &Lexicon,
    i: usize,
    after: usize,
    cue: &Cue,
    cue_name: &str,
    out: &mut Vec<Found>,
) {
    let (Some(lemma), CueKind::Stance(pol)) = (cue.forms.first().and_then(|f| f.first()), cue.kind)
    else {
        return;
    };
    if !RECIPROCAL.contains(&lemma.as_str()) {
        return;
    }
    if lemma == "sign" {
        let agreement = (after..after + AGREEMENT_WINDOW)
            .take_while(|&k| !CLAUSE_BREAK.contains(&ctx.word(k)) && ctx.word(k) != ",")
            .any(|k| AGREEMENT_NOUNS.contains(&ctx.word(k)));
        if !agreement {
            return;
        }
    }
    pairwise(ctx, lex, i, cue.weight, pol, cue_name, out);
}

/// "Brazil and Germany would support each other's bids": a stance cue whose object is "each
/// other" or "one another" gives every conjunct of the subject the stance toward every other
/// one. Returns whether the object was such a phrase.
pub(super) fn each_other(
    ctx: &SentCtx,
    lex: &Lexicon,
    i: usize,
    at: usize,
    cue: &Cue,
    cue_name: &str,
    out: &mut Vec<Found>,
) -> bool {
    let CueKind::Stance(pol) = cue.kind else {
        return false;
    };
    let w = (ctx.word(at), ctx.word(at + 1));
    if !matches!(w, ("each", "other") | ("one", "another")) {
        return false;
    }
    // "Brazil and Germany said they would support each other's bids": a plural pronoun
    // subject stands for the sentence's coordinated subject.
    if let Some(pron) = (i.saturating_sub(4)..i).find(|&k| matches!(ctx.word(k), "they" | "we")) {
        let conjuncts = ctx
            .mentions
            .iter()
            .filter(|m| m.end < i)
            .map(|m| subject_conjuncts(ctx, m.actor, m.end).0)
            .find(|c| c.len() >= 2);
        if let Some(sources) = conjuncts {
            push_pairs(
                ctx,
                lex,
                &sources,
                pron + 1,
                i,
                cue.weight,
                pol,
                cue_name,
                out,
            );
            return true;
        }
    }
    pairwise(ctx, lex, i, cue.weight, pol, cue_name, out);
    true
}

/// One record from each of `sources` toward each other one, with the negation and modality
/// between the subject (ending before `from`) and the cue at `i`.
#[allow(clippy::too_many_arguments)]
fn push_pairs(
    ctx: &SentCtx,
    lex: &Lexicon,
    sources: &[usize],
    from: usize,
    i: usize,
    weight: f32,
    pol: Polarity,
    cue_name: &str,
    out: &mut Vec<Found>,
) {
    let (neg, modal) = scope(ctx, lex, from, i);
    let score = negated_weight(weight, neg) * modal;
    let pol = flip(pol, neg);
    for &a in sources {
        for &b in sources {
            if a != b {
                push(
                    out,
                    a,
                    &StanceTarget::Actor(b),
                    pol,
                    score,
                    cue_name.to_string(),
                    "verb",
                );
            }
        }
    }
}

/// Every conjunct of the subject of the cue at `i` toward every other conjunct.
fn pairwise(
    ctx: &SentCtx,
    lex: &Lexicon,
    i: usize,
    weight: f32,
    pol: Polarity,
    cue_name: &str,
    out: &mut Vec<Found>,
) {
    let Some((source, src_end)) = subject_before(ctx, lex, i, false) else {
        return;
    };
    let (sources, _) = subject_conjuncts(ctx, source, src_end);
    if sources.len() < 2 {
        return;
    }
    push_pairs(ctx, lex, &sources, src_end, i, weight, pol, cue_name, out);
}
