//! The cue lexicon: which words signal support or opposition, how strongly, and where the
//! source and target sit relative to the cue.
//!
//! The file is tab-separated, one cue per line, `#` starts a comment:
//!
//! ```text
//! # cue                 polarity  weight  pattern
//! condemn|condemnation  oppose    0.9     S V T
//! sign                  support   0.5     S V ... with T
//! back                  support   0.8     S-V T
//! not                   negation  1       NEG
//! may                   modal     0.5     MOD
//! ```
//!
//! * `cue`: a lemma or phrase; `|` separates alternatives (spelling variants, irregular forms,
//!   the noun of a verb). The first word of a phrase is matched with regular English
//!   inflections (`-s`, `-ed`, `-ing`, `e`-dropping, `y`→`ie`, doubled final consonant); the
//!   other words must follow literally.
//! * `polarity`: `support`, `oppose` or `neutral` for stance cues; `negation` or `modal` for
//!   the words that flip or weaken a cue.
//! * `weight`: in `[0, 1]`; the score of a record before negation and modality. For `modal`
//!   entries it is the factor the score is multiplied by. For `negation` entries it is 1, or
//!   under 1 for a hedge ("stopped short of"): support in its scope becomes neutral rather
//!   than oppose.
//! * `pattern`: one of
//!   - `S V T` — the source is the subject before the cue, the target follows it. Literal words
//!     may sit between `V` and `T` (`S V with T`), and `...` allows a short gap before them
//!     (`S V ... with T`: "signed friendship treaties with").
//!   - `S V TOPIC` — as `S V T`, but only a configured topic can be the target: for verbs
//!     whose object is rarely an actor in news ("agreed to a ceasefire", but "agreed to buy
//!     Getty" is no stance).
//!   - `S's V words T` — an act noun whose author is a possessive or a demonym right before it
//!     (up to two adjectives between): "Russia's latest strikes on Ukraine", "Israeli raids
//!     on Gaza", "Belarus's support for Moscow". Records have method `noun`.
//!   - `S-V T` — a hyphenated compound: "Russia-backed rebels".
//!   - `T V` — an evaluative word whose holder or agent is the target ("Georgia's aggression");
//!     it only yields a stance inside a quote, where the speaker is the source.
//!   - `Q` — a word inside a quote that colours the speaker's stance toward a target near it.
//!   - `NEG` / `MOD` — for `negation` and `modal` entries.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::doc::Polarity;

/// The built-in lexicon, compiled into the binary.
pub const DEFAULT_LEXICON: &str = include_str!("../../resources/stance/cues.tsv");

/// Error in a lexicon file: which file, which line, what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    /// The file could not be read.
    #[error("cannot read stance lexicon {path}: {source}")]
    Read {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A line could not be parsed.
    #[error("{path}:{line}: {message}")]
    Line {
        /// File (`<built-in>` for the embedded lexicon).
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what is allowed.
        message: String,
    },
}

/// What a lexicon entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CueKind {
    /// A stance cue with its polarity.
    Stance(Polarity),
    /// Flips the polarity of a cue in its scope ("not", "refused to").
    Negation,
    /// Weakens a cue in its scope ("may", "could consider").
    Modal,
}

/// Where source and target sit relative to a cue.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pattern {
    /// `S V [...] [words] T`: subject source, object target, optional literal words before the
    /// target and an optional short gap before those words.
    Verb {
        /// Literal lowercase words that must come between the cue and the target.
        words: Vec<String>,
        /// Whether a short gap (up to [`MAX_GAP`] tokens) may precede `words`.
        gap: bool,
        /// `TOPIC` instead of `T`: only a configured topic can be the target.
        topic_only: bool,
    },
    /// `S's V words T`: an act noun whose author is a possessive or demonym right before it
    /// ("Russia's strikes on Ukraine", "Israeli raids on Gaza").
    Owner {
        /// Literal lowercase words between the noun and the target ("on", "for").
        words: Vec<String>,
    },
    /// `S-V T`: hyphenated compound ("Moscow-backed separatists").
    Compound,
    /// `T V`: the target is the agent or holder of an evaluative word; quotes only.
    Agent,
    /// `Q`: a word in a quote near a target.
    Quote,
    /// `NEG` or `MOD`: scope words, not stance cues.
    Scope,
}

