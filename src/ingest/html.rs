//! HTML page → main article text plus metadata (title, byline, date, site, canonical URL, language).
//!
//! Main-content extraction is done by `dom_smoothie` (a Rust port of Mozilla Readability.js),
//! chosen after measuring the maintained Rust extractors on the Zyte article-extraction
//! benchmark (181 news/blog pages, 4-gram shingle F1): dom_smoothie 0.951 as is, 0.958 with the
//! semantic pruning done here (`figure`, `figcaption`, `aside`, `nav` removed first), against
//! trafilatura 0.6 (go-trafilatura port) 0.960 and rs-trafilatura 0.2.2 0.956 — a tie within
//! the bootstrap error — at four times their speed (about 75 MB/s of HTML per core), with
//! paragraph breaks kept (trafilatura 0.6's plain text drops them) and the longest release
//! history of the group.
//!
//! Steps, each there for a reason:
//! 1. size limit ([`HtmlConfig::max_input_bytes`]), so one giant page cannot exhaust memory;
//! 2. a linear pre-scan of the tag stream that drops tags nested deeper than
//!    [`HtmlConfig::max_depth`] — html5ever's tree builder is quadratic in nesting depth
//!    (100,000 nested `<div>`s take minutes) and the extractor recurses over the tree (100,000
//!    nested `<span>`s overflow a 2 MiB thread stack, an abort no `catch_unwind` can stop);
//! 3. one html5ever parse (`dom_query`), then an exact, iterative depth check that refuses
//!    anything the pre-scan's model of the HTML tree builder missed ([`HtmlError::TooDeep`]);
//! 4. a metadata pass over `<meta>`, `<link>` and `<time>` before the tree is modified;
//! 5. removal of [`HtmlConfig::drop_selectors`]; 6. dom_smoothie in its formatted-text mode.
//!
//! Steps 3-6 run under `catch_unwind` as a last safety net only: dom_smoothie and dom_query
//! contain a few `unwrap`s (e.g. sorting scores with `partial_cmp().unwrap()`) that no input
//! in our tests reached; a panic there becomes [`HtmlError::ExtractorPanicked`] instead of
//! taking down a worker (with `panic = "abort"` builds this net does not exist).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};

use dom_query::{Document, Matcher, NodeRef};
use serde::{Deserialize, Serialize};

/// `[ingest.html]`: main-content extraction from HTML pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlConfig {
    /// CSS selectors whose elements are removed before extraction. The default removes
    /// figures with their captions, asides (pull quotes, "related" boxes) and navigation:
    /// on the benchmark this raises precision from 0.917 to 0.930 at no cost in recall.
    /// An empty list keeps everything dom_smoothie keeps.
    pub drop_selectors: Vec<String>,
    /// Minimum length in characters of the text the extractor's first (strictest) pass must
    /// find before it stops relaxing its rules (dom_smoothie `char_threshold`). 500 as in
    /// Readability.js; 1000 measured worse on the benchmark.
    pub char_threshold: usize,
    /// Largest page accepted, in bytes; larger ones fail with [`HtmlError::TooLarge`]. The
    /// default (64 MiB) matches `ingest.max_doc_bytes`. Time is linear: 50 MB of paragraphs
    /// take about 3.5 s, 50 MB of tiny link blocks about 25 s and 1.5 GB of memory.
    pub max_input_bytes: usize,
    /// Deepest element nesting kept; deeper start tags (and their end tags) are dropped before
    /// parsing, keeping their text. The deepest benchmark page is 51 levels deep. Extraction
    /// time grows with elements × depth (a page of 50,000 list items 128 levels down takes
    /// 1-2 s) and the extractor recurses over the tree, hence the limit; clamped to
    /// 16..=1024.
    pub max_depth: usize,
}

impl Default for HtmlConfig {
    fn default() -> Self {
        HtmlConfig {
            drop_selectors: vec![
                "figure".into(),
                "figcaption".into(),
                "aside".into(),
                "nav".into(),
            ],
            char_threshold: 500,
            max_input_bytes: 64 * 1024 * 1024,
            max_depth: 128,
        }
    }
}

/// Main text and metadata of one page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HtmlArticle {
    /// Article body. Paragraphs (block elements) are separated by one blank line ("\n\n");
    /// a single "\n" is a line break inside a block (`<br>`, list items, table rows). Runs of
    /// whitespace inside a line are one space; lines are trimmed. Empty when no main content
    /// was found (the metadata is still filled).
    pub text: String,
    /// Headline: JSON-LD `headline`/`name`, `og:title`/`dc:title`, else the cleaned `<title>`.
    pub title: Option<String>,
    /// Author(s) as written (JSON-LD `author`, `<meta name=author>`, or a byline element),
    /// with a leading "By " removed.
    pub byline: Option<String>,
    /// Publication date as `YYYY-MM-DD`: the calendar date as written in JSON-LD
    /// `datePublished`, publication `<meta>` tags or `<time>` elements, with no time-zone
    /// shift — sites often write UTC, which can be a day after the local date.
    pub published: Option<String>,
    /// Site or publisher name (JSON-LD `publisher.name`, `og:site_name`).
    pub site_name: Option<String>,
    /// `<link rel=canonical>`, else `og:url` (made absolute against the page URL when
    /// relative), else the page URL given to [`extract_html`].
    pub url: Option<String>,
    /// Language tag from `<html lang>`, `Content-Language` or `og:locale` ("en_US" → "en-US").
    pub lang: Option<String>,
}

/// Why a page could not be processed at all (a page without main content is not an error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HtmlError {
    /// The page is larger than [`HtmlConfig::max_input_bytes`].
    #[error("HTML page is {bytes} bytes, over the limit of {limit} (ingest.html.max_input_bytes)")]
    TooLarge {
        /// Size of the page.
        bytes: usize,
        /// Configured limit.
        limit: usize,
    },
    /// After flattening, the parsed tree is still deeper than twice [`HtmlConfig::max_depth`]
    /// (only adversarial markup gets here); extracting it could overflow the stack.
    #[error("HTML element nesting is {depth} deep after flattening, over the limit of {limit}")]
    TooDeep {
        /// Depth of the parsed tree.
        depth: usize,
        /// Refusal limit (2 × max_depth).
        limit: usize,
    },
    /// An entry of [`HtmlConfig::drop_selectors`] is not a valid CSS selector.
    #[error("invalid CSS selector in ingest.html.drop_selectors: {0:?}")]
    InvalidSelector(String),
    /// The extractor panicked; the panic was caught and the page skipped.
    #[error("the HTML extractor panicked on this page (caught, page skipped)")]
    ExtractorPanicked,
}

