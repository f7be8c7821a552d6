//! Rule-based English sentence splitter for cleaned news text.
//!
//! The splitter works on whitespace-separated *chunks* (a chunk is a maximal run of
//! non-whitespace characters). A sentence boundary can only fall *between* two chunks,
//! so every sentence is a run of whole chunks and is automatically trimmed of
//! surrounding whitespace. This keeps the splitter linear in the input size and makes
//! it impossible to cut inside a URL, a number such as `3.5` or an e-mail address.
//! Two exceptions: a no-break space never allows a boundary (`Mr.\u{a0}Smith`), and a
//! chunk with two sentences glued together (`world.Today`, `said."The`) is cut in two.
//!
//! Hard boundaries come from layout: a blank line always ends a sentence, and with
//! [`SplitConfig::single_newline_is_boundary`] (the default) every line break does,
//! so headlines, datelines and list lines without final punctuation become their own
//! sentences. Soft boundaries come from terminal punctuation (`.`, `?`, `!`, `…`,
//! runs such as `?!` and `....`), optionally followed by closing quotes or brackets,
//! and are confirmed or rejected by looking at the word before (abbreviation,
//! initial, number) and the word after (capitalisation, typical sentence openers).
//! Numbered and bulleted lists written on one line are split before each item, and a
//! picture-caption label (`Image:`, `Photo:`) starts a new sentence. Units without final
//! punctuation that web text and e-mail put on one line (headers, addresses, separator
//! rules, sign-offs, datelines, title lines) are found by the narrow rules in
//! `sentences/layout.rs`; lower-case sentence starts are accepted in texts that look
//! informal (`sentences/informal.rs`), and elsewhere only for a lower-case pronoun or
//! determiner after an ordinary word (`at best. the waiter`). Reference marks, footnote
//! numbers, lone closing brackets and emoticons after a sentence (`[17]`, `[...]`, `. 4 Even`,
//! `. )`, `:-)`) stay with that sentence; a parenthetical between two sentences (`(BBC)`) is
//! a unit of its own.
//!
//! All offsets are byte offsets into the `&str` passed to [`SentenceSplitter::split`].

mod informal;
mod layout;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The built-in abbreviation list (`resources/abbreviations.txt`), compiled into the binary.
pub const BUILTIN_ABBREVIATIONS: &str = include_str!("../../resources/abbreviations.txt");

/// Options for the `[split]` section of `pipeline.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SplitConfig {
    /// Run the split stage (sentences and tokens). Later stages need it.
    pub enabled: bool,
    /// Abbreviation list that replaces the built-in one (same format as
    /// `resources/abbreviations.txt`: one abbreviation per line, optional kind
    /// `title`/`number`/`general`, `#` comments). `None` uses the built-in list.
    pub abbreviations_file: Option<PathBuf>,
    /// Extra abbreviations added on top of the list, e.g. `["Supt. title", "Gov"]`;
    /// same syntax as one line of the abbreviation file. A later entry overrides the
    /// kind of an earlier one with the same spelling.
    pub extra_abbreviations: Vec<String>,
    /// Treat every line break as a sentence boundary. Right for cleaned news text,
    /// where a line is a paragraph, headline, dateline or list item (measured on
    /// GUM/EWT; see the eval report). Set to `false` for hard-wrapped text whose
    /// lines end mid-sentence; blank lines are always boundaries either way.
    pub single_newline_is_boundary: bool,
    /// Treat `word.` followed by a lower-case word as a boundary when `word` is an
    /// ordinary word (not an abbreviation, initial or number). Off by default:
    /// in edited news text a lower-case continuation almost always means an
    /// abbreviation the list does not know; informal web text often benefits.
    pub lowercase_start_is_boundary: bool,
    /// Turn `lowercase_start_is_boundary` on for one text when that text itself shows
    /// informal writing: the pronoun `i` in lower case, or two or more lines starting
    /// with a lower-case word (e-mail, chat, forum posts). Edited news text is not
    /// affected; see `src/text/sentences/informal.rs`.
    pub detect_informal_text: bool,
    /// Longest sentence in bytes. Longer runs (tables, text without punctuation) are
    /// cut at the last whitespace before the limit, or inside a chunk if it has none,
    /// so later stages (NER) never see unbounded input. Must be at least 16.
    pub max_sentence_bytes: usize,
}

impl Default for SplitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            abbreviations_file: None,
            extra_abbreviations: Vec::new(),
            single_newline_is_boundary: true,
            lowercase_start_is_boundary: false,
            detect_informal_text: true,
            max_sentence_bytes: 4000,
        }
    }
}

/// Errors from building a [`SentenceSplitter`].
#[derive(Debug, thiserror::Error)]
pub enum SplitError {
    /// The abbreviation file could not be read.
    #[error("cannot read abbreviation file {path}: {source}")]
    Io {
        /// File that failed.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// A line of an abbreviation list is malformed.
    #[error("{origin}:{line}: {message}")]
    BadAbbreviation {
        /// File path, or `extra_abbreviations` / `built-in list`.
        origin: String,
        /// 1-based line (or list index) of the bad entry.
        line: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A configuration value is out of range.
    #[error("invalid [split] config: {0}")]
    InvalidConfig(String),
}

/// How a known abbreviation affects a following sentence boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbbrevKind {
    /// Ends a sentence only if the next word is a typical sentence opener.
    General,
    /// Never ends a sentence (`Mr.`, `Gen.`): a name follows.
    Title,
    /// An abbreviation only before a digit (`No. 5`); elsewhere an ordinary word.
    Number,
}

/// A parsed abbreviation list: exact spellings plus case-insensitive lower-case entries.
#[derive(Debug, Clone, Default)]
pub struct Abbreviations {
    /// Entries with at least one capital letter: matched exactly.
    exact: HashMap<String, AbbrevKind>,
    /// All-lower-case entries: matched against the lower-cased word.
    folded: HashMap<String, AbbrevKind>,
}

impl Abbreviations {
    /// Parses an abbreviation list; `origin` names the source in error messages.
    pub fn parse(src: &str, origin: &str) -> Result<Self, SplitError> {
        let mut list = Self::default();
        for (idx, line) in src.lines().enumerate() {
            list.add_line(line, origin, idx + 1)?;
        }
        Ok(list)
    }

    /// Adds one entry line (`Gen. title`); blank and `#` lines are ignored.
    pub fn add_line(&mut self, line: &str, origin: &str, line_no: usize) -> Result<(), SplitError> {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Ok(());
        }
        let bad = |message: String| SplitError::BadAbbreviation {
            origin: origin.to_string(),
            line: line_no,
            message,
        };
        let mut fields = trimmed.split_whitespace();
        let word = fields.next().unwrap_or_default();
        let kind = match fields.next() {
            None | Some("general") => AbbrevKind::General,
            Some("title") => AbbrevKind::Title,
            Some("number") => AbbrevKind::Number,
            Some(other) => {
                return Err(bad(format!(
                    "unknown kind `{other}` for `{word}`; use `title`, `number` or `general` (or nothing)"
                )))
            }
        };
        if let Some(extra) = fields.next() {
            return Err(bad(format!(
                "unexpected `{extra}`: write one abbreviation per line, optionally followed by its kind"
            )));
        }
        let key = word.strip_suffix('.').unwrap_or(word);
        if key.is_empty()
            || key.contains(['.', '?', '!']) && !key.contains(|c: char| c.is_alphanumeric())
        {
            return Err(bad(format!("`{word}` is not an abbreviation")));
        }
        if key.chars().any(char::is_uppercase) {
            self.exact.insert(key.to_string(), kind);
        } else {
            self.folded.insert(key.to_string(), kind);
        }
        Ok(())
    }