/// Largest gap `...` allows in a `S V ... words T` pattern, in tokens.
pub const MAX_GAP: usize = 4;

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Verb {
                words,
                gap,
                topic_only,
            } => {
                f.write_str("S V")?;
                if *gap {
                    f.write_str(" ...")?;
                }
                for w in words {
                    write!(f, " {w}")?;
                }
                f.write_str(if *topic_only { " TOPIC" } else { " T" })
            }
            Pattern::Owner { words } => {
                f.write_str("S's V")?;
                for w in words {
                    write!(f, " {w}")?;
                }
                f.write_str(" T")
            }
            Pattern::Compound => f.write_str("S-V T"),
            Pattern::Agent => f.write_str("T V"),
            Pattern::Quote => f.write_str("Q"),
            Pattern::Scope => f.write_str("SCOPE"),
        }
    }
}

/// One lexicon entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// The cue as written in the file (first alternative is used in records).
    pub text: String,
    /// Alternatives, each a lowercase word sequence.
    pub forms: Vec<Vec<String>>,
    /// What the cue does.
    pub kind: CueKind,
    /// Weight in `[0, 1]` (score, or multiplier for modal entries).
    pub weight: f32,
    /// Where source and target sit.
    pub pattern: Pattern,
}

impl Cue {
    /// Name used in `Stance::cue`: the first alternative.
    pub fn name(&self) -> String {
        self.forms
            .first()
            .map(|f| f.join(" "))
            .unwrap_or_else(|| self.text.clone())
    }

    /// Length in tokens of the alternative that matches at `words[i..]`, if any.
    pub fn match_at(&self, words: &[String], i: usize) -> Option<usize> {
        self.match_form(words, i).map(|(len, _)| len)
    }

    /// Length and index of the longest alternative that matches at `words[i..]`.
    pub fn match_form(&self, words: &[String], i: usize) -> Option<(usize, usize)> {
        // (length, spelled out without a skipped adverb, form index)
        let mut best: Option<(usize, bool, usize)> = None;
        let first = words.get(i).and_then(|w| w.as_bytes().first()).copied();
        for (fi, form) in self.forms.iter().enumerate() {
            if form.is_empty() || i + form.len() > words.len() {
                continue;
            }
            // Rules try every cue at every word, so reject on the first byte before `inflects`.
            if form
                .first()
                .and_then(|l| required_first_byte(l))
                .is_some_and(|b| Some(b) != first)
            {
                continue;
            }
            // "must still be held accountable": one adverb may follow a modal that opens a
            // phrase (never "not", which is the negation scope's business).
            let skips: &[usize] = if form.len() > 1 && matches!(form[0].as_str(), "must" | "should")
            {
                &[0, 1]
            } else {
                &[0]
            };
            for &skip in skips {
                if skip == 1 && !words.get(i + 1).is_some_and(|t| is_modal_adverb(t)) {
                    continue;
                }
                let ok = form.iter().enumerate().all(|(k, w)| {
                    let at = if k == 0 { i } else { i + k + skip };
                    let tok = words.get(at).map(String::as_str).unwrap_or("");
                    if k == 0 {
                        inflects(tok, w)
                    } else {
                        tok == w
                    }
                });
                // At equal length a phrase that spells the adverb out wins ("must first
                // withdraw" over "must withdraw" with a skip), so the cue column is exact.
                let rank = (form.len() + skip, skip == 0);
                if ok && best.is_none_or(|(l, exact, _)| rank > (l, exact)) {
                    best = Some((rank.0, rank.1, fi));
                }
            }
        }
        best.map(|(len, _, fi)| (len, fi))
    }

    /// The alternative `i` as text (what a record's `cue` column shows).
    pub fn form_name(&self, i: usize) -> String {
        self.forms
            .get(i)
            .map(|f| f.join(" "))
            .unwrap_or_else(|| self.name())
    }
}

/// The stance cues grouped by the first byte of the words they can match, so a rule that
/// tries cues at every word of every sentence only tries the few that can match there (the
/// scan over all cues was ~5% of a run). Built once from a finished lexicon; iteration keeps
/// the lexicon's order, so rule results do not change.
#[derive(Debug, Clone, Default)]
pub struct CueIndex {
    /// Cue positions per first byte; slot 256 is the empty word.
    by_first: Vec<Vec<usize>>,
}

