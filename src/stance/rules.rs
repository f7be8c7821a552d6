//! Rules that read a stance off one sentence: speech-act and event verbs between actors
//! ("Russia condemned Georgia", "was condemned by NATO", "signed treaties with"), hyphenated
//! compounds ("Moscow-backed"), and the words a speaker uses about a target inside a quote.
//!
//! There is no parser: the subject of a cue is the nearest actor mention before it that is
//! separated from it only by auxiliaries, adverbs, time words, an appositive between commas or
//! a `verb to` chain ("vowed to back"); this keeps precision high at the price of recall.
//! Negation turns support into opposition ("did not recognise", "refused to back") and
//! opposition into neutral ("refused to condemn" is not support); modality ("may consider")
//! multiplies the score by the modal entry's weight.

use crate::doc::{ActorType, ByteSpan, Doc, MentionKind, Polarity, StanceTarget};

use super::lexicon::{Cue, CueIndex, CueKind, Lexicon, Pattern, MAX_GAP};
use super::topics::{TopicMatch, TopicMatcher};

mod owner;
mod reaction;
mod reciprocal;

/// Score factor for a negated cue: a refusal is slightly weaker evidence than an act.
const NEGATED_FACTOR: f32 = 0.8;
/// Smallest base weight of a negated cue: refusing even a weak gesture ("will not visit",
/// "won't talk to") is a clear signal.
const NEGATED_FLOOR: f32 = 0.5;
/// Score factor when the whole frame is negated ("did not say Russia would recognise").
const FRAME_NEGATED_FACTOR: f32 = 0.4;
/// Score factor for evidence read from a quote's words rather than a verb.
const QUOTE_FACTOR: f32 = 0.8;
/// How far (tokens) a `Q` cue may sit from its target inside a quote.
const QUOTE_WINDOW: usize = 6;
/// Longest stretch of verb-group words allowed between a subject and its cue.
const MAX_SUBJECT_GAP: usize = 10;
/// Smallest cue weight read with a subject carried over from an earlier clause.
const MIN_CARRIED_WEIGHT: f32 = 0.4;
/// Tokens after a passive cue searched for its "by" agent ("was ousted as party leader by X").
const MAX_AGENT_GAP: usize = 6;

/// An actor mention mapped to sentence-relative tokens.
#[derive(Debug, Clone)]
pub struct SentMention {
    /// Actor index.
    pub actor: usize,
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// How the mention refers to the actor.
    pub kind: MentionKind,
    /// The actor is a place that does not act (a city, a sea, a region).
    pub place: bool,
}

/// One sentence prepared for the rules: lowercase tokens, mentions, topics, quotes.
#[derive(Debug, Clone)]
pub struct SentCtx {
    /// Sentence index.
    pub sent: usize,
    /// Sentence span.
    pub span: ByteSpan,
    /// Token spans (absolute byte offsets).
    pub toks: Vec<ByteSpan>,
    /// Lowercase token text, curly apostrophes made straight.
    pub words: Vec<String>,
    /// Actor mentions, by start token.
    pub mentions: Vec<SentMention>,
    /// Topic phrases found.
    pub topics: Vec<TopicMatch>,
    /// For each token, the speaker actor of a quote covering it (when resolved).
    pub speaker: Vec<Option<usize>>,
    /// For each token, whether its speaker was inferred here from a speech verb rather than
    /// given by the quote stage.
    pub inferred: Vec<bool>,
    /// For each token, whether it starts with an uppercase letter.
    pub caps: Vec<bool>,
    /// Topic names, aligned with `topics`.
    pub topic_names: Vec<String>,
}

/// A stance found by a rule, before de-duplication.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Source actor.
    pub source: usize,
    /// Target.
    pub target: StanceTarget,
    /// Polarity after negation.
    pub polarity: Polarity,
    /// Score in `[0, 1]`.
    pub score: f32,
    /// Cue name.
    pub cue: String,
    /// Rule name.
    pub method: String,
}

/// A possible target in the sentence.
#[derive(Debug, Clone)]
pub struct Cand {
    /// The target.
    pub target: StanceTarget,
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
}

const AUX: &[&str] = &[
    "has",
    "have",
    "had",
    "is",
    "was",
    "were",
    "are",
    "be",
    "been",
    "being",
    "will",
    "would",
    "shall",
    "should",
    "may",
    "might",
    "can",
    "could",
    "must",
    "do",
    "does",
    "did",
    "to",
    "wo",
    "ca",
    "'s",
    "'ve",
    "'d",
    "'ll",
    "'re",
    "not",
    "n't",
    "never",
    "also",
    "then",
    "still",
    "just",
    "already",
    "now",
    "meanwhile",
    "however",
    "too",
    "once",
    "even",
    "further",
    "again",
    "on",
    "this",
    "last",
    "next",
    "week",
    "month",
    "year",
    "earlier",
    "later",
    "today",
    "yesterday",
    "tonight",
    "morning",
    "evening",
    "afternoon",
    "night",
    ",",
    "in",
    "turn",
    "itself",
    "themselves",
    "himself",
    "herself",
    "both",
    "all",
    "only",
    "openly",
    "no",
    "longer",
];

/// A word allowed between a subject and its verb ([`AUX`] or a weekday).
fn is_aux(w: &str) -> bool {
    is_in(AUX, w) || crate::text::time_words::is_weekday(w)
}
const PREPOSITIONS: &[&str] = &[
    "of", "with", "to", "in", "at", "from", "for", "on", "by", "about", "against", "into",
    "between", "among", "toward", "towards", "over", "under", "through", "without", "like",
];
/// Prepositions that introduce a place adjunct ("fighting in Gori"), never a stance object.
const LOCATIVES: &[&str] = &[
    "in",
    "at",
    "near",
    "across",
    "throughout",
    "around",
    "inside",
    "within",
    "outside",
];
/// Prepositions of direction: a place adjunct only after a verb of movement ("tanks rolled into
/// Gori"), since elsewhere they introduce objects ("an inquiry into Russia's role").
const DIRECTIONALS: &[&str] = &["into", "toward", "towards"];
/// Verbs of movement (lemmas; inflections match) that make a directional phrase a place.
const MOTION_VERBS: &[&str] = &[
    "roll",
    "move",
    "march",
    "push",
    "advance",
    "drive",
    "pour",
    "sweep",
    "send",
    "deploy",
    "fly",
    "storm",
    "head",
    "rush",
    "cross",
    "pull",
    "withdraw",
    "retreat",
    "flee",
    "enter",
    // Irregular past forms `inflects` does not derive.
    "drove",
    "driven",
    "flew",
    "flown",
    "swept",
    "sent",
    "fled",
    "withdrew",
    "withdrawn",
];
/// Words that may stand between a verb of movement and its preposition ("pushed deeper into").
const MOTION_ADVERBS: &[&str] = &["deep", "deeper", "further", "farther", "back", "straight"];
/// Object pronouns: once one follows the verb, its object slot is filled.
const OBJECT_PRONOUNS: &[&str] = &["them", "him", "it", "us", "me", "you"];
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "its", "their", "his", "her", "our", "this", "these", "those", "both", "all",
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "dozens", "several",
    "some", "many", "other", "each",
];
const CLAUSE_BREAK: &[&str] = &[
    ";", ".", ":", "but", "while", "whereas", "because", "although", "though", "?", "!", "--", "—",
    "\"", "“", "”",
];
const FIRST_PERSON: &[&str] = &["we", "i"];
/// Head nouns through which a possessive or demonym stands for its actor ("Russia's actions",
/// "Georgian forces"); other heads ("Georgia's breakaway provinces") are a different target.
const PROXY_HEADS: &[&str] = &[
    "forces",
    "troops",
    "army",
    "military",
    "government",
    "leadership",
    "authorities",
    "leader",
    "leaders",
    "president",
    "officials",
    "actions",
    "action",
    "move",
    "moves",
    "decision",
    "policy",
    "policies",
    "position",
    "stance",
    "behaviour",
    "behavior",
    "aggression",
    "response",
    "plan",
    "proposal",
    "efforts",
    "effort",
    "statement",
    "statements",
    "demands",
    "claims",
    "claim",
    "demand",
    "threat",
    "sovereignty",
    "offensive",
    "attack",
    "attacks",
    "invasion",
    "visit",
    "chief",
    "regime",
    "diplomats",
    "initiative",
    "bid",
    "role",
    "tanks",
    "soldiers",
    "campaign",
    "intervention",
    "push",
    "side",
    "administration",
    "minister",
    "ministry",
    "envoy",
    "delegation",
    "bombing",
    "shelling",
    "conduct",
    "words",
    "threats",
    "occupation",
    "annexation",
    "stand",
    // Bodies that act for their state: "Croatia's parliament ratified".
    "parliament",
    "lawmakers",
    "legislature",
    "cabinet",
    "navy",
    // Acts and undertakings: praising "Norway's pledge" praises Norway.
    "pledge",
    "pledges",
    "offer",
    "withdrawal",
    "mediation",
    "cooperation",
    "commitment",
    "contribution",
    "deployment",
    "candidacy",
    "accession",
    "handling",
    "support",
    "record",
    "reforms",
    "election",
    // Acts whose critics or backers take a stance toward their author: condemning "Iran's
    // seizure of a tanker" condemns Iran.
    "seizure",
    "strikes",
    "airstrikes",
    "raids",
    "assault",
    "incursions",
    "crackdown",
    "treatment",
    "detention",
    "expansion",
    "rules",
    "law",
    "laws",
    "bill",
    "ban",
    "sanctions",
    "tariffs",
    "programme",
    "program",
    "recognition",
    "refusal",
    "veto",
    "blockade",
    "interference",
    "meddling",
    "involvement",
    "repression",
    "abuses",
    "violations",
    "tactics",
    "approach",
    "remarks",
    "comments",
    "rhetoric",
    "ultimatum",
    "takeover",
    "lawsuit",
    "request",
    "appeal",
    "war",
    "expulsion",
    "arrest",
    "arrests",
    "execution",
    "executions",
    "deportation",
    // Its land, sea and air: "Russia's annexation of Ukrainian territory".
    "territory",
    "waters",
    "airspace",
    // Armed services that act for their state: "Turkish warplanes", "Chinese coastguard".
    // (Ships and boats are left out: "an attack on a Kuwaiti ship" would make Kuwait a
    // classifier target of every sentence about the attack.)
    "jets",
    "warplanes",
    "warships",
    "coastguard",
    "police",
];
/// Verbs that introduce reported speech.
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "saying",
    "say",
    "told",
    "tells",
    "telling",
    "added",
    "adding",
    "stated",
    "insisted",
    "argued",
    "arguing",
    "claimed",
    "claiming",
    "declared",
    "warned",
    "warning",
    "announced",
    "noted",
    "stressed",
    "replied",
];

