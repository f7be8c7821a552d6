//! Time words shared by the rule modules (quote attribution, metonymy, stance): the words that
//! may sit between a verb and what it governs ("said on Tuesday that", "warned Moscow on
//! Monday"), kept in one place so the lists cannot drift apart.

/// English weekday names, lower-case.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// True for a lower-case weekday name.
pub fn is_weekday(w: &str) -> bool {
    WEEKDAYS.contains(&w)
}

/// Words of a time adjunct after a noun ("drew condemnation on Monday from", "earlier this
/// year"), weekdays aside.
pub const TIME_ADJUNCT: [&str; 16] = [
    "on",
    "last",
    "this",
    "next",
    "week",
    "month",
    "year",
    "earlier",
    "later",
    "today",
    "yesterday",
    "early",
    "late",
    "morning",
    "evening",
    "night",
];

/// True for a word of a time adjunct ([`TIME_ADJUNCT`] or a weekday).
pub fn is_time_adjunct(w: &str) -> bool {
    TIME_ADJUNCT.contains(&w) || is_weekday(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays() {
        assert!(is_weekday("friday"));
        assert!(!is_weekday("Friday"));
        assert!(!is_weekday("today"));
        assert!(is_time_adjunct("today") && is_time_adjunct("monday"));
        assert!(!is_time_adjunct("from"));
    }
}
