"""CPU seconds of each gallery example, one process at a time, one thread.

CPU time rather than wall time: on a shared machine the wall clock says more
about the neighbours than about the example. Usage::

    python docs/time_examples.py [examples/plot_x.py ...]
"""

import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(paths):
    paths = paths or sorted(str(p) for p in (ROOT / "examples").glob("plot_*.py"))
    data = os.environ.get("SKLEARN_AE_TEST_DATA") or str(ROOT.parent / "shared" / "data")
    env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    env.setdefault("SKLEARN_AE_DATA", data)
    total = 0.0
    for path in paths:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run([sys.executable, path], env=env, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        total += cpu
        status = "ok" if proc.returncode == 0 else f"FAILED\n{proc.stderr[-2000:]}"
        print(f"{cpu:7.1f} s CPU  {Path(path).name}  {status}", flush=True)
        if proc.stdout.strip():
            print("         " + proc.stdout.strip().replace("\n", "\n         "), flush=True)
    print(f"{total:7.1f} s CPU  total")


if __name__ == "__main__":
    main(sys.argv[1:])
