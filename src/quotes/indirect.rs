//! Reported speech: "X said (that) …", "X told Y (that) …", "X vowed to …", "X accused Y of
//! …", "…, X said.", "according to X, …" and "…, according to X".
//!
//! The speaker must stand right before the verb (with only fillers like "also" or "on
//! Tuesday" between) and be an actor mention, a pronoun or a generic source ("officials");
//! that adjacency is what keeps precision: "Georgia's stated aim" or "the said agreement" have
//! no speaker before the verb. A clause that overlaps a direct quote is left to the direct
//! quote, and a verb inside an already reported clause is not reported again.

use std::ops::Range;

use crate::actors::knowledge::VerbClass;
use crate::doc::{ByteSpan, Quote, QuoteKind};

use super::cues::{cue_at, is_final_punct, is_punct, is_trailing_time, AUDIENCE};
use super::marks::QuoteMarks;
use super::speaker::{QCtx, Speaker};
use super::QuotesConfig;
use crate::text::time_words::is_weekday;

/// Words between a verb and "that" or the clause ("said on Tuesday that", "said late on
/// Monday that", "said in a statement that").
const BRIDGE: [&str; 15] = [
    "on",
    "late",
    "early",
    "last",
    "this",
    "today",
    "yesterday",
    "in",
    "a",
    "statement",
    "also",
    "again",
    "repeatedly",
    "publicly",
    "however",
];

fn is_bridge(w: &str) -> bool {
    BRIDGE.contains(&w) || is_weekday(w)
}

/// Index of "that" within a few tokens after `from`, crossing only bridge words, object
/// words or commas.
fn that_after(ctx: &QCtx, from: usize, hi: usize, max: usize) -> Option<usize> {
    let v = &ctx.v;
    for k in from..hi.min(from + max) {
        let t = v.lower(k);
        if t == "that" {
            return Some(k);
        }
        if is_final_punct(&t) || t == "\"" || t == "“" {
            return None;
        }
    }
    None
}

/// Start of the reported clause after the cue tokens, by verb class.
fn clause_start(ctx: &QCtx, class: VerbClass, cue: Range<usize>, hi: usize) -> Option<usize> {
    let v = &ctx.v;
    let k = cue.end;
    if k >= hi {
        return None;
    }
    match class {
        VerbClass::Say => {
            if let Some(t) = that_after(ctx, k, hi, 7) {
                return Some(t + 1);
            }
            let mut s = k;
            while s < hi && is_bridge(&v.lower(s)) {
                s += 1;
            }
            // "said ," or "said ." is not followed by a clause.
            (s < hi && !is_punct(v.tok(s))).then_some(s)
        }
        VerbClass::Tell => {
            if let Some(t) = that_after(ctx, k, hi, 9) {
                return Some(t + 1);
            }
            // "told reporters the talks had failed", "warned Moscow it would ...".
            if AUDIENCE.contains(&v.lower(k).as_str()) {
                return Some(k + 1);
            }
            let m = ctx.mention_starting_at(k)?;
            let s = m.toks.end;
            (s < hi && !is_punct(v.tok(s)) && v.lower(s) != "of" && v.lower(s) != "to").then_some(s)
        }
        VerbClass::That => that_after(ctx, k, hi, 7).map(|t| t + 1),
        VerbClass::To => {
            if v.lower(k) == "to" {
                return Some(k + 1);
            }
            if let Some(t) = that_after(ctx, k, hi, 7) {
                return Some(t + 1);
            }
            // "urged both sides to return": the clause keeps its object.
            (k + 1..hi.min(k + 6))
                .find(|&j| v.lower(j) == "to")
                .filter(|_| !is_punct(v.tok(k)))
                .map(|_| k)
        }
        VerbClass::Accuse => (k + 1..hi.min(k + 8))
            .find(|&j| v.lower(j) == "of")
            .filter(|_| !is_punct(v.tok(k)))
            .map(|_| k),
        VerbClass::Direct | VerbClass::Act => None,
    }
}

/// End of a clause running to the sentence end: without the final punctuation and closing
/// quotation marks.
fn clause_end(ctx: &QCtx, start: usize, sent_end: usize) -> usize {
    let v = &ctx.v;
    let mut e = sent_end;
    while e > start && is_punct(v.tok(e - 1)) {
        e -= 1;
    }
    e
}

/// True when only time words and punctuation follow token `from` up to the sentence end: the
/// attribution closes the sentence ("…, officials said on Friday.").
fn ends_sentence(ctx: &QCtx, from: usize, sent_end: usize) -> Option<usize> {
    let v = &ctx.v;
    let mut k = from;
    while k < sent_end && is_trailing_time(&v.lower(k)) {
        k += 1;
    }
    if k >= sent_end || matches!(v.tok(k), "." | "," | ";" | "!" | "?") {
        Some(k)
    } else {
        None
    }
}

fn overlaps(a: ByteSpan, b: ByteSpan) -> bool {
    a.start < b.end && b.start < a.end
}

