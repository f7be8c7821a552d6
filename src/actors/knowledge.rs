//! Built-in knowledge (countries, seats of government, organisations, notable persons, roles,
//! verbs, pronouns) loaded from the plain-text files in `resources/actors/`, each of which a
//! user may replace by a file of the same name in `[actors] resources_dir`, plus the user alias
//! file on top. Every file is read by one loader that names the file and line on error.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::doc::ActorType;

use super::aliases::{self, AliasRecord};
use super::fuzzy::Fuzzy;
use super::names::{full_names_compatible, is_all_caps, key_words, normalize_key};
use super::ActorsError;

/// Built-in files: (file name, contents).
pub const BUILTIN: [(&str, &str); 8] = [
    (
        "countries.tsv",
        include_str!("../../resources/actors/countries.tsv"),
    ),
    (
        "countries_extra.tsv",
        include_str!("../../resources/actors/countries_extra.tsv"),
    ),
    ("orgs.tsv", include_str!("../../resources/actors/orgs.tsv")),
    (
        "metonyms.tsv",
        include_str!("../../resources/actors/metonyms.tsv"),
    ),
    (
        "persons.tsv",
        include_str!("../../resources/actors/persons.tsv"),
    ),
    (
        "roles.tsv",
        include_str!("../../resources/actors/roles.tsv"),
    ),
    (
        "verbs.tsv",
        include_str!("../../resources/actors/verbs.tsv"),
    ),
    (
        "pronouns.tsv",
        include_str!("../../resources/actors/pronouns.tsv"),
    ),
];

/// Grammatical gender known for a person or pronoun.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Gender {
    /// Not known: agrees with every pronoun.
    #[default]
    Unknown,
    /// "he".
    Male,
    /// "she".
    Female,
}

impl Gender {
    /// Parses `m`, `f` or `-`.
    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim() {
            "m" | "M" => Some(Gender::Male),
            "f" | "F" => Some(Gender::Female),
            "" | "-" => Some(Gender::Unknown),
            _ => None,
        }
    }

    /// True when the two may refer to the same person.
    pub fn agrees(self, other: Gender) -> bool {
        self == Gender::Unknown || other == Gender::Unknown || self == other
    }
}

/// One known actor.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Display name ("United States").
    pub name: String,
    /// Normalised key of the name.
    pub key: String,
    /// Actor type.
    pub actor_type: ActorType,
    /// Key of the actor it belongs to.
    pub affiliation: Option<String>,
    /// Gender, for persons.
    pub gender: Gender,
    /// Common nouns that refer back to it ("the alliance" → NATO).
    pub nouns: Vec<String>,
}

/// How a surface form refers to its entry. The order is the priority when two entries claim
/// the same surface: a name beats a seat, which beats a capital, which beats a demonym.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SurfaceKind {
    /// The canonical name.
    Name,
    /// Another name, spelling or acronym.
    Alias,
    /// A seat of government that acts for its entry ("the Kremlin").
    Seat,
    /// A capital city that may act for its state ("Moscow").
    Capital,
    /// A demonym or adjective ("Russian").
    Demonym,
}

/// A surface form's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Surface {
    /// Index into [`Knowledge::entries`].
    pub entry: usize,
    /// How the surface refers to the entry.
    pub kind: SurfaceKind,
    /// Matches only when written in capitals: acronyms like "US" or "AP" must not match the
    /// words "us" and "ap".
    pub caps_only: bool,
    /// Comes from the user alias file.
    pub user: bool,
}

/// What a role word or phrase can be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoleInfo {
    /// An honorific before a name ("Mr", "Gen.").
    pub honorific: bool,
    /// An office ("president", "foreign minister").
    pub office: bool,
    /// A word inside titles ("deputy").
    pub modifier: bool,
    /// A group noun after a demonym ("troops").
    pub group: bool,
    /// A noun that refers back to an organisation ("the ministry").
    pub orgnoun: bool,
    /// Gender implied by the word ("spokeswoman").
    pub gender: Gender,
}

/// Classes of verbs (see `resources/actors/verbs.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerbClass {
    /// Takes a clause directly: "X said Y".
    Say,
    /// Takes an object and then a clause: "X told reporters (that) Y".
    Tell,
    /// Needs "that": "X announced that Y".
    That,
    /// Takes "to" or "that": "X vowed to Y".
    To,
    /// "X accused Z of Y".
    Accuse,
    /// Cues direct quotes only.
    Direct,
    /// Not speech: marks an acting subject only.
    Act,
}