fn is_in(list: &[&str], w: &str) -> bool {
    list.contains(&w)
}

impl SentCtx {
    /// Prepares sentence `sent` of `doc`.
    pub fn new(doc: &Doc, sent: usize, topics: &TopicMatcher) -> Option<Self> {
        let s = doc.sentences.get(sent)?;
        let mut toks: Vec<ByteSpan> = doc
            .tokens
            .get(s.token_start..s.token_end)
            .unwrap_or(&[])
            .to_vec();
        if toks.is_empty() {
            // No tokenizer ran: use the classifier's, shifted to absolute offsets.
            toks = super::classifier::tokenize(s.span.slice(&doc.text))
                .into_iter()
                .map(|r| ByteSpan::new(s.span.start + r.start, s.span.start + r.end))
                .collect();
        }
        let words: Vec<String> = toks
            .iter()
            .map(|t| t.slice(&doc.text).to_lowercase().replace('’', "'"))
            .collect();
        let mut mentions: Vec<SentMention> = doc
            .mentions
            .iter()
            .filter(|m| m.actor < doc.actors.len() && s.span.contains(&m.span))
            .filter_map(|m| {
                let start = toks.iter().position(|t| t.end > m.span.start)?;
                let end = toks
                    .iter()
                    .rposition(|t| t.start < m.span.end)
                    .map(|e| e + 1)?;
                (start < end).then_some(SentMention {
                    actor: m.actor,
                    start,
                    end,
                    kind: m.kind,
                    place: doc.actors[m.actor].actor_type == ActorType::Place,
                })
            })
            .collect();
        mentions.sort_by_key(|m| (m.start, m.end, m.actor));
        let mut speaker = vec![None; toks.len()];
        for q in &doc.quotes {
            let Some(sp) = q.speaker else { continue };
            if sp >= doc.actors.len() || q.span.end <= s.span.start || q.span.start >= s.span.end {
                continue;
            }
            for (i, t) in toks.iter().enumerate() {
                if q.span.start <= t.start && t.end <= q.span.end {
                    speaker[i] = Some(sp);
                }
            }
        }
        let caps = toks
            .iter()
            .map(|t| {
                t.slice(&doc.text)
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
            })
            .collect();
        let found = topics.find(&words);
        let topic_names = found
            .iter()
            .map(|m| topics.name(m.topic).to_string())
            .collect();
        let topics = found;
        Some(SentCtx {
            sent,
            span: s.span,
            toks,
            words,
            mentions,
            topics,
            inferred: vec![false; speaker.len()],
            speaker,
            caps,
            topic_names,
        })
    }

    /// Marks reported speech the quote stage left unattributed: after a speech verb ("X said
    /// (that) ...", "..., saying ...") the rest of the sentence is the subject's speech.
    pub fn infer_reported_speech(&mut self, lex: &Lexicon) {
        for v in 0..self.words.len() {
            if !is_in(SPEECH_VERBS, self.word(v)) || self.speaker_at(v + 1).is_some() {
                continue;
            }
            // A direct quote follows: the quote stage owns it.
            if matches!(self.word(v + 1), "\"" | "“" | ":") {
                continue;
            }
            let participle = self.word(v).ends_with("ing") && v > 0 && self.word(v - 1) == ",";
            let subject = if participle {
                clause_subject(self, v - 1)
            } else {
                subject_before(self, lex, v, false)
            };
            let Some((speaker, _)) = subject else {
                continue;
            };
            let mut k = v + 1;
            // "told RFE/RL's Georgian Service that ...": the content starts after `that`.
            if matches!(
                self.word(v),
                "told" | "tells" | "telling" | "warned" | "warning"
            ) {
                match (v + 1..(v + 9).min(self.words.len())).find(|&j| self.word(j) == "that") {
                    Some(j) => k = j + 1,
                    None => continue,
                }
            }
            while k < self.words.len() {
                if matches!(self.word(k), "\"" | "“" | "”") && k > v + 1 {
                    break;
                }
                // "..., a move quickly condemned by ...": an appositive ends the speech.
                if self.word(k) == "," && matches!(self.word(k + 1), "a" | "which" | "who" | "an") {
                    break;
                }
                if let Some(slot) = self.speaker.get_mut(k) {
                    if slot.is_none() {
                        *slot = Some(speaker);
                        if let Some(f) = self.inferred.get_mut(k) {
                            *f = true;
                        }
                    }
                }
                k += 1;
            }
        }
    }

    /// For a mention that modifies a noun (possessive "Russia's", demonym "Georgian"), whether
    /// that noun stands for the actor; `None` when the mention is not a modifier.
    pub fn proxy_head(&self, m_start: usize, m_end: usize) -> Option<bool> {
        self.proxy_head_end(m_start, m_end).map(|e| e.is_some())
    }

    /// Like [`SentCtx::proxy_head`], with the token after the proxy head noun when there is one.
    fn proxy_head_end(&self, m_start: usize, m_end: usize) -> Option<Option<usize>> {
        let demonym = self
            .mentions
            .iter()
            .any(|m| m.start == m_start && m.end == m_end && m.kind == MentionKind::Demonym);
        // "Indian diplomats", "Russian troops": the actor stage already took the head noun
        // into the demonym mention.
        if demonym && m_end > m_start + 1 && is_in(PROXY_HEADS, self.word(m_end - 1)) {
            return Some(Some(m_end));
        }
        let mut k = m_end;
        if self.word(k) == "'s" {
            k += 1;
        } else if !(demonym
            && self.word(k).chars().all(char::is_alphabetic)
            && !self.word(k).is_empty())
        {
            return None;
        }
        for j in k..k + 3 {
            let w = self.word(j);
            if is_in(PROXY_HEADS, w) {
                // A compound head: "military government", "foreign ministry officials".
                let mut e = j + 1;
                while is_in(PROXY_HEADS, self.word(e)) {
                    e += 1;
                }
                return Some(Some(e));
            }
            // Hyphenated modifiers count as words: "Sri Lanka's new anti-terrorism bill".
            if w.is_empty()
                || is_in(PREPOSITIONS, w)
                || !w.chars().all(|c| c.is_alphabetic() || c == '-')
            {
                break;
            }
        }
        Some(None)
    }

