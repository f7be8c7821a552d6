#!/usr/bin/env bash
# Installs libtorch for the optional `transformers` cargo feature (rust-bert 0.23 -> tch 0.17 ->
# libtorch 2.4) into the project venv (.venv, the same one scripts/test.sh creates), from PyPI
# only, and writes the environment to export into .venv/libtorch.env (also printed).
#
# Why PyPI's torch wheel: it is the only libtorch 2.4 that a package registry serves. Its
# libtorch_cpu.so links libcudart.so.12 and libcupti.so.12 even for CPU use, so the two small
# nvidia-* wheels that provide them are installed too; the other CUDA wheels torch depends on
# (cuBLAS, cuDNN, NCCL ... about 3 GB) are skipped with --no-deps: newsmill never needs a GPU.
#
# Usage: ./scripts/setup-libtorch.sh && source .venv/libtorch.env
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1

TORCH_VERSION=2.4.0
CUDA_RT_VERSION=12.1.105   # the exact versions torch 2.4.0 pins

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
PIP=(.venv/bin/pip install --quiet --disable-pip-version-check)

echo "== torch==$TORCH_VERSION from PyPI (about 800 MB download, once)" >&2
# --no-deps skips torch's CUDA wheels (pip then warns that they are missing: expected).
"${PIP[@]}" --no-deps "torch==$TORCH_VERSION" \
  "nvidia-cuda-runtime-cu12==$CUDA_RT_VERSION" "nvidia-cuda-cupti-cu12==$CUDA_RT_VERSION"
# torch's pure-Python dependencies (so `import torch` works for the test fixtures).
"${PIP[@]}" filelock typing-extensions sympy networkx jinja2 fsspec

SITE=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
SITE=$(cd "$SITE" && pwd)
TORCH_DIR="$SITE/torch"
for f in lib/libtorch_cpu.so lib/libtorch.so lib/libc10.so include/torch/csrc/api/include/torch/torch.h; do
  if [ ! -e "$TORCH_DIR/$f" ]; then
    echo "setup-libtorch: $TORCH_DIR/$f is missing; the torch wheel did not install" >&2
    exit 1
  fi
done

# A CPU-only view of that libtorch: the same headers and libraries minus libtorch_cuda*.so and
# libc10_cuda.so. tch links libtorch_cuda whenever it sees it, and that one needs cuBLAS, cuDNN
# and NCCL at run time; without it, tch builds the CPU-only path.
CPU="$PWD/.venv/libtorch-cpu"
rm -rf "$CPU"
mkdir -p "$CPU/lib"
ln -s "$TORCH_DIR/include" "$CPU/include"
for f in "$TORCH_DIR"/lib/*.so*; do
  case "$(basename "$f")" in
    *cuda* | libcaffe2_nvrtc.so | libcusparseLt*) ;;
    *) ln -s "$f" "$CPU/lib/" ;;
  esac
done
echo "$TORCH_VERSION" > "$CPU/build-version"
LD="$CPU/lib:$SITE/nvidia/cuda_runtime/lib:$SITE/nvidia/cuda_cupti/lib"

cat > .venv/libtorch.env <<ENV
# Environment for building and running newsmill with --features transformers
# (written by scripts/setup-libtorch.sh). PyPI's torch is built with the pre-C++11 ABI.
export LIBTORCH="$CPU"
export LIBTORCH_CXX11_ABI=0
export LD_LIBRARY_PATH="$LD\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export HF_HUB_OFFLINE=1
ENV
echo "== libtorch $TORCH_VERSION (CPU) ready. Export this (or: source .venv/libtorch.env):" >&2
cat .venv/libtorch.env
