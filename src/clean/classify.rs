//! Per-line classification: what kind of text each block is, before the body is chosen.

use regex::Regex;

use super::dates::{DateHit, DateParser};
use super::lines::{shape, Shape};
use super::patterns::{PatternKind, Patterns};

/// What a block is. The body selector scores these; the assembler keeps only content kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A sentence-like line: ends like a sentence and has enough words.
    Prose,
    /// A short line that still ends like a sentence ("Nobody was hurt.").
    ShortProse,
    /// A long line without sentence punctuation (headline, list item, alt text).
    Long,
    /// A short non-sentence line (menu item, label, sub-heading).
    Short,
    /// A line ending in an ellipsis: teaser/summary of another page (or a truncated paywall).
    Teaser,
    /// Matched a `drop` pattern.
    Drop,
    /// Matched an `end` pattern: a related-stories box or a trailer starts here.
    End,
    /// Matched a `stop` pattern: the comment section or post navigation starts here.
    Stop,
    /// Photo caption or credit.
    Caption,
    /// Wire note, source line, reporting credit.
    Wire,
    /// Date line, byline, "2 hours ago", byline glued to a date.
    Meta,
    /// Repeated across many documents of the same source (corpus statistics).
    Corpus,
}

impl Kind {
    /// Kinds that are article text when they fall inside the body.
    pub(crate) fn is_content(self) -> bool {
        matches!(
            self,
            Kind::Prose | Kind::ShortProse | Kind::Long | Kind::Short | Kind::Teaser
        )
    }
}

/// A classified block.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Normalised text.
    pub text: String,
    /// Input lines merged into this block.
    pub src_lines: usize,
    /// Classification.
    pub kind: Kind,
    /// Shape statistics.
    pub shape: Shape,
    /// An earlier copy of a later block (set by the repeat pass).
    pub earlier_dup: bool,
    /// Agency captured by a pattern or a byline.
    pub agency: Option<String>,
    /// Date found in a meta line.
    pub date: Option<DateHit>,
    /// Byline text found in a meta line.
    pub byline: Option<String>,
    /// The date line carried an "updated"/"modified" label (less preferred as publication date).
    pub date_is_update: bool,
}

/// Regexes for bylines and relative times, compiled once per `Cleaner`.
#[derive(Debug, Clone)]
pub(crate) struct MetaRegexes {
    by: Regex,
    staff: Regex,
    ago: Regex,
    says: Regex,
    update_label: Regex,
}

impl MetaRegexes {
    pub(crate) fn new() -> Result<Self, regex::Error> {
        let name = r"\p{Lu}[\p{L}\p{M}.'’\-]*";
        let link = r"(?:and|&|,|de|da|di|van|von|der|den|la|le|del|bin|al|el|y|und|et|e)";
        Ok(Self {
            by: Regex::new(&format!(
                r"^(?i:by|posted by|written by|words by|story by|text by|reporting by|von|par|por|door|di):?\s+(?P<name>{name}(?:,?\s+(?:{name}|{link}))*?)(?:\s*(?:[,|/•·–—-]|(?-u:\b)in(?-u:\b)|(?-u:\b)for(?-u:\b)|(?-u:\b)on(?-u:\b))\s*.{{0,80}})?$"
            ))?,
            staff: Regex::new(
                r"^(?P<name>\p{Lu}[\p{L}\p{M}.&'’\-]*(?:\s+(?:\p{Lu}[\p{L}\p{M}.&'’\-]*|and|&)){0,5}\s(?i:staff|staff writer|staff reporter|correspondent|reporters?|editors?|desk|wire|bureau|news desk|newsroom|news service|wire services?))(?:\s*\([^()]{1,20}\))?$",
            )?,
            ago: Regex::new(
                r"(?i)^(?:updated\s+|posted\s+)?(?:about\s+)?(?:\d+|an?|one)\s*(?:s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)\s+ago(?-u:\b).{0,40}$",
            )?,
            says: Regex::new(r"(?i)^.{1,120}\s(says|said|wrote|writes|commented):$")?,
            update_label: Regex::new(r"(?i)(?-u:\b)(updated|update|modified|last edited)(?-u:\b)")?,
        })
    }
}

/// Everything the classifier needs, borrowed from the `Cleaner`.
pub(crate) struct Classifier<'a> {
    pub patterns: &'a Patterns,
    pub dates: &'a DateParser,
    pub meta: &'a MetaRegexes,
    pub min_sentence_units: f32,
}

/// Longest line (bytes) that is checked for dates/bylines: metadata lines are short.
const MAX_META_LINE_BYTES: usize = 240;

