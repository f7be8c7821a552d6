//! The corpus pass: documents' actor keys become corpus-wide actors with stable ids.
//!
//! [`ActorRegistry::observe`] keeps only small per-key counters (display names, types,
//! affiliations, up to [`MAX_ALIASES`] aliases, document and mention counts), so memory grows
//! with the number of distinct actors, not documents. Registries of shards are combined with
//! [`ActorRegistry::merge`], which adds counters: the result, and so everything
//! [`ActorRegistry::finalize`] derives from it, is the same whatever the order in which
//! documents were observed or shards merged.
//!
//! `finalize` merges keys that name the same actor, each onto the highest-ranked compatible key
//! (rank: known to the built-in knowledge or alias file, then number of documents, then mentions,
//! then the key itself for a total order):
//! 1. person full names that are variants of one another (misspellings, optional initials:
//!    "dimitry medvedev" → "dmitry medvedev"), only when all the keys it is compatible with are
//!    also compatible with one another ("george bush" stays alone when both "george w bush" and
//!    "george h w bush" exist);
//! 2. surname-only keys ("medvedev") onto the one full name that ends with them; left alone when
//!    several full names do ("bush");
//! 3. misspelt names of organisations, places, groups and states onto a similar key of the same
//!    type, with the same ambiguity rule;
//! 4. organisation acronyms ("sec") onto the full name that documents spelling both out linked
//!    them to ([`super::acronyms`]), when at least two documents agree and no other full name
//!    has half as many.
//!
//! The id of an actor is the first 12 hex digits of the BLAKE3 hash of its final key.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::doc::{hex_prefix, ActorType, Doc};

use super::acronyms;
use super::fuzzy::{Fuzzy, FuzzyIndex};
use super::knowledge::Knowledge;
use super::names::{core_len, full_names_compatible, is_surname_of, key_words};
use super::ActorsConfig;

/// Most aliases kept per key (the lexicographically smallest, so merging stays order-free).
pub const MAX_ALIASES: usize = 64;

/// The stable id of a final actor key: 12 lowercase hex digits of its BLAKE3 hash.
pub fn actor_id_for_key(key: &str) -> String {
    hex_prefix(blake3::hash(key.as_bytes()).as_bytes(), 6)
}

const TYPES: [ActorType; 5] = [
    ActorType::Person,
    ActorType::Organisation,
    ActorType::State,
    ActorType::Place,
    ActorType::Group,
];

fn type_index(t: ActorType) -> usize {
    TYPES.iter().position(|&x| x == t).unwrap_or(0)
}

/// Counters of one key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyStats {
    /// Display names, with the number of documents using each.
    pub names: BTreeMap<String, u64>,
    /// Documents per actor type, indexed like person, organisation, state, place, group.
    pub types: [u64; 5],
    /// Affiliation keys with document counts.
    pub affiliations: BTreeMap<String, u64>,
    /// Surface forms (at most [`MAX_ALIASES`], the smallest).
    pub aliases: BTreeSet<String>,
    /// Documents with at least one mention.
    pub n_docs: u64,
    /// Mentions.
    pub n_mentions: u64,
    /// Acronyms of this key's full name linked to it in a document ("SEC" for "securities and
    /// exchange commission"), with document counts.
    #[serde(default)]
    pub acronyms: BTreeMap<String, u64>,
}

impl KeyStats {
    fn add(&mut self, o: KeyStats) {
        for (k, v) in o.names {
            *self.names.entry(k).or_default() += v;
        }
        for (a, b) in self.types.iter_mut().zip(o.types) {
            *a += b;
        }
        for (k, v) in o.affiliations {
            *self.affiliations.entry(k).or_default() += v;
        }
        self.aliases.extend(o.aliases);
        cap(&mut self.aliases);
        self.n_docs += o.n_docs;
        self.n_mentions += o.n_mentions;
        for (k, v) in o.acronyms {
            *self.acronyms.entry(k).or_default() += v;
        }
    }

