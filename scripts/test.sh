#!/usr/bin/env bash
# The test command (README "Run the tests"; .ci/run calls exactly this).
# Installs what the tests need (a Python venv with pyarrow, pandas, duckdb, pytest from PyPI),
# then runs format and lint checks, the Rust tests, and the Python tests on real output.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== toolchain"
cargo --version
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== Python venv (.venv) with pyarrow, pandas, duckdb, pytest"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt

echo "== cargo fmt --check"
cargo fmt --all -- --check

# The `test-release` profile (Cargo.toml) is `release` without link-time optimisation, which
# only costs build time here; speed is measured with `release` (`newsmill bench`).
profile=test-release

echo "== cargo clippy"
cargo clippy --profile "$profile" --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --profile "$profile" --locked

echo "== Python tests (pyarrow, pandas, DuckDB on real output)"
# --all-targets: the same feature resolution as `cargo test` (dev-dependencies unify features of
# shared crates), so this reuses the binary the tests just built; a plain `cargo build` would
# recompile arrow, parquet and newsmill with the other feature set (4.4 min in CI).
cargo build --profile "$profile" --locked --all-targets
NEWSMILL_BIN="$PWD/target/$profile/newsmill" .venv/bin/python -m pytest -q tests/python
