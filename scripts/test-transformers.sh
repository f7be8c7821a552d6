#!/usr/bin/env bash
# Tests of the optional transformer backends (cargo feature `transformers`), from a fresh clone:
#   1. libtorch 2.4 from PyPI into .venv (scripts/setup-libtorch.sh),
#   2. Python `transformers` + `safetensors` into .venv and two tiny random-weight checkpoints
#      (tests/fixtures/make_tiny_models.py; no model hub),
#   3. clippy with --features transformers and tests/transformers.rs, which converts the
#      checkpoints with `newsmill models convert` and runs `newsmill run` on seeds/ with both
#      transformer backends.
# A first run downloads ~800 MB and builds libtorch bindings (several minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
start=$SECONDS

echo "== libtorch (scripts/setup-libtorch.sh)"
./scripts/setup-libtorch.sh > /dev/null
# shellcheck disable=SC1091
source .venv/libtorch.env

echo "== fixtures: tiny random-weight checkpoints"
.venv/bin/pip install --quiet --disable-pip-version-check \
  "transformers==4.46.3" "safetensors==0.4.5" "numpy<3" 2>&1 \
  | grep -v -e "torch 2.4.0 requires" -e "dependency resolver" || true
FIXTURES="${NEWSMILL_TF_FIXTURES:-$PWD/target/tf-fixtures}"
rm -rf "$FIXTURES"
mkdir -p "$FIXTURES"
.venv/bin/python tests/fixtures/make_tiny_models.py seeds "$FIXTURES/hf" --max-positions 64
export NEWSMILL_TF_FIXTURES="$FIXTURES"

echo "== cargo clippy --features transformers"
# Same profile as scripts/test.sh (release without LTO), so step 1's dependency builds are reused.
# Only the targets the feature changes (the library, the binary and their test); the default
# clippy in scripts/test.sh covers every target without it.
cargo clippy --profile test-release --lib --bins --test transformers --locked --features transformers -- -D warnings

# The pure parts (sub-word alignment, NLI pairs and decisions, model-dir checks) are not behind
# the feature: the default `cargo test` in scripts/test.sh runs their unit tests.
echo "== cargo test --features transformers --test transformers"
cargo test --profile test-release --locked --features transformers --test transformers

echo "== done in $((SECONDS - start)) s"