    /// Looks up a word (without its final period).
    pub fn get(&self, word: &str) -> Option<AbbrevKind> {
        if let Some(k) = self.exact.get(word) {
            return Some(*k);
        }
        if word.is_empty() || word.len() > 32 {
            return None;
        }
        // All-caps text ("ORAL ARGUMENT OF GEN. PRELOGAR"): try the capitalised spelling.
        if word.len() >= 2 && word.bytes().all(|b| b.is_ascii_uppercase()) {
            let mut title = word.to_ascii_lowercase();
            title[..1].make_ascii_uppercase();
            if let Some(k) = self.exact.get(&title) {
                return Some(*k);
            }
        }
        if word.bytes().all(|b| !b.is_ascii_uppercase()) {
            return self.folded.get(word).copied();
        }
        self.folded.get(&word.to_lowercase()).copied()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.exact.len() + self.folded.len()
    }

    /// True if the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The built-in list, parsed once. A parse error (caught by unit tests) yields an empty list
/// rather than a panic.
pub fn builtin_abbreviations() -> &'static Abbreviations {
    static BUILTIN: OnceLock<Abbreviations> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        Abbreviations::parse(BUILTIN_ABBREVIATIONS, "built-in list").unwrap_or_default()
    })
}

/// Loads an abbreviation file, naming the file and line on error.
pub fn load_abbreviations(path: &Path) -> Result<Abbreviations, SplitError> {
    let src = crate::config::read_user_file(path).map_err(|source| SplitError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Abbreviations::parse(&src, &path.display().to_string())
}

/// Capitalised words that typically open an English sentence. A period after an
/// abbreviation or an initial ends the sentence only if one of these follows
/// ("in the U.S. How about you?" vs "the U.S. Government"). Sorted for binary search.
/// "And"/"Or"/"Nor" are left out: after an abbreviation they usually continue a list.
const SENTENCE_OPENERS: &[&str] = &[
    "A",
    "About",
    "According",
    "After",
    "Afterwards",
    "Again",
    "All",
    "Also",
    "Although",
    "Among",
    "An",
    "Another",
    "Any",
    "Are",
    "As",
    "At",
    "Because",
    "Before",
    "Both",
    "But",
    "By",
    "Can",
    "Could",
    "Despite",
    "Did",
    "Do",
    "Does",
    "During",
    "Each",
    "Earlier",
    "Either",
    "Even",
    "Every",
    "For",
    "From",
    "Had",
    "Has",
    "Have",
    "He",
    "Her",
    "Here",
    "His",
    "How",
    "However",
    "I",
    "If",
    "In",
    "Instead",
    "Is",
    "It",
    "Its",
    "Just",
    "Last",
    "Later",
    "Many",
    "Meanwhile",
    "More",
    "Most",
    "Much",
    "My",
    "Neither",
    "Nevertheless",
    "Next",
    "No",
    "None",
    "Not",
    "Now",
    "Of",
    "On",
    "Once",
    "One",
    "Only",
    "Other",
    "Others",
    "Our",
    "Over",
    "Please",
    "She",
    "Since",
    "So",
    "Some",
    "Still",
    "Such",
    "That",
    "The",
    "Their",
    "Then",
    "There",
    "These",
    "They",
    "This",
    "Those",
    "Though",
    "Thus",
    "To",
    "Today",
    "Under",
    "Unlike",
    "Until",
    "We",
    "Were",
    "What",
    "When",
    "Where",
    "Whether",
    "Which",
    "While",
    "Who",
    "Why",
    "Will",
    "With",
    "Without",
    "Would",
    "Yes",
    "Yesterday",
    "Yet",
    "You",
    "Your",
];

fn is_opener_word(word: &str) -> bool {
    SENTENCE_OPENERS.binary_search(&word).is_ok()
}

/// Lower-case words that open a sentence in web text written without capitals (`at best.
/// the waitress`, `before. it was`): pronouns, determiners, question words and a few
/// adverbs. After an ordinary word and a period, one of these is a boundary even when the
/// text does not look informal; in edited text a period before them is nearly always an
/// abbreviation, which the abbreviation list catches first. (Links after a period are
/// boundaries already, see `next_info`.) Measured on UD EWT dev, GUM dev and GUM news.
/// Sorted for binary search.
const LOWER_OPENERS: &[&str] = &[
    "he", "how", "i", "if", "it", "maybe", "my", "no", "not", "please", "she", "so", "the",
    "there", "they", "this", "we", "what", "when", "where", "why", "you",
];

fn is_lower_opener(word: &str) -> bool {
    LOWER_OPENERS.binary_search(&word).is_ok()
}

/// Abbreviations that close a list and so usually a sentence (`etc.`).
fn is_list_end(word: &str) -> bool {
    word.eq_ignore_ascii_case("etc")
}

/// Compiled sentence splitter; cheap to share between threads (`&self` only).
#[derive(Debug, Clone)]
pub struct SentenceSplitter {
    abbrevs: Abbreviations,
    single_newline: bool,
    lowercase_boundary: bool,
    detect_informal: bool,
    max_bytes: usize,
}

/// Class of the first letter-like character of the next chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NextClass {
    Upper,
    Lower,
    Digit,
    Other,
}

/// What follows a candidate boundary.
#[derive(Debug, Clone, Copy)]
struct Next<'a> {
    class: NextClass,
    /// Leading letters of the next chunk after opening punctuation ("He" for `"He's`).
    word: &'a str,
    /// The next chunk is only periods/ellipsis characters (part of a spaced ellipsis).
    dots_only: bool,
}

/// One whitespace-separated chunk of a block.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    start: usize,
    end: usize,
    has_alnum: bool,
    /// Number of `(` minus number of `)` in the chunk.
    paren_delta: i16,
    /// Only no-break spaces separate this chunk from the previous one.
    glued: bool,
    /// The chunk contains `@` (e-mail address), checked by the layout rules.
    has_at: bool,
}

/// Whether a lower-case word after terminal punctuation may start a sentence: always
/// (`lowercase_start_is_boundary`), or if the text looks informal. The informal check scans
/// the whole text, so it runs at most once per text and only when a decision needs it
/// (rare in edited text).
struct LowerStarts<'t> {
    always: bool,
    detect: bool,
    text: &'t str,
    informal: std::cell::OnceCell<bool>,
}

impl LowerStarts<'_> {
    fn allowed(&self) -> bool {
        self.always
            || (self.detect
                && *self
                    .informal
                    .get_or_init(|| informal::looks_informal(self.text)))
    }
}

/// Opening punctuation skipped before the first letter of the next word.
fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '“'
            | '‘'
            | '('
            | '['
            | '{'
            | '«'
            | '‹'
            | '¿'
            | '¡'
            | '„'
            | '‚'
            | '`'
            | '*'
            | '_'
    )
}

