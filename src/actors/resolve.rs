//! Actor resolution inside one document: entity mentions (and gazetteer matches the NER
//! missed) become mentions of canonical actors.
//!
//! Order of work: (1) candidates from NER entities and from a lexicon scan of the remaining
//! tokens; (2) titles and appositives of person candidates; (3) persons grouped; (4) states,
//! organisations, groups, places, metonyms and demonyms; (5) lone surnames of the document's
//! persons that NER missed; (6) role mentions; (7) pronoun speakers; (8) the actor table.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use crate::doc::{ActorType, ByteSpan, Doc, DocActor, Mention, MentionKind};

use super::demonyms::group_extension;
use super::fuzzy::Fuzzy;
use super::knowledge::{Entry, Gender, Knowledge, Surface, SurfaceKind};
use super::lexicon::lexicon_scan;
use super::metonyms::acting;
use super::names::{
    is_all_caps, is_capitalized, is_possessive_token, key_words, normalize_key, one_line,
};
use super::orgs::org_identity;
use super::persons::{cluster, PersonObs};
use super::pronouns::{antecedent, subject_pronouns};
use super::roles::{appositive_after, role_nps, title_before};
use super::view::TokenView;
use super::ActorsConfig;

/// Coarse entity class, from CoNLL (PER/ORG/LOC/MISC) or OntoNotes labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// PER, PERSON.
    Person,
    /// ORG.
    Org,
    /// LOC, GPE, FAC.
    Loc,
    /// MISC, NORP.
    Misc,
}

impl Class {
    fn of_label(label: &str) -> Option<Class> {
        Some(match label.to_ascii_uppercase().as_str() {
            "PER" | "PERSON" => Class::Person,
            "ORG" => Class::Org,
            "LOC" | "GPE" | "FAC" => Class::Loc,
            "MISC" | "NORP" => Class::Misc,
            _ => return None,
        })
    }
}

/// An entity as a token range.
#[derive(Debug, Clone)]
pub struct Ent {
    /// Tokens.
    pub toks: Range<usize>,
    /// Class.
    pub class: Class,
}

/// An affiliation: the state or organisation a person or body belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct AffRef {
    /// Key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Type.
    pub ty: ActorType,
    /// Its own affiliation key.
    pub aff: Option<String>,
}

impl AffRef {
    /// From a knowledge entry.
    pub fn from_entry(e: &Entry) -> AffRef {
        AffRef {
            key: e.key.clone(),
            name: e.name.clone(),
            ty: e.actor_type,
            aff: e.affiliation.clone(),
        }
    }
}

/// Shared state of one resolution.
pub struct Ctx<'a> {
    /// Knowledge.
    pub kb: &'a Knowledge,
    /// Config.
    pub cfg: &'a ActorsConfig,
    /// Fuzzy policy.
    pub fz: Fuzzy,
    /// Tokens.
    pub v: TokenView<'a>,
    /// Entities, in order, non-overlapping.
    pub ents: Vec<Ent>,
    ent_start: HashMap<usize, usize>,
    ent_end: HashMap<usize, usize>,
}

impl<'a> Ctx<'a> {
    /// Entity starting at token `i`.
    pub fn entity_starting_at(&self, i: usize) -> Option<&Ent> {
        self.ent_start.get(&i).and_then(|&k| self.ents.get(k))
    }

    /// Entity ending at token `end` (exclusive).
    pub fn entity_ending_at(&self, end: usize) -> Option<&Ent> {
        self.ent_end.get(&end).and_then(|&k| self.ents.get(k))
    }

    /// Text of tokens `r` with whitespace runs collapsed and a leading "the" dropped.
    pub fn display(&self, r: Range<usize>) -> String {
        let mut s = r.start;
        if r.len() > 1 && self.v.key(s) == "the" {
            s += 1;
        }
        let mut r = s..r.end;
        while r.len() > 1 && is_possessive_token(self.v.tok(r.end - 1)) {
            r.end -= 1;
        }
        one_line(self.v.text_of(r))
    }