    fn word(&self, i: usize) -> &str {
        self.words.get(i).map(String::as_str).unwrap_or("")
    }

    /// True when the sentence, outside quotes, ends with a question mark.
    fn is_question(&self) -> bool {
        (0..self.words.len())
            .rev()
            .find(|&k| !matches!(self.word(k), "\"" | "”" | "’" | "'" | ")"))
            .is_some_and(|k| self.word(k) == "?" && self.speaker.get(k).is_none_or(Option::is_none))
    }

    /// The speaker of the quote covering token `k`, when there is one and it is resolved.
    pub fn speaker_at(&self, k: usize) -> Option<usize> {
        self.speaker.get(k).copied().flatten()
    }

    fn in_mention(&self, i: usize) -> bool {
        self.mentions.iter().any(|m| m.start <= i && i < m.end)
    }

    /// Byte span from token `a` to the end of token `b - 1` (empty when out of range).
    pub fn tok_span(&self, a: usize, b: usize) -> ByteSpan {
        match (
            self.toks.get(a),
            b.checked_sub(1).and_then(|e| self.toks.get(e)),
        ) {
            (Some(x), Some(y)) => ByteSpan::new(x.start, y.end),
            _ => ByteSpan::new(self.span.start, self.span.start),
        }
    }

    /// Target candidates (mentions that are not first-person pronouns, and topic phrases).
    /// A mention inside a topic phrase is left out: the phrase is the more specific target.
    pub fn candidates(&self) -> Vec<Cand> {
        let mut v: Vec<Cand> = self
            .topics
            .iter()
            .zip(&self.topic_names)
            .map(|(t, name)| Cand {
                target: StanceTarget::Topic(name.clone()),
                start: t.start,
                end: t.end,
            })
            .collect();
        for m in &self.mentions {
            let first_person = m.kind == MentionKind::Pronoun
                && (m.start..m.end).any(|i| is_in(FIRST_PERSON, self.word(i)));
            // Inside the phrase, or its second conjunct: "the independence of South Ossetia
            // and Abkhazia" is one topic target, not also Abkhazia.
            let in_topic = self.topics.iter().any(|t| {
                (t.start <= m.start && m.end <= t.end)
                    || (m.start == t.end + 1 && matches!(self.word(t.end), "and" | "or"))
            });
            if !first_person && !in_topic {
                v.push(Cand {
                    target: StanceTarget::Actor(m.actor),
                    start: m.start,
                    end: m.end,
                });
            }
        }
        v.sort_by_key(|c| (c.start, c.end));
        v
    }
}

/// Applies the lexicon's rules to one sentence.
pub fn apply(ctx: &SentCtx, lex: &Lexicon, index: &CueIndex, max_distance: usize) -> Vec<Found> {
    let mut out = Vec::new();
    let cands = ctx.candidates();
    // A question asks about a stance, it does not report one ("Would Moscow accept a truce?");
    // a question inside a quote still colours the speaker's words.
    if !ctx.is_question() {
        verb_rules(ctx, lex, index, &cands, max_distance, &mut out);
        compound_rules(ctx, lex, &cands, &mut out);
        label_rules(ctx, lex, &cands, &mut out);
        reaction::reaction_rules(ctx, lex, index, &cands, &mut out);
        owner::owner_rules(ctx, lex, index, &cands, &mut out);
    }
    quote_rules(ctx, lex, &cands, &mut out);
    out
}

/// The negations in a cue's scope.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Negation {
    /// How many; an even count cancels out ("not without").
    count: usize,
    /// One of them is a hedge (a negation cue with weight under 1: "stopped short of
    /// recognising", "failed to back"): the act did not happen, but nothing was refused.
    hedge: bool,
}

impl Negation {
    /// Whether the cue is negated.
    fn negated(self) -> bool {
        !self.count.is_multiple_of(2)
    }
}

/// Negations and modal factor in tokens `lo..hi`, skipping mention tokens.
fn scope(ctx: &SentCtx, lex: &Lexicon, lo: usize, hi: usize) -> (Negation, f32) {
    let mut neg = Negation::default();
    let mut modal = 1.0f32;
    let mut i = lo;
    while i < hi {
        if ctx.in_mention(i) {
            i += 1;
            continue;
        }
        let w = ctx.word(i);
        if let Some((len, cue)) = longest(&lex.negations, &ctx.words, i) {
            neg.count += 1;
            neg.hedge |= cue.weight < 1.0;
            i += len;
            continue;
        }
        if w.ends_with("n't") {
            neg.count += 1;
            i += 1;
            continue;
        }
        if let Some((len, c)) = longest(&lex.modals, &ctx.words, i) {
            modal *= c.weight;
            i += len;
            continue;
        }
        i += 1;
    }
    (neg, modal)
}

fn longest<'a>(cues: &'a [Cue], words: &[String], i: usize) -> Option<(usize, &'a Cue)> {
    let mut best: Option<(usize, &Cue)> = None;
    for c in cues {
        if let Some(len) = c.match_at(words, i) {
            if best.is_none_or(|(b, _)| len > b) {
                best = Some((len, c));
            }
        }
    }
    best
}

/// Whether the phrase starting at token `start` follows a locative preposition, skipping
/// determiners ("in the Caucasus", "near Gori").
pub(crate) fn is_place_adjunct(ctx: &SentCtx, start: usize) -> bool {
    word_before(ctx, start, DETERMINERS).is_some_and(|(k, w)| {
        is_in(LOCATIVES, w)
            || (is_in(DIRECTIONALS, w)
                // A verb of movement before the preposition, past adverbs like "deeper".
                && word_before(ctx, k, MOTION_ADVERBS).is_some_and(|(_, v)| {
                    MOTION_VERBS.iter().any(|m| super::lexicon::inflects(v, m))
                }))
    })
}

/// The nearest word before token `k` that is not in `skip`, with its index.
fn word_before<'a>(ctx: &'a SentCtx, k: usize, skip: &[&str]) -> Option<(usize, &'a str)> {
    (0..k)
        .rev()
        .map(|j| (j, ctx.word(j)))
        .find(|(_, w)| !is_in(skip, w))
}

/// Polarity under `negations`: a negated support cue is opposition ("refused to back",
/// "did not recognise"), but a negated oppose cue is only the absence of opposition ("refused
/// to condemn" is not support), so it becomes neutral; the record stays, with its cue, as
/// evidence. Under a hedge support becomes neutral too: "Moscow stopped short of recognising
/// Abkhazia" does not say that Moscow opposes Abkhazia.
fn flip(p: Polarity, negations: Negation) -> Polarity {
    if !negations.negated() {
        return p;
    }
    match p {
        Polarity::Support if !negations.hedge => Polarity::Oppose,
        Polarity::Support | Polarity::Oppose | Polarity::Neutral => Polarity::Neutral,
    }
}

/// Whether the tokens `a..b` may separate a subject from its cue.
fn gap_ok(ctx: &SentCtx, lex: &Lexicon, a: usize, b: usize, noun_cue: bool) -> bool {
    if b < a || b - a > MAX_SUBJECT_GAP {
        return false;
    }
    let mut i = a;
    while i < b {
        let w = ctx.word(i);
        // An appositive or parenthetical between commas: ", the leader of Abkhazia,".
        if w == "," {
            if let Some(close) = (i + 1..b).find(|&k| ctx.word(k) == ",") {
                if close - i <= 8 && (i + 1..close).all(|k| !is_in(CLAUSE_BREAK, ctx.word(k))) {
                    i = close + 1;
                    continue;
                }
            } else if i == a && matches!(ctx.word(i + 1), "which" | "who") {
                // A non-restrictive relative on the subject: "Spain, which has never
                // recognised Kosovo".
                i += 2;
                continue;
            }
            i += 1;
            continue;
        }
        // Negation and modal phrases ("stopped short of", "expected to") are skipped whole.
        if let Some((len, _)) =
            longest(&lex.negations, &ctx.words, i).or_else(|| longest(&lex.modals, &ctx.words, i))
        {
            i += len;
            continue;
        }
        let ok = is_aux(w)
            || (w.ends_with("ly") && w.len() > 3)
            || w.ends_with("n't")
            // a catenative verb: "vowed to", "agreed to", "moved to".
            || ctx.word(i + 1) == "to"
            // "went on to", "set out to".
            || (ctx.word(i + 2) == "to" && matches!(ctx.word(i + 1), "on" | "out" | "ahead"))
            || (noun_cue
                && (is_in(DETERMINERS, w) || w.chars().all(|c| c.is_alphabetic()) && !is_in(PREPOSITIONS, w)));
        if !ok {
            return false;
        }
        i += 1;
    }
    true
}

