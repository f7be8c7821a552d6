//! Tagger tests on sentences written for them, with actors, mentions and quotes filled in by
//! hand the way the actors and quotes stages would.

use std::path::PathBuf;

use crate::doc::{
    ActorType, ByteSpan, Doc, DocActor, DocId, DocMeta, Mention, MentionKind, Polarity, Quote,
    QuoteKind, Sentence, Source, Stance, StanceTarget,
};

use super::classifier::{tokenize, Classifier, Example, TrainParams};
use super::{StanceConfig, StanceError, StanceTagger, TopicConfig};

/// Actors of the test documents: (surface form, key, type, mention kind).
const ACTORS: &[(&str, &str, ActorType, MentionKind)] = &[
    ("Russia", "russia", ActorType::State, MentionKind::Name),
    ("Russian", "russia", ActorType::State, MentionKind::Demonym),
    // The actors stage takes a role noun into a demonym mention.
    (
        "Russian diplomats",
        "russia",
        ActorType::State,
        MentionKind::Demonym,
    ),
    (
        "Gazprom",
        "gazprom",
        ActorType::Organisation,
        MentionKind::Name,
    ),
    ("Moscow", "russia", ActorType::State, MentionKind::Metonym),
    ("Georgia", "georgia", ActorType::State, MentionKind::Name),
    (
        "Georgian",
        "georgia",
        ActorType::State,
        MentionKind::Demonym,
    ),
    ("France", "france", ActorType::State, MentionKind::Name),
    ("Paris", "france", ActorType::State, MentionKind::Metonym),
    ("Abkhazia", "abkhazia", ActorType::State, MentionKind::Name),
    (
        "Nicaragua",
        "nicaragua",
        ActorType::State,
        MentionKind::Name,
    ),
    ("Gori", "gori", ActorType::Place, MentionKind::Name),
    ("NATO", "nato", ActorType::Organisation, MentionKind::Name),
    ("EU", "eu", ActorType::Organisation, MentionKind::Name),
    (
        "Washington",
        "united states",
        ActorType::State,
        MentionKind::Metonym,
    ),
    (
        "Saakashvili",
        "mikheil saakashvili",
        ActorType::Person,
        MentionKind::Name,
    ),
    (
        "Bagapsh",
        "sergei bagapsh",
        ActorType::Person,
        MentionKind::Name,
    ),
];

/// A document with one sentence per line, tokens, and a mention for every listed surface
/// form; `quotes` gives (quoted text, speaker key) pairs.
fn doc(text: &str, quotes: &[(&str, &str)]) -> Doc {
    let source = Source::plain_text("test");
    let mut d = Doc::new(
        DocId::from_source_key("test"),
        source,
        String::new(),
        DocMeta::default(),
    );
    d.text = text.to_string();
    let mut start = 0;
    for line in text.split('\n') {
        let end = start + line.len();
        let t0 = d.tokens.len();
        for r in tokenize(line) {
            d.tokens.push(ByteSpan::new(start + r.start, start + r.end));
        }
        d.sentences.push(Sentence {
            span: ByteSpan::new(start, end),
            token_start: t0,
            token_end: d.tokens.len(),
        });
        start = end + 1;
    }
    // Mentions: every occurrence of each surface form at word starts (longest first).
    let mut taken: Vec<ByteSpan> = Vec::new();
    let mut forms: Vec<&(&str, &str, ActorType, MentionKind)> = ACTORS.iter().collect();
    forms.sort_by_key(|f| std::cmp::Reverse(f.0.len()));
    for (surface, key, ty, kind) in forms {
        for (at, _) in text.match_indices(surface) {
            let span = ByteSpan::new(at, at + surface.len());
            let before_ok = text[..at]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric());
            let after_ok = text[span.end..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphabetic());
            if !before_ok
                || !after_ok
                || taken
                    .iter()
                    .any(|t| t.start < span.end && span.start < t.end)
            {
                continue;
            }
            taken.push(span);
            let actor = match d.actors.iter().position(|a| a.key == *key) {
                Some(a) => a,
                None => {
                    d.actors.push(DocActor {
                        key: key.to_string(),
                        canonical_name: key.to_string(),
                        actor_type: *ty,
                        affiliation: None,
                        aliases: vec![surface.to_string()],
                    });
                    d.actors.len() - 1
                }
            };
            let sent = d
                .sentences
                .iter()
                .position(|s| s.span.start <= at && at < s.span.end)
                .unwrap_or(0);
            d.mentions.push(Mention {
                sent,
                span,
                actor,
                kind: *kind,
            });
        }
    }
    d.mentions.sort_by_key(|m| m.span.start);
    for (content, speaker) in quotes {
        let at = text.find(content).expect("quote text is in the document");
        let speaker = d.actors.iter().position(|a| a.key == *speaker);
        let sent = d
            .sentences
            .iter()
            .position(|s| s.span.start <= at && at < s.span.end)
            .unwrap_or(0);
        d.quotes.push(Quote {
            sent,
            span: ByteSpan::new(at, at + content.len()),
            speaker,
            speaker_text: None,
            cue: "said".into(),
            kind: QuoteKind::Direct,
        });
    }
    d
}

fn rules_only() -> StanceConfig {
    StanceConfig {
        use_classifier: false,
        ..StanceConfig::default()
    }
}

fn tag(text: &str, quotes: &[(&str, &str)], cfg: &StanceConfig) -> (Doc, Vec<Stance>) {
    let tagger = StanceTagger::new(cfg).expect("tagger builds");
    let mut d = doc(text, quotes);
    tagger.tag(&mut d);
    let s = d.stances.clone();
    (d, s)
}

fn key(d: &Doc, t: &StanceTarget) -> String {
    match t {
        StanceTarget::Actor(a) => d.actors[*a].key.clone(),
        StanceTarget::Topic(n) => format!("topic:{n}"),
    }
}

/// The single record from `source` to `target`.
fn find<'a>(d: &Doc, s: &'a [Stance], source: &str, target: &str) -> &'a Stance {
    let hits: Vec<&Stance> = s
        .iter()
        .filter(|x| d.actors[x.source].key == source && key(d, &x.target) == target)
        .collect();
    assert_eq!(hits.len(), 1, "{source} -> {target} in {s:?}");
    hits[0]
}