/// Extracts the main text and metadata of one HTML page.
///
/// `url` is the page's address if known: it resolves relative links and is the fallback for
/// [`HtmlArticle::url`]. Never panics; time and memory are linear in the page size.
pub fn extract_html(
    html: &str,
    url: Option<&str>,
    cfg: &HtmlConfig,
) -> Result<HtmlArticle, HtmlError> {
    if html.len() > cfg.max_input_bytes {
        return Err(HtmlError::TooLarge {
            bytes: html.len(),
            limit: cfg.max_input_bytes,
        });
    }
    let matchers = cfg
        .drop_selectors
        .iter()
        .map(|s| Matcher::new(s).map_err(|_| HtmlError::InvalidSelector(s.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    let max_depth = cfg.max_depth.clamp(16, 1024);
    let flat = limit_nesting(html, max_depth);
    // Only http(s) URLs are passed on: dom_smoothie rejects relative ones, and other schemes
    // make no sense as a base for links.
    let url = url.map(str::trim).filter(|u| {
        is_http_url(u)
            && u.split_once("://")
                .is_some_and(|(_, rest)| !rest.is_empty())
    });
    catch_unwind(AssertUnwindSafe(|| {
        extract_parsed(
            &flat.html,
            url,
            cfg.char_threshold,
            &matchers,
            2 * max_depth,
        )
    }))
    .unwrap_or(Err(HtmlError::ExtractorPanicked))
}

/// Steps 3-6 of the module doc, on markup whose nesting is already limited.
fn extract_parsed(
    html: &str,
    url: Option<&str>,
    char_threshold: usize,
    drop: &[Matcher],
    depth_limit: usize,
) -> Result<HtmlArticle, HtmlError> {
    let doc = Document::from(html);
    let depth = tree_depth(doc.root());
    if depth > depth_limit {
        return Err(HtmlError::TooDeep {
            depth,
            limit: depth_limit,
        });
    }
    let own = PageMeta::collect(&doc);
    for m in drop {
        doc.select_matcher(m).remove();
    }
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        char_threshold,
        ..Default::default()
    };
    let mut reader = match dom_smoothie::Readability::with_document(doc, url, Some(cfg)) {
        Ok(r) => r,
        // Unreachable (URLs are checked above), but an error here must not lose the page.
        Err(_) => return Ok(HtmlArticle::default()),
    };
    let (text, meta) = match reader.parse() {
        Ok(a) => (
            normalize_text(&a.text_content),
            SmoothieMeta {
                title: a.title,
                byline: a.byline,
                published: a.published_time,
                site_name: a.site_name,
                lang: a.lang,
            },
        ),
        Err(_) => {
            let m = reader.get_article_metadata(reader.parse_json_ld());
            (
                String::new(),
                SmoothieMeta {
                    title: m.title,
                    byline: m.byline,
                    published: m.published_time,
                    site_name: m.site_name,
                    lang: m.lang,
                },
            )
        }
    };
    Ok(own.merge(text, meta, url))
}

/// Metadata as dom_smoothie found it (JSON-LD first, then `<meta>` tags).
struct SmoothieMeta {
    title: String,
    byline: Option<String>,
    published: Option<String>,
    site_name: Option<String>,
    lang: Option<String>,
}

/// `<meta>` keys tried for the publication date after dom_smoothie's own (JSON-LD
/// `datePublished`, `article:published_time`, `dcterms.*`, `parsely-pub-date`), in order.
const DATE_KEYS: &[&str] = &[
    "article:published_time",
    "article:published",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "article.published",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "citation_publication_date",
    "date",
];

/// `<meta>` keys tried for the author when dom_smoothie found none.
const AUTHOR_KEYS: &[&str] = &[
    "author",
    "dc.creator",
    "byl",
    "sailthru.author",
    "parsely-author",
    "article:author",
];

/// Metadata this module reads itself, before the tree is modified.
#[derive(Default)]
struct PageMeta {
    /// First value of each lower-cased `<meta>` name/property/itemprop.
    meta: BTreeMap<String, String>,
    canonical: Option<String>,
    content_language: Option<String>,
    /// Every `datePublished` in JSON-LD blocks, in document order (dom_smoothie reads only
    /// article-typed top-level objects; this also covers `@graph` lists and other types).
    json_ld_dates: Vec<String>,
    /// `datetime`/`content`/text of `[itemprop=datePublished]`, `time[pubdate]`, and the first
    /// `<time datetime>` inside `<article>`, in that order.
    time_dates: Vec<String>,
    html_title: Option<String>,
}

impl PageMeta {
    fn collect(doc: &Document) -> PageMeta {
        let mut out = PageMeta::default();
        for node in select(doc, "meta") {
            let Some(content) = node.attr("content") else {
                continue;
            };
            if attr_is(&node, "http-equiv", "content-language") {
                out.content_language
                    .get_or_insert_with(|| content.to_string());
            }
            if content.trim().is_empty() {
                continue;
            }
            // Each attribute may list several keys ("datePublished dateCreated").
            for key_attr in ["property", "name", "itemprop"] {
                if let Some(keys) = node.attr(key_attr) {
                    for k in keys.split_ascii_whitespace() {
                        out.meta
                            .entry(k.to_ascii_lowercase())
                            .or_insert_with(|| content.to_string());
                    }
                }
            }
        }
        for node in select(doc, "link[rel][href]") {
            let rel = node
                .attr("rel")
                .map(|r| r.to_ascii_lowercase())
                .unwrap_or_default();
            if rel.split_ascii_whitespace().any(|t| t == "canonical") {
                if let Some(h) = node.attr("href") {
                    if !h.trim().is_empty() {
                        out.canonical = Some(h.trim().to_string());
                        break;
                    }
                }
            }
        }
        for node in select(doc, "script[type]") {
            if attr_is(&node, "type", "application/ld+json") {
                json_ld_dates(&node.text(), &mut out.json_ld_dates);
            }
        }
        for node in select(doc, "[itemprop]") {
            let itemprop = node.attr("itemprop").unwrap_or_default();
            if itemprop
                .split_ascii_whitespace()
                .any(|t| t.eq_ignore_ascii_case("datepublished"))
            {
                let v = node
                    .attr("datetime")
                    .or_else(|| node.attr("content"))
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| node.text().to_string());
                out.time_dates.push(v);
            }
        }
        for node in select(doc, "time[pubdate][datetime]") {
            if let Some(v) = node.attr("datetime") {
                out.time_dates.push(v.to_string());
            }
        }
        if let Some(node) = select(doc, "article time[datetime]").first() {
            if let Some(v) = node.attr("datetime") {
                out.time_dates.push(v.to_string());
            }
        }
        if let Some(node) = select(doc, "head title").first() {
            out.html_title = clean_inline(&node.text());
        }
        out
    }

    /// Combines dom_smoothie's metadata (preferred: it reads JSON-LD) with this module's.
    fn merge(self, text: String, sm: SmoothieMeta, page_url: Option<&str>) -> HtmlArticle {
        let title = clean_inline(&sm.title)
            .or_else(|| self.meta.get("og:title").and_then(|t| clean_inline(t)))
            .or(self.html_title.clone());
        let byline = sm.byline.as_deref().and_then(clean_byline).or_else(|| {
            AUTHOR_KEYS
                .iter()
                .find_map(|k| self.meta.get(*k).and_then(|v| clean_byline(v)))
        });
        let published = sm
            .published
            .as_deref()
            .and_then(normalize_date)
            .or_else(|| {
                DATE_KEYS
                    .iter()
                    .find_map(|k| self.meta.get(*k).and_then(|v| normalize_date(v)))
            })
            .or_else(|| self.json_ld_dates.iter().find_map(|v| normalize_date(v)))
            .or_else(|| self.time_dates.iter().find_map(|v| normalize_date(v)));
        let site_name = sm
            .site_name
            .as_deref()
            .and_then(clean_inline)
            .or_else(|| self.meta.get("og:site_name").and_then(|v| clean_inline(v)));
        let url = self
            .canonical
            .as_deref()
            .and_then(|c| absolute_url(c, page_url))
            .or_else(|| {
                self.meta
                    .get("og:url")
                    .and_then(|c| absolute_url(c, page_url))
            })
            .or_else(|| page_url.map(str::to_string));
        let lang = sm
            .lang
            .as_deref()
            .and_then(normalize_lang)
            .or_else(|| self.content_language.as_deref().and_then(normalize_lang))
            .or_else(|| self.meta.get("og:locale").and_then(|v| normalize_lang(v)));
        HtmlArticle {
            text,
            title,
            byline,
            published,
            site_name,
            url,
            lang,
        }
    }
}

/// Appends the string values of every `datePublished` key in a JSON-LD block, walking it
/// without recursion (serde_json itself refuses nesting deeper than 128).
fn json_ld_dates(text: &str, out: &mut Vec<String>) {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text.trim()) else {
        return;
    };
    let mut stack = vec![&value];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(d)) = m.get("datePublished") {
                    out.push(d.clone());
                }
                stack.extend(m.values().rev());
            }
            serde_json::Value::Array(a) => stack.extend(a.iter().rev()),
            _ => {}
        }
    }
}