/// Closing punctuation allowed after terminal punctuation (`end."`, `end.)`).
/// `“` and `‘` are included because they are often typed as closing quotes
/// (`decision.“ However`).
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '“' | '‘' | ')' | ']' | '}' | '»' | '›' | '*' | '_'
    )
}

/// Sentence-final punctuation characters.
fn is_terminal(c: char) -> bool {
    matches!(
        c,
        '.' | '?' | '!' | '…' | '‽' | '？' | '！' | '。' | '⁇' | '⁈' | '⁉'
    )
}

/// Symbols that start a list item even in the middle of a line.
fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '•' | '‣'
            | '⁃'
            | '◦'
            | '▪'
            | '▫'
            | '●'
            | '○'
            | '■'
            | '□'
            | '►'
            | '▶'
            | '➢'
            | '➤'
            | '◆'
            | '◇'
            | '✓'
            | '✔'
    )
}

/// No-break spaces separate chunks but never allow a soft boundary (`Mr.\u{a0}Smith`).
fn is_no_break_space(c: char) -> bool {
    matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
}

/// Line breaks contributed by a whitespace character: 0 none, 1 line break, 2 paragraph break.
fn break_weight(c: char, next: Option<char>) -> u8 {
    match c {
        '\n' | '\u{0b}' | '\u{85}' | '\u{2028}' => 1,
        '\r' if next != Some('\n') => 1,
        '\u{0c}' | '\u{2029}' => 2,
        _ => 0,
    }
}

/// A list-item marker such as `1.`, `2)`, `3.)`, `b.`, `(c)`: (style, value).
fn list_marker(s: &str) -> Option<(u8, u32)> {
    let (body, style) = if let Some(b) = s.strip_suffix(".)") {
        (b, 1u8)
    } else if let Some(b) = s.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
        (b, 2)
    } else if let Some(b) = s.strip_suffix(')') {
        (b, 3)
    } else if let Some(b) = s.strip_suffix('.') {
        (b, 4)
    } else {
        return None;
    };
    let bytes = body.as_bytes();
    match bytes {
        [d] if d.is_ascii_digit() => Some((style, u32::from(d - b'0'))),
        [d1, d2] if d1.is_ascii_digit() && d2.is_ascii_digit() => {
            Some((style, u32::from(d1 - b'0') * 10 + u32::from(d2 - b'0')))
        }
        [l] if l.is_ascii_lowercase() => Some((style + 8, u32::from(l - b'a') + 1)),
        _ => None,
    }
}

/// `U.S`, `a.m`, `Ph.D`, `e.g`: letters in groups of one or two separated by periods.
fn is_dotted_abbrev(word: &str) -> bool {
    let mut groups = 0;
    for g in word.split('.') {
        let n = g.chars().count();
        if n == 0 || n > 2 || !g.chars().all(char::is_alphabetic) {
            return false;
        }
        groups += 1;
    }
    groups >= 2
}

fn first_char(s: &str) -> Option<char> {
    s.chars().next()
}

impl SentenceSplitter {
    /// Builds a splitter: loads the abbreviation list and validates the config.
    pub fn new(cfg: &SplitConfig) -> Result<Self, SplitError> {
        if cfg.max_sentence_bytes < 16 {
            return Err(SplitError::InvalidConfig(format!(
                "max_sentence_bytes = {} is too small; use at least 16 (default 4000)",
                cfg.max_sentence_bytes
            )));
        }
        let mut abbrevs = match &cfg.abbreviations_file {
            Some(path) => load_abbreviations(path)?,
            None => builtin_abbreviations().clone(),
        };
        for (i, line) in cfg.extra_abbreviations.iter().enumerate() {
            abbrevs.add_line(line, "[split] extra_abbreviations", i + 1)?;
        }
        Ok(Self {
            abbrevs,
            single_newline: cfg.single_newline_is_boundary,
            lowercase_boundary: cfg.lowercase_start_is_boundary,
            detect_informal: cfg.detect_informal_text,
            max_bytes: cfg.max_sentence_bytes,
        })
    }

    /// Byte ranges of the sentences in `text`, in order, non-overlapping, each trimmed of
    /// surrounding whitespace and never empty. Every range starts and ends on a char
    /// boundary. Runs in time linear in `text.len()`.
    pub fn split(&self, text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let lower_ok = LowerStarts {
            always: self.lowercase_boundary,
            detect: self.detect_informal,
            text,
            informal: std::cell::OnceCell::new(),
        };
        let mut block: Vec<Chunk> = Vec::new();
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut i = 0;
        let mut breaks: u8 = 0; // line breaks in the current whitespace gap (saturating)
        let mut breaking_gap = false; // the gap has whitespace other than no-break spaces
        while i < n {
            let b = bytes[i];
            // Whitespace gap.
            let (is_ws, len, weight) = if b < 0x80 {
                let next = bytes.get(i + 1).map(|&x| x as char);
                let c = b as char;
                (
                    c.is_ascii_whitespace() || b == 0x0b,
                    1,
                    break_weight(c, next),
                )
            } else {
                let c = text.get(i..).and_then(first_char).unwrap_or(' ');
                let len = c.len_utf8();
                if c.is_whitespace() && !is_no_break_space(c) {
                    breaking_gap = true;
                }
                (c.is_whitespace(), len, break_weight(c, None))
            };
            if is_ws {
                breaking_gap |= b < 0x80;
                breaks = breaks.saturating_add(weight);
                i += len;
                continue;
            }
            // A chunk starts here.
            let hard = breaks >= 2 || (breaks >= 1 && self.single_newline);
            if hard && !block.is_empty() {
                self.split_block(text, &block, &lower_ok, &mut out);
                block.clear();
            }
            let glued = !breaking_gap && !block.is_empty();
            breaks = 0;
            breaking_gap = false;
            let start = i;
            let mut has_alnum = false;
            // Plain counters keep the per-byte loop cheap; the delta is clamped once below.
            let (mut opens, mut closes) = (0u32, 0u32);
            let mut inner_terminal = false;
            let mut has_at = false;
            while i < n {
                let b = bytes[i];
                if b < 0x80 {
                    if b.is_ascii_whitespace() || b == 0x0b {
                        break;
                    }
                    has_alnum |= b.is_ascii_alphanumeric();
                    inner_terminal |= matches!(b, b'.' | b'?' | b'!');
                    has_at |= b == b'@';
                    opens += u32::from(b == b'(');
                    closes += u32::from(b == b')');
                    i += 1;
                } else {
                    let c = text.get(i..).and_then(first_char).unwrap_or(' ');
                    if c.is_whitespace() {
                        break;
                    }
                    has_alnum |= c.is_alphanumeric();
                    i += c.len_utf8();
                }
            }
            let paren_delta = i16::try_from(i64::from(opens) - i64::from(closes))
                .unwrap_or(if opens > closes { i16::MAX } else { i16::MIN });
            let chunk = Chunk {
                start,
                end: i,
                has_alnum,
                paren_delta,
                glued,
                has_at,
            };
            if inner_terminal {
                push_unspaced_sentences(text, chunk, &mut block);
            } else {
                block.push(chunk);
            }
        }
        if !block.is_empty() {
            self.split_block(text, &block, &lower_ok, &mut out);
        }
        out
    }

