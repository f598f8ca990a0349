"""The main job (``sklearn-ae compare``) as the machine is and with one more busy process.

Runs ``python -m sklearn_ae compare --no-figures`` (digits, the default
methods) alternately as the machine is ("quiet") and while one competing
CPU-bound process (``while True: pass``) runs, and prints each run's wall time
and the t-SNE row's fit time. The figure to read is the ratio loaded / quiet of
the same code; absolute times depend on whatever else the machine runs. The
job's CPU time (all its threads) estimates its wall time on a quiet machine
where it runs on one thread: spinning OpenMP threads inflate it.

``--code DIR`` runs another checkout's ``sklearn_ae`` (e.g. an older commit
unpacked with ``git archive <commit> | tar -x -C DIR``) to compare before and
after in the same session; ``--args`` passes extra options (``--threads 1``).

Usage (from the repository root)::

    python benchmarks/bench_compare_load.py --repeats 2
    python benchmarks/bench_compare_load.py --code /tmp/old --repeats 2
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_compare(code, extra):
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "sklearn_ae", "compare", "--no-figures"]
        cmd += ["--out", out, *extra]
        env = {**os.environ, "PYTHONPATH": str(code)}
        start, cpu_start = time.perf_counter(), _children_cpu()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        wall, cpu = time.perf_counter() - start, _children_cpu() - cpu_start
    # The progress line of the t-SNE row: "[  5.4s] TSNE  dim=2  fit 5.4s ...".
    tsne = re.search(r"\] TSNE\s+dim=2\s+fit ([0-9.]+)s", proc.stderr)
    return wall, cpu, float(tsne.group(1)) if tsne else float("nan")


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--args", default="", help="extra compare options, one string")
    args = parser.parse_args()
    extra = args.args.split()
    times = {"quiet": [], "loaded": []}
    for _ in range(args.repeats):
        for condition in times:
            busy = None
            if condition == "loaded":
                busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
            try:
                wall, cpu, tsne = run_compare(args.code, extra)
            finally:
                if busy is not None:
                    busy.kill()
                    busy.wait()
            times[condition].append(wall)
            load = os.getloadavg()[0]
            print(
                f"{condition:<7} wall {wall:6.1f} s  CPU {cpu:6.1f} s  "
                f"t-SNE fit {tsne:5.1f} s  load {load:.1f}"
            )
            sys.stdout.flush()
    quiet, loaded = (statistics.median(times[c]) for c in ("quiet", "loaded"))
    print(f"median: quiet {quiet:.1f} s, loaded {loaded:.1f} s, ratio {loaded / quiet:.2f}")


if __name__ == "__main__":
    main()
