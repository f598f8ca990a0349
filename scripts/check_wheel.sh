#!/bin/sh
# The package as a user installs it: build a wheel, install it into a fresh
# virtual environment and run it from outside the checkout. The venv sees the
# system's packages (--system-site-packages) and pip may not reach an index
# (--no-index), so torch stays the build already installed (CPU here) and a
# dependency the wheel does not declare, or a file it leaves out, fails here.
set -eu
PYTHON=${PYTHON:-python3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$PYTHON" -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$TMP/dist" "$ROOT"
# --without-pip: the venv's own old setuptools would shadow the system's, which torch needs.
"$PYTHON" -m venv --system-site-packages --without-pip "$TMP/venv"
"$PYTHON" -m pip --python "$TMP/venv/bin/python" install --quiet --no-index "$TMP"/dist/sklearn_ae-*.whl
cd "$TMP"
"$TMP/venv/bin/sklearn-ae" --version
"$TMP/venv/bin/python" - <<'PY'
import sys
import warnings

import numpy as np

import sklearn_ae

warnings.simplefilter("ignore")  # two epochs do not converge, by design
assert sklearn_ae.__file__.startswith(sys.prefix), f"not the wheel: {sklearn_ae.__file__}"
X = np.random.default_rng(0).random((60, 8))
ae = sklearn_ae.StackedAE(n_components=2, max_iter=2, random_state=0).fit(X)
print("wheel OK:", sklearn_ae.__file__, ae.transform(X).shape)
PY
