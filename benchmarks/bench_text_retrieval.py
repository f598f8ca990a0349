"""Text retrieval on 20 Newsgroups: LSA vs the default StackedAE and DenoisingAE.

Documents are TF-IDF rows (sublinear term frequency, English stop words
removed, headers, footers and quotes stripped), as latent semantic analysis
uses them. Each test document queries the training documents by cosine
similarity of their codes; precision@10 is the share of the 10 retrieved
documents from the query's newsgroup. The autoencoders take the same sparse
TF-IDF matrix and run at their defaults (only ``n_components`` and
``random_state`` set).

Usage::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/bench_text_retrieval.py \\
        --data-home ../shared/data
"""

import argparse
import time

import numpy as np
import torch
from _fitting import fit_recording_warnings
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors

from sklearn_ae import DenoisingAE, StackedAE
from sklearn_ae.datasets import fetch_20newsgroups_local


def precision_at_10(codes_train, codes_test, y_train, y_test):
    nn = NearestNeighbors(n_neighbors=10, metric="cosine").fit(codes_train)
    found = nn.kneighbors(codes_test, return_distance=False)
    return float((y_train[found] == y_test[:, None]).mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--max-features", type=int, default=2000)
    parser.add_argument("--n-queries", type=int, default=2000)
    parser.add_argument("--dims", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--with-random",
        action="store_true",
        help="also fit init='random' (the earlier default; ~7 min per model at 32-d)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    kw = dict(data_home=args.data_home, remove=("headers", "footers", "quotes"))
    train = fetch_20newsgroups_local(subset="train", download_if_missing=False, **kw)
    test = fetch_20newsgroups_local(subset="test", download_if_missing=False, **kw)
    vectorizer = TfidfVectorizer(
        max_features=args.max_features, stop_words="english", sublinear_tf=True
    )
    X_train = vectorizer.fit_transform(train.data).astype(np.float32)
    X_test = vectorizer.transform(test.data[: args.n_queries]).astype(np.float32)
    y_train, y_test = train.target, test.target[: args.n_queries]
    print(
        f"20 Newsgroups (20 groups): {X_train.shape[0]} training documents, "
        f"{X_test.shape[0]} queries, {X_train.shape[1]} terms, TF-IDF"
    )

    print("| dims | method | precision@10 | vs LSA | epochs | fit time (s) |")
    print("|---:|---|---:|---:|---:|---:|")
    for k in args.dims:
        start = time.perf_counter()
        lsa = TruncatedSVD(k, random_state=0).fit(X_train)
        lsa_p = precision_at_10(lsa.transform(X_train), lsa.transform(X_test), y_train, y_test)
        print(
            f"| {k} | LSA (TruncatedSVD) | {lsa_p:.3f} | 1.00 | - | "
            f"{time.perf_counter() - start:.1f} |",
            flush=True,
        )
        for cls in (StackedAE, DenoisingAE):
            for init in ("pca", "random") if args.with_random else ("pca",):
                ae = cls(k, init=init, random_state=0)
                seconds, warned = fit_recording_warnings(ae, X_train)
                p = precision_at_10(ae.transform(X_train), ae.transform(X_test), y_train, y_test)
                name = f"{cls.__name__}()" if init == "pca" else f"{cls.__name__}(init='random')"
                flags = "".join(f" [{w}]" for w in warned)
                print(
                    f"| {k} | {name}{flags} | {p:.3f} | {p / lsa_p:.2f} | {ae.n_iter_} | "
                    f"{seconds:.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
