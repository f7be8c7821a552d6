//! Boundaries without sentence-final punctuation, found from the shape of the text.
//!
//! Web text, e-mail and some news pages put several units on one line with no final
//! punctuation: e-mail headers (`Kay Mann 04/26/2001 07:17 AM Will you ...`), addresses and
//! links before the next sentence, separator rules (`=====`, `-----`), sign-offs
//! (`Regards, Debra`), greetings (`Hi, Yes ...`), labels ending in a colon (`How to Pledge:
//! This year ...`), datelines ending in a dash (`TEHRAN (AFP) - An international ...`) and
//! short title lines (`Lovely Cottage This cottage is ...`). Each rule here marks a boundary
//! *before* a chunk; the rules are deliberately narrow (each needs two or three cues) so
//! that edited news prose, where these shapes are rare, is left alone. Measured on the dev
//! splits of UD EWT and GUM and on GUM news; see `src/eval/sbd.rs`.

use super::{is_opener_word, Chunk};

/// Sets `forced[i] = true` where a layout rule puts a boundary before chunk `i`.
pub(super) fn mark_layout_boundaries(text: &str, chunks: &[Chunk], forced: &mut [bool]) {
    let bytes = text.as_bytes();
    let get = |k: usize| {
        chunks
            .get(k)
            .and_then(|c| text.get(c.start..c.end))
            .unwrap_or("")
    };
    let n = chunks.len();
    for (i, ch) in chunks.iter().enumerate() {
        // Dispatch on the first and last byte: most chunks are plain words that start no
        // rule, and each rule only looks at the chunks it can apply to.
        let (Some(&first), Some(&last)) = (bytes.get(ch.start), bytes.get(ch.end.wrapping_sub(1)))
        else {
            continue;
        };
        let next = |k: usize| get(i + k);
        if first.is_ascii_digit() {
            let s = get(i);
            // E-mail header: `Name 08/16/2000 12:05 PM Next` -> boundaries before the date
            // and after the time.
            if is_slash_date(s) && is_clock_time(next(1)) {
                if i > 0 && header_name_end(get(i - 1)) {
                    forced[i] = true;
                }
                let after = if is_am_pm(next(2)) { i + 3 } else { i + 2 };
                if after < n {
                    forced[after] = true;
                }
            } else if i >= 2
                && i + 1 < n
                && is_year(s)
                && is_day_comma(get(i - 1))
                && is_month(get(i - 2))
                && is_opener_word(next(1))
            {
                // Dateline date before the first sentence: `Thursday, May 7, 2015 On ...`.
                forced[i + 1] = true;
            }
            continue;
        }
        let s = if ch.has_at || matches!(first, b'h' | b'w' | b'<' | b'>') {
            let s = get(i);
            // End of an e-mail attachment mark (`<< File: notes.doc >>`) or an emptied link
            // (`<>`): the next unit starts after it unless the text goes on in lower case.
            if matches!(s, ">>" | "<>") {
                if i + 1 < n && !starts_lower(next(1)) {
                    forced[i + 1] = true;
                }
                continue;
            }
            // Address or link followed by a capitalised word, a digit or another link.
            if i + 1 < n && is_address(s) {
                let nx = next(1);
                if starts_upper_or_digit(nx) || is_address(nx) || is_separator(nx) {
                    forced[i + 1] = true;
                }
                continue;
            }
            Some(s)
        } else {
            None
        };
        if matches!(first, b'-' | b'=' | b'_' | b'*' | b'~' | b'#' | b'+') || first >= 0x80 {
            let s = s.unwrap_or_else(|| get(i));
            // A separator rule is a unit of its own, and so is a signature dash `--` after
            // a sentence end (`years. -- Posted by`).
            let sig_dash = s == "--" && i > 0 && ends_sentence_punct(get(i - 1));
            if is_separator(s) || sig_dash {
                if i + 1 < n && !starts_lower(next(1)) {
                    forced[i + 1] = true;
                }
                if i > 0 {
                    forced[i] = true;
                }
                continue;
            }
            // Attachment list: `... API.pdf) - Crude.pdf - Heating.pdf`: each file after a
            // spaced hyphen is an item of its own.
            if s == "-" && i > 0 && is_file_name(next(1)) {
                forced[i] = true;
                continue;
            }
            // Dateline dash: `TEHRAN (AFP) - An international ...`, `Elyse - Just wanted`:
            // a spaced dash after a capitalised word, then a typical sentence opener and a
            // lower-case word.
            if matches!(s, "-" | "--" | "–" | "—")
                && i > 0
                && dateline_end(get(i - 1))
                && opener_then_lower(next(1), next(2))
            {
                forced[i + 1] = true;
                continue;
            }
        }
        if last == b',' && i + 1 < n && ch.end - ch.start <= 13 {
            let word = s.unwrap_or_else(|| get(i)).trim_end_matches(',');
            // Sign-off: `Regards, Debra`, `Best regards, Bill`, `Thanks, Sean`; greeting at
            // the start of a block or sentence: `Hi, Yes ...`, `Hello, I ...`.
            let after_end = i == 0 || ends_sentence_punct(get(i - 1));
            let sign_off = is_sign_off(word) && (after_end || is_sign_off_modifier(get(i - 1)));
            // A greeting is followed by a name (`Hi, John.`) more often than by a sentence,
            // so it needs a typical sentence opener after it.
            let greeting = is_greeting(word) && after_end && is_opener_word(next(1));
            if (sign_off || greeting) && starts_upper(next(1)) {
                forced[i + 1] = true;
                continue;
            }
        }
        // Short title line at the start of a block: `Lovely Cottage This cottage is ...`.
        if (1..5).contains(&i) && first.is_ascii_uppercase() {
            let s = get(i);
            let title_run = (0..=i).all(|k| is_title_word(get(k)));
            if title_run && !is_opener_word(s) && opener_then_lower(next(1), next(2)) {
                forced[i + 1] = true;
            }
        }
    }
}

