//! `newsmill eval ...`: accuracy of each stage on held-out gold data.

pub mod sbd;
