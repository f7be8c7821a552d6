//! Every output table's schema, defined once: used by the writer, `newsmill schema`,
//! `docs/schema.md` and the tests.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, Date32Builder, Float32Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;

/// Column types used in newsmill tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// UTF-8 string.
    Str,
    /// 32-bit signed integer (indices).
    I32,
    /// 64-bit signed integer (offsets, counts).
    I64,
    /// 32-bit float (scores).
    F32,
    /// Calendar date (days since 1970-01-01).
    Date,
    /// List of strings.
    StrList,
}

impl ColType {
    fn arrow(&self) -> DataType {
        match self {
            ColType::Str => DataType::Utf8,
            ColType::I32 => DataType::Int32,
            ColType::I64 => DataType::Int64,
            ColType::F32 => DataType::Float32,
            ColType::Date => DataType::Date32,
            ColType::StrList => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        }
    }

    /// Type name shown in `newsmill schema` (Arrow / DuckDB spelling).
    pub fn name(&self) -> &'static str {
        match self {
            ColType::Str => "string (VARCHAR)",
            ColType::I32 => "int32 (INTEGER)",
            ColType::I64 => "int64 (BIGINT)",
            ColType::F32 => "float32 (FLOAT)",
            ColType::Date => "date32 (DATE)",
            ColType::StrList => "list<string> (VARCHAR[])",
        }
    }
}

/// One column: name, type, whether it may be null, and what it means.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Column name.
    pub name: &'static str,
    /// Type.
    pub ty: ColType,
    /// May hold nulls.
    pub nullable: bool,
    /// Meaning, for users.
    pub doc: &'static str,
}

/// One table: name (also its directory under the output folder), meaning and columns.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// Table name.
    pub name: &'static str,
    /// What one row is.
    pub doc: &'static str,
    /// Columns in order.
    pub columns: &'static [ColumnSpec],
}

impl TableSpec {
    /// The Arrow schema.
    pub fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(
            self.columns
                .iter()
                .map(|c| Field::new(c.name, c.ty.arrow(), c.nullable))
                .collect::<Vec<_>>(),
        ))
    }
}

const fn col(name: &'static str, ty: ColType, nullable: bool, doc: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        ty,
        nullable,
        doc,
    }
}

use ColType::*;

/// `documents`: one row per article read.
pub const DOCUMENTS: TableSpec = TableSpec {
    name: "documents",
    doc: "One row per article read (including articles a later stage failed on; see status).",
    columns: &[
        col("doc_id", Str, false, "Stable article id: 16 hex digits of BLAKE3(source key); the source key is the path relative to the input argument (plus #line for JSONL records), or id:<value> when a JSONL record has an id field."),
        col("source_path", Str, false, "Input file as given (input argument joined with the path below it)."),
        col("source_line", I64, true, "1-based line of a JSONL record; null for whole-file formats."),
        col("source_format", Str, false, "txt, jsonl or html."),
        col("encoding", Str, false, "Encoding used to decode the bytes (WHATWG name, e.g. UTF-8, windows-1252), with +gzip when decompressed."),
        col("url", Str, true, "URL from the record or the HTML page."),
        col("title", Str, true, "Headline."),
        col("byline", Str, true, "Author line."),
        col("dateline", Str, true, "Dateline place, e.g. MOSCOW."),
        col("published", Date, true, "Publication date."),
        col("agency", Str, true, "News agency or source, e.g. Reuters."),
        col("clean_text", Str, false, "The cleaned article text. Every start/end offset in every table is a Unicode character offset into this text."),
        col("n_chars", I64, false, "Length of clean_text in Unicode characters."),
        col("n_sentences", I64, false, "Number of sentences."),
        col("content_hash", Str, false, "32 hex digits of BLAKE3 of clean_text: equal for identical articles."),
        col("status", Str, false, "ok, or failed:<stage> when a stage failed on this article (details in failures)."),
        col("source_hash", Str, false, "32 hex digits of BLAKE3 of the raw input bytes (the file, or the JSONL line) as read: equal for byte-identical inputs. Incremental runs (run --incremental) skip inputs whose source_hash is already in the output."),
    ],
};

