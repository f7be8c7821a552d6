//! Rule-family tests on hand-written sentences.

use crate::actors::testutil::doc_from;
use crate::actors::{ActorResolver, ActorsConfig};
use crate::doc::{Doc, QuoteKind};

use super::{QuoteExtractor, QuotesConfig};

fn run(text: &str, ents: &[(&str, &str)]) -> Doc {
    let mut doc = doc_from(text, ents);
    ActorResolver::new(&ActorsConfig::default())
        .unwrap()
        .resolve(&mut doc);
    QuoteExtractor::new(&QuotesConfig::default())
        .unwrap()
        .extract(&mut doc);
    doc
}

/// (quote text, speaker key or None, cue, kind).
fn quotes(doc: &Doc) -> Vec<(String, Option<String>, String, QuoteKind)> {
    doc.quotes
        .iter()
        .map(|q| {
            (
                q.span.slice(&doc.text).to_string(),
                q.speaker.map(|a| doc.actors[a].key.clone()),
                q.cue.clone(),
                q.kind,
            )
        })
        .collect()
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn direct_quote_with_post_and_inverted_attribution() {
    let doc = run(
        "\"The bridge will hold,\" Irena Dvorak said. \"Nobody is leaving,\" said Paul Meyer.",
        &[("Irena Dvorak", "PER"), ("Paul Meyer", "PER")],
    );
    assert_eq!(
        quotes(&doc),
        vec![
            (
                "The bridge will hold".into(),
                s("irena dvorak"),
                "said".into(),
                QuoteKind::Direct
            ),
            (
                "Nobody is leaving".into(),
                s("paul meyer"),
                "said".into(),
                QuoteKind::Direct
            ),
        ]
    );
}

#[test]
fn split_quote_is_one_quote_with_a_pronoun_speaker() {
    let doc = run(
        "Irena Dvorak spoke first. “We will stay,” she said, “and we will rebuild.”",
        &[("Irena Dvorak", "PER")],
    );
    let q = quotes(&doc);
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].0, "We will stay,” she said, “and we will rebuild.");
    assert_eq!(q[0].1, s("irena dvorak"));
    assert_eq!(doc.quotes[0].speaker_text.as_deref(), Some("she"));
}

#[test]
fn pre_posed_attribution_and_appositive_speaker() {
    let doc = run(
        "Oleg Marin, standing next to Ivo Sandor, added: \"The vote stands.\"",
        &[("Oleg Marin", "PER"), ("Ivo Sandor", "PER")],
    );
    assert_eq!(
        quotes(&doc),
        vec![(
            "The vote stands.".into(),
            s("oleg marin"),
            "added".into(),
            QuoteKind::Direct
        )]
    );
}

#[test]
fn continuation_quotes_inherit_the_speaker_and_scare_quotes_are_skipped() {
    let doc = run(
        "\"We lost everything,\" Ana Petrova told reporters.\n\"The village is gone.\" Critics called the plan a \"sham.\"",
        &[("Ana Petrova", "PER")],
    );
    let q = quotes(&doc);
    assert_eq!(q.len(), 2, "{q:?}");
    assert_eq!(q[1].0, "The village is gone.");
    assert_eq!(q[1].1, s("ana petrova"));
}

#[test]
fn role_and_metonym_speakers() {
    let doc = run(
        "Croatian Foreign Minister Ivo Horvat arrived. \"The talks failed,\" the minister said. \
         The Kremlin said the talks had failed.",
        &[
            ("Ivo Horvat", "PER"),
            ("Croatian", "MISC"),
            ("Kremlin", "LOC"),
        ],
    );
    let q = quotes(&doc);
    assert_eq!(q[0].1, s("ivo horvat"));
    assert_eq!(
        q[1],
        (
            "the talks had failed".into(),
            s("russia"),
            "said".into(),
            QuoteKind::Indirect
        )
    );
}

