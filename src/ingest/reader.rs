//! Streaming input files as units: whole files, or single JSONL lines read lazily.

use std::fs::File;
use std::io::{BufRead, BufReader};

use super::{discover::InputFile, Failure};
use crate::doc::SourceFormat;

/// The smallest piece of input handed to a worker.
#[derive(Debug)]
pub enum Unit {
    /// A whole file holding one article (`.txt`, `.html`, maybe gzipped).
    File(InputFile),
    /// One line of a JSONL file.
    Record {
        /// The file.
        file: InputFile,
        /// 1-based line number.
        line: u64,
        /// The line's bytes, without the newline.
        bytes: Vec<u8>,
        /// Whether the file was gzip-compressed (recorded in the encoding column).
        gzip: bool,
    },
    /// Something that failed before parsing (unreadable path, unsupported file, overlong line).
    Failed(Failure),
}

impl Unit {
    /// Rough size in bytes, used to bound batches.
    pub fn approx_bytes(&self) -> u64 {
        match self {
            Unit::File(f) => f.bytes,
            Unit::Record { bytes, .. } => bytes.len() as u64,
            Unit::Failed(_) => 0,
        }
    }
}

struct OpenJsonl {
    file: InputFile,
    reader: Box<dyn BufRead + Send>,
    line: u64,
    gzip: bool,
}

/// Yields units from discovered files in order, reading JSONL files line by line.
pub struct UnitReader {
    files: std::vec::IntoIter<Result<InputFile, Failure>>,
    open: Option<OpenJsonl>,
    max_line: u64,
}

impl UnitReader {
    /// A reader over discovered files; JSONL lines over `max_line` bytes become failures.
    pub fn new(files: Vec<Result<InputFile, Failure>>, max_line: u64) -> Self {
        UnitReader {
            files: files.into_iter(),
            open: None,
            max_line,
        }
    }

    fn next_line(&mut self) -> Option<Unit> {
        let open = self.open.as_mut()?;
        loop {
            open.line += 1;
            let line_no = open.line;
            match read_bounded_line(&mut open.reader, self.max_line) {
                Ok(LineRead::Eof) => {
                    self.open = None;
                    return None;
                }
                Ok(LineRead::Line(bytes)) => {
                    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                        continue;
                    }
                    return Some(Unit::Record {
                        file: open.file.clone(),
                        line: line_no,
                        bytes,
                        gzip: open.gzip,
                    });
                }
                Ok(LineRead::TooLong(n)) => {
                    return Some(Unit::Failed(Failure::ingest(
                        &open.file.display,
                        Some(line_no),
                        format!(
                            "line is {n} bytes or more, over ingest.max_doc_bytes = {}; skipped",
                            self.max_line
                        ),
                    )));
                }
                Err(e) => {
                    let f = Failure::ingest(
                        &open.file.display,
                        Some(line_no),
                        format!("read error, rest of file skipped: {e}"),
                    );
                    self.open = None;
                    return Some(Unit::Failed(f));
                }
            }
        }
    }
}

impl Iterator for UnitReader {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        loop {
            if self.open.is_some() {
                if let Some(u) = self.next_line() {
                    return Some(u);
                }
                continue;
            }
            let file = match self.files.next()? {
                Ok(f) => f,
                Err(failure) => return Some(Unit::Failed(failure)),
            };
            if file.format != SourceFormat::Jsonl {
                return Some(Unit::File(file));
            }
            match open_jsonl(&file) {
                Ok((reader, gzip)) => {
                    self.open = Some(OpenJsonl {
                        file,
                        reader,
                        line: 0,
                        gzip,
                    })
                }
                Err(e) => {
                    return Some(Unit::Failed(Failure::ingest(
                        &file.display,
                        None,
                        format!("cannot open file: {e}"),
                    )))
                }
            }
        }
    }
}

fn open_jsonl(file: &InputFile) -> std::io::Result<(Box<dyn BufRead + Send>, bool)> {
    let mut f = BufReader::with_capacity(256 * 1024, File::open(&file.path)?);
    let gzip = super::decode::is_gzip(f.fill_buf()?);
    if gzip {
        let dec = flate2::read::MultiGzDecoder::new(f);
        Ok((Box::new(BufReader::with_capacity(256 * 1024, dec)), true))
    } else {
        Ok((Box::new(f), false))
    }
}

enum LineRead {
    Eof,
    Line(Vec<u8>),
    TooLong(u64),
}

/// Reads one `\n`-terminated line, never buffering more than `max` bytes of it.
fn read_bounded_line(r: &mut dyn BufRead, max: u64) -> std::io::Result<LineRead> {
    let mut out = Vec::new();
    let mut seen: u64 = 0;
    let mut any = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        seen += chunk.len() as u64;
        if seen <= max {
            out.extend_from_slice(chunk);
        }
        let consumed = done.unwrap_or(buf.len());
        r.consume(consumed);
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(LineRead::Eof);
    }
    if seen > max {
        return Ok(LineRead::TooLong(seen));
    }
    if out.last() == Some(&b'\r') {
        out.pop();
    }
    Ok(LineRead::Line(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_lines() {
        let data = b"short\r\nthis line is too long\nok\n\nlast";
        let mut r: &[u8] = data;
        let mut got = Vec::new();
        loop {
            match read_bounded_line(&mut r, 8).unwrap() {
                LineRead::Eof => break,
                LineRead::Line(l) => got.push(String::from_utf8(l).unwrap()),
                LineRead::TooLong(n) => got.push(format!("too long {n}")),
            }
        }
        assert_eq!(got, vec!["short", "too long 21", "ok", "", "last"]);
    }
}