impl VerbClass {
    /// True for speech verbs (every class but `Act`).
    pub fn is_speech(self) -> bool {
        self != VerbClass::Act
    }

    fn parse(s: &str) -> Option<VerbClass> {
        Some(match s.trim() {
            "say" => VerbClass::Say,
            "tell" => VerbClass::Tell,
            "that" => VerbClass::That,
            "to" => VerbClass::To,
            "accuse" => VerbClass::Accuse,
            "direct" => VerbClass::Direct,
            "act" => VerbClass::Act,
            _ => return None,
        })
    }
}

/// Everything the resolver knows before it reads a document. Immutable after loading and
/// shared between threads.
#[derive(Debug, Default)]
pub struct Knowledge {
    /// Known actors.
    pub entries: Vec<Entry>,
    by_key: HashMap<String, usize>,
    surfaces: HashMap<String, Surface>,
    /// Most words in any surface form (bounds lexicon lookups).
    pub max_surface_words: usize,
    roles: HashMap<String, RoleInfo>,
    /// Most words in any role phrase.
    pub max_role_words: usize,
    role_words: HashSet<String>,
    verbs: HashMap<String, VerbClass>,
    pronouns: HashMap<String, Gender>,
    state_names: Vec<(String, usize)>,
    person_names: Vec<(String, usize)>,
    surnames: HashMap<String, Vec<usize>>,
    first_words: HashSet<String>,
}

/// Rows of a TSV resource: (1-based line, fields), skipping blank and `#` lines.
fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(i, l)| {
        let l = l.trim_end_matches('\r');
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            None
        } else {
            Some((i + 1, l.split('\t').map(str::trim).collect()))
        }
    })
}

/// `;`-separated list items.
fn list(field: Option<&&str>) -> Vec<String> {
    field
        .map(|f| {
            f.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Parses an actor type name as written in resources and alias files.
pub fn parse_actor_type(s: &str) -> Option<ActorType> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "person" => ActorType::Person,
        "organisation" | "organization" | "org" => ActorType::Organisation,
        "state" | "country" => ActorType::State,
        "place" | "territory" | "location" => ActorType::Place,
        "group" => ActorType::Group,
        _ => return None,
    })
}

/// Parses a verb list (`verbs.tsv` format: form, class); the first class given for a form wins.
pub fn parse_verbs(text: &str, origin: &str) -> Result<HashMap<String, VerbClass>, ActorsError> {
    let mut out = HashMap::new();
    for (line, f) in rows(text) {
        let class = f.get(1).and_then(|c| VerbClass::parse(c));
        match (f.first(), class) {
            (Some(form), Some(class)) if !form.is_empty() => {
                out.entry(form.to_lowercase()).or_insert(class);
            }
            _ => {
                return Err(bad(
                    origin,
                    line,
                    "expected form<TAB>class (say, tell, that, to, accuse, direct, act)",
                ))
            }
        }
    }
    Ok(out)
}

/// Parses a pronoun list (`pronouns.tsv` format: form, gender).
pub fn parse_pronouns(text: &str, origin: &str) -> Result<HashMap<String, Gender>, ActorsError> {
    let mut out = HashMap::new();
    for (line, f) in rows(text) {
        let g = f.get(1).and_then(|g| Gender::parse(g));
        match (f.first(), g) {
            (Some(form), Some(g)) if !form.is_empty() => {
                out.insert(form.to_lowercase(), g);
            }
            _ => return Err(bad(origin, line, "expected form<TAB>gender")),
        }
    }
    Ok(out)
}

/// The built-in text of a resource file (`"verbs.tsv"`, ...).
pub fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// One resource file's text and the name used in messages.
struct Source {
    origin: String,
    text: String,
}

fn source(dir: Option<&Path>, name: &str, builtin: &str) -> Result<Source, ActorsError> {
    if let Some(dir) = dir {
        let path = dir.join(name);
        if path.is_file() {
            let text = crate::config::read_user_file(&path).map_err(|source| ActorsError::Io {
                path: path.clone(),
                source,
            })?;
            return Ok(Source {
                origin: path.display().to_string(),
                text,
            });
        }
    }
    Ok(Source {
        origin: format!("built-in resources/actors/{name}"),
        text: builtin.to_string(),
    })
}