    /// The knowledge surface of tokens `r`, honouring capitals-only acronyms.
    pub fn kb_match(&self, r: Range<usize>) -> Option<Surface> {
        // Every token must be a word: punctuation would otherwise be transparent to the key
        // ("Georgia ," would match "Georgia").
        if r.is_empty() || r.clone().any(|i| self.v.key(i).is_empty()) {
            return None;
        }
        let key = self.v.key_of(r.clone());
        if key.is_empty() {
            return None;
        }
        let s = self.kb.surface(&key)?;
        if s.caps_only {
            let all_caps = r
                .clone()
                .filter(|&i| self.v.key(i) != "the" && !self.v.key(i).is_empty())
                .all(|i| is_all_caps(self.v.tok(i)));
            if !all_caps {
                return None;
            }
        }
        // Surfaces are written capitalised; "georgian" or "west" in lowercase are words.
        let first = r
            .clone()
            .find(|&i| self.v.key(i) != "the" || r.len() == 1)
            .unwrap_or(r.start);
        if !is_capitalized(self.v.tok(first)) {
            return None;
        }
        Some(s)
    }

    /// Longest knowledge surface starting at token `i` and ending by `limit`.
    pub fn kb_longest_at(&self, i: usize, limit: usize) -> Option<(Range<usize>, Surface)> {
        // Skip quickly unless the first word (after "the") can start a surface.
        let first = if self.v.key(i) == "the" { i + 1 } else { i };
        let w = key_words(self.v.key(first)).first().copied().unwrap_or("");
        if !self.kb.starts_surface(w) {
            return None;
        }
        let max = self.kb.max_surface_words + 1;
        let end = limit.min(i + max);
        (i + 1..=end)
            .rev()
            .find_map(|e| self.kb_match(i..e).map(|s| (i..e, s)))
    }

    /// Longest knowledge surface ending at token `end` (exclusive), starting at or after `limit`.
    pub fn kb_longest_ending_at(
        &self,
        end: usize,
        limit: usize,
    ) -> Option<(Range<usize>, Surface)> {
        let max = self.kb.max_surface_words + 1;
        let start = end.saturating_sub(max).max(limit);
        (start..end).find_map(|s| self.kb_match(s..end).map(|m| (s..end, m)))
    }
}

/// A mention before actors are numbered.
struct RawMention {
    toks: Range<usize>,
    actor: usize,
    kind: MentionKind,
}

/// An actor before numbering.
struct Proto {
    key: String,
    name: String,
    ty: ActorType,
    aff: Option<String>,
    gender: Gender,
}

/// Actors and mentions being collected.
#[derive(Default)]
struct Out {
    actors: Vec<Proto>,
    by_key: HashMap<String, usize>,
    mentions: Vec<RawMention>,
    taken: Vec<bool>,
}

impl Out {
    fn actor(&mut self, key: &str, name: &str, ty: ActorType, aff: Option<&str>) -> usize {
        if let Some(&a) = self.by_key.get(key) {
            if self.actors[a].aff.is_none() {
                self.actors[a].aff = aff.filter(|a| *a != key).map(str::to_string);
            }
            return a;
        }
        self.actors.push(Proto {
            key: key.to_string(),
            name: name.to_string(),
            ty,
            aff: aff.filter(|a| *a != key).map(str::to_string),
            gender: Gender::Unknown,
        });
        self.by_key.insert(key.to_string(), self.actors.len() - 1);
        self.actors.len() - 1
    }

    fn entry_actor(&mut self, e: &Entry) -> usize {
        self.actor(&e.key, &e.name, e.actor_type, e.affiliation.as_deref())
    }

    fn aff_actor(&mut self, a: &AffRef) -> usize {
        self.actor(&a.key, &a.name, a.ty, a.aff.as_deref())
    }

    fn free(&self, r: &Range<usize>) -> bool {
        r.clone()
            .all(|i| !self.taken.get(i).copied().unwrap_or(true))
    }

    fn mention(&mut self, toks: Range<usize>, actor: usize, kind: MentionKind) {
        for i in toks.clone() {
            if let Some(t) = self.taken.get_mut(i) {
                *t = true;
            }
        }
        self.mentions.push(RawMention { toks, actor, kind });
    }
}

