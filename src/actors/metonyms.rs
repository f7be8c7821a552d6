//! Metonymy: does a capital or seat of government *act* (and so stand for its state) or is it
//! a place?
//!
//! "Moscow warned Washington", "the Kremlin said", "Moscow's recognition", "talks with Tbilisi"
//! act; "fighting near Tbilisi", "in Moscow", "at the Kremlin", "flew to Moscow" are locations.
//! The rules look at the words around the mention only (no parser): a locative preposition or a
//! motion verb before it makes it a place; being the subject of a verb, a possessive, or the
//! object of a speech verb or "with"/"between" makes it act. When neither fires, a seat of
//! government acts (it is rarely used as a plain location without "at"/"in") and a capital is a
//! place (precision first: "Moscow" in a dateline or a list is a place).

use std::ops::Range;

use super::knowledge::Knowledge;
use super::names::is_possessive_token;
use super::view::TokenView;

/// Prepositions after which a name is a location.
const LOCATIVE: [&str; 24] = [
    "in",
    "at",
    "near",
    "to",
    "into",
    "from",
    "outside",
    "inside",
    "around",
    "toward",
    "towards",
    "across",
    "through",
    "via",
    "within",
    "of",
    "over",
    "above",
    "off",
    "beyond",
    "outskirts",
    "on",
    "onto",
    "throughout",
];

/// Verbs (any form) whose object is a place.
const MOTION: [&str; 28] = [
    "visit",
    "visited",
    "visiting",
    "visits",
    "reached",
    "reach",
    "left",
    "leave",
    "leaving",
    "entered",
    "enter",
    "flew",
    "fly",
    "arrived",
    "returned",
    "bombed",
    "shelled",
    "captured",
    "occupied",
    "seized",
    "surrounded",
    "approached",
    "evacuated",
    "fled",
    "travelled",
    "traveled",
    "based",
    "landed",
];

/// Words that may stand between a subject and its verb ("Moscow on Wednesday also said").
pub const FILLERS: [&str; 29] = [
    "also",
    "then",
    "later",
    "earlier",
    "again",
    "previously",
    "reportedly",
    "quickly",
    "already",
    "still",
    "now",
    "once",
    "today",
    "yesterday",
    "recently",
    "publicly",
    "repeatedly",
    "firmly",
    "strongly",
    "immediately",
    "has",
    "have",
    "had",
    "on",
    "last",
    "this",
    "never",
    "swiftly",
    "promptly",
];

/// A filler word ([`FILLERS`] or a weekday).
pub fn is_filler(w: &str) -> bool {
    FILLERS.contains(&w) || crate::text::time_words::is_weekday(w)
}

/// Words before a name that make it a participant: "talks with Tbilisi", "between Moscow and".
const PARTICIPANT: [&str; 6] = ["with", "between", "and", "by", "against", "urging"];

/// True when token `i` is a verb form listed in `verbs.tsv` (speech or action), in lowercase.
fn verbish(v: &TokenView, kb: &Knowledge, i: usize) -> bool {
    let t = v.tok(i);
    !t.is_empty() && t.chars().all(|c| c.is_ascii_lowercase()) && kb.verb(t).is_some()
}

/// True when tokens from `i` read as a passive ("was shelled", "were hit"): a form of "be"
/// followed by a past participle. The subject of a passive is acted upon.
fn passive(v: &TokenView, i: usize) -> bool {
    if !matches!(
        v.lower(i).as_str(),
        "is" | "was" | "were" | "are" | "been" | "being" | "be"
    ) {
        return false;
    }
    let mut j = i + 1;
    if matches!(
        v.lower(j).as_str(),
        "being" | "been" | "also" | "again" | "heavily"
    ) {
        j += 1;
    }
    let w = v.lower(j);
    w.len() > 3
        && (w.ends_with("ed")
            || w.ends_with("en")
            || matches!(w.as_str(), "hit" | "struck" | "shot" | "held" | "built"))
}