fn bad(origin: &str, line: usize, message: impl Into<String>) -> ActorsError {
    ActorsError::Resource {
        origin: origin.to_string(),
        line,
        message: message.into(),
    }
}

impl Knowledge {
    /// Loads the built-in files (or their replacements in `resources_dir`) and the user alias
    /// file.
    pub fn load(
        resources_dir: Option<&Path>,
        alias_file: Option<&Path>,
    ) -> Result<Knowledge, ActorsError> {
        let mut kb = Knowledge::default();
        let mut src = HashMap::new();
        for (name, text) in BUILTIN {
            src.insert(name, source(resources_dir, name, text)?);
        }
        let get = |n: &str| src.get(n).ok_or_else(|| bad(n, 0, "missing resource"));
        kb.load_countries(get("countries.tsv")?, false)?;
        kb.load_countries(get("countries_extra.tsv")?, true)?;
        kb.load_orgs(get("orgs.tsv")?)?;
        kb.load_metonyms(get("metonyms.tsv")?)?;
        kb.load_persons(get("persons.tsv")?)?;
        kb.load_roles(get("roles.tsv")?)?;
        kb.load_verbs(get("verbs.tsv")?)?;
        kb.load_pronouns(get("pronouns.tsv")?)?;
        if let Some(path) = alias_file {
            let records = aliases::load(path)?;
            kb.apply_aliases(&records, path)?;
        }
        kb.finish();
        Ok(kb)
    }

    /// The built-in knowledge only (no files read).
    pub fn builtin() -> Result<Knowledge, ActorsError> {
        Knowledge::load(None, None)
    }

    fn entry_for(&mut self, name: &str, actor_type: ActorType) -> usize {
        let key = normalize_key(name);
        if let Some(&i) = self.by_key.get(&key) {
            return i;
        }
        self.entries.push(Entry {
            name: name.to_string(),
            key: key.clone(),
            actor_type,
            affiliation: None,
            gender: Gender::Unknown,
            nouns: Vec::new(),
        });
        let i = self.entries.len() - 1;
        self.by_key.insert(key, i);
        i
    }

    /// Registers a surface form. Built-in conflicts keep the higher-priority kind (then the
    /// first loaded); user surfaces always win.
    fn add_surface(&mut self, text: &str, entry: usize, kind: SurfaceKind, user: bool) {
        let key = normalize_key(text);
        if key.is_empty() {
            return;
        }
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        let caps_only = is_all_caps(text) && letters <= 6;
        self.max_surface_words = self.max_surface_words.max(key_words(&key).len());
        if let Some(w) = key_words(&key).first() {
            self.first_words.insert(w.to_string());
        }
        let new = Surface {
            entry,
            kind,
            caps_only,
            user,
        };
        match self.surfaces.get_mut(&key) {
            Some(old) if old.entry == entry => {
                old.caps_only &= caps_only;
                old.kind = old.kind.min(kind);
                old.user |= user;
            }
            Some(old) => {
                if user || (!old.user && kind < old.kind) {
                    *old = new;
                }
            }
            None => {
                self.surfaces.insert(key, new);
            }
        }
    }

    fn load_countries(&mut self, s: &Source, extra: bool) -> Result<(), ActorsError> {
        for (line, f) in rows(&s.text) {
            if f.len() < 2 || f[0].is_empty() {
                return Err(bad(
                    &s.origin,
                    line,
                    "expected name<TAB>type<TAB>official<TAB>alt_names<TAB>demonyms<TAB>capitals<TAB>cca3",
                ));
            }
            let ty = match f[1] {
                "state" => Some(ActorType::State),
                "territory" | "place" => Some(ActorType::Place),
                "" if extra => None,
                other => {
                    return Err(bad(
                        &s.origin,
                        line,
                        format!("unknown type `{other}`; allowed: state, territory"),
                    ))
                }
            };
            let e = self.entry_for(f[0], ty.unwrap_or(ActorType::State));
            if let Some(ty) = ty {
                self.entries[e].actor_type = ty;
            }
            self.add_surface(f[0], e, SurfaceKind::Name, false);
            if let Some(off) = f.get(2).filter(|o| !o.is_empty()) {
                self.add_surface(off, e, SurfaceKind::Alias, false);
            }
            for a in list(f.get(3)) {
                self.add_surface(&a, e, SurfaceKind::Alias, false);
            }
            for d in list(f.get(4)) {
                self.add_surface(&d, e, SurfaceKind::Demonym, false);
            }
            for c in list(f.get(5)) {
                self.add_surface(&c, e, SurfaceKind::Capital, false);
            }
        }
        Ok(())
    }