impl Classifier<'_> {
    /// Classifies one normalised block (without context).
    pub(crate) fn classify(&self, mut text: String, src_lines: usize) -> Line {
        strip_share_suffix(&mut text);
        let sh = shape(&text);
        let mut line = Line {
            text,
            src_lines,
            kind: Kind::Short,
            shape: sh,
            earlier_dup: false,
            agency: None,
            date: None,
            byline: None,
            date_is_update: false,
        };
        let hit = self.patterns.check(&line.text);
        line.agency = hit.agency;
        if let Some(k) = hit.kind {
            line.kind = match k {
                PatternKind::Drop => Kind::Drop,
                PatternKind::End => Kind::End,
                PatternKind::Stop => Kind::Stop,
                PatternKind::Caption => Kind::Caption,
                PatternKind::Wire => Kind::Wire,
            };
            return line;
        }
        if line.text.len() <= MAX_META_LINE_BYTES && self.meta_line(&mut line) {
            line.kind = Kind::Meta;
            return line;
        }
        let t = line.text.as_str();
        line.kind = if t.ends_with("...") || t.ends_with('…') || t.ends_with("[…]") {
            Kind::Teaser
        } else if sh.units >= self.min_sentence_units
            && (sh.terminal || internal_sentence_ends(t) >= 2)
        {
            // A long paragraph whose last sentence lacks its period is still prose.
            Kind::Prose
        } else if sh.units >= self.min_sentence_units {
            Kind::Long
        } else if sh.terminal && sh.words >= 3 && starts_upper(t) && !t.ends_with(':') {
            Kind::ShortProse
        } else {
            Kind::Short
        };
        line
    }

    /// Detects date lines, bylines, relative times and "X says:" comment headers.
    fn meta_line(&self, line: &mut Line) -> bool {
        let t = line.text.as_str();
        let sh = line.shape;
        // Embedded tweet signatures ("— Name (@handle) November 18, 2019") are quoted content.
        if t.contains("(@") {
            return false;
        }
        let has_digit = t.bytes().any(|b| b.is_ascii_digit());
        let lower_has = |needle: &str| {
            t.as_bytes()
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
        };
        if lower_has("ago") && self.meta.ago.is_match(t) {
            return true;
        }
        // Comment headers: "joe says:" (WordPress) or "Ann on May 2, 2019 at 4:47 pm said:".
        // A news sentence ending in "said:" (introducing a quote) has no date in it.
        if t.ends_with(':') && sh.units <= 16.0 && self.meta.says.is_match(t) {
            let says = t.len() >= 5
                && t.as_bytes()
                    .get(t.len() - 5..)
                    .is_some_and(|e| e.eq_ignore_ascii_case(b"says:"));
            if (says && sh.units <= 4.0) || (has_digit && self.dates.find(t).is_some()) {
                return true;
            }
        }
        if let Some(c) = self.meta.by.captures(t) {
            if (sh.units <= 14.0 && !t.ends_with('.')) || t.ends_with(" Jr.") {
                line.byline = c.name("name").map(|m| m.as_str().trim().to_string());
                if has_digit {
                    line.date = self.dates.find(t);
                }
                return true;
            }
        }
        let determiner = t.split_whitespace().next().is_some_and(|w| {
            ["our", "the", "all", "more", "from", "meet", "about"]
                .contains(&w.to_lowercase().as_str())
        });
        if sh.units <= 8.0 && !determiner && self.meta.staff.is_match(t) {
            line.byline = Some(t.to_string());
            return true;
        }
        // Every date form we recognise contains a digit.
        let Some(h) = has_digit.then(|| self.dates.find(t)).flatten() else {
            return false;
        };
        if sh.units > 16.0 || (sh.terminal && !t.ends_with("a.m.") && !t.ends_with("p.m.")) {
            // A sentence that mentions a date is prose, not a date line.
            if !(sh.units <= 6.0 && t.ends_with('.')) {
                return false;
            }
        }
        let residual = self.dates.residual_words(t, &h);
        let is_update = self.meta.update_label.is_match(t);
        // A bare "Nov 18" is a date line; "Record March 13" (a dividend table row) is not.
        if residual.len() <= usize::from(h.year.is_some()) {
            line.date = Some(h);
            line.date_is_update = is_update;
            return true;
        }
        // "DW staff (sp)August 14, 2008", "Posted by A. Writer on Nov 19, 2019": a short
        // byline glued to (or followed by) a date.
        if residual.len() <= 7 && h.year.is_some() {
            line.date = Some(h);
            line.date_is_update = is_update;
            let before = t.get(..h.start).unwrap_or("").trim();
            let before = before
                .trim_end_matches(|c: char| {
                    matches!(c, '|' | '-' | '–' | '—' | ',' | '•' | '·' | ':' | ' ')
                })
                .trim();
            let before = self.strip_filler(before);
            let after = t.get(h.end..).unwrap_or("");
            // "... 7:45 am PST by Joe Rossignol": a "by" clause after the date.
            let by_after = after
                .to_ascii_lowercase()
                .find("by ")
                .and_then(|k| after.get(k..))
                .and_then(|a| self.meta.by.captures(a.trim()))
                .and_then(|c| c.name("name").map(|m| m.as_str().trim().to_string()));
            line.byline =
                if !before.is_empty() && before.chars().next().is_some_and(char::is_uppercase) {
                    Some(
                        self.meta
                            .by
                            .captures(before)
                            .and_then(|c| c.name("name").map(|m| m.as_str().trim().to_string()))
                            .unwrap_or_else(|| before.to_string()),
                    )
                } else {
                    by_after
                };
            return true;
        }
        false
    }
}

