//! Grouping the person mentions of one document into persons.
//!
//! Longer names are placed first, so that full names define the persons: "Dmitry Medvedev" and
//! its misspelling "Dimitry Medvedev" (same number of words, each equal or similar) and "George
//! W Bush" / "George W. Bush" / "George Bush" (compatible initials) join; then "Medvedev" or "de
//! Hoop Scheffer" join the one person whose full name ends with them (the most recently
//! mentioned one when several do). A listed notable person (`persons.tsv`, alias file) gives the
//! canonical name; otherwise the most frequent longest form in the document does.

use std::collections::BTreeMap;

use super::knowledge::Gender;
use super::names::{core_len, full_names_compatible, is_surname_of, normalize_key};
use super::resolve::{AffRef, Ctx};
use super::roles::Title;

/// One person mention before grouping.
#[derive(Debug, Clone)]
pub struct PersonObs {
    /// Tokens of the name (without title).
    pub toks: std::ops::Range<usize>,
    /// Normalised name.
    pub key: String,
    /// Name as written (whitespace normalised).
    pub display: String,
    /// Title before the name, merged with what the appositive after it says.
    pub title: Title,
    /// Tokens of the appositive after the name (empty when none).
    pub appositive: std::ops::Range<usize>,
}

/// A person of the document.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Canonical key.
    pub key: String,
    /// Canonical name.
    pub name: String,
    /// Listed notable person, if any.
    pub known: Option<usize>,
    /// Normalised full names seen.
    pub fulls: Vec<String>,
    /// Offices from titles and appositives.
    pub offices: Vec<String>,
    /// Affiliation (most frequent in titles, else the listed one).
    pub aff: Option<AffRef>,
    /// Gender (listed, else from titles).
    pub gender: Gender,
    /// Indices into the observations.
    pub obs: Vec<usize>,
}

/// Groups observations (in text order) into persons; `assign[i]` is the cluster of obs `i`.
pub fn cluster(ctx: &Ctx, obs: &[PersonObs]) -> (Vec<Cluster>, Vec<usize>) {
    let fz = &ctx.fz;
    let mut order: Vec<usize> = (0..obs.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(core_len(&obs[i].key)), i));
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut assign: Vec<Option<usize>> = vec![None; obs.len()];
    for &i in &order {
        let o = &obs[i];
        let full = core_len(&o.key) >= 2;
        // Listed persons match by full name (exactly or misspelt) or by a listed alias
        // ("Condi"); a bare surname never picks a listed person on its own.
        let known = if ctx.cfg.known_persons {
            ctx.kb.known_person(&o.key, fz)
        } else {
            None
        };
        let same = clusters.iter().position(|c| {
            c.fulls.contains(&o.key)
                || (known.is_some() && c.known == known)
                || (full
                    && (c.known.is_none() || known.is_none())
                    && c.fulls.iter().any(|f| full_names_compatible(f, &o.key, fz)))
        });
        let target = match same {
            Some(c) => Some(c),
            None if known.is_none() => {
                // Surname (or trailing words) of exactly one person, else the most recently
                // mentioned such person before this mention.
                let cands: Vec<usize> = (0..clusters.len())
                    .filter(|&c| {
                        clusters[c]
                            .fulls
                            .iter()
                            .any(|f| is_surname_of(&o.key, f, fz))
                    })
                    .collect();
                match cands.len() {
                    0 => None,
                    1 => Some(cands[0]),
                    _ => cands
                        .iter()
                        .filter_map(|&c| {
                            clusters[c]
                                .obs
                                .iter()
                                .map(|&k| obs[k].toks.start)
                                .filter(|&s| s < o.toks.start)
                                .max()
                                .map(|s| (s, c))
                        })
                        .max()
                        .map(|(_, c)| c),
                }
            }
            None => None,
        };
        match target {
            Some(c) => {
                let cl = &mut clusters[c];
                cl.obs.push(i);
                if full && !cl.fulls.contains(&o.key) {
                    cl.fulls.push(o.key.clone());
                }
                if cl.known.is_none() {
                    cl.known = known;
                }
                assign[i] = Some(c);
            }
            None => {
                clusters.push(Cluster {
                    key: String::new(),
                    name: String::new(),
                    known,
                    fulls: vec![o.key.clone()],
                    offices: Vec::new(),
                    aff: None,
                    gender: Gender::Unknown,
                    obs: vec![i],
                });
                assign[i] = Some(clusters.len() - 1);
            }
        }
    }
    for c in &mut clusters {
        c.obs.sort_unstable();
        finish(ctx, c, obs);
    }
    let assign = assign.into_iter().map(|a| a.unwrap_or(0)).collect();
    (clusters, assign)
}

/// Canonical name, key, offices, affiliation and gender of a cluster.
fn finish(ctx: &Ctx, c: &mut Cluster, obs: &[PersonObs]) {
    let known = c.known.and_then(|e| ctx.kb.entry(e));
    c.name = match known {
        Some(e) => e.name.clone(),
        None => {
            let longest = c
                .obs
                .iter()
                .map(|&i| core_len(&obs[i].key))
                .max()
                .unwrap_or(0);
            let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new(); // display -> (count, first)
            for &i in &c.obs {
                if core_len(&obs[i].key) == longest {
                    let e = counts.entry(obs[i].display.as_str()).or_insert((0, i));
                    e.0 += 1;
                }
            }
            counts
                .into_iter()
                .max_by_key(|(_, (n, first))| (*n, std::cmp::Reverse(*first)))
                .map(|(d, _)| d.to_string())
                .unwrap_or_default()
        }
    };
    c.key = normalize_key(&c.name);
    let mut affs: BTreeMap<String, (usize, usize, AffRef)> = BTreeMap::new();
    for &i in &c.obs {
        let t = &obs[i].title;
        for o in &t.offices {
            if !c.offices.contains(o) {
                c.offices.push(o.clone());
            }
        }
        if let Some(a) = &t.aff {
            let e = affs.entry(a.key.clone()).or_insert((0, i, a.clone()));
            e.0 += 1;
        }
        if c.gender == Gender::Unknown {
            c.gender = t.gender;
        }
    }
    c.aff = affs
        .into_values()
        .max_by_key(|(n, first, _)| (*n, std::cmp::Reverse(*first)))
        .map(|(_, _, a)| a);
    if let Some(e) = known {
        if e.gender != Gender::Unknown {
            c.gender = e.gender;
        }
        if c.aff.is_none() {
            c.aff = e
                .affiliation
                .as_deref()
                .and_then(|k| ctx.kb.entry_by_key(k))
                .map(AffRef::from_entry);
        }
    }
}