    fn load_orgs(&mut self, s: &Source) -> Result<(), ActorsError> {
        for (line, f) in rows(&s.text) {
            if f.len() < 2 || f[0].is_empty() {
                return Err(bad(
                    &s.origin,
                    line,
                    "expected name<TAB>type<TAB>aliases<TAB>nouns<TAB>affiliation<TAB>demonyms",
                ));
            }
            let ty = match parse_actor_type(f[1]) {
                Some(t @ (ActorType::Organisation | ActorType::Group)) => t,
                _ => {
                    return Err(bad(
                        &s.origin,
                        line,
                        format!("unknown type `{}`; allowed: organisation, group", f[1]),
                    ))
                }
            };
            let e = self.entry_for(f[0], ty);
            self.add_surface(f[0], e, SurfaceKind::Name, false);
            for a in list(f.get(2)) {
                self.add_surface(&a, e, SurfaceKind::Alias, false);
            }
            self.entries[e].nouns = list(f.get(3)).iter().map(|n| normalize_key(n)).collect();
            if let Some(a) = f.get(4).filter(|a| !a.is_empty()) {
                self.entries[e].affiliation = Some(a.to_string());
            }
            for d in list(f.get(5)) {
                self.add_surface(&d, e, SurfaceKind::Demonym, false);
            }
        }
        Ok(())
    }

    fn load_metonyms(&mut self, s: &Source) -> Result<(), ActorsError> {
        for (line, f) in rows(&s.text) {
            if f.len() < 3 {
                return Err(bad(&s.origin, line, "expected surface<TAB>actor<TAB>kind"));
            }
            let kind = match f[2] {
                "seat" => SurfaceKind::Seat,
                "capital" => SurfaceKind::Capital,
                k => {
                    return Err(bad(
                        &s.origin,
                        line,
                        format!("unknown kind `{k}`; allowed: seat, capital"),
                    ))
                }
            };
            let Some(target) = self.lookup_name(f[1]) else {
                return Err(bad(
                    &s.origin,
                    line,
                    format!(
                        "unknown actor `{}`: add it to countries or orgs first",
                        f[1]
                    ),
                ));
            };
            // A metonym row overrides whatever the surface meant before (a capital).
            let key = normalize_key(f[0]);
            self.surfaces.remove(&key);
            self.add_surface(f[0], target, kind, false);
        }
        Ok(())
    }

    fn load_persons(&mut self, s: &Source) -> Result<(), ActorsError> {
        for (line, f) in rows(&s.text) {
            if f.is_empty() || f[0].is_empty() {
                return Err(bad(
                    &s.origin,
                    line,
                    "expected name<TAB>gender<TAB>affiliation<TAB>aliases",
                ));
            }
            let Some(gender) = Gender::parse(f.get(1).copied().unwrap_or("")) else {
                return Err(bad(&s.origin, line, "gender must be m, f or -"));
            };
            let e = self.entry_for(f[0], ActorType::Person);
            self.entries[e].gender = gender;
            if let Some(a) = f.get(2).filter(|a| !a.is_empty()) {
                self.entries[e].affiliation = Some(a.to_string());
            }
            self.add_surface(f[0], e, SurfaceKind::Name, false);
            for a in list(f.get(3)) {
                self.add_surface(&a, e, SurfaceKind::Alias, false);
            }
        }
        Ok(())
    }