/// Share widgets glued to quotable sentences ("... business. Click To Tweet"): the sentence is
/// article text, the suffix is not.
fn strip_share_suffix(text: &mut String) {
    const SUFFIXES: [&str; 3] = [" click to tweet", " tweet this", " share this quote"];
    for suf in SUFFIXES {
        let Some(cut) = text.len().checked_sub(suf.len()) else {
            continue;
        };
        let matches = text
            .as_bytes()
            .get(cut..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suf.as_bytes()));
        if matches && cut > 0 && text.is_char_boundary(cut) {
            text.truncate(cut);
            let trimmed = text.trim_end().len();
            text.truncate(trimmed);
            return;
        }
    }
}

/// Number of sentence boundaries inside a line: ". X", "! X", "? X" with X upper-case.
fn internal_sentence_ends(t: &str) -> usize {
    let mut n = 0;
    let mut prev: [char; 2] = [' ', ' '];
    for c in t.chars() {
        if matches!(prev[0], '.' | '!' | '?' | '。') && prev[1] == ' ' && c.is_uppercase() {
            n += 1;
        }
        prev = [prev[1], c];
    }
    n
}

impl Classifier<'_> {
    /// Drops leading and trailing filler words ("Updated", "Monday", "at", "|") from the text
    /// printed before a date, leaving a byline or nothing.
    fn strip_filler<'t>(&self, s: &'t str) -> &'t str {
        let is_sep = |c: char| !(c.is_alphanumeric() || c == '(' || c == ')' || c == '.');
        let mut s = s.trim_matches(is_sep);
        loop {
            let first_end = s.find(is_sep).unwrap_or(s.len());
            let (w, rest) = s.split_at(first_end);
            if !w.is_empty() && self.dates.is_filler(w.trim_end_matches('.')) {
                s = rest.trim_matches(is_sep);
                continue;
            }
            let last_start = s.rfind(is_sep).map_or(0, |k| k + 1);
            let (head, w) = s.split_at(last_start.min(s.len()));
            if !w.is_empty() && self.dates.is_filler(w.trim_end_matches('.')) {
                s = head.trim_matches(is_sep);
                continue;
            }
            return s;
        }
    }
}

fn starts_upper(t: &str) -> bool {
    t.chars()
        .find(|c| c.is_alphanumeric() || *c == '"' || *c == '“')
        .is_some_and(|c| c.is_uppercase() || c.is_numeric() || c == '"' || c == '“')
}

