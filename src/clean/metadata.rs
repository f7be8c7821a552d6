//! Title, dateline and agency extraction from the lines around the chosen body.

use regex::Regex;

use super::classify::{Kind, Line};
use super::lines::exact_key;

/// Canonical agency names: (lower-case spelling, canonical form).
const AGENCIES: &[(&str, &str)] = &[
    ("reuters", "Reuters"),
    ("reuter", "Reuters"),
    ("thomson reuters", "Reuters"),
    ("ap", "AP"),
    ("associated press", "AP"),
    ("the associated press", "AP"),
    ("afp", "AFP"),
    ("agence france-presse", "AFP"),
    ("agence france presse", "AFP"),
    ("dw", "DW"),
    ("deutsche welle", "DW"),
    ("rfe/rl", "RFE/RL"),
    ("radio free europe/radio liberty", "RFE/RL"),
    ("dpa", "dpa"),
    ("deutsche presse-agentur", "dpa"),
    ("upi", "UPI"),
    ("united press international", "UPI"),
    ("bloomberg", "Bloomberg"),
    ("bloomberg news", "Bloomberg"),
    ("xinhua", "Xinhua"),
    ("tass", "TASS"),
    ("itar-tass", "TASS"),
    ("interfax", "Interfax"),
    ("ria novosti", "RIA Novosti"),
    ("efe", "EFE"),
    ("ansa", "ANSA"),
    ("kyodo", "Kyodo"),
    ("kyodo news", "Kyodo"),
    ("yonhap", "Yonhap"),
    ("anadolu", "Anadolu"),
    ("anadolu agency", "Anadolu"),
    ("pti", "PTI"),
    ("press trust of india", "PTI"),
    ("ians", "IANS"),
    ("pa", "PA"),
    ("pa media", "PA"),
    ("press association", "PA"),
    ("aap", "AAP"),
    ("cnn", "CNN"),
    ("bbc", "BBC"),
    ("rfi", "RFI"),
];

/// Canonical agency name for a known spelling ("The Associated Press" → "AP").
pub(crate) fn known_agency(raw: &str) -> Option<&'static str> {
    let k = raw
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    AGENCIES.iter().find(|(n, _)| *n == k).map(|(_, c)| *c)
}

/// Agency named by a byline: the whole byline ("Associated Press") or the part before a staff
/// word ("DW staff (sp)", "Reuters correspondent").
pub(crate) fn agency_in_byline(byline: &str) -> Option<&'static str> {
    let no_paren = byline.split('(').next().unwrap_or("").trim();
    if let Some(a) = known_agency(no_paren) {
        return Some(a);
    }
    let lower = no_paren.to_lowercase();
    for staff in [
        " staff",
        " correspondent",
        " reporters",
        " reporter",
        " writers",
        " writer",
        " wire",
        " bureau",
    ] {
        if let Some(pos) = lower.find(staff) {
            if let Some(a) = no_paren.get(..pos).and_then(known_agency) {
                return Some(a);
            }
        }
    }
    None
}

/// Canonical name if known, else the trimmed raw text (for explicit "Source: X" lines).
pub(crate) fn normalize_agency(raw: &str) -> Option<String> {
    let t = raw
        .trim()
        .trim_matches(|c: char| c == '(' || c == ')')
        .trim();
    if t.is_empty() {
        return None;
    }
    Some(
        known_agency(t)
            .map(str::to_string)
            .unwrap_or_else(|| t.to_string()),
    )
}

/// A parsed dateline at the start of the lead paragraph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Dateline {
    /// Place in capitals, e.g. "MOSCOW".
    pub place: Option<String>,
    /// Agency in parentheses, e.g. "Reuters".
    pub agency: Option<String>,
    /// Byte length of the dateline prefix (including the dash and following space).
    pub prefix_len: usize,
}

/// Compiled regexes for datelines and agency signatures.
#[derive(Debug, Clone)]
pub(crate) struct MetaExtractor {
    dateline: Regex,
    agency_only: Regex,
    signature: Regex,
}