    fn actor_type(&self) -> ActorType {
        let mut best = 0;
        for i in 1..TYPES.len() {
            if self.types[i] > self.types[best] {
                best = i;
            }
        }
        TYPES[best]
    }
}

fn cap(set: &mut BTreeSet<String>) {
    while set.len() > MAX_ALIASES {
        set.pop_last();
    }
}

/// Per-key counters gathered over a corpus.
#[derive(Debug, Clone)]
pub struct ActorRegistry {
    kb: Arc<Knowledge>,
    fz: Fuzzy,
    merge_surnames: bool,
    merge_fuzzy: bool,
    merge_acronyms: bool,
    stats: BTreeMap<String, KeyStats>,
}

/// One final actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorRecord {
    /// Stable id: 12 hex digits of the BLAKE3 hash of the final key.
    pub actor_id: String,
    /// Final key.
    pub key: String,
    /// Display name.
    pub canonical_name: String,
    /// Type (the most frequent over the merged keys).
    pub actor_type: ActorType,
    /// Id of the most frequent affiliation.
    pub affiliation_actor_id: Option<String>,
    /// Surface forms, sorted.
    pub aliases: Vec<String>,
    /// Documents mentioning it. `finalize` sums the merged keys' counts (a document using two
    /// keys that were merged counts twice); the corpus pass replaces this with the exact count
    /// of distinct documents in the mentions table.
    pub n_docs: u64,
    /// Mentions.
    pub n_mentions: u64,
}

/// The result of the corpus pass: every observed key mapped to its final actor.
#[derive(Debug, Clone, Default)]
pub struct CorpusActors {
    by_key: HashMap<String, String>,
    records: Vec<ActorRecord>,
}

impl CorpusActors {
    /// The final actor id of a document key.
    pub fn actor_id(&self, key: &str) -> Option<&str> {
        self.by_key.get(key).map(String::as_str)
    }

    /// The final actors, sorted by id.
    pub fn records(&self) -> &[ActorRecord] {
        &self.records
    }
}

impl ActorRegistry {
    /// An empty registry. The alias file is read again so that its names count as known keys;
    /// if it cannot be read (the resolver reports that error), built-in knowledge is used.
    pub fn new(cfg: &ActorsConfig) -> Self {
        let kb = Knowledge::load(cfg.resources_dir.as_deref(), cfg.alias_file.as_deref())
            .or_else(|_| Knowledge::builtin())
            .unwrap_or_default();
        Self::with_knowledge(cfg, Arc::new(kb))
    }

    /// An empty registry sharing already loaded knowledge.
    pub fn with_knowledge(cfg: &ActorsConfig, kb: Arc<Knowledge>) -> Self {
        ActorRegistry {
            kb,
            fz: Fuzzy::new(cfg.fuzzy_threshold, cfg.fuzzy_min_chars),
            merge_surnames: cfg.corpus_merge_surnames,
            merge_fuzzy: cfg.corpus_merge_fuzzy,
            merge_acronyms: cfg.corpus_merge_acronyms,
            stats: BTreeMap::new(),
        }
    }

    /// Adds one resolved document.
    pub fn observe(&mut self, doc: &Doc) {
        let mut counts = vec![0u64; doc.actors.len()];
        for m in &doc.mentions {
            if let Some(c) = counts.get_mut(m.actor) {
                *c += 1;
            }
        }
        for (a, &n) in doc.actors.iter().zip(&counts) {
            if a.key.is_empty() {
                continue;
            }
            let st = self.stats.entry(a.key.clone()).or_default();
            *st.names.entry(a.canonical_name.clone()).or_default() += 1;
            st.types[type_index(a.actor_type)] += 1;
            if let Some(aff) = &a.affiliation {
                *st.affiliations.entry(aff.clone()).or_default() += 1;
            }
            st.aliases.extend(a.aliases.iter().cloned());
            cap(&mut st.aliases);
            for acr in a
                .aliases
                .iter()
                .filter_map(|al| acronyms::acronym_of_alias(&a.canonical_name, al))
            {
                *st.acronyms.entry(acr.to_string()).or_default() += 1;
            }
            if n > 0 {
                st.n_docs += 1;
            }
            st.n_mentions += n;
        }
    }

