#!/usr/bin/env bash
# Creates .venv-train with the pinned versions of scripts/requirements-train.txt (PyPI only), for
# training the NER re-scorer (models/README.md, "Neural re-scorer"). Not needed to run newsmill
# or its tests. About 5 GB on disk: PyPI's torch wheel depends on its CUDA libraries even though
# training runs on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-train/bin/python ]; then
  python3 -m venv .venv-train
fi
.venv-train/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-train.txt
.venv-train/bin/python -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)'