/// Nouns that make "<noun> of X" stand for X as an object ("the people of Moldova").
const PEOPLE_NOUNS: &[&str] = &[
    "people",
    "citizens",
    "population",
    "government",
    "leadership",
    "leaders",
    "authorities",
];

/// Nouns for the people who speak and act for a body: "leaders of ECOWAS welcomed" is ECOWAS
/// acting.
const MEMBER_NOUNS: &[&str] = &[
    "leaders",
    "leader",
    "officials",
    "members",
    "representatives",
    "delegates",
    "envoys",
    "ministers",
    "head",
    "chief",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "government",
    "president",
    "board",
    "management",
];

/// True when the mention starting at `start` follows "<member noun> of (the)".
fn members_of(ctx: &SentCtx, start: usize) -> bool {
    word_before(ctx, start, &["the"])
        .is_some_and(|(k, w)| w == "of" && k > 0 && is_in(MEMBER_NOUNS, ctx.word(k - 1)))
}

/// True when the mention starting at `start` sits in a prepositional phrase.
fn in_pp(ctx: &SentCtx, start: usize) -> bool {
    let mut k = start;
    for _ in 0..4 {
        let Some(p) = k.checked_sub(1) else {
            return false;
        };
        let w = ctx.word(p);
        if is_in(PREPOSITIONS, w) || is_in(LOCATIVES, w) {
            return true;
        }
        let capital = ctx.caps.get(p).copied().unwrap_or(false);
        // An adjective after a determiner: "in the occupied West Bank".
        let adjective = p > 0
            && is_in(DETERMINERS, ctx.word(p - 1))
            && w.chars().all(|c| c.is_alphabetic() && c.is_lowercase());
        if is_in(DETERMINERS, w) || capital || adjective || w.chars().all(|c| c.is_ascii_digit()) {
            k = p;
            continue;
        }
        return false;
    }
    false
}

/// The source of a cue at token `i`: the nearest actor mention before it whose gap is
/// verb-group material, or the quote's speaker for a first-person subject.
fn subject_before(
    ctx: &SentCtx,
    lex: &Lexicon,
    i: usize,
    noun_cue: bool,
) -> Option<(usize, usize)> {
    subject_before_how(ctx, lex, i, noun_cue).map(|(a, e, _)| (a, e))
}

/// [`subject_before`], and whether the subject was taken from an earlier clause (a
/// coordinated verb phrase or an adjunct: "… and later accused", "after signing").
fn subject_before_how(
    ctx: &SentCtx,
    lex: &Lexicon,
    i: usize,
    noun_cue: bool,
) -> Option<(usize, usize, bool)> {
    // Coordinated verb phrase: "X dispatched Rice ... and urged Russia": take the clause's
    // first subject.
    let mut j = i;
    while j > 0
        && (ctx.word(j - 1).ends_with("ly")
            || is_in(&["also", "then", "later", "subsequently"], ctx.word(j - 1)))
    {
        j -= 1;
    }
    // "praised X but criticised Y", "hailed X, lambasted Y", "blockaded roads, denouncing Y".
    let coordinated = j > 0 && matches!(ctx.word(j - 1), "and" | "but" | ",");
    for m in ctx.mentions.iter().rev() {
        if m.end > i {
            continue;
        }
        // A first-person subject inside a quote is the speaker.
        let first_person = (m.start..m.end).any(|k| is_in(FIRST_PERSON, ctx.word(k)));
        if in_pp(ctx, m.start) && !first_person && !members_of(ctx, m.start) {
            continue;
        }
        let poss = ctx.word(m.end) == "'s";
        // "Russian troops attacked", "Russia's foreign ministry condemned": the head noun
        // stands for the actor; "Georgia's breakaway provinces signed" does not.
        let gap_start = match ctx.proxy_head_end(m.start, m.end) {
            Some(Some(head_end)) if head_end <= i => head_end,
            Some(_) if poss && noun_cue => m.end + 1,
            Some(_) if poss => continue,
            _ => m.end,
        };
        if gap_ok(ctx, lex, gap_start, i, noun_cue) {
            if first_person {
                if let Some(sp) = ctx.speaker_at(i) {
                    return Some((sp, m.end, false));
                }
            }
            return Some((m.actor, m.end, false));
        }
    }
    // Unresolved "we"/"I" inside a quote: the speaker.
    if let Some(sp) = ctx.speaker_at(i) {
        let lo = i.saturating_sub(MAX_SUBJECT_GAP);
        for k in (lo..i).rev() {
            if is_in(FIRST_PERSON, ctx.word(k)) && gap_ok(ctx, lex, k + 1, i, noun_cue) {
                return Some((sp, k + 1, false));
            }
        }
    }
    // "X dispatched Rice ... and urged Russia", "Moscow agreed ... after recognising".
    let adjunct = j > 0
        && is_in(
            &["after", "before", "by", "while", "since", "when"],
            ctx.word(j - 1),
        )
        && ctx.word(i).ends_with("ing");
    if coordinated || adjunct {
        return clause_subject(ctx, j.saturating_sub(1)).map(|(a, e)| (a, e, true));
    }
    None
}

/// Verbs that ask someone else to act: "urged X to", "called on X to".
const URGE_VERBS: &[&str] = &[
    "urge",
    "urged",
    "urges",
    "urging",
    "press",
    "pressed",
    "presses",
    "pressing",
    "encourage",
    "encouraged",
    "encourages",
    "encouraging",
    "ask",
    "asked",
    "asks",
    "asking",
    "push",
    "pushed",
    "pushes",
    "pushing",
    "persuade",
    "persuaded",
    "persuades",
];

/// When the subject found for the cue at `cue` (its mention ends at `src_end`) is the object
/// of an urging verb, "urged the Kremlin to recognise", "called on Moscow to": the index of
/// that verb.
fn urged_actor(ctx: &SentCtx, src_end: usize, cue: usize) -> Option<usize> {
    let k = after_adverbs(ctx, src_end);
    if !(ctx.word(k) == "to" && k + 1 == cue) {
        return None;
    }
    let start = ctx.mentions.iter().find(|m| m.end == src_end)?.start;
    let mut b = start.checked_sub(1)?;
    if ctx.word(b) == "the" {
        b = b.checked_sub(1)?;
    }
    if is_in(URGE_VERBS, ctx.word(b)) {
        return Some(b);
    }
    (matches!(ctx.word(b), "on" | "upon")
        && b > 0
        && matches!(ctx.word(b - 1), "call" | "called" | "calls" | "calling"))
    .then(|| b - 1)
}

/// Words that, after a comma, open a clause whose subject is not the main clause's
/// (", where Vucic greeted him"); a restrictive "that" clause stays inside its noun phrase.
const SUBORDINATORS: &[&str] = &["where", "when", "who", "which", "whom", "whose"];

/// Irregular past tenses that can follow a clause's subject ("Ramos said", "Vucic met").
const IRREGULAR_PAST: &[&str] = &[
    "said", "met", "told", "made", "took", "gave", "held", "left", "sent", "won", "lost", "led",
    "put", "set", "cut", "hit", "saw", "went", "came", "spoke", "wrote", "struck", "sought",
    "brought", "fought", "kept", "paid", "rose", "fell", "drew", "broke", "chose", "spent",
    "stood", "sold", "flew", "threw", "shook", "ran", "withdrew", "upheld", "overtook",
];

