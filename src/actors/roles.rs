//! Titles, appositives and role mentions.
//!
//! - A *title* before a name: "Russian President Dmitry Medvedev", "Georgia's Deputy Foreign
//!   Minister Grigol Vashadze", "NATO Secretary-General Jaap de Hoop Scheffer". It gives the
//!   person's offices and affiliation.
//! - An *appositive* after a name: "Temur Iakobashvili, Georgia's reintegration minister,".
//! - A *role mention*: "the Georgian president", "the minister", "Georgia's president",
//!   "the alliance", resolved later to a person or organisation named in the document.
//!
//! Title and appositive words describe the person: they are recorded as the person's
//! affiliation and offices and do not become separate mentions (so "Russian" in "Russian
//! President Dmitry Medvedev" is not a demonym mention of Russia).

use std::ops::Range;

use crate::doc::ActorType;

use super::knowledge::{Gender, SurfaceKind};
use super::names::{is_all_caps, is_possessive_token, key_words};
use super::resolve::{AffRef, Class, Ctx};

/// What a title or appositive says about a person.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Title {
    /// Tokens of the title or appositive (empty when there is none).
    pub toks: Range<usize>,
    /// Offices found, as normalised phrases ("foreign minister").
    pub offices: Vec<String>,
    /// The state or organisation the title names.
    pub aff: Option<AffRef>,
    /// Gender implied by an honorific or office.
    pub gender: Gender,
}

/// Words of tokens `r` with the token each comes from.
fn words(ctx: &Ctx, r: Range<usize>) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for i in r {
        for w in key_words(ctx.v.key(i)) {
            out.push((w.to_string(), i));
        }
    }
    out
}

/// Offices and gender in tokens `r`, by longest role-phrase match.
fn offices(ctx: &Ctx, r: Range<usize>) -> (Vec<String>, Gender, bool) {
    let ws = words(ctx, r);
    let mut out = Vec::new();
    let mut gender = Gender::Unknown;
    let mut honorific = false;
    let mut i = 0;
    while i < ws.len() {
        let mut matched = 0;
        for len in (1..=ctx.kb.max_role_words.min(ws.len() - i)).rev() {
            let phrase: Vec<&str> = ws[i..i + len].iter().map(|(w, _)| w.as_str()).collect();
            let phrase = phrase.join(" ");
            if let Some(info) = ctx.kb.role(&phrase) {
                if info.office || info.honorific {
                    if info.office && !out.contains(&phrase) {
                        out.push(phrase);
                    }
                    honorific |= info.honorific;
                    if info.gender != Gender::Unknown {
                        gender = info.gender;
                    }
                    matched = len;
                    break;
                }
            }
        }
        i += matched.max(1);
    }
    (out, gender, honorific)
}

/// The affiliation named in tokens `r`: the rightmost state, organisation or group (by name,
/// alias or demonym), or an organisation entity.
fn affiliation(ctx: &Ctx, r: Range<usize>) -> Option<AffRef> {
    let mut found: Option<(usize, AffRef)> = None;
    let mut i = r.start;
    while i < r.end {
        if let Some((m, s)) = ctx.kb_longest_at(i, r.end) {
            if let Some(e) = ctx.kb.entry(s.entry) {
                if matches!(
                    e.actor_type,
                    ActorType::State | ActorType::Organisation | ActorType::Group
                ) && matches!(
                    s.kind,
                    SurfaceKind::Name | SurfaceKind::Alias | SurfaceKind::Demonym
                ) {
                    found = Some((m.start, AffRef::from_entry(e)));
                }
            }
            i = m.end;
            continue;
        }
        if let Some(e) = ctx.entity_starting_at(i) {
            // An organisation entity made only of title words ("Defense" in "Defense
            // Secretary") is part of the title, not an affiliation.
            let generic = e.toks.clone().all(|t| is_role_token(ctx, t));
            if e.class == Class::Org && e.toks.end <= r.end && !generic {
                let key = ctx.v.key_of(e.toks.clone());
                if !key.is_empty() {
                    found = Some((
                        i,
                        AffRef {
                            key,
                            name: ctx.display(e.toks.clone()),
                            ty: ActorType::Organisation,
                            aff: None,
                        },
                    ));
                }
                i = e.toks.end;
                continue;
            }
        }
        i += 1;
    }
    found.map(|(_, a)| a)
}

