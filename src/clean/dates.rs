//! Finding publication dates in short header lines and normalising them to ISO 8601.
//!
//! Hand-written instead of chrono/jiff: we only need to recognise a handful of written forms
//! ("August 14, 2008", "14 Aug 2008", "2019-11-19T08:57", "19.11.2019") and validate the calendar,
//! not to do arithmetic or time zones. A date without a year ("Aug 14") is recognised (so the
//! line can be classified) but never turned into an ISO date: we do not guess years.

use regex::Regex;

/// Month names (lower case) in the languages newsmill users most often feed it, with numbers.
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("sept", 9),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // German, French, Spanish, Portuguese, Italian (full names only, to avoid false hits).
    ("januar", 1),
    ("februar", 2),
    ("märz", 3),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("mai", 5),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setembro", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
];

/// A date found in a line: byte range in the searched string plus calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateHit {
    /// Byte offset where the date text starts.
    pub start: usize,
    /// Byte offset where the date text ends (exclusive).
    pub end: usize,
    /// Year, if written.
    pub year: Option<i32>,
    /// Month 1..=12.
    pub month: u32,
    /// Day of month, validated against the month (and year when known).
    pub day: u32,
}

impl DateHit {
    /// `YYYY-MM-DD`, only when the year is known.
    pub(crate) fn iso(&self) -> Option<String> {
        self.year
            .map(|y| format!("{y:04}-{:02}-{:02}", self.month, self.day))
    }
}

/// Compiled date expressions (built once per `Cleaner`).
#[derive(Debug, Clone)]
pub(crate) struct DateParser {
    iso: Regex,
    month_day_year: Regex,
    day_month_year: Regex,
    numeric_dmy: Regex,
    month_day: Regex,
    filler: Regex,
}

fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    let key = lower.trim_end_matches('.');
    MONTHS.iter().find(|(n, _)| *n == key).map(|(_, m)| *m)
}

fn days_in_month(year: Option<i32>, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => match year {
            Some(y) if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            Some(_) => 28,
            None => 29,
        },
        _ => 0,
    }
}