    /// Splits one block (text between hard breaks) and appends its sentences.
    /// `lower_ok`: a lower-case word after terminal punctuation may start a sentence.
    fn split_block(
        &self,
        text: &str,
        chunks: &[Chunk],
        lower_ok: &LowerStarts<'_>,
        out: &mut Vec<Range<usize>>,
    ) {
        let get = |c: &Chunk| text.get(c.start..c.end).unwrap_or("");
        let n = chunks.len();
        // Pass 1: list structure. `forced[i]` = boundary before chunk i; `marker[i]` =
        // chunk i is a list marker whose period must not end a sentence.
        let mut forced = vec![false; n];
        let mut marker = vec![false; n];
        let mut chain: Option<(u8, u32)> = None;
        let mut after_bullet = false;
        for (i, ch) in chunks.iter().enumerate() {
            let s = get(ch);
            let bullet_stripped = s.trim_start_matches(is_bullet);
            let has_bullet = bullet_stripped.len() != s.len();
            if (has_bullet || is_caption_label(s)) && i > 0 {
                forced[i] = true;
            }
            if has_bullet && bullet_stripped.is_empty() {
                after_bullet = true;
                continue;
            }
            if let Some((style, value)) = list_marker(bullet_stripped) {
                let head = i == 0 || after_bullet || has_bullet;
                let continues = chain.is_some_and(|(st, v)| st == style && v + 1 == value);
                // `... four nights 1) what island ... 2) I would ...`: a `1)` inside a line
                // starts a list when a `2)` follows in the same block.
                let inline_head = !head
                    && style == 3
                    && value == 1
                    && chunks[i + 1..]
                        .iter()
                        .take(400)
                        .any(|c| list_marker(get(c)) == Some((3, 2)));
                if head || continues || inline_head {
                    marker[i] = true;
                    chain = Some((style, value));
                    if (continues || inline_head) && !after_bullet && i > 0 {
                        forced[i] = true;
                    }
                }
            }
            after_bullet = false;
        }

        layout::mark_layout_boundaries(text, chunks, &mut forced);

        // A trailer chunk, or a footnote number between a sentence end and a capitalised
        // word (`rights. 4 Even though`); only read at chunks after terminal punctuation.
        // `from` = first chunk of the current sentence. A lone closing bracket or quote
        // (`day. ) Hop`) is a trailer too.
        let trailer_at = |k: usize, from: usize| {
            chunks.get(k).is_some_and(|c| {
                let s = get(c);
                is_trailer(s)
                    || is_lone_closer(s, || {
                        let start = chunks.get(from).map_or(c.start, |f| f.start);
                        text.get(start..c.start).unwrap_or("")
                    })
                    || (is_note_number(s)
                        && chunks
                            .get(k + 1)
                            .is_some_and(|nx| !forced[k + 1] && starts_capitalised_word(get(nx))))
            })
        };

        // Pass 2: boundaries after each chunk.
        let mut sent_start = 0usize;
        let mut sent_alnum = false;
        let mut run_dots = 0usize; // dots in the current run of dot-only chunks
        let mut depth: i16 = 0; // open parentheses in the current sentence
        let mut lead_paren = false; // the current sentence opened with `(` not yet closed
        for i in 0..n {
            let ch = &chunks[i];
            sent_alnum |= ch.has_alnum;
            depth = (depth + ch.paren_delta).clamp(0, 64);
            let s = get(ch);
            if i == sent_start {
                lead_paren = s.starts_with('(');
            }
            // This chunk closes a parenthetical that opened the sentence: `(BBC) The ...`.
            let closes_lead = lead_paren && depth == 0;
            if depth == 0 {
                lead_paren = false;
            }
            // Fast path (most chunks): a word ending in a letter, digit or comma cannot end a
            // sentence unless a list item, bullet or caption is forced after it.
            if s.as_bytes()
                .last()
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b',')
                && !is_emoticon(s)
                && !(i > sent_start && is_note_number(s))
                && i + 1 < n
            {
                run_dots = 0;
                if forced[i + 1] {
                    self.push_sentence(text, &chunks[sent_start..=i], out);
                    sent_start = i + 1;
                    sent_alnum = false;
                    depth = 0;
                }
                continue;
            }
            let next = chunks.get(i + 1).map(|c| next_info(get(c)));
            let core = s.trim_end_matches(is_closer);
            let dot_only = !core.is_empty() && core.chars().all(|c| c == '.' || c == '…');
            if dot_only {
                run_dots += core
                    .chars()
                    .map(|c| if c == '…' { 3 } else { 1 })
                    .sum::<usize>();
            }
            // A trailer (`[17]`, `[...]`, `:-)`) right after terminal punctuation belongs to
            // the sentence before it: decide at the trailer, using the punctuated chunk.
            let trailer =
                i > sent_start && trailer_at(i, sent_start) && ends_terminal(get(&chunks[i - 1]));
            let (s, core) = if trailer {
                let prev = get(&chunks[i - 1]);
                (prev, prev.trim_end_matches(is_closer))
            } else {
                (s, core)
            };
            let boundary = match next {
                None => true,
                Some(_) if forced[i + 1] => true,
                Some(_) if chunks[i + 1].glued => false,
                Some(_) if ends_terminal(s) && trailer_at(i + 1, sent_start) => false,
                // A parenthetical between sentences (a source, a stage direction) is a
                // unit of its own: `... Islamic Jihad. (Jerusalem Post) "We're ...`.
                Some(nx)
                    if closes_lead
                        && !marker[i]
                        && s.ends_with(')')
                        && nx.class == NextClass::Upper =>
                {
                    true
                }
                Some(nx) if is_emoticon(s) => {
                    nx.class == NextClass::Upper
                        || (nx.class == NextClass::Lower && lower_ok.allowed())
                }
                Some(nx) => {
                    if dot_only {
                        // A lone `.` (text tokenised as `Times .`) is a plain period.
                        let b = !nx.dots_only
                            && if run_dots == 1 {
                                nx.class != NextClass::Lower
                            } else {
                                self.ellipsis_boundary(run_dots, s, core, nx)
                            };
                        if !nx.dots_only {
                            run_dots = 0;
                        }
                        b
                    } else if marker[i] {
                        false
                    } else if nx.dots_only {
                        // `word. . . . Next`: the attached period ends the sentence only if
                        // a three-dot spaced ellipsis and a capitalised word follow.
                        core.ends_with('.')
                            && !core.ends_with("..")
                            && self.spaced_ellipsis_then_upper(text, &chunks[i + 1..])
                    } else {
                        self.is_boundary(s, core, nx, i + 1 - sent_start, depth > 0, lower_ok)
                    }
                }
            };
            if !dot_only {
                run_dots = 0;
            }
            if boundary && (sent_alnum || next.is_none() || forced.get(i + 1) == Some(&true)) {
                self.push_sentence(text, &chunks[sent_start..=i], out);
                sent_start = i + 1;
                sent_alnum = false;
                depth = 0;
            }
        }
    }

    /// Appends the sentence covering `chunks`, cutting it if it exceeds `max_bytes`.
    fn push_sentence(&self, text: &str, chunks: &[Chunk], out: &mut Vec<Range<usize>>) {
        let (Some(first), Some(last)) = (chunks.first(), chunks.last()) else {
            return;
        };
        if last.end - first.start <= self.max_bytes {
            out.push(first.start..last.end);
            return;
        }
        let mut start = first.start;
        let mut end = first.start;
        for c in chunks {
            if c.end - start <= self.max_bytes {
                end = c.end;
                continue;
            }
            if end > start {
                out.push(start..end);
                start = c.start;
            }
            // Cut an over-long chunk at char boundaries.
            while c.end - start > self.max_bytes {
                let mut cut = start + self.max_bytes;
                while cut > start && !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                if cut == start {
                    // max_bytes >= 16 > any UTF-8 char, so this cannot happen; stay safe.
                    cut = c.end;
                }
                out.push(start..cut);
                start = cut;
            }
            end = c.end;
        }
        if end > start {
            out.push(start..end);
        }
    }

    /// Decision for a chunk ending in terminal punctuation (not part of a spaced ellipsis).
    /// `words` = number of chunks in the sentence so far, including this one.
    fn is_boundary(
        &self,
        chunk: &str,
        core: &str,
        nx: Next<'_>,
        words: usize,
        in_parens: bool,
        lower_ok: &LowerStarts<'_>,
    ) -> bool {
        let Some(last) = core.chars().next_back() else {
            return false;
        };
        if !is_terminal(last) {
            return false;
        }
        let word_end = core.trim_end_matches(is_terminal);
        let term = &core[word_end.len()..];
        let dots = term
            .chars()
            .map(|c| if c == '…' { 3 } else { 1 })
            .sum::<usize>();
        let closed = chunk.len() > core.len();
        if term.contains(|c: char| c != '.' && c != '…') {
            // `?`, `!`, `?!`, `!!`... : a boundary unless the sentence goes on in lower case
            // ("Yahoo! in", `"Why?" he asked`).
            if nx.class == NextClass::Lower {
                return !closed && lower_ok.allowed();
            }
            return true;
        }
        if dots >= 2 || term.contains('…') {
            return self.ellipsis_boundary(dots, chunk, core, nx);
        }
        // A single period.
        let word = word_end.trim_start_matches(is_opener);
        let closers_have_quote =
            closed && chunk[core.len()..].contains(|c: char| c != ')' && c != ']');
        if nx.class == NextClass::Lower {
            if closed || in_parens {
                return false;
            }
            if self.is_abbrev_like(word) {
                // `etc.` closes a list and usually the sentence: `food, water etc. the
                // easiest ...` in informal text.
                return is_list_end(word) && (lower_ok.allowed() || is_lower_opener(nx.word));
            }
            // A lower-case pronoun or determiner after an ordinary word (`at best. the
            // waitress`, `great. it was`) starts a sentence even in text that otherwise
            // looks edited; other lower-case words need the informal-text cue.
            return lower_ok.allowed()
                || (word.chars().next_back().is_some_and(char::is_alphanumeric)
                    && is_lower_opener(nx.word));
        }
        if closers_have_quote {
            // `the U.S." He said`: a closing quote after the period is a strong signal.
            return true;
        }
        let kind = self.abbrevs.get(word);
        match kind {
            // `etc.` closes a list: before a capitalised word it ends the sentence
            // (`bread, milk etc. Thanks,`), whatever the word.
            _ if is_list_end(word) => !in_parens,
            Some(AbbrevKind::Title) => false,
            Some(AbbrevKind::Number) if nx.class == NextClass::Digit => false,
            Some(AbbrevKind::General) => !in_parens && self.abbrev_boundary(nx, words),
            _ if is_dotted_abbrev(word) => !in_parens && self.abbrev_boundary(nx, words),
            _ if word.chars().count() == 1 && word.chars().all(char::is_alphabetic) => {
                // Initials ("George W. Bush") and single letters ("you and I. Did").
                !in_parens && self.abbrev_boundary(nx, words)
            }
            _ => true,
        }
    }

    /// After an abbreviation: a boundary only if a typical sentence opener follows. A title
    /// ("Mr.") counts as an opener unless the sentence would be very short ("At 5 a.m. Mr.").
    fn abbrev_boundary(&self, nx: Next<'_>, words: usize) -> bool {
        if nx.class != NextClass::Upper {
            return false;
        }
        if is_opener_word(nx.word) {
            return true;
        }
        self.abbrevs.get(nx.word) == Some(AbbrevKind::Title) && words >= 4
    }

    /// Ellipsis rule: four or more dots end a sentence before a capital or digit; two dots
    /// before a capital; three dots (or `…`) only before a capitalised word other than "I";
    /// `[...]` never does.
    fn ellipsis_boundary(&self, dots: usize, chunk: &str, core: &str, nx: Next<'_>) -> bool {
        let before = core.trim_end_matches(['.', '…']);
        let closers = &chunk[core.len().min(chunk.len())..];
        if (before.ends_with('[') && closers.starts_with(']'))
            || (before.ends_with('(') && closers.starts_with(')'))
        {
            // `[...]` marks an omission: it ends a sentence only before a capital and when
            // nothing else closes after it (`[...]" (Smith 55)` does not).
            return closers.len() == 1 && nx.class == NextClass::Upper && nx.word != "I";
        }
        if dots >= 4 {
            return matches!(
                nx.class,
                NextClass::Upper | NextClass::Digit | NextClass::Other
            );
        }
        // Two dots are a doubled period (`before.. I should`), not an omission, so a
        // following "I" starts a sentence too.
        nx.class == NextClass::Upper && (nx.word != "I" || dots == 2)
    }

    /// True if `rest` starts with dot-only chunks totalling three dots, followed by a chunk
    /// that starts with a capital letter.
    fn spaced_ellipsis_then_upper(&self, text: &str, rest: &[Chunk]) -> bool {
        let mut dots = 0;
        for c in rest.iter().take(8) {
            let s = text.get(c.start..c.end).unwrap_or("");
            let core = s.trim_end_matches(is_closer);
            if !core.is_empty() && core.chars().all(|c| c == '.' || c == '…') {
                dots += core
                    .chars()
                    .map(|c| if c == '…' { 3 } else { 1 })
                    .sum::<usize>();
                continue;
            }
            return dots == 3 && next_info(s).class == NextClass::Upper;
        }
        false
    }

    /// Abbreviation-shaped word: known abbreviation, dotted (`U.S`), or a single letter.
    fn is_abbrev_like(&self, word: &str) -> bool {
        self.abbrevs.get(word).is_some()
            || is_dotted_abbrev(word)
            || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic))
    }
}

