"""Neighbour-preserving codes on MNIST: sklearn-ae's neighbor_loss against t-SNE and UMAP.

Every method is fitted on the first ``--n-train`` MNIST training images and
maps the first ``--n-test`` test images (``transform``; openTSNE and UMAP
place new points with their own ``transform``). Reported on the test codes:
trustworthiness at k=5 (``sklearn.manifold.trustworthiness``), the accuracy of
a 5-NN classifier fitted on the training codes, the reconstruction MSE per
pixel where the method has an inverse, and fit + transform seconds, all in
one process with the same thread count.

umap-learn's ParametricUMAP needs TensorFlow and is not run.

Usage (from the repository root)::

    nice -n 10 python benchmarks/bench_neighbors.py --threads 1
"""

import argparse
import os
import time
import warnings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=10_000)
    parser.add_argument("--n-test", type=int, default=2_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-iter", type=int, default=60, help="epochs of the dense models")
    parser.add_argument(
        "--wide-max-iter", type=int, default=60, help="epochs of the (512, 256, 128) rows"
    )
    parser.add_argument("--conv-max-iter", type=int, default=15, help="epochs of ConvAE")
    parser.add_argument("--methods", default="all", help="comma-separated names, or all")
    parser.add_argument("--data-home", default=os.path.join("..", "shared", "data"))
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    import torch
    from sklearn.decomposition import PCA
    from sklearn.manifold import trustworthiness
    from sklearn.neighbors import KNeighborsClassifier

    from sklearn_ae import ConvAE, StackedAE
    from sklearn_ae.datasets import fetch_mnist

    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", category=UserWarning)
    Xtr, ytr = fetch_mnist(data_home=args.data_home, subset="train", return_X_y=True)
    Xte, yte = fetch_mnist(data_home=args.data_home, subset="test", return_X_y=True)
    Xtr, ytr = Xtr[: args.n_train], ytr[: args.n_train]
    Xte, yte = Xte[: args.n_test], yte[: args.n_test]

    ae = dict(n_components=2, max_iter=args.max_iter, n_jobs=args.threads, random_state=0)
    # The same training settings with and without the neighbour term; tol=0
    # runs every epoch (the stochastic neighbour loss would stop it early).
    nbr = dict(ae, learning_rate_init=0.01, tol=0.0)
    conv = dict(nbr, max_iter=args.conv_max_iter)

    def opentsne():
        from openTSNE import TSNE

        return _OpenTSNE(TSNE(n_jobs=args.threads, random_state=0))

    def umap():
        from umap import UMAP

        return UMAP(random_state=0, n_jobs=args.threads)

    methods = {
        "PCA": lambda: PCA(2, random_state=0),
        "StackedAE": lambda: StackedAE(**nbr),
        "StackedAE defaults": lambda: StackedAE(
            n_components=2, n_jobs=args.threads, random_state=0
        ),
        "StackedAE umap": lambda: StackedAE(neighbor_loss="umap", **nbr),
        "StackedAE tsne": lambda: StackedAE(neighbor_loss="tsne", n_neighbors=45, **nbr),
        # Nothing but the term: learning_rate_init="auto", n_neighbors=None,
        # the default stopping rule and max_iter.
        "StackedAE tsne defaults": lambda: StackedAE(
            n_components=2, neighbor_loss="tsne", n_jobs=args.threads, random_state=0
        ),
        # A wider net at 0.003, below the estimator's "auto" rate for it
        # (0.0075): the best 5-NN accuracy on 60k rows (RESULTS_neighbors.md).
        "StackedAE tsne wide": lambda: StackedAE(
            n_components=2,
            neighbor_loss="tsne",
            hidden_layer_sizes=(512, 256, 128),
            learning_rate_init=0.003,
            max_iter=args.wide_max_iter,
            n_jobs=args.threads,
            random_state=0,
        ),
        "StackedAE wide": lambda: StackedAE(
            n_components=2,
            hidden_layer_sizes=(512, 256, 128),
            max_iter=args.wide_max_iter,
            n_jobs=args.threads,
            random_state=0,
        ),
        "StackedAE umap defaults": lambda: StackedAE(
            n_components=2, neighbor_loss="umap", n_jobs=args.threads, random_state=0
        ),
        "ConvAE": lambda: ConvAE(channels=(8, 16), **conv),
        "ConvAE tsne": lambda: ConvAE(
            neighbor_loss="tsne", n_neighbors=45, channels=(8, 16), **conv
        ),
        "openTSNE": opentsne,
        "UMAP": umap,
    }
    chosen = list(methods) if args.methods == "all" else args.methods.split(",")
    print(
        f"MNIST {args.n_train} train / {args.n_test} test, 2-d, {args.threads} thread(s), "
        f"dense autoencoders {args.max_iter} epochs, ConvAE {args.conv_max_iter}"
    )
    print(
        "| method | trustworthiness k=5 | 5-NN accuracy | reconstruction MSE | fit+transform s "
        "| epochs |"
    )
    print("|---|---|---|---|---|---|")
    for name in chosen:
        model = methods[name]()
        start = time.perf_counter()
        codes_train = model.fit_transform(Xtr) if name != "openTSNE" else model.fit(Xtr)
        codes = model.transform(Xte)
        seconds = time.perf_counter() - start
        trust = trustworthiness(Xte, codes, n_neighbors=5)
        acc = KNeighborsClassifier(5).fit(codes_train, ytr).score(codes, yte)
        mse = "-"
        if hasattr(model, "inverse_transform") and name != "UMAP":
            mse = f"{float(((model.inverse_transform(codes) - Xte) ** 2).mean()):.4f}"
        epochs = getattr(model, "n_iter_", "-")
        print(
            f"| {name} | {trust:.3f} | {acc:.3f} | {mse} | {seconds:.1f} | {epochs} |", flush=True
        )


class _OpenTSNE:
    """openTSNE's fit returns the embedding, which then places new points."""

    def __init__(self, tsne):
        self.tsne = tsne

    def fit(self, X):
        import numpy as np

        self.embedding_ = self.tsne.fit(X)
        return np.asarray(self.embedding_)

    def transform(self, X):
        import numpy as np

        return np.asarray(self.embedding_.transform(X))


if __name__ == "__main__":
    main()
