//! Speech cues and the small closed word lists the quote rules use.

use std::ops::Range;

use crate::actors::knowledge::VerbClass;

use super::speaker::QCtx;

use crate::text::time_words::is_weekday;

/// Words that may stand between a speaker and the speech verb ("Russia on Wednesday also
/// said", "Medvedev was quoted as saying", "Human Rights Watch has reported").
pub const SPEAKER_GAP: [&str; 23] = [
    "also",
    "then",
    "later",
    "earlier",
    "again",
    "previously",
    "reportedly",
    "has",
    "have",
    "had",
    "was",
    "is",
    "were",
    "on",
    "last",
    "this",
    "today",
    "yesterday",
    "publicly",
    "repeatedly",
    "firmly",
    "once",
    "quickly",
];

/// A word allowed between a speaker and the speech verb ([`SPEAKER_GAP`] or a weekday).
pub fn is_speaker_gap(w: &str) -> bool {
    SPEAKER_GAP.contains(&w) || is_weekday(w)
}

/// Words that may follow a post-posed attribution before the sentence ends ("…, officials
/// said on Friday.", "…, he said late on Monday").
pub const TRAILING_TIME: [&str; 11] = [
    "on",
    "late",
    "early",
    "last",
    "this",
    "today",
    "yesterday",
    "night",
    "week",
    "morning",
    "evening",
];

/// A word allowed after a post-posed attribution before the sentence ends ([`TRAILING_TIME`] or a weekday).
pub fn is_trailing_time(w: &str) -> bool {
    TRAILING_TIME.contains(&w) || is_weekday(w)
}

/// Nouns that make a non-actor speaker ("officials said", "the ministry said").
pub const GENERIC_SOURCES: [&str; 32] = [
    "official",
    "officials",
    "witness",
    "witnesses",
    "analyst",
    "analysts",
    "source",
    "sources",
    "diplomat",
    "diplomats",
    "resident",
    "residents",
    "expert",
    "experts",
    "observer",
    "observers",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "ministry",
    "government",
    "authorities",
    "police",
    "military",
    "army",
    "leaders",
    "leader",
    "lawmakers",
    "monitors",
    "commander",
    "minister",
    "president",
];

/// Lowercase words that may stand in a title before a speaker's name ("opposition leader
/// Levan Gachechiladze said").
pub const TITLE_WORDS: [&str; 20] = [
    "opposition",
    "leader",
    "minister",
    "spokesman",
    "spokeswoman",
    "official",
    "chief",
    "envoy",
    "president",
    "foreign",
    "defence",
    "defense",
    "deputy",
    "prime",
    "secretary",
    "general",
    "ambassador",
    "commander",
    "party",
    "former",
];

/// Objects of "told" after which the reported clause may start without "that".
pub const AUDIENCE: [&str; 10] = [
    "reporters",
    "journalists",
    "parliament",
    "lawmakers",
    "legislators",
    "supporters",
    "correspondents",
    "delegates",
    "students",
    "crowds",
];

/// A speech cue at token `i`: its class, tokens and text as written. "quoted as saying" is one
/// cue; acting verbs are not cues.
pub fn cue_at(ctx: &QCtx, i: usize) -> Option<(VerbClass, Range<usize>, String)> {
    let v = &ctx.v;
    let t = v.tok(i);
    if t.is_empty() || !t.chars().all(|c| c.is_lowercase()) {
        return None;
    }
    let class = ctx.verb(t)?;
    if !class.is_speech() {
        return None;
    }
    if t == "quoted" && v.lower(i + 1) == "as" && v.lower(i + 2) == "saying" {
        return Some((class, i..i + 3, v.text_of(i..i + 3).to_string()));
    }
    Some((class, i..i + 1, t.to_string()))
}

/// True for sentence-final punctuation tokens.
pub fn is_final_punct(tok: &str) -> bool {
    matches!(tok, "." | "!" | "?" | ";")
}

/// True for tokens without letters or digits.
pub fn is_punct(tok: &str) -> bool {
    !tok.chars().any(char::is_alphanumeric)
}