/// All elements matching a constant selector (none if it failed to compile, which the tests
/// rule out).
fn select<'a>(doc: &'a Document, css: &str) -> Vec<NodeRef<'a>> {
    match Matcher::new(css) {
        Ok(m) => doc.select_matcher(&m).nodes().to_vec(),
        Err(_) => Vec::new(),
    }
}

/// Case-insensitive attribute value test.
fn attr_is(node: &NodeRef<'_>, attr: &str, value: &str) -> bool {
    node.attr(attr)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(value))
}

/// Depth of the deepest node under `root`, walked without recursion.
fn tree_depth(root: NodeRef<'_>) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut node = root;
    loop {
        if let Some(child) = node.first_child() {
            node = child;
            depth += 1;
            max = max.max(depth);
            continue;
        }
        loop {
            if depth == 0 {
                return max;
            }
            if let Some(sib) = node.next_sibling() {
                node = sib;
                break;
            }
            match node.parent() {
                Some(p) => {
                    node = p;
                    depth -= 1;
                }
                None => return max,
            }
        }
    }
}

/// Whitespace of each line collapsed to single spaces, lines trimmed, blank-line runs → one.
fn normalize_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_blank = false;
    for line in raw.split('\n') {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            pending_blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if pending_blank { "\n\n" } else { "\n" });
        }
        pending_blank = false;
        let mut first = true;
        for w in words {
            if !first {
                out.push(' ');
            }
            out.push_str(w);
            first = false;
        }
    }
    out
}

/// One-line metadata value: whitespace collapsed, empty → None.
fn clean_inline(s: &str) -> Option<String> {
    let v = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!v.is_empty()).then_some(v)
}

/// Byline without a leading "By" or stray separators at either end, and not a URL
/// (`article:author` is often a profile link).
fn clean_byline(s: &str) -> Option<String> {
    let v = clean_inline(s)?;
    if is_http_url(&v) {
        return None;
    }
    let stripped = match v.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("by ") => v.get(3..).unwrap_or(""),
        _ => v.as_str(),
    };
    let stripped = stripped.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | '|' | '-' | '–' | '—')
    });
    (!stripped.is_empty()).then(|| stripped.to_string())
}

fn is_http_url(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// `href` made absolute against `base` (scheme-relative, root-relative and path-relative
/// forms); None when it cannot be.
fn absolute_url(href: &str, base: Option<&str>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    if is_http_url(href) {
        return Some(href.to_string());
    }
    let base = base?;
    let (scheme, rest) = base.split_once("://")?;
    if let Some(h) = href.strip_prefix("//") {
        return Some(format!("{scheme}://{h}"));
    }
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest.get(..host_end)?;
    if href.starts_with('/') {
        return Some(format!("{scheme}://{host}{href}"));
    }
    let path = rest.get(host_end..).unwrap_or("");
    let path = path.split(['?', '#']).next().unwrap_or("");
    let dir = path.rfind('/').and_then(|i| path.get(..=i)).unwrap_or("/");
    Some(format!("{scheme}://{host}{dir}{href}"))
}

/// "en_US" → "en-US"; the first of a comma-separated list; None if it is not tag-like.
fn normalize_lang(s: &str) -> Option<String> {
    let first = s.split(',').next().unwrap_or("").trim().replace('_', "-");
    let ok = !first.is_empty()
        && first.len() <= 35
        && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && first
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic());
    ok.then_some(first)
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A date string → "YYYY-MM-DD". Accepts ISO 8601 and its relatives ("2019-11-20T05:00Z",
/// "2019/11/20", "20191120") and English month-name forms ("Wed, 20 Nov 2019 05:00 GMT",
/// "November 20, 2019"). All-numeric day-first/month-first forms ("20/11/2019") are ambiguous
/// and rejected. The year must be 1900..=2100 and the day exist in its month.
pub fn normalize_date(s: &str) -> Option<String> {
    let s = s.trim();
    iso_date(s).or_else(|| month_name_date(s))
}

fn iso_date(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let part = b.get(from..from + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        part.iter()
            .try_fold(0u32, |acc, d| Some(acc * 10 + u32::from(d - b'0')))
    };
    let year = digits(0, 4)?;
    let (month, day, end) = match b.get(4) {
        Some(&sep @ (b'-' | b'/' | b'.')) => {
            let (month, mlen) = digits(5, 2)
                .map(|m| (m, 2))
                .or_else(|| digits(5, 1).map(|m| (m, 1)))?;
            if b.get(5 + mlen) != Some(&sep) {
                return None;
            }
            let d0 = 6 + mlen;
            let (day, dlen) = digits(d0, 2)
                .map(|d| (d, 2))
                .or_else(|| digits(d0, 1).map(|d| (d, 1)))?;
            (month, day, d0 + dlen)
        }
        Some(c) if c.is_ascii_digit() => (digits(4, 2)?, digits(6, 2)?, 8),
        _ => return None,
    };
    if b.get(end).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    valid_date(year, month, day)
}

fn month_name_date(s: &str) -> Option<String> {
    let tokens: Vec<&str> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let mpos = tokens.iter().position(|t| {
        let l = t.to_lowercase();
        l.len() >= 3
            && MONTHS.iter().any(|m| l.starts_with(m))
            && l.chars().all(|c| c.is_ascii_alphabetic())
    })?;
    let month_tok = tokens.get(mpos)?.to_lowercase();
    let month = MONTHS.iter().position(|m| month_tok.starts_with(m))? as u32 + 1;
    let small = |t: &&&str| t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit());
    let day_tok = tokens.get(mpos + 1).filter(small).or_else(|| {
        mpos.checked_sub(1)
            .and_then(|i| tokens.get(i))
            .filter(small)
    })?;
    let day: u32 = day_tok.parse().ok()?;
    let year: u32 = tokens
        .iter()
        .find(|t| t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()))?
        .parse()
        .ok()?;
    valid_date(year, month, day)
}