fn valid(year: Option<i32>, month: u32, day: u32) -> bool {
    let year_ok = year.is_none_or(|y| (1800..=2200).contains(&y));
    year_ok && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

impl DateParser {
    /// Compiles the expressions; fails only if the built-in patterns are broken.
    pub(crate) fn new() -> Result<Self, regex::Error> {
        let mut names: Vec<&str> = MONTHS.iter().map(|(n, _)| *n).collect();
        // Longest first so "september" wins over "sep" in the alternation.
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let m = names.join("|");
        Ok(Self {
            iso: Regex::new(r"(?-u:\b)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?-u:\b)|T)")?,
            month_day_year: Regex::new(&format!(
                r"(?i)(?-u:\b)({m})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?:\w+day,?\s+)?(\d{{4}})(?-u:\b)"
            ))?,
            day_month_year: Regex::new(&format!(
                r"(?i)(?-u:\b)(\d{{1,2}})(?:st|nd|rd|th|\.|º)?(?:\s+de|\s+of)?[\s-]+({m})\.?,?(?:\s+de|\s+del)?[\s-]+(\d{{4}})(?-u:\b)"
            ))?,
            numeric_dmy: Regex::new(r"(?-u:\b)(\d{1,2})([./])(\d{1,2})[./](\d{4})(?-u:\b)")?,
            month_day: Regex::new(&format!(
                r"(?i)(?-u:\b)({m})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?-u:\b)"
            ))?,
            filler: Regex::new(
                r"(?ix)^(
                    updated|update|published|posted|first|last|modified|date|dated|on|at|am|pm|a\.m\.|p\.m\.|
                    et|est|edt|ct|cst|cdt|mt|pt|pst|pdt|gmt|utc|bst|cet|cest|eet|ist|jst|kst|aest|aedt|hkt|sgt|msk|wib|
                    mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|
                    monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|
                    min|mins|minute|minutes|read|time|uhr|h|hrs|
                    \d{1,2}[:.h]\d{2}([:.]\d{2})?(am|pm)?|\d{1,2}(am|pm)|\d+
                )$",
            )?,
        })
    }

    /// Finds the first (leftmost) date with a year; failing that, a month-day date without year.
    pub(crate) fn find(&self, s: &str) -> Option<DateHit> {
        let mut best: Option<DateHit> = None;
        let mut consider = |h: DateHit| {
            let better = match best {
                None => true,
                Some(b) => h.start < b.start || (h.start == b.start && h.end > b.end),
            };
            if better {
                best = Some(h);
            }
        };
        for c in self.iso.captures_iter(s) {
            let (Some(all), Some(y), Some(mo), Some(d)) = (c.get(0), c.get(1), c.get(2), c.get(3))
            else {
                continue;
            };
            let (Ok(y), Ok(mo), Ok(d)) = (
                y.as_str().parse::<i32>(),
                mo.as_str().parse::<u32>(),
                d.as_str().parse::<u32>(),
            ) else {
                continue;
            };
            if valid(Some(y), mo, d) {
                let end = if all.as_str().ends_with('T') {
                    all.end() - 1
                } else {
                    all.end()
                };
                consider(DateHit {
                    start: all.start(),
                    end,
                    year: Some(y),
                    month: mo,
                    day: d,
                });
                break;
            }
        }
        for c in self.month_day_year.captures_iter(s) {
            if let Some(h) = self.parts_to_hit(&c, 1, 2, Some(3)) {
                consider(h);
                break;
            }
        }
        for c in self.day_month_year.captures_iter(s) {
            if let Some(h) = self.parts_to_hit(&c, 2, 1, Some(3)) {
                consider(h);
                break;
            }
        }
        for c in self.numeric_dmy.captures_iter(s) {
            let (Some(all), Some(a), Some(sep), Some(b), Some(y)) =
                (c.get(0), c.get(1), c.get(2), c.get(3), c.get(4))
            else {
                continue;
            };
            let (Ok(a), Ok(b), Ok(y)) = (
                a.as_str().parse::<u32>(),
                b.as_str().parse::<u32>(),
                y.as_str().parse::<i32>(),
            ) else {
                continue;
            };
            // Dots: European day.month.year. Slashes: only when unambiguous.
            let (d, mo) = if sep.as_str() == "." || a > 12 {
                (a, b)
            } else if b > 12 {
                (b, a)
            } else {
                continue;
            };
            if valid(Some(y), mo, d) {
                consider(DateHit {
                    start: all.start(),
                    end: all.end(),
                    year: Some(y),
                    month: mo,
                    day: d,
                });
                break;
            }
        }
        if best.is_some() {
            return best;
        }
        for c in self.month_day.captures_iter(s) {
            if let Some(h) = self.parts_to_hit(&c, 1, 2, None) {
                return Some(h);
            }
        }
        None
    }

    fn parts_to_hit(
        &self,
        c: &regex::Captures<'_>,
        month_group: usize,
        day_group: usize,
        year_group: Option<usize>,
    ) -> Option<DateHit> {
        let all = c.get(0)?;
        let month = month_number(c.get(month_group)?.as_str())?;
        let day: u32 = c.get(day_group)?.as_str().parse().ok()?;
        let year = match year_group {
            Some(g) => Some(c.get(g)?.as_str().parse::<i32>().ok()?),
            None => None,
        };
        valid(year, month, day).then_some(DateHit {
            start: all.start(),
            end: all.end(),
            year,
            month,
            day,
        })
    }

    /// True for time/label filler words ("Updated", "Monday", "8:03", "ET").
    pub(crate) fn is_filler(&self, w: &str) -> bool {
        self.filler.is_match(w)
    }

    /// Words of `s` outside the date that are not time/label filler ("Updated", "8:03", "ET").
    pub(crate) fn residual_words<'a>(&self, s: &'a str, hit: &DateHit) -> Vec<&'a str> {
        let before = s.get(..hit.start).unwrap_or("");
        let after = s.get(hit.end..).unwrap_or("");
        before
            .split(|c: char| !(c.is_alphanumeric() || c == ':' || c == '.' || c == '\''))
            .chain(
                after.split(|c: char| !(c.is_alphanumeric() || c == ':' || c == '.' || c == '\'')),
            )
            .map(|w| w.trim_matches('.'))
            .filter(|w| !w.is_empty() && w.chars().any(|c| c.is_alphanumeric()))
            .filter(|w| !self.filler.is_match(w))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(p: &DateParser, s: &str) -> Option<String> {
        p.find(s).and_then(|h| h.iso())
    }

    #[test]
    fn written_forms() {
        let p = DateParser::new().unwrap();
        assert_eq!(iso(&p, "August 14, 2008").as_deref(), Some("2008-08-14"));
        assert_eq!(
            iso(&p, "DW staff (sp)August 14, 2008").as_deref(),
            Some("2008-08-14")
        );
        assert_eq!(
            iso(&p, "Nov. 19, 2019 8:03 am ET").as_deref(),
            Some("2019-11-19")
        );
        assert_eq!(
            iso(&p, "Updated 1:39 am EST, Wednesday, November 20, 2019").as_deref(),
            Some("2019-11-20")
        );
        assert_eq!(
            iso(&p, "19 November 2019, 09:01 AM").as_deref(),
            Some("2019-11-19")
        );
        assert_eq!(
            iso(&p, "26-FEB-1987 15:01:01.79").as_deref(),
            Some("1987-02-26")
        );
        assert_eq!(
            iso(&p, "2019-11-19T08:57:40+01:00").as_deref(),
            Some("2019-11-19")
        );
        assert_eq!(
            iso(&p, "기사입력 :[ 2018-08-25 15:24 ]").as_deref(),
            Some("2018-08-25")
        );
        assert_eq!(
            iso(&p, "Publié le 3 mars 2021").as_deref(),
            Some("2021-03-03")
        );
        assert_eq!(iso(&p, "20.11.2019").as_deref(), Some("2019-11-20"));
        assert_eq!(iso(&p, "11/20/2019").as_deref(), Some("2019-11-20"));
    }

    #[test]
    fn invalid_ambiguous_and_yearless() {
        let p = DateParser::new().unwrap();
        assert_eq!(iso(&p, "February 30, 2019"), None);
        assert_eq!(iso(&p, "03/04/2019"), None, "ambiguous day/month order");
        let h = p.find("MOSCOW, Aug 14 (Reuters) - Georgia's").unwrap();
        assert_eq!((h.month, h.day, h.year), (8, 14, None));
        assert_eq!(h.iso(), None);
        assert!(p.find("The vote may be delayed by a week.").is_none());
        assert!(p.find("He scored 12 of 2019 points").is_none());
    }

    #[test]
    fn residual_words_skip_time_labels() {
        let p = DateParser::new().unwrap();
        let s = "Updated 1:39 am EST, Wednesday, November 20, 2019";
        let h = p.find(s).unwrap();
        assert!(p.residual_words(s, &h).is_empty());
        let s = "DW staff (sp)August 14, 2008";
        let h = p.find(s).unwrap();
        assert_eq!(p.residual_words(s, &h), vec!["DW", "staff", "sp"]);
    }
}