/// Picture-caption labels that start a new unit even after unpunctuated caption text
/// ("Ahmed Mohamed Image: Twitter").
fn is_caption_label(chunk: &str) -> bool {
    matches!(
        chunk,
        "Image:"
            | "Photo:"
            | "Photograph:"
            | "Picture:"
            | "Caption:"
            | "Credit:"
            | "Video:"
            | "Graphic:"
    )
}

/// Pushes `chunk`, cut where two sentences were written without a space between them
/// (`world.Today`, `said."The`, `1,000.That`): terminal punctuation after two lower-case
/// letters or digits, optional closing quotes, then a capital followed by a lower-case
/// letter. URLs, e-mail addresses and file names (`www.`, `://`, `@`) are left alone.
fn push_unspaced_sentences(text: &str, chunk: Chunk, block: &mut Vec<Chunk>) {
    let Some(s) = text.get(chunk.start..chunk.end) else {
        block.push(chunk);
        return;
    };
    if s.contains('@') || s.contains("://") || s.contains("www.") {
        block.push(chunk);
        return;
    }
    let b = s.as_bytes();
    let word_byte = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut piece_start = 0;
    let mut first = true;
    let mut k = 2;
    while k + 2 < b.len() {
        if matches!(b[k], b'.' | b'?' | b'!') && word_byte(b[k - 1]) && word_byte(b[k - 2]) {
            let mut j = k + 1;
            while j < b.len() && matches!(b[j], b'"' | b'\'' | b')') {
                j += 1;
            }
            if j + 1 < b.len()
                && b[j].is_ascii_uppercase()
                && b[j + 1].is_ascii_lowercase()
                && !is_capitalised_tld(&b[j..])
            {
                block.push(sub_chunk(
                    s,
                    chunk.start,
                    piece_start..j,
                    first && chunk.glued,
                ));
                first = false;
                piece_start = j;
                k = j + 2;
                continue;
            }
        }
        k += 1;
    }
    if first {
        block.push(chunk);
    } else {
        block.push(sub_chunk(s, chunk.start, piece_start..s.len(), false));
    }
}