impl MetaExtractor {
    pub(crate) fn new() -> Result<Self, regex::Error> {
        Ok(Self {
            // MOSCOW, Aug 14 (Reuters) -   /   WASHINGTON (AP) —   /   MADRID —   /
            // NEW YORK, March 3 (Reuters) -   /   GAZA CITY, Gaza Strip (AP) —
            dateline: Regex::new(
                r"^(?P<place>\p{Lu}[\p{Lu}\p{M}.'’\-]+(?:\s+\p{Lu}[\p{Lu}\p{M}.'’\-]+){0,3})(?:\s*,\s*\p{Lu}[\p{L}.'’ \-]{1,30}?)?(?:\s*,\s*\p{Lu}\p{Ll}{2,8}\.?\s+\d{1,2})?\s*(?:\((?P<agency>[^()]{1,40})\))?\s*(?:--|-|–|—|:)\s+",
            )?,
            // (RFE/RL) Outgoing Russian President ...   /   (Reuters) — The New York ...
            agency_only: Regex::new(r"^\((?P<agency>[\p{L}/ .\-]{2,40})\)\s*(?:(?:--|-|–|—)\s*)?")?,
            // "... total 55.8 (33.7). REUTER" (Reuters-21578 bodies end with the signature).
            signature: Regex::new(r"\s+(?P<agency>REUTER|Reuter|REUTERS)\s*$")?,
        })
    }

    /// Parses a dateline or a leading "(Agency)" at the start of a paragraph.
    pub(crate) fn dateline(&self, para: &str) -> Option<Dateline> {
        if let Some(c) = self.dateline.captures(para) {
            let place = c.name("place")?.as_str().trim().to_string();
            // Require a real place: at least two letters and not a lone acronym followed by ':'
            // (e.g. "NOTE:"). Colon datelines are accepted only with an agency.
            let colon = c.get(0)?.as_str().trim_end().ends_with(':');
            let agency = c.name("agency").map(|m| m.as_str().to_string());
            if place.chars().filter(|ch| ch.is_alphabetic()).count() >= 3
                && (!colon || agency.is_some())
            {
                return Some(Dateline {
                    place: Some(place),
                    agency: agency.and_then(|a| normalize_agency(&a)),
                    prefix_len: c.get(0)?.end(),
                });
            }
        }
        let c = self.agency_only.captures(para)?;
        let a = c.name("agency")?.as_str();
        let known = known_agency(a)?;
        Some(Dateline {
            place: None,
            agency: Some(known.to_string()),
            prefix_len: c.get(0)?.end(),
        })
    }

    /// Byte offset where a trailing agency signature ("... REUTER") starts, and the agency.
    pub(crate) fn signature(&self, para: &str) -> Option<(usize, String)> {
        let c = self.signature.captures(para)?;
        let m = c.get(0)?;
        let a = normalize_agency(c.name("agency")?.as_str())?;
        Some((m.start(), a))
    }
}

/// True if a line could be a headline: 2–40 words, not a sentence, no URL.
fn title_like(l: &Line) -> bool {
    let t = l.text.as_str();
    let words = l.shape.words;
    (2..=40).contains(&words)
        && t.len() <= 400
        && !t.ends_with('.')
        && !t.ends_with(':')
        && !t.contains("://")
        && !t.starts_with("www.")
        && l.shape.numeric * 2 < words
}

