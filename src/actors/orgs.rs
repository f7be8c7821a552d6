//! Organisations the knowledge base does not list: their key, display name and state.

use std::ops::Range;

use crate::doc::ActorType;

use super::names::{is_possessive_token, key_words, normalize_key};
use super::resolve::{AffRef, Ctx};

/// Words that may make an organisation name generic ("Foreign Ministry", "Security Council"),
/// in addition to the role words: such a name gets its state in the key.
const GENERIC_ORG_WORDS: [&str; 24] = [
    "foreign",
    "interior",
    "affairs",
    "defence",
    "defense",
    "security",
    "council",
    "ministry",
    "department",
    "state",
    "national",
    "federal",
    "general",
    "staff",
    "parliament",
    "government",
    "service",
    "intelligence",
    "emergency",
    "emergencies",
    "justice",
    "finance",
    "office",
    "border",
];

fn is_generic_org(ctx: &Ctx, key: &str) -> bool {
    let ws = key_words(key);
    !ws.is_empty()
        && ws
            .iter()
            .all(|w| GENERIC_ORG_WORDS.contains(w) || ctx.kb.is_role_word(w) || *w == "of")
}

/// Key, name and affiliation of an organisation not in the knowledge base. A generic name
/// ("Foreign Ministry") gets the state named before or inside it: "Russia's Foreign Ministry" →
/// "Foreign Ministry of Russia".
pub(super) fn org_identity(ctx: &Ctx, r: Range<usize>) -> (String, String, Option<AffRef>) {
    let v = &ctx.v;
    let mut body = r.clone();
    let mut aff: Option<AffRef> = None;
    // A state inside the entity: "Russian Foreign Ministry".
    if let Some((m, s)) = ctx.kb_longest_at(r.start, r.end) {
        if m.end < r.end {
            if let Some(e) = ctx
                .kb
                .entry(s.entry)
                .filter(|e| e.actor_type == ActorType::State)
            {
                aff = Some(AffRef::from_entry(e));
                body.start = m.end;
                while body.len() > 1 && is_possessive_token(v.tok(body.start)) {
                    body.start += 1;
                }
            }
        }
    }
    // A state before it: "Russia's Foreign Ministry", "the Georgian Security Council".
    if aff.is_none() {
        let sent = v.sent_range(v.sent(r.start));
        let mut end = r.start;
        if end > sent.start && is_possessive_token(v.tok(end - 1)) {
            end -= 1;
        }
        if let Some((_, s)) = ctx.kb_longest_ending_at(end, sent.start) {
            if let Some(e) = ctx
                .kb
                .entry(s.entry)
                .filter(|e| e.actor_type == ActorType::State)
            {
                aff = Some(AffRef::from_entry(e));
            }
        }
    }
    let body_key = v.key_of(body.clone());
    let body_name = ctx.display(body.clone());
    match aff {
        Some(a) if is_generic_org(ctx, &body_key) => {
            let name = format!("{body_name} of {}", a.name);
            (normalize_key(&name), name, Some(a))
        }
        Some(a) => {
            let name = ctx.display(r);
            (normalize_key(&name), name, Some(a))
        }
        None => {
            let name = ctx.display(r);
            (normalize_key(&name), name, None)
        }
    }
}