/// Resolves the actors of `doc` in place.
pub fn resolve_doc(kb: &Knowledge, cfg: &ActorsConfig, fz: Fuzzy, doc: &mut Doc) {
    doc.actors.clear();
    doc.mentions.clear();
    if doc.tokens.is_empty() {
        return;
    }
    let quoted = crate::quotes::marks::quoted_spans(&doc.text);
    let v = TokenView::new(doc, &quoted);
    let n = v.len();

    // (1) Entities as token ranges, in order and non-overlapping.
    let mut ents: Vec<Ent> = Vec::new();
    let mut sorted: Vec<&crate::doc::Entity> = doc
        .entities
        .iter()
        .filter(|e| e.score >= cfg.min_entity_score)
        .collect();
    sorted.sort_by_key(|e| (e.span.start, std::cmp::Reverse(e.span.end)));
    for e in sorted {
        let Some(class) = Class::of_label(&e.label) else {
            continue;
        };
        let toks = if e.token_start < e.token_end && e.token_end <= n {
            e.token_start..e.token_end
        } else {
            v.tokens_in(e.span)
        };
        if toks.is_empty() || ents.last().is_some_and(|l| l.toks.end > toks.start) {
            continue;
        }
        ents.push(Ent { toks, class });
    }
    let ent_start = ents
        .iter()
        .enumerate()
        .map(|(k, e)| (e.toks.start, k))
        .collect();
    let ent_end = ents
        .iter()
        .enumerate()
        .map(|(k, e)| (e.toks.end, k))
        .collect();
    let ctx = Ctx {
        kb,
        cfg,
        fz,
        v,
        ents,
        ent_start,
        ent_end,
    };
    let v = &ctx.v;

    // Candidates: (tokens, class, knowledge surface).
    let mut cands: Vec<(Range<usize>, Class, Option<Surface>)> = Vec::new();
    let mut in_ent = vec![false; n];
    for e in &ctx.ents {
        let mut r = e.toks.clone();
        while r.len() > 1 && is_possessive_token(v.tok(r.end - 1)) {
            r.end -= 1;
        }
        for t in e.toks.clone() {
            if let Some(x) = in_ent.get_mut(t) {
                *x = true;
            }
        }
        let surface = ctx.kb_match(r.clone());
        cands.push((r, e.class, surface));
    }
    if cfg.lexicon_scan {
        lexicon_scan(&ctx, &in_ent, &mut cands);
    }
    cands.sort_by_key(|c| c.0.start);

    // (2) Person candidates with their titles.
    let mut consumed = vec![false; n];
    let mut obs: Vec<PersonObs> = Vec::new();
    let mut others = Vec::new();
    for (r, class, surface) in cands {
        let kb_person = surface
            .and_then(|s| kb.entry(s.entry))
            .is_some_and(|e| e.actor_type == ActorType::Person);
        // A seat of government is a hand-listed phrase, strong enough to overrule a PER tag
        // ("Uncle Sam"); a capital is not ("Washington" may be a person's name).
        let kb_strong_other = surface.is_some_and(|s| {
            matches!(
                s.kind,
                SurfaceKind::Name | SurfaceKind::Alias | SurfaceKind::Seat
            ) && kb
                .entry(s.entry)
                .is_some_and(|e| e.actor_type != ActorType::Person)
        });
        if kb_person || (class == Class::Person && !kb_strong_other) {
            if let Some(o) = person_obs(&ctx, r.clone()) {
                for t in o.title.toks.clone().chain(o.appositive.clone()) {
                    if let Some(c) = consumed.get_mut(t) {
                        *c = true;
                    }
                }
                obs.push(o);
            }
        } else {
            others.push((r, class, surface));
        }
    }
    obs.sort_by_key(|o| o.toks.start);

    let mut out = Out {
        taken: consumed.clone(),
        ..Out::default()
    };
    // (3) Persons.
    let (clusters, assign) = cluster(&ctx, &obs);
    let mut cluster_actor = Vec::with_capacity(clusters.len());
    for c in &clusters {
        let aff_key = c.aff.as_ref().map(|a| {
            out.aff_actor(a);
            a.key.clone()
        });
        let a = out.actor(&c.key, &c.name, ActorType::Person, aff_key.as_deref());
        out.actors[a].gender = c.gender;
        cluster_actor.push(a);
    }
    for (i, o) in obs.iter().enumerate() {
        let Some(&a) = assign.get(i).and_then(|&c| cluster_actor.get(c)) else {
            continue;
        };
        let listed_alias = kb
            .surface(&o.key)
            .is_some_and(|s| s.kind == SurfaceKind::Alias && s.user);
        let kind = if listed_alias {
            MentionKind::Alias
        } else {
            MentionKind::Name
        };
        if out.free(&o.toks) {
            out.mention(o.toks.clone(), a, kind);
        }
    }
    let person_keys: HashMap<String, usize> = clusters
        .iter()
        .zip(&cluster_actor)
        .flat_map(|(c, &a)| {
            let mut ks: Vec<(String, usize)> = c.fulls.iter().map(|f| (f.clone(), a)).collect();
            ks.push((c.key.clone(), a));
            ks
        })
        .collect();

    // (4) States, organisations, groups, places, metonyms, demonyms.
    for (r, class, surface) in others {
        if !out.free(&r) {
            continue;
        }
        other_mention(&ctx, &mut out, r, class, surface, &person_keys);
    }

    // (5) Surnames of this document's persons that NER missed.
    let mut surname_of: HashMap<String, Option<usize>> = HashMap::new();
    for (c, &a) in clusters.iter().zip(&cluster_actor) {
        if key_words(&c.key).len() >= 2 {
            if let Some(last) = key_words(&c.key).last() {
                let e = surname_of.entry(last.to_string()).or_insert(Some(a));
                if *e != Some(a) {
                    *e = None;
                }
            }
        }
    }
    for (i, &inside) in in_ent.iter().enumerate() {
        if inside || !out.free(&(i..i + 1)) || !v.is_cap(i) {
            continue;
        }
        if let Some(Some(a)) = surname_of.get(v.key(i)) {
            out.mention(i..i + 1, *a, MentionKind::Name);
        }
    }

    // (6) Role mentions.
    if cfg.roles {
        roles_pass(&ctx, &mut out, &clusters, &cluster_actor, &obs);
    }

    // (7) Pronoun speakers.
    if cfg.pronouns {
        pronoun_pass(&ctx, &mut out);
    }

    // Every affiliation names an actor of the document: add known ones that only appear as
    // affiliations of affiliations (a ministry's state).
    for _ in 0..3 {
        let missing: Vec<String> = out
            .actors
            .iter()
            .filter_map(|a| a.aff.clone())
            .filter(|k| !out.by_key.contains_key(k))
            .collect();
        if missing.is_empty() {
            break;
        }
        for k in missing {
            if let Some(e) = kb.entry_by_key(&k) {
                out.entry_actor(e);
            }
        }
    }

    // (8) Number actors by first mention; actors without mentions (affiliations) last.
    let (actors, mentions) = finish(&ctx, out);
    drop(ctx);
    doc.actors = actors;
    doc.mentions = mentions;
    if cfg.acronyms {
        super::acronyms::link_in_document(kb, doc);
    }
}

