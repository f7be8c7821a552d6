//! Direct quotes: attribution after or before the quoted passage, split quotes, and
//! continuation of unattributed quotes.

use std::ops::Range;

use crate::doc::{ByteSpan, Quote, QuoteKind};

use super::cues::{cue_at, is_final_punct, is_punct, is_speaker_gap, is_trailing_time};
use super::marks::QuoteMarks;
use super::speaker::{QCtx, Speaker};
use super::QuotesConfig;

/// An attribution found for a quote.
#[derive(Debug, Clone)]
struct Attr {
    speaker: Option<Speaker>,
    cue: String,
    /// Last token of the attribution (exclusive).
    end_tok: usize,
}

/// Tokens whose span lies inside `s`.
fn tokens_inside(ctx: &QCtx, s: ByteSpan) -> Range<usize> {
    let a = ctx.v.token_at_or_after(s.start);
    let b = ctx.v.tokens_before(s.end);
    a..b.max(a)
}

/// Attribution after the closing mark, in the same sentence, before the next quote opens.
fn post(ctx: &QCtx, q: &QuoteMarks, next_open: Option<usize>) -> Option<Attr> {
    let v = &ctx.v;
    let inner = tokens_inside(ctx, q.content);
    let last = inner.end.checked_sub(1)?;
    let sent = v.sent_range(v.sent(last));
    let start = v.token_at_or_after(q.end);
    let mut end = sent.end;
    if let Some(o) = next_open {
        end = end.min(v.token_at_or_after(o));
    }
    if start >= end {
        return None;
    }
    for c in start..end.min(start + 10) {
        let t = v.tok(c);
        if is_final_punct(t) {
            break;
        }
        let Some((_, cue_toks, cue)) = cue_at(ctx, c) else {
            continue;
        };
        let speaker = ctx
            .speaker_before(c, start, true)
            .or_else(|| ctx.speaker_after(cue_toks.end, end));
        // The attribution must follow the quote directly: `"…," Russian Deputy Prime
        // Minister Sergei Ivanov told` but not `"…" from South Ossetia, where Moscow says`.
        let attr_start = speaker.as_ref().map_or(c, |s| s.toks.start.min(c));
        if !adjacent(ctx, start, attr_start) {
            return None;
        }
        let end_tok = speaker
            .as_ref()
            .map_or(cue_toks.end, |s| s.toks.end.max(cue_toks.end));
        if speaker.is_none() && c > start {
            // A verb not next to the quote without a speaker is not an attribution.
            return None;
        }
        return Some(Attr {
            speaker,
            cue,
            end_tok,
        });
    }
    None
}

/// True when only an opening comma and name or title words stand between `start` and `at`.
fn adjacent(ctx: &QCtx, start: usize, at: usize) -> bool {
    let v = &ctx.v;
    if at < start || at - start > 6 {
        return false;
    }
    (start..at).enumerate().all(|(k, i)| {
        let t = v.tok(i);
        (k == 0 && t == ",")
            || (!is_punct(t)
                && ctx.verb(t).is_none()
                && !matches!(
                    v.lower(i).as_str(),
                    "where" | "which" | "who" | "when" | "while" | "as" | "and" | "but"
                ))
    })
}

/// Attribution before the opening mark, in the same sentence: the nearest speech verb with a
/// speaker ("Kokoity added:", "X condemned the move as").
fn pre(ctx: &QCtx, q: &QuoteMarks, prev_end: usize) -> Option<Attr> {
    let v = &ctx.v;
    let open_tok = v.token_at_or_after(q.open);
    let sent = v.sent_range(v.sent(open_tok));
    let lo = sent.start.max(v.token_at_or_after(prev_end));
    if open_tok <= lo {
        return None;
    }
    for c in (lo..open_tok).rev().take(24) {
        let Some((_, cue_toks, cue)) = cue_at(ctx, c) else {
            continue;
        };
        let speaker = ctx
            .speaker_before(c, lo, false)
            .or_else(|| ctx.speaker_after(cue_toks.end, open_tok));
        if let Some(s) = speaker {
            return Some(Attr {
                end_tok: cue_toks.end,
                speaker: Some(s),
                cue,
            });
        }
    }
    None
}

/// True when only a comma (and time words) stand between the attribution and the next quote,
/// in the same paragraph: `"…," he said, "…"`.
fn splits_into(ctx: &QCtx, a: &Attr, q: &QuoteMarks, q2: &QuoteMarks) -> bool {
    let v = &ctx.v;
    let text = v.text();
    if text
        .get(q.end..q2.open)
        .is_none_or(|gap| gap.contains('\n'))
    {
        return false;
    }
    let open_tok = v.token_at_or_after(q2.open);
    if a.end_tok >= open_tok || v.tok(a.end_tok) != "," {
        return false;
    }
    (a.end_tok + 1..open_tok).all(|i| {
        let t = v.lower(i);
        t == "," || is_speaker_gap(&t) || is_trailing_time(&t)
    })
}