/// `Com`, `Net`, `Org`... ending the chunk or followed by a non-letter: a host name written
/// with a capital (`Newsfeed.Com`), not a second sentence.
fn is_capitalised_tld(rest: &[u8]) -> bool {
    let len = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    matches!(&rest[..len], b"Com" | b"Net" | b"Org" | b"Edu" | b"Gov")
}

/// A chunk for `s[r]` (byte offsets relative to `s`, which starts at `base`).
fn sub_chunk(s: &str, base: usize, r: Range<usize>, glued: bool) -> Chunk {
    let part = s.get(r.clone()).unwrap_or("");
    let opens = part.bytes().filter(|&x| x == b'(').count();
    let closes = part.bytes().filter(|&x| x == b')').count();
    Chunk {
        start: base + r.start,
        end: base + r.end,
        has_alnum: part.chars().any(char::is_alphanumeric),
        paren_delta: i16::try_from(opens)
            .unwrap_or(i16::MAX)
            .saturating_sub(i16::try_from(closes).unwrap_or(i16::MAX)),
        glued,
        has_at: part.contains('@'),
    }
}

/// Ends in terminal punctuation, possibly followed by closing quotes/brackets.
fn ends_terminal(chunk: &str) -> bool {
    chunk
        .trim_end_matches(is_closer)
        .chars()
        .next_back()
        .is_some_and(is_terminal)
}

/// Text-message emoticons that end a sentence like punctuation.
fn is_emoticon(chunk: &str) -> bool {
    matches!(
        chunk,
        ":)" | ":-)"
            | ":("
            | ":-("
            | ";)"
            | ";-)"
            | ":D"
            | ":-D"
            | ":P"
            | ":-P"
            | ":p"
            | ":-p"
            | ":/"
            | ":-/"
            | "=)"
            | "XD"
    )
}

/// Reference marks and emoticons that attach to the sentence before them:
/// `[17]`, `[a]`, `[...]`, `[…]`, `:-)`.
fn is_trailer(chunk: &str) -> bool {
    if is_emoticon(chunk) {
        return true;
    }
    let core = chunk.trim_end_matches(['"', '”', '\'', '’']);
    let Some(inner) = core.strip_prefix('[').and_then(|c| c.strip_suffix(']')) else {
        return false;
    };
    (!inner.is_empty() && inner.len() <= 3 && inner.bytes().all(|b| b.is_ascii_digit()))
        || matches!(inner, "..." | "…" | "a" | "b" | "c" | "d" | "e")
}

/// A chunk of closing brackets or typographic closing quotes only (`)`, `]`, `”`), or a
/// lone `"` that closes a quote opened earlier in the sentence (`before` = the sentence
/// so far, only read for `"`).
fn is_lone_closer<'a>(chunk: &str, before: impl FnOnce() -> &'a str) -> bool {
    if chunk == "\"" {
        return before().bytes().filter(|&b| b == b'"').count() % 2 == 1;
    }
    !chunk.is_empty()
        && chunk
            .chars()
            .all(|c| matches!(c, ')' | ']' | '}' | '”' | '’' | '»'))
}

/// A footnote mark written as a bare number of one or two digits (`4`, `17`).
fn is_note_number(chunk: &str) -> bool {
    (1..=2).contains(&chunk.len()) && chunk.bytes().all(|b| b.is_ascii_digit())
}

/// Starts with an upper-case letter followed by a lower-case one (`Even`, `At`), so a
/// number before it cannot be counting it (`4 Even though` vs `4 people`, `4 EU states`).
fn starts_capitalised_word(chunk: &str) -> bool {
    let mut cs = chunk.chars();
    cs.next().is_some_and(char::is_uppercase) && cs.next().is_some_and(char::is_lowercase)
}

/// Classifies the start of the next chunk.
fn next_info(chunk: &str) -> Next<'_> {
    let core = chunk.trim_end_matches(is_closer);
    let dots_only = !core.is_empty() && core.chars().all(|c| c == '.' || c == '…');
    let body = chunk.trim_start_matches(is_opener);
    // A link after a sentence starts the next unit whatever its case (`enthusiast. http://`).
    let link = body.starts_with("http") || body.starts_with("www.");
    let class = match first_char(body) {
        _ if link => NextClass::Other,
        Some(c) if c.is_uppercase() => NextClass::Upper,
        Some(c) if c.is_lowercase() => NextClass::Lower,
        Some(c) if c.is_numeric() => NextClass::Digit,
        _ => NextClass::Other,
    };
    let word_len = body
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(body.len());
    Next {
        class,
        word: &body[..word_len],
        dots_only,
    }
}