/// A person observation from a candidate: the name without title words, with its title and
/// appositive.
fn person_obs(ctx: &Ctx, r: Range<usize>) -> Option<PersonObs> {
    let v = &ctx.v;
    let mut name = r.clone();
    // NER sometimes includes a title ("President Bush"): strip role words and demonyms. The
    // title walk below goes back over them again.
    while name.len() > 1 {
        let t = name.start;
        let role =
            !v.key(t).is_empty() && key_words(v.key(t)).iter().all(|w| ctx.kb.is_role_word(w));
        let dem = ctx
            .kb_match(t..t + 1)
            .is_some_and(|s| s.kind == SurfaceKind::Demonym);
        if role || dem {
            name.start += 1;
        } else {
            break;
        }
    }
    let key = v.key_of(name.clone());
    if key.is_empty() || !key.chars().any(char::is_alphabetic) {
        return None;
    }
    let mut title = title_before(ctx, name.start);
    let mut appositive = name.end..name.end;
    if let Some(app) = appositive_after(ctx, name.end) {
        for o in app.offices {
            if !title.offices.contains(&o) {
                title.offices.push(o);
            }
        }
        if title.aff.is_none() {
            title.aff = app.aff;
        }
        if title.gender == Gender::Unknown {
            title.gender = app.gender;
        }
        appositive = app.toks;
    }
    let display = ctx.display(name.clone());
    Some(PersonObs {
        toks: name,
        key,
        display,
        title,
        appositive,
    })
}