    fn load_roles(&mut self, s: &Source) -> Result<(), ActorsError> {
        for (line, f) in rows(&s.text) {
            if f.len() < 2 || f[0].is_empty() {
                return Err(bad(&s.origin, line, "expected phrase<TAB>kind<TAB>gender"));
            }
            let key = normalize_key(f[0]);
            let Some(gender) = Gender::parse(f.get(2).copied().unwrap_or("")) else {
                return Err(bad(&s.origin, line, "gender must be m, f or -"));
            };
            let info = self.roles.entry(key.clone()).or_default();
            match f[1] {
                "honorific" => info.honorific = true,
                "office" => info.office = true,
                "modifier" => info.modifier = true,
                "group" => info.group = true,
                "orgnoun" => info.orgnoun = true,
                k => {
                    return Err(bad(
                        &s.origin,
                        line,
                        format!(
                        "unknown kind `{k}`; allowed: honorific, office, modifier, group, orgnoun"
                    ),
                    ))
                }
            }
            if gender != Gender::Unknown {
                info.gender = gender;
            }
            let words = key_words(&key);
            self.max_role_words = self.max_role_words.max(words.len());
            for w in words {
                self.role_words.insert(w.to_string());
            }
        }
        Ok(())
    }

    fn load_verbs(&mut self, s: &Source) -> Result<(), ActorsError> {
        self.verbs = parse_verbs(&s.text, &s.origin)?;
        Ok(())
    }

    fn load_pronouns(&mut self, s: &Source) -> Result<(), ActorsError> {
        self.pronouns = parse_pronouns(&s.text, &s.origin)?;
        Ok(())
    }

    fn apply_aliases(&mut self, records: &[AliasRecord], path: &Path) -> Result<(), ActorsError> {
        let origin = path.display().to_string();
        for r in records {
            let existing = self.by_key.get(&normalize_key(&r.name)).copied();
            let e = match (existing, r.actor_type) {
                (Some(e), Some(t)) => {
                    self.entries[e].actor_type = t;
                    e
                }
                (Some(e), None) => e,
                (None, Some(t)) => self.entry_for(&r.name, t),
                (None, None) => {
                    return Err(bad(
                        &origin,
                        r.line,
                        format!(
                            "`{}` is not a known actor, so it needs a type (person, organisation, state, place, group)",
                            r.name
                        ),
                    ))
                }
            };
            if let Some(a) = &r.affiliation {
                self.entries[e].affiliation = Some(a.clone());
            }
            if let Some(g) = r.gender {
                self.entries[e].gender = g;
            }
            self.add_surface(&r.name.clone(), e, SurfaceKind::Name, true);
            for (s, kind) in &r.surfaces {
                self.add_surface(s, e, *kind, true);
            }
        }
        Ok(())
    }

    /// Resolves affiliation names to keys and builds the fuzzy-matching pools.
    fn finish(&mut self) {
        for i in 0..self.entries.len() {
            if let Some(a) = self.entries[i].affiliation.clone() {
                let key = match self.lookup_name(&a) {
                    Some(t) => self.entries[t].key.clone(),
                    None => normalize_key(&a),
                };
                self.entries[i].affiliation = Some(key);
            }
        }
        let mut states = Vec::new();
        let mut persons = Vec::new();
        for (key, s) in &self.surfaces {
            if !matches!(s.kind, SurfaceKind::Name | SurfaceKind::Alias) {
                continue;
            }
            match self.entries.get(s.entry).map(|e| e.actor_type) {
                Some(ActorType::State) => states.push((key.clone(), s.entry)),
                Some(ActorType::Person) => persons.push((key.clone(), s.entry)),
                _ => {}
            }
        }
        // Sorted so that fuzzy ties and iteration never depend on hash order.
        states.sort();
        persons.sort();
        for (key, e) in &persons {
            if let Some(last) = key_words(key).last() {
                let v = self.surnames.entry(last.to_string()).or_default();
                if !v.contains(e) {
                    v.push(*e);
                }
            }
        }
        self.state_names = states;
        self.person_names = persons;
    }

    /// The entry a name or alias refers to (not seats, capitals or demonyms).
    pub fn lookup_name(&self, name: &str) -> Option<usize> {
        self.surfaces
            .get(&normalize_key(name))
            .filter(|s| matches!(s.kind, SurfaceKind::Name | SurfaceKind::Alias))
            .map(|s| s.entry)
            .or_else(|| self.by_key.get(&normalize_key(name)).copied())
    }

    /// True when some surface form starts with the normalised word `w` (a cheap test before
    /// trying longer lookups).
    pub fn starts_surface(&self, w: &str) -> bool {
        self.first_words.contains(w)
    }

    /// The target of a normalised surface key.
    pub fn surface(&self, key: &str) -> Option<Surface> {
        self.surfaces.get(key).copied()
    }

    /// Entry `i`.
    pub fn entry(&self, i: usize) -> Option<&Entry> {
        self.entries.get(i)
    }