/// True if a period after `word` (without the period) inside a sentence belongs to the word:
/// a known built-in abbreviation, a dotted abbreviation (`U.S`), a single letter, or a short
/// list number (`1`). Used by the tokenizer, which has no config of its own.
pub fn is_builtin_abbreviation(word: &str) -> bool {
    builtin_abbreviations().get(word).is_some()
        || is_dotted_abbrev(word)
        || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn splitter() -> SentenceSplitter {
        SentenceSplitter::new(&SplitConfig::default()).expect("default config is valid")
    }

    fn sents(text: &str) -> Vec<&str> {
        splitter()
            .split(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn builtin_list_parses_and_openers_sorted() {
        let parsed =
            Abbreviations::parse(BUILTIN_ABBREVIATIONS, "built-in").expect("built-in list parses");
        assert!(parsed.len() > 100);
        let mut sorted = SENTENCE_OPENERS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, SENTENCE_OPENERS);
        let mut sorted = LOWER_OPENERS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, LOWER_OPENERS);
    }

    #[test]
    fn abbreviation_lookup_case_rules() {
        let a = builtin_abbreviations();
        assert_eq!(a.get("Gen"), Some(AbbrevKind::Title));
        assert_eq!(a.get("Co"), Some(AbbrevKind::General));
        assert_eq!(a.get("CO"), Some(AbbrevKind::General));
        assert_eq!(a.get("Mass"), Some(AbbrevKind::General));
        assert_eq!(a.get("mass"), None);
        assert_eq!(a.get("No"), Some(AbbrevKind::Number));
    }

    #[test]
    fn bad_abbreviation_line_reports_origin_and_line() {
        let err = Abbreviations::parse("Mr. title\n\nGen. colonel\n", "my.txt").unwrap_err();
        assert_eq!(err.to_string().split(": ").next(), Some("my.txt:3"));
        let cfg = SplitConfig {
            extra_abbreviations: vec!["Gov. title".into(), "a b c".into()],
            ..SplitConfig::default()
        };
        let err = SentenceSplitter::new(&cfg).unwrap_err();
        assert!(
            err.to_string().starts_with("[split] extra_abbreviations:2"),
            "{err}"
        );
    }

    #[test]
    fn basic_and_abbreviations() {
        assert_eq!(
            sents("Gen. Petraeus met Sen. John McCain in Washington. They spoke for an hour."),
            [
                "Gen. Petraeus met Sen. John McCain in Washington.",
                "They spoke for an hour."
            ]
        );
        assert_eq!(
            sents("The vote was on Sept. 14 in the U.S. Senate. Acme Inc. said it agreed."),
            [
                "The vote was on Sept. 14 in the U.S. Senate.",
                "Acme Inc. said it agreed."
            ]
        );
        assert_eq!(
            sents("He moved to the U.S. It was 2008."),
            ["He moved to the U.S.", "It was 2008."]
        );
        assert_eq!(
            sents("President George W. Bush spoke. Prices rose 3.5 percent."),
            [
                "President George W. Bush spoke.",
                "Prices rose 3.5 percent."
            ]
        );
    }

    #[test]
    fn quotes_brackets_and_punctuation_runs() {
        assert_eq!(
            sents("\"We will win.\" He smiled. (That was a lie.) Really?! Yes!!"),
            [
                "\"We will win.\"",
                "He smiled.",
                "(That was a lie.)",
                "Really?!",
                "Yes!!"
            ]
        );
        assert_eq!(
            sents("“Why now?” she asked. ‘Because.’ He left."),
            ["“Why now?” she asked.", "‘Because.’", "He left."]
        );
    }

    #[test]
    fn ellipses() {
        assert_eq!(
            sents("He paused… Then he left. I meant... well, nothing. It ended.... We left."),
            [
                "He paused…",
                "Then he left.",
                "I meant... well, nothing.",
                "It ended....",
                "We left."
            ]
        );
    }

    #[test]
    fn lines_and_blank_lines() {
        let text = "Troops Enter Town\nMOSCOW, Aug. 14\n\nThe army moved in. Residents fled\n\nto the hills.";
        assert_eq!(
            sents(text),
            [
                "Troops Enter Town",
                "MOSCOW, Aug. 14",
                "The army moved in.",
                "Residents fled",
                "to the hills."
            ]
        );
        let joined = SentenceSplitter::new(&SplitConfig {
            single_newline_is_boundary: false,
            ..SplitConfig::default()
        })
        .expect("valid");
        let got: Vec<&str> = joined
            .split("a line\nwrapped here.\n\nNew para")
            .into_iter()
            .map(|r| &"a line\nwrapped here.\n\nNew para"[r])
            .collect();
        assert_eq!(got, ["a line\nwrapped here.", "New para"]);
    }

    #[test]
    fn sentences_without_space_between() {
        assert_eq!(
            sents("Hello world.Today is Tuesday.Mr. Smith paid 1,000.That is a lot."),
            [
                "Hello world.",
                "Today is Tuesday.",
                "Mr. Smith paid 1,000.",
                "That is a lot."
            ]
        );
        // A quote between the sentences is taken as closing the first one.
        assert_eq!(sents("\"We won.\"He left."), ["\"We won.\"", "He left."]);
        assert_eq!(
            sents("Mail jane.Doe@example.com or see www.example.Com today."),
            ["Mail jane.Doe@example.com or see www.example.Com today."]
        );
    }

    #[test]
    fn lists() {
        assert_eq!(
            sents("1) Buy bread 2) Buy milk 3) Go home"),
            ["1) Buy bread", "2) Buy milk", "3) Go home"]
        );
        assert_eq!(
            sents("• First point • Second point"),
            ["• First point", "• Second point"]
        );
        // A number before a capital inside running text is an ordinary sentence end.
        assert_eq!(
            sents("The toll rose to 12. Officials said."),
            ["The toll rose to 12.", "Officials said."]
        );
    }

    #[test]
    fn layout_boundaries_without_punctuation() {
        assert_eq!(
            sents("Kay Mann 04/26/2001 07:17 AM Will you send it? Thanks, Sean Here you go."),
            [
                "Kay Mann",
                "04/26/2001 07:17 AM",
                "Will you send it?",
                "Thanks,",
                "Sean Here you go."
            ]
        );
        assert_eq!(
            sents("Mail jane@example.com Our site is down. ===== The end."),
            [
                "Mail jane@example.com",
                "Our site is down.",
                "=====",
                "The end."
            ]
        );
        assert_eq!(
            sents("TEHRAN (AFP) - An international contest opened."),
            ["TEHRAN (AFP) -", "An international contest opened."]
        );
        assert_eq!(
            sents("Lovely Cottage This cottage is fine."),
            ["Lovely Cottage", "This cottage is fine."]
        );
        assert_eq!(
            sents("Thursday, May 7, 2015 On Tuesday, the vote began."),
            ["Thursday, May 7, 2015", "On Tuesday, the vote began."]
        );
        assert_eq!(
            sents("I am in Fiji for four nights 1) what island is best 2) I want a beach"),
            [
                "I am in Fiji for four nights",
                "1) what island is best",
                "2) I want a beach"
            ]
        );
        // Edited prose keeps its dashes, colons and commas.
        assert_eq!(
            sents("I wanted to - I wanted to stay. He said: The vote is over. Hi, John."),
            [
                "I wanted to - I wanted to stay.",
                "He said: The vote is over.",
                "Hi, John."
            ]
        );
    }

    #[test]
    fn lower_case_starts_only_in_informal_text() {
        // Edited text: a period before a lower-case word is an unknown abbreviation.
        assert_eq!(
            sents("St. Michael's Church is on 5th st. near the light."),
            ["St. Michael's Church is on 5th st. near the light."]
        );
        // Informal text (lower-case `i`) starts sentences in lower case.
        assert_eq!(
            sents("i am going out tonight. call them at 5. they will come! see you"),
            [
                "i am going out tonight.",
                "call them at 5.",
                "they will come!",
                "see you"
            ]
        );
        let off = SentenceSplitter::new(&SplitConfig {
            detect_informal_text: false,
            ..SplitConfig::default()
        })
        .expect("valid");
        assert_eq!(off.split("i left. then i came back.").len(), 1);
    }

    #[test]
    fn lower_case_pronoun_or_determiner_after_a_word_starts_a_sentence() {
        // No informal cue in these texts: the lower-case opener alone decides.
        assert_eq!(
            sents("The soup was cold at best. the waiter never came back."),
            ["The soup was cold at best.", "the waiter never came back."]
        );
        assert_eq!(
            sents("Parking was easy. it took five minutes. Not bad."),
            ["Parking was easy.", "it took five minutes.", "Not bad."]
        );
        // Abbreviations, initials and other lower-case words keep the sentence going.
        assert_eq!(
            sents("Rates fell approx. the same amount. Fans of the band vs. the critics."),
            [
                "Rates fell approx. the same amount.",
                "Fans of the band vs. the critics."
            ]
        );
        assert_eq!(
            sents("He studied voc. ed. classes at night."),
            ["He studied voc. ed. classes at night."]
        );
        // A quote or bracket before the lower-case word means it continues.
        assert_eq!(
            sents("He called it \"easy.\" the critics did not."),
            ["He called it \"easy.\" the critics did not."]
        );
    }

    #[test]
    fn etc_closes_a_list_and_the_sentence() {
        assert_eq!(
            sents("Bring water, bread, fruit etc. Thanks for helping."),
            ["Bring water, bread, fruit etc.", "Thanks for helping."]
        );
        assert_eq!(
            sents("Pets need food, care etc. the easiest is a fish."),
            ["Pets need food, care etc.", "the easiest is a fish."]
        );
        assert_eq!(
            sents("Apples, pears etc. and more were sold."),
            ["Apples, pears etc. and more were sold."]
        );
        // Inside parentheses it stays in the sentence.
        assert_eq!(
            sents("Bring supplies (pens, paper etc. Markers too) to class."),
            ["Bring supplies (pens, paper etc. Markers too) to class."]
        );
    }

    #[test]
    fn two_dots_end_a_sentence_before_i() {
        assert_eq!(
            sents("We went dancing last night.. I loved it. I meant... I think so."),
            [
                "We went dancing last night..",
                "I loved it.",
                "I meant... I think so."
            ]
        );
    }

    #[test]
    fn footnote_numbers_stay_with_their_sentence() {
        assert_eq!(
            sents("Most states protect minority rights. 4 Even so, votes matter. 12 people came."),
            [
                "Most states protect minority rights. 4",
                "Even so, votes matter.",
                "12 people came."
            ]
        );
        // After an abbreviation the number belongs to what follows.
        assert_eq!(
            sents("He joined the Sept. 11 Commission later."),
            ["He joined the Sept. 11 Commission later."]
        );
    }

    #[test]
    fn parenthetical_between_sentences_is_a_unit() {
        assert_eq!(
            sents("Talks resumed on Monday. (City Herald) Officials said little."),
            [
                "Talks resumed on Monday.",
                "(City Herald)",
                "Officials said little."
            ]
        );
        // Inside a sentence, or before a lower-case word, it stays where it is.
        assert_eq!(
            sents("The mayor (City Herald) Officials list says so. (See above) and more."),
            [
                "The mayor (City Herald) Officials list says so.",
                "(See above) and more."
            ]
        );
        // A list marker in parentheses is not a unit of its own.
        assert_eq!(
            sents("(a) The first rule applies."),
            ["(a) The first rule applies."]
        );
    }

    #[test]
    fn lone_closing_bracket_or_quote_stays_with_its_sentence() {
        assert_eq!(
            sents("We arrive early (we land at noon. ) Take the bus."),
            ["We arrive early (we land at noon. )", "Take the bus."]
        );
        assert_eq!(
            sents("He wrote \"we are done. \" Then he left. She said. \" Next time.\""),
            [
                "He wrote \"we are done. \"",
                "Then he left.",
                "She said.",
                "\" Next time.\""
            ]
        );
    }

    #[test]
    fn attachment_marks_end_a_unit() {
        assert_eq!(
            sents("See the plan. - plan.doc << File: plan.doc >> Call me later. Options: <> More soon."),
            [
                "See the plan.",
                "- plan.doc << File: plan.doc >>",
                "Call me later.",
                "Options: <>",
                "More soon."
            ]
        );
        assert_eq!(
            sents("Charts attached. - Crude.pdf - HeatingOil.pdf - Gas.xls Call me."),
            [
                "Charts attached.",
                "- Crude.pdf",
                "- HeatingOil.pdf",
                "- Gas.xls Call me."
            ]
        );
        assert_eq!(
            sents("Use the >> key and <> signs to move."),
            ["Use the >> key and <> signs to move."]
        );
    }

    #[test]
    fn capitalised_host_names_are_not_glued_sentences() {
        assert_eq!(
            sents("Posted via Newsfeed.Com - fast servers. It ended.Then we left."),
            [
                "Posted via Newsfeed.Com - fast servers.",
                "It ended.",
                "Then we left."
            ]
        );
    }

    #[test]
    fn emoticons_mark_informal_text() {
        assert_eq!(
            sents("Great view from the top! :P you get the whole city. Go early."),
            [
                "Great view from the top! :P",
                "you get the whole city.",
                "Go early."
            ]
        );
    }

    #[test]
    fn ranges_are_trimmed_ordered_and_on_char_boundaries() {
        let text = "  Ünïcödé tëxt… Ça va? \u{a0}Oui.\r\n\r\n  Fin  ";
        let ranges = splitter().split(text);
        assert_eq!(ranges.len(), 4);
        let mut prev = 0;
        for r in &ranges {
            assert!(r.start >= prev && r.start < r.end);
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            let s = &text[r.clone()];
            assert_eq!(s, s.trim());
            prev = r.end;
        }
    }

    #[test]
    fn max_sentence_bytes_cuts_long_runs() {
        let sp = SentenceSplitter::new(&SplitConfig {
            max_sentence_bytes: 20,
            ..SplitConfig::default()
        })
        .expect("valid");
        let text = "aaaa bbbb cccc dddd eeee ffff ".repeat(3) + &"é".repeat(40);
        for r in sp.split(&text) {
            assert!(r.end - r.start <= 20, "{r:?}");
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            assert_eq!(text[r.clone()].trim(), &text[r]);
        }
        assert!(SentenceSplitter::new(&SplitConfig {
            max_sentence_bytes: 3,
            ..SplitConfig::default()
        })
        .is_err());
    }

    #[test]
    fn never_panics_on_odd_input() {
        let sp = splitter();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for round in 0..300 {
            let len = (round * 37) % 2000;
            let mut bytes = Vec::with_capacity(len);
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Bias towards punctuation, spaces and newlines.
                let b = match seed % 8 {
                    0 => b". ?!\n\"')"[(seed >> 8) as usize % 8],
                    1 => b'.',
                    _ => (seed >> 16) as u8,
                };
                bytes.push(b);
            }
            let text = String::from_utf8_lossy(&bytes);
            check_invariants(&sp, &text);
        }
        check_invariants(&sp, &".".repeat(1 << 20));
        check_invariants(&sp, &"x".repeat(100_000));
        check_invariants(&sp, &". ".repeat(50_000));
        check_invariants(&sp, &"A. ".repeat(50_000));
        check_invariants(&sp, &"\n".repeat(1000));
        check_invariants(&sp, "");
    }

    fn check_invariants(sp: &SentenceSplitter, text: &str) {
        let mut prev = 0;
        for r in sp.split(text) {
            assert!(r.start >= prev && r.start < r.end && r.end <= text.len());
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            let s = &text[r.clone()];
            assert_eq!(s.trim(), s);
            assert!(!s.contains("\n\n"));
            prev = r.end;
        }
    }
}