/// `sentences`: one row per sentence.
pub const SENTENCES: TableSpec = TableSpec {
    name: "sentences",
    doc: "One row per sentence.",
    columns: &[
        col("doc_id", Str, false, "Article id (documents.doc_id)."),
        col(
            "sent_idx",
            I32,
            false,
            "0-based sentence index within the article.",
        ),
        col(
            "start",
            I64,
            false,
            "Start, Unicode character offset into documents.clean_text (inclusive).",
        ),
        col(
            "end",
            I64,
            false,
            "End, Unicode character offset into documents.clean_text (exclusive).",
        ),
        col("text", Str, false, "The sentence: clean_text[start:end]."),
    ],
};

/// `failures`: one row per input or stage problem.
pub const FAILURES: TableSpec = TableSpec {
    name: "failures",
    doc: "One row per input that could not be read or article a stage failed on. The run goes on.",
    columns: &[
        col("source_path", Str, false, "Input file."),
        col(
            "line",
            I64,
            true,
            "1-based line for JSONL records; null otherwise.",
        ),
        col(
            "stage",
            Str,
            false,
            "Stage that failed: ingest, clean, split, ner, ...",
        ),
        col("error", Str, false, "What went wrong."),
        col("source_hash", Str, false, "32 hex digits of BLAKE3 of the input's raw bytes (of the failure itself when nothing could be read); incremental runs skip inputs already listed here."),
    ],
};

/// `entities`: one row per named-entity mention.
pub const ENTITIES: TableSpec = TableSpec {
    name: "entities",
    doc: "One row per named entity found by the NER stage.",
    columns: &[
        col("doc_id", Str, false, "Article id."),
        col("sent_idx", I32, false, "Sentence index (sentences.sent_idx)."),
        col("ent_idx", I32, false, "0-based entity index within the article."),
        col("start", I64, false, "Start, character offset into documents.clean_text."),
        col("end", I64, false, "End (exclusive), character offset into documents.clean_text."),
        col("text", Str, false, "The entity text: clean_text[start:end]."),
        col("label", Str, false, "Entity type: PER, ORG, LOC, MISC (CoNLL model) or the 18 OntoNotes types."),
        col("score", F32, false, "Confidence in [0, 1]: a logistic function of the decoder's margin, fitted on the dev set to the probability that the span and type are exactly right (calibrated in-domain)."),
    ],
};

/// `mentions`: one row per actor mention.
pub const MENTIONS: TableSpec = TableSpec {
    name: "mentions",
    doc: "One row per mention of an actor (a name, alias, metonym, demonym, role or pronoun).",
    columns: &[
        col("doc_id", Str, false, "Article id."),
        col("sent_idx", I32, false, "Sentence index."),
        col(
            "start",
            I64,
            false,
            "Start, character offset into documents.clean_text.",
        ),
        col("end", I64, false, "End (exclusive), character offset."),
        col(
            "text",
            Str,
            false,
            "The mention text: clean_text[start:end].",
        ),
        col("actor_id", Str, true, "The actor (actors.actor_id)."),
        col(
            "kind",
            Str,
            false,
            "name | alias (a listed alias, or an acronym the document spells out) | metonym | demonym | role | pronoun.",
        ),
    ],
};

/// `actors`: one row per canonical actor of the corpus.
pub const ACTORS: TableSpec = TableSpec {
    name: "actors",
    doc: "One row per canonical actor, merged across the corpus (name variants, misspellings, metonyms).",
    columns: &[
        col("actor_id", Str, false, "Stable actor id: 12 hex digits of BLAKE3 of the canonical key."),
        col("canonical_name", Str, false, "Display name, e.g. Dmitry Medvedev, Russia."),
        col("actor_type", Str, false, "person | organisation | state | place | group."),
        col("affiliation_actor_id", Str, true, "The actor this one belongs to (a minister's state), when known."),
        col("aliases", StrList, false, "Surface forms seen in the corpus, sorted."),
        col("n_docs", I64, false, "Articles that mention the actor."),
        col("n_mentions", I64, false, "Mentions of the actor."),
    ],
};