/// Adds the reported speech of the document to `out` (which holds the direct quotes).
pub(super) fn extract(
    ctx: &QCtx,
    cfg: &QuotesConfig,
    marks: &[QuoteMarks],
    used: &[bool],
    out: &mut Vec<Quote>,
) {
    let v = &ctx.v;
    let text = v.text();
    let direct: Vec<ByteSpan> = marks.iter().map(|m| ByteSpan::new(m.open, m.end)).collect();
    let mut reported: Vec<ByteSpan> = Vec::new();
    for s in 0..v.n_sents() {
        let sent = v.sent_range(s);
        let mut c = sent.start;
        while c < sent.end {
            let here = c;
            c += 1;
            if v.in_quote(here) || used.get(here).copied().unwrap_or(false) {
                continue;
            }
            let cue_span = v.span_of(here..here + 1);
            if reported.iter().any(|r| r.contains(&cue_span)) {
                continue;
            }
            let found = if v.lower(here) == "according" && v.lower(here + 1) == "to" {
                according_to(ctx, here, sent.clone())
            } else {
                reported_by_verb(ctx, here, sent.clone())
            };
            let Some((speaker, cue, clause)) = found else {
                continue;
            };
            let span = v.span_of(clause.clone());
            let n_words = clause.clone().filter(|&i| !is_punct(v.tok(i))).count();
            if n_words < cfg.min_indirect_words || direct.iter().any(|d| overlaps(*d, span)) {
                continue;
            }
            if span.slice(text).is_empty() {
                continue;
            }
            reported.push(span);
            out.push(Quote {
                sent: s,
                span,
                speaker: speaker.actor,
                speaker_text: Some(speaker.text),
                cue,
                kind: QuoteKind::Indirect,
            });
        }
    }
}

/// "X said (that) CLAUSE" or "CLAUSE, X said."
fn reported_by_verb(
    ctx: &QCtx,
    c: usize,
    sent: Range<usize>,
) -> Option<(Speaker, String, Range<usize>)> {
    let v = &ctx.v;
    let (class, cue_toks, cue) = cue_at(ctx, c)?;
    if matches!(class, VerbClass::Direct | VerbClass::Act) {
        return None;
    }
    let speaker = ctx.speaker_before(c, sent.start, false)?;
    // Post-posed: "CLAUSE, X said." The speaker follows a comma, after an optional "the" or
    // title ("…, Defence Minister Anatoly Serdyukov announced").
    let mut before = speaker.toks.start;
    while before > sent.start
        && speaker.toks.start - before < 6
        && !is_punct(v.tok(before - 1))
        && ctx.verb(v.tok(before - 1)).is_none()
        && (v.is_cap(before - 1)
            || v.lower(before - 1) == "the"
            || ctx.is_title_word(v.tok(before - 1)))
    {
        before -= 1;
    }
    if before > sent.start + 1 && v.tok(before - 1) == "," {
        if ends_sentence(ctx, cue_toks.end, sent.end).is_some() {
            let clause = strip_opener(ctx, sent.start..before - 1);
            return Some((speaker, cue, clause));
        }
        // "CLAUSE, the ministry said, but ...": the attribution closes the clause.
        if v.tok(cue_toks.end) == "," {
            let clause = strip_opener(ctx, sent.start..before - 1);
            return Some((speaker, cue, clause));
        }
        // Otherwise the comma ends a fronted phrase ("Speaking in Brussels, X said ...").
    }
    let start = clause_start(ctx, class, cue_toks, sent.end)?;
    let end = clause_end(ctx, start, sent.end);
    (start < end).then_some((speaker, cue, start..end))
}

/// Discourse words that open a sentence but are not part of what was said.
const OPENERS: [&str; 10] = [
    "meanwhile",
    "however",
    "but",
    "and",
    "also",
    "still",
    "yet",
    "earlier",
    "later",
    "so",
];

/// Clause `r` without an opening discourse word and its comma ("Meanwhile, the plane …").
fn strip_opener(ctx: &QCtx, r: Range<usize>) -> Range<usize> {
    let v = &ctx.v;
    let mut s = r.start;
    if s < r.end && OPENERS.contains(&v.lower(s).as_str()) {
        s += 1;
        if s < r.end && v.tok(s) == "," {
            s += 1;
        }
    }
    s..r.end
}

/// "According to X, CLAUSE." or "CLAUSE, according to X."
fn according_to(
    ctx: &QCtx,
    a: usize,
    sent: Range<usize>,
) -> Option<(Speaker, String, Range<usize>)> {
    let v = &ctx.v;
    let from = a + 2;
    let speaker = ctx.speaker_after(from, sent.end)?;
    let cue = v.text_of(a..a + 2).to_string();
    let first_word = (sent.start..a).all(|i| is_punct(v.tok(i)));
    if first_word {
        let comma = (speaker.toks.end..sent.end).find(|&i| v.tok(i) == ",")?;
        let start = comma + 1;
        let end = clause_end(ctx, start, sent.end);
        return (start < end).then_some((speaker, cue, start..end));
    }
    if a > sent.start && v.tok(a - 1) == "," {
        let after = ends_sentence(ctx, speaker.toks.end, sent.end)?;
        let _ = after;
        return Some((speaker, cue, sent.start..a - 1));
    }
    None
}
