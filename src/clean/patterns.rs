//! Configurable line patterns (site chrome, wire notes, captions, trailers).
//!
//! The built-in list lives in `resources/boilerplate.txt` and is embedded at compile time; users can
//! add their own file (`CleanConfig::extra_patterns_file`). Format: one rule per line,
//! `KIND  REGEX`, `#` starts a comment line. Regexes are case-insensitive and matched against the
//! whitespace-normalised, trimmed line. A named group `agency` (e.g. `(?P<agency>.+)`) records the
//! matched text as the article's agency/source.

use std::path::Path;

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::CleanError;

/// The built-in pattern list, embedded so the binary works without the resource directory.
pub const DEFAULT_PATTERNS: &str = include_str!("../../resources/boilerplate.txt");

/// Lines longer than this (bytes) are never matched against patterns: boilerplate lines are short,
/// and skipping long paragraphs keeps matching cheap.
pub(crate) const MAX_PATTERN_LINE_BYTES: usize = 1000;

/// Compiled-size budget per regex and for the combined set (the default 10 MB is too small for
/// a set of ~100 case-insensitive Unicode patterns).
const REGEX_SIZE_LIMIT: usize = 64 << 20;

/// What a matching line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatternKind {
    /// Site chrome, navigation, share/newsletter/cookie lines: remove wherever they occur.
    Drop,
    /// A line that opens a box or trailer (related stories, most read, tags): remove, and
    /// penalise heavily when choosing the article body.
    End,
    /// A line that opens the comment section or post navigation: remove; the body is chosen
    /// before it.
    Stop,
    /// A photo caption or credit line: remove.
    Caption,
    /// Wire-service notes, source lines, reporting credits: remove (may carry an agency).
    Wire,
}

impl PatternKind {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "drop" => Some(Self::Drop),
            "end" => Some(Self::End),
            "stop" => Some(Self::Stop),
            "caption" => Some(Self::Caption),
            "wire" => Some(Self::Wire),
            _ => None,
        }
    }
}

/// One compiled rule with its origin (for error messages and debugging).
#[derive(Debug, Clone)]
struct Rule {
    kind: PatternKind,
    regex: Regex,
    has_agency: bool,
}

/// The outcome of matching one line.
#[derive(Debug, Clone, Default)]
pub(crate) struct PatternHit {
    /// The strongest kind that matched (Stop > End > Caption > Wire > Drop), if any.
    pub kind: Option<PatternKind>,
    /// Text captured by an `agency` group, if a matching rule has one.
    pub agency: Option<String>,
}

/// A compiled set of line rules.
#[derive(Debug, Clone)]
pub(crate) struct Patterns {
    rules: Vec<Rule>,
    /// The rules anchored at a fixed line start, and (as rule positions) the set's patterns.
    anchored: (RegexSet, Vec<usize>),
    /// The rules that may match anywhere in a line (`^.*…`, `^[^.]*…`).
    floating: (RegexSet, Vec<usize>),
}