/// `quotes`: one row per quote.
pub const QUOTES: TableSpec = TableSpec {
    name: "quotes",
    doc: "One row per direct or indirect quote, with its speaker when resolved.",
    columns: &[
        col("doc_id", Str, false, "Article id."),
        col("quote_idx", I32, false, "0-based quote index within the article."),
        col("sent_idx", I32, false, "Sentence where the quote starts."),
        col("speaker_actor_id", Str, true, "Speaker (actors.actor_id), when resolved."),
        col("speaker_text", Str, true, "Speaker as written (\"he\", \"the minister\", \"Medvedev\")."),
        col("cue", Str, false, "Speech verb or phrase (said, told reporters, according to)."),
        col("kind", Str, false, "direct (in quotation marks) | indirect (reported speech)."),
        col("start", I64, false, "Start of the quoted content, character offset into documents.clean_text."),
        col("end", I64, false, "End (exclusive), character offset."),
        col("text", Str, false, "The quoted content: clean_text[start:end] (for a split quote, including the attribution between its parts)."),
    ],
};

/// `stances`: one row per stance record.
pub const STANCES: TableSpec = TableSpec {
    name: "stances",
    doc: "One row per stance: a source actor supports, opposes or is neutral toward a target actor or topic, with evidence.",
    columns: &[
        col("doc_id", Str, false, "Article id."),
        col("stance_idx", I32, false, "0-based stance index within the article."),
        col("sent_idx", I32, false, "Sentence holding the evidence."),
        col("source_actor_id", Str, true, "Source actor (actors.actor_id)."),
        col("target_actor_id", Str, true, "Target actor; null when the target is a topic."),
        col("target_topic", Str, true, "Target topic name from [stance] topics; null when the target is an actor."),
        col("polarity", Str, false, "support | oppose | neutral."),
        col("score", F32, false, "Confidence in [0, 1] (cue weight, lowered by modality and distance; class probability for the classifier)."),
        col("cue", Str, false, "The cue that fired (lexicon entry or verb), or newsmtsc for the classifier."),
        col("method", Str, false, "Rule or model: verb, verb-passive, noun (an act noun and its author, as in Russia's strikes on Georgia), compound, quote-verb, quote-agent, quote-lexicon, classifier."),
        col("evidence_start", I64, false, "Start of the evidence, character offset into documents.clean_text."),
        col("evidence_end", I64, false, "End (exclusive) of the evidence."),
        col("evidence", Str, false, "The evidence text: clean_text[evidence_start:evidence_end]."),
    ],
};

/// `actor_stance_summary`: stance counts per (source, target) over the corpus.
pub const STANCE_SUMMARY: TableSpec = TableSpec {
    name: "actor_stance_summary",
    doc: "Stance counts per source actor and target over the whole corpus.",
    columns: &[
        col("source", Str, false, "Source actor (actors.actor_id)."),
        col("source_name", Str, true, "Source actor's canonical name."),
        col(
            "target",
            Str,
            false,
            "Target: an actors.actor_id, or topic:<name>.",
        ),
        col(
            "target_name",
            Str,
            true,
            "Target actor's canonical name, or the topic name.",
        ),
        col("n_support", I64, false, "Support records."),
        col("n_oppose", I64, false, "Oppose records."),
        col("n_neutral", I64, false, "Neutral records."),
        col(
            "net",
            F32,
            false,
            "(n_support - n_oppose) / all records, in [-1, 1].",
        ),
        col(
            "n_docs",
            I64,
            false,
            "Articles with at least one record for the pair.",
        ),
    ],
};

/// Every table newsmill can write, in output order.
pub fn all_tables() -> Vec<&'static TableSpec> {
    vec![
        &DOCUMENTS,
        &SENTENCES,
        &ENTITIES,
        &MENTIONS,
        &ACTORS,
        &QUOTES,
        &STANCES,
        &STANCE_SUMMARY,
        &FAILURES,
    ]
}

/// A column being filled.
enum Col {
    Str(StringBuilder),
    I32(Int32Builder),
    I64(Int64Builder),
    F32(Float32Builder),
    Date(Date32Builder),
    StrList(ListBuilder<StringBuilder>),
}

/// Builds a [`RecordBatch`] for one table row by row; values are pushed in column order.
pub struct TableBuilder {
    spec: &'static TableSpec,
    cols: Vec<Col>,
    rows: usize,
}

