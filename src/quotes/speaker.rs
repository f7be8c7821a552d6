//! Finding the speaker next to a speech verb, from the actor mentions of the document.

use std::collections::HashMap;
use std::ops::Range;

use crate::actors::knowledge::{Gender, VerbClass};
use crate::actors::names::{is_possessive_token, strip_possessive};
use crate::actors::view::TokenView;
use crate::doc::{ActorType, Doc, MentionKind};

use super::cues::{is_punct, is_speaker_gap, GENERIC_SOURCES};

/// Conjunctions that open a new clause with its own subject after a comma.
const CONTRAST: [&str; 6] = ["but", "while", "whereas", "although", "though", "yet"];

/// Prepositions whose object is not the author of a following participle ("sent a telex to
/// X saying …", "dropped leaflets at X calling for …"). Left out: "from" and "by" ("a letter
/// from X accusing …" is X's) and "with", whose absolute construction makes its object the
/// speaker ("criticised, with the players' union accusing the club …").
const NON_AUTHOR_PREPS: [&str; 7] = ["to", "against", "at", "on", "into", "before", "in"];

/// A mention as a token range.
#[derive(Debug, Clone)]
pub struct QMention {
    /// Tokens.
    pub toks: Range<usize>,
    /// Actor index.
    pub actor: usize,
    /// Kind.
    pub kind: MentionKind,
}

/// What the quote rules read.
pub struct QCtx<'a> {
    /// Tokens.
    pub v: TokenView<'a>,
    ments: Vec<QMention>,
    by_end: HashMap<usize, Vec<usize>>,
    by_start: HashMap<usize, Vec<usize>>,
    actor_types: Vec<ActorType>,
    verbs: &'a HashMap<String, VerbClass>,
    pronouns: &'a HashMap<String, Gender>,
}

/// A speaker found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Speaker {
    /// Actor index, when the speaker is a resolved mention.
    pub actor: Option<usize>,
    /// The speaker as written.
    pub text: String,
    /// Its tokens.
    pub toks: Range<usize>,
}

impl<'a> QCtx<'a> {
    /// Indexes the document's mentions by token.
    pub fn new(
        v: TokenView<'a>,
        doc: &'a Doc,
        verbs: &'a HashMap<String, VerbClass>,
        pronouns: &'a HashMap<String, Gender>,
    ) -> Self {
        let mut ments = Vec::new();
        let mut by_end: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut by_start: HashMap<usize, Vec<usize>> = HashMap::new();
        for m in &doc.mentions {
            let toks = v.tokens_in(m.span);
            if toks.is_empty() || m.actor >= doc.actors.len() {
                continue;
            }
            by_end.entry(toks.end).or_default().push(ments.len());
            by_start.entry(toks.start).or_default().push(ments.len());
            ments.push(QMention {
                toks,
                actor: m.actor,
                kind: m.kind,
            });
        }
        QCtx {
            v,
            ments,
            by_end,
            by_start,
            actor_types: doc.actors.iter().map(|a| a.actor_type).collect(),
            verbs,
            pronouns,
        }
    }

    /// Class of a verb form.
    pub fn verb(&self, form: &str) -> Option<VerbClass> {
        self.verbs.get(&form.to_lowercase()).copied()
    }

    /// True for a lowercase title word ("opposition", "leader").
    pub fn is_title_word(&self, tok: &str) -> bool {
        super::cues::TITLE_WORDS.contains(&tok.to_lowercase().as_str())
    }

    /// True for a listed pronoun.
    pub fn is_pronoun(&self, tok: &str) -> bool {
        self.pronouns.contains_key(&tok.to_lowercase())
    }

    /// The longest mention ending at token `end` (exclusive).
    pub fn mention_ending_at(&self, end: usize) -> Option<&QMention> {
        self.by_end
            .get(&end)?
            .iter()
            .filter_map(|&k| self.ments.get(k))
            .max_by_key(|m| m.toks.len())
    }

    /// The longest mention starting at token `start`.
    pub fn mention_starting_at(&self, start: usize) -> Option<&QMention> {
        self.by_start
            .get(&start)?
            .iter()
            .filter_map(|&k| self.ments.get(k))
            .max_by_key(|m| m.toks.len())
    }

    fn is_place(&self, m: &QMention) -> bool {
        self.actor_types.get(m.actor) == Some(&ActorType::Place)
    }

    /// A speaker that is no resolved actor ("he", "the ministry"): the tokens `toks` as written.
    fn unresolved(&self, toks: Range<usize>) -> Speaker {
        Speaker {
            actor: None,
            text: self.v.text_of(toks.clone()).to_string(),
            toks,
        }
    }