impl Patterns {
    /// Compiles the built-in list plus an optional user file.
    pub(crate) fn load(extra: Option<&Path>, use_defaults: bool) -> Result<Self, CleanError> {
        let mut rules = Vec::new();
        if use_defaults {
            parse_into(
                DEFAULT_PATTERNS,
                "<built-in resources/boilerplate.txt>",
                &mut rules,
            )?;
        }
        if let Some(path) = extra {
            let text = crate::config::read_user_file(path).map_err(|source| {
                CleanError::PatternFileRead {
                    path: path.display().to_string(),
                    source,
                }
            })?;
            parse_into(&text, &path.display().to_string(), &mut rules)?;
        }
        // Two sets, because one lazy DFA over all rules pays for the few that can match
        // anywhere on every byte of every line: its states track them together with every
        // live anchored rule, and it builds new states all through the corpus. Apart, the
        // anchored set's DFA dies within the first words of most lines and the floating set's
        // stays small (pattern matching went from ~6.5% to ~3.5% of the CPU time of a run).
        let (floating, anchored): (Vec<usize>, Vec<usize>) = (0..rules.len()).partition(|&i| {
            rules
                .get(i)
                .is_some_and(|r| matches_anywhere(r.regex.as_str()))
        });
        let compile = |which: Vec<usize>| -> Result<(RegexSet, Vec<usize>), CleanError> {
            let set = RegexSetBuilder::new(
                which
                    .iter()
                    .filter_map(|&i| rules.get(i).map(|r| r.regex.as_str())),
            )
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| CleanError::BadPattern {
                file: "<combined pattern set>".to_string(),
                line: 0,
                message: e.to_string(),
            })?;
            Ok((set, which))
        };
        let anchored = compile(anchored)?;
        let floating = compile(floating)?;
        Ok(Self {
            rules,
            anchored,
            floating,
        })
    }

    /// Number of compiled rules.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.rules.len()
    }

    /// Matches one trimmed line against all rules.
    pub(crate) fn check(&self, line: &str) -> PatternHit {
        let mut hit = PatternHit::default();
        if line.is_empty() || line.len() > MAX_PATTERN_LINE_BYTES || self.rules.is_empty() {
            return hit;
        }
        // Most lines match nothing; a plain membership test is much cheaper than collecting
        // every overlapping match, so only hits pay for the full scan.
        let (a, f) = (&self.anchored, &self.floating);
        let (in_a, in_f) = (a.0.is_match(line), f.0.is_match(line));
        if !in_a && !in_f {
            return hit;
        }
        // Rule order decides which `agency` capture wins, so merge the two sets' hits.
        let mut matched: Vec<usize> = Vec::new();
        for (set, which) in [(a, in_a), (f, in_f)]
            .into_iter()
            .filter_map(|(s, hit)| hit.then_some(s))
        {
            matched.extend(set.matches(line).iter().filter_map(|k| which.get(k)));
        }
        matched.sort_unstable();
        for idx in matched {
            let Some(rule) = self.rules.get(idx) else {
                continue;
            };
            hit.kind = Some(match (hit.kind, rule.kind) {
                (None, k) => k,
                (Some(a), b) => stronger(a, b),
            });
            if rule.has_agency && hit.agency.is_none() {
                if let Some(m) = rule.regex.captures(line).and_then(|c| c.name("agency")) {
                    let a = m.as_str().trim();
                    // An agency is a name, not a sentence: ignore long captures.
                    if !a.is_empty() && a.len() <= 60 && a.split_whitespace().count() <= 6 {
                        hit.agency = Some(a.to_string());
                    }
                }
            }
        }
        hit
    }
}

fn rank(k: PatternKind) -> u8 {
    match k {
        PatternKind::Drop => 0,
        PatternKind::Wire => 1,
        PatternKind::Caption => 2,
        PatternKind::End => 3,
        PatternKind::Stop => 4,
    }
}

