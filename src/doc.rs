//! The document model: one [`Doc`] travels through every stage, and each stage adds to it.
//!
//! Offsets: everything inside a `Doc` is a **byte** offset into [`Doc::text`] (the cleaned text),
//! carried by [`ByteSpan`]. Output tables use Unicode **character** offsets; the conversion happens
//! in exactly one place, [`crate::output::offsets::CharIndex`], when rows are written.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Stable identifier of one article: 16 lowercase hex digits of a BLAKE3 hash of its *source key*
/// (see [`DocId::from_source_key`]). The same article gives the same id in every run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DocId(String);

impl DocId {
    /// Derives an id from a source key: the input-relative path (with `/` separators), plus
    /// `#<line>` for a record of a JSONL file, or `id:<value>` when the record carries its own id.
    pub fn from_source_key(key: &str) -> Self {
        let hash = blake3::hash(key.as_bytes());
        DocId(hex_prefix(hash.as_bytes(), 8))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A number in `0..n` derived from the id, used to assign documents to shards.
    pub fn bucket(&self, n: u64) -> u64 {
        let v = u64::from_str_radix(&self.0, 16).unwrap_or(0);
        if n == 0 {
            0
        } else {
            v % n
        }
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lowercase hex of the first `n` bytes.
pub fn hex_prefix(bytes: &[u8], n: usize) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(n * 2);
    for b in bytes.iter().take(n) {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Half-open byte range `[start, end)` into a document's cleaned text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct ByteSpan {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl ByteSpan {
    /// A span; `end` is clamped so that `start <= end`.
    pub fn new(start: usize, end: usize) -> Self {
        ByteSpan {
            start,
            end: end.max(start),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True for an empty span.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The text of the span, or `""` when it does not fall on char boundaries of `text`.
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// True when `other` lies within `self`.
    pub fn contains(&self, other: &ByteSpan) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

impl From<std::ops::Range<usize>> for ByteSpan {
    fn from(r: std::ops::Range<usize>) -> Self {
        ByteSpan::new(r.start, r.end)
    }
}

/// Input format a document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// Plain text, one article per file.
    Txt,
    /// One JSON object per line.
    Jsonl,
    /// An HTML page.
    Html,
}

impl SourceFormat {
    /// Name used in the `documents.source_format` column.
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceFormat::Txt => "txt",
            SourceFormat::Jsonl => "jsonl",
            SourceFormat::Html => "html",
        }
    }
}

/// Where a document came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Path as given on the command line joined with the path below it (for display and joins).
    pub path: String,
    /// 1-based line for JSONL records.
    pub line: Option<u64>,
    /// Input format.
    pub format: SourceFormat,
    /// Character encoding used to decode the bytes (e.g. `UTF-8`, `windows-1252`); `+gzip` when decompressed.
    pub encoding: String,
    /// [`source_hash`] of the raw input bytes (the file, or the JSONL line) as read.
    pub hash: String,
}

impl Source {
    /// A plain-text source with no input bytes behind it (tests, evaluation sets, fuzzing).
    pub fn plain_text(path: impl Into<String>) -> Self {
        Source {
            path: path.into(),
            line: None,
            format: SourceFormat::Txt,
            encoding: "UTF-8".into(),
            hash: String::new(),
        }
    }
}

/// 32 lowercase hex digits of the BLAKE3 hash of raw input bytes: identical inputs, identical
/// hash. Incremental runs skip units whose hash is already in the output.
pub fn source_hash(bytes: &[u8]) -> String {
    hex_prefix(blake3::hash(bytes).as_bytes(), 16)
}

/// Metadata of an article, from the input record (JSONL fields, HTML meta tags) or found by cleaning.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocMeta {
    /// Headline.
    pub title: Option<String>,
    /// Author line, e.g. "DW staff (sp)".
    pub byline: Option<String>,
    /// Dateline place, e.g. "MOSCOW".
    pub dateline: Option<String>,
    /// Publication date, ISO 8601 `YYYY-MM-DD`.
    pub published: Option<String>,
    /// News agency or source, e.g. "Reuters".
    pub agency: Option<String>,
    /// Canonical URL when known.
    pub url: Option<String>,
}

/// A sentence: its span and the range of its tokens in [`Doc::tokens`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// Byte span in the cleaned text.
    pub span: ByteSpan,
    /// Index of the first token of the sentence in `Doc::tokens`.
    pub token_start: usize,
    /// One past the index of the last token.
    pub token_end: usize,
}

