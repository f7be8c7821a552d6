//! Acronyms and the full names they abbreviate.
//!
//! News writes an organisation's full name once and its acronym afterwards ("the Securities and
//! Exchange Commission … the SEC said"). Two steps join them:
//! - [`link_in_document`]: in one document, an acronym mention whose letters are the initials of
//!   exactly one organisation or group written out in full in the same document becomes an
//!   alias mention of it. This also overrides the built-in reading of an ambiguous acronym when
//!   the document says otherwise ("EC" beside "European Community" in 1980s wire copy, not the
//!   European Commission the knowledge base lists). An acronym the knowledge base lists as an
//!   actor's own name ("OPEC") keeps that reading, and a spelling of the full name the
//!   knowledge base lacks joins it instead.
//! - [`ActorRegistry::finalize`](super::ActorRegistry::finalize) then merges the key of an
//!   acronym written alone ("sec" in documents that never spell it out) onto the full name it
//!   was linked to in other documents ([`acronym_of_alias`] finds that evidence in an actor's
//!   aliases).

use std::collections::HashSet;

use super::knowledge::Knowledge;
use super::names::one_line;
use crate::doc::{ActorType, Doc, MentionKind};

/// Words left out of initials ("Organisation *for* Economic Cooperation *and* Development").
const SKIPPED: [&str; 14] = [
    "of", "and", "the", "for", "on", "in", "at", "to", "de", "du", "des", "la", "le", "&",
];

/// True for a surface written as an acronym: 2 to 6 ASCII capital letters ("SEC", "OECD").
pub fn is_acronym(s: &str) -> bool {
    (2..=6).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// The initials of a multi-word name, with and without splitting at hyphens
/// ("Inter-American Development Bank" → "IADB" and "IDB"); empty for names of fewer than two
/// counted words.
pub fn initials(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for split_hyphens in [true, false] {
        let words: Vec<&str> = name
            .split(|c: char| c.is_whitespace() || (split_hyphens && c == '-'))
            .filter(|w| !w.is_empty() && !SKIPPED.contains(&w.to_lowercase().as_str()))
            .collect();
        if words.len() < 2 {
            continue;
        }
        let s: String = words
            .iter()
            .filter_map(|w| w.chars().next())
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_uppercase)
            .collect();
        if s.len() == words.len() && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// True when `acronym` abbreviates `name`, which must not contain it as a word ("EC
/// Commission" is not what "EC" stands for).
fn abbreviates(acronym: &str, name: &str) -> bool {
    !name.split_whitespace().any(|w| w == acronym) && initials(name).iter().any(|i| i == acronym)
}

/// The acronym an actor's alias gives for its own full name, if any: for an actor named
/// "Securities and Exchange Commission" with the alias "SEC", `Some("SEC")`.
pub fn acronym_of_alias<'a>(canonical_name: &str, alias: &'a str) -> Option<&'a str> {
    (is_acronym(alias) && abbreviates(alias, canonical_name)).then_some(alias)
}

