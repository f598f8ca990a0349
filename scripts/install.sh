#!/bin/sh
# Install sklearn-ae from this checkout (editable), with optional extras:
#   sh scripts/install.sh           the package
#   sh scripts/install.sh compare   + matplotlib and pandas for `sklearn-ae compare`
#   sh scripts/install.sh dev       + the test tools and the docs build (Sphinx...)
#   sh scripts/install.sh docs      + only the docs build
#
# A torch that is already installed is kept, whatever its build (CPU, CUDA,
# ROCm): the package itself asks only for torch>=2.1. Only when no torch is
# installed do we ask for torch==2.13.0, which this project's build machines
# serve as a local CPU wheel (an unpinned torch would pull several GB of CUDA
# packages there). Set TORCH_SPEC to choose another, e.g. TORCH_SPEC="torch==2.5.1".
set -eu
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c "import torch" >/dev/null 2>&1; then
    "$PYTHON" -m pip install "${TORCH_SPEC:-torch==2.13.0}"
fi
"$PYTHON" -m pip install -e ".${1:+[$1]}"
