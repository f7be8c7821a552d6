//! Reactions: "China vetoed the resolution, drawing sharp criticism from Britain", "the plan
//! won praise from the AU". A stance noun after a reaction verb and before "from" names its
//! source after "from"; its target is who the reaction is to, the clause's subject.

use super::{
    after_adverbs, clause_subject, flip, negated_weight, push, scope, subject_before,
    targets_after, Cand, Found, SentCtx, CLAUSE_BREAK,
};
use crate::doc::{Polarity, StanceTarget};
use crate::stance::lexicon::{CueIndex, CueKind, Lexicon, Pattern};
use crate::text::time_words::is_time_adjunct;

/// Verbs that take a reaction noun as object ("drew criticism", "faced condemnation").
const REACTION_VERBS: &[&str] = &[
    "draw",
    "draws",
    "drew",
    "drawn",
    "drawing",
    "attract",
    "attracts",
    "attracted",
    "attracting",
    "spark",
    "sparks",
    "sparked",
    "sparking",
    "prompt",
    "prompts",
    "prompted",
    "prompting",
    "provoke",
    "provokes",
    "provoked",
    "provoking",
    "trigger",
    "triggers",
    "triggered",
    "triggering",
    "earn",
    "earns",
    "earned",
    "earning",
    "win",
    "wins",
    "won",
    "winning",
    "receive",
    "receives",
    "received",
    "receiving",
    "face",
    "faces",
    "faced",
    "facing",
    "invite",
    "invites",
    "invited",
    "inviting",
];

/// Reaction nouns the cue lexicon does not list as stance cues.
const REACTION_NOUNS: &[(&str, Polarity)] = &[
    ("outrage", Polarity::Oppose),
    ("anger", Polarity::Oppose),
    ("ire", Polarity::Oppose),
    ("fury", Polarity::Oppose),
    ("backlash", Polarity::Oppose),
    ("protest", Polarity::Oppose),
    ("protests", Polarity::Oppose),
    ("rebukes", Polarity::Oppose),
    ("plaudits", Polarity::Support),
    ("applause", Polarity::Support),
];

/// Score of a reaction record: the cue's weight, or this for the nouns above.
const REACTION_WEIGHT: f32 = 0.7;

/// Adjectives and determiners allowed between the reaction verb and the noun.
const MAX_MODIFIERS: usize = 3;

/// Adds reaction records for one sentence.
pub(super) fn reaction_rules(
    ctx: &SentCtx,
    lex: &Lexicon,
    index: &CueIndex,
    cands: &[Cand],
    out: &mut Vec<Found>,
) {
    // Most sentences have neither word: skip them before any cue lookup (the stage scans
    // every word of the corpus).
    let has = |list: &[&str]| ctx.words.iter().any(|w| list.contains(&w.as_str()));
    if !has(&["from"]) || !has(REACTION_VERBS) {
        return;
    }
    for i in 0..ctx.words.len() {
        if ctx.in_mention(i) {
            continue;
        }
        // The reaction verb, with up to three modifiers before the noun ("drew sharp
        // international criticism").
        let Some(v) = (1..=MAX_MODIFIERS + 1)
            .filter_map(|d| i.checked_sub(d))
            .take_while(|&k| {
                let w = ctx.word(k);
                !ctx.in_mention(k) && !CLAUSE_BREAK.contains(&w) && w != ","
            })
            .find(|&k| REACTION_VERBS.contains(&ctx.word(k)))
        else {
            continue;
        };
        let Some((len, pol, weight, cue)) = reaction_noun(ctx, lex, index, i) else {
            continue;
        };
        // "drew swift condemnation on Monday from Jordan": adverbs and time words first.
        let mut p = after_adverbs(ctx, i + len);
        while p < i + len + 4 && is_time_adjunct(ctx.word(p)) {
            p += 1;
        }
        if ctx.word(p) != "from" {
            continue;
        }
        let sources = targets_after(ctx, cands, p + 1, 3);
        // ", drawing criticism from": the participle's subject is the main clause's.
        let target = if v > 0 && ctx.word(v - 1) == "," && ctx.word(v).ends_with("ing") {
            clause_subject(ctx, v - 1)
        } else {
            subject_before(ctx, lex, v, false).or_else(|| fronted_proxy_subject(ctx, v))
        };
        let Some((target, tgt_end)) = target else {
            continue;
        };
        let (neg, modal) = scope(ctx, lex, tgt_end.min(v), v);
        for s in sources {
            if let StanceTarget::Actor(src) = s.target {
                push(
                    out,
                    src,
                    &StanceTarget::Actor(target),
                    flip(pol, neg),
                    negated_weight(weight, neg) * modal,
                    cue.clone(),
                    "verb-passive",
                );
            }
        }
    }
}

/// A sentence-initial possessive with a proxy head and a long modifier before the verb at
/// `v`: "Israel's decision to expand settlements in the West Bank drew condemnation".
fn fronted_proxy_subject(ctx: &SentCtx, v: usize) -> Option<(usize, usize)> {
    let m = ctx
        .mentions
        .iter()
        .find(|m| m.start == 0 || (m.start == 1 && ctx.word(0) == "the"))?;
    let head_end = ctx.proxy_head_end(m.start, m.end)??;
    let clean = (head_end..v).all(|k| {
        let w = ctx.word(k);
        !CLAUSE_BREAK.contains(&w) && w != ","
    });
    (clean && head_end < v && v - head_end <= 12).then_some((m.actor, m.end))
}

/// A stance noun at token `i`: its length in tokens, polarity, weight and cue name.
fn reaction_noun(
    ctx: &SentCtx,
    lex: &Lexicon,
    index: &CueIndex,
    i: usize,
) -> Option<(usize, Polarity, f32, String)> {
    let w = ctx.word(i);
    if let Some(&(_, pol)) = REACTION_NOUNS.iter().find(|(n, _)| *n == w) {
        return Some((1, pol, REACTION_WEIGHT, w.to_string()));
    }
    index.at(&lex.cues, w).find_map(|cue| {
        let CueKind::Stance(pol) = cue.kind else {
            return None;
        };
        if matches!(cue.pattern, Pattern::Quote | Pattern::Scope) {
            return None;
        }
        let (len, form) = cue.match_form(&ctx.words, i)?;
        Some((len, pol, cue.weight, cue.form_name(form)))
    })
}