/// Five-character lower-case stems of the content words (≥ 4 letters) of a line.
fn stems(t: &str) -> Vec<String> {
    let mut v: Vec<String> = t
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(|w| w.to_lowercase().chars().take(5).collect())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Marks alt-text lines printed just before a caption: a non-sentence line immediately followed
/// by a caption line (DW prints "A damaged building in Gori, Georgia" then "A damaged building
/// in GoriImage: AP"). A long line (a described scene) always counts; a short one must share at
/// least a third of its content-word stems with the caption, so that a sub-heading printed just
/// above an unrelated photo survives.
pub(crate) fn mark_alt_text(lines: &mut [Line]) {
    for i in 1..lines.len() {
        let (head, tail) = lines.split_at_mut(i);
        let (Some(prev), Some(cur)) = (head.last_mut(), tail.first()) else {
            continue;
        };
        if cur.kind != Kind::Caption || !matches!(prev.kind, Kind::Long | Kind::Short) {
            continue;
        }
        if prev.kind == Kind::Long {
            prev.kind = Kind::Caption;
            continue;
        }
        let a = stems(&prev.text);
        if a.is_empty() {
            continue;
        }
        let b = stems(&cur.text);
        let shared = a.iter().filter(|s| b.binary_search(s).is_ok()).count();
        if shared * 3 >= a.len() {
            prev.kind = Kind::Caption;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier_parts() -> (Patterns, DateParser, MetaRegexes) {
        (
            Patterns::load(None, true).unwrap(),
            DateParser::new().unwrap(),
            MetaRegexes::new().unwrap(),
        )
    }

    fn kind_of(t: &str) -> Line {
        let (p, d, m) = classifier_parts();
        let c = Classifier {
            patterns: &p,
            dates: &d,
            meta: &m,
            min_sentence_units: 8.0,
        };
        c.classify(t.to_string(), 1)
    }

    #[test]
    fn prose_and_shapes() {
        assert_eq!(
            kind_of("The mayor opened the new bridge on Saturday after three years of work.").kind,
            Kind::Prose
        );
        assert_eq!(kind_of("Nobody was hurt.").kind, Kind::ShortProse);
        assert_eq!(kind_of("Ceasefire under strain").kind, Kind::Short);
        assert_eq!(
            kind_of("It rained all week. The river rose. Roads were closed across the valley").kind,
            Kind::Prose,
            "two internal sentence ends make a paragraph prose without a final period"
        );
        assert_eq!(
            kind_of("Ten things to know about the new tax rules before the end of the year").kind,
            Kind::Long
        );
        assert_eq!(
            kind_of("Read the rest of our coverage on the summit …").kind,
            Kind::Teaser
        );
    }

    #[test]
    fn bylines_and_dates() {
        let l = kind_of("DW staff (sp)August 14, 2008");
        assert_eq!(l.kind, Kind::Meta);
        assert_eq!(l.byline.as_deref(), Some("DW staff (sp)"));
        assert_eq!(l.date.and_then(|d| d.iso()).as_deref(), Some("2008-08-14"));
        let l = kind_of("By Jane Q. Writer and Ali Reporter");
        assert_eq!(l.kind, Kind::Meta);
        assert_eq!(l.byline.as_deref(), Some("Jane Q. Writer and Ali Reporter"));
        let l = kind_of("Updated 1:39 am EST, Wednesday, November 20, 2019");
        assert_eq!(l.kind, Kind::Meta);
        assert!(l.date_is_update);
        assert_eq!(kind_of("32M ago").kind, Kind::Meta);
        assert_eq!(kind_of("Nov 18").kind, Kind::Meta);
        let l = kind_of("Monday November 18, 2019 12:38 pm PST by Joe Rossi");
        assert_eq!(
            (l.kind, l.byline.as_deref()),
            (Kind::Meta, Some("Joe Rossi"))
        );
        let l = kind_of("Updated: Nov. 19, 2019");
        assert_eq!((l.kind, l.byline), (Kind::Meta, None));
        assert_eq!(kind_of("Record March 13").kind, Kind::Short);
        assert_eq!(kind_of("Staff Reports").kind, Kind::Short);
        assert_eq!(kind_of("Our Staff").kind, Kind::Short);
        assert_eq!(kind_of("Letters to the Editor").kind, Kind::Short);
        assert_eq!(kind_of("Detroit News wire services").kind, Kind::Meta);
        assert_eq!(kind_of("joe_d says:").kind, Kind::Meta);
        assert_eq!(
            kind_of("Ann Lee on September 12, 2018 at 4:47 pm said:").kind,
            Kind::Meta
        );
        assert_eq!(kind_of("The minister said:").kind, Kind::Short);
        // Sentences that begin with "By" or mention dates stay prose.
        assert_eq!(
            kind_of("By then, the rebels had taken the airport and two bridges.").kind,
            Kind::Prose
        );
        assert_eq!(
            kind_of("On August 14, 2008, the two leaders met in Moscow for talks.").kind,
            Kind::Prose
        );
    }

    #[test]
    fn alt_text_before_caption() {
        let mut lines = vec![
            kind_of("A damaged building in Gori, Georgia"),
            kind_of("A damaged building in GoriImage: AP"),
            kind_of("Tensions remain high"),
            kind_of("However, tension remained high between the two capitals on Friday."),
        ];
        assert_eq!(lines[1].kind, Kind::Caption);
        mark_alt_text(&mut lines);
        assert_eq!(lines[0].kind, Kind::Caption);
        assert_eq!(lines[2].kind, Kind::Short);
        // A sub-heading before an unrelated photo is kept.
        let mut lines = vec![
            kind_of("Humanitarian aid arrives"),
            kind_of("A man walks past a burnt car in the old townImage: AP"),
        ];
        mark_alt_text(&mut lines);
        assert_eq!(lines[0].kind, Kind::Short);
    }
}
