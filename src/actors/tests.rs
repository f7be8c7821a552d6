//! Rule-family tests on hand-written sentences (entities given by hand, as an NER would tag
//! them in CoNLL labels).

use std::io::Write;

use crate::doc::{ActorType, Doc, MentionKind};

use super::testutil::doc_from;
use super::{ActorRegistry, ActorResolver, ActorsConfig};

fn resolve(text: &str, ents: &[(&str, &str)]) -> Doc {
    let r = ActorResolver::new(&ActorsConfig::default()).unwrap();
    let mut doc = doc_from(text, ents);
    r.resolve(&mut doc);
    doc
}

/// (surface, actor key, kind) of every mention.
fn mentions(doc: &Doc) -> Vec<(String, String, MentionKind)> {
    doc.mentions
        .iter()
        .map(|m| {
            (
                m.span.slice(&doc.text).to_string(),
                doc.actors[m.actor].key.clone(),
                m.kind,
            )
        })
        .collect()
}

fn actor<'a>(doc: &'a Doc, key: &str) -> &'a crate::doc::DocActor {
    doc.actors
        .iter()
        .find(|a| a.key == key)
        .unwrap_or_else(|| panic!("no actor {key} in {:?}", doc.actors))
}

fn key_of(doc: &Doc, surface: &str) -> Option<(String, MentionKind)> {
    mentions(doc)
        .into_iter()
        .find(|(s, _, _)| s == surface)
        .map(|(_, k, kind)| (k, kind))
}

#[test]
fn full_name_surname_and_title_are_one_person_with_affiliation() {
    let doc = resolve(
        "Ukrainian President Viktor Yushchenko opened the session. Yushchenko later left. \
         President Yushchenko returned in the evening.",
        &[
            ("Viktor Yushchenko", "PER"),
            ("Yushchenko", "PER"),
            ("Ukrainian", "MISC"),
        ],
    );
    let persons: Vec<_> = doc
        .actors
        .iter()
        .filter(|a| a.actor_type == ActorType::Person)
        .collect();
    assert_eq!(persons.len(), 1, "{:?}", doc.actors);
    let p = persons[0];
    assert_eq!(p.key, "viktor yushchenko");
    assert_eq!(p.canonical_name, "Viktor Yushchenko");
    assert_eq!(p.affiliation.as_deref(), Some("ukraine"));
    let n = doc
        .mentions
        .iter()
        .filter(|m| doc.actors[m.actor].key == p.key)
        .count();
    assert_eq!(n, 3);
    // The title's demonym is the affiliation, not a separate mention.
    assert!(key_of(&doc, "Ukrainian").is_none());
    assert!(doc.actors.iter().any(|a| a.key == "ukraine"));
}

#[test]
fn initials_with_and_without_periods_share_a_key() {
    let doc = resolve(
        "George W Bush spoke first. Then George W. Bush spoke again and Bush left.",
        &[
            ("George W Bush", "PER"),
            ("George W. Bush", "PER"),
            ("Bush", "PER"),
        ],
    );
    let keys: Vec<_> = mentions(&doc).into_iter().map(|(_, k, _)| k).collect();
    assert_eq!(keys, vec!["george w bush"; 3]);
    assert_eq!(
        actor(&doc, "george w bush").canonical_name,
        "George W. Bush"
    );
}

#[test]
fn misspelt_names_match_known_and_in_document_names() {
    let doc = resolve(
        "Condoleeza Rice landed on Monday. Rice met Gennady Petrov, and Genady Petrov thanked her. \
         Aid reached Abhkazia by evening.",
        &[
            ("Condoleeza Rice", "PER"),
            ("Rice", "PER"),
            ("Gennady Petrov", "PER"),
            ("Genady Petrov", "PER"),
            ("Abhkazia", "LOC"),
        ],
    );
    assert_eq!(
        key_of(&doc, "Condoleeza Rice").unwrap().0,
        "condoleezza rice"
    );
    assert_eq!(key_of(&doc, "Rice").unwrap().0, "condoleezza rice");
    assert_eq!(
        actor(&doc, "condoleezza rice").canonical_name,
        "Condoleezza Rice"
    );
    assert_eq!(key_of(&doc, "Genady Petrov").unwrap().0, "gennady petrov");
    let ab = key_of(&doc, "Abhkazia").unwrap();
    assert_eq!(ab.0, "abkhazia");
    assert_eq!(actor(&doc, "abkhazia").actor_type, ActorType::State);
}

