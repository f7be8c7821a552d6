//! Reciprocal verbs with a coordinated subject and no object: "Nigeria and Ghana signed a
//! defence pact", "Armenian and Azerbaijani forces clashed". Each conjunct takes the stance
//! toward each other one.

use super::{
    flip, negated_weight, push, scope, subject_before, subject_conjuncts, Found, SentCtx,
    CLAUSE_BREAK,
};
use crate::doc::StanceTarget;
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
    let Some((source, src_end)) = subject_before(ctx, lex, i, false) else {
        return;
    };
    let (sources, _) = subject_conjuncts(ctx, source, src_end);
    if sources.len() < 2 {
        return;
    }
    let (neg, modal) = scope(ctx, lex, src_end, i);
    let score = negated_weight(cue.weight, neg) * modal;
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
}