    fn speaker_of(&self, m: &QMention) -> Speaker {
        Speaker {
            actor: Some(m.actor),
            text: self.v.text_of(m.toks.clone()).to_string(),
            toks: m.toks.clone(),
        }
    }

    /// The subject of a speech verb at token `cue`, looking back no further than `lo`.
    /// `loose` also accepts an unresolved noun phrase ("the secretary-general") as text.
    pub fn speaker_before(&self, cue: usize, lo: usize, loose: bool) -> Option<Speaker> {
        let v = &self.v;
        let mut e = cue;
        while e > lo && is_speaker_gap(&v.lower(e - 1)) {
            e -= 1;
        }
        if e <= lo {
            return None;
        }
        let participle = v.lower(cue).ends_with("ing");
        if participle && v.tok(e - 1) == "," {
            // "X criticized the plan, saying …", "“…,” X told reporters, adding that …": the
            // subject of the clause before the comma speaks, which is the sentence's subject
            // unless a contrast opened a new clause ("A accepted the truce, but B rejected
            // it, saying …" → B).
            if let Some(clo) = self.contrast_clause_start(lo, e - 1) {
                if let Some(sp) = self.clause_subject_or_pronoun(clo, e - 1) {
                    return Some(sp);
                }
            }
            return self.subject(lo, e - 1);
        }
        if v.tok(e - 1) == "," {
            // "X, speaking alongside Y, added" → X; "The minister, Rafael Ortiz, said" → the
            // name when it fills the whole parenthesis.
            let comma = e - 1;
            let p = (lo..comma).rev().take(16).find(|&k| v.tok(k) == ",")?;
            if let Some(m) = self.mention_starting_at(p + 1) {
                if m.toks.end == comma && !self.is_place(m) {
                    return Some(self.speaker_of(m));
                }
            }
            return self.np_ending_at(p, lo, loose);
        }
        if participle {
            // "sent a telex to Citibank saying …": a prepositional object before a participle
            // is not its speaker; the clause subject is (see NON_AUTHOR_PREPS).
            if let Some(m) = self.mention_ending_at(e) {
                let mut p = m.toks.start;
                if p > lo && v.lower(p - 1) == "the" {
                    p -= 1;
                }
                if p > lo && NON_AUTHOR_PREPS.contains(&v.lower(p - 1).as_str()) {
                    return self.subject(lo, p - 1);
                }
            }
        }
        self.np_ending_at(e, lo, loose)
    }

    /// Start of the last clause in `lo..hi` opened by a contrast (", but", ", while",
    /// ", whereas", ", although", ", though", ", yet") or a semicolon: the token after it.
    /// ", and" is not one: "Russia, France, and Germany criticised the plan" is one subject.
    fn contrast_clause_start(&self, lo: usize, hi: usize) -> Option<usize> {
        let v = &self.v;
        (lo + 1..hi).rev().find_map(|k| {
            let w = v.lower(k);
            if v.tok(k) == ";" && !v.in_quote(k) {
                return Some(k + 1);
            }
            (CONTRAST.contains(&w.as_str()) && v.tok(k - 1) == "," && !v.in_quote(k))
                .then_some(k + 1)
        })
    }

    /// The subject of the clause `lo..hi`: its first actor mention (as [`Self::subject`]), or
    /// a pronoun opening it ("…, but he rejected it, saying …").
    fn clause_subject_or_pronoun(&self, lo: usize, hi: usize) -> Option<Speaker> {
        let v = &self.v;
        if lo < hi && self.is_pronoun(v.tok(lo)) {
            return Some(self.unresolved(lo..lo + 1));
        }
        self.subject(lo, hi)
    }

    /// The first actor mention in `lo..hi` that is not a place, when no verb precedes it: the
    /// subject of a sentence like "Russia issued a condemnation, saying …".
    fn subject(&self, lo: usize, hi: usize) -> Option<Speaker> {
        let v = &self.v;
        let mut next = lo;
        while next < hi {
            let i = next;
            next += 1;
            // "Turkey, which occupies northern Cyprus, had insisted …": the relative clause
            // names no subject of the sentence.
            if v.tok(i) == "," && matches!(v.lower(i + 1).as_str(), "which" | "who") {
                match (i + 1..hi).find(|&k| v.tok(k) == ",") {
                    Some(close) => {
                        next = close + 1;
                        continue;
                    }
                    None => return None,
                }
            }
            // Names inside a quotation are what was said, not who said it.
            if v.in_quote(i) {
                continue;
            }
            if let Some(m) = self.mention_starting_at(i) {
                if !self.is_place(m) {
                    return Some(
                        self.modified_head(m, hi)
                            .unwrap_or_else(|| self.speaker_of(m)),
                    );
                }
            }
            if self.verb(v.tok(i)).is_some() && v.tok(i).chars().all(char::is_lowercase) {
                return None;
            }
        }
        None
    }