/// Does the mention at tokens `r` act? `seat` is true for seats of government.
pub fn acting(v: &TokenView, kb: &Knowledge, r: Range<usize>, seat: bool) -> bool {
    let sent = v.sent_range(v.sent(r.start));
    // The word before, skipping a "the" that is not part of the mention.
    let mut p = r.start;
    while p > sent.start && v.key(p - 1) == "the" {
        p -= 1;
    }
    let prev = if p > sent.start {
        v.lower(p - 1)
    } else {
        String::new()
    };
    if LOCATIVE.contains(&prev.as_str()) || MOTION.contains(&prev.as_str()) {
        return false;
    }
    // A name inside a larger capitalised name ("Moscow State University") is not acting.
    let next = r.end;
    if next < sent.end && is_possessive_token(v.tok(next)) {
        // "Moscow's recognition" acts; "Moscow's Kremlin" / "Moscow's Red Square" is a place.
        return !(next + 1 < sent.end && v.is_cap(next + 1));
    }
    // Subject: a verb right after, possibly after fillers.
    let mut j = next;
    while j < sent.end && j < next + 4 && is_filler(&v.lower(j)) {
        j += 1;
    }
    if j < sent.end && verbish(v, kb, j) {
        // "Tbilisi hit by shelling": a reduced passive, acted upon.
        let reduced_passive = j + 1 < sent.end && v.lower(j + 1) == "by";
        return !(passive(v, j) || reduced_passive);
    }
    // Object of a speech or action verb, or a participant.
    if !prev.is_empty()
        && (PARTICIPANT.contains(&prev.as_str())
            || kb.verb(&prev).is_some_and(|c| c.is_speech())
            || matches!(
                prev.as_str(),
                "warning" | "urged" | "thank" | "thanked" | "accusing"
            ))
    {
        return true;
    }
    seat
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::testutil::doc_from;

    fn check(text: &str, name: &str, seat: bool) -> bool {
        let kb = Knowledge::builtin().unwrap();
        let doc = doc_from(text, &[]);
        let v = TokenView::new(&doc, &[]);
        let words: Vec<&str> = name.split(' ').collect();
        let start = (0..v.len())
            .find(|&i| (0..words.len()).all(|k| v.tok(i + k) == words[k]))
            .unwrap();
        acting(&v, &kb, start..start + words.len(), seat)
    }

    #[test]
    fn capitals_act_as_subjects_and_possessives_but_not_as_locations() {
        assert!(check(
            "Moscow warned Washington it would respond.",
            "Moscow",
            false
        ));
        assert!(check(
            "Moscow warned Washington it would respond.",
            "Washington",
            false
        ));
        assert!(check(
            "Moscow on Wednesday also rejected the plan.",
            "Moscow",
            false
        ));
        assert!(check(
            "Moscow's recognition of the regions angered many.",
            "Moscow",
            false
        ));
        assert!(check(
            "The rebels ruled out talks with Tbilisi.",
            "Tbilisi",
            false
        ));
        assert!(!check(
            "Heavy fighting was reported near Tbilisi.",
            "Tbilisi",
            false
        ));
        // "hit back" acts; a reduced passive ("hit by") is acted upon.
        assert!(check(
            "Brussels hit back at Beijing on Wednesday.",
            "Brussels",
            false
        ));
        assert!(!check(
            "Tbilisi hit by heavy shelling overnight.",
            "Tbilisi",
            false
        ));
        assert!(!check(
            "The delegation flew to Moscow on Monday.",
            "Moscow",
            false
        ));
        assert!(!check(
            "Protesters gathered in Moscow's Red Square.",
            "Moscow",
            false
        ));
        assert!(!check(
            "MOSCOW, Aug 14 (Reuters) - The talks ended.",
            "MOSCOW",
            false
        ));
        assert!(!check("Tbilisi was shelled overnight.", "Tbilisi", false));
        assert!(check(
            "Moscow has stopped short of recognition.",
            "Moscow",
            false
        ));
        assert!(check("Moscow would back them in talks.", "Moscow", false));
    }

    #[test]
    fn seats_act_unless_used_as_locations() {
        assert!(check(
            "The Kremlin said the talks had failed.",
            "Kremlin",
            true
        ));
        assert!(check(
            "They thanked the Kremlin for its support.",
            "Kremlin",
            true
        ));
        assert!(!check(
            "The leaders met at the Kremlin on Thursday.",
            "Kremlin",
            true
        ));
        assert!(!check(
            "A ceremony was held in the Kremlin.",
            "Kremlin",
            true
        ));
    }
}
