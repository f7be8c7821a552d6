//! JSON Lines records: one article per line, field names from `[ingest.jsonl]`.

use serde_json::Value;

use super::{decode, discover::InputFile, Failure, IngestConfig, Loaded};
use crate::doc::{Doc, DocId, DocMeta, Source, SourceFormat};

/// Parses one JSONL line into a document.
pub fn parse_record(
    file: &InputFile,
    line: u64,
    bytes: &[u8],
    gzip: bool,
    hash: &str,
    cfg: &IngestConfig,
) -> Loaded {
    let fail = |e: String| Failure::ingest(&file.display, Some(line), e);
    let decoded = decode::decode(bytes, cfg.max_doc_bytes).map_err(|e| fail(e.to_string()))?;
    let value: Value =
        serde_json::from_str(&decoded.text).map_err(|e| fail(format!("malformed JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err(fail("expected a JSON object per line".into()));
    };
    let get = |names: &[String]| -> Option<String> {
        names.iter().find_map(|n| match obj.get(n) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(Value::Number(x)) => Some(x.to_string()),
            Some(Value::Array(xs)) => {
                let parts: Vec<&str> = xs.iter().filter_map(|v| v.as_str()).collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            }
            _ => None,
        })
    };
    let text = get(&cfg.jsonl.text).ok_or_else(|| {
        fail(format!(
            "no text: none of the fields {:?} holds a non-empty string (set [ingest.jsonl] text)",
            cfg.jsonl.text
        ))
    })?;
    let meta = DocMeta {
        title: get(&cfg.jsonl.title),
        byline: get(&cfg.jsonl.byline),
        dateline: None,
        published: get(&cfg.jsonl.date).and_then(|d| iso_date_prefix(&d)),
        agency: get(&cfg.jsonl.agency),
        url: get(&cfg.jsonl.url),
    };
    let key = match get(&cfg.jsonl.id) {
        Some(id) => format!("id:{id}"),
        None => format!("{}#{line}", file.key),
    };
    let mut encoding = decoded.encoding;
    if gzip {
        encoding.push_str("+gzip");
    }
    let source = Source {
        path: file.display.clone(),
        line: Some(line),
        format: SourceFormat::Jsonl,
        encoding,
        hash: hash.to_string(),
    };
    Ok(Doc::new(DocId::from_source_key(&key), source, text, meta))
}

/// The `YYYY-MM-DD` prefix of an ISO-like date string, if it is a valid calendar date.
pub fn iso_date_prefix(s: &str) -> Option<String> {
    let d = s.trim().get(..10)?;
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return None;
    }
    let m: u32 = d[5..7].parse().ok()?;
    let day: u32 = d[8..10].parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&day)).then(|| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file() -> InputFile {
        InputFile {
            path: PathBuf::from("in/a.jsonl"),
            display: "in/a.jsonl".into(),
            key: "a.jsonl".into(),
            format: SourceFormat::Jsonl,
            bytes: 0,
        }
    }

    #[test]
    fn fields_and_ids() {
        let cfg = IngestConfig::default();
        let d = parse_record(
            &file(),
            3,
            br#"{"headline":"Truce","body":"Text here.","date":"2008-08-14T10:00:00Z","author":["A","B"]}"#,
            false,
            "h",
            &cfg,
        )
        .unwrap();
        assert_eq!(d.raw, "Text here.");
        assert_eq!(d.meta.title.as_deref(), Some("Truce"));
        assert_eq!(d.meta.published.as_deref(), Some("2008-08-14"));
        assert_eq!(d.meta.byline.as_deref(), Some("A, B"));
        assert_eq!(d.id, DocId::from_source_key("a.jsonl#3"));
        let with_id =
            parse_record(&file(), 9, br#"{"id": 42, "text":"x y"}"#, false, "h", &cfg).unwrap();
        assert_eq!(with_id.id, DocId::from_source_key("id:42"));
    }

    #[test]
    fn broken_lines_fail_with_line_number() {
        let cfg = IngestConfig::default();
        let e =
            parse_record(&file(), 7, br#"{"text": "unterminated"#, false, "h", &cfg).unwrap_err();
        assert_eq!(e.line, Some(7));
        assert!(e.error.contains("malformed JSON"), "{}", e.error);
        let e = parse_record(&file(), 8, br#"{"title": "no body"}"#, false, "h", &cfg).unwrap_err();
        assert!(e.error.contains("no text"), "{}", e.error);
        let e = parse_record(&file(), 9, b"[1,2]", false, "h", &cfg).unwrap_err();
        assert!(e.error.contains("object"), "{}", e.error);
    }

    #[test]
    fn dates() {
        assert_eq!(iso_date_prefix("2008-08-14"), Some("2008-08-14".into()));
        assert_eq!(iso_date_prefix("2008-13-14"), None);
        assert_eq!(iso_date_prefix("Aug 14"), None);
        assert_eq!(iso_date_prefix("2008-08-1é"), None);
    }
}