#[test]
fn verb_families() {
    let cases = [
        (
            "Russia condemned Georgia on Monday.",
            "russia",
            "georgia",
            Polarity::Oppose,
            "condemn",
        ),
        (
            "Georgia accused Russia of aggression.",
            "georgia",
            "russia",
            Polarity::Oppose,
            "accuse",
        ),
        (
            "Nicaragua recognised Abkhazia last week.",
            "nicaragua",
            "abkhazia",
            Polarity::Support,
            "recognise",
        ),
        (
            "France strongly backed Georgia.",
            "france",
            "georgia",
            Polarity::Support,
            "back",
        ),
        (
            "The EU urged Russia to withdraw its troops.",
            "eu",
            "russia",
            Polarity::Oppose,
            "urge",
        ),
        (
            "NATO warned Moscow against escalation.",
            "nato",
            "russia",
            Polarity::Oppose,
            "warn",
        ),
        (
            "Russian troops attacked Georgia at dawn.",
            "russia",
            "georgia",
            Polarity::Oppose,
            "attack",
        ),
        (
            "Washington praised Georgia for its restraint.",
            "united states",
            "georgia",
            Polarity::Support,
            "praise",
        ),
        (
            "Russia signed a friendship treaty with Abkhazia.",
            "russia",
            "abkhazia",
            Polarity::Support,
            "sign",
        ),
        (
            "Washington stands with Georgia.",
            "united states",
            "georgia",
            Polarity::Support,
            "stand",
        ),
        (
            "Russia issued a harsh condemnation of NATO.",
            "russia",
            "nato",
            Polarity::Oppose,
            "condemnation",
        ),
    ];
    for (text, src, tgt, pol, cue) in cases {
        let (d, s) = tag(text, &[], &rules_only());
        let r = find(&d, &s, src, tgt);
        assert_eq!(r.polarity, pol, "{text}");
        assert_eq!(r.cue, cue, "{text}");
        assert_eq!(r.method, "verb", "{text}");
        assert_eq!(r.sent, 0);
        assert_eq!(r.evidence, d.sentences[0].span, "{text}");
        assert!(r.score > 0.0 && r.score <= 1.0);
    }
    // Urging is weaker evidence than condemning.
    let (d, s) = tag(
        "The EU urged Russia to withdraw.\nNATO condemned Russia.",
        &[],
        &rules_only(),
    );
    assert!(find(&d, &s, "eu", "russia").score < find(&d, &s, "nato", "russia").score);
    assert_eq!(find(&d, &s, "nato", "russia").sent, 1);
}

#[test]
fn passive_and_compound() {
    let (d, s) = tag(
        "Russia was sharply condemned by NATO and the EU.",
        &[],
        &rules_only(),
    );
    for src in ["nato", "eu"] {
        let r = find(&d, &s, src, "russia");
        assert_eq!(
            (r.polarity, r.method.as_str()),
            (Polarity::Oppose, "verb-passive")
        );
    }
    // A mention inside a hyphenated token, as the actors stage marks "Russia" in "Russia-backed".
    let (d, s) = tag(
        "The Russia-backed Abkhazia government rejected the talks.",
        &[],
        &rules_only(),
    );
    let r = find(&d, &s, "russia", "abkhazia");
    assert_eq!(
        (r.polarity, r.method.as_str(), r.cue.as_str()),
        (Polarity::Support, "compound", "backed")
    );
}

#[test]
fn appositions_demonym_heads_and_reactions() {
    // A modifier's noun in apposition to a name: the name is the object, not the modifier.
    let (d, s) = tag(
        "Georgia sued Russian energy giant Gazprom.",
        &[],
        &rules_only(),
    );
    assert_eq!(
        find(&d, &s, "georgia", "gazprom").polarity,
        Polarity::Oppose
    );
    assert!(!s.iter().any(|x| key(&d, &x.target) == "russia"), "{s:?}");
    // A conjunction or a verb is not an apposition's noun.
    let (d, s) = tag(
        "France praised Georgia as Saakashvili arrived.",
        &[],
        &rules_only(),
    );
    find(&d, &s, "france", "georgia");
    assert!(!s
        .iter()
        .any(|x| key(&d, &x.target) == "mikheil saakashvili"));
    let (d, s) = tag(
        "France praised Georgia, Saakashvili says.",
        &[],
        &rules_only(),
    );
    assert!(
        !s.iter()
            .any(|x| key(&d, &x.target) == "mikheil saakashvili"),
        "{s:?}"
    );
    // A demonym mention that includes its head noun stands for the state.
    let (d, s) = tag(
        "Georgia expelled four Russian diplomats.",
        &[],
        &rules_only(),
    );
    assert_eq!(find(&d, &s, "georgia", "russia").polarity, Polarity::Oppose);
    // Reactions: the source follows "from", the target is who drew the reaction.
    let (d, s) = tag(
        "Russia recognised Abkhazia, drawing sharp criticism from NATO and the EU.",
        &[],
        &rules_only(),
    );
    assert_eq!(
        find(&d, &s, "russia", "abkhazia").polarity,
        Polarity::Support
    );
    for src in ["nato", "eu"] {
        let r = find(&d, &s, src, "russia");
        assert_eq!(
            (r.polarity, r.method.as_str(), r.cue.as_str()),
            (Polarity::Oppose, "verb-passive", "criticism")
        );
    }
    let (d, s) = tag(
        "Saakashvili's plan won praise from France.",
        &[],
        &rules_only(),
    );
    assert_eq!(
        find(&d, &s, "france", "mikheil saakashvili").polarity,
        Polarity::Support
    );
    // No reaction verb, no record: "criticism from NATO" alone names no target.
    let (_, s) = tag("The report cited criticism from NATO.", &[], &rules_only());
    assert!(s.is_empty(), "{s:?}");
}

#[test]
fn reciprocal_verbs_lists_and_demands() {
    // A coordinated subject with a reciprocal verb and no "with": each toward the other.
    let (d, s) = tag(
        "Russia and Georgia signed a ceasefire agreement.",
        &[],
        &rules_only(),
    );
    assert_eq!(
        find(&d, &s, "russia", "georgia").polarity,
        Polarity::Support
    );
    assert_eq!(
        find(&d, &s, "georgia", "russia").polarity,
        Polarity::Support
    );
    // Signing something that is not an agreement is no stance; nor is a lone subject.
    let (_, s) = tag("Russia and Georgia signed the papers.", &[], &rules_only());
    assert!(s.is_empty(), "{s:?}");
    let (_, s) = tag("Georgia signed a ceasefire agreement.", &[], &rules_only());
    assert!(s.is_empty(), "{s:?}");
    let (d, s) = tag("Russian and Georgian troops clashed.", &[], &rules_only());
    assert_eq!(find(&d, &s, "russia", "georgia").polarity, Polarity::Oppose);

    // Object lists need a conjunction ("and others" closes one too).
    let (d, s) = tag(
        "NATO criticised Russia, France and others.",
        &[],
        &rules_only(),
    );
    find(&d, &s, "nato", "russia");
    find(&d, &s, "nato", "france");

    // Adverbs do not break a cue's literal words; "the people of X" stands for X.
    let text = "\"We stand firmly with the people of Georgia,\" Bagapsh said.";
    let quotes = [(
        "We stand firmly with the people of Georgia,",
        "sergei bagapsh",
    )];
    let (d, s) = tag(text, &quotes, &rules_only());
    assert_eq!(
        find(&d, &s, "sergei bagapsh", "georgia").polarity,
        Polarity::Support
    );

    // A demand to withdraw opposes its subject; advice with a bare "must" is no stance.
    let text = "\"Russia must withdraw from Abkhazia now,\" Saakashvili said.\n\
                \"France must do more for growth,\" Saakashvili said.";
    let quotes = [
        (
            "Russia must withdraw from Abkhazia now,",
            "mikheil saakashvili",
        ),
        ("France must do more for growth,", "mikheil saakashvili"),
    ];
    let (d, s) = tag(text, &quotes, &rules_only());
    assert_eq!(
        find(&d, &s, "mikheil saakashvili", "russia").polarity,
        Polarity::Oppose
    );
    // Only the demand's subject is its target.
    assert!(
        !s.iter()
            .any(|x| ["france", "abkhazia"].contains(&key(&d, &x.target).as_str())),
        "{s:?}"
    );
}