fn valid_date(year: u32, month: u32, day: u32) -> Option<String> {
    if !(1900..=2100).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (day <= days).then(|| format!("{year:04}-{month:02}-{day:02}"))
}

// ---------------------------------------------------------------------------------------------
// Nesting guard: a linear scan of the tag stream with a simplified model of the HTML tree
// builder, dropping start tags that would sit deeper than the limit (and their end tags).
// The model errs towards over-estimating depth (which only flattens a little more than
// needed); what it under-estimates is caught after parsing by `tree_depth`.
// ---------------------------------------------------------------------------------------------

/// Tag name as the model keeps it: ASCII-lowercased, cut to 24 bytes (which at worst merges
/// two long custom-element names), stored inline so the scan does not allocate per tag.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Name {
    len: u8,
    bytes: [u8; 24],
}

impl Name {
    fn new(raw: &[u8]) -> Name {
        let mut bytes = [0u8; 24];
        let mut len = 0u8;
        for (dst, src) in bytes.iter_mut().zip(raw) {
            *dst = src.to_ascii_lowercase();
            len += 1;
        }
        Name { len, bytes }
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// Never has children.
const VOID: u16 = 1;
/// The tokenizer reads the content as text up to the matching end tag.
const RAW_TEXT: u16 = 1 << 1;
/// Formatting element: the tree builder re-opens it after block boundaries.
const FORMATTING: u16 = 1 << 2;
/// Puts a marker on the list of active formatting elements.
const MARKER: u16 = 1 << 3;
/// Its start tag closes an open `<p>`.
const CLOSES_P: u16 = 1 << 4;
/// Boundary of the default "has an element in scope" search.
const SCOPE: u16 = 1 << 5;
/// The HTML "special" category: a generic end tag stops searching at these.
const SPECIAL: u16 = 1 << 6;
/// `h1`..`h6`.
const HEADING: u16 = 1 << 7;
/// Inline: a dropped one leaves no space, so the words around it stay joined.
const INLINE: u16 = 1 << 8;
/// `svg` / `math`: inside them `/>` closes an element.
const FOREIGN: u16 = 1 << 9;
/// `html` / `head` / `body`: merged into the existing ones, never nested.
const ROOT: u16 = 1 << 10;

/// Category flags of a (lower-case) tag name.
fn tag_flags(name: &[u8]) -> u16 {
    match name {
        b"b" | b"big" | b"code" | b"em" | b"font" | b"i" | b"nobr" | b"s" | b"small"
        | b"strike" | b"strong" | b"tt" | b"u" | b"a" => FORMATTING | INLINE,
        b"abbr" | b"bdi" | b"bdo" | b"cite" | b"data" | b"dfn" | b"kbd" | b"mark" | b"q"
        | b"samp" | b"span" | b"sub" | b"sup" | b"time" | b"var" => INLINE,
        b"applet" | b"marquee" | b"object" | b"caption" | b"td" | b"th" | b"template" => {
            MARKER | SCOPE | SPECIAL
        }
        b"area" | b"base" | b"basefont" | b"bgsound" | b"br" | b"col" | b"embed" | b"frame"
        | b"img" | b"input" | b"keygen" | b"link" | b"meta" | b"param" | b"source" | b"track"
        | b"wbr" => VOID | SPECIAL,
        b"image" => VOID,
        b"hr" => VOID | SPECIAL | CLOSES_P,
        b"address" | b"article" | b"aside" | b"blockquote" | b"center" | b"details" | b"dialog"
        | b"dir" | b"div" | b"dl" | b"fieldset" | b"figcaption" | b"figure" | b"footer"
        | b"form" | b"header" | b"hgroup" | b"listing" | b"main" | b"menu" | b"nav" | b"ol"
        | b"p" | b"pre" | b"search" | b"section" | b"summary" | b"ul" | b"li" | b"dd" | b"dt"
        | b"plaintext" => CLOSES_P | SPECIAL,
        b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => CLOSES_P | SPECIAL | HEADING,
        b"table" => CLOSES_P | SPECIAL | SCOPE,
        b"xmp" => RAW_TEXT | CLOSES_P | SPECIAL,
        b"script" | b"style" | b"textarea" | b"title" | b"iframe" | b"noembed" | b"noframes"
        | b"noscript" => RAW_TEXT | SPECIAL,
        b"html" => ROOT | SCOPE | SPECIAL,
        b"head" | b"body" => ROOT | SPECIAL,
        b"button" | b"colgroup" | b"frameset" | b"select" | b"tbody" | b"tfoot" | b"thead"
        | b"tr" => SPECIAL,
        b"svg" | b"math" => FOREIGN | SCOPE | SPECIAL,
        b"foreignobject" | b"desc" => SCOPE | SPECIAL,
        _ => 0,
    }
}

/// Most formatting elements the model lets stay listed as active: the tree builder re-opens
/// every listed entry into each new block that gets text, so a long list multiplies the
/// element count; real pages list a handful.
const MAX_ACTIVE_FORMATTING: usize = 8;

/// Output of [`limit_nesting`].
struct Flattened<'a> {
    /// The markup, borrowed unchanged unless tags were dropped.
    html: Cow<'a, str>,
    /// Number of tags dropped.
    #[cfg_attr(not(test), allow(dead_code))]
    dropped: usize,
    /// Highest depth the model estimated for the kept tags.
    #[cfg_attr(not(test), allow(dead_code))]
    max_estimate: usize,
}

/// One entry of the modelled list of active formatting elements (None = marker).
type Afe = Option<(Name, u64)>;

struct NestingModel {
    max_depth: usize,
    /// Open elements with their flags.
    stack: Vec<(Name, u16)>,
    afe: Vec<Afe>,
    /// Non-marker entries in `afe` (a count, so [`Self::estimate`] is O(1)).
    afe_entries: usize,
    /// Open svg/math elements on `stack`.
    foreign: usize,
    /// Dropped start tags whose end tag has not been seen, by name.
    dropped_open: HashMap<Name, usize>,
    max_estimate: usize,
}

impl NestingModel {
    fn new(max_depth: usize) -> NestingModel {
        NestingModel {
            max_depth,
            stack: Vec::new(),
            afe: Vec::new(),
            afe_entries: 0,
            foreign: 0,
            dropped_open: HashMap::new(),
            max_estimate: 0,
        }
    }

    /// Depth the tree builder may reach: open elements, plus formatting elements it may
    /// re-open, plus `<html>` and `<body>`.
    fn estimate(&self) -> usize {
        self.stack.len() + self.afe_entries + 2
    }

    /// Pops up to and including the nearest open element matching `target`, searching from
    /// the top and giving up at the first `stop` element; false if none was found.
    fn pop_to(
        &mut self,
        target: impl Fn(&Name, u16) -> bool,
        stop: impl Fn(&Name, u16) -> bool,
    ) -> bool {
        let mut found = None;
        for (i, (n, f)) in self.stack.iter().enumerate().rev() {
            if target(n, *f) {
                found = Some(i);
                break;
            }
            if stop(n, *f) {
                return false;
            }
        }
        let Some(i) = found else { return false };
        for (_, f) in self.stack.drain(i..) {
            if f & FOREIGN != 0 {
                self.foreign = self.foreign.saturating_sub(1);
            }
        }
        true
    }

