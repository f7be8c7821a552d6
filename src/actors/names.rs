//! Name normalisation: the one function that turns a surface form into a lookup key, plus the
//! person-name comparisons (initials, surnames) used inside a document and by the corpus pass.
//!
//! Keys are lowercase ASCII-folded words separated by single spaces, with punctuation removed,
//! so "George W. Bush", "George W Bush" and "GEORGE W. BUSH" share the key "george w bush" and
//! "Nagorno-Karabakh" and "Nagorno Karabakh" share "nagorno karabakh".

use super::fuzzy::Fuzzy;

/// Folds one Latin letter with a diacritic to ASCII; `None` when the char needs no folding
/// (ASCII) or is not a Latin letter we know (it is then kept as lowercase).
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ǎ' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'ə' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' | 'ḥ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'ǒ' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'ṣ' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' | 'ṭ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ǔ' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => return None,
    })
}

/// True for characters that join words inside a name and become a space in keys.
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '–' | '/' | '_')
}

/// True for apostrophes (straight and curly).
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | '`' | 'ʼ')
}

/// The normalised key of a surface form: lowercase, diacritics folded, possessive `'s`
/// dropped, hyphens and slashes as spaces, other punctuation removed, a leading "the"
/// dropped, single spaces. Two spellings that differ only in these respects get one key.
pub fn normalize_key(s: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for raw in s.split(|c: char| c.is_whitespace() || is_joiner(c)) {
        // Possessive: "Russia's" / "Russia’s" / a standalone "'s" token.
        let trimmed = strip_possessive(raw);
        let mut w = String::with_capacity(trimmed.len());
        for c in trimmed.chars() {
            if c.is_alphanumeric() || c == '&' {
                for lc in c.to_lowercase() {
                    match fold(lc) {
                        Some(f) => w.push_str(f),
                        None => w.push(lc),
                    }
                }
            }
        }
        if !w.is_empty() {
            words.push(w);
        }
    }
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    words.join(" ")
}

/// `raw` without a trailing possessive `'s` / `'` (after a word ending in s); a bare `'s`
/// becomes empty.
pub fn strip_possessive(raw: &str) -> &str {
    let mut chars = raw.char_indices().rev();
    match (chars.next(), chars.next()) {
        (Some((_, 's' | 'S')), Some((i, a))) if is_apostrophe(a) => &raw[..i],
        (Some((i, a)), Some((_, p))) if is_apostrophe(a) && (p == 's' || p == 'S') => &raw[..i],
        _ => raw,
    }
}

/// True when `tok` is a possessive clitic token ("'s", "’s", "'").
pub fn is_possessive_token(tok: &str) -> bool {
    matches!(tok, "'s" | "’s" | "'S" | "’S" | "'" | "’")
}

/// A surface as one line: whitespace runs (a name broken across lines) become one space. The
/// form stored in [`crate::doc::DocActor::aliases`].
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when the first character is an uppercase letter.
pub fn is_capitalized(tok: &str) -> bool {
    tok.chars().next().is_some_and(char::is_uppercase)
}

/// True when the token has at least one letter and no lowercase letters ("NATO", "U.S.").
pub fn is_all_caps(tok: &str) -> bool {
    tok.chars().any(char::is_alphabetic) && !tok.chars().any(char::is_lowercase)
}

/// The words of a key (a key is already normalised).
pub fn key_words(key: &str) -> Vec<&str> {
    key.split(' ').filter(|w| !w.is_empty()).collect()
}

/// True for an initial: a single letter word of a key ("w" in "george w bush").
pub fn is_initial(word: &str) -> bool {
    word.chars().count() == 1
}

/// Words of a person key without initials.
fn core(words: &[&str]) -> Vec<String> {
    words
        .iter()
        .filter(|w| !is_initial(w))
        .map(|w| w.to_string())
        .collect()
}

/// Initials of a person key, in order.
fn initials(words: &[&str]) -> Vec<String> {
    words
        .iter()
        .filter(|w| is_initial(w))
        .map(|w| w.to_string())
        .collect()
}

