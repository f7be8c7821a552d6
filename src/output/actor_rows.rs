//! Rows of the actor-dependent tables (mentions, quotes, stances), written to the spill folder
//! with each actor's document-level *key* in the actor id columns. The corpus pass
//! ([`super::corpus`]) replaces keys by final actor ids once every document has been seen.

use super::offsets::CharIndex;
use super::rows::RowSink;
use crate::doc::{Doc, StanceTarget};

/// Columns that hold actor keys in the spill and actor ids in the final tables.
pub const KEY_COLUMNS: &[(&str, &[&str])] = &[
    ("mentions", &["actor_id"]),
    ("quotes", &["speaker_actor_id"]),
    ("stances", &["source_actor_id", "target_actor_id"]),
];

/// Adds a document's mentions, quotes and stances to the spilled tables.
pub fn add(sink: &mut RowSink, doc: &Doc, idx: &CharIndex) {
    let id = doc.id.as_str();
    let key = |i: usize| doc.actors.get(i).map(|a| a.key.as_str());
    let ch = |b: usize| Some(idx.char_offset(b) as i64);
    if let Some(b) = sink.builder("mentions") {
        for m in &doc.mentions {
            b.row()
                .str(Some(id))
                .i32(m.sent as i32)
                .i64(ch(m.span.start))
                .i64(ch(m.span.end))
                .str(Some(m.span.slice(&doc.text)))
                .str(key(m.actor))
                .str(Some(m.kind.as_str()));
        }
    }
    if let Some(b) = sink.builder("quotes") {
        for (i, q) in doc.quotes.iter().enumerate() {
            b.row()
                .str(Some(id))
                .i32(i as i32)
                .i32(q.sent as i32)
                .str(q.speaker.and_then(key))
                .str(q.speaker_text.as_deref())
                .str(Some(&q.cue))
                .str(Some(q.kind.as_str()))
                .i64(ch(q.span.start))
                .i64(ch(q.span.end))
                .str(Some(q.span.slice(&doc.text)));
        }
    }
    if let Some(b) = sink.builder("stances") {
        for (i, s) in doc.stances.iter().enumerate() {
            let (target_actor, topic) = match &s.target {
                StanceTarget::Actor(a) => (key(*a), None),
                StanceTarget::Topic(t) => (None, Some(t.as_str())),
            };
            b.row()
                .str(Some(id))
                .i32(i as i32)
                .i32(s.sent as i32)
                .str(key(s.source))
                .str(target_actor)
                .str(topic)
                .str(Some(s.polarity.as_str()))
                .f32(Some(s.score))
                .str(Some(&s.cue))
                .str(Some(&s.method))
                .i64(ch(s.evidence.start))
                .i64(ch(s.evidence.end))
                .str(Some(s.evidence.slice(&doc.text)));
        }
    }
}