#[test]
fn act_nouns_urging_and_carried_subjects() {
    // An act noun's possessive or demonym author takes its stance toward the object.
    let (d, s) = tag(
        "Russia's latest strikes on Georgia killed four people.",
        &[],
        &rules_only(),
    );
    let r = find(&d, &s, "russia", "georgia");
    assert_eq!((r.polarity, r.method.as_str()), (Polarity::Oppose, "noun"));
    let (d, s) = tag(
        "France condemned Russian raids on Georgia.\nGeorgia's support for NATO grew.",
        &[],
        &rules_only(),
    );
    assert_eq!(find(&d, &s, "russia", "georgia").polarity, Polarity::Oppose);
    // Condemning Russia's raids condemns Russia.
    assert_eq!(find(&d, &s, "france", "russia").polarity, Polarity::Oppose);
    assert_eq!(find(&d, &s, "georgia", "nato").polarity, Polarity::Support);
    // Without an author there is no record: "strikes on Georgia" alone names no source; an
    // act on a place is no stance toward an actor.
    let (_, s) = tag("Strikes on Georgia continued.", &[], &rules_only());
    assert!(s.is_empty(), "{s:?}");
    let (_, s) = tag("Russia's strikes on Gori continued.", &[], &rules_only());
    assert!(s.is_empty(), "{s:?}");

    // Whoever urges takes the stance, not the actor urged.
    let (d, s) = tag(
        "France urged Moscow to recognise Abkhazia.",
        &[],
        &rules_only(),
    );
    assert_eq!(
        find(&d, &s, "france", "abkhazia").polarity,
        Polarity::Support
    );
    assert!(
        !s.iter()
            .any(|x| d.actors[x.source].key == "russia" && key(&d, &x.target) == "abkhazia"),
        "{s:?}"
    );

    // A demonym right before a cue word makes it a noun: no "sanction" verb from Russia.
    let (_, s) = tag(
        "The Russian sanctions bill angered Georgia.",
        &[],
        &rules_only(),
    );
    assert!(
        !s.iter().any(|x| x.cue == "sanction"),
        "the noun is not a verb: {s:?}"
    );

    // A coordinated verb phrase takes the clause's first subject, not an object in between.
    let (d, s) = tag(
        "Saakashvili met Bagapsh in Paris and later accused Moscow of provocations.",
        &[],
        &rules_only(),
    );
    find(&d, &s, "mikheil saakashvili", "russia");
    assert!(
        !s.iter().any(|x| d.actors[x.source].key == "sergei bagapsh"),
        "{s:?}"
    );
    // Weak cues are not read through a carried-over subject ("…, allowing X to").
    let (_, s) = tag(
        "Georgia cut tariffs, allowing Russia to export more wine.",
        &[],
        &rules_only(),
    );
    assert!(s.is_empty(), "{s:?}");

    // A reaction with a time adjunct, and a fronted possessive subject with a long modifier.
    let (d, s) = tag(
        "Russia's decision to deploy tanks near Abkhazia drew swift condemnation on Monday from NATO.",
        &[],
        &rules_only(),
    );
    assert_eq!(find(&d, &s, "nato", "russia").polarity, Polarity::Oppose);
}

#[test]
fn clause_coordination_is_not_a_list() {
    // ", and" after a single object starts a new clause: Nicaragua is the next subject, not a
    // second object of "condemned", and not a conjunct of the subject "Georgia".
    for text in [
        "Russia invaded Georgia, and Nicaragua condemned Moscow.",
        "Russia invaded Georgia, and Nicaragua, which had hesitated, condemned Moscow.",
        "Russia invaded Georgia and Nicaragua condemned Moscow.",
    ] {
        let (d, s) = tag(text, &[], &rules_only());
        assert_eq!(
            find(&d, &s, "nicaragua", "russia").polarity,
            Polarity::Oppose
        );
        assert_eq!(find(&d, &s, "russia", "georgia").polarity, Polarity::Oppose);
        assert!(
            !s.iter()
                .any(|x| d.actors[x.source].key == "georgia" || key(&d, &x.target) == "nicaragua"),
            "{text}: {s:?}"
        );
    }
    // Real lists still hold: a serial comma with three members, and a plain "and".
    let (d, s) = tag(
        "France condemned Russia, Abkhazia, and Nicaragua.",
        &[],
        &rules_only(),
    );
    for t in ["russia", "abkhazia", "nicaragua"] {
        assert_eq!(find(&d, &s, "france", t).polarity, Polarity::Oppose);
    }
    let (d, s) = tag("France and Georgia condemned Russia.", &[], &rules_only());
    find(&d, &s, "france", "russia");
    find(&d, &s, "georgia", "russia");
    // A speech verb's complement keeps its coordinated subject.
    let (d, s) = tag(
        "Paris said France and Georgia had condemned Russia.",
        &[],
        &rules_only(),
    );
    find(&d, &s, "georgia", "russia");
    // A later predicate's object is not this cue's: "Georgia's bid to join NATO" was opposed by
    // Russia; Georgia takes no stance toward Russia.
    let (d, s) = tag(
        "Georgia's bid to join NATO was opposed by Russia.",
        &[],
        &rules_only(),
    );
    assert!(!s.iter().any(|x| key(&d, &x.target) == "russia"), "{s:?}");
    // A relative clause's mentions and the next clause's subject are not the object.
    for text in [
        "France condemned the plan, which Georgia says will cost too much.",
        "France will veto the plan and Georgia is not expected to object.",
    ] {
        let (d, s) = tag(text, &[], &rules_only());
        assert!(
            !s.iter().any(|x| key(&d, &x.target) == "georgia"),
            "{text}: {s:?}"
        );
    }
    // A non-restrictive relative's verb takes the mention before it as subject.
    let (d, s) = tag(
        "France, which has never recognised Abkhazia, said nothing.",
        &[],
        &rules_only(),
    );
    assert_eq!(
        find(&d, &s, "france", "abkhazia").polarity,
        Polarity::Oppose
    );
    // "each other" with a coordinated subject, or a plural pronoun standing for one.
    for text in [
        "France and Georgia accused each other of lying.",
        "France and Georgia said they would back each other's bids.",
    ] {
        let (d, s) = tag(text, &[], &rules_only());
        let fg = find(&d, &s, "france", "georgia").polarity;
        assert_eq!(fg, find(&d, &s, "georgia", "france").polarity, "{text}");
    }
    // "The board of X" acts for X.
    let r = staged(
        "The board of Gazprom rejected a takeover bid from Danish rival Maersk.",
        &[("Gazprom", "ORG"), ("Danish", "MISC"), ("Maersk", "ORG")],
    );
    assert!(has(&r, "Gazprom", "Maersk", Polarity::Oppose), "{r:?}");
    // An -ed adjective after a determiner does not end the object.
    let (d, s) = tag(
        "Georgia welcomed the renewed NATO pledge.",
        &[],
        &rules_only(),
    );
    find(&d, &s, "georgia", "nato");
    // A reduced relative with "by" stays inside the object.
    let (d, s) = tag(
        "France backed a plan proposed by Georgia.",
        &[],
        &rules_only(),
    );
    find(&d, &s, "france", "georgia");
    // A topic in the complement of an actor's proposal is a target too.
    let r = staged(
        "Georgia rejected a French proposal for a truce.",
        &[("Georgia", "LOC"), ("French", "MISC")],
    );
    assert!(
        has(&r, "Georgia", "topic:ceasefire", Polarity::Oppose),
        "{r:?}"
    );
    // A topic as the subject of a passive.
    let r = staged(
        "The ceasefire was welcomed by France.",
        &[("France", "LOC")],
    );
    assert!(
        has(&r, "France", "topic:ceasefire", Polarity::Support),
        "{r:?}"
    );
}