impl CueIndex {
    /// Indexes `cues` (a lexicon's `cues` after pruning and layering).
    pub fn new(cues: &[Cue]) -> Self {
        let mut by_first = vec![Vec::new(); 257];
        for (ci, cue) in cues.iter().enumerate() {
            let mut bytes = [false; 257];
            let mut anywhere = false;
            for form in &cue.forms {
                match form.first().and_then(|l| required_first_byte(l)) {
                    Some(b) => bytes[usize::from(b)] = true,
                    None => anywhere = !form.is_empty() || anywhere,
                }
            }
            for (b, list) in by_first.iter_mut().enumerate() {
                if anywhere || bytes[b] {
                    list.push(ci);
                }
            }
        }
        CueIndex { by_first }
    }

    /// The cues of `cues` (the list this index was built from) that may match at `word`.
    pub fn at<'a>(&'a self, cues: &'a [Cue], word: &str) -> impl Iterator<Item = &'a Cue> + 'a {
        let slot = word.as_bytes().first().map_or(256, |&b| usize::from(b));
        self.by_first
            .get(slot)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(move |&i| cues.get(i))
    }
}

/// The first byte every word that [`inflects`] `lemma` starts with: the lemma's own, when it
/// has two or more bytes (a one-byte lemma can lose its `e`/`y` and match any word).
fn required_first_byte(lemma: &str) -> Option<u8> {
    lemma
        .as_bytes()
        .first()
        .copied()
        .filter(|_| lemma.len() > 1)
}

/// True when `token` (lowercase) is `lemma` or a regular inflection of it.
pub fn inflects(token: &str, lemma: &str) -> bool {
    if token == lemma {
        return true;
    }
    if let Some(rest) = token.strip_prefix(lemma) {
        if matches!(rest, "s" | "es" | "ed" | "d" | "ing") {
            return true;
        }
        // Doubled final consonant: ban → banned, banning.
        if let Some(last) = lemma.chars().last() {
            if !"aeiouwxy".contains(last) {
                if let Some(r) = rest.strip_prefix(last) {
                    return matches!(r, "ed" | "ing");
                }
            }
        }
        return false;
    }
    // Stem changes: drop final `e` (recognise → recognising), `y` → `ie`/`i` (deny → denied).
    if let Some(stem) = lemma.strip_suffix('e') {
        if let Some(r) = token.strip_prefix(stem) {
            return matches!(r, "ing" | "ed");
        }
    }
    if let Some(stem) = lemma.strip_suffix('y') {
        if let Some(r) = token.strip_prefix(stem) {
            return matches!(r, "ies" | "ied");
        }
    }
    false
}

/// A parsed cue lexicon.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Stance cues (verb, compound, agent and quote patterns), in file order.
    pub cues: Vec<Cue>,
    /// Negation words and phrases.
    pub negations: Vec<Cue>,
    /// Modal words and phrases with their weakening factor.
    pub modals: Vec<Cue>,
}

impl Lexicon {
    /// The built-in lexicon.
    pub fn builtin() -> Result<Self, LexiconError> {
        Self::parse(DEFAULT_LEXICON, Path::new("<built-in>"))
    }

