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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays() {
        assert!(is_weekday("friday"));
        assert!(!is_weekday("Friday"));
        assert!(!is_weekday("today"));
    }
}