#[test]
fn negation_flips_polarity() {
    let (d, pos) = tag("Russia recognised Abkhazia.", &[], &rules_only());
    let plain = find(&d, &pos, "russia", "abkhazia").clone();
    assert_eq!(plain.polarity, Polarity::Support);
    for text in [
        "Russia did not recognise Abkhazia.",
        "Russia has never recognised Abkhazia.",
        "Russia refused to recognise Abkhazia.",
    ] {
        let (d, s) = tag(text, &[], &rules_only());
        let r = find(&d, &s, "russia", "abkhazia");
        assert_eq!(r.polarity, Polarity::Oppose, "{text}");
        assert_eq!(r.cue, "recognise", "{text}");
        assert!(r.score < plain.score, "{text}");
    }
    // Two negations cancel.
    let (d, s) = tag("Georgia did not refuse to back France.", &[], &rules_only());
    assert_eq!(
        find(&d, &s, "georgia", "france").polarity,
        Polarity::Support
    );
    // A negated oppose cue is not support, and a hedge says the act did not happen, not that
    // it was refused: either way the record stays, neutral, with its cue.
    for (text, source, target, cue) in [
        (
            "Paris did not condemn Georgia.",
            "france",
            "georgia",
            "condemn",
        ),
        (
            "Paris refused to condemn Georgia.",
            "france",
            "georgia",
            "condemn",
        ),
        (
            "Russia stopped short of recognising Abkhazia.",
            "russia",
            "abkhazia",
            "recognise",
        ),
        (
            "Russia failed to recognise Abkhazia.",
            "russia",
            "abkhazia",
            "recognise",
        ),
    ] {
        let (d, s) = tag(text, &[], &rules_only());
        let r = find(&d, &s, source, target);
        assert_eq!(
            (r.polarity, r.cue.as_str()),
            (Polarity::Neutral, cue),
            "{text}"
        );
    }
}

#[test]
fn modality_lowers_score() {
    let (d, s) = tag("France backed Georgia.", &[], &rules_only());
    let firm = find(&d, &s, "france", "georgia").score;
    for text in [
        "France may consider backing Georgia.",
        "France could back Georgia.",
    ] {
        let (d, s) = tag(text, &[], &rules_only());
        let r = find(&d, &s, "france", "georgia");
        assert_eq!(r.polarity, Polarity::Support, "{text}");
        assert!(r.score < firm, "{text}: {} !< {firm}", r.score);
    }
    let (d, s) = tag("France may consider backing Georgia.", &[], &rules_only());
    let (d2, s2) = tag("France could back Georgia.", &[], &rules_only());
    assert!(find(&d, &s, "france", "georgia").score < find(&d2, &s2, "france", "georgia").score);
}

#[test]
fn quote_based_stance() {
    let text = "\"We will not let Russia divide our country,\" Saakashvili said.\n\
                \"Georgia's aggression ended all talks,\" Bagapsh said.";
    let quotes = [
        (
            "We will not let Russia divide our country,",
            "mikheil saakashvili",
        ),
        ("Georgia's aggression ended all talks,", "sergei bagapsh"),
    ];
    let (d, s) = tag(text, &quotes, &rules_only());
    let r = find(&d, &s, "mikheil saakashvili", "russia");
    assert_eq!(
        (r.polarity, r.method.as_str(), r.cue.as_str()),
        (Polarity::Oppose, "quote-verb", "let")
    );
    assert_eq!(r.sent, 0);
    let r = find(&d, &s, "sergei bagapsh", "georgia");
    assert_eq!(
        (r.polarity, r.method.as_str(), r.cue.as_str()),
        (Polarity::Oppose, "quote-agent", "aggression")
    );
    assert_eq!(r.sent, 1);
    // Reported speech without a quote record: "..., saying ..." is the subject's speech.
    let (d, s) = tag(
        "Saakashvili criticised France, saying Moscow's invasion was illegal.",
        &[],
        &rules_only(),
    );
    let r = find(&d, &s, "mikheil saakashvili", "russia");
    assert_eq!(
        (r.polarity, r.method.as_str()),
        (Polarity::Oppose, "quote-agent")
    );
    assert_eq!(
        find(&d, &s, "mikheil saakashvili", "france").polarity,
        Polarity::Oppose
    );
}