#[test]
fn acting_capitals_and_seats_are_states_but_locations_stay_places() {
    let doc = resolve(
        "The Kremlin rejected the offer on Friday. Envoys later met at the Kremlin. \
         Tbilisi accused Moscow of stalling. Shelling continued near Tbilisi.",
        &[("Kremlin", "LOC"), ("Tbilisi", "LOC"), ("Moscow", "LOC")],
    );
    let m = mentions(&doc);
    assert_eq!(
        m[0],
        ("Kremlin".into(), "russia".into(), MentionKind::Metonym)
    );
    assert_eq!(
        m[1],
        ("Kremlin".into(), "kremlin".into(), MentionKind::Name)
    );
    assert_eq!(
        m[2],
        ("Tbilisi".into(), "georgia".into(), MentionKind::Metonym)
    );
    assert_eq!(
        m[3],
        ("Moscow".into(), "russia".into(), MentionKind::Metonym)
    );
    assert_eq!(
        m[4],
        ("Tbilisi".into(), "tbilisi".into(), MentionKind::Name)
    );
    let t = actor(&doc, "tbilisi");
    assert_eq!(t.actor_type, ActorType::Place);
    assert_eq!(t.affiliation.as_deref(), Some("georgia"));
}

#[test]
fn metonyms_can_be_switched_off() {
    let cfg = ActorsConfig {
        metonyms: false,
        ..ActorsConfig::default()
    };
    let r = ActorResolver::new(&cfg).unwrap();
    let mut doc = doc_from("The Kremlin rejected the offer.", &[("Kremlin", "LOC")]);
    r.resolve(&mut doc);
    assert_eq!(
        key_of(&doc, "Kremlin").unwrap(),
        ("kremlin".into(), MentionKind::Name)
    );
}

#[test]
fn demonyms_with_group_nouns_name_their_state() {
    let doc = resolve(
        "Armenian troops withdrew while the Azerbaijani government protested. Talks resumed.",
        &[("Armenian", "MISC"), ("Azerbaijani", "MISC")],
    );
    assert_eq!(
        key_of(&doc, "Armenian troops").unwrap(),
        ("armenia".into(), MentionKind::Demonym)
    );
    assert_eq!(
        key_of(&doc, "Azerbaijani government").unwrap(),
        ("azerbaijan".into(), MentionKind::Demonym)
    );
    // State media speak for their state; other media do not.
    let doc = resolve(
        "Chinese state media praised the deal, and Finnish media reported it. Talks resumed.",
        &[("Chinese", "MISC"), ("Finnish", "MISC")],
    );
    assert_eq!(
        key_of(&doc, "Chinese state media").unwrap(),
        ("china".into(), MentionKind::Demonym)
    );
    assert!(key_of(&doc, "Finnish media").is_none());
}

#[test]
fn role_mentions_resolve_to_the_named_person() {
    let doc = resolve(
        "Moldovan President Vladimir Voronin arrived in Brussels. Journalists asked about gas. \
         The Moldovan president said talks would continue. The minister was absent.",
        &[
            ("Vladimir Voronin", "PER"),
            ("Moldovan", "MISC"),
            ("Brussels", "LOC"),
        ],
    );
    assert_eq!(
        key_of(&doc, "The Moldovan president").unwrap(),
        ("vladimir voronin".into(), MentionKind::Role)
    );
    // No minister is named: the role stays unresolved.
    assert!(key_of(&doc, "The minister").is_none());
    // "arrived in Brussels": a location, so a place (not the EU).
    assert_eq!(key_of(&doc, "Brussels").unwrap().0, "brussels");
}

