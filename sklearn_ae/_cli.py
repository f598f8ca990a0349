"""The ``sklearn-ae`` command line; ``sklearn-ae compare`` runs the comparison."""

import argparse
import sys
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
    return [v.strip().lower() for v in text.split(",") if v.strip()]


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
        choices=["digits", "mnist", "fashion-mnist"],
        help="data set (default: digits, bundled with scikit-learn)",
    )
    cmp.add_argument("--data-home", help="folder holding mnist/ and fashion-mnist/")
    cmp.add_argument(
        "--methods",
        type=_name_list,
        default=["pca", "tsne", "linear", "stacked"],
        help="comma-separated: pca, tsne, opentsne/umap when installed, and any "
        "autoencoder of the package by short name (linear, stacked, ...); "
        "default: pca,tsne,linear,stacked",
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
        help="threads for torch, BLAS and OpenMP (default: as configured); "
        "1 avoids oversubscription on a busy machine",
    )
    cmp.add_argument("--out", default="compare_out", help="output folder (default ./compare_out)")
    cmp.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    cmp.add_argument("--quiet", action="store_true", help="no progress lines")
    cmp.add_argument("--verbose", action="store_true", help="one line per autoencoder epoch")
    cmp.add_argument("--list-methods", action="store_true", help="list the methods and exit")
    return parser


def _compare(args):
    from .compare import available_methods, format_table, run_comparison, write_report

    if args.list_methods:
        for name, descr in available_methods().items():
            print(f"{name:<12} {descr}")
        return 0
    unknown = sorted(set(args.methods) - set(available_methods()))
    if unknown:
        print(
            f"sklearn-ae compare: unknown or unavailable methods {unknown}; "
            f"available: {sorted(available_methods())}",
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
        print(f"note: {note}")
    paths = write_report(result, Path(args.out), figures=not args.no_figures)
    print("wrote " + ", ".join(str(p) for p in paths))
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
