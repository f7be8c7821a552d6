//! `newsmill eval ...`: accuracy of each stage on held-out gold data.

pub mod clean;
pub mod gold;
pub mod html;
pub mod quotes;
pub mod sbd;
pub mod stance;
pub mod stance_records;