    /// The entry whose canonical key is `key`.
    pub fn entry_by_key(&self, key: &str) -> Option<&Entry> {
        self.by_key.get(key).and_then(|&i| self.entries.get(i))
    }

    /// What a normalised role phrase is.
    pub fn role(&self, key: &str) -> Option<RoleInfo> {
        self.roles.get(key).copied()
    }

    /// True when the normalised word occurs in some role phrase.
    pub fn is_role_word(&self, word: &str) -> bool {
        self.role_words.contains(word)
    }

    /// Class of a verb form (any case).
    pub fn verb(&self, form: &str) -> Option<VerbClass> {
        if form.bytes().any(|b| b.is_ascii_uppercase()) {
            self.verbs.get(&form.to_lowercase()).copied()
        } else {
            self.verbs.get(form).copied()
        }
    }

    /// Gender of a pronoun form (any case); `None` when not a listed pronoun.
    pub fn pronoun(&self, form: &str) -> Option<Gender> {
        self.pronouns.get(&form.to_lowercase()).copied()
    }

    /// A state whose name is a misspelling of `key` ("abhkazia" → Abkhazia).
    pub fn fuzzy_state(&self, key: &str, fz: &Fuzzy) -> Option<usize> {
        fz.best(key, self.state_names.iter().map(|(k, e)| (k.as_str(), *e)))
    }

    /// A listed person named `key` exactly, or whose full name `key` misspells.
    pub fn known_person(&self, key: &str, fz: &Fuzzy) -> Option<usize> {
        if let Some(s) = self.surfaces.get(key) {
            if matches!(s.kind, SurfaceKind::Name | SurfaceKind::Alias)
                && self.entries.get(s.entry).map(|e| e.actor_type) == Some(ActorType::Person)
            {
                return Some(s.entry);
            }
        }
        let mut found: Option<usize> = None;
        for (k, e) in &self.person_names {
            if full_names_compatible(key, k, fz) {
                match found {
                    Some(f) if f != *e => return None,
                    _ => found = Some(*e),
                }
            }
        }
        found
    }

    /// True when `key` is the canonical key of a known actor.
    pub fn is_known_key(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// Listed persons whose name ends with the word `surname`.
    pub fn persons_with_surname(&self, surname: &str) -> &[usize] {
        self.surnames.get(surname).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_knowledge_loads_and_answers() {
        let kb = Knowledge::builtin().unwrap();
        let fz = Fuzzy::new(0.90, 5);
        let ru = kb.surface("russia").unwrap();
        assert_eq!(kb.entry(ru.entry).unwrap().name, "Russia");
        assert_eq!(kb.surface("russian").unwrap().kind, SurfaceKind::Demonym);
        assert_eq!(kb.surface("moscow").unwrap().kind, SurfaceKind::Capital);
        let kremlin = kb.surface("kremlin").unwrap();
        assert_eq!(kremlin.kind, SurfaceKind::Seat);
        assert_eq!(kremlin.entry, ru.entry);
        assert_eq!(
            kb.surface("washington").map(|s| s.kind),
            Some(SurfaceKind::Capital)
        );
        assert!(kb.surface("us").unwrap().caps_only);
        let ab = kb.fuzzy_state("abhkazia", &fz).unwrap();
        assert_eq!(kb.entry(ab).unwrap().name, "Abkhazia");
        let rice = kb.known_person("condoleeza rice", &fz).unwrap();
        assert_eq!(kb.entry(rice).unwrap().name, "Condoleezza Rice");
        assert_eq!(kb.entry(rice).unwrap().gender, Gender::Female);
        assert_eq!(
            kb.entry(rice).unwrap().affiliation.as_deref(),
            Some("united states")
        );
        assert_eq!(kb.verb("Said"), Some(VerbClass::Say));
        assert!(kb.role("foreign minister").unwrap().office);
        assert!(kb.is_role_word("deputy"));
        assert_eq!(kb.pronoun("She"), Some(Gender::Female));
        let nato = kb.surface("nato").unwrap();
        assert_eq!(kb.entry(nato.entry).unwrap().nouns, vec!["alliance"]);
        // Brussels is listed as a metonym of the EU, overriding Belgium's capital.
        let br = kb.surface("brussels").unwrap();
        assert_eq!(kb.entry(br.entry).unwrap().name, "European Union");
    }
}