/// A named-entity mention found by the NER stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Index of the sentence in `Doc::sentences`.
    pub sent: usize,
    /// First token (index into `Doc::tokens`).
    pub token_start: usize,
    /// One past the last token.
    pub token_end: usize,
    /// Byte span in the cleaned text.
    pub span: ByteSpan,
    /// Entity type, e.g. `PER`, `ORG`, `GPE`.
    pub label: String,
    /// Model confidence in `[0, 1]`.
    pub score: f32,
}

/// Kinds of actor: what the `actors.actor_type` column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorType {
    /// A person.
    Person,
    /// A company, party, agency, alliance or other organisation.
    Organisation,
    /// A sovereign or de-facto state (and its government).
    State,
    /// A place that does not act (a city, a region, a river).
    Place,
    /// A group of people (rebels, protesters, "the West").
    Group,
}

impl ActorType {
    /// Name used in tables.
    pub fn as_str(&self) -> &'static str {
        match self {
            ActorType::Person => "person",
            ActorType::Organisation => "organisation",
            ActorType::State => "state",
            ActorType::Place => "place",
            ActorType::Group => "group",
        }
    }
}

/// How a mention refers to its actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MentionKind {
    /// The actor's name or a variant of it ("Dmitry Medvedev", "Medvedev").
    Name,
    /// A listed alias ("Condi", from the alias file or gazetteer), or an acronym of a name the
    /// document spells out ("SEC" for "Securities and Exchange Commission").
    Alias,
    /// A capital or seat of government standing for its state ("the Kremlin" → Russia).
    Metonym,
    /// A demonym or adjective ("Russian troops" → Russia).
    Demonym,
    /// A role resolved to a named person ("the Georgian president").
    Role,
    /// A pronoun resolved to an actor ("he said").
    Pronoun,
}

impl MentionKind {
    /// Name used in tables.
    pub fn as_str(&self) -> &'static str {
        match self {
            MentionKind::Name => "name",
            MentionKind::Alias => "alias",
            MentionKind::Metonym => "metonym",
            MentionKind::Demonym => "demonym",
            MentionKind::Role => "role",
            MentionKind::Pronoun => "pronoun",
        }
    }
}

/// An actor as known inside one document, before corpus-level merging.
///
/// `key` is a normalised canonical name ("dmitry medvedev") that the corpus pass maps to a final
/// actor id; documents agree on keys for the same actor whenever they can (gazetteer names, full names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocActor {
    /// Normalised canonical key.
    pub key: String,
    /// Display name, e.g. "Dmitry Medvedev".
    pub canonical_name: String,
    /// Actor type.
    pub actor_type: ActorType,
    /// Key of the actor this one belongs to (a minister's state), if known.
    pub affiliation: Option<String>,
    /// Surface forms seen in this document.
    pub aliases: Vec<String>,
}

/// A mention of an actor in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Index of the sentence.
    pub sent: usize,
    /// Byte span of the mention.
    pub span: ByteSpan,
    /// Index into `Doc::actors`.
    pub actor: usize,
    /// How the mention refers to the actor.
    pub kind: MentionKind,
}

/// Direct or reported speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// Words in quotation marks.
    Direct,
    /// Reported speech ("X said that ...", "according to X").
    Indirect,
}

impl QuoteKind {
    /// Name used in tables.
    pub fn as_str(&self) -> &'static str {
        match self {
            QuoteKind::Direct => "direct",
            QuoteKind::Indirect => "indirect",
        }
    }
}