    /// Adds another registry's counters (from another shard).
    pub fn merge(&mut self, other: ActorRegistry) {
        for (k, s) in other.stats {
            self.stats.entry(k).or_default().add(s);
        }
    }

    /// The counters as JSON, saved in the output's `_state/actor_registry.json` so that later
    /// runs (incremental, merge of shards) can add to them without reprocessing documents.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(&self.stats)
    }

    /// Adds counters saved by [`ActorRegistry::to_json`].
    pub fn add_json(&mut self, bytes: &[u8]) -> Result<(), serde_json::Error> {
        let stats: BTreeMap<String, KeyStats> = serde_json::from_slice(bytes)?;
        for (k, s) in stats {
            self.stats.entry(k).or_default().add(s);
        }
        Ok(())
    }

    /// Number of distinct keys observed.
    pub fn len(&self) -> usize {
        self.stats.len()
    }

    /// True when nothing was observed.
    pub fn is_empty(&self) -> bool {
        self.stats.is_empty()
    }

    fn rank(&self, key: &str) -> (bool, u64, u64, std::cmp::Reverse<String>) {
        let s = self.stats.get(key);
        (
            self.kb.is_known_key(key),
            s.map_or(0, |s| s.n_docs),
            s.map_or(0, |s| s.n_mentions),
            std::cmp::Reverse(key.to_string()),
        )
    }

    /// Picks the merge target of `key` among `compat` (keys it could be): the best-ranked one
    /// when it outranks `key` and all candidates are mutually compatible.
    fn pick(
        &self,
        key: &str,
        compat: Vec<String>,
        mutually: impl Fn(&str, &str) -> bool,
    ) -> Option<String> {
        if compat.is_empty() {
            return None;
        }
        for (i, a) in compat.iter().enumerate() {
            for b in &compat[i + 1..] {
                if !mutually(a, b) {
                    return None;
                }
            }
        }
        let best = compat.into_iter().max_by_key(|c| self.rank(c))?;
        (self.rank(&best) > self.rank(key)).then_some(best)
    }

    /// Step 4 of [`ActorRegistry::finalize`]: (acronym key, target root) pairs. An
    /// organisation key that is an acronym ("sec", written "SEC") joins the root of the full
    /// names linked to that acronym in documents, when that root has at least two such
    /// documents and at least twice as many as any other root.
    fn acronym_merges(
        &self,
        types: &BTreeMap<&str, ActorType>,
        parent: &BTreeMap<String, String>,
        root: impl Fn(&BTreeMap<String, String>, &str) -> String,
    ) -> Vec<(String, String)> {
        let mut links: BTreeMap<&str, BTreeMap<String, u64>> = BTreeMap::new();
        for (k, s) in &self.stats {
            for (acr, n) in &s.acronyms {
                *links
                    .entry(acr.as_str())
                    .or_default()
                    .entry(root(parent, k))
                    .or_default() += n;
            }
        }
        let mut adds = Vec::new();
        for (k, s) in &self.stats {
            let org = matches!(
                types.get(k.as_str()),
                Some(ActorType::Organisation | ActorType::Group)
            );
            if !org || parent.contains_key(k) || self.kb.is_known_key(k) {
                continue;
            }
            // The key of an acronym is the acronym in lower case ("G.M." and "GM" are "gm").
            let acr = k.to_ascii_uppercase();
            if !acronyms::is_acronym(&acr) || !s.names.contains_key(&acr) {
                continue;
            }
            let Some(roots) = links.get(acr.as_str()) else {
                continue;
            };
            let mut ranked: Vec<(&u64, &String)> = roots.iter().map(|(r, n)| (n, r)).collect();
            ranked.sort_by(|a, b| b.0.cmp(a.0).then_with(|| a.1.cmp(b.1)));
            let runner_up = ranked.get(1).map_or(0, |r| *r.0);
            if let Some(&(&n, best)) = ranked.first() {
                if n >= 2 && n >= 2 * runner_up && best != k {
                    adds.push((k.clone(), best.clone()));
                }
            }
        }
        adds
    }

    /// Merges keys and assigns ids.
    pub fn finalize(self) -> CorpusActors {
        let types: BTreeMap<&str, ActorType> = self
            .stats
            .iter()
            .map(|(k, s)| (k.as_str(), s.actor_type()))
            .collect();
        let mut parent: BTreeMap<String, String> = BTreeMap::new();
        let fz = self.fz;

        // Blocks of keys by type and by last word, and the similar-word table for blocking.
        let mut by_last: BTreeMap<(ActorType, String), Vec<String>> = BTreeMap::new();
        for (k, &t) in &types {
            if let Some(last) = key_words(k).last() {
                by_last
                    .entry((t, last.to_string()))
                    .or_default()
                    .push(k.to_string());
            }
        }
        // Distinct last words per type, with a fuzzy index over them when misspellings merge
        // (a scan over all last words for every key would be quadratic in the corpus's names).
        let mut last_words: BTreeMap<ActorType, Vec<&str>> = BTreeMap::new();
        for (t, w) in by_last.keys() {
            last_words.entry(*t).or_default().push(w.as_str());
        }
        let last_index: BTreeMap<ActorType, FuzzyIndex> = if self.merge_fuzzy {
            last_words
                .iter()
                .map(|(t, ws)| (*t, FuzzyIndex::new(&fz, ws)))
                .collect()
        } else {
            BTreeMap::new()
        };
        let similar_words = |t: ActorType, w: &str| -> Vec<String> {
            let Some(ws) = last_words.get(&t) else {
                return Vec::new();
            };
            match last_index.get(&t) {
                Some(idx) => idx
                    .similar_to(&fz, ws, w)
                    .into_iter()
                    .filter_map(|i| ws.get(i).map(|s| s.to_string()))
                    .collect(),
                None => ws
                    .iter()
                    .filter(|bw| **bw == w)
                    .map(|bw| bw.to_string())
                    .collect(),
            }
        };
        // Many keys share a last word ("dmitry medvedev", "medvedev", "president medvedev"),
        // and steps 1 and 2 both block on it: look each (type, last word) up once.
        let similar_cache: RefCell<HashMap<(ActorType, String), Vec<String>>> =
            RefCell::new(HashMap::new());
        let block = |t: ActorType, w: &str| -> Vec<String> {
            let key = (t, w.to_string());
            let cached = similar_cache.borrow().get(&key).cloned();
            let words = cached.unwrap_or_else(|| {
                let found = similar_words(t, w);
                similar_cache.borrow_mut().insert(key, found.clone());
                found
            });
            words
                .into_iter()
                .flat_map(|bw| by_last.get(&(t, bw)).cloned().unwrap_or_default())
                .collect()
        };

        // 1. Person full-name variants.
        for (k, &t) in &types {
            if t != ActorType::Person || core_len(k) < 2 {
                continue;
            }
            let Some(last) = key_words(k).last().map(|w| w.to_string()) else {
                continue;
            };
            let compat: Vec<String> = block(t, &last)
                .into_iter()
                .filter(|c| c != k && core_len(c) >= 2 && full_names_compatible(k, c, &fz))
                .collect();
            if let Some(target) = self.pick(k, compat, |a, b| full_names_compatible(a, b, &fz)) {
                parent.insert(k.to_string(), target);
            }
        }
        let root = |parent: &BTreeMap<String, String>, k: &str| -> String {
            let mut cur = k.to_string();
            let mut steps = 0;
            while let Some(p) = parent.get(&cur) {
                cur = p.clone();
                steps += 1;
                if steps > 64 {
                    break;
                }
            }
            cur
        };

        // 2. Surnames onto the one full name ending with them.
        if self.merge_surnames {
            let mut adds = Vec::new();
            for (k, &t) in &types {
                if t != ActorType::Person || parent.contains_key(*k) {
                    continue;
                }
                let Some(last) = key_words(k).last().map(|w| w.to_string()) else {
                    continue;
                };
                let roots: BTreeSet<String> = block(t, &last)
                    .into_iter()
                    .filter(|c| c != k && is_surname_of(k, c, &fz))
                    .map(|c| root(&parent, &c))
                    .collect();
                if roots.len() == 1 {
                    if let Some(r) = roots.into_iter().next() {
                        if r != *k {
                            adds.push((k.to_string(), r));
                        }
                    }
                }
            }
            parent.extend(adds);
        }

        // 3. Misspelt non-person names.
        if self.merge_fuzzy {
            let mut by_type: BTreeMap<ActorType, Vec<&str>> = BTreeMap::new();
            for (k, &t) in &types {
                if t != ActorType::Person {
                    by_type.entry(t).or_default().push(k);
                }
            }
            let indexes: BTreeMap<ActorType, FuzzyIndex> = by_type
                .iter()
                .map(|(t, ks)| (*t, FuzzyIndex::new(&fz, ks)))
                .collect();
            let mut adds = Vec::new();
            for (k, &t) in &types {
                if t == ActorType::Person || parent.contains_key(*k) || self.kb.is_known_key(k) {
                    continue;
                }
                let (Some(ks), Some(idx)) = (by_type.get(&t), indexes.get(&t)) else {
                    continue;
                };
                let compat: Vec<String> = idx
                    .similar_to(&fz, ks, k)
                    .into_iter()
                    .filter_map(|i| ks.get(i))
                    .filter(|o| **o != *k)
                    .map(|o| o.to_string())
                    .collect();
                if let Some(target) = self.pick(k, compat, |a, b| fz.similar(a, b)) {
                    adds.push((k.to_string(), target));
                }
            }
            parent.extend(adds);
        }

        // 4. Acronyms written alone onto the full name documents linked them to.
        if self.merge_acronyms {
            parent.extend(self.acronym_merges(&types, &parent, root));
        }

        // Groups by root.
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for k in self.stats.keys() {
            groups.entry(root(&parent, k)).or_default().push(k.clone());
        }
        let mut by_key = HashMap::new();
        for (r, members) in &groups {
            let id = actor_id_for_key(r);
            for m in members {
                by_key.insert(m.clone(), id.clone());
            }
        }
        let mut records = Vec::with_capacity(groups.len());
        for (r, members) in groups {
            let mut total = KeyStats::default();
            for m in &members {
                if let Some(s) = self.stats.get(m) {
                    total.add(s.clone());
                    total.aliases.extend(s.names.keys().cloned());
                    cap(&mut total.aliases);
                }
            }
            let canonical_name = match self.kb.entry_by_key(&r) {
                Some(e) => e.name.clone(),
                None => self
                    .stats
                    .get(&r)
                    .and_then(|s| {
                        s.names
                            .iter()
                            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                            .map(|(n, _)| n.clone())
                    })
                    .unwrap_or_else(|| r.clone()),
            };
            let mut affs: BTreeMap<String, u64> = BTreeMap::new();
            for (a, n) in &total.affiliations {
                let ar = root(&parent, a);
                if ar != r {
                    *affs.entry(ar).or_default() += n;
                }
            }
            let affiliation_actor_id = affs
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(a, _)| actor_id_for_key(a));
            records.push(ActorRecord {
                actor_id: actor_id_for_key(&r),
                key: r.clone(),
                canonical_name,
                actor_type: total.actor_type(),
                affiliation_actor_id,
                aliases: total.aliases.into_iter().collect(),
                n_docs: total.n_docs,
                n_mentions: total.n_mentions,
            });
        }
        records.sort_by(|a, b| a.actor_id.cmp(&b.actor_id));
        CorpusActors { by_key, records }
    }
}