/// Actors coordinated before the subject mention that starts at token `start`: "Nigeria and
/// Ghana", "Peru, Chile and Bolivia", "Medvedev and Georgian President Mikheil Saakashvili"
/// (up to three capitalised title words and a "the" are skipped). A list needs "and"/"nor"
/// before its last conjunct, so an appositive comma ("Agrivia's chief, Kenji Oda, …") links
/// nothing; conjuncts inside a prepositional phrase ("talks between X and Y") are not
/// subjects.
fn coordinated_before(ctx: &SentCtx, start: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut oxford = false;
    let mut k = start;
    loop {
        let mut j = k;
        while j > 0 && k - j < 3 && ctx.caps.get(j - 1).copied().unwrap_or(false) {
            j -= 1;
        }
        if j > 0 && ctx.word(j - 1) == "the" {
            j -= 1;
        }
        let Some(conj) = j.checked_sub(1) else { break };
        let link = ctx.word(conj);
        let first = out.is_empty();
        let ok = if first {
            matches!(link, "and" | "nor")
        } else {
            link == ","
        };
        if !ok {
            break;
        }
        // Oxford comma: "Peru, Chile, and Bolivia".
        let oxford_here = first && conj > 0 && ctx.word(conj - 1) == ",";
        oxford |= oxford_here;
        let end = if oxford_here { conj - 1 } else { conj };
        // "Colombia's government and the ELN": a proxy head stands for its actor.
        let Some(m) = ctx
            .mentions
            .iter()
            .find(|m| m.end == end || ctx.proxy_head_end(m.start, m.end) == Some(Some(end)))
        else {
            break;
        };
        if in_pp(ctx, m.start) || out.len() >= 5 {
            break;
        }
        // "Germany condemned Russia and Italy criticised Iran": a conjunct right after a verb
        // is that verb's object, not part of the subject; but a speech verb's complement has
        // its own subject ("said the ADB and IACO could").
        if word_before(ctx, m.start, &["the"])
            .is_some_and(|(b, w)| finite_verb_at(ctx, b) && !is_in(SPEECH_VERBS, w))
        {
            break;
        }
        out.push(m.actor);
        k = m.start;
    }
    // ", and" before a single other mention joins two clauses, not a list: "Russia invaded
    // Ukraine, and Italy condemned Moscow" (a list needs a comma-linked conjunct before it).
    if oxford && out.len() < 2 {
        out.clear();
    }
    out
}

/// Every conjunct of the subject `source` whose mention ends at `src_end` ("Nigeria and Ghana
/// condemned …"), `source` first, and the token where that mention starts (`src_end` when the
/// source is no mention, e.g. a quote's speaker behind "we").
fn subject_conjuncts(ctx: &SentCtx, source: usize, src_end: usize) -> (Vec<usize>, usize) {
    let src_start = ctx
        .mentions
        .iter()
        .find(|m| m.end == src_end)
        .map_or(src_end, |m| m.start);
    let mut sources = vec![source];
    if src_start < src_end {
        sources.extend(coordinated_before(ctx, src_start));
    }
    (sources, src_start)
}

/// Index of the first token from `k` on that is not an adverb in -ly outside a mention
/// ("stand firmly with", "drew criticism mainly from").
fn after_adverbs(ctx: &SentCtx, mut k: usize) -> usize {
    while ctx.word(k).ends_with("ly") && !ctx.in_mention(k) {
        k += 1;
    }
    k
}

/// The subject of the clause that ends before token `before`: the clause's first actor
/// mention not in a prepositional phrase, not a modifier, and followed by verb-like material.
/// The first, not the nearest: in "Vucic met EU envoy Anna Lindqvist in Belgrade and later
/// accused Kosovo" the later mentions are objects and adjuncts of the first verb.
fn clause_subject(ctx: &SentCtx, before: usize) -> Option<(usize, usize)> {
    // Where the clause starts: the last clause break before `before`, or ", where …" and
    // "said that …", whose clause has its own subject ("arrived in Belgrade, where Vucic
    // greeted"), or a speech verb with its complement ("IBM said the group combines sales,
    // service and support …": a later verb belongs to the reported clause).
    let opens_clause = |k: usize| {
        k > 0
            && ((is_in(SUBORDINATORS, ctx.word(k)) && ctx.word(k - 1) == ",")
                || (ctx.word(k) == "that"
                    && (looks_verbal(ctx.word(k - 1)) || is_in(SPEECH_VERBS, ctx.word(k - 1)))))
    };
    let reported = |k: usize| is_in(SPEECH_VERBS, ctx.word(k)) && k + 1 < before;
    let boundary = (0..before)
        .rev()
        .find(|&k| is_in(CLAUSE_BREAK, ctx.word(k)) || opens_clause(k) || reported(k));
    let mut found = None;
    for m in ctx.mentions.iter().rev() {
        if m.end > before {
            continue;
        }
        if boundary.is_some_and(|b| b >= m.end) {
            break;
        }
        if in_pp(ctx, m.start) || ctx.proxy_head(m.start, m.end).is_some() {
            continue;
        }
        // Past an appositive's closing comma: "the farmers' union, FNSEA, blockaded".
        let after = if ctx.word(m.end) == "," {
            m.end + 1
        } else {
            m.end
        };
        let next = ctx.word(after);
        let verbish = (is_aux(next) && next != "to" && next != ",")
            || is_in(IRREGULAR_PAST, next)
            || (next.len() > 3
                && (next.ends_with("ed") || next.ends_with('s'))
                && next.chars().all(char::is_alphabetic));
        if verbish {
            found = Some((m.actor, m.end));
        }
    }
    found
}

/// Targets starting in `p..p + window` (plus those coordinated with the first), stopping at a
/// clause break.
fn targets_after(ctx: &SentCtx, cands: &[Cand], p: usize, window: usize) -> Vec<Cand> {
    let mut out: Vec<Cand> = Vec::new();
    let mut limit = p + window;
    let mut k = p;
    while k < limit && k < ctx.words.len() {
        // "stand with the people of Moldova": the object's people or government stand for it.
        if is_in(PEOPLE_NOUNS, ctx.word(k)) && ctx.word(k + 1) == "of" {
            limit += 2;
            k += 2;
            continue;
        }
        // A clause break ends the object; so does a filled object slot ("guarantee them") or
        // a place adjunct ("… them both in the Caucasus"): what follows is not the object.
        if is_in(CLAUSE_BREAK, ctx.word(k))
            || is_in(OBJECT_PRONOUNS, ctx.word(k))
            || is_in(LOCATIVES, ctx.word(k))
        {
            break;
        }
        // "rejected the plan, and Italy criticised …": a comma and a conjunction after the
        // object start a new clause.
        if ctx.word(k) == ","
            && matches!(
                ctx.word(k + 1),
                "and" | "or" | "yet" | "so" | "which" | "who" | "whom" | "whose" | "where"
            )
        {
            // … and ", which the Foreign Office says …": a relative clause's mentions are
            // not the object either.
            break;
        }
        // "Georgia's bid to join NATO was opposed by Russia": a finite verb starts another
        // predicate, whose objects are not this cue's; but an -ed verb followed by "by" is a
        // reduced relative inside the object ("a budget proposed by Verhofstadt").
        if k > p && finite_verb_at(ctx, k) && ctx.word(k + 1) != "by" {
            break;
        }
        if let Some(mut c) = cands.iter().find(|c| c.start == k) {
            // "will veto the legislation and Congress is not expected to …": a mention after a
            // conjunction and before a finite verb is the next clause's subject.
            if k > p
                && matches!(ctx.word(k - 1), "and" | "or" | "but")
                && finite_verb_at(ctx, c.end)
            {
                break;
            }
            if matches!(c.target, StanceTarget::Actor(_)) {
                let head = ctx.proxy_head(c.start, c.end);
                // "Chinese chipmaker Huaxin", "Green Party candidate Miriam Hoffmann": the
                // mention modifies a noun in apposition to a name, which is the object.
                if let Some(named) = named_head_after(ctx, cands, c.end) {
                    if head != Some(true) {
                        c = named;
                    }
                } else if head == Some(false) {
                    // "ties with Georgia's breakaway provinces": the object is not the actor.
                    break;
                }
            }
            out.push(c.clone());
            // Coordinated: "Russia and Georgia", "the US, the EU and NATO". A list needs a
            // conjunction before its last conjunct: in "praised Georgia, Saakashvili said" the
            // comma links nothing.
            let mut closed = out.len();
            let mut end = c.end;
            loop {
                let mut q = end;
                let mut conj = false;
                let mut comma_conj = false;
                loop {
                    if matches!(ctx.word(q), "," | "and" | "or" | "the") {
                        comma_conj |=
                            matches!(ctx.word(q), "and" | "or") && q > 0 && ctx.word(q - 1) == ",";
                        conj |= matches!(ctx.word(q), "and" | "or");
                        q += 1;
                    } else if ctx.word(q) == "as"
                        && ctx.word(q + 1) == "well"
                        && ctx.word(q + 2) == "as"
                    {
                        // "Russia as well as Georgia"; a lone "as" links nothing.
                        conj = true;
                        q += 3;
                    } else {
                        break;
                    }
                }
                // ", and" after a single object joins clauses ("invaded Ukraine, and Italy,
                // which …, condemned"); a list with a serial comma has three members or more.
                if q == end || (comma_conj && out.len() == 1) {
                    break;
                }
                match cands.iter().find(|c2| c2.start == q) {
                    // "condemned Russia, and Italy criticised Germany": a conjunct followed by
                    // a finite verb is the subject of a new clause.
                    Some(c2) if finite_verb_at(ctx, c2.end) => break,
                    Some(c2) if out.len() < 6 => {
                        out.push(c2.clone());
                        end = c2.end;
                        if conj {
                            closed = out.len();
                        }
                    }
                    _ => break,
                }
            }
            // "against Dixons, Cyclops and others": the list is closed by "and others".
            if matches!(ctx.word(end), "and" | "or")
                && matches!(ctx.word(end + 1), "others" | "other")
            {
                closed = out.len();
            }
            out.truncate(closed);
            if out.len() == 1 {
                if let Some(t) = complement_topic(ctx, cands, &out[0]) {
                    out.push(t);
                }
            }
            break;
        }
        k += 1;
    }
    out
}