#[test]
fn indirect_speech_patterns() {
    let doc = run(
        "Maria Lind said that the border would reopen. Tomas Ek told reporters the vote was fair. \
         Chile accused Peru of violating the treaty. Ines Vidal vowed to appeal the ruling. \
         The convoy left at dawn, officials said. According to Ines Vidal, nobody was hurt. \
         Peru has denied the allegations.",
        &[
            ("Maria Lind", "PER"),
            ("Tomas Ek", "PER"),
            ("Chile", "LOC"),
            ("Peru", "LOC"),
            ("Ines Vidal", "PER"),
        ],
    );
    let q = quotes(&doc);
    assert_eq!(
        q,
        vec![
            (
                "the border would reopen".into(),
                s("maria lind"),
                "said".into(),
                QuoteKind::Indirect
            ),
            (
                "the vote was fair".into(),
                s("tomas ek"),
                "told".into(),
                QuoteKind::Indirect
            ),
            (
                "Peru of violating the treaty".into(),
                s("chile"),
                "accused".into(),
                QuoteKind::Indirect
            ),
            (
                "appeal the ruling".into(),
                s("ines vidal"),
                "vowed".into(),
                QuoteKind::Indirect
            ),
            (
                "The convoy left at dawn".into(),
                None,
                "said".into(),
                QuoteKind::Indirect
            ),
            (
                "nobody was hurt".into(),
                s("ines vidal"),
                "According to".into(),
                QuoteKind::Indirect
            ),
        ]
    );
    assert_eq!(doc.quotes[4].speaker_text.as_deref(), Some("officials"));
}

#[test]
fn partial_quote_inside_reported_speech_is_one_direct_quote() {
    let doc = run(
        "Lea Roth described the proposal as \"a step backwards.\"",
        &[("Lea Roth", "PER")],
    );
    assert_eq!(
        quotes(&doc),
        vec![(
            "a step backwards.".into(),
            s("lea roth"),
            "described".into(),
            QuoteKind::Direct
        )]
    );
}

#[test]
fn extraction_never_panics() {
    let ex = QuoteExtractor::new(&QuotesConfig::default()).unwrap();
    for text in [
        "",
        "\"",
        "“”",
        "\" said",
        "said \"",
        "according to",
        "According to ,",
        "„x“ y «",
    ] {
        let mut doc = doc_from(text, &[]);
        ex.extract(&mut doc);
    }
}

#[test]
fn participle_speakers_follow_the_clause_subject() {
    let speaker = |text: &str, ents: &[(&str, &str)]| {
        let doc = run(text, ents);
        doc.quotes
            .iter()
            .find(|q| q.kind == QuoteKind::Indirect)
            .and_then(|q| q.speaker.map(|a| doc.actors[a].key.clone()))
    };
    // A contrast opens a clause with its own subject.
    assert_eq!(
        speaker(
            "The Volta Front accepted the proposal on Monday, but General Kofi Mensah rejected \
             it, saying the rebels could not be trusted.",
            &[("Volta Front", "ORG"), ("Kofi Mensah", "PER")],
        ),
        s("kofi mensah")
    );
    // A demonym or a possessive before the name is a modifier, not the subject.
    assert_eq!(
        speaker(
            "Danish shipping group Nordhavn Lines criticised the levy, saying the port fees \
             would drive trade away.",
            &[("Danish", "MISC"), ("Nordhavn Lines", "ORG")],
        ),
        s("nordhavn lines")
    );
    // A relative clause names nobody who speaks.
    assert_eq!(
        speaker(
            "Traders, who met Elena Sorel on Friday, opposed the tax, saying it would cost \
             jobs.",
            &[("Elena Sorel", "PER")],
        ),
        None
    );
    // The object of "to" before a participle is not its author ...
    assert_eq!(
        speaker(
            "The banks sent a letter to Ostmark Bank saying they would pay their share.",
            &[("Ostmark Bank", "ORG")],
        ),
        None
    );
    // ... but in "with X saying" X speaks.
    assert_eq!(
        speaker(
            "The plan was criticised, with the Farmers Union saying the subsidies came too \
             late.",
            &[("Farmers Union", "ORG")],
        ),
        s("farmers union")
    );
}