/// A quote with its speaker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Sentence where the quote starts.
    pub sent: usize,
    /// Byte span of the quoted content (without the quotation marks).
    pub span: ByteSpan,
    /// Speaker actor (index into `Doc::actors`) when resolved.
    pub speaker: Option<usize>,
    /// Speaker as written ("he", "the minister", "Medvedev").
    pub speaker_text: Option<String>,
    /// The speech verb or phrase ("said", "according to").
    pub cue: String,
    /// Direct or indirect.
    pub kind: QuoteKind,
}

/// Stance polarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    /// The source supports the target.
    Support,
    /// The source opposes the target.
    Oppose,
    /// The source refers to the target without a clear position.
    Neutral,
}

impl Polarity {
    /// Name used in tables.
    pub fn as_str(&self) -> &'static str {
        match self {
            Polarity::Support => "support",
            Polarity::Oppose => "oppose",
            Polarity::Neutral => "neutral",
        }
    }
}

/// What a stance is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StanceTarget {
    /// Another actor (index into `Doc::actors`).
    Actor(usize),
    /// A topic configured in `[stance.topics]`, by its name.
    Topic(String),
}

/// One stance record: source actor → target, with evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stance {
    /// Sentence holding the evidence.
    pub sent: usize,
    /// Source actor (index into `Doc::actors`).
    pub source: usize,
    /// Target actor or topic.
    pub target: StanceTarget,
    /// Support, oppose or neutral.
    pub polarity: Polarity,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    /// The cue that fired (a lexicon entry or verb lemma).
    pub cue: String,
    /// The rule or model that produced the record, e.g. `verb`, `quote-lexicon`, `nli`.
    pub method: String,
    /// Evidence span in the cleaned text.
    pub evidence: ByteSpan,
}

/// One article and everything the stages have found in it.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Stable id.
    pub id: DocId,
    /// Where the article came from.
    pub source: Source,
    /// Decoded input text before cleaning. Emptied once cleaning has run, to save memory.
    pub raw: String,
    /// Metadata from the input and from cleaning.
    pub meta: DocMeta,
    /// Cleaned article text; every span refers to it.
    pub text: String,
    /// Sentences in order.
    pub sentences: Vec<Sentence>,
    /// Word tokens of the whole document in order.
    pub tokens: Vec<ByteSpan>,
    /// Named entities in order.
    pub entities: Vec<Entity>,
    /// Actors of this document.
    pub actors: Vec<DocActor>,
    /// Actor mentions in order.
    pub mentions: Vec<Mention>,
    /// Quotes in order.
    pub quotes: Vec<Quote>,
    /// Stance records in order.
    pub stances: Vec<Stance>,
}

impl Doc {
    /// A new document with decoded raw text and nothing else yet.
    pub fn new(id: DocId, source: Source, raw: String, meta: DocMeta) -> Self {
        Doc {
            id,
            source,
            raw,
            meta,
            text: String::new(),
            sentences: Vec::new(),
            tokens: Vec::new(),
            entities: Vec::new(),
            actors: Vec::new(),
            mentions: Vec::new(),
            quotes: Vec::new(),
            stances: Vec::new(),
        }
    }

    /// Token strings of sentence `i` (empty when out of range).
    pub fn sentence_tokens(&self, i: usize) -> Vec<&str> {
        match self.sentences.get(i) {
            Some(s) => self
                .tokens
                .get(s.token_start..s.token_end)
                .unwrap_or(&[])
                .iter()
                .map(|t| t.slice(&self.text))
                .collect(),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_id_is_stable_and_hex() {
        let a = DocId::from_source_key("seeds/000.txt");
        let b = DocId::from_source_key("seeds/000.txt");
        assert_eq!(a, b);
        assert_eq!(a.as_str().len(), 16);
        assert!(a.as_str().chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, DocId::from_source_key("seeds/001.txt"));
        assert!(a.bucket(4) < 4);
    }

    #[test]
    fn span_slice_is_safe_off_boundaries() {
        let text = "Tbilisi – Gori";
        assert_eq!(ByteSpan::new(0, 7).slice(text), "Tbilisi");
        // 8..9 cuts the 3-byte dash: no panic, empty.
        assert_eq!(ByteSpan::new(8, 9).slice(text), "");
        assert_eq!(ByteSpan::new(5, 2).len(), 0);
    }
}