/// A filled object slot or a place adjunct ends the search for a verb's target, and an agent
/// cue is not reached across a preposition: "them … in Georgia" is not support for Georgia, and
/// "tanks rolled into Abkhazia in violation" does not make Abkhazia the violator.
#[test]
fn objects_places_and_agents_are_kept_apart() {
    let text = "\"We will defend them in Georgia,\" Bagapsh said.\n\
                \"We will defend Abkhazia,\" Bagapsh said.\n\
                \"Tanks rolled into Abkhazia in violation of the truce,\" Saakashvili said.";
    let quotes = [
        ("We will defend them in Georgia,", "sergei bagapsh"),
        ("We will defend Abkhazia,", "sergei bagapsh"),
        (
            "Tanks rolled into Abkhazia in violation of the truce,",
            "mikheil saakashvili",
        ),
    ];
    let (d, s) = tag(text, &quotes, &rules_only());
    let about = |src: &str, tgt: &str| -> Vec<&Stance> {
        s.iter()
            .filter(|x| d.actors[x.source].key == src && key(&d, &x.target) == tgt)
            .collect()
    };
    assert!(about("sergei bagapsh", "georgia").is_empty(), "{s:?}");
    let r = find(&d, &s, "sergei bagapsh", "abkhazia");
    assert_eq!((r.polarity, r.sent), (Polarity::Support, 1));
    assert!(about("mikheil saakashvili", "abkhazia").is_empty(), "{s:?}");

    // A quote cue whose own object is another actor is about that actor: "friendship with
    // Paris or backing Nicaragua" says nothing of Nicaragua. An actor coordinated with the
    // object shares the cue ("friendship with Paris and Nicaragua"), as does a target with
    // nobody in between ("friendship or Nicaragua").
    let text = "\"They must pick our friendship with Paris or backing Nicaragua,\" Bagapsh said.\n\
                \"They must keep our friendship with Paris and Nicaragua,\" Bagapsh said.\n\
                \"They must pick our friendship or Nicaragua,\" Bagapsh said.";
    let quotes = [
        (
            "They must pick our friendship with Paris or backing Nicaragua,",
            "sergei bagapsh",
        ),
        (
            "They must keep our friendship with Paris and Nicaragua,",
            "sergei bagapsh",
        ),
        (
            "They must pick our friendship or Nicaragua,",
            "sergei bagapsh",
        ),
    ];
    let (d, s) = tag(text, &quotes, &rules_only());
    let sents = |tgt: &str| -> Vec<usize> {
        s.iter()
            .filter(|x| d.actors[x.source].key == "sergei bagapsh" && key(&d, &x.target) == tgt)
            .map(|x| x.sent)
            .collect()
    };
    assert_eq!(sents("nicaragua"), vec![1, 2], "{s:?}");
    assert_eq!(sents("france"), vec![0, 1], "{s:?}");
}

/// An event verb inside reported speech takes its target inside that speech, not from the
/// reporting clause: "…came under heavy Russian shelling during the war, Bagapsh said" is no
/// stance of Russia toward Bagapsh.
#[test]
fn verb_targets_stay_inside_the_speech() {
    let text = "Abkhazia came under heavy Russian shelling during the war, Bagapsh said.\n\
                Russian troops shelled Georgia, Bagapsh said.";
    let quotes = [
        (
            "Abkhazia came under heavy Russian shelling during the war",
            "sergei bagapsh",
        ),
        ("Russian troops shelled Georgia", "sergei bagapsh"),
    ];
    let (d, s) = tag(text, &quotes, &rules_only());
    assert!(
        !s.iter()
            .any(|x| key(&d, &x.target) == "sergei bagapsh" && d.actors[x.source].key == "russia"),
        "{s:?}"
    );
    let r = find(&d, &s, "russia", "georgia");
    assert_eq!(
        (r.polarity, r.sent, r.cue.as_str()),
        (Polarity::Oppose, 1, "shell")
    );
}

#[test]
fn topic_targets_from_config() {
    let cfg = StanceConfig {
        topics: vec![TopicConfig {
            name: "Abkhazian independence".into(),
            phrases: vec![
                "independence of Abkhazia".into(),
                "Abkhazia ... independen*".into(),
            ],
        }],
        ..rules_only()
    };
    let (d, s) = tag(
        "Nicaragua recognised the independence of Abkhazia.",
        &[],
        &cfg,
    );
    let r = find(&d, &s, "nicaragua", "topic:Abkhazian independence");
    assert_eq!(r.polarity, Polarity::Support);
    // The actor inside the topic phrase is not a second target.
    assert!(s.iter().all(|x| key(&d, &x.target) != "abkhazia"), "{s:?}");
    // Object before the subject: "Abkhazia, which Russia has recognised as independent".
    let (d, s) = tag(
        "Moscow will protect Abkhazia, which Russia has recognised as an independent state.",
        &[],
        &cfg,
    );
    let r = find(&d, &s, "russia", "topic:Abkhazian independence");
    assert_eq!(
        (r.polarity, r.cue.as_str()),
        (Polarity::Support, "recognise")
    );
    // Unconfigured: no topic records.
    let (_, s) = tag(
        "Nicaragua recognised the independence of Abkhazia.",
        &[],
        &rules_only(),
    );
    assert!(s.iter().all(|x| matches!(x.target, StanceTarget::Actor(_))));
}

#[test]
fn lexicon_override_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cues.tsv");
    std::fs::write(
        &path,
        "# my tuning\nback\toppose\t0.3\tS V T\npraise\tsupport\t0\tS V T\n",
    )
    .expect("write");
    let cfg = StanceConfig {
        lexicon_file: Some(path.clone()),
        ..rules_only()
    };
    let (d, s) = tag(
        "France backed Georgia.\nWashington praised Georgia.\nNATO condemned Russia.",
        &[],
        &cfg,
    );
    let r = find(&d, &s, "france", "georgia");
    assert_eq!(r.polarity, Polarity::Oppose);
    assert!((r.score - 0.3).abs() < 1e-6);
    assert!(
        s.iter().all(|x| x.cue != "praise"),
        "weight 0 removes the cue: {s:?}"
    );
    assert_eq!(
        find(&d, &s, "nato", "russia").polarity,
        Polarity::Oppose,
        "built-ins stay"
    );
    // Alone, the file is the whole lexicon.
    let cfg = StanceConfig {
        extend_default_lexicon: false,
        ..cfg
    };
    let (_, s) = tag("NATO condemned Russia.", &[], &cfg);
    assert!(s.is_empty(), "{s:?}");
    // A bad line is reported with file and line.
    std::fs::write(
        &path,
        "back\toppose\t0.3\tS V T\nurge\tagainst\t0.5\tS V T\n",
    )
    .expect("write");
    let err = StanceTagger::new(&StanceConfig {
        lexicon_file: Some(path.clone()),
        ..rules_only()
    })
    .expect_err("bad polarity");
    let msg = err.to_string();
    assert!(
        msg.contains("cues.tsv:2:") && msg.contains("against"),
        "{msg}"
    );
}

#[test]
fn config_errors() {
    let bad = StanceConfig {
        min_score: 2.0,
        ..rules_only()
    };
    assert!(matches!(
        StanceTagger::new(&bad),
        Err(StanceError::Config { .. })
    ));
    let missing = StanceConfig {
        classifier_model: PathBuf::from("/nonexistent/stance.bin"),
        ..StanceConfig::default()
    };
    let err = StanceTagger::new(&missing).expect_err("no model");
    assert!(err.to_string().contains("/nonexistent/stance.bin"));
    let toml_err = toml::from_str::<StanceConfig>("min_scor = 0.3").expect_err("unknown key");
    assert!(toml_err.to_string().contains("min_scor"));
}