/// Nouns whose complement names what an actor proposes or seeks: "an EU proposal for a
/// ceasefire", "Moldova's bid to join NATO".
const PROPOSAL_HEADS: &[&str] = &[
    "proposal",
    "proposals",
    "plan",
    "plans",
    "bid",
    "offer",
    "call",
    "calls",
    "push",
    "demand",
    "demands",
    "application",
    "request",
    "initiative",
    "draft",
];

/// A topic in the complement of an actor's proposal noun ("rejected a European Union proposal
/// for a 30-day ceasefire", "ratified Moldova's bid to join NATO"): the stance is toward the
/// topic as well as the actor.
fn complement_topic(ctx: &SentCtx, cands: &[Cand], obj: &Cand) -> Option<Cand> {
    if !matches!(obj.target, StanceTarget::Actor(_)) {
        return None;
    }
    let mut h = obj.end;
    if ctx.word(h) == "'s" {
        h += 1;
    }
    if !is_in(PROPOSAL_HEADS, ctx.word(h)) || !matches!(ctx.word(h + 1), "for" | "of" | "to" | "on")
    {
        return None;
    }
    let from = h + 2;
    let topic = cands.iter().find(|c| {
        matches!(c.target, StanceTarget::Topic(_)) && c.start >= from && c.start <= from + 3
    })?;
    let clean = (from..topic.start).all(|k| {
        !is_in(CLAUSE_BREAK, ctx.word(k)) && ctx.word(k) != "," && !finite_verb_at(ctx, k)
    });
    clean.then(|| topic.clone())
}

/// Words that end a noun phrase: conjunctions, relative words, adverbs of time and degree
/// ("Turkey unless Ankara …" is no apposition; weekdays are caught by `is_aux`).
const LINK_BREAKERS: &[&str] = &[
    "and",
    "or",
    "not",
    "to",
    "as",
    "which",
    "who",
    "whose",
    "that",
    "if",
    "unless",
    "until",
    "after",
    "before",
    "since",
    "when",
    "once",
    "whether",
    "than",
    "then",
    "so",
    "yet",
    "also",
    "even",
    "only",
    "just",
    "still",
    "already",
    "now",
    "later",
    "today",
    "yesterday",
    "tomorrow",
    "again",
    "instead",
    "too",
    "ever",
    "last",
    "next",
];

/// Auxiliaries of a passive verb, and "also" between them: "was welcomed", "has been
/// rejected", "will also be signed".
const PASSIVE_AUX: &[&str] = &[
    "was", "were", "is", "are", "be", "been", "being", "has", "have", "had", "will", "would",
    "also",
];

/// Whether the word at `k` is a finite verb that can open a predicate: an auxiliary, a
/// speech verb, an irregular past or a regular past in -ed ("Italy criticised", "Iran has").
fn finite_verb_at(ctx: &SentCtx, k: usize) -> bool {
    const FINITE_AUX: &[&str] = &[
        "has", "have", "had", "is", "was", "were", "are", "will", "would", "shall", "should",
        "may", "might", "can", "could", "must", "does", "did", "wo", "ca",
    ];
    // "the United States", "Allied forces": a capitalised word or a mention is a name.
    if ctx.caps.get(k).copied().unwrap_or(false) || ctx.in_mention(k) {
        return false;
    }
    let w = ctx.word(k);
    // "the renewed ceasefire", "its disputed claim": after a determiner an -ed word is an
    // adjective.
    let adjective = k > 0 && is_in(DETERMINERS, ctx.word(k - 1));
    is_in(FINITE_AUX, w)
        || is_in(SPEECH_VERBS, w)
        || is_in(IRREGULAR_PAST, w)
        || (w.len() > 3 && !adjective && w.ends_with("ed") && w.chars().all(char::is_alphabetic))
}

/// Verb-like endings ("Wood believes Wales …", "a suit charging ADM"): an apposition's noun
/// is nearly always singular ("rival", "chipmaker", "successor"), so plural-looking words are
/// rejected too ("boss", "Tunis", "bonus" keep their final s).
fn looks_verbal(w: &str) -> bool {
    w.ends_with("ed")
        || w.ends_with("ing")
        || (w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is"))
}

/// A name right after a modifier mention that ends at `end` and one to three noun words:
/// "[Chinese] chipmaker Huaxin", "[Green Party] candidate Miriam Hoffmann", "[NATO] allies
/// Poland". Function words, verbs' auxiliaries and punctuation in between link nothing.
fn named_head_after<'a>(ctx: &SentCtx, cands: &'a [Cand], end: usize) -> Option<&'a Cand> {
    for n in 1..=3 {
        let w = ctx.word(end + n - 1);
        let noun_like = !w.is_empty()
            && w.chars().all(char::is_alphabetic)
            && !is_in(PREPOSITIONS, w)
            && !is_in(LOCATIVES, w)
            && !is_in(CLAUSE_BREAK, w)
            && !is_in(DETERMINERS, w)
            && !is_in(OBJECT_PRONOUNS, w)
            && !is_aux(w)
            && !is_in(SPEECH_VERBS, w)
            && !is_in(LINK_BREAKERS, w)
            && !looks_verbal(w)
            && !ctx.in_mention(end + n - 1);
        if !noun_like {
            return None;
        }
        let at = end + n;
        let named = ctx
            .mentions
            .iter()
            .any(|m| m.start == at && matches!(m.kind, MentionKind::Name | MentionKind::Alias));
        if named {
            return cands
                .iter()
                .find(|c| c.start == at && matches!(c.target, StanceTarget::Actor(_)));
        }
    }
    None
}

fn push(
    out: &mut Vec<Found>,
    source: usize,
    target: &StanceTarget,
    pol: Polarity,
    score: f32,
    cue: String,
    method: &str,
) {
    if let StanceTarget::Actor(t) = target {
        if *t == source {
            return;
        }
    }
    out.push(Found {
        source,
        target: target.clone(),
        polarity: pol,
        score: score.clamp(0.0, 1.0),
        cue,
        method: method.to_string(),
    });
}

