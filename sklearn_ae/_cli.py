"""The ``sklearn-ae`` command line; ``sklearn-ae compare`` runs the comparison."""

import argparse
import sys
import textwrap
from pathlib import Path

__all__ = ["main"]


def _int_list(text):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers like 2,32, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers like 2,32, got {text!r}")
    return values


def _name_list(text):
    return [v.strip() for v in text.split(",") if v.strip()]


# Listed here, not imported from sklearn_ae.compare: --help must not import
# numpy or torch. tests/test_cli.py checks they match compare's lists.
DATASET_NAMES = (
    "digits",
    "mnist",
    "fashion-mnist",
    "olivetti",
    "gunpoint",
    "italypowerdemand",
    "ecg5000",
    "basicmotions",
)
DEFAULT_METHODS = ("pca", "tsne", "linear", "stacked", "stacked-tsne")


def _build_parser():
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="sklearn-ae",
        description="Autoencoders as scikit-learn transformers.",
        epilog="Example: sklearn-ae compare  (PCA, t-SNE and autoencoders on the digits data)",
    )
    parser.add_argument("--version", action="version", version=f"sklearn-ae {__version__}")
    commands = parser.add_subparsers(dest="command")
    cmp = commands.add_parser(
        "compare",
        help="compare PCA, t-SNE and autoencoders on a data set",
        description=(
            "Fit PCA, t-SNE and autoencoders on the training rows of a data set and measure "
            "them on its test rows: reconstruction MSE per pixel, trustworthiness (k=5) of "
            "2-d maps, 5-NN accuracy of the codes, fit and transform time, peak memory. "
            "Prints a table and writes <dataset>.md and PNG figures to --out."
        ),
    )
    cmp.add_argument(
        "--dataset",
        default="digits",
        metavar="NAME",
        help=f"data set: {', '.join(DATASET_NAMES)}, or ucr:<Name> for another UCR/UEA "
        "set (default: digits, bundled with scikit-learn; the others are read from "
        "--data-home)",
    )
    cmp.add_argument(
        "--data-home",
        help="folder holding the data sets (mnist/, olivetti-faces/, gunpoint/, ...)",
    )
    cmp.add_argument(
        "--methods",
        type=_name_list,
        default=list(DEFAULT_METHODS),
        help="comma-separated, by short or class name: pca, tsne, opentsne/umap when "
        "installed, and any autoencoder of the package (linear or LinearAE, stacked or "
        "StackedAE, ...; see --list-methods); default: " + ",".join(DEFAULT_METHODS),
    )
    cmp.add_argument(
        "--dims",
        type=_int_list,
        default=[2, 32],
        help="comma-separated code sizes (default: 2,32)",
    )
    cmp.add_argument("--n-train", type=int, help="random subset of training rows")
    cmp.add_argument("--n-test", type=int, help="random subset of test rows")
    cmp.add_argument("--random-state", type=int, default=0, help="seed of everything (default 0)")
    ae = cmp.add_argument_group("autoencoder settings (default: tuned per data set)")
    ae.add_argument("--max-iter", type=int, help="training epochs")
    ae.add_argument(
        "--hidden", type=_int_list, help="hidden layer widths, input side first, e.g. 512,256"
    )
    ae.add_argument("--batch-size", type=int)
    ae.add_argument("--learning-rate", type=float, help="initial learning rate")
    ae.add_argument(
        "--finetune-iter", type=int, help="extra epochs at a tenth of the learning rate (0: none)"
    )
    cmp.add_argument(
        "--threads",
        type=int,
        help="threads for torch, BLAS and OpenMP (default: chosen per method, the cores "
        "idle when it starts; 1 for scikit-learn's t-SNE up to 5,000 rows)",
    )
    cmp.add_argument(
        "--out",
        default="compare_out",
        help="output folder of <dataset>.md (the full table) and the figures "
        "(default ./compare_out)",
    )
    cmp.add_argument(
        "--figure",
        metavar="PATH",
        help="where to save the figure of the 2-d maps side by side "
        "(default: <out>/<dataset>_maps.png)",
    )
    cmp.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    cmp.add_argument("--quiet", action="store_true", help="no progress lines")
    cmp.add_argument("--verbose", action="store_true", help="one line per autoencoder epoch")
    cmp.add_argument("--list-methods", action="store_true", help="list the methods and exit")
    return parser


def _compare(args):
    from .compare import METHODS, format_table, run_comparison, write_report
    from .compare._methods import resolve_method, unavailable_reason

    if args.list_methods:
        for key, spec in METHODS.items():
            why = unavailable_reason(key)
            note = f"  (unavailable: {why})" if why else ""
            print(f"{key:<13} {spec.label:<22} {spec.description}{note}")
        return 0
    unknown = []
    for name in args.methods:
        try:
            resolve_method(name)
        except ValueError:
            unknown.append(name)
    if unknown:
        print(
            f"sklearn-ae compare: unknown methods {unknown}; available: "
            f"{', '.join(METHODS)} (or their class names; see --list-methods)",
            file=sys.stderr,
        )
        return 2
    overrides = {
        "max_iter": args.max_iter,
        "hidden_layer_sizes": tuple(args.hidden) if args.hidden else None,
        "batch_size": args.batch_size,
        "learning_rate_init": args.learning_rate,
        "finetune_iter": args.finetune_iter,
    }
    result = run_comparison(
        args.dataset,
        args.methods,
        args.dims,
        data_home=args.data_home,
        n_train=args.n_train,
        n_test=args.n_test,
        ae_params=overrides,
        random_state=args.random_state,
        verbose=args.verbose,
        n_threads=args.threads,
        progress=None if args.quiet else lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(format_table(result))
    for note in result.notes:
        print(textwrap.fill(f"note: {note}", width=100, subsequent_indent="      "))
    paths = write_report(
        result, Path(args.out), figures=not args.no_figures, maps_path=args.figure
    )
    print(f"full table (memory, settings, targets): {paths[0]}")
    for path in paths[1:]:
        print(f"figure: {path}")
    return 0


def main(argv=None):
    """Run the ``sklearn-ae`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status (0 on success).
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return _compare(args)
    except (OSError, ValueError) as exc:
        # Missing data offline, an unwritable --out, a bad setting: the message
        # already says what to do; a traceback would only bury it.
        print(f"sklearn-ae {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
