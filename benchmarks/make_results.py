"""Regenerate benchmarks/RESULTS.md: PCA vs t-SNE vs autoencoders on three data sets.

Run from the repository root (hours on 2 CPU cores; see RESULTS.md)::

    python benchmarks/make_results.py --data-home ../shared/data --threads 1

RESULTS.md is rewritten after each data set, so a partial run leaves the
finished tables in place. ``--datasets`` picks which to run; tables of data
sets not rerun are kept from the existing file.
"""

import argparse
import os
import platform
import re
import sys
import time
from pathlib import Path

import torch

from sklearn_ae.compare import DEFAULT_METHODS, METHODS, run_comparison
from sklearn_ae.compare._report import MEMORY_NOTE, markdown_table

HERE = Path(__file__).resolve().parent
COMMAND = "python benchmarks/make_results.py --data-home ../shared/data --threads 2"

# What is run per data set; the autoencoders use the per-dataset defaults of
# sklearn_ae.compare.AE_DEFAULTS. MNIST runs at the published anchors' sizes.
PLANS = {
    "digits": {"dims": (2, 32)},
    "mnist": {"dims": (2, 30, 64)},
    # Subsampled to fit the CPU budget next to MNIST.
    "fashion-mnist": {"dims": (2, 32), "n_train": 10000},
}
# The methods of `sklearn-ae compare` by default (MethodSpec.default in
# sklearn_ae/compare/_methods.py; flip it there to add a row here too).
RUN = DEFAULT_METHODS

ANCHORS = """\
## Published anchors (MNIST)

| source | model | code size | test MSE/pixel | trustworthiness (2-d, k=5) |
|---|---|---:|---:|---:|
| Hinton & Salakhutdinov 2006 | AE 784-1000-500-250-30, RBM-pretrained | 30 | 0.0038 (3.00) | |
| Hinton & Salakhutdinov 2006 | PCA | 30 | 0.0177 (13.87) | |
| Sainburg et al. 2021 | AE | 64 | 0.0016 | |
| Sainburg et al. 2021 | PCA | 64 | 0.0090 | |
| Sainburg et al. 2021 | AE / t-SNE / PCA | 2 | | 0.966 / 0.987 / 0.743 |
| ours, earlier measurement | PCA | 32 / 64 | 0.0168 / 0.0091 | |

In brackets: the published squared error per image; / 784 pixels gives ours. Sainburg et al.:
"Parametric UMAP embeddings for representation and semisupervised learning",
Neural Computation 33(11), 2021. Hinton & Salakhutdinov: "Reducing the
dimensionality of data with neural networks", Science 313(5786), 2006.

Targets (the `target` column): StackedAE on MNIST test at 30-d <= 0.0045 per
pixel within the CPU budget below (<= 0.0038 where a GPU is available: not
checked, no GPU here), at 64-d <= 0.0020, its 2-d map's trustworthiness >= 0.96;
LinearAE within 1 % of PCA's error at the same size.
"""


def _section(name, result, wall, plan, run_note):
    info = result.info
    lines = [
        f"## {name}",
        "",
        f"{info['description']}; {info['n_train']} train rows"
        + (" (random subset)" if plan.get("n_train") else "")
        + f", {info['n_test']} test rows. Methods "
        f"{', '.join(METHODS[key].label for key in RUN)} at sizes "
        f"{', '.join(map(str, plan['dims']))}; random_state=0. Whole data set: "
        f"{wall / 60:.1f} min wall time ({run_note}).",
        "",
        markdown_table(result),
        "",
    ]
    lines += [f"- {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


def _existing_sections(path):
    """{data set: section text} from an earlier RESULTS.md."""
    if not path.exists():
        return {}
    text = path.read_text()
    found = {}
    for name in PLANS:
        match = re.search(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", text, re.M | re.S)
        if match:
            found[name] = match.group(0).rstrip() + "\n"
    return found


def _write(path, sections):
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, "
        f"torch {torch.__version__}, " + ("CUDA GPU" if torch.cuda.is_available() else "no GPU")
    )
    body = [
        "# Results: PCA vs t-SNE vs autoencoders",
        "",
        "Regenerate with (from the repository root):",
        "",
        f"    {COMMAND}",
        "",
        f"Last run on {machine}. Each section says when it was run and on how many "
        "threads (`--datasets` reruns some sections and keeps the others). Times are "
        "wall-clock on a machine shared with other jobs, so they are indicative only; "
        "metric values are reproducible (fixed seeds).",
        "",
        ANCHORS,
    ]
    for name in PLANS:
        body.append(sections.get(name, f"## {name}\n\nNot run yet.\n"))
    body += [
        "## Notes",
        "",
        f"- {MEMORY_NOTE}",
        "- 5-NN accuracy: a 5-nearest-neighbour classifier fitted on the training "
        "codes, scored on the test codes.",
        "- Single-core-pair CPU budget: autoencoder settings are those in "
        "`sklearn_ae.compare.AE_DEFAULTS` (shown in the settings column).",
        "",
    ]
    path.write_text("\n".join(body))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", help="folder holding mnist/ and fashion-mnist/")
    parser.add_argument(
        "--datasets", default=",".join(PLANS), help="comma-separated subset of " + ",".join(PLANS)
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for torch/BLAS/OpenMP (1 on a shared machine)",
    )
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)
    path = Path(args.output)
    sections = _existing_sections(path)
    threads = args.threads or torch.get_num_threads()
    for name in filter(None, args.datasets.split(",")):
        plan = PLANS[name]
        print(f"=== {name} ===", flush=True)
        t0, started = time.perf_counter(), time.time()
        result = run_comparison(
            name,
            RUN,
            plan["dims"],
            data_home=args.data_home,
            n_train=plan.get("n_train"),
            random_state=0,
            verbose=True,
            n_threads=args.threads,
            progress=lambda line: print(line, flush=True),
        )
        run_note = (
            f"run {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}, {threads} thread(s)"
        )
        sections[name] = _section(name, result, time.perf_counter() - t0, plan, run_note)
        _write(path, sections)
        print(f"wrote {path}", flush=True)
    if not args.datasets:  # re-render the kept tables only
        _write(path, sections)
    return 0


if __name__ == "__main__":
    sys.exit(main())
