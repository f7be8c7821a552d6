//! Acts named by a noun whose author is a possessive or a demonym right before it:
//! "Russia's latest strikes on Ukraine", "Israeli air strikes on Syria", "Belarus's support
//! for Moscow". The author takes the act's stance toward the noun's object (not when the
//! object is a place: "strikes on Gori"). Written in the cue lexicon as `S's V words T`.

use super::{push, targets_after, Cand, Found, SentCtx, DETERMINERS, PREPOSITIONS};
use crate::doc::{MentionKind, StanceTarget};
use crate::stance::lexicon::{CueIndex, CueKind, Lexicon, Pattern};

/// Adjectives allowed between the author and the noun ("Russia's latest heavy strikes").
const MAX_ADJECTIVES: usize = 2;

/// Adds the records of owner-noun cues in one sentence.
pub(super) fn owner_rules(
    ctx: &SentCtx,
    lex: &Lexicon,
    index: &CueIndex,
    cands: &[Cand],
    out: &mut Vec<Found>,
) {
    // Most sentences have no possessive or demonym: nothing to do.
    let has_owner = ctx.words.iter().any(|w| w == "'s")
        || ctx.mentions.iter().any(|m| m.kind == MentionKind::Demonym);
    if !has_owner {
        return;
    }
    for i in 0..ctx.words.len() {
        if ctx.in_mention(i) {
            continue;
        }
        for cue in index.at(&lex.cues, ctx.word(i)) {
            let (Pattern::Owner { words }, CueKind::Stance(pol)) = (&cue.pattern, cue.kind) else {
                continue;
            };
            let Some((len, form)) = cue.match_form(&ctx.words, i) else {
                continue;
            };
            let after = i + len;
            if !words
                .iter()
                .enumerate()
                .all(|(k, w)| ctx.word(after + k) == w)
            {
                continue;
            }
            let Some(owner) = author_before(ctx, i) else {
                continue;
            };
            for t in targets_after(ctx, cands, after + words.len(), 3) {
                if matches!(t.target, StanceTarget::Actor(a) if a == owner) {
                    continue;
                }
                // An act on a place is no stance toward an actor: "a raid on its Gulf oil
                // platforms", "strikes on Gori".
                let place = ctx.mentions.iter().any(|m| m.start == t.start && m.place);
                if place {
                    continue;
                }
                push(
                    out,
                    owner,
                    &t.target,
                    pol,
                    cue.weight,
                    cue.form_name(form),
                    "noun",
                );
            }
        }
    }
}

/// The actor written as a possessive ("Russia's") or a demonym ("Russian") right before the
/// noun at `i`, past up to [`MAX_ADJECTIVES`] lower-case adjectives.
fn author_before(ctx: &SentCtx, i: usize) -> Option<usize> {
    let mut j = i;
    for _ in 0..=MAX_ADJECTIVES {
        let prev = j.checked_sub(1)?;
        if ctx.word(prev) == "'s" {
            return ctx.mentions.iter().find(|m| m.end == prev).map(|m| m.actor);
        }
        if let Some(m) = ctx
            .mentions
            .iter()
            .find(|m| m.end == j && m.kind == MentionKind::Demonym)
        {
            return Some(m.actor);
        }
        let w = ctx.word(prev);
        let adjective = !w.is_empty()
            && w.chars().all(|c| c.is_alphabetic() && c.is_lowercase())
            && !ctx.in_mention(prev)
            && !DETERMINERS.contains(&w)
            && !PREPOSITIONS.contains(&w);
        if !adjective {
            return None;
        }
        j = prev;
    }
    None
}