#[test]
fn pronoun_speakers_agree_in_gender_and_skip_quotes() {
    let doc = resolve(
        "Angela Merkel met Nicolas Sarkozy in Berlin. She said the talks were useful. \
         Sarkozy smiled. \"We agree,\" he added.",
        &[
            ("Angela Merkel", "PER"),
            ("Nicolas Sarkozy", "PER"),
            ("Sarkozy", "PER"),
            ("Berlin", "LOC"),
        ],
    );
    assert_eq!(
        key_of(&doc, "She").unwrap(),
        ("angela merkel".into(), MentionKind::Pronoun)
    );
    assert_eq!(
        key_of(&doc, "he").unwrap(),
        ("nicolas sarkozy".into(), MentionKind::Pronoun)
    );
    // Inside quotation marks a pronoun is not resolved.
    let doc = resolve(
        "Jan Kowalski spoke. \"He said nothing,\" Kowalski added.",
        &[("Jan Kowalski", "PER"), ("Kowalski", "PER")],
    );
    assert!(key_of(&doc, "He").is_none());
}

#[test]
fn sentence_initial_pronouns_are_subjects_and_chain() {
    let doc = resolve(
        "Maria Lopez flew to Lima with Pedro Gomez. She met officials there. \
         She will not visit Quito, and the trip ended where she began it.",
        &[
            ("Maria Lopez", "PER"),
            ("Pedro Gomez", "PER"),
            ("Lima", "LOC"),
            ("Quito", "LOC"),
        ],
    );
    let pronouns: Vec<(String, String)> = doc
        .mentions
        .iter()
        .filter(|m| m.kind == MentionKind::Pronoun)
        .map(|m| {
            (
                m.span.slice(&doc.text).to_string(),
                doc.actors[m.actor].key.clone(),
            )
        })
        .collect();
    // Both sentence-opening "She"s resolve to the leftmost person of the nearest sentence (the
    // second one through the first); the mid-sentence "she" without a speech verb is left alone.
    assert_eq!(
        pronouns,
        vec![
            ("She".to_string(), "maria lopez".to_string()),
            ("She".to_string(), "maria lopez".to_string()),
        ]
    );
}

#[test]
fn organisations_by_acronym_name_and_noun() {
    let doc = resolve(
        "NATO met in Riga. The North Atlantic Treaty Organization issued a statement, \
         and the alliance said more talks were needed. Russia's Foreign Ministry said it was concerned.",
        &[
            ("NATO", "ORG"),
            ("Riga", "LOC"),
            ("North Atlantic Treaty Organization", "ORG"),
            ("Russia", "LOC"),
            ("Foreign Ministry", "ORG"),
        ],
    );
    assert_eq!(
        key_of(&doc, "NATO").unwrap(),
        ("nato".into(), MentionKind::Name)
    );
    assert_eq!(
        key_of(&doc, "North Atlantic Treaty Organization").unwrap(),
        ("nato".into(), MentionKind::Alias)
    );
    assert_eq!(
        key_of(&doc, "the alliance").unwrap(),
        ("nato".into(), MentionKind::Role)
    );
    let fm = actor(&doc, "foreign ministry of russia");
    assert_eq!(fm.actor_type, ActorType::Organisation);
    assert_eq!(fm.affiliation.as_deref(), Some("russia"));
}

#[test]
fn lexicon_finds_names_the_ner_missed_but_not_inside_longer_names() {
    let doc = resolve(
        "The European Union and Ukraine signed a deal. The Washington Post reported it.",
        &[],
    );
    assert_eq!(
        key_of(&doc, "The European Union").unwrap().0,
        "european union"
    );
    assert_eq!(key_of(&doc, "Ukraine").unwrap().0, "ukraine");
    assert!(mentions(&doc).iter().all(|(s, _, _)| s != "Washington"));
    // Acronyms match only in capitals: "us" is a pronoun.
    let doc = resolve("They told us the US would help.", &[]);
    let m = mentions(&doc);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].1, "united states");
}