    fn clear_afe_to_marker(&mut self) {
        while let Some(e) = self.afe.pop() {
            if e.is_none() {
                break;
            }
            self.afe_entries = self.afe_entries.saturating_sub(1);
        }
    }

    /// Removes the last `name` entry after the last marker, if any.
    fn remove_afe(&mut self, name: &Name) {
        let pos = self
            .afe
            .iter()
            .rposition(|e| e.as_ref().is_none_or(|(n, _)| n == name))
            .filter(|&i| self.afe.get(i).is_some_and(Option::is_some));
        if let Some(i) = pos {
            self.afe.remove(i);
            self.afe_entries = self.afe_entries.saturating_sub(1);
        }
    }

    fn drop_start(&mut self, name: Name) -> bool {
        *self.dropped_open.entry(name).or_insert(0) += 1;
        false
    }

    /// Pushes an element unless that would exceed the limit.
    fn push(&mut self, name: Name, flags: u16) -> bool {
        let est = self.estimate() + 1;
        if est > self.max_depth {
            return self.drop_start(name);
        }
        self.max_estimate = self.max_estimate.max(est);
        if flags & FOREIGN != 0 {
            self.foreign += 1;
        }
        self.stack.push((name, flags));
        true
    }

    /// The `<tbody>` (and, before a cell, `<tr>`) the tree builder inserts when a row or
    /// cell comes straight inside a table.
    fn imply_table_parts(&mut self, cell: bool) {
        if self
            .stack
            .last()
            .is_some_and(|(n, _)| n.as_bytes() == b"table")
            && self.estimate() < self.max_depth
        {
            self.stack.push((Name::new(b"tbody"), SPECIAL));
        }
        let in_body = |n: &Name| matches!(n.as_bytes(), b"tbody" | b"thead" | b"tfoot");
        if cell
            && self.stack.last().is_some_and(|(n, _)| in_body(n))
            && self.estimate() < self.max_depth
        {
            self.stack.push((Name::new(b"tr"), SPECIAL));
        }
    }

    /// Models a start tag; false means "drop it".
    fn start(&mut self, name: Name, flags: u16, attrs: &[u8], self_closing: bool) -> bool {
        if self.foreign > 0 {
            return self_closing || self.push(name, flags);
        }
        if flags & (VOID | RAW_TEXT | ROOT) != 0 {
            return true;
        }
        let is = |s: &'static [u8]| move |n: &Name, _: u16| n.as_bytes() == s;
        let in_scope_stop = |_: &Name, f: u16| f & SCOPE != 0;
        // Stop rule for li/dd/dt: special elements other than address, div and p.
        let list_stop = |n: &Name, f: u16| {
            f & SPECIAL != 0 && !matches!(n.as_bytes(), b"address" | b"div" | b"p")
        };
        if flags & CLOSES_P != 0 {
            self.pop_to(is(b"p"), |n, f| f & SCOPE != 0 || n.as_bytes() == b"button");
        }
        // A heading directly inside another heading closes it.
        if flags & HEADING != 0 && self.stack.last().is_some_and(|(_, f)| f & HEADING != 0) {
            self.stack.pop();
        }
        match name.as_bytes() {
            b"li" => {
                self.pop_to(is(b"li"), list_stop);
            }
            b"dd" | b"dt" => {
                self.pop_to(|n, _| matches!(n.as_bytes(), b"dd" | b"dt"), list_stop);
            }
            b"option" | b"optgroup" => {
                if self
                    .stack
                    .last()
                    .is_some_and(|(n, _)| n.as_bytes() == b"option")
                {
                    self.stack.pop();
                }
                if name.as_bytes() == b"optgroup"
                    && self
                        .stack
                        .last()
                        .is_some_and(|(n, _)| n.as_bytes() == b"optgroup")
                {
                    self.stack.pop();
                }
            }
            b"tr" => {
                self.pop_to(is(b"tr"), |n, _| {
                    matches!(
                        n.as_bytes(),
                        b"table" | b"tbody" | b"thead" | b"tfoot" | b"html" | b"template"
                    )
                });
                self.imply_table_parts(false);
            }
            b"td" | b"th" => {
                if self.pop_to(
                    |n, _| matches!(n.as_bytes(), b"td" | b"th"),
                    |n, _| matches!(n.as_bytes(), b"table" | b"tr" | b"html" | b"template"),
                ) {
                    self.clear_afe_to_marker();
                }
                self.imply_table_parts(true);
            }
            b"tbody" | b"thead" | b"tfoot" => {
                self.pop_to(
                    |n, _| matches!(n.as_bytes(), b"tbody" | b"thead" | b"tfoot"),
                    |n, _| matches!(n.as_bytes(), b"table" | b"html" | b"template"),
                );
            }
            // A new <a> (or <nobr>) first closes the previous one, open or only listed as
            // active, so they never pile up.
            b"a" | b"nobr" => {
                self.pop_to(|n, _| *n == name, in_scope_stop);
                self.remove_afe(&name);
            }
            b"button" => {
                self.pop_to(is(b"button"), in_scope_stop);
            }
            _ => {}
        }
        if flags & FORMATTING != 0 {
            if self.afe_entries >= MAX_ACTIVE_FORMATTING {
                return self.drop_start(name);
            }
            if !self.push(name, flags) {
                return false;
            }
            // Noah's ark: at most three identical entries after the last marker.
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            attrs.hash(&mut hasher);
            let key = hasher.finish();
            let since_marker = self
                .afe
                .iter()
                .rposition(Option::is_none)
                .map_or(0, |i| i + 1);
            let mut same = self
                .afe
                .iter()
                .enumerate()
                .skip(since_marker)
                .filter(|(_, e)| e.as_ref().is_some_and(|(n, k)| *n == name && *k == key))
                .map(|(i, _)| i);
            let first = same.next();
            if same.count() >= 2 {
                if let Some(first) = first {
                    self.afe.remove(first);
                    self.afe_entries = self.afe_entries.saturating_sub(1);
                }
            }
            self.afe.push(Some((name, key)));
            self.afe_entries += 1;
            return true;
        }
        if !self.push(name, flags) {
            return false;
        }
        if flags & MARKER != 0 {
            self.afe.push(None);
        }
        true
    }