/// The quote span without a trailing comma and whitespace.
fn trim_span(text: &str, s: ByteSpan) -> ByteSpan {
    let inner = s.slice(text);
    let t = inner.trim_end().trim_end_matches(',').trim_end();
    ByteSpan::new(s.start, s.start + t.len())
}

fn words(ctx: &QCtx, s: ByteSpan) -> usize {
    let r = tokens_inside(ctx, s);
    r.filter(|&i| !is_punct(ctx.v.tok(i))).count()
}

/// Adds the direct quotes of the document to `out` and marks their cue tokens in `used`.
pub(super) fn extract(
    ctx: &QCtx,
    cfg: &QuotesConfig,
    marks: &[QuoteMarks],
    used: &mut [bool],
    out: &mut Vec<Quote>,
) {
    let v = &ctx.v;
    let text = v.text();
    // (quote index in out, tail byte, attributed, unclosed) of the direct quotes emitted.
    let mut emitted: Vec<(usize, usize, bool, bool, usize)> = Vec::new(); // (out idx, tail, attributed, unclosed, open)
    let mut i = 0;
    let mut prev_end = 0;
    while i < marks.len() {
        let q = &marks[i];
        let next = marks.get(i + 1);
        let mut span = q.content;
        let mut attr = post(ctx, q, next.map(|n| n.open));
        let mut tail = q.end;
        let mut unclosed = q.unclosed;
        let mut consumed = 1;
        if let Some(a) = &attr {
            let sent = v.sent_range(v.sent(a.end_tok.saturating_sub(1)));
            tail = v
                .span_of(sent.start..sent.end)
                .end
                .max(q.end)
                .min(next.map_or(usize::MAX, |n| n.open));
            if let Some(q2) = next {
                if splits_into(ctx, a, q, q2) {
                    span = ByteSpan::new(q.content.start, q2.content.end);
                    tail = q2.end;
                    unclosed = q2.unclosed;
                    consumed = 2;
                    if let Some(q3) = marks.get(i + 2) {
                        tail = tail.min(q3.open);
                    }
                }
            }
        } else {
            attr = pre(ctx, q, prev_end);
        }
        prev_end = marks.get(i + consumed - 1).map_or(q.end, |m| m.end);
        let span = trim_span(text, span);
        i += consumed;
        if words(ctx, span) < cfg.min_direct_words {
            continue;
        }
        if let Some(a) = &attr {
            let cue_tok = (0..a.end_tok).rev().find(|&t| cue_at(ctx, t).is_some());
            if let Some(c) = cue_tok {
                if let Some(u) = used.get_mut(c) {
                    *u = true;
                }
            }
        }
        let (speaker, speaker_text, cue) = match &attr {
            Some(a) => (
                a.speaker.as_ref().and_then(|s| s.actor),
                a.speaker.as_ref().map(|s| s.text.clone()),
                a.cue.clone(),
            ),
            None => (None, None, String::new()),
        };
        let mut quote = Quote {
            sent: v.sent(v.token_at_or_after(span.start)),
            span,
            speaker,
            speaker_text,
            cue,
            kind: QuoteKind::Direct,
        };
        // Continuation: nothing but whitespace since the previous attributed quote.
        if attr.is_none() && cfg.continuation {
            if let Some(&(pi, ptail, pattr, _, _)) = emitted.last() {
                let gap = text.get(ptail..q.open).unwrap_or("x");
                if pattr && gap.trim().is_empty() {
                    if let Some(p) = out.get(pi) {
                        quote.speaker = p.speaker;
                        quote.speaker_text = p.speaker_text.clone();
                        quote.cue = p.cue.clone();
                    }
                }
            }
        }
        let attributed = quote.speaker_text.is_some();
        out.push(quote);
        emitted.push((out.len() - 1, tail, attributed, unclosed, q.open));
    }
    // An unattributed quote left open at a paragraph end takes the speaker of the attributed
    // quote that opens the next paragraph.
    if cfg.continuation {
        for k in (0..emitted.len().saturating_sub(1)).rev() {
            let (qi, tail, attributed, unclosed, _) = emitted[k];
            let (ni, _, nattr, _, nopen) = emitted[k + 1];
            if attributed || !unclosed || !nattr {
                continue;
            }
            if text.get(tail..nopen).is_some_and(|g| g.trim().is_empty()) {
                let (sp, st, cue) = match out.get(ni) {
                    Some(n) => (n.speaker, n.speaker_text.clone(), n.cue.clone()),
                    None => continue,
                };
                if let Some(q) = out.get_mut(qi) {
                    q.speaker = sp;
                    q.speaker_text = st;
                    q.cue = cue;
                }
                emitted[k].2 = true;
            }
        }
    }
}
