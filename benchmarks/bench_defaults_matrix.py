"""Every public estimator at its defaults on every data set it applies to.

Per family, what the family is for:

* reconstruction (LinearAE, StackedAE, AutoEncoder, ConvAE, VariationalAE):
  test MSE per feature against PCA's at k in {2, 8, 32} (k below the number
  of features);
* DenoisingAE: error to the clean test rows from corrupted ones, over the
  plain StackedAE's, for masking noise (the default, 0.25) and Gaussian
  noise (0.3), and the same ratio of the two from a random start
  (``init="random"``);
* ContractiveAE: the encoder's Jacobian (Frobenius, RMS over test rows)
  relative to the code's spread, over the plain StackedAE's, and the two
  test errors; and the same ratio from a random start (issue 21: at its
  defaults a family does its job at least as strongly as from there);
* SparseAE: share of near-zero codes (< 0.05) and mean code activation
  against the KL target;
* VariationalAE: test MSE against PCA's and the ELBO (``score``, nats per
  sample);
* RecurrentAE: test and train error over the mean training sequence's.

Each row also records the warnings raised (class and start of the message),
the epochs and the fit time. Only ``n_components`` and ``random_state=0`` are
set (ConvAE also gets ``image_shape`` for flat rows; AutoEncoder, which has no
default network, an MLP 128-64 pair). Rows are appended as JSON lines to
``--out`` so the matrix can be run in pieces; ``--render`` turns the file into
the markdown of ``RESULTS_defaults.md``. The script uses the public API only,
so it runs against another checkout too (``PYTHONPATH=/path/to/checkout``).

This file is the command line; the pieces sit beside it (imported as top-level
modules, since the script's folder is on ``sys.path``): ``_matrix_data.py``
(the data sets), ``_matrix_metrics.py`` (errors, the recorded fit,
contraction, noise), ``_matrix_measures.py`` (each family's rows) and
``_matrix_render.py`` (``--render``).

Usage::

    PYTHONPATH=. nice -n 10 python benchmarks/bench_defaults_matrix.py \\
        --data-home ../shared/data --rows 1000 --out /tmp/matrix.jsonl \\
        [--datasets digits mnist] [--families stacked variational]
    python benchmarks/bench_defaults_matrix.py --render /tmp/matrix.jsonl
"""

import argparse
import json

import torch
from _matrix_data import DATASETS, load
from _matrix_measures import FAMILIES, applies, run
from _matrix_render import render


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-home", default="../shared/data")
    parser.add_argument("--rows", type=int, default=2000, help="training rows at most (0: all)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--families", nargs="+", default=list(FAMILIES))
    parser.add_argument("--out", default=None, help="append JSON lines here")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--render", nargs="+", default=None, help="JSON-lines files to render")
    args = parser.parse_args()
    if args.render:
        render(args.render)
        return
    torch.set_num_threads(args.threads)
    for name in args.datasets:
        X_train, X_test, kind, shape = load(name, args.data_home, args.rows)
        cache = {}
        for family in args.families:
            if not applies(family, kind):
                continue
            for row in run(family, name, X_train, X_test, kind, shape, cache):
                if args.out:
                    with open(args.out, "a") as f:
                        f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