fn verb_rules(
    ctx: &SentCtx,
    lex: &Lexicon,
    index: &CueIndex,
    cands: &[Cand],
    window: usize,
    out: &mut Vec<Found>,
) {
    for i in 0..ctx.words.len() {
        if ctx.in_mention(i) {
            continue;
        }
        for cue in index.at(&lex.cues, ctx.word(i)) {
            let (
                Pattern::Verb {
                    words,
                    gap,
                    topic_only,
                },
                CueKind::Stance(pol),
            ) = (&cue.pattern, cue.kind)
            else {
                continue;
            };
            let Some((len, form)) = cue.match_form(&ctx.words, i) else {
                continue;
            };
            let cue_name = cue.form_name(form);
            let after = i + len;
            let noun_cue = words.first().is_some_and(|w| w == "of");
            // Passive: "condemned by the United States", "criticism from the West".
            let mut p = after;
            while ctx.word(p).ends_with("ly") {
                p += 1;
            }
            if matches!(ctx.word(p), "by" | "from") && words.is_empty() {
                let sources = targets_after(ctx, cands, p + 1, 3);
                // A reduced relative names its target right before the cue: "the ceasefire
                // proposed by France", "the sanctions plan drafted by the EU".
                let mut b = i;
                while b > 0 && ctx.word(b - 1).ends_with("ly") {
                    b -= 1;
                }
                // A topic as the passive subject: "the ceasefire was welcomed by Italy"
                // (actor subjects are found by `subject_before` below).
                let mut be = b;
                while be > 0 && is_in(PASSIVE_AUX, ctx.word(be - 1)) {
                    be -= 1;
                }
                let reduced = cands
                    .iter()
                    .find(|c| c.end == b && c.start < b)
                    .or_else(|| {
                        cands.iter().find(|c| {
                            be < b && c.end == be && matches!(c.target, StanceTarget::Topic(_))
                        })
                    })
                    .filter(|c| !topic_only || matches!(c.target, StanceTarget::Topic(_)));
                let (target, tgt_end) = match (topic_only, reduced) {
                    (_, Some(c)) => (c.target.clone(), c.end),
                    (true, None) => continue,
                    (false, None) => match subject_before(ctx, lex, i, noun_cue) {
                        Some((a, end)) => (StanceTarget::Actor(a), end),
                        None => continue,
                    },
                };
                let (neg, modal) = scope(ctx, lex, tgt_end, i);
                for s in sources {
                    if let StanceTarget::Actor(src) = s.target {
                        push(
                            out,
                            src,
                            &target,
                            flip(pol, neg),
                            negated_weight(cue.weight, neg) * modal,
                            cue_name.clone(),
                            "verb-passive",
                        );
                    }
                }
                continue;
            }
            // Literal words after the cue, with an optional short gap before them; adverbs
            // never count as the gap ("stand firmly with").
            let mut q = after;
            if !words.is_empty() {
                let max_skip = if *gap { MAX_GAP } else { 0 };
                let base = after_adverbs(ctx, after);
                let mut found = None;
                for skip in 0..=max_skip {
                    let at = base + skip;
                    if words.iter().enumerate().all(|(k, w)| ctx.word(at + k) == w) {
                        found = Some(at + words.len());
                        break;
                    }
                    if is_in(CLAUSE_BREAK, ctx.word(at)) || ctx.in_mention(at) {
                        break;
                    }
                }
                let Some(f) = found else {
                    // "Nigeria and Ghana signed a pact": no "with", a coordinated subject.
                    reciprocal::reciprocal(ctx, lex, i, after, cue, &cue_name, out);
                    continue;
                };
                q = f;
            }
            if reciprocal::each_other(ctx, lex, i, after_adverbs(ctx, q), cue, &cue_name, out) {
                continue;
            }
            let Some((source, src_end, earlier_clause)) = subject_before_how(ctx, lex, i, noun_cue)
            else {
                continue;
            };
            // A subject carried over from an earlier clause is a guess; weak cues (let, visit,
            // meet, talk) read through it were mostly wrong on the news corpus ("…, allowing
            // Ferrero to take the set", "after meeting with Suharto").
            if earlier_clause && cue.weight < MIN_CARRIED_WEIGHT {
                continue;
            }
            // "the South African sanctions bill": a demonym right before the cue word makes
            // it a noun, not a verb with that subject.
            let bare_demonym = src_end == i
                && ctx.mentions.iter().any(|m| {
                    m.end == i
                        && m.kind == MentionKind::Demonym
                        && !is_in(PROXY_HEADS, ctx.word(m.end - 1))
                });
            if bare_demonym {
                continue;
            }
            // "urged the Kremlin to recognise X": whoever urges takes the stance, not the
            // actor being urged (who has not acted yet).
            let (source, src_end) = match urged_actor(ctx, src_end, i) {
                Some(urge) => match subject_before(ctx, lex, urge, false) {
                    Some(s) => s,
                    None => continue,
                },
                None => (source, src_end),
            };
            // A passive with words before its agent ("was ousted as leader by Howard", "were
            // expelled from the party"): the subject is acted upon, so the active reading
            // would turn the record around.
            let passive = (src_end..i).any(|k| {
                matches!(
                    ctx.word(k),
                    "was" | "were" | "is" | "are" | "been" | "being" | "be"
                )
            }) && ctx.word(i).ends_with("ed");
            if passive {
                // "was condemned on Monday by the UN": read the agent as the source.
                if words.is_empty() && !topic_only {
                    let by = (after..(after + MAX_AGENT_GAP).min(ctx.words.len()))
                        .take_while(|&k| !is_in(CLAUSE_BREAK, ctx.word(k)))
                        .find(|&k| ctx.word(k) == "by");
                    let (neg, modal) = scope(ctx, lex, src_end, i);
                    for s in by.map_or(Vec::new(), |b| targets_after(ctx, cands, b + 1, 3)) {
                        if let StanceTarget::Actor(agent) = s.target {
                            push(
                                out,
                                agent,
                                &StanceTarget::Actor(source),
                                flip(pol, neg),
                                negated_weight(cue.weight, neg) * modal,
                                cue_name.clone(),
                                "verb-passive",
                            );
                        }
                    }
                }
                continue;
            }
            let mut targets =
                targets_after(ctx, cands, q, if words.is_empty() { window } else { 3 });
            // A topic phrase around the cue ("Abkhazia, which Russia recognised as independent").
            if targets.is_empty() {
                targets.extend(
                    cands
                        .iter()
                        .filter(|c| {
                            matches!(c.target, StanceTarget::Topic(_)) && c.start < i && i < c.end
                        })
                        .cloned(),
                );
            }
            if *topic_only {
                targets.retain(|t| matches!(t.target, StanceTarget::Topic(_)));
            }
            let (mut neg, modal) = scope(ctx, lex, src_end.min(i), i);
            let (sources, src_start) = subject_conjuncts(ctx, source, src_end);
            // "Neither Armenia nor Azerbaijan has accepted": the negation precedes the subject.
            if src_start > 0 && matches!(ctx.word(src_start - 1), "nor" | "neither") {
                neg.count += 1;
            }
            let frame = frame_negated(ctx, lex, src_end, i);
            let score = negated_weight(cue.weight, neg)
                * modal
                * if frame { FRAME_NEGATED_FACTOR } else { 1.0 };
            let speech = ctx.speaker_at(i);
            let method = if speech == Some(source) {
                "quote-verb"
            } else {
                "verb"
            };
            // A cue inside reported speech takes its target inside that speech: in "…came
            // under heavy Georgian shelling during the war, the ministry said" the ministry is
            // who speaks, not who was shelled.
            for t in targets
                .iter()
                .filter(|t| speech.is_none() || ctx.speaker_at(t.start) == speech)
            {
                for &src in &sources {
                    push(
                        out,
                        src,
                        &t.target,
                        flip(pol, neg),
                        score,
                        cue_name.clone(),
                        method,
                    );
                }
            }
        }
    }
}

/// Base score of a cue after negation.
fn negated_weight(w: f32, negations: Negation) -> f32 {
    if negations.negated() {
        w.max(NEGATED_FLOOR) * NEGATED_FACTOR
    } else {
        w
    }
}

/// "did not say Russia would recognise": a negated speech verb just before the subject.
fn frame_negated(ctx: &SentCtx, lex: &Lexicon, src_end: usize, _cue: usize) -> bool {
    let Some(m) = ctx.mentions.iter().find(|m| m.end == src_end) else {
        return false;
    };
    let lo = m.start.saturating_sub(5);
    let speech = (lo..m.start).any(|k| {
        matches!(
            ctx.word(k),
            "say" | "said" | "confirm" | "announce" | "state" | "indicate"
        )
    });
    speech && scope(ctx, lex, lo, m.start).0.negated()
}

fn compound_rules(ctx: &SentCtx, lex: &Lexicon, cands: &[Cand], out: &mut Vec<Found>) {
    for (i, w) in ctx.words.iter().enumerate() {
        let Some(dash) = w.rfind('-') else { continue };
        let suffix = w.get(dash + 1..).unwrap_or("").to_string();
        if suffix.is_empty() {
            continue;
        }
        let Some(src) = ctx.mentions.iter().find(|m| m.start <= i && i < m.end) else {
            continue;
        };
        for cue in &lex.cues {
            let (Pattern::Compound, CueKind::Stance(pol)) = (&cue.pattern, cue.kind) else {
                continue;
            };
            if cue.match_at(std::slice::from_ref(&suffix), 0).is_none() {
                continue;
            }
            // "Russia-backed rebel regions": the target follows within a few words.
            if let Some(t) = cands.iter().find(|c| {
                c.start > i
                    && c.start <= i + 4
                    && !matches!(c.target, StanceTarget::Actor(a) if a == src.actor)
            }) {
                let gap_clean = (i + 1..t.start).all(|k| !is_in(CLAUSE_BREAK, ctx.word(k)));
                if gap_clean {
                    push(
                        out,
                        src.actor,
                        &t.target,
                        pol,
                        cue.weight,
                        suffix.clone(),
                        "compound",
                    );
                }
            }
        }
    }
}