#[test]
fn deterministic_and_robust() {
    let text = "Russia condemned Georgia and NATO.\nGeorgia did not recognise Abkhazia.";
    let (_, a) = tag(text, &[], &rules_only());
    let (_, b) = tag(text, &[], &rules_only());
    assert_eq!(a, b);
    assert!(a.len() >= 3);
    // Broken spans from an upstream bug: no panic, no output from them.
    let mut d = doc("Russia condemned Georgia – again.", &[]);
    d.mentions.push(Mention {
        sent: 0,
        span: ByteSpan::new(27, 28),
        actor: 99,
        kind: MentionKind::Name,
    });
    d.quotes.push(Quote {
        sent: 5,
        span: ByteSpan::new(500, 900),
        speaker: Some(0),
        speaker_text: None,
        cue: "said".into(),
        kind: QuoteKind::Direct,
    });
    d.sentences.push(Sentence {
        span: ByteSpan::new(26, 999),
        token_start: 50,
        token_end: 10,
    });
    StanceTagger::new(&rules_only())
        .expect("builds")
        .tag(&mut d);
    assert!(d.stances.iter().all(|s| s.source < d.actors.len()));
}

fn tiny_training_set() -> Vec<Example> {
    let mut v = Vec::new();
    let good = ["praised", "admired", "thanked", "applauded"];
    let bad = ["attacked", "insulted", "blamed", "mocked"];
    let mut g = 0;
    for (words, label) in [(good, 2usize), (bad, 0usize)] {
        for w in words {
            for name in ["Smith", "Jones", "Brown"] {
                let text = format!("The senator {w} {name} in a speech.");
                let at = text.find(name).unwrap_or(0);
                v.push(Example {
                    text: text.clone(),
                    target: at..at + name.len(),
                    others: vec![],
                    label,
                    group: g,
                });
                g += 1;
            }
        }
    }
    for name in ["Smith", "Jones", "Brown"] {
        let text = format!("{name} travelled to Ohio on Tuesday.");
        v.push(Example {
            target: 0..name.len(),
            text,
            others: vec![],
            label: 1,
            group: g,
        });
        g += 1;
    }
    v
}

#[test]
fn classifier_trains_saves_and_loads() {
    let data = tiny_training_set();
    let params = TrainParams {
        bits: 14,
        epochs: 20,
        lr: 0.1,
        clusters: false,
        ..TrainParams::default()
    };
    let m = Classifier::train(&data, None, params, 7).expect("trains");
    let m2 = Classifier::train(&data, None, params, 7).expect("trains");
    let dir = tempfile::tempdir().expect("tempdir");
    let (p1, p2) = (dir.path().join("a.bin"), dir.path().join("b.bin"));
    m.save(&p1).expect("save");
    m2.save(&p2).expect("save");
    assert_eq!(
        std::fs::read(&p1).ok(),
        std::fs::read(&p2).ok(),
        "reproducible"
    );
    let loaded = Classifier::load(&p1).expect("load");
    let s = "The senator praised Taylor in a speech.";
    let at = s.find("Taylor").unwrap_or(0);
    let a = m.predict(s, at..at + 6);
    let b = loaded.predict(s, at..at + 6);
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-6));
    assert!(a[2] > a[0] && a[2] > a[1], "{a:?}");
    let s = "The senator attacked Taylor in a speech.";
    let p = loaded.predict(s, at..at + 6);
    assert!(p[0] > p[2], "{p:?}");
    // Out-of-range target: no panic.
    let _ = loaded.predict(s, 500..900);
    // A truncated file is an error naming it.
    let bytes = std::fs::read(&p1).expect("read");
    std::fs::write(&p2, &bytes[..bytes.len() / 2]).expect("write");
    let err = Classifier::load(&p2).expect_err("truncated");
    assert!(err.to_string().contains("b.bin"), "{err}");
}

#[test]
fn classifier_fallback_in_quotes() {
    let data = tiny_training_set();
    let params = TrainParams {
        bits: 14,
        epochs: 20,
        lr: 0.1,
        clusters: false,
        ..TrainParams::default()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("m.bin");
    Classifier::train(&data, None, params, 7)
        .expect("trains")
        .save(&path)
        .expect("save");
    let cfg = StanceConfig {
        classifier_model: path,
        classifier_min_confidence: 0.4,
        ..StanceConfig::default()
    };
    let text = "\"The senator admired France in a speech,\" Saakashvili said.";
    let (d, s) = tag(
        text,
        &[(
            "The senator admired France in a speech,",
            "mikheil saakashvili",
        )],
        &cfg,
    );
    let r = find(&d, &s, "mikheil saakashvili", "france");
    assert_eq!(
        (r.method.as_str(), r.cue.as_str(), r.polarity),
        ("classifier", "newsmtsc", Polarity::Support)
    );
    // After a verb of movement, "into France" is where troops went, not whom the speech is
    // about; after a noun it is an object, and the classifier still reads it.
    let place = "\"The senator admired the troops that rolled into France,\" Saakashvili said.";
    let object = "\"The senator admired the inquiry into France,\" Saakashvili said.";
    for (text, kept) in [(place, false), (object, true)] {
        let quote = text.split('"').nth(1).unwrap_or_default();
        let (d, s) = tag(text, &[(quote, "mikheil saakashvili")], &cfg);
        let got = s.iter().any(|x| {
            d.actors[x.source].key == "mikheil saakashvili" && key(&d, &x.target) == "france"
        });
        assert_eq!(got, kept, "{text}: {s:?}");
    }
    // Switched off: nothing.
    let (_, s) = tag(
        text,
        &[(
            "The senator admired France in a speech,",
            "mikheil saakashvili",
        )],
        &StanceConfig {
            use_classifier: false,
            ..cfg
        },
    );
    assert!(s.is_empty(), "{s:?}");
}

#[test]
fn newsmtsc_reader_uses_char_offsets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.jsonl");
    let line = r#"{"primary_gid":"x","sentence_normalized":"Café owner Smith praised Jones.","targets":[{"Input.gid":"a","from":11,"to":16,"mention":"Smith","polarity":4.0},{"Input.gid":"b","from":25,"to":30,"mention":"Jones","polarity":6.0}]}"#;
    std::fs::write(&path, format!("{line}\n")).expect("write");
    let ex = super::classifier::read_newsmtsc(&path).expect("reads");
    assert_eq!(ex.len(), 2);
    assert_eq!(&ex[0].text[ex[0].target.clone()], "Smith");
    assert_eq!(&ex[1].text[ex[1].target.clone()], "Jones");
    assert_eq!((ex[0].label, ex[1].label), (1, 2));
    assert_eq!(ex[1].others, vec![ex[0].target.clone()]);
    std::fs::write(
        &path,
        "{\"sentence_normalized\":\"x\",\"targets\":[{\"from\":0,\"to\":1,\"polarity\":3.0}]}\n",
    )
    .expect("write");
    let err = super::classifier::read_newsmtsc(&path).expect_err("bad polarity");
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn example_topics_parse() {
    #[derive(serde::Deserialize)]
    struct Wrapper {
        stance: StanceConfig,
    }
    let text = include_str!("../../resources/stance/topics.example.toml");
    let w: Wrapper = toml::from_str(text).expect("example parses");
    assert_eq!(w.stance.topics.len(), 3);
    assert!(w.stance.validate().is_ok());
    let cfg = StanceConfig {
        topics: w.stance.topics,
        ..rules_only()
    };
    let (d, s) = tag(
        "Moscow went on to recognise the two breakaway regions as independent states.",
        &[],
        &cfg,
    );
    let r = find(
        &d,
        &s,
        "russia",
        "topic:independence of South Ossetia and Abkhazia",
    );
    assert_eq!(r.polarity, Polarity::Support);
}

#[test]
fn shipped_model_reads_newsmtsc_style_sentences() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/stance-newsmtsc.bin"
    ));
    if !path.exists() {
        eprintln!("skipped: {} not present", path.display());
        return;
    }
    let m = Classifier::load(path).expect("shipped model loads");
    let s = "Critics slammed Senator Smith for lying to voters and betraying his party.";
    let at = s.find("Senator Smith").unwrap_or(0);
    let p = m.predict(s, at..at + "Senator Smith".len());
    assert!(p[0] > p[2], "negative for Smith: {p:?}");
    let s = "Supporters cheered as Smith won a landslide victory and praised his leadership.";
    let at = s.find("Smith").unwrap_or(0);
    let p = m.predict(s, at..at + 5);
    assert!(p[2] > p[0], "positive for Smith: {p:?}");
}