/// The word before a dateline dash: capitalised (`TEHRAN (AFP) -`, `Elyse -`), not a
/// lower-case word (`I wanted to - I wanted`, a false start in speech).
fn dateline_end(prev: &str) -> bool {
    prev.ends_with(')') || prev.chars().next().is_some_and(char::is_uppercase)
}

/// A file name with a document or image extension: `Crude.pdf`, `notes.doc)`.
fn is_file_name(s: &str) -> bool {
    let s = s.trim_end_matches([')', ',', ';']);
    let Some((stem, ext)) = s.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && [
            "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "htm", "html", "txt", "jpg", "gif",
            "png", "zip", "rtf",
        ]
        .iter()
        .any(|e| e.eq_ignore_ascii_case(ext))
}

/// `1998`, `2015`.
fn is_year(s: &str) -> bool {
    s.len() == 4
        && (s.starts_with("19") || s.starts_with("20"))
        && s.bytes().all(|b| b.is_ascii_digit())
}

/// `7,`, `21,`.
fn is_day_comma(s: &str) -> bool {
    s.strip_suffix(',')
        .is_some_and(|d| (1..=2).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

fn is_month(s: &str) -> bool {
    matches!(
        s,
        "January"
            | "February"
            | "March"
            | "April"
            | "May"
            | "June"
            | "July"
            | "August"
            | "September"
            | "October"
            | "November"
            | "December"
    )
}

/// `08/16/2000`, `10/08/99`, `4/25/01`.
fn is_slash_date(s: &str) -> bool {
    let mut parts = s.split('/');
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let digits = |p: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    digits(a, 1, 2) && digits(b, 1, 2) && (c.len() == 2 || c.len() == 4) && digits(c, 2, 4)
}

/// `12:05`, `03:14:14`.
fn is_clock_time(s: &str) -> bool {
    let mut parts = s.split(':');
    let Some(h) = parts.next() else {
        return false;
    };
    if !(1..=2).contains(&h.len()) || !h.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut groups = 0;
    for p in parts {
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        groups += 1;
    }
    (1..=2).contains(&groups)
}

fn is_am_pm(s: &str) -> bool {
    matches!(s, "AM" | "PM" | "am" | "pm" | "a.m." | "p.m.")
}

/// The chunk before an e-mail header date: a capitalised name, an address, `>` or `"`.
fn header_name_end(s: &str) -> bool {
    let core = s.trim_end_matches(['"', '>', ')']);
    s.ends_with('>')
        || s.contains('@')
        || core.chars().next().is_some_and(char::is_uppercase)
            && core.chars().next_back().is_some_and(char::is_alphabetic)
}

/// An e-mail address or a link: contains `@` between word characters, or starts with
/// `http`, `www.` or `<` and ends with `>`.
fn is_address(s: &str) -> bool {
    let s = s.trim_end_matches([')', ',', ';']);
    if s.len() < 4 {
        return false;
    }
    if let Some(at) = s.find('@') {
        let (user, host) = (&s[..at], &s[at + 1..]);
        return user.bytes().any(|b| b.is_ascii_alphanumeric())
            && host.bytes().any(|b| b.is_ascii_alphabetic());
    }
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("www.")
        || (s.starts_with('<') && s.ends_with('>') && s.len() > 2)
}

/// A rule of at least three symbols such as `=====`, `-----`, `____`, `***`, `~~~`,
/// possibly with a word inside (`*****NOTICE*****`).
pub(super) fn is_separator(s: &str) -> bool {
    let b = s.as_bytes();
    let rule = |x: &u8| matches!(x, b'=' | b'-' | b'_' | b'*' | b'~' | b'#' | b'+');
    if b.len() < 3 {
        return false;
    }
    let lead = b.iter().take_while(|x| rule(x)).count();
    let trail = b.iter().rev().take_while(|x| rule(x)).count();
    lead == b.len() || (lead >= 3 && trail >= 3)
}

fn starts_upper_or_digit(s: &str) -> bool {
    let body = s.trim_start_matches(['"', '\'', '(', '“', '‘']);
    body.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

fn starts_upper(s: &str) -> bool {
    let body = s.trim_start_matches(['"', '\'', '(', '“', '‘']);
    body.chars().next().is_some_and(char::is_uppercase)
}

fn starts_lower(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_lowercase)
}

/// Ends in `.`, `?`, `!` or `…`, possibly followed by closing quotes or brackets.
fn ends_sentence_punct(s: &str) -> bool {
    s.trim_end_matches(['"', '\'', ')', ']', '”', '’'])
        .ends_with(['.', '?', '!', '…'])
}

/// Closing words of a letter or e-mail, written before the sender's name.
fn is_sign_off(word: &str) -> bool {
    [
        "regards",
        "thanks",
        "sincerely",
        "cheers",
        "thx",
        "cordially",
        "respectfully",
    ]
    .iter()
    .any(|w| w.eq_ignore_ascii_case(word))
}

/// Words before a sign-off: `Best regards`, `Kind regards`, `Many thanks`.
fn is_sign_off_modifier(word: &str) -> bool {
    [
        "best", "kind", "kindest", "warm", "warmest", "many", "with", "yours",
    ]
    .iter()
    .any(|w| w.eq_ignore_ascii_case(word))
}

fn is_greeting(word: &str) -> bool {
    matches!(word, "Hi" | "Hello" | "Hey" | "Greetings")
}

/// `next` is a typical sentence opener and `after` starts with a lower-case letter
/// (`This year`, `As of`, `I have`).
fn opener_then_lower(next: &str, after: &str) -> bool {
    is_opener_word(next) && starts_lower(after)
}

/// A capitalised word with no punctuation other than an inner apostrophe or hyphen.
fn is_title_word(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '\'' || c == '-' || c == '’')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(is_slash_date("08/16/2000") && is_slash_date("4/25/01"));
        assert!(!is_slash_date("1/2") && !is_slash_date("2000/08/16/1"));
        assert!(is_clock_time("12:05") && is_clock_time("03:14:14"));
        assert!(!is_clock_time("12:5") && !is_clock_time("Team:"));
        assert!(is_address("jane@example.com") && is_address("<spahnn@hnks.com>"));
        assert!(is_address("http://www.bbc.co.uk/news") && !is_address("@"));
        assert!(!is_address("Bryngelson@"));
        assert!(is_separator("=====") && is_separator("***NOTICE***"));
        assert!(!is_separator("--") && !is_separator("a-b-c"));
        assert!(is_file_name("Crude.pdf") && is_file_name("notes.DOC)"));
        assert!(!is_file_name(".pdf") && !is_file_name("e.g.") && !is_file_name("U.S."));
    }
}