impl TableBuilder {
    /// An empty builder for `spec`.
    pub fn new(spec: &'static TableSpec) -> Self {
        let cols = spec
            .columns
            .iter()
            .map(|c| match c.ty {
                ColType::Str => Col::Str(StringBuilder::new()),
                ColType::I32 => Col::I32(Int32Builder::new()),
                ColType::I64 => Col::I64(Int64Builder::new()),
                ColType::F32 => Col::F32(Float32Builder::new()),
                ColType::Date => Col::Date(Date32Builder::new()),
                ColType::StrList => Col::StrList(ListBuilder::new(StringBuilder::new())),
            })
            .collect();
        TableBuilder {
            spec,
            cols,
            rows: 0,
        }
    }

    /// The table.
    pub fn spec(&self) -> &'static TableSpec {
        self.spec
    }

    /// Rows added so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Starts a row; push exactly one value per column, in order.
    pub fn row(&mut self) -> RowWriter<'_> {
        self.rows += 1;
        RowWriter { b: self, col: 0 }
    }

    /// Finishes the batch and resets the builder.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::Str(b) => Arc::new(b.finish()),
                    Col::I32(b) => Arc::new(b.finish()),
                    Col::I64(b) => Arc::new(b.finish()),
                    Col::F32(b) => Arc::new(b.finish()),
                    Col::Date(b) => Arc::new(b.finish()),
                    Col::StrList(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        RecordBatch::try_new(self.spec.schema(), arrays)
    }
}

/// Pushes the values of one row. A value of the wrong type for its column is a programming
/// error; it is caught when the batch is finished (lengths differ) and by the tests.
pub struct RowWriter<'a> {
    b: &'a mut TableBuilder,
    col: usize,
}

impl RowWriter<'_> {
    fn next(&mut self) -> Option<&mut Col> {
        let c = self.b.cols.get_mut(self.col);
        self.col += 1;
        c
    }

    /// A string or null.
    pub fn str(mut self, v: Option<&str>) -> Self {
        if let Some(Col::Str(b)) = self.next() {
            b.append_option(v);
        }
        self
    }

    /// A 32-bit integer.
    pub fn i32(mut self, v: i32) -> Self {
        if let Some(Col::I32(b)) = self.next() {
            b.append_value(v);
        }
        self
    }

    /// A 64-bit integer or null.
    pub fn i64(mut self, v: Option<i64>) -> Self {
        if let Some(Col::I64(b)) = self.next() {
            b.append_option(v);
        }
        self
    }

    /// A float or null.
    pub fn f32(mut self, v: Option<f32>) -> Self {
        if let Some(Col::F32(b)) = self.next() {
            b.append_option(v);
        }
        self
    }

    /// A date as days since 1970-01-01, or null.
    pub fn date(mut self, v: Option<i32>) -> Self {
        if let Some(Col::Date(b)) = self.next() {
            b.append_option(v);
        }
        self
    }

    /// A list of strings.
    pub fn str_list<'s>(mut self, v: impl IntoIterator<Item = &'s str>) -> Self {
        if let Some(Col::StrList(b)) = self.next() {
            for s in v {
                b.values().append_value(s);
            }
            b.append(true);
        }
        self
    }
}

/// Days since 1970-01-01 of an ISO `YYYY-MM-DD` date (proleptic Gregorian), or `None`.
pub fn iso_date_to_days(s: &str) -> Option<i32> {
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || s.len() != 10 {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_to_days() {
        assert_eq!(iso_date_to_days("1970-01-01"), Some(0));
        assert_eq!(iso_date_to_days("2008-08-14"), Some(14105));
        assert_eq!(iso_date_to_days("2000-03-01"), Some(11017));
        assert_eq!(iso_date_to_days("2008-8-14"), None);
    }

    #[test]
    fn builder_matches_schema() {
        let mut b = TableBuilder::new(&SENTENCES);
        b.row()
            .str(Some("d"))
            .i32(0)
            .i64(Some(0))
            .i64(Some(3))
            .str(Some("abc"));
        let batch = b.finish().unwrap();
        assert_eq!(batch.num_rows(), 1);
        assert_eq!(batch.schema(), SENTENCES.schema());
    }
}