#[test]
fn punctuation_never_joins_a_title() {
    let doc = resolve(
        "\"There will be no talks with Georgia,\" Lev Adamia said.",
        &[("Georgia", "LOC"), ("Lev Adamia", "PER")],
    );
    assert_eq!(actor(&doc, "lev adamia").affiliation, None);
    assert_eq!(key_of(&doc, "Georgia").unwrap().0, "georgia");
}

#[test]
fn appositives_give_affiliation_and_office() {
    let doc = resolve(
        "Nika Beridze, Georgia's energy minister, visited the plant. The minister said output rose.",
        &[("Nika Beridze", "PER"), ("Georgia", "LOC")],
    );
    let p = actor(&doc, "nika beridze");
    assert_eq!(p.affiliation.as_deref(), Some("georgia"));
    assert_eq!(
        key_of(&doc, "The minister").unwrap(),
        ("nika beridze".into(), MentionKind::Role)
    );
}

#[test]
fn alias_file_overrides_and_extends_knowledge() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aliases.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "name,alias,kind,type,affiliation,gender").unwrap();
    writeln!(f, "Condoleezza Rice,Condi,alias,,,").unwrap();
    writeln!(f, "Ruritania,,,state,,").unwrap();
    writeln!(f, "Ruritania,Strelsau,capital,,,").unwrap();
    writeln!(f, "Ruritania,Ruritanian,demonym,,,").unwrap();
    writeln!(f, "Ruritania,Brussels,capital,,,").unwrap();
    drop(f);
    let cfg = ActorsConfig {
        alias_file: Some(path),
        ..ActorsConfig::default()
    };
    let r = ActorResolver::new(&cfg).unwrap();
    let mut doc = doc_from(
        "Condi flew in. Strelsau warned the neighbours, and Ruritanian troops moved. Brussels said nothing.",
        &[("Condi", "PER"), ("Strelsau", "LOC"), ("Ruritanian", "MISC"), ("Brussels", "LOC")],
    );
    r.resolve(&mut doc);
    assert_eq!(
        key_of(&doc, "Condi").unwrap(),
        ("condoleezza rice".into(), MentionKind::Alias)
    );
    assert_eq!(
        key_of(&doc, "Strelsau").unwrap(),
        ("ruritania".into(), MentionKind::Metonym)
    );
    assert_eq!(
        key_of(&doc, "Ruritanian troops").unwrap(),
        ("ruritania".into(), MentionKind::Demonym)
    );
    // The user's mapping of "Brussels" replaces the built-in one (European Union).
    assert_eq!(
        key_of(&doc, "Brussels").unwrap(),
        ("ruritania".into(), MentionKind::Metonym)
    );
    assert_eq!(actor(&doc, "ruritania").actor_type, ActorType::State);

    // Errors name the file and line.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "name,alias,type\nAtlantis,,continent\n").unwrap();
    let cfg = ActorsConfig {
        alias_file: Some(bad),
        ..ActorsConfig::default()
    };
    let e = ActorResolver::new(&cfg).unwrap_err().to_string();
    assert!(e.contains("bad.csv:2") && e.contains("continent"), "{e}");
}

#[test]
fn no_panic_on_odd_documents() {
    let r = ActorResolver::new(&ActorsConfig::default()).unwrap();
    for text in [
        "", "   ", "\"", "“", "He said.", "the", "'s 's", "Ж Ж Ж", "NATO's",
    ] {
        let mut doc = doc_from(text, &[]);
        r.resolve(&mut doc);
        let mut doc = doc_from(text, &[(text.trim(), "PER")]);
        r.resolve(&mut doc);
    }
    // Entities with broken token ranges fall back to their byte spans.
    let mut doc = doc_from("Dmitry Medvedev spoke.", &[("Dmitry Medvedev", "PER")]);
    doc.entities[0].token_start = 99;
    doc.entities[0].token_end = 120;
    r.resolve(&mut doc);
    assert_eq!(doc.actors[0].key, "dmitry medvedev");
}