fn stronger(a: PatternKind, b: PatternKind) -> PatternKind {
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// True for a rule whose match can start anywhere in a line: `(?i)^.*…` or `(?i)^[^…]*…`.
fn matches_anywhere(regex: &str) -> bool {
    let body = regex.strip_prefix("(?i)").unwrap_or(regex);
    let Some(rest) = body.strip_prefix('^') else {
        return true;
    };
    rest.starts_with(".*") || (rest.starts_with("[^") && rest.contains("]*"))
}

/// Rewrites `\b` / `\B` to their ASCII forms. A Unicode word boundary makes the regex crate's
/// fast lazy DFA give up on any non-ASCII line (curly quotes, dashes, accents are everywhere in
/// news) and fall back to a much slower engine; boilerplate words are ASCII-bounded in practice.
fn ascii_word_boundaries(pat: &str) -> String {
    let mut out = String::with_capacity(pat.len() + 16);
    let mut chars = pat.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('b') => out.push_str("(?-u:\\b)"),
                Some('B') => out.push_str("(?-u:\\B)"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses `KIND REGEX` lines; names the file and 1-based line number on any error.
fn parse_into(text: &str, file: &str, out: &mut Vec<Rule>) -> Result<(), CleanError> {
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (kind_s, pat) = match line.split_once(char::is_whitespace) {
            Some((k, p)) => (k, p.trim()),
            None => (line, ""),
        };
        let bad = |message: String| CleanError::BadPattern {
            file: file.to_string(),
            line: i + 1,
            message,
        };
        let kind = PatternKind::parse(kind_s).ok_or_else(|| {
            bad(format!(
                "unknown kind `{kind_s}` (expected one of: drop, end, stop, caption, wire)"
            ))
        })?;
        if pat.is_empty() {
            return Err(bad("missing regex after the kind".to_string()));
        }
        let regex = RegexBuilder::new(&format!("(?i){}", ascii_word_boundaries(pat)))
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| bad(e.to_string()))?;
        let has_agency = regex.capture_names().flatten().any(|n| n == "agency");
        out.push(Rule {
            kind,
            regex,
            has_agency,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_compile() {
        let p = Patterns::load(None, true).unwrap();
        assert!(p.len() > 20);
    }

    #[test]
    fn floating_rules_are_told_from_anchored_ones() {
        assert!(matches_anywhere(r"(?i)^.*\ball rights reserved\.?.*$"));
        assert!(matches_anywhere(r"(?i)^[^.!?]*\bnewsletters?\b[^.!?]*$"));
        assert!(matches_anywhere(r"(?i)\bcookies\b"));
        assert!(!matches_anywhere(r"(?i)^(advertisement|sponsored)$"));
        assert!(!matches_anywhere(r"(?i)^[0-9]+ comments$"));
        let p = Patterns::load(None, true).expect("built-in patterns");
        assert!(p.floating.1.len() >= 5, "{:?}", p.floating.1);
        assert_eq!(p.anchored.1.len() + p.floating.1.len(), p.len());
        // A line of either set is still found.
        let hit = p.check("Advertisement");
        assert!(hit.kind.is_some());
        assert!(p
            .check("© 2008 Reuters. All rights reserved.")
            .kind
            .is_some());
    }

    #[test]
    fn word_boundaries_become_ascii() {
        assert_eq!(
            ascii_word_boundaries(r"\bnews\B\\b\d"),
            r"(?-u:\b)news(?-u:\B)\\b\d"
        );
    }

    #[test]
    fn error_names_file_and_line() {
        let mut rules = Vec::new();
        let err =
            parse_into("# c\n\ndrop ^ok$\ndrop (unclosed\n", "my.txt", &mut rules).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("my.txt") && msg.contains(":4"), "{msg}");
        let err = parse_into("bogus ^x$\n", "f.txt", &mut rules).unwrap_err();
        assert!(err.to_string().contains("unknown kind"));
    }

    #[test]
    fn chrome_and_wire_lines_match() {
        let p = Patterns::load(None, true).unwrap();
        for l in [
            "Skip to content",
            "Skip to main menu",
            "Skip to more DW sites",
            "Accessibility links",
            "Breaking News",
            "IE 11 is not supported. For an optimal experience visit our site on another browser.",
            "Sign up for our daily newsletter",
            "Share this article",
            "This website uses cookies to improve your experience.",
        ] {
            assert_eq!(p.check(l).kind, Some(PatternKind::Drop), "{l}");
        }
        let w = p.check("(Writes through with quotes, background)");
        assert_eq!(w.kind, Some(PatternKind::Wire));
        let s = p.check("/ Source: The Associated Press");
        assert_eq!(s.kind, Some(PatternKind::Wire));
        assert_eq!(s.agency.as_deref(), Some("The Associated Press"));
        assert_eq!(p.check("Leave a Reply").kind, Some(PatternKind::Stop));
        assert_eq!(p.check("Related stories").kind, Some(PatternKind::End));
        // Ordinary prose must not match.
        for l in [
            "Breaking news from the front reached the capital on Tuesday.",
            "She shared the article with her colleagues before the vote.",
            "Skip the details: the minister resigned.",
        ] {
            assert_eq!(p.check(l).kind, None, "{l}");
        }
    }
}
