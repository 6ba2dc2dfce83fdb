#!/usr/bin/env bash
# Creates .venv and installs tunekit into it, editable, with the test tools.
#
# torch comes first and on purpose: an unpinned `torch` requirement pulls the newest build with
# several GB of CUDA libraries. On a machine without an NVIDIA GPU we install a CPU build, so the
# `torch>=...` requirement in pyproject.toml is already met and pip adds nothing to it.
#   TUNEKIT_TORCH          the torch requirement for CPU-only machines (default: torch==2.13.0)
#   TUNEKIT_TORCH_INDEX    an index to take it from (e.g. PyTorch's CPU wheel index)
#   TUNEKIT_VENV           where the environment goes (default: .venv)
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${TUNEKIT_VENV:-.venv}
python=${PYTHON:-python3}

"$python" - <<'PY' || { echo "tunekit needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install --quiet --upgrade pip setuptools

if "$venv/bin/python" -c "import torch" 2>/dev/null; then
    echo "torch already installed: $("$venv/bin/python" -c 'import torch; print(torch.__version__)')"
elif command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "NVIDIA GPU found: installing torch with CUDA"
    "${pip[@]}" install "torch>=2.4"
elif [ -n "${TUNEKIT_TORCH_INDEX:-}" ]; then
    echo "no NVIDIA GPU: installing torch from $TUNEKIT_TORCH_INDEX"
    "${pip[@]}" install --index-url "$TUNEKIT_TORCH_INDEX" "${TUNEKIT_TORCH:-torch}"
else
    echo "no NVIDIA GPU: installing a CPU build of torch"
    # A CPU wheel that pip's configured sources hold (a local wheel folder, a mirror) comes
    # first; otherwise PyTorch's own CPU index, since PyPI's default Linux build carries CUDA.
    "${pip[@]}" install "${TUNEKIT_TORCH:-torch==2.13.0+cpu}" 2>/dev/null ||
        "${pip[@]}" install --index-url https://download.pytorch.org/whl/cpu "${TUNEKIT_TORCH:-torch}"
fi

# every extra (studio, onnx, hub, datasets, trackers) and the test tools: what make studio and make test use
"${pip[@]}" install --quiet -e ".[all,dev]"
echo "tunekit installed in $venv"
