//! The lexicon scan: gazetteer names (countries, organisations, seats of government, listed
//! persons' full names, demonyms) among the tokens that no NER entity covers, so that a weak or
//! missing NER still yields the well-known actors.

use std::ops::Range;

use crate::doc::ActorType;

use super::knowledge::Surface;
use super::names::{is_possessive_token, key_words};
use super::resolve::{Class, Ctx};

/// Gazetteer matches among tokens no entity covers.
pub(super) fn lexicon_scan(
    ctx: &Ctx,
    in_ent: &[bool],
    cands: &mut Vec<(Range<usize>, Class, Option<Surface>)>,
) {
    let v = &ctx.v;
    for s in 0..v.n_sents() {
        let sent = v.sent_range(s);
        let mut i = sent.start;
        while i < sent.end {
            if in_ent.get(i).copied().unwrap_or(true) {
                i += 1;
                continue;
            }
            let mut limit = i;
            while limit < sent.end && !in_ent.get(limit).copied().unwrap_or(true) {
                limit += 1;
            }
            let Some((r, surf)) = ctx.kb_longest_at(i, limit) else {
                i += 1;
                continue;
            };
            let Some(e) = ctx.kb.entry(surf.entry) else {
                i += 1;
                continue;
            };
            // Persons only by full listed name; a match glued to another capitalised word is
            // part of a longer name ("West Bank", "Washington Post").
            let person_ok =
                e.actor_type != ActorType::Person || key_words(&ctx.v.key_of(r.clone())).len() >= 2;
            let glued_after = r.end < sent.end
                && v.is_cap(r.end)
                && !is_possessive_token(v.tok(r.end))
                && !ctx.kb.is_role_word(v.key(r.end))
                && ctx.kb_longest_at(r.end, sent.end).is_none();
            let glued_before = r.start > sent.start
                && v.is_cap(r.start - 1)
                && !v.is_sentence_initial(r.start - 1)
                && !ctx.kb.is_role_word(v.key(r.start - 1))
                && ctx.kb_longest_ending_at(r.start, sent.start).is_none();
            if person_ok && !glued_after && !glued_before {
                let class = match e.actor_type {
                    ActorType::Person => Class::Person,
                    ActorType::Organisation | ActorType::Group => Class::Org,
                    ActorType::State | ActorType::Place => Class::Loc,
                };
                cands.push((r.clone(), class, Some(surf)));
                i = r.end;
            } else {
                i += 1;
            }
        }
    }
}
