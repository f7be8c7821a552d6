#!/usr/bin/env bash
# Regenerates the parts of docs/ that come from the code (checked by tests/cli_run.rs):
# docs/schema.md from `newsmill schema --markdown`, and the toml block of docs/config.md from
# `newsmill config show`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./target/release/newsmill
cargo build --release --quiet
"$bin" schema --markdown > docs/schema.md
head=$(sed '/^```toml$/q' docs/config.md)
{ printf '%s\n' "$head"; "$bin" config show; echo '```'; } > docs/config.md.tmp
mv docs/config.md.tmp docs/config.md
