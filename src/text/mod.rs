//! Text segmentation: sentences and word tokens, as byte ranges.

pub mod sentences;
pub mod time_words;
pub mod tokens;
