//! Configured topics ("independence of South Ossetia and Abkhazia", "NATO membership") and
//! the phrases that name them in text.
//!
//! A phrase is matched case-insensitively against a sentence's tokens. Inside a phrase:
//! * a word ending in `*` matches any token starting with it (`independen*` matches
//!   "independence" and "independent");
//! * `...` matches a gap of up to [`MAX_TOPIC_GAP`] tokens that does not cross `;`, `.` or `:`
//!   (`Abkhazia ... independen*` matches "Abkhazia, which Russia recognised as independent").
//!
//! Words are split like the tokenizer splits them: `Georgia's` in a phrase becomes `georgia 's`.

use serde::{Deserialize, Serialize};

/// Largest gap `...` bridges in a topic phrase, in tokens.
pub const MAX_TOPIC_GAP: usize = 8;

/// `[[stance.topics]]`: a topic actors can take a stance on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TopicConfig {
    /// Name used in the `stances.target` column as `topic:<name>`.
    pub name: String,
    /// Phrases that name the topic; `*` ends a prefix word, `...` is a short gap.
    pub phrases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Word(String),
    Prefix(String),
    Gap,
}

/// A topic phrase found in a sentence, as a token range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicMatch {
    /// Index of the topic in the config.
    pub topic: usize,
    /// First token (sentence-relative).
    pub start: usize,
    /// One past the last token.
    pub end: usize,
}

/// Compiled topic phrases.
#[derive(Debug, Clone, Default)]
pub struct TopicMatcher {
    names: Vec<String>,
    phrases: Vec<(usize, Vec<Part>)>,
}

/// Splits a phrase word the way the tokenizer would (clitic `'s`, trailing punctuation).
fn split_word(w: &str, out: &mut Vec<String>) {
    if w == "..." || w == "…" {
        out.push("...".to_string());
        return;
    }
    let lw = w.to_lowercase();
    for suffix in ["'s", "’s", "n't", "n’t"] {
        if let Some(stem) = lw.strip_suffix(suffix) {
            if !stem.is_empty() {
                out.push(stem.to_string());
                out.push(suffix.replace('’', "'"));
                return;
            }
        }
    }
    let trimmed = lw.trim_end_matches([',', '.', ';', ':', '!', '?']);
    if !trimmed.is_empty() {
        out.push(trimmed.to_string());
    }
}

impl TopicMatcher {
    /// Compiles the configured topics. Topics without a name or phrase are reported by
    /// [`TopicMatcher::validate`]; here they simply never match.
    pub fn new(topics: &[TopicConfig]) -> Self {
        let mut m = TopicMatcher::default();
        for (ti, t) in topics.iter().enumerate() {
            m.names.push(t.name.clone());
            for p in &t.phrases {
                let mut words = Vec::new();
                for w in p.split_whitespace() {
                    split_word(w, &mut words);
                }
                let mut parts: Vec<Part> = Vec::new();
                for w in words {
                    let part = if w == "..." {
                        Part::Gap
                    } else if let Some(pre) = w.strip_suffix('*') {
                        Part::Prefix(pre.to_string())
                    } else {
                        Part::Word(w)
                    };
                    // Gaps at either end or doubled carry no meaning.
                    if part == Part::Gap && matches!(parts.last(), None | Some(Part::Gap)) {
                        continue;
                    }
                    parts.push(part);
                }
                while parts.last() == Some(&Part::Gap) {
                    parts.pop();
                }
                if !parts.is_empty() {
                    m.phrases.push((ti, parts));
                }
            }
        }
        m
    }

    /// Problems with the topic list, as `(key, message)` for the config error.
    pub fn validate(topics: &[TopicConfig]) -> Result<(), (String, String)> {
        let mut seen = std::collections::BTreeSet::new();
        for (i, t) in topics.iter().enumerate() {
            if t.name.trim().is_empty() {
                return Err((
                    format!("topics[{i}].name"),
                    "a topic needs a name".to_string(),
                ));
            }
            if !seen.insert(t.name.as_str()) {
                return Err((
                    format!("topics[{i}].name"),
                    format!("topic `{}` is listed twice", t.name),
                ));
            }
            if t.phrases.iter().all(|p| p.trim().is_empty()) {
                return Err((
                    format!("topics[{i}].phrases"),
                    format!("topic `{}` needs at least one phrase", t.name),
                ));
            }
        }
        Ok(())
    }

