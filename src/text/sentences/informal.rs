//! Does a text look like informal writing (chat, e-mail, forum posts) that starts sentences
//! in lower case?
//!
//! In edited text a period followed by a lower-case word almost always means an
//! abbreviation the list does not know (`5th st. near`), so the splitter keeps such a period
//! inside the sentence. Writers who do not capitalise sentence starts leave two cheap,
//! reliable traces elsewhere in the same text: the pronoun `i` written in lower case, and
//! lines that start with a lower-case word. When either is present, the splitter treats
//! `word.` + lower-case word as a boundary for that text only. Measured on UD EWT dev (web
//! text) and on GUM news / GUM dev and the golden rules (edited text, which must not change).

/// Lines starting with a lower-case word needed (without a lower-case `i`) to call a text
/// informal. One is not enough: a cleaned article can have one stray line such as `and
/// more` from a broken paragraph.
const MIN_LOWER_LINES: usize = 2;

/// True if `text` writes the pronoun `i` in lower case, continues in lower case after `!`
/// or `?` (`great! answered`), uses a text-message emoticon (`:)`, `:P`), or has at least [`MIN_LOWER_LINES`] lines that start with an
/// all-lower-case word (`iPhone`, `eBay` do not count).
pub(super) fn looks_informal(text: &str) -> bool {
    let b = text.as_bytes();
    let mut lower_lines = 0;
    let mut line_start = true;
    let mut prev: u8 = b' ';
    let mut k = 0;
    while k < b.len() {
        let x = b[k];
        if line_start && !x.is_ascii_whitespace() {
            line_start = false;
            if x.is_ascii_lowercase() && lower_word_at(b, k) {
                lower_lines += 1;
                if lower_lines >= MIN_LOWER_LINES {
                    return true;
                }
            }
        }
        if x == b'\n' {
            line_start = true;
        } else if matches!(x, b'!' | b'?')
            && prev.is_ascii_lowercase()
            && lower_word_before(b, k)
            && lower_after(b, k + 1)
        {
            // `excellent! answered all`, `means? where did` (but not `Yahoo! in`).
            return true;
        } else if x == b'i' && is_space_or_start(prev) && pronoun_i_at(b, k) {
            return true;
        } else if matches!(x, b':' | b';') && is_space_or_start(prev) && emoticon_at(b, k) {
            // `great! :P you get`: a text-message emoticon written as a word of its own.
            return true;
        }
        prev = x;
        k += 1;
    }
    false
}

/// An emoticon (`:)`, `:-(`, `;P`, `:D`) starts at `k` and ends at a space or the text end.
fn emoticon_at(b: &[u8], k: usize) -> bool {
    let mut j = k + 1;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    b.get(j)
        .is_some_and(|c| matches!(c, b')' | b'(' | b'P' | b'p' | b'D'))
        && b.get(j + 1).is_none_or(u8::is_ascii_whitespace)
}

/// After the punctuation run at `k`: one space, then an all-lower-case word.
fn lower_after(b: &[u8], mut k: usize) -> bool {
    while b.get(k).is_some_and(|c| matches!(c, b'!' | b'?')) {
        k += 1;
    }
    b.get(k) == Some(&b' ')
        && b.get(k + 1).is_some_and(u8::is_ascii_lowercase)
        && lower_word_at(b, k + 1)
}

/// The word ending just before `k` is all lower-case letters.
fn lower_word_before(b: &[u8], k: usize) -> bool {
    let word = &b[..k];
    let len = word
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    len >= 2 && word[k - len..].iter().all(u8::is_ascii_lowercase)
}

fn is_space_or_start(b: u8) -> bool {
    b == b' ' || b == b'\n' || b == b'\t'
}

/// `i` at `k` is a word on its own: followed by a space, an apostrophe contraction
/// (`i'm`, `i've`) or `,`/`.`/`?`/`!`.
fn pronoun_i_at(b: &[u8], k: usize) -> bool {
    match b.get(k + 1) {
        None => true,
        Some(b' ' | b'\n' | b'\t' | b',' | b'.' | b'?' | b'!') => true,
        Some(b'\'') => b
            .get(k + 2)
            .is_some_and(|c| matches!(c, b'm' | b'v' | b'l' | b'd')),
        _ => false,
    }
}

/// The word at `k` is all lower-case ASCII letters up to the next space or punctuation,
/// and at least two letters long or the pronoun `i`.
fn lower_word_at(b: &[u8], k: usize) -> bool {
    let len = b[k..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let word = &b[k..k + len];
    word.iter().all(u8::is_ascii_lowercase)
        && (len >= 2 || word == b"i")
        && !b.get(k + len).is_some_and(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::looks_informal;

    #[test]
    fn informal_cues() {
        assert!(looks_informal("I said so. then i left."));
        assert!(looks_informal("Hey\nsure thing\nsee you there."));
        assert!(looks_informal("i'm late"));
        assert!(looks_informal(
            "Service was great! answered all my questions."
        ));
        assert!(!looks_informal("\"Why?\" he asked. Yahoo! in the news."));
        assert!(!looks_informal("Clause (i) applies. The iPhone sold well."));
        assert!(!looks_informal("He left.\niPhone sales rose.\neBay fell."));
        assert!(!looks_informal("One stray\nline here."));
        assert!(looks_informal("Nice view :P you get a great view."));
        assert!(looks_informal("We won ;-)"));
        assert!(!looks_informal(
            "Score: (a) 3:0 and Scientology: 0. Note:D-Day"
        ));
    }
}