    /// When `m` is a demonym or a possessive modifying a later name in the same noun phrase
    /// ("Swedish telecoms group Nordlink Telecom", "Sudan's paramilitary Rapid Support
    /// Forces"), that name: the phrase's head, not its modifier, is the subject.
    fn modified_head(&self, m: &QMention, hi: usize) -> Option<Speaker> {
        let v = &self.v;
        let clitic = is_possessive_token(v.tok(m.toks.end));
        let last = v.tok(m.toks.end.saturating_sub(1));
        let possessive = clitic || strip_possessive(last).len() < last.len();
        if m.kind != MentionKind::Demonym && !possessive {
            return None;
        }
        let from = m.toks.end + usize::from(clitic);
        for k in from..hi.min(from + 5) {
            if is_punct(v.tok(k)) || self.verb(v.tok(k)).is_some() {
                return None;
            }
            if let Some(h) = self.mention_starting_at(k) {
                // "Heineken's Spanish activities": a demonym is another modifier, not the head.
                return (!self.is_place(h) && h.kind != MentionKind::Demonym)
                    .then(|| self.speaker_of(h));
            }
        }
        None
    }

    /// The speaker phrase ending at token `e` (exclusive).
    fn np_ending_at(&self, e: usize, lo: usize, loose: bool) -> Option<Speaker> {
        let v = &self.v;
        if e <= lo {
            return None;
        }
        if let Some(m) = self.mention_ending_at(e) {
            if v.in_quote(m.toks.start) {
                return None;
            }
            if !self.is_place(m) {
                return Some(self.speaker_of(m));
            }
            // "the ministry in Yerevan said": the place qualifies a noun before it.
            let p = m.toks.start;
            if p > lo + 1 && matches!(v.lower(p - 1).as_str(), "in" | "at" | "from" | "of") {
                return self
                    .np_ending_at(p - 1, lo, loose)
                    .filter(|s| s.actor.is_none())
                    .map(|s| self.unresolved(s.toks.start..e));
            }
            return None;
        }
        let last = v.tok(e - 1);
        if self.is_pronoun(last) {
            return Some(self.unresolved(e - 1..e));
        }
        let generic = GENERIC_SOURCES.contains(&v.lower(e - 1).as_str());
        if !(generic || loose) {
            return None;
        }
        // A short noun phrase: determiner, adjectives, noun.
        let mut s = e - 1;
        if is_punct(v.tok(s)) || self.verb(v.tok(s)).is_some() {
            return None;
        }
        while s > lo && e - s < 5 {
            let t = v.tok(s - 1);
            if is_punct(t) || self.verb(t).is_some() {
                break;
            }
            let low = t.to_lowercase();
            s -= 1;
            if matches!(
                low.as_str(),
                "the" | "a" | "an" | "its" | "his" | "her" | "their"
            ) {
                break;
            }
        }
        let first = v.lower(s);
        let determined = matches!(
            first.as_str(),
            "the" | "a" | "an" | "its" | "his" | "her" | "their"
        );
        if !generic && !determined {
            return None;
        }
        Some(self.unresolved(s..e))
    }

    /// The speaker after an inverted speech verb ending at token `start` ("said Bagapsh",
    /// "said the ministry", "said he"), before `hi`.
    pub fn speaker_after(&self, start: usize, hi: usize) -> Option<Speaker> {
        let v = &self.v;
        if start >= hi {
            return None;
        }
        if self.is_pronoun(v.tok(start)) {
            return Some(
                self.mention_starting_at(start)
                    .map(|m| self.speaker_of(m))
                    .unwrap_or_else(|| self.unresolved(start..start + 1)),
            );
        }
        for s in start..hi.min(start + 7) {
            if let Some(m) = self.mention_starting_at(s) {
                if !self.is_place(m) {
                    return Some(self.speaker_of(m));
                }
            }
            let t = v.tok(s);
            if is_punct(t) || self.verb(t).is_some() {
                break;
            }
            if GENERIC_SOURCES.contains(&v.lower(s).as_str()) {
                return Some(self.unresolved(start..s + 1));
            }
        }
        None
    }
}
