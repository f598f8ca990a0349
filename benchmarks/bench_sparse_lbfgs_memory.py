"""Peak memory of a full-batch L-BFGS fit on sparse (bag-of-words) input.

Before, ``LinearAE().fit(sp.random(20000, 10000, density=0.001, format="csr"))``
densified the whole matrix for every L-BFGS step (+5.4 GB) and 20000 x 50000
ran out of memory; now the batch is densified in chunks bounded by
scikit-learn's ``working_memory``. Linux only (reads /proc/self/status).

Usage (from the repository root)::

    python benchmarks/bench_sparse_lbfgs_memory.py 20000 10000
    python benchmarks/bench_sparse_lbfgs_memory.py 20000 50000
"""

import sys
import time
import warnings

import scipy.sparse as sp

from sklearn_ae import LinearAE

warnings.simplefilter("ignore")


def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024


n, d = int(sys.argv[1]), int(sys.argv[2])
S = sp.random(n, d, density=0.001, format="csr", random_state=0, dtype="float32")
LinearAE(max_iter=1).fit(S[:100])  # warm up torch's allocations
open("/proc/self/clear_refs", "w").write("5")
base = status("VmRSS")
t = time.time()
LinearAE(max_iter=2).fit(S)
growth = status("VmHWM") - base
dense = n * d * 4 / 2**20
print(f"{n}x{d}: peak RSS growth {growth:.0f} MiB during fit; dense float32: {dense:.0f} MiB;")
print(f"{time.time() - t:.0f} s")