/// Records from the real actors, quotes and stance stages (default config, no classifier) on a
/// text with the given gold entities, as (source name, target name or `topic:NAME`, polarity).
fn staged(text: &str, entities: &[(&str, &str)]) -> Vec<(String, String, Polarity)> {
    use crate::stage::Stage;
    let mut cfg = crate::config::PipelineConfig::default();
    cfg.stance.use_classifier = false;
    cfg.stance.topics = vec![
        TopicConfig {
            name: "ceasefire".into(),
            phrases: vec!["ceasefire".into(), "truce".into()],
        },
        TopicConfig {
            name: "independence".into(),
            phrases: vec!["independen* of South Ossetia".into()],
        },
    ];
    let ents: Vec<(String, String)> = entities
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let mut d = crate::eval::gold::prepare_doc("t", text, &ents);
    let stages: Vec<Box<dyn Stage>> = vec![
        Box::new(crate::stages::actors::ActorsStage::new(&cfg.actors).unwrap()),
        Box::new(crate::stages::quotes::QuotesStage::new(&cfg.quotes).unwrap()),
        Box::new(crate::stages::stance::StanceStage::new(&cfg.stance).unwrap()),
    ];
    for s in &stages {
        s.process(&mut d).unwrap();
    }
    let name = |i: usize| d.actors[i].canonical_name.clone();
    d.stances
        .iter()
        .map(|s| {
            let t = match &s.target {
                StanceTarget::Actor(a) => name(*a),
                StanceTarget::Topic(t) => format!("topic:{t}"),
            };
            (name(s.source), t, s.polarity)
        })
        .collect()
}

fn has(records: &[(String, String, Polarity)], src: &str, tgt: &str, p: Polarity) -> bool {
    records
        .iter()
        .any(|(s, t, q)| s == src && t == tgt && *q == p)
}

#[test]
fn coordinated_and_participle_clauses_take_the_clause_subject() {
    let r = staged(
        "Premier Lotte Ahlberg praised Chile but rebuked Peru over the dispute.",
        &[("Lotte Ahlberg", "PER"), ("Chile", "LOC"), ("Peru", "LOC")],
    );
    assert!(
        has(&r, "Lotte Ahlberg", "Chile", Polarity::Support),
        "{r:?}"
    );
    assert!(has(&r, "Lotte Ahlberg", "Peru", Polarity::Oppose), "{r:?}");
    // A place in a locative phrase is never the subject; the participle's subject is the
    // clause's, past the appositive.
    let r = staged(
        "The growers' league, Agrivia, blocked roads outside Lyon on Friday, denouncing Kenji Oda.",
        &[("Agrivia", "ORG"), ("Lyon", "LOC"), ("Kenji Oda", "PER")],
    );
    assert!(has(&r, "Agrivia", "Kenji Oda", Polarity::Oppose), "{r:?}");
    assert!(
        !r.iter().any(|(s, ..)| s == "Lyon" || s == "France"),
        "{r:?}"
    );
    // Members of a body act for it.
    let r = staged(
        "Leaders of the African Union applauded Ghana on Monday.",
        &[("African Union", "ORG"), ("Ghana", "LOC")],
    );
    assert!(
        has(&r, "African Union", "Ghana", Polarity::Support),
        "{r:?}"
    );
}

#[test]
fn a_passive_with_a_distant_agent_is_not_read_as_active() {
    let r = staged(
        "Lotte Ahlberg was ousted as party leader by Kenji Oda in May.",
        &[("Lotte Ahlberg", "PER"), ("Kenji Oda", "PER")],
    );
    assert!(!r.iter().any(|(s, ..)| s == "Lotte Ahlberg"), "{r:?}");
    // The agent a few words later is the source.
    assert_eq!(
        r,
        vec![("Kenji Oda".into(), "Lotte Ahlberg".into(), Polarity::Oppose)]
    );
    let r = staged(
        "Peru was condemned on Monday by Chile and Bolivia.",
        &[("Peru", "LOC"), ("Chile", "LOC"), ("Bolivia", "LOC")],
    );
    assert!(has(&r, "Chile", "Peru", Polarity::Oppose), "{r:?}");
    assert!(has(&r, "Bolivia", "Peru", Polarity::Oppose), "{r:?}");
    // A reduced relative: the noun right before the cue is its target.
    let r = staged(
        "Neither Peru nor Chile has accepted the truce proposed by Bolivia.",
        &[("Peru", "LOC"), ("Chile", "LOC"), ("Bolivia", "LOC")],
    );
    assert!(
        has(&r, "Bolivia", "topic:ceasefire", Polarity::Support),
        "{r:?}"
    );
    // No "by" before the clause ends: no record.
    let r = staged(
        "Peru was condemned on Monday, and Chile said nothing.",
        &[("Peru", "LOC"), ("Chile", "LOC")],
    );
    assert!(r.is_empty(), "{r:?}");
    let r = staged(
        "Agrivia was fined and penalized by the regulator, and Kenji Oda was expelled from Agrivia.",
        &[("Agrivia", "ORG"), ("Kenji Oda", "PER")],
    );
    // The agent right after the verb is read as such: Agrivia expelled Kenji Oda.
    assert_eq!(
        r,
        vec![("Agrivia".into(), "Kenji Oda".into(), Polarity::Oppose)]
    );
}