    /// Reads a lexicon file.
    pub fn load(path: &Path) -> Result<Self, LexiconError> {
        let text = crate::config::read_user_file(path).map_err(|source| LexiconError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses lexicon text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, LexiconError> {
        let mut lex = Lexicon::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim_end();
            if line.trim().is_empty() {
                continue;
            }
            let cue = parse_line(line).map_err(|message| LexiconError::Line {
                path: path.to_path_buf(),
                line: i + 1,
                message,
            })?;
            // Keep weight-0 entries: they remove built-in cues when layered with `extend`.
            lex.list_mut(cue.kind).push(cue);
        }
        Ok(lex)
    }

    fn list_mut(&mut self, kind: CueKind) -> &mut Vec<Cue> {
        match kind {
            CueKind::Stance(_) => &mut self.cues,
            CueKind::Negation => &mut self.negations,
            CueKind::Modal => &mut self.modals,
        }
    }

    /// Drops weight-0 entries (switched-off cues) so they never match.
    pub fn prune(&mut self) {
        for list in [&mut self.cues, &mut self.negations, &mut self.modals] {
            list.retain(|c| c.weight > 0.0);
        }
    }

    /// Adds an entry, replacing entries of the same family (stance, negation, modal) and
    /// pattern that share any alternative with it (so a user file can retune a built-in cue).
    /// Weight 0 removes those entries without adding one.
    pub fn push(&mut self, cue: Cue) {
        let list = self.list_mut(cue.kind);
        list.retain(|c| {
            !(c.pattern == cue.pattern && c.forms.iter().any(|f| cue.forms.contains(f)))
        });
        if cue.weight > 0.0 {
            list.push(cue);
        }
    }

    /// Layers `other` over `self`: its entries override same-cue, same-pattern entries.
    pub fn extend(&mut self, other: Lexicon) {
        for c in other
            .cues
            .into_iter()
            .chain(other.negations)
            .chain(other.modals)
        {
            self.push(c);
        }
    }
}

fn parse_line(line: &str) -> Result<Cue, String> {
    let cols: Vec<&str> = line
        .split('\t')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if cols.len() != 4 {
        return Err(format!(
            "expected 4 tab-separated columns (cue, polarity, weight, pattern), found {}",
            cols.len()
        ));
    }
    let (text, pol, weight, pat) = (cols[0], cols[1], cols[2], cols[3]);
    let forms: Vec<Vec<String>> = text
        .split('|')
        .map(|alt| {
            alt.split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|f| !f.is_empty())
        .collect();
    if forms.is_empty() {
        return Err("empty cue".to_string());
    }
    let kind = match pol.to_ascii_lowercase().as_str() {
        "support" => CueKind::Stance(Polarity::Support),
        "oppose" => CueKind::Stance(Polarity::Oppose),
        "neutral" => CueKind::Stance(Polarity::Neutral),
        "negation" => CueKind::Negation,
        "modal" => CueKind::Modal,
        other => {
            return Err(format!(
                "unknown polarity `{other}`; allowed: support, oppose, neutral, negation, modal"
            ))
        }
    };
    let weight: f32 = weight
        .parse()
        .map_err(|_| format!("weight `{weight}` is not a number"))?;
    if !(0.0..=1.0).contains(&weight) {
        return Err(format!("weight {weight} is out of range; allowed: 0 to 1"));
    }
    let pattern = parse_pattern(pat)?;
    let scope = matches!(kind, CueKind::Negation | CueKind::Modal);
    if scope != (pattern == Pattern::Scope) {
        return Err(format!(
            "pattern `{pat}` does not fit polarity `{pol}`: negation and modal entries take \
             NEG or MOD, stance entries take S V T, S's V words T, S-V T, T V or Q"
        ));
    }
    Ok(Cue {
        text: text.to_string(),
        forms,
        kind,
        weight,
        pattern,
    })
}

fn parse_pattern(p: &str) -> Result<Pattern, String> {
    let toks: Vec<&str> = p.split_whitespace().collect();
    match toks.as_slice() {
        ["NEG"] | ["MOD"] => Ok(Pattern::Scope),
        ["Q"] => Ok(Pattern::Quote),
        ["T", "V"] => Ok(Pattern::Agent),
        ["S-V", "T"] => Ok(Pattern::Compound),
        ["S's", "V", words @ .., "T"] => {
            if words
                .iter()
                .any(|w| matches!(*w, "..." | "S" | "T" | "V" | "TOPIC"))
            {
                return Err(format!(
                    "bad pattern `{p}`: only literal words may follow V"
                ));
            }
            Ok(Pattern::Owner {
                words: words.iter().map(|w| w.to_lowercase()).collect(),
            })
        }
        ["S", "V", middle @ .., last @ ("T" | "TOPIC")] => {
            let (gap, words) = match middle.first() {
                Some(&"...") => (true, &middle[1..]),
                _ => (false, middle),
            };
            if words
                .iter()
                .any(|w| matches!(*w, "..." | "S" | "T" | "V" | "TOPIC"))
            {
                return Err(format!("bad pattern `{p}`: `...` may only follow V"));
            }
            if gap && words.is_empty() {
                return Err(format!(
                    "bad pattern `{p}`: `...` needs literal words after it"
                ));
            }
            Ok(Pattern::Verb {
                words: words.iter().map(|w| w.to_lowercase()).collect(),
                gap,
                topic_only: *last == "TOPIC",
            })
        }
        _ => Err(format!(
            "unknown pattern `{p}`; allowed: `S V T` (with optional words, e.g. `S V ... with T`), \
             `S V TOPIC`, `S's V words T`, `S-V T`, `T V`, `Q`, `NEG`, `MOD`"
        )),
    }
}

/// Adverbs allowed between a modal and the rest of a cue phrase ("must still", "should
/// immediately").
fn is_modal_adverb(w: &str) -> bool {
    matches!(
        w,
        "still" | "first" | "now" | "also" | "then" | "finally" | "ultimately" | "urgently"
    ) || (w.len() > 4 && w.ends_with("ly") && w != "only")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections() {
        for (t, l) in [
            ("recognised", "recognise"),
            ("recognising", "recognise"),
            ("condemns", "condemn"),
            ("denied", "deny"),
            ("accuses", "accuse"),
            ("banned", "ban"),
            ("backing", "back"),
            ("urged", "urge"),
        ] {
            assert!(inflects(t, l), "{t} ~ {l}");
        }
        for (t, l) in [("background", "back"), ("bank", "ban"), ("sign", "signal")] {
            assert!(!inflects(t, l), "{t} !~ {l}");
        }
    }

    #[test]
    fn builtin_parses() {
        let lex = Lexicon::builtin().expect("built-in lexicon parses");
        assert!(lex.cues.len() > 30);
        assert!(!lex.negations.is_empty());
        assert!(!lex.modals.is_empty());
    }

    #[test]
    fn one_adverb_after_a_modal() {
        let lex = Lexicon::builtin().expect("built-in lexicon parses");
        let words = |t: &str| t.split(' ').map(String::from).collect::<Vec<_>>();
        let cue = lex
            .cues
            .iter()
            .find(|c| {
                c.forms
                    .iter()
                    .any(|f| f.join(" ") == "must be held accountable")
            })
            .expect("demand phrases are built in");
        let w = words("tehran must still be held accountable");
        let (len, form) = cue.match_form(&w, 1).expect("adverb skipped");
        assert_eq!(
            (len, cue.form_name(form).as_str()),
            (5, "must be held accountable")
        );
        // "not" is never skipped, and two adverbs are too many.
        assert!(cue
            .match_form(&words("must not be held accountable"), 0)
            .is_none());
        assert!(cue
            .match_form(&words("must still surely be held accountable"), 0)
            .is_none());
        // A phrase that spells the adverb out is preferred.
        let w = words("must first withdraw");
        let (len, form) = cue.match_form(&w, 0).expect("matches");
        assert_eq!(
            (len, cue.form_name(form).as_str()),
            (3, "must first withdraw")
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = Lexicon::parse(
            "# c\nback\tsupport\t0.8\tS V T\nurge\tagainst\t0.5\tS V T\n",
            Path::new("my.tsv"),
        )
        .expect_err("bad polarity");
        let msg = err.to_string();
        assert!(msg.starts_with("my.tsv:3:"), "{msg}");
        assert!(msg.contains("against"), "{msg}");
        let err =
            Lexicon::parse("back\tsupport\t1.5\tS V T\n", Path::new("x.tsv")).expect_err("weight");
        assert!(err.to_string().contains("x.tsv:1:"));
        let err =
            Lexicon::parse("back\tsupport\t0.5\tV S T\n", Path::new("x.tsv")).expect_err("pattern");
        assert!(err.to_string().contains("unknown pattern"));
    }

    #[test]
    fn override_replaces_and_zero_removes() {
        let mut lex = Lexicon::parse(
            "back\tsupport\t0.8\tS V T\nurge\toppose\t0.5\tS V T\n",
            Path::new("a"),
        )
        .expect("parses");
        let user = Lexicon::parse(
            "back\toppose\t0.3\tS V T\nurge\toppose\t0\tS V T\n",
            Path::new("b"),
        )
        .expect("parses");
        lex.extend(user);
        assert_eq!(lex.cues.len(), 1);
        assert_eq!(lex.cues[0].kind, CueKind::Stance(Polarity::Oppose));
        assert!((lex.cues[0].weight - 0.3).abs() < 1e-6);
    }
}