/// Links acronym mentions to the one organisation or group of the document whose full name
/// they abbreviate (see the module doc). Actors left without mentions are removed unless another
/// actor names them as its affiliation.
pub fn link_in_document(kb: &Knowledge, doc: &mut Doc) {
    let text = |m: &crate::doc::Mention| m.span.slice(&doc.text);
    // Actors whose full name is written in the document, with the names written.
    let mut written: Vec<Vec<String>> = vec![Vec::new(); doc.actors.len()];
    for m in &doc.mentions {
        let s = text(m);
        let org = doc
            .actors
            .get(m.actor)
            .is_some_and(|a| matches!(a.actor_type, ActorType::Organisation | ActorType::Group));
        if org && matches!(m.kind, MentionKind::Name | MentionKind::Alias) && !is_acronym(s) {
            if let Some(w) = written.get_mut(m.actor) {
                w.push(one_line(s));
            }
        }
    }
    let mut moves: Vec<(usize, usize)> = Vec::new(); // (mention, new actor)
    let mut absorb: Vec<(usize, usize)> = Vec::new(); // (written-out actor, acronym actor)
    for (mi, m) in doc.mentions.iter().enumerate() {
        let s = text(m);
        let Some(own) = doc.actors.get(m.actor) else {
            continue;
        };
        if !is_acronym(s)
            || !matches!(m.kind, MentionKind::Name | MentionKind::Alias)
            || matches!(own.actor_type, ActorType::Person | ActorType::State)
            || written[m.actor].iter().any(|w| abbreviates(s, w))
        {
            // Not an acronym, or one whose own actor is spelt out here: it already agrees.
            continue;
        }
        let targets: Vec<usize> = (0..doc.actors.len())
            .filter(|&b| b != m.actor && written[b].iter().any(|w| abbreviates(s, w)))
            .collect();
        let [b] = targets[..] else {
            continue;
        };
        if kb.is_known_key(&own.key) && own.canonical_name == s {
            // The knowledge base lists the acronym as the actor's own name ("OPEC"): that
            // reading stands, and a spelling of the full name it does not list joins it.
            if !kb.is_known_key(&doc.actors[b].key) {
                absorb.push((b, m.actor));
            }
        } else {
            moves.push((mi, b));
        }
    }
    absorb.sort_unstable();
    absorb.dedup();
    for (from, into) in absorb {
        for (mi, m) in doc.mentions.iter().enumerate() {
            if m.actor == from && matches!(m.kind, MentionKind::Name | MentionKind::Alias) {
                moves.push((mi, into));
            }
        }
    }
    if moves.is_empty() {
        return;
    }
    for (mi, b) in moves {
        let s = one_line(text(&doc.mentions[mi]));
        doc.mentions[mi].actor = b;
        doc.mentions[mi].kind = MentionKind::Alias;
        let aliases = &mut doc.actors[b].aliases;
        if let Err(at) = aliases.binary_search(&s) {
            aliases.insert(at, s);
        }
    }
    drop_orphans(doc);
}

/// Removes actors that no mention and no affiliation refers to any more, renumbering mentions.
fn drop_orphans(doc: &mut Doc) {
    let mut used = vec![false; doc.actors.len()];
    for m in &doc.mentions {
        if let Some(u) = used.get_mut(m.actor) {
            *u = true;
        }
    }
    let affiliations: HashSet<&str> = doc
        .actors
        .iter()
        .filter_map(|a| a.affiliation.as_deref())
        .collect();
    for (u, a) in used.iter_mut().zip(&doc.actors) {
        *u |= affiliations.contains(a.key.as_str());
    }
    if used.iter().all(|&u| u) {
        return;
    }
    let mut new_index = vec![usize::MAX; doc.actors.len()];
    let mut next = 0;
    for (i, &u) in used.iter().enumerate() {
        if u {
            new_index[i] = next;
            next += 1;
        }
    }
    let mut i = 0;
    doc.actors.retain(|_| {
        i += 1;
        used[i - 1]
    });
    for m in &mut doc.mentions {
        m.actor = new_index[m.actor];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_skip_function_words_and_split_hyphens() {
        assert_eq!(
            initials("Securities and Exchange Commission"),
            vec!["SEC".to_string()]
        );
        assert_eq!(
            initials("Organisation for Economic Cooperation and Development"),
            vec!["OECD".to_string()]
        );
        assert_eq!(
            initials("Inter-American Development Bank"),
            vec!["IADB".to_string(), "IDB".to_string()]
        );
        assert!(initials("Reuters").is_empty());
        assert!(is_acronym("SEC") && !is_acronym("Sec") && !is_acronym("S") && !is_acronym("U.S."));
        assert_eq!(
            acronym_of_alias("Securities and Exchange Commission", "SEC"),
            Some("SEC")
        );
        assert_eq!(acronym_of_alias("EC Commission", "EC"), None);
        assert_eq!(acronym_of_alias("General Motors", "Ford"), None);
    }
}
