//! Bytes → text: gzip, byte-order marks, UTF-8, and a charset detector for everything else.
//!
//! `encoding_rs` (Firefox's decoder) does the decoding and `chardetng` (Firefox's detector) guesses
//! legacy encodings such as windows-1252 or KOI8-R; both are the mature choice for web text.

use std::io::Read;

/// Why bytes could not become article text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Nothing but whitespace.
    #[error("empty input")]
    Empty,
    /// Looks like a binary file (NUL bytes or many control characters).
    #[error("binary data, not text ({0})")]
    Binary(String),
    /// gzip stream is corrupt.
    #[error("corrupt gzip data: {0}")]
    Gzip(String),
    /// Decompressed size exceeds the limit.
    #[error("decompressed size exceeds the limit of {0} bytes (ingest.max_doc_bytes)")]
    TooLarge(u64),
}

/// Decoded text and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// Encoding name as in the WHATWG Encoding Standard (`UTF-8`, `windows-1252`, ...),
    /// with `+gzip` when the bytes were gzip-compressed.
    pub encoding: String,
}

/// True when the bytes start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

/// Decompresses gzip data, refusing to inflate beyond `limit` bytes (zip bombs).
pub fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    let mut reader = flate2::read::MultiGzDecoder::new(bytes).take(limit.saturating_add(1));
    reader
        .read_to_end(&mut out)
        .map_err(|e| DecodeError::Gzip(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(DecodeError::TooLarge(limit));
    }
    Ok(out)
}

/// Decodes bytes of unknown encoding to text.
///
/// Order: gzip (by magic number) → BOM (UTF-8/UTF-16) → valid UTF-8 → chardetng's guess.
/// Binary data (NUL bytes outside UTF-16, or over 10% control characters) is refused.
pub fn decode(bytes: &[u8], limit: u64) -> Result<Decoded, DecodeError> {
    if is_gzip(bytes) {
        let inflated = gunzip(bytes, limit)?;
        let mut d = decode_plain(&inflated)?;
        d.encoding.push_str("+gzip");
        return Ok(d);
    }
    decode_plain(bytes)
}

fn decode_plain(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return finish(text.into_owned(), enc.name());
    }
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        // BOM-less UTF-16 is rare in news feeds; treat NUL bytes as binary.
        return Err(DecodeError::Binary("contains NUL bytes".into()));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return finish(s.to_owned(), "UTF-8");
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let enc = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, _) = enc.decode(bytes);
    finish(text.into_owned(), enc.name())
}

fn finish(text: String, encoding: &str) -> Result<Decoded, DecodeError> {
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    let (mut total, mut control) = (0usize, 0usize);
    for c in text.chars().take(65_536) {
        total += 1;
        if (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) || c == '\u{fffd}' {
            control += 1;
        }
    }
    if control * 10 > total {
        return Err(DecodeError::Binary(format!(
            "{control} of the first {total} characters are control or undecodable characters"
        )));
    }
    Ok(Decoded {
        text,
        encoding: encoding.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_bom() {
        assert_eq!(decode("Tbilisi".as_bytes(), 100).unwrap().encoding, "UTF-8");
        let with_bom = [&[0xEF, 0xBB, 0xBF][..], "Gori".as_bytes()].concat();
        let d = decode(&with_bom, 100).unwrap();
        assert_eq!((d.text.as_str(), d.encoding.as_str()), ("Gori", "UTF-8"));
    }

    #[test]
    fn latin1_is_detected() {
        // "Le président français a déclaré" in ISO-8859-1 / windows-1252.
        let bytes =
            b"Le pr\xe9sident fran\xe7ais a d\xe9clar\xe9 que la r\xe9gion \xe9tait s\xfbre.";
        let d = decode(bytes, 1000).unwrap();
        assert!(d.text.contains("président français"), "{}", d.text);
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn binary_empty_and_gzip() {
        assert_eq!(decode(b"   \n", 10), Err(DecodeError::Empty));
        assert!(matches!(
            decode(&[0u8, 1, 2, 3, 200, 0], 10),
            Err(DecodeError::Binary(_))
        ));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"Moscow said").unwrap();
        let bytes = gz.finish().unwrap();
        let d = decode(&bytes, 100).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding.as_str()),
            ("Moscow said", "UTF-8+gzip")
        );
        assert_eq!(decode(&bytes, 5), Err(DecodeError::TooLarge(5)));
        assert!(matches!(
            decode(&bytes[..8], 100),
            Err(DecodeError::Gzip(_))
        ));
    }
}
