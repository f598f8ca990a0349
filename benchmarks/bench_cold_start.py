"""What a fresh process pays before its first fit, and what a loaded model pays.

torch's ``Optimizer`` imports ``torch._dynamo`` (sympy, torch.fx, ...) when it
is built and in every ``step`` (``torch/optim/optimizer.py``: ``add_param_group``
is wrapped by ``torch._disable_dynamo``, ``step`` by
``_use_grad_for_differentiable``), whatever ``foreach``/``fused`` say: any fit
pays it once per process. A model loaded to transform need not build one.

Each figure comes from fresh processes (``--repeats`` of them, the median):

* ``import torch._dynamo``: its import time on top of ``import torch``;
* first and second one-epoch fit of a ``StackedAE`` on digits in one process;
* loading a pickled ``StackedAE`` and transforming digits, and whether that
  imported ``torch._dynamo``.

``--code DIR`` runs another checkout's ``sklearn_ae`` (``git archive <commit> |
tar -x -C DIR``) for a before/after in the same session.

Usage (from the repository root)::

    python benchmarks/bench_cold_start.py --repeats 3
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROBES = {
    "dynamo import": """
import time, torch
t = time.perf_counter(); import torch._dynamo
out = {"s": time.perf_counter() - t}
""",
    "first fit": """
import time, warnings
warnings.simplefilter("ignore")
from sklearn.datasets import load_digits
from sklearn_ae import StackedAE
X = load_digits().data / 16
times = []
for _ in range(2):
    t = time.perf_counter()
    StackedAE(n_components=2, max_iter=1, random_state=0).fit(X)
    times.append(time.perf_counter() - t)
out = {"s": times[0], "second_s": times[1]}
""",
    "load + transform": """
import pickle, sys, time
from sklearn.datasets import load_digits
import sklearn_ae, torch
X = load_digits().data / 16
t = time.perf_counter()
model = pickle.loads(open(MODEL, "rb").read())
model.transform(X)
out = {"s": time.perf_counter() - t, "dynamo": "torch._dynamo" in sys.modules}
""",
}


def probe(code, path, model):
    script = code.replace("MODEL", repr(str(model))) + "\nprint(json.dumps(out))"
    env = {**os.environ, "PYTHONPATH": str(path), "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", "import json\n" + script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "model.pkl"
        make = (
            "import pickle, warnings; warnings.simplefilter('ignore')\n"
            "from sklearn.datasets import load_digits\nfrom sklearn_ae import StackedAE\n"
            "m = StackedAE(n_components=2, max_iter=1, random_state=0)"
            ".fit(load_digits().data / 16)\n"
            f"open({str(model)!r}, 'wb').write(pickle.dumps(m))\nout = {{}}"
        )
        probe(make, args.code, model)
        runs = {name: [] for name in PROBES}
        for _ in range(args.repeats):
            for name, code in PROBES.items():
                runs[name].append(probe(code, args.code, model))
    for name, results in runs.items():
        line = f"{name:<17} {statistics.median(r['s'] for r in results):6.2f} s"
        if "second_s" in results[0]:
            line += f"  (second fit {statistics.median(r['second_s'] for r in results):.2f} s)"
        if "dynamo" in results[0]:
            line += f"  imports torch._dynamo: {any(r['dynamo'] for r in results)}"
        print(line)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