#[test]
fn questions_and_negated_subjects_are_not_support() {
    let ents = [("Moscow", "LOC"), ("Peru", "LOC"), ("Chile", "LOC")];
    let r = staged("Would Moscow accept a truce with Peru?", &ents);
    assert!(r.is_empty(), "a question reports no stance: {r:?}");
    let r = staged("Neither Peru nor Chile has accepted the truce.", &ents);
    assert!(!r.iter().any(|(_, _, p)| *p == Polarity::Support), "{r:?}");
    assert!(
        has(&r, "Chile", "topic:ceasefire", Polarity::Oppose),
        "{r:?}"
    );
}

#[test]
fn cameo_verbs_metonyms_and_topic_conjuncts() {
    // "lambasted" and "hit back at" come from the CAMEO verb classes; a capital doing them is
    // its state, and so is a capital as their object.
    let r = staged(
        "Seoul lambasted Tokyo on Tuesday.",
        &[("Seoul", "LOC"), ("Tokyo", "LOC")],
    );
    assert!(has(&r, "South Korea", "Japan", Polarity::Oppose), "{r:?}");
    let r = staged(
        "Ottawa hit back at Canberra after the vote.",
        &[("Ottawa", "LOC"), ("Canberra", "LOC")],
    );
    assert!(has(&r, "Canada", "Australia", Polarity::Oppose), "{r:?}");
    // Praising an actor's pledge praises the actor.
    let r = staged(
        "Lima welcomed Chile's pledge of food aid.",
        &[("Lima", "LOC"), ("Chile", "LOC")],
    );
    assert!(has(&r, "Peru", "Chile", Polarity::Support), "{r:?}");
    // The second conjunct of a topic phrase belongs to the topic, not to a record of its own.
    let r = staged(
        "Nauru recognised the independence of South Ossetia and Abkhazia on Friday.",
        &[
            ("Nauru", "LOC"),
            ("South Ossetia", "LOC"),
            ("Abkhazia", "LOC"),
        ],
    );
    assert!(
        has(&r, "Nauru", "topic:independence", Polarity::Support),
        "{r:?}"
    );
    assert!(!r.iter().any(|(_, t, _)| t == "Abkhazia"), "{r:?}");
}

#[test]
fn coordinated_subjects_are_all_sources() {
    let ents = [
        ("Nigeria", "LOC"),
        ("Ghana", "LOC"),
        ("Togo", "LOC"),
        ("Agrivia", "ORG"),
        ("Kenji Oda", "PER"),
        ("Lotte Ahlberg", "PER"),
        ("National Agrivia League", "ORG"),
    ];
    let r = staged("Nigeria and Ghana condemned Togo on Friday.", &ents);
    assert!(has(&r, "Nigeria", "Togo", Polarity::Oppose), "{r:?}");
    assert!(has(&r, "Ghana", "Togo", Polarity::Oppose), "{r:?}");
    // A list, an Oxford comma, and a title before the last name.
    let r = staged(
        "Agrivia, Nigeria, and Premier Lotte Ahlberg praised Kenji Oda.",
        &ents,
    );
    for src in ["Agrivia", "Nigeria", "Lotte Ahlberg"] {
        assert!(has(&r, src, "Kenji Oda", Polarity::Support), "{src}: {r:?}");
    }
    // A conjunct with a proxy head, and "the" before the last one.
    let r = staged(
        "Nigeria's government and the National Agrivia League agreed to a truce on Monday.",
        &ents,
    );
    assert!(
        has(&r, "Nigeria", "topic:ceasefire", Polarity::Support),
        "{r:?}"
    );
    // An appositive comma is not a list, and a prepositional phrase is not a subject.
    let r = staged("Agrivia's chief, Kenji Oda, condemned Togo.", &ents);
    assert_eq!(
        r,
        vec![("Kenji Oda".into(), "Togo".into(), Polarity::Oppose)]
    );
    let r = staged("After talks with Nigeria and Ghana condemned Togo.", &ents);
    assert!(!has(&r, "Nigeria", "Togo", Polarity::Oppose), "{r:?}");
}

#[test]
fn labels_carry_the_lexicon_polarity() {
    let ents = [
        ("Lotte Ahlberg", "PER"),
        ("Chile", "LOC"),
        ("Peru", "LOC"),
        ("Agrivia", "ORG"),
        ("Kenji Oda", "PER"),
    ];
    let r = staged(
        "Premier Lotte Ahlberg called Chile a true and reliable friend.",
        &ents,
    );
    assert!(
        has(&r, "Lotte Ahlberg", "Chile", Polarity::Support),
        "{r:?}"
    );
    let r = staged("Agrivia branded Kenji Oda a liar and a fraud.", &ents);
    assert!(has(&r, "Agrivia", "Kenji Oda", Polarity::Oppose), "{r:?}");
    let r = staged("Lotte Ahlberg described Peru as a dangerous threat.", &ents);
    assert!(has(&r, "Lotte Ahlberg", "Peru", Polarity::Oppose), "{r:?}");
    // A label without sentiment, a negated label verb, and a label that is not an article
    // phrase give no support/oppose record.
    for text in [
        "Chile called Peru a neighbour.",
        "Lotte Ahlberg did not describe Peru as a dangerous threat.",
        "Agrivia called Kenji Oda to thank him.",
    ] {
        let r = staged(text, &ents);
        assert!(
            !r.iter().any(|(_, _, p)| *p != Polarity::Neutral),
            "{text}: {r:?}"
        );
    }
}

#[test]
fn a_speaker_quoting_their_own_state_does_not_target_it() {
    let r = staged(
        "Peruvian Foreign Minister Rosa Quispe told reporters that Chile had violated the \
         fishing accord and that Lima would recall its ambassador.",
        &[
            ("Peruvian", "MISC"),
            ("Rosa Quispe", "PER"),
            ("Chile", "LOC"),
            ("Lima", "LOC"),
        ],
    );
    assert!(has(&r, "Rosa Quispe", "Chile", Polarity::Oppose), "{r:?}");
    assert!(!r.iter().any(|(_, t, _)| t == "Peru"), "{r:?}");
}

#[test]
fn former_states_act() {
    // Archive news names states that no longer exist; they act like any other state, and their
    // seat of government stands for them.
    let r = staged(
        "West Germany criticised Japan. Bonn later backed Yugoslavia.",
        &[
            ("West Germany", "LOC"),
            ("Japan", "LOC"),
            ("Bonn", "LOC"),
            ("Yugoslavia", "LOC"),
        ],
    );
    assert!(has(&r, "West Germany", "Japan", Polarity::Oppose), "{r:?}");
    assert!(
        has(&r, "West Germany", "Yugoslavia", Polarity::Support),
        "{r:?}"
    );
}