/// True when every word of token `i` is a role word ("Deputy", "Secretary-General").
fn is_role_token(ctx: &Ctx, i: usize) -> bool {
    let k = ctx.v.key(i);
    !k.is_empty() && key_words(k).iter().all(|w| ctx.kb.is_role_word(w))
}

/// The title before a name starting at token `name_start`.
pub fn title_before(ctx: &Ctx, name_start: usize) -> Title {
    let v = &ctx.v;
    let sent = v.sent_range(v.sent(name_start));
    let mut i = name_start;
    while i > sent.start {
        let t = i - 1;
        let tok = v.tok(t);
        // "Secretary of State, Condoleezza Rice": a comma right before the name after an office.
        if tok == "," && t + 1 == name_start && t > sent.start && is_role_token(ctx, t - 1) {
            i = t;
            continue;
        }
        if is_possessive_token(tok) || is_role_token(ctx, t) {
            i = t;
            continue;
        }
        if let Some((m, s)) = ctx.kb_longest_ending_at(t + 1, sent.start) {
            let ok = ctx.kb.entry(s.entry).is_some_and(|e| {
                matches!(
                    e.actor_type,
                    ActorType::State | ActorType::Organisation | ActorType::Group
                )
            });
            if ok {
                i = m.start;
                continue;
            }
        }
        if let Some(e) = ctx.entity_ending_at(t + 1) {
            if matches!(e.class, Class::Org | Class::Misc | Class::Loc)
                && e.toks.start >= sent.start
            {
                i = e.toks.start;
                continue;
            }
        }
        break;
    }
    // Trim connecting words at the left edge ("of", "'s", ",").
    while i < name_start {
        let t = v.tok(i);
        if is_possessive_token(t) || t == "," || v.key(i) == "of" {
            i += 1;
        } else {
            break;
        }
    }
    describe(ctx, i..name_start)
}

/// Offices, affiliation and gender of the title tokens `r`. A title needs an office or
/// honorific, or else must be a bare affiliation ("Georgian Grigol Vashadze").
fn describe(ctx: &Ctx, r: Range<usize>) -> Title {
    if r.is_empty() {
        return Title {
            toks: r.start..r.start,
            ..Title::default()
        };
    }
    let (offices, gender, _) = offices(ctx, r.clone());
    let aff = affiliation(ctx, r.clone());
    Title {
        toks: r,
        offices,
        aff,
        gender,
    }
}

/// The appositive after a name ending at token `name_end`: ", Georgia's reintegration
/// minister," or ", the leader of Abkhazia,". It must name an office and contain only
/// determiners, role words, names of states and organisations, and lowercase non-verbs.
pub fn appositive_after(ctx: &Ctx, name_end: usize) -> Option<Title> {
    let v = &ctx.v;
    if v.tok(name_end) != "," {
        return None;
    }
    let sent = v.sent_range(v.sent(name_end));
    let mut k = name_end + 1;
    let limit = (name_end + 12).min(sent.end);
    while k < limit {
        let tok = v.tok(k);
        if matches!(tok, "," | "." | ";" | ")" | "--" | "—" | ":") {
            break;
        }
        if let Some((m, _)) = ctx.kb_longest_at(k, limit) {
            k = m.end;
            continue;
        }
        if let Some(e) = ctx.entity_starting_at(k) {
            if e.class != Class::Person {
                k = e.toks.end;
                continue;
            }
            return None;
        }
        let lower = v.lower(k);
        let ok = is_possessive_token(tok)
            || matches!(
                lower.as_str(),
                "the" | "a" | "an" | "of" | "its" | "his" | "her"
            )
            || is_role_token(ctx, k)
            || (tok.chars().all(|c| c.is_lowercase() || c == '-')
                && ctx.kb.verb(tok).is_none()
                && !matches!(lower.as_str(), "and" | "or" | "who" | "which" | "that"));
        if !ok {
            return None;
        }
        k += 1;
    }
    if k == name_end + 1 || (k < sent.end && k == limit) {
        return None;
    }
    let t = describe(ctx, name_end + 1..k);
    if t.offices.is_empty() {
        return None;
    }
    Some(Title {
        toks: name_end..k,
        ..t
    })
}