fn registry_docs() -> Vec<Doc> {
    vec![
        resolve("Dmitry Medvedev spoke.", &[("Dmitry Medvedev", "PER")]),
        resolve(
            "Dmitry Medvedev spoke again.",
            &[("Dmitry Medvedev", "PER")],
        ),
        resolve("Medvedev was silent.", &[("Medvedev", "PER")]),
        resolve(
            "Boris Tadic spoke. Boris Tadic left.",
            &[("Boris Tadic", "PER")],
        ),
        resolve("Boris Tadic arrived.", &[("Boris Tadic", "PER")]),
        resolve("Borys Tadic arrived.", &[("Borys Tadic", "PER")]),
        resolve("Tadic arrived.", &[("Tadic", "PER")]),
        resolve(
            "John Smith met Jane Smith. Smith spoke.",
            &[("John Smith", "PER"), ("Jane Smith", "PER")],
        ),
        resolve("Smith spoke.", &[("Smith", "PER")]),
        resolve("Tskhinvali was shelled.", &[("Tskhinvali", "LOC")]),
        resolve("Tskhinvali burned.", &[("Tskhinvali", "LOC")]),
        resolve("Tshinvali was quiet.", &[("Tshinvali", "LOC")]),
    ]
}

#[test]
fn corpus_pass_merges_surnames_and_misspellings_whatever_the_order() {
    let cfg = ActorsConfig::default();
    let docs = registry_docs();
    let mut a = ActorRegistry::new(&cfg);
    for d in &docs {
        a.observe(d);
    }
    let ca = a.finalize();
    // Reverse order, in two shards merged the other way round.
    let mut s1 = ActorRegistry::new(&cfg);
    let mut s2 = ActorRegistry::new(&cfg);
    for (i, d) in docs.iter().rev().enumerate() {
        if i % 2 == 0 {
            s1.observe(d)
        } else {
            s2.observe(d)
        }
    }
    s2.merge(s1);
    let cb = s2.finalize();
    assert_eq!(ca.records(), cb.records());

    let id = |k: &str| ca.actor_id(k).map(str::to_string);
    assert_eq!(id("medvedev"), id("dmitry medvedev"));
    assert_eq!(id("borys tadic"), id("boris tadic"));
    assert_eq!(id("tadic"), id("boris tadic"));
    assert_eq!(id("tshinvali"), id("tskhinvali"));
    // Two full names end in "smith": the bare surname stays separate.
    assert_ne!(id("smith"), id("john smith"));
    assert_ne!(id("john smith"), id("jane smith"));
    let rec = ca
        .records()
        .iter()
        .find(|r| Some(r.actor_id.clone()) == id("boris tadic"))
        .unwrap();
    assert_eq!(rec.canonical_name, "Boris Tadic");
    assert_eq!(rec.n_mentions, 5);
    assert_eq!(rec.actor_id.len(), 12);
    assert!(rec.aliases.contains(&"Borys Tadic".to_string()));
    let med = ca
        .records()
        .iter()
        .find(|r| r.key == "dmitry medvedev")
        .unwrap();
    assert_eq!(med.affiliation_actor_id.as_deref(), id("russia").as_deref());
}