/// True when two full person names (keys with at least two non-initial words) can be the
/// same person: same number of non-initial words, each equal or similar (a misspelling,
/// "dimitry" ~ "dmitry"), the surname equal or similar, and compatible initials ("george
/// bush" ~ "george w bush", but "george w bush" ≁ "george h w bush").
pub fn full_names_compatible(a: &str, b: &str, fz: &Fuzzy) -> bool {
    if a == b {
        return true;
    }
    let wa = key_words(a);
    let wb = key_words(b);
    let (ca, cb) = (core(&wa), core(&wb));
    if ca.len() < 2 || ca.len() != cb.len() {
        return false;
    }
    let (ia, ib) = (initials(&wa), initials(&wb));
    if !ia.is_empty() && !ib.is_empty() && ia != ib {
        return false;
    }
    ca.iter()
        .zip(cb.iter())
        .all(|(x, y)| x == y || fz.similar(x, y))
}

/// True when `short` names the same person as `full` by its trailing words: "medvedev" →
/// "dmitry medvedev", "de hoop scheffer" → "jaap de hoop scheffer". A single-word surname may
/// also be a misspelling of the full name's surname when it is long enough for fuzzy matching.
pub fn is_surname_of(short: &str, full: &str, fz: &Fuzzy) -> bool {
    let ws = key_words(short);
    let wf = key_words(full);
    if ws.is_empty() || ws.len() >= wf.len() || ws.first().is_some_and(|w| is_initial(w)) {
        return false;
    }
    if wf.ends_with(&ws) {
        return true;
    }
    ws.len() == 1 && wf.last().is_some_and(|l| fz.similar(ws[0], l))
}

/// The number of non-initial words of a key.
pub fn core_len(key: &str) -> usize {
    key_words(key).iter().filter(|w| !is_initial(w)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_punctuation_diacritics_and_possessives() {
        assert_eq!(normalize_key("George W. Bush"), "george w bush");
        assert_eq!(normalize_key("George W Bush"), "george w bush");
        assert_eq!(normalize_key("Russia's"), "russia");
        assert_eq!(normalize_key("Russia’s"), "russia");
        assert_eq!(normalize_key("the Kremlin"), "kremlin");
        assert_eq!(normalize_key("The"), "the");
        assert_eq!(normalize_key("Nagorno-Karabakh"), "nagorno karabakh");
        assert_eq!(normalize_key("Élysée"), "elysee");
        assert_eq!(
            normalize_key("Recep Tayyip Erdoğan"),
            "recep tayyip erdogan"
        );
        assert_eq!(normalize_key("U.S."), "us");
        assert_eq!(normalize_key("RFE/RL"), "rfe rl");
        assert_eq!(normalize_key("'s"), "");
        assert_eq!(normalize_key("  "), "");
    }

    #[test]
    fn initials_and_misspellings_in_full_names() {
        let fz = Fuzzy::new(0.90, 5);
        assert!(full_names_compatible("george w bush", "george bush", &fz));
        assert!(!full_names_compatible(
            "george w bush",
            "george h w bush",
            &fz
        ));
        assert!(full_names_compatible(
            "dimitry medvedev",
            "dmitry medvedev",
            &fz
        ));
        assert!(full_names_compatible(
            "condoleeza rice",
            "condoleezza rice",
            &fz
        ));
        assert!(!full_names_compatible(
            "sergei ivanov",
            "sergei lavrov",
            &fz
        ));
        assert!(!full_names_compatible("medvedev", "dmitry medvedev", &fz));
    }

    #[test]
    fn surnames_attach_to_full_names() {
        let fz = Fuzzy::new(0.90, 5);
        assert!(is_surname_of("medvedev", "dmitry medvedev", &fz));
        assert!(is_surname_of(
            "de hoop scheffer",
            "jaap de hoop scheffer",
            &fz
        ));
        assert!(is_surname_of("medvedv", "dmitry medvedev", &fz));
        assert!(!is_surname_of("w bush", "george w bush", &fz));
        assert!(!is_surname_of("lavrov", "dmitry medvedev", &fz));
        assert!(!is_surname_of("dmitry medvedev", "dmitry medvedev", &fz));
    }
}