    /// Models an end tag; false means "drop it" (it closes a dropped start tag).
    fn end(&mut self, name: Name, flags: u16) -> bool {
        if let Some(c) = self.dropped_open.get_mut(&name) {
            if *c > 0 {
                *c -= 1;
                return false;
            }
        }
        let same = |n: &Name, _: u16| *n == name;
        let in_scope_stop = |_: &Name, f: u16| f & SCOPE != 0;
        if self.foreign > 0 {
            if flags & FOREIGN != 0 {
                self.pop_to(same, |_, _| false);
            } else {
                self.pop_to(same, |_, f| f & FOREIGN != 0);
            }
        } else if flags & FORMATTING != 0 {
            self.remove_afe(&name);
            self.pop_to(same, in_scope_stop);
        } else if flags & HEADING != 0 {
            self.pop_to(|_, f| f & HEADING != 0, in_scope_stop);
        } else if name.as_bytes() == b"li" {
            self.pop_to(same, |n, f| {
                f & SCOPE != 0 || matches!(n.as_bytes(), b"ul" | b"ol")
            });
        } else if name.as_bytes() == b"p" {
            self.pop_to(same, |n, f| f & SCOPE != 0 || n.as_bytes() == b"button");
        } else if flags & MARKER != 0 {
            if self.pop_to(same, |n, _| matches!(n.as_bytes(), b"html" | b"table")) {
                self.clear_afe_to_marker();
            }
        } else if flags & SPECIAL != 0 {
            self.pop_to(same, in_scope_stop);
        } else {
            self.pop_to(same, |_, f| f & SPECIAL != 0);
        }
        true
    }
}

fn find_byte(hay: &[u8], from: usize, b: u8) -> Option<usize> {
    hay.get(from..)?
        .iter()
        .position(|&x| x == b)
        .map(|p| p + from)
}

/// Position of `needle` at or after `from` (exact bytes).
fn find_seq(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut at = from;
    loop {
        let p = find_byte(hay, at, first)?;
        if hay.get(p..p + needle.len()) == Some(needle) {
            return Some(p);
        }
        at = p + 1;
    }
}

/// Start of the end tag `</name` (ASCII case-insensitive, followed by a delimiter) at or
/// after `from`: where a raw-text element's content ends.
fn find_end_tag(hay: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    loop {
        let p = find_seq(hay, at, b"</")?;
        let n0 = p + 2;
        let matches = hay
            .get(n0..n0 + name.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(name));
        if matches && is_tag_delim(hay.get(n0 + name.len()).copied()) {
            return Some(p);
        }
        at = p + 1;
    }
}

/// Whitespace, '/', '>' or end of input: what ends a tag name.
fn is_tag_delim(b: Option<u8>) -> bool {
    matches!(
        b,
        None | Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>')
    )
}

/// Drops start tags nested deeper than `max_depth` (per [`NestingModel`]) and their end tags;
/// a dropped block-level tag becomes a space so the words on either side stay apart. Linear
/// in the input.
fn limit_nesting(html: &str, max_depth: usize) -> Flattened<'_> {
    let b = html.as_bytes();
    let len = b.len();
    let mut model = NestingModel::new(max_depth);
    let mut out: Option<String> = None;
    let mut copied = 0usize;
    let mut dropped = 0usize;
    let mut i = 0usize;
    while let Some(lt) = find_byte(b, i, b'<') {
        let rest = b.get(lt..).unwrap_or(&[]);
        // Comments, including the abrupt "<!-->" / "<!--->" and the "--!>" ending.
        if rest.starts_with(b"<!--") {
            let body = lt + 4;
            i = if b.get(body) == Some(&b'>') {
                body + 1
            } else if b.get(body..body + 2) == Some(b"->") {
                body + 2
            } else {
                let mut at = body;
                loop {
                    match find_seq(b, at, b"--") {
                        Some(p) if b.get(p + 2) == Some(&b'>') => break p + 3,
                        Some(p) if b.get(p + 2..p + 4) == Some(b"!>") => break p + 4,
                        Some(p) => at = p + 1,
                        None => break len,
                    }
                }
            };
            continue;
        }
        if model.foreign > 0 && rest.starts_with(b"<![CDATA[") {
            i = find_seq(b, lt + 9, b"]]>").map_or(len, |p| p + 3);
            continue;
        }
        let is_end = rest.get(1) == Some(&b'/');
        let name_start = lt + 1 + usize::from(is_end);
        match b.get(name_start) {
            Some(c) if c.is_ascii_alphabetic() => {}
            // "<!doctype", "<?xml", "</ x>": bogus comments up to '>'.
            Some(b'!' | b'?') if !is_end => {
                i = find_byte(b, lt, b'>').map_or(len, |p| p + 1);
                continue;
            }
            Some(c) if is_end && *c != b'>' => {
                i = find_byte(b, lt, b'>').map_or(len, |p| p + 1);
                continue;
            }
            _ => {
                i = lt + 1;
                continue;
            }
        }
        let mut j = name_start;
        while j < len && !is_tag_delim(b.get(j).copied()) {
            j += 1;
        }
        let raw_name = b.get(name_start..j).unwrap_or(&[]);
        let name = Name::new(raw_name);
        // Flags from the full name, so a long custom name cut to 24 bytes never looks like a
        // known element.
        let flags = if raw_name.len() <= 24 {
            tag_flags(name.as_bytes())
        } else {
            0
        };
        // Find the closing '>' of the tag, skipping quoted attribute values.
        let attrs_start = j;
        let mut tag_end = None;
        while j < len {
            match b.get(j) {
                Some(b'>') => {
                    tag_end = Some(j);
                    break;
                }
                Some(b'=') => {
                    let mut k = j + 1;
                    while matches!(b.get(k), Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')) {
                        k += 1;
                    }
                    match b.get(k) {
                        Some(&q @ (b'"' | b'\'')) => match find_byte(b, k + 1, q) {
                            Some(close) => j = close + 1,
                            None => break,
                        },
                        _ => j = k,
                    }
                }
                _ => j += 1,
            }
        }
        // A tag cut off by the end of input is discarded by the tokenizer: nothing to model.
        let Some(tag_end) = tag_end else { break };
        let self_closing = tag_end > attrs_start && b.get(tag_end - 1) == Some(&b'/');
        let keep = if is_end {
            model.end(name, flags)
        } else {
            model.start(
                name,
                flags,
                b.get(attrs_start..tag_end).unwrap_or(&[]),
                self_closing,
            )
        };
        if !keep {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(html.get(copied..lt).unwrap_or(""));
            // One space for a run of dropped tags: long whitespace runs cost the extractor
            // time at every level above them.
            if flags & INLINE == 0 && !o.ends_with(|c: char| c.is_ascii_whitespace()) {
                o.push(' ');
            }
            copied = tag_end + 1;
            dropped += 1;
        }
        i = tag_end + 1;
        if !is_end && model.foreign == 0 {
            if name.as_bytes() == b"plaintext" {
                break;
            }
            if flags & RAW_TEXT != 0 {
                i = find_end_tag(b, i, name.as_bytes()).unwrap_or(len);
            }
        }
    }
    let html = match out {
        Some(mut o) => {
            o.push_str(html.get(copied..).unwrap_or(""));
            Cow::Owned(o)
        }
        None => Cow::Borrowed(html),
    };
    Flattened {
        html,
        dropped,
        max_estimate: model.max_estimate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Runs `f` on a thread with a 2 MiB stack, the size of rayon's and std's worker threads,
    /// so a recursion that would overflow a pipeline worker overflows here too.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(f)
            .expect("spawn test thread")
            .join()
            .expect("test thread panicked")
    }

    fn article_page() -> String {
        let paras: String = (0..8)
            .map(|i| {
                format!(
                    "<p>Paragraph {i} of the report explains, in several full sentences, what the city council \
                     decided about the new tram line and why residents of the northern districts objected \
                     to the planned route through the park.</p>\n"
                )
            })
            .collect();
        format!(
            r#"<!DOCTYPE html><html lang="en_GB"><head>
<title>Council approves tram line | Example Times</title>
<meta property="og:title" content="Council approves tram line">
<meta property="og:site_name" content="Example Times">
<meta name="author" content="By  Jane   Doe">
<meta property="article:published_time" content="2019-11-20T05:00:00-05:00">
<link rel="canonical" href="/news/tram">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Council approves tram line</h1>
<figure><img src="x.jpg"><figcaption>The park at dawn. Photo: Somebody</figcaption></figure>
{paras}
<aside>Related: Ten things about trams you did not know</aside>
</article>
<footer>Copyright 2019 Example Times. All rights reserved.</footer>
</body></html>"#
        )
    }