#[test]
fn random_documents_and_entities_never_panic_and_stay_consistent() {
    let r = ActorResolver::new(&ActorsConfig::default()).unwrap();
    let x = crate::quotes::QuoteExtractor::new(&crate::quotes::QuotesConfig::default()).unwrap();
    let words = [
        "Russia",
        "said",
        "\"",
        "“",
        "”",
        "he",
        "she",
        "the",
        "Kremlin",
        "Moscow",
        "Georgian",
        "president",
        "troops",
        ",",
        ".",
        "'s",
        "NATO",
        "according",
        "to",
        "Medvedev",
        "Dmitry",
        "in",
        "warned",
        "that",
        "\n",
        "Ж",
        "é",
        "Abhkazia",
        "of",
        "accused",
        "told",
        "reporters",
    ];
    let labels = ["PER", "ORG", "LOC", "MISC", "GPE", "NORP", "DATE"];
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for _ in 0..300 {
        let n = next() % 40;
        let text: Vec<&str> = (0..n).map(|_| words[next() % words.len()]).collect();
        let text = text.join(" ");
        let mut doc = doc_from(&text, &[]);
        // Random entities, some with broken ranges and spans off char boundaries.
        for _ in 0..next() % 6 {
            let len = doc.text.len().max(1);
            let a = next() % len;
            let b = a + next() % 12;
            let ts = next() % (doc.tokens.len() + 2);
            doc.entities.push(crate::doc::Entity {
                sent: 0,
                token_start: ts,
                token_end: ts + next() % 4,
                span: crate::doc::ByteSpan::new(a, b),
                label: labels[next() % labels.len()].to_string(),
                score: 0.9,
            });
        }
        r.resolve(&mut doc);
        x.extract(&mut doc);
        for m in &doc.mentions {
            assert!(m.actor < doc.actors.len());
            assert!(m.span.end <= doc.text.len());
        }
        for a in &doc.actors {
            if let Some(aff) = &a.affiliation {
                assert!(doc.actors.iter().any(|b| &b.key == aff), "{aff} missing");
            }
        }
        for q in &doc.quotes {
            assert!(q.span.end <= doc.text.len());
            assert!(q.speaker.is_none_or(|s| s < doc.actors.len()));
        }
    }
}

#[test]
fn an_acronym_joins_the_organisation_the_document_writes_out() {
    let doc = resolve(
        "The Federal Grain Inspection Board fined the mill. The FGIB said more fines would follow.",
        &[("Federal Grain Inspection Board", "ORG"), ("FGIB", "ORG")],
    );
    assert_eq!(
        key_of(&doc, "FGIB").unwrap(),
        ("federal grain inspection board".into(), MentionKind::Alias)
    );
    // The acronym's own actor is gone: one actor, both mentions.
    assert_eq!(doc.actors.len(), 1, "{:?}", doc.actors);
    assert!(actor(&doc, "federal grain inspection board")
        .aliases
        .contains(&"FGIB".to_string()));
    // Function words do not count, and a document spelling out another name beats the built-in
    // reading ("EC" is the European Commission in the knowledge base).
    let doc = resolve(
        "The European Community raised quotas. The EC said farmers would gain.",
        &[("European Community", "ORG"), ("EC", "ORG")],
    );
    assert_eq!(key_of(&doc, "EC").unwrap().0, "european community");
    // Without the full name the built-in reading stays.
    let doc = resolve("The EC said farmers would gain.", &[("EC", "ORG")]);
    assert_eq!(key_of(&doc, "EC").unwrap().0, "european commission");
}

#[test]
fn a_listed_acronym_keeps_its_reading_and_absorbs_an_unlisted_spelling() {
    // The knowledge base names ASEAN by its acronym and lists "Association of Southeast Asian
    // Nations"; this spelling is not listed.
    let doc = resolve(
        "The Association of South-East Asian Nations met in Hanoi. ASEAN said trade grew.",
        &[
            ("Association of South-East Asian Nations", "ORG"),
            ("Hanoi", "LOC"),
            ("ASEAN", "ORG"),
        ],
    );
    assert_eq!(key_of(&doc, "ASEAN").unwrap().0, "asean");
    assert_eq!(
        key_of(&doc, "Association of South-East Asian Nations").unwrap(),
        ("asean".into(), MentionKind::Alias)
    );
}

