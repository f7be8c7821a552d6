//! Fuzz target `config`: the body is `newsmill::fuzz_targets::config`, shared with the stable
//! regression test `tests/fuzz_regressions.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| newsmill::fuzz_targets::config(data));