    #[test]
    fn extracts_body_paragraphs_and_metadata() {
        let a = extract_html(
            &article_page(),
            Some("https://example.com/a/b?x=1"),
            &HtmlConfig::default(),
        )
        .expect("extraction");
        assert!(a.text.contains("Paragraph 0 of the report"), "{}", a.text);
        assert!(a.text.contains("Paragraph 7 of the report"));
        // Paragraphs are separated by a blank line.
        assert!(a.text.contains("park.\n\nParagraph 1"), "{:?}", a.text);
        for boiler in ["Home", "Copyright", "Photo: Somebody", "Ten things"] {
            assert!(
                !a.text.contains(boiler),
                "{boiler} leaked into {:?}",
                a.text
            );
        }
        assert_eq!(a.title.as_deref(), Some("Council approves tram line"));
        assert_eq!(a.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(a.published.as_deref(), Some("2019-11-20"));
        assert_eq!(a.site_name.as_deref(), Some("Example Times"));
        assert_eq!(a.url.as_deref(), Some("https://example.com/news/tram"));
        assert_eq!(a.lang.as_deref(), Some("en-GB"));
    }

    #[test]
    fn json_ld_and_time_elements_give_metadata() {
        let body: String = (0..6)
            .map(|i| format!("<p>Sentence number {i} is long enough to count as real article content for the extractor to keep it.</p>"))
            .collect();
        let html = format!(
            r#"<html><head><script type="application/ld+json">
{{"@context":"https://schema.org","@type":"NewsArticle","headline":"Storm hits coast",
 "author":{{"@type":"Person","name":"Ann Lee"}},"publisher":{{"@type":"Organization","name":"Coast News"}}}}
</script><meta property="og:url" content="https://coast.example/storm"></head>
<body><article><time datetime="2021-03-04T10:00">4 March</time>{body}</article></body></html>"#
        );
        let a = extract_html(&html, None, &HtmlConfig::default()).expect("extraction");
        assert_eq!(a.title.as_deref(), Some("Storm hits coast"));
        assert_eq!(a.byline.as_deref(), Some("Ann Lee"));
        assert_eq!(a.site_name.as_deref(), Some("Coast News"));
        assert_eq!(a.published.as_deref(), Some("2021-03-04"));
        assert_eq!(a.url.as_deref(), Some("https://coast.example/storm"));
        assert!(a.text.contains("Sentence number 5"));
    }

    #[test]
    fn dates_from_json_ld_graphs_and_itemprop_lists() {
        let body = "<p>Some text that is long enough to be the article body of this page, \
                    repeated to pass the threshold.</p>"
            .repeat(8);
        let graph = format!(
            r#"<html><head><script type="application/ld+json">{{"@context":"https://schema.org",
            "@graph":[{{"@type":"WebSite","name":"S"}},{{"@type":"WebPage","datePublished":"0001-01-01T00:00:00Z"}},
            {{"@type":"Article","datePublished":"2018-04-18T14:39:09+02:00"}}]}}</script></head>
            <body><article>{body}</article></body></html>"#
        );
        let a = extract_html(&graph, None, &HtmlConfig::default()).expect("extraction");
        // The impossible 0001 date is skipped for the next candidate.
        assert_eq!(a.published.as_deref(), Some("2018-04-18"));
        let listed = format!(
            r#"<html><head><meta property="article:published" itemprop="datePublished dateCreated"
            content="2019-11-19T11:00:09.000Z"></head><body><article>{body}</article></body></html>"#
        );
        let a = extract_html(&listed, None, &HtmlConfig::default()).expect("extraction");
        assert_eq!(a.published.as_deref(), Some("2019-11-19"));
    }

    #[test]
    fn dates_are_normalized_or_rejected() {
        let ok = [
            ("2019-11-20T05:00:00-05:00", "2019-11-20"),
            ("2019/1/5", "2019-01-05"),
            ("20191120", "2019-11-20"),
            ("  2020-02-29 ", "2020-02-29"),
            ("Wed, 20 Nov 2019 05:00:00 GMT", "2019-11-20"),
            ("November 20, 2019 10:00 am", "2019-11-20"),
            ("20 September 2018", "2018-09-20"),
        ];
        for (s, want) in ok {
            assert_eq!(normalize_date(s).as_deref(), Some(want), "{s}");
        }
        for s in [
            "2019-02-29",
            "2019-13-01",
            "20/11/2019",
            "yesterday",
            "",
            "1800-01-01",
            "201911201",
            "May 2019",
        ] {
            assert_eq!(normalize_date(s), None, "{s}");
        }
    }

    #[test]
    fn helpers_behave() {
        assert_eq!(
            normalize_text("  a \t b \n\n\n c\u{a0}d \n e  "),
            "a b\n\nc d\ne"
        );
        assert_eq!(clean_byline("BY  Jo  Smith"), Some("Jo Smith".into()));
        assert_eq!(clean_byline(" Reuters, "), Some("Reuters".into()));
        assert_eq!(clean_byline("https://x.com/jo"), None);
        assert_eq!(
            absolute_url("x.html", Some("https://h.org/a/b.html?q")),
            Some("https://h.org/a/x.html".into())
        );
        assert_eq!(
            absolute_url("//cdn.org/p", Some("https://h.org/")),
            Some("https://cdn.org/p".into())
        );
        assert_eq!(absolute_url("/p", None), None);
        assert_eq!(normalize_lang("en_US, fr"), Some("en-US".into()));
        assert_eq!(normalize_lang("<script>"), None);
    }

    #[test]
    fn empty_and_whitespace_documents() {
        for html in [
            "",
            "   \n\t ",
            "<html></html>",
            "<!-- only a comment -->",
            "<!doctype html><p>  </p>",
        ] {
            let a = extract_html(html, None, &HtmlConfig::default()).expect("no error");
            assert_eq!(a.text, "", "{html:?}");
        }
    }

    #[test]
    fn binary_garbage_does_not_panic() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let bytes: Vec<u8> = (0..300_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let res = on_small_stack(move || {
            extract_html(&text, Some("http://x.org/"), &HtmlConfig::default())
        });
        assert!(res.is_ok(), "{res:?}");
    }

    #[test]
    fn malformed_markup_is_tolerated() {
        let mut s = String::from("<html><head><title>t</ti<body><div class=\"a><p>unclosed <b><i>mis</b>nested</i> <<<>>> </div></div>");
        for i in 0..300 {
            s.push_str(&format!(
                "<p>paragraph {i} has some words <a href='x'>link<td>cell</tr></table><span>"
            ));
        }
        s.push_str("<svg><path/><![CDATA[ x ]]></svg><!-- unterminated <div attr=\"unterminated");
        let a = on_small_stack(move || extract_html(&s, None, &HtmlConfig::default()));
        assert!(a.is_ok(), "{a:?}");
    }

    /// The 100,000-deep cases: html5ever alone needs minutes for the `<div>` one and the
    /// extractor overflows a 2 MiB stack on the `<span>` one without the guard.
    #[test]
    fn pathological_nesting_finishes_fast_on_a_small_stack() {
        let n = 100_000;
        let cases = [
            format!(
                "<html><body>{}<p>deep text here</p>{}</body></html>",
                "<div>".repeat(n),
                "</div>".repeat(n)
            ),
            format!("<body>{}<p>deep text here", "<div>".repeat(n)),
            format!(
                "<p>{}deep text here{}</p>",
                "<span>".repeat(n),
                "</span>".repeat(n)
            ),
            format!("<p>{}deep text here", "<b>".repeat(n)),
            format!("{}deep text here", "<ul><li>".repeat(n / 2)),
            format!("{}deep text here", "<table><tr><td>".repeat(n / 3)),
            format!("{}deep text here", "<svg><g>".repeat(n / 2)),
            // Formatting elements re-opened by the tree builder after each block closes.
            format!(
                "{}deep text here",
                (0..n / 4)
                    .map(|i| format!("<div><b id={i}></div>"))
                    .collect::<String>()
            ),
        ];
        for html in cases {
            let head = html.get(..30).unwrap_or("").to_string();
            let t = Instant::now();
            let res = on_small_stack(move || extract_html(&html, None, &HtmlConfig::default()));
            let el = t.elapsed();
            assert!(el < Duration::from_secs(10), "{head}: {el:?}");
            match res {
                Ok(a) => assert!(
                    a.text.is_empty() || a.text.contains("deep text here"),
                    "{head}: {:?}",
                    a.text
                ),
                Err(HtmlError::TooDeep { .. }) => {}
                Err(e) => panic!("{head}: {e}"),
            }
        }
    }

    #[test]
    fn guard_leaves_real_pages_alone_and_bounds_depth() {
        // Sloppy but shallow markup: implied end tags keep the real depth small.
        let sloppy = format!(
            "<html><body><ul>{}</ul><dl>{}</dl><table>{}</table>{}<select>{}</select></body></html>",
            "<li>item".repeat(5000),
            "<dt>t<dd>d".repeat(3000),
            "<tr><td>a<td>b".repeat(3000),
            (0..3000).map(|i| format!("<p>para <a href=x{i}>one<a href=y{i}>two")).collect::<String>(),
            "<option>o".repeat(3000)
        );
        let f = limit_nesting(&sloppy, 256);
        assert_eq!(f.dropped, 0);
        assert!(matches!(f.html, Cow::Borrowed(_)));
        assert!(f.max_estimate < 20, "{}", f.max_estimate);
        // Deep markup is cut to the limit, and the parsed tree agrees.
        let deep = format!(
            "<body>{}x{}",
            "<section>".repeat(2000),
            "</section>".repeat(2000)
        );
        let f = limit_nesting(&deep, 256);
        assert!(f.dropped > 3000 && f.max_estimate <= 256);
        let doc = Document::from(f.html.as_ref());
        // +1: the text node below the deepest element.
        assert!(tree_depth(doc.root()) <= 256 + 1);
        assert_eq!(doc.select("body").text().trim(), "x");
        // Raw text and comments are not read as tags.
        let raw = format!(
            "<script>{}</script><!--{}--><textarea>{}</textarea>",
            "<div>".repeat(999),
            "<div>".repeat(999),
            "<div>".repeat(999)
        );
        assert_eq!(limit_nesting(&raw, 64).dropped, 0);
    }

    #[test]
    fn large_document_is_linear() {
        let para = "<p>The quick brown fox jumps over the lazy dog while the committee debated the budget.</p>\n";
        let mut s = String::from("<html><body><nav><a href='/'>Home</a></nav><article>");
        while s.len() < 8_000_000 {
            s.push_str(para);
        }
        s.push_str("</article></body></html>");
        let t = Instant::now();
        let a = on_small_stack(move || extract_html(&s, None, &HtmlConfig::default()))
            .expect("extraction");
        assert!(a.text.len() > 6_000_000, "{}", a.text.len());
        assert!(t.elapsed() < Duration::from_secs(30));
    }

    /// 50 MB pages: ordinary paragraphs and a worst case of tiny link blocks. Slow in debug
    /// builds; run with `cargo test --release -- --ignored`.
    #[test]
    #[ignore]
    fn fifty_megabyte_documents() {
        let para = "<p>The quick brown fox jumps over the lazy dog while the committee debated the budget.</p>\n";
        let mut s = String::from("<html><body><article>");
        while s.len() < 50_000_000 {
            s.push_str(para);
        }
        let mut d = String::from("<html><body>");
        let mut i = 0u64;
        while d.len() < 50_000_000 {
            d.push_str(&format!(
                "<div class='c{}'><a href='/x{i}'>link {i}</a> some text {i}</div>\n",
                i % 97
            ));
            i += 1;
        }
        for (name, doc) in [("paragraphs", s), ("link blocks", d)] {
            let t = Instant::now();
            let a = on_small_stack(move || extract_html(&doc, None, &HtmlConfig::default()))
                .expect("extraction");
            assert!(!a.text.is_empty());
            let el = t.elapsed();
            eprintln!(
                "50 MB of {name}: {el:?} ({:.1} MB/s)",
                50.0 / el.as_secs_f64()
            );
            assert!(el < Duration::from_secs(120), "{el:?}");
        }
    }

    #[test]
    fn limits_and_config_errors() {
        let cfg = HtmlConfig {
            max_input_bytes: 10,
            ..HtmlConfig::default()
        };
        assert_eq!(
            extract_html("<p>0123456789</p>", None, &cfg),
            Err(HtmlError::TooLarge {
                bytes: 17,
                limit: 10
            })
        );
        let cfg = HtmlConfig {
            drop_selectors: vec!["div[".into()],
            ..HtmlConfig::default()
        };
        assert_eq!(
            extract_html("<p>x</p>", None, &cfg),
            Err(HtmlError::InvalidSelector("div[".into()))
        );
        // Bad or non-http page URLs are ignored, not errors.
        for bad in ["not a url", "http://", "ftp://x.org/a", ""] {
            let a = extract_html(&article_page(), Some(bad), &HtmlConfig::default()).expect("ok");
            assert!(a.text.contains("Paragraph 3"), "{bad:?}");
        }
    }

    #[test]
    fn deterministic_output() {
        let page = article_page();
        let a = extract_html(&page, Some("https://example.com/"), &HtmlConfig::default());
        let b = extract_html(&page, Some("https://example.com/"), &HtmlConfig::default());
        assert_eq!(a, b);
    }

    #[test]
    fn config_defaults_and_unknown_fields() {
        let c: HtmlConfig = serde_json::from_str("{}").expect("defaults");
        assert_eq!(c, HtmlConfig::default());
        assert!(serde_json::from_str::<HtmlConfig>(r#"{"max_depht": 3}"#).is_err());
        // Constant selectors used internally compile.
        for css in [
            "script[type]",
            "meta",
            "link[rel][href]",
            "[itemprop]",
            "time[pubdate][datetime]",
            "article time[datetime]",
            "head title",
        ] {
            assert!(Matcher::new(css).is_ok(), "{css}");
        }
    }
}