/// Mention for a non-person candidate.
fn other_mention(
    ctx: &Ctx,
    out: &mut Out,
    r: Range<usize>,
    class: Class,
    surface: Option<Surface>,
    person_keys: &HashMap<String, usize>,
) {
    let v = &ctx.v;
    let kb = ctx.kb;
    let cfg = ctx.cfg;
    if let Some(s) = surface {
        let Some(e) = kb.entry(s.entry) else { return };
        match s.kind {
            SurfaceKind::Name | SurfaceKind::Alias => {
                let a = out.entry_actor(e);
                if let Some(aff) = e.affiliation.as_deref().and_then(|k| kb.entry_by_key(k)) {
                    out.entry_actor(aff);
                }
                let kind = if v.key_of(r.clone()) == e.key || !s.user {
                    if v.key_of(r.clone()) == e.key {
                        MentionKind::Name
                    } else {
                        MentionKind::Alias
                    }
                } else {
                    MentionKind::Alias
                };
                out.mention(r, a, kind);
            }
            SurfaceKind::Seat | SurfaceKind::Capital => {
                let seat = s.kind == SurfaceKind::Seat;
                if cfg.metonyms && acting(v, kb, r.clone(), seat) {
                    let a = out.entry_actor(e);
                    out.mention(r, a, MentionKind::Metonym);
                } else {
                    let name = ctx.display(r.clone());
                    let key = normalize_key(&name);
                    let state = (e.actor_type == ActorType::State).then(|| {
                        out.entry_actor(e);
                        e.key.clone()
                    });
                    let a = out.actor(&key, &name, ActorType::Place, state.as_deref());
                    out.mention(r, a, MentionKind::Name);
                }
            }
            SurfaceKind::Demonym => {
                if cfg.demonyms {
                    let end = group_extension(v, kb, r.end);
                    let toks = r.start..end;
                    let toks = if out.free(&toks) { toks } else { r };
                    let a = out.entry_actor(e);
                    out.mention(toks, a, MentionKind::Demonym);
                }
            }
        }
        return;
    }
    let key = v.key_of(r.clone());
    if key.is_empty() {
        return;
    }
    // NER called a person something else ("Medvedev" as ORG).
    if let Some(&a) = person_keys.get(&key) {
        out.mention(r, a, MentionKind::Name);
        return;
    }
    match class {
        Class::Loc => {
            if let Some(e) = kb.fuzzy_state(&key, &ctx.fz).and_then(|e| kb.entry(e)) {
                let a = out.entry_actor(e);
                out.mention(r, a, MentionKind::Name);
            } else {
                let name = ctx.display(r.clone());
                let a = out.actor(&normalize_key(&name), &name, ActorType::Place, None);
                out.mention(r, a, MentionKind::Name);
            }
        }
        Class::Org => {
            let (key, name, aff) = org_identity(ctx, r.clone());
            let aff_key = aff.map(|a| {
                out.aff_actor(&a);
                a.key
            });
            let a = out.actor(&key, &name, ActorType::Organisation, aff_key.as_deref());
            out.mention(r, a, MentionKind::Name);
        }
        Class::Misc | Class::Person => {}
    }
}

/// Role mentions resolved to persons (by office and affiliation) or organisations (by noun).
fn roles_pass(
    ctx: &Ctx,
    out: &mut Out,
    clusters: &[super::persons::Cluster],
    cluster_actor: &[usize],
    obs: &[PersonObs],
) {
    // Demonym mentions do not block role phrases: "the Georgian president" replaces the
    // demonym mention of "Georgian" when it resolves.
    let mut blocked = out.taken.clone();
    for m in &out.mentions {
        if m.kind == MentionKind::Demonym {
            for t in m.toks.clone() {
                if let Some(b) = blocked.get_mut(t) {
                    *b = false;
                }
            }
        }
    }
    for np in role_nps(ctx, &blocked) {
        let start = np.toks.start;
        let target = if let Some(office) = &np.office {
            let head = key_words(office)
                .last()
                .map(|w| w.to_string())
                .unwrap_or_default();
            let single = key_words(office).len() == 1;
            let cands: Vec<usize> = (0..clusters.len())
                .filter(|&c| {
                    let cl = &clusters[c];
                    let office_ok = cl.offices.iter().any(|o| {
                        o == office || (single && key_words(o).last() == Some(&head.as_str()))
                    });
                    let aff_ok = match &np.aff {
                        Some(a) => cl.aff.as_ref().is_some_and(|ca| ca.key == a.key),
                        None => true,
                    };
                    office_ok && aff_ok
                })
                .collect();
            let recent = cands
                .iter()
                .filter_map(|&c| {
                    clusters[c]
                        .obs
                        .iter()
                        .map(|&k| obs[k].toks.start)
                        .filter(|&s| s < start)
                        .max()
                        .map(|s| (s, c))
                })
                .max()
                .map(|(_, c)| c);
            recent
                .or_else(|| (cands.len() == 1).then(|| cands[0]))
                .and_then(|c| cluster_actor.get(c).copied())
        } else if let Some(noun) = &np.orgnoun {
            // The most recent organisation mention before it whose name or listed nouns fit.
            out.mentions
                .iter()
                .filter(|m| m.toks.start < start)
                .filter(|m| {
                    let p = &out.actors[m.actor];
                    p.ty == ActorType::Organisation
                        && (key_words(&p.key).contains(&noun.as_str())
                            || ctx
                                .kb
                                .entry_by_key(&p.key)
                                .is_some_and(|e| e.nouns.iter().any(|x| x == noun)))
                        && np
                            .aff
                            .as_ref()
                            .is_none_or(|a| p.aff.as_deref() == Some(&a.key))
                })
                .max_by_key(|m| m.toks.start)
                .map(|m| m.actor)
        } else {
            None
        };
        if let Some(a) = target {
            // Drop demonym mentions inside the phrase, then add the role mention.
            out.mentions.retain(|m| {
                !(m.kind == MentionKind::Demonym
                    && m.toks.start >= np.toks.start
                    && m.toks.end <= np.toks.end)
            });
            out.mention(np.toks, a, MentionKind::Role);
        }
    }
}