/// Verbs that label their object: "called Beijing a true friend", "branded Russia an
/// aggressor", "described NATO as a threat".
const LABEL_VERBS: &[&str] = &[
    "call",
    "calls",
    "called",
    "calling",
    "brand",
    "brands",
    "branded",
    "branding",
    "label",
    "labels",
    "labelled",
    "labeled",
    "labelling",
    "labeling",
    "describe",
    "describes",
    "described",
    "describing",
    "dub",
    "dubs",
    "dubbed",
    "dubbing",
];
/// Smallest net lexicon valence of a label for a record ("a true and reliable friend": +6.1).
const LABEL_MIN_VALENCE: f64 = 1.5;
/// Base score of a label record.
const LABEL_WEIGHT: f32 = 0.6;

/// "X called Y a Z": the stance is the net prior polarity (VADER lexicon, negation-flipped
/// within the label) of the label's words, up to 6 of them, before a clause break or comma.
fn label_rules(ctx: &SentCtx, lex: &Lexicon, cands: &[Cand], out: &mut Vec<Found>) {
    use crate::stance::classifier::sentiment_lexicon::valence;
    for i in 0..ctx.words.len() {
        if !is_in(LABEL_VERBS, ctx.word(i)) || ctx.in_mention(i) {
            continue;
        }
        let start = if ctx.word(i + 1) == "the" {
            i + 2
        } else {
            i + 1
        };
        let Some(t) = cands.iter().find(|c| c.start == start) else {
            continue;
        };
        // The object's own head: "called Russia's actions a violation".
        let mut k = t.end;
        if let Some(Some(head_end)) = ctx.proxy_head_end(t.start, t.end) {
            k = head_end;
        }
        if ctx.word(k) == "as" {
            k += 1;
        }
        if !matches!(ctx.word(k), "a" | "an") {
            continue;
        }
        let mut net = 0.0;
        let mut best: Option<(f64, usize)> = None;
        let mut negated = false;
        for j in k + 1..(k + 7).min(ctx.words.len()) {
            let w = ctx.word(j);
            if is_in(CLAUSE_BREAK, w) || w == "," || ctx.in_mention(j) {
                break;
            }
            if matches!(w, "not" | "no" | "never") {
                negated = true;
                continue;
            }
            if let Some(v) = valence(w) {
                let v = if negated { -v } else { v };
                net += v;
                if best.is_none_or(|(b, _)| v.abs() > b.abs()) {
                    best = Some((v, j));
                }
            }
        }
        let Some((_, word_at)) = best else { continue };
        if net.abs() < LABEL_MIN_VALENCE {
            continue;
        }
        let Some((source, src_end)) = subject_before(ctx, lex, i, false) else {
            continue;
        };
        let pol = if net > 0.0 {
            Polarity::Support
        } else {
            Polarity::Oppose
        };
        let (neg, modal) = scope(ctx, lex, src_end.min(i), i);
        push(
            out,
            source,
            &t.target,
            flip(pol, neg),
            negated_weight(LABEL_WEIGHT, neg) * modal,
            format!("{} X a {}", ctx.word(i), ctx.word(word_at)),
            "verb",
        );
    }
}

/// Whether the words from `after_cue` up to `target_start` make another actor the cue's own
/// object: "its partnership with the Kremlin or supporting Georgia" is about the Kremlin, not
/// Georgia. An actor coordinated with that object shares the cue ("our friends in Japan and
/// Germany"), and a possessor before the cue is not its object ("Ukraine's partner").
fn cue_object_is_other(ctx: &SentCtx, after_cue: usize, target_start: usize) -> bool {
    if !is_in(PREPOSITIONS, ctx.word(after_cue)) {
        return false;
    }
    let mut j = after_cue + 1;
    while j < target_start && is_in(DETERMINERS, ctx.word(j)) {
        j += 1;
    }
    if j >= target_start || !ctx.in_mention(j) {
        return false;
    }
    while j < target_start && ctx.in_mention(j) {
        j += 1;
    }
    let coordinated = (j..target_start)
        .all(|x| ctx.in_mention(x) || matches!(ctx.word(x), "and" | "or" | "," | "the"));
    !coordinated
}

fn quote_rules(ctx: &SentCtx, lex: &Lexicon, cands: &[Cand], out: &mut Vec<Found>) {
    for c in cands {
        let Some(speaker) = ctx.speaker_at(c.start) else {
            continue;
        };
        if matches!(c.target, StanceTarget::Actor(a) if a == speaker)
            || (matches!(c.target, StanceTarget::Actor(_))
                && ctx.proxy_head(c.start, c.end) == Some(false))
        {
            continue;
        }
        // Agent: "Georgia's aggression", "Moscow's push into".
        let mut best: Option<(f32, Polarity, String, &str)> = None;
        let mut k = c.end;
        let mut steps = 0;
        while steps < 4 && k < ctx.words.len() && ctx.speaker_at(k) == Some(speaker) {
            if is_in(CLAUSE_BREAK, ctx.word(k)) || is_in(PREPOSITIONS, ctx.word(k)) {
                break;
            }
            for cue in &lex.cues {
                if let (Pattern::Agent, CueKind::Stance(pol)) = (&cue.pattern, cue.kind) {
                    if let Some((_, form)) = cue.match_form(&ctx.words, k) {
                        let (neg, _) = scope(ctx, lex, k.saturating_sub(2), k);
                        let s = cue.weight;
                        if best.as_ref().is_none_or(|b| s > b.0) {
                            best = Some((s, flip(pol, neg), cue.form_name(form), "quote-agent"));
                        }
                    }
                }
            }
            k += 1;
            steps += 1;
        }
        // Words near the target inside the same quote.
        if best.is_none() {
            let lo = c.start.saturating_sub(QUOTE_WINDOW);
            let hi = (c.end + QUOTE_WINDOW).min(ctx.words.len());
            let mut nearest: Option<(usize, f32, Polarity, String)> = None;
            for k in lo..hi {
                if (c.start..c.end).contains(&k)
                    || ctx.speaker_at(k) != Some(speaker)
                    || ctx.in_mention(k)
                {
                    continue;
                }
                for cue in &lex.cues {
                    if let (Pattern::Quote, CueKind::Stance(pol)) = (&cue.pattern, cue.kind) {
                        if let Some((len, form)) = cue.match_form(&ctx.words, k) {
                            let d = if k < c.start {
                                c.start - k
                            } else {
                                k - c.end + 1
                            };
                            // No clause break between cue and target.
                            let (a, b) = if k < c.start {
                                (k, c.start)
                            } else {
                                (c.end, k)
                            };
                            if (a..b).any(|x| is_in(CLAUSE_BREAK, ctx.word(x))) {
                                continue;
                            }
                            // "Russia must keep its word" is about Russia, but "Russia fully
                            // supported" is Russia acting, and "violation of the ceasefire"
                            // makes the ceasefire the victim: neither is the speaker's stance.
                            let target_acts = k >= c.end
                                && gap_ok(ctx, lex, c.end, k, false)
                                && pol == Polarity::Support;
                            let victim =
                                k < c.start && (k + len..c.start).any(|x| ctx.word(x) == "of");
                            // "rolled into Gori in violation": a prepositional phrase separates
                            // the target from a later cue; "aggression in Gori": the target is
                            // a place adjunct of an earlier cue.
                            let across_pp =
                                k >= c.end && (c.end..k).any(|x| is_in(PREPOSITIONS, ctx.word(x)));
                            let place = k < c.start && is_place_adjunct(ctx, c.start);
                            let taken = k < c.start && cue_object_is_other(ctx, k + len, c.start);
                            // A demand ("must withdraw") is on its subject, right before it:
                            // in "Texaco must abide by Texas law" Texas is not the target.
                            let demand = cue
                                .forms
                                .get(form)
                                .and_then(|f| f.first())
                                .is_some_and(|w| w == "must");
                            let not_subject = demand && !(c.end <= k && k <= c.end + 1);
                            if target_acts || victim || across_pp || place || taken || not_subject {
                                continue;
                            }
                            let (neg, _) = scope(ctx, lex, k.saturating_sub(3), k);
                            if nearest.as_ref().is_none_or(|n| d < n.0) {
                                nearest =
                                    Some((d, cue.weight, flip(pol, neg), cue.form_name(form)));
                            }
                        }
                    }
                }
            }
            if let Some((_, w, pol, name)) = nearest {
                best = Some((w, pol, name, "quote-lexicon"));
            }
        }
        if let Some((w, pol, name, method)) = best {
            push(out, speaker, &c.target, pol, w * QUOTE_FACTOR, name, method);
        }
    }
}