/// Picks the headline among the header lines (indices `< body_start`), or `None`.
///
/// Preference: (1) a header line that the page's first line (usually the HTML `<title>`,
/// "Headline - Site") starts with; (2) the header line sharing most of its words with that
/// first line (at least 60%); (3) the title-like line nearest above the body. Lines the
/// classifier recognised as chrome, captions or metadata are never candidates.
pub(crate) fn pick_title(lines: &[Line], body_start: usize) -> Option<usize> {
    let header = lines.get(..body_start)?;
    let candidates: Vec<(usize, &Line)> = header
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            matches!(l.kind, Kind::Long | Kind::Short | Kind::ShortProse) && title_like(l)
        })
        .collect();
    if candidates.is_empty() {
        return None;
    }
    // The first line is compared word by word; an HTML title is short, anything long is not
    // one (and would make the comparison quadratic).
    let first = lines
        .first()
        .filter(|l| l.text.len() <= 400)
        .map(|l| exact_key(&l.text))
        .unwrap_or_default();
    let first_words: Vec<&str> = first.split(' ').collect();
    // 1. The first line starts with it ("Headline - Site", "Headline | Site").
    let by_prefix = candidates.iter().rev().find(|(i, l)| {
        let k = exact_key(&l.text);
        *i > 0 && l.shape.words >= 3 && !k.is_empty() && first.starts_with(&k)
    });
    if let Some((i, _)) = by_prefix {
        return Some(*i);
    }
    // 2. Most of its words appear in the first line (reworded or prefixed <title>).
    let mut best: Option<(usize, f32)> = None;
    for (i, l) in candidates
        .iter()
        .filter(|(i, l)| *i > 0 && l.shape.words >= 3)
    {
        let k = exact_key(&l.text);
        let words: Vec<&str> = k.split(' ').collect();
        let shared = words.iter().filter(|w| first_words.contains(w)).count();
        let share = shared as f32 / words.len().max(1) as f32;
        if share >= 0.6 && best.is_none_or(|(_, b)| share >= b) {
            best = Some((*i, share));
        }
    }
    if let Some((i, _)) = best {
        return Some(i);
    }
    // 3. Nearest line sharing at least two content words with the first line.
    let content = |w: &&str| w.chars().count() >= 4;
    let near = candidates.iter().rev().find(|(i, l)| {
        *i > 0 && l.shape.words >= 3 && {
            let k = exact_key(&l.text);
            k.split(' ')
                .filter(content)
                .filter(|w| first_words.contains(w))
                .count()
                >= 2
        }
    });
    if let Some((i, _)) = near {
        return Some(*i);
    }
    // 4. Nearest title-like line above the body with at least three words; else any.
    candidates
        .iter()
        .rev()
        .find(|(_, l)| l.shape.words >= 3)
        .or_else(|| candidates.last())
        .map(|(i, _)| *i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agencies_normalise() {
        assert_eq!(
            normalize_agency("The Associated Press").as_deref(),
            Some("AP")
        );
        assert_eq!(normalize_agency("(Reuters)").as_deref(), Some("Reuters"));
        assert_eq!(normalize_agency("NBC News").as_deref(), Some("NBC News"));
        assert_eq!(normalize_agency("  "), None);
    }

    #[test]
    fn datelines() {
        let m = MetaExtractor::new().unwrap();
        let d = m
            .dateline("MOSCOW, Aug 14 (Reuters) - Georgia's rebel regions toughened their push.")
            .unwrap();
        assert_eq!(d.place.as_deref(), Some("MOSCOW"));
        assert_eq!(d.agency.as_deref(), Some("Reuters"));
        assert_eq!(
            &"MOSCOW, Aug 14 (Reuters) - Georgia's"[d.prefix_len..],
            "Georgia's"
        );
        let d = m
            .dateline("NEW YORK (AP) — Stocks fell on Monday.")
            .unwrap();
        assert_eq!(d.place.as_deref(), Some("NEW YORK"));
        assert_eq!(d.agency.as_deref(), Some("AP"));
        let d = m
            .dateline("MADRID — Rafael Nadal kept Spain's hopes alive.")
            .unwrap();
        assert_eq!((d.place.as_deref(), d.agency), (Some("MADRID"), None));
        let d = m
            .dateline("(RFE/RL) Outgoing Russian President Vladimir Putin has said")
            .unwrap();
        assert_eq!((d.place, d.agency.as_deref()), (None, Some("RFE/RL")));
        assert!(m.dateline("The minister - who resigned - spoke.").is_none());
        assert!(m.dateline("NOTE: figures are provisional.").is_none());
        assert!(m.dateline("(Updated with quotes) The bank said.").is_none());
        let (at, a) = m.signature("sold 20.0 total 55.8 (33.7).  REUTER").unwrap();
        assert_eq!(a, "Reuters");
        assert_eq!(
            &"sold 20.0 total 55.8 (33.7).  REUTER"[..at],
            "sold 20.0 total 55.8 (33.7)."
        );
    }
}