/// Pronoun speakers and sentence subjects resolved to persons.
fn pronoun_pass(ctx: &Ctx, out: &mut Out) {
    let v = &ctx.v;
    for (i, g) in subject_pronouns(ctx) {
        if !out.free(&(i..i + 1)) {
            continue;
        }
        let cands: Vec<(usize, usize, usize, Gender)> = out
            .mentions
            .iter()
            .filter(|m| out.actors[m.actor].ty == ActorType::Person && !v.in_quote(m.toks.start))
            .map(|m| {
                (
                    m.toks.start,
                    v.sent(m.toks.start),
                    m.actor,
                    out.actors[m.actor].gender,
                )
            })
            .collect();
        if let Some(a) = antecedent(&cands, i, v.sent(i), g, ctx.cfg.pronoun_window) {
            out.mention(i..i + 1, a, MentionKind::Pronoun);
        }
    }
}

/// Actors (ordered by first mention) and mentions (in text order).
fn finish(ctx: &Ctx, out: Out) -> (Vec<DocActor>, Vec<Mention>) {
    let mut doc_actors = Vec::with_capacity(out.actors.len());
    let mut doc_mentions = Vec::with_capacity(out.mentions.len());
    let v = &ctx.v;
    let mut mentions = out.mentions;
    mentions.sort_by_key(|m| (m.toks.start, m.toks.end));
    let mut first: Vec<Option<usize>> = vec![None; out.actors.len()];
    for m in &mentions {
        if let Some(f) = first.get_mut(m.actor) {
            if f.is_none() {
                *f = Some(m.toks.start);
            }
        }
    }
    let mut order: Vec<usize> = (0..out.actors.len()).collect();
    order.sort_by(|&a, &b| {
        let ka = (
            first[a].is_none(),
            first[a].unwrap_or(0),
            &out.actors[a].key,
        );
        let kb = (
            first[b].is_none(),
            first[b].unwrap_or(0),
            &out.actors[b].key,
        );
        ka.cmp(&kb)
    });
    let mut new_index = vec![0; out.actors.len()];
    for (ni, &oi) in order.iter().enumerate() {
        new_index[oi] = ni;
    }
    let mut aliases: Vec<BTreeSet<String>> = vec![BTreeSet::new(); out.actors.len()];
    for m in &mentions {
        if m.kind != MentionKind::Pronoun {
            let s = one_line(v.text_of(m.toks.clone()));
            if let Some(set) = aliases.get_mut(m.actor) {
                set.insert(s);
            }
        }
    }
    for &oi in &order {
        let p = &out.actors[oi];
        doc_actors.push(DocActor {
            key: p.key.clone(),
            canonical_name: p.name.clone(),
            actor_type: p.ty,
            affiliation: p.aff.clone(),
            aliases: std::mem::take(&mut aliases[oi]).into_iter().collect(),
        });
    }
    for m in mentions {
        let span: ByteSpan = v.span_of(m.toks.clone());
        doc_mentions.push(Mention {
            sent: v.sent(m.toks.start),
            span,
            actor: new_index[m.actor],
            kind: m.kind,
        });
    }
    (doc_actors, doc_mentions)
}