    /// Name of topic `i`.
    pub fn name(&self, i: usize) -> &str {
        self.names.get(i).map(String::as_str).unwrap_or("")
    }

    /// True when no topic is configured.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// Topic phrases in `words` (lowercase tokens of one sentence): for each topic, its
    /// non-overlapping shortest matches from left to right, then sorted by position.
    pub fn find(&self, words: &[String]) -> Vec<TopicMatch> {
        let mut found: Vec<TopicMatch> = Vec::new();
        for start in 0..words.len() {
            for (ti, parts) in &self.phrases {
                if let Some(end) = match_parts(parts, words, start) {
                    let overlaps = found
                        .iter()
                        .any(|m| m.topic == *ti && m.start < end && start < m.end);
                    if !overlaps {
                        found.push(TopicMatch {
                            topic: *ti,
                            start,
                            end,
                        });
                    }
                }
            }
        }
        found.sort_by_key(|m| (m.start, m.end, m.topic));
        found
    }
}

fn part_matches(p: &Part, w: &str) -> bool {
    match p {
        Part::Word(x) => x == w,
        Part::Prefix(x) => w.starts_with(x.as_str()),
        Part::Gap => false,
    }
}

/// End of the shortest match of `parts` starting exactly at `start`.
fn match_parts(parts: &[Part], words: &[String], start: usize) -> Option<usize> {
    let first = parts.first()?;
    let w = words.get(start)?;
    if !part_matches(first, w) {
        return None;
    }
    let mut pos = start + 1;
    let mut k = 1;
    while k < parts.len() {
        match &parts[k] {
            Part::Gap => {
                // The part after a gap is never a gap (compiled away); find it within the gap.
                let next = parts.get(k + 1)?;
                let mut found = None;
                for skip in 0..=MAX_TOPIC_GAP {
                    let w = words.get(pos + skip)?;
                    if part_matches(next, w) {
                        found = Some(pos + skip);
                        break;
                    }
                    if matches!(w.as_str(), ";" | "." | ":") {
                        return None;
                    }
                }
                pos = found? + 1;
                k += 2;
            }
            p => {
                if !part_matches(p, words.get(pos)?) {
                    return None;
                }
                pos += 1;
                k += 1;
            }
        }
    }
    Some(pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        super::super::classifier::tokenize(s)
            .into_iter()
            .map(|r| s[r].to_lowercase())
            .collect()
    }

    #[test]
    fn phrases_prefixes_and_gaps() {
        let m = TopicMatcher::new(&[
            TopicConfig {
                name: "independence".into(),
                phrases: vec![
                    "independen* of Abkhazia".into(),
                    "Abkhazia ... independen*".into(),
                ],
            },
            TopicConfig {
                name: "nato".into(),
                phrases: vec!["NATO membership".into()],
            },
        ]);
        let w = words("Moscow recognised the independence of Abkhazia yesterday");
        let f = m.find(&w);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].start, f[0].end), (3, 6));
        assert_eq!(m.name(f[0].topic), "independence");

        let w = words("Abkhazia , which Russia has recognised as an independent state");
        let f = m.find(&w);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].start, f[0].end), (0, 9));

        // The gap does not cross a sentence-internal period or run past the limit.
        let w = words("Abkhazia . Many regions were later declared independent");
        assert!(m.find(&w).is_empty());
        let w = words("Georgia opposes nato membership for Ukraine");
        assert_eq!(m.find(&w).len(), 1);
    }

    #[test]
    fn validation() {
        assert!(TopicMatcher::validate(&[TopicConfig {
            name: String::new(),
            phrases: vec!["x".into()]
        }])
        .is_err());
        assert!(TopicMatcher::validate(&[TopicConfig {
            name: "a".into(),
            phrases: vec![]
        }])
        .is_err());
    }
}