/// A role mention found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleNp {
    /// Tokens of the whole phrase ("the Georgian president").
    pub toks: Range<usize>,
    /// The office ("president"), when the head is an office.
    pub office: Option<String>,
    /// The organisation noun ("ministry"), when the head is one.
    pub orgnoun: Option<String>,
    /// The state or organisation named in the phrase.
    pub aff: Option<AffRef>,
}

/// Role mentions: "the (Georgian) (deputy foreign) minister", "Georgia's president",
/// "the president of Georgia", "the alliance". Singular only; a role followed by a
/// capitalised word is a title, not a role mention.
pub fn role_nps(ctx: &Ctx, blocked: &[bool]) -> Vec<RoleNp> {
    let v = &ctx.v;
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        if blocked.get(i).copied().unwrap_or(false) || v.in_quote(i) {
            i += 1;
            continue;
        }
        let sent = v.sent_range(v.sent(i));
        let mut j;
        let mut aff = None;
        if v.key(i) == "the" {
            j = i + 1;
        } else if let Some((m, s)) = ctx.kb_longest_at(i, sent.end) {
            // "Georgia's president"
            let state = ctx.kb.entry(s.entry).filter(|e| {
                matches!(s.kind, SurfaceKind::Name | SurfaceKind::Alias)
                    && matches!(e.actor_type, ActorType::State | ActorType::Organisation)
            });
            match state {
                Some(e) if m.end < sent.end && is_possessive_token(v.tok(m.end)) => {
                    aff = Some(AffRef::from_entry(e));
                    j = m.end + 1;
                }
                _ => {
                    i += 1;
                    continue;
                }
            }
        } else {
            i += 1;
            continue;
        }
        // Optional demonym: "the Georgian president".
        if aff.is_none() {
            if let Some((m, s)) = ctx.kb_longest_at(j, sent.end) {
                if s.kind == SurfaceKind::Demonym {
                    if let Some(e) = ctx.kb.entry(s.entry) {
                        aff = Some(AffRef::from_entry(e));
                        j = m.end;
                    }
                }
            }
        }
        // Role words, the last phrase being an office or an organisation noun.
        let mut end = j;
        while end < sent.end && end < j + 4 && is_role_token(ctx, end) && !is_all_caps(v.tok(end)) {
            end += 1;
        }
        let mut head: Option<(usize, String, bool)> = None; // (end, phrase, is_office)
        for e in (j + 1..=end).rev() {
            for s in j..e {
                let phrase = v.key_of(s..e);
                if let Some(info) = ctx.kb.role(&phrase) {
                    if info.office {
                        head = Some((e, phrase, true));
                    } else if info.orgnoun {
                        head = Some((e, phrase, false));
                    }
                    if head.is_some() {
                        break;
                    }
                }
            }
            if head.is_some() {
                break;
            }
        }
        let Some((mut stop, phrase, is_office)) = head else {
            i += 1;
            continue;
        };
        // A capitalised word after it makes it a title ("the Georgian President Mikheil ...").
        if stop < sent.end && v.is_cap(stop) && !is_possessive_token(v.tok(stop)) {
            i = stop;
            continue;
        }
        // "the president of Georgia"
        if aff.is_none() && stop + 1 < sent.end && v.key(stop) == "of" {
            if let Some((m, s)) = ctx.kb_longest_at(stop + 1, sent.end) {
                if let Some(e) = ctx.kb.entry(s.entry) {
                    if matches!(s.kind, SurfaceKind::Name | SurfaceKind::Alias) {
                        aff = Some(AffRef::from_entry(e));
                        stop = m.end;
                    }
                }
            }
        }
        if (i..stop).any(|t| blocked.get(t).copied().unwrap_or(false)) {
            i += 1;
            continue;
        }
        let last = key_words(&phrase)
            .last()
            .map(|w| w.to_string())
            .unwrap_or_default();
        out.push(RoleNp {
            toks: i..stop,
            office: is_office.then(|| phrase.clone()),
            orgnoun: (!is_office).then_some(last),
            aff,
        });
        i = stop;
    }
    out
}