#[test]
fn an_acronym_stays_alone_when_the_document_is_ambiguous_or_silent() {
    // Two written-out names with the same initials: no guess.
    let doc = resolve(
        "The Grain Board and the Gravel Bureau met. The GB declined to comment.",
        &[
            ("Grain Board", "ORG"),
            ("Gravel Bureau", "ORG"),
            ("GB", "ORG"),
        ],
    );
    assert_eq!(key_of(&doc, "GB").unwrap().0, "gb");
    // A name that contains the acronym is not what it stands for.
    let doc = resolve(
        "The FGIB Council met. The FGIB said nothing.",
        &[("FGIB Council", "ORG"), ("FGIB", "ORG")],
    );
    assert_eq!(key_of(&doc, "FGIB").unwrap().0, "fgib");
    // Persons' initials are not acronyms of organisations.
    let doc = resolve(
        "Frank Gill said the FG plant would close.",
        &[("Frank Gill", "PER"), ("FG", "ORG")],
    );
    assert_eq!(key_of(&doc, "FG").unwrap().0, "fg");
    // Switched off.
    let cfg = ActorsConfig {
        acronyms: false,
        ..ActorsConfig::default()
    };
    let r = ActorResolver::new(&cfg).unwrap();
    let mut doc = doc_from(
        "The Federal Grain Inspection Board fined the mill. The FGIB said more fines would follow.",
        &[("Federal Grain Inspection Board", "ORG"), ("FGIB", "ORG")],
    );
    r.resolve(&mut doc);
    assert_eq!(key_of(&doc, "FGIB").unwrap().0, "fgib");
}

#[test]
fn corpus_pass_merges_an_acronym_written_alone_onto_its_linked_full_name() {
    let linked =
        "The Federal Grain Inspection Board fined the mill. The FGIB said more would follow.";
    let ents = [("Federal Grain Inspection Board", "ORG"), ("FGIB", "ORG")];
    let alone = resolve("The FGIB fined a second mill.", &[("FGIB", "ORG")]);
    let full = "federal grain inspection board";
    // Two documents linking them: the lone acronym joins the full name.
    let mut reg = ActorRegistry::new(&ActorsConfig::default());
    reg.observe(&resolve(linked, &ents));
    reg.observe(&resolve(linked, &ents));
    reg.observe(&alone);
    let ca = reg.finalize();
    assert_eq!(ca.actor_id("fgib"), ca.actor_id(full));
    // One linking document is not enough evidence.
    let mut reg = ActorRegistry::new(&ActorsConfig::default());
    reg.observe(&resolve(linked, &ents));
    reg.observe(&alone);
    let ca = reg.finalize();
    assert_ne!(ca.actor_id("fgib"), ca.actor_id(full));
    // Nor are two documents when as many link the acronym to another name.
    let other =
        "The Fish and Game Inspection Bureau fined the mill. The FGIB said more would follow.";
    let other_ents = [("Fish and Game Inspection Bureau", "ORG"), ("FGIB", "ORG")];
    let mut reg = ActorRegistry::new(&ActorsConfig::default());
    for _ in 0..2 {
        reg.observe(&resolve(linked, &ents));
        reg.observe(&resolve(other, &other_ents));
    }
    reg.observe(&alone);
    let ca = reg.finalize();
    assert_ne!(ca.actor_id("fgib"), ca.actor_id(full));
    // Switched off.
    let cfg = ActorsConfig {
        corpus_merge_acronyms: false,
        ..ActorsConfig::default()
    };
    let mut reg = ActorRegistry::new(&cfg);
    reg.observe(&resolve(linked, &ents));
    reg.observe(&resolve(linked, &ents));
    reg.observe(&alone);
    let ca = reg.finalize();
    assert_ne!(ca.actor_id("fgib"), ca.actor_id(full));
}
