"""Every public estimator at its defaults on every data set it applies to.

Per family, what the family is for:

* reconstruction (LinearAE, StackedAE, AutoEncoder, ConvAE, VariationalAE):
  test MSE per feature against PCA's at k in {2, 8, 32} (k below the number
  of features);
* DenoisingAE: error to the clean test rows from corrupted ones, over the
  plain StackedAE's, for masking noise (the default, 0.25) and Gaussian
  noise (0.3);
* ContractiveAE: the encoder's Jacobian (Frobenius, RMS over test rows)
  relative to the code's spread, over the plain StackedAE's, and the two
  test errors;
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

Usage::

    PYTHONPATH=. nice -n 10 python benchmarks/bench_defaults_matrix.py \\
        --data-home ../shared/data --rows 1000 --out /tmp/matrix.jsonl \\
        [--datasets digits mnist] [--families stacked variational]
    python benchmarks/bench_defaults_matrix.py --render /tmp/matrix.jsonl
"""

import argparse
import json
import time
import warnings

import numpy as np
import torch
from sklearn import datasets as skdata
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import sklearn_ae
from sklearn_ae.datasets import (
    fetch_20newsgroups_local,
    fetch_fashion_mnist,
    fetch_mnist,
    fetch_olivetti,
    fetch_ucr,
)

KS = (2, 8, 32)
PURPOSE_K = 8  # code size of the purpose checks (denoising, contraction, sparsity)
UCR = {"gunpoint": "GunPoint", "ecg5000": "ECG5000", "italypowerdemand": "ItalyPowerDemand"}
UCR["basicmotions"] = "BasicMotions"
TABULAR = ("iris", "wine", "breast_cancer", "diabetes", "pendigits")
IMAGES = ("digits", "mnist", "fashion-mnist", "olivetti", "patches")
DATASETS = (*IMAGES, "newsgroups", *TABULAR, *UCR)
FAMILIES = (
    "linear",
    "stacked",
    "custom",
    "denoising",
    "contractive",
    "sparse",
    "variational",
    "conv",
    "recurrent",
)


# --------------------------------------------------------------------- data
def _cap(X_train, X_test, rows):
    if rows:
        X_train, X_test = X_train[:rows], X_test[: max(100, rows // 4)]
    return X_train, X_test


def load(name, data_home, rows):
    """``(X_train, X_test, kind, image_shape)``; kind: tabular, image, text or sequence."""
    shape = None
    if name == "digits":
        X = skdata.load_digits().data / 16.0
        X_train, X_test = train_test_split(X, test_size=0.2, random_state=0)
        kind, shape = "image", (8, 8)
    elif name in ("mnist", "fashion-mnist"):
        fetch = fetch_mnist if name == "mnist" else fetch_fashion_mnist
        kw = dict(data_home=data_home, return_X_y=True, download_if_missing=False)
        X_train, X_test = fetch(**kw)[0], fetch(subset="test", **kw)[0]
        X_train, X_test = (A.reshape(len(A), -1) for A in (X_train, X_test))
        kind, shape = "image", (28, 28)
    elif name == "olivetti":
        X, y = fetch_olivetti(data_home=data_home, return_X_y=True, download_if_missing=False)
        X_train, X_test = train_test_split(
            X.reshape(len(X), -1), test_size=100, stratify=y, random_state=0
        )
        kind, shape = "image", (64, 64)
    elif name == "patches":
        X_train, X_test = _patches()
        kind, shape = "image", (3, 16, 16)
    elif name == "newsgroups":
        from sklearn.feature_extraction.text import TfidfVectorizer

        kw = dict(data_home=data_home, remove=("headers", "footers", "quotes"))
        train = fetch_20newsgroups_local(subset="train", download_if_missing=False, **kw).data
        test = fetch_20newsgroups_local(subset="test", download_if_missing=False, **kw).data
        train, test = _cap(train, test, rows)
        vec = TfidfVectorizer(max_features=2000, stop_words="english", sublinear_tf=True)
        X_train = vec.fit_transform(train).astype(np.float32)
        X_test = vec.transform(test).astype(np.float32)
        kind = "text"
    elif name == "pendigits":
        import gzip

        def read(part):
            with gzip.open(f"{data_home}/pendigits/pendigits.{part}.gz", "rt") as f:
                return np.loadtxt(f, delimiter=",")[:, :16] / 100.0

        X_train, X_test, kind = read("tra"), read("tes"), "tabular"
    elif name in TABULAR:
        X = getattr(skdata, f"load_{name}")().data
        X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test, kind = scaler.transform(X_train), scaler.transform(X_test), "tabular"
    elif name in UCR:
        ucr = UCR[name]
        X_train = fetch_ucr(ucr, data_home=data_home).data
        if name == "ecg5000":  # only its training split is staged
            X_train, X_test = train_test_split(X_train, test_size=0.3, random_state=0)
        else:
            X_test = fetch_ucr(ucr, data_home=data_home, subset="test").data
        if X_train.ndim == 3:  # multichannel: standardise per channel
            mean, std = X_train.mean(axis=(0, 1)), X_train.std(axis=(0, 1))
            X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
        kind = "sequence"
    else:
        raise ValueError(f"unknown data set {name!r}")
    if kind != "text":
        X_train, X_test = _cap(X_train, X_test, rows)
        X_train, X_test = (np.asarray(A, np.float32) for A in (X_train, X_test))
    return X_train, X_test, kind, shape


def _patches(size=16, n=3000):
    """Colour patches (3 x size x size, in [0, 1]) cut at random from the two sample images."""
    rng = np.random.default_rng(0)
    parts = []
    for image in skdata.load_sample_images().images:
        h, w, _ = image.shape
        ys, xs = rng.integers(0, h - size, n // 2), rng.integers(0, w - size, n // 2)
        cut = np.stack([image[y : y + size, x : x + size] for y, x in zip(ys, xs, strict=True)])
        parts.append(cut.transpose(0, 3, 1, 2).reshape(len(cut), -1) / 255.0)
    X = np.concatenate(parts)
    return train_test_split(X, test_size=0.2, random_state=0)


# ------------------------------------------------------------------ metrics
def mse(a, b):
    a = a.toarray() if hasattr(a, "toarray") else a
    b = b.toarray() if hasattr(b, "toarray") else b
    return float(np.nanmean((np.asarray(a, np.float64) - b) ** 2))


def pca_mse(X_train, X_test, k):
    if hasattr(X_train, "toarray"):
        svd = TruncatedSVD(k, random_state=0).fit(X_train)
        return mse(svd.inverse_transform(svd.transform(X_test)), X_test)
    pca = PCA(k, random_state=0).fit(X_train)
    return mse(pca.inverse_transform(pca.transform(X_test)), X_test)


def fit(model, X):
    """Fit; return (seconds, warnings as 'Class: start of message')."""
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        error = None
        try:
            model.fit(X)
        except Exception as exc:  # recorded: a failed default fit is a finding
            error = f"{type(exc).__name__}: {str(exc)[:70]}"
    seconds = time.perf_counter() - start
    flags = sorted(
        {
            f"{w.category.__name__}: {str(w.message)[:50]}"
            for w in caught
            if not issubclass(w.category, DeprecationWarning)
        }
    )
    if error:
        flags.insert(0, error)
    return seconds, flags, error is None


def contraction(model, X):
    """RMS Frobenius norm of the encoder's Jacobian over rows of ``X``, over the code's spread."""
    module = model.module_.eval()
    x = torch.as_tensor(np.asarray(X[:200], np.float32))
    jac = torch.func.vmap(torch.func.jacrev(lambda r: module.encode(r[None])[0]))(x)
    with torch.no_grad():
        codes = module.encode(x)
    spread = float(codes.var(dim=0).sum().sqrt())
    return float(jac.pow(2).sum(dim=(1, 2)).mean().sqrt()) / max(spread, 1e-12)


def corrupt(X, noise, rng):
    X = X.toarray() if hasattr(X, "toarray") else X
    if noise == "gaussian":
        return X + 0.3 * rng.standard_normal(X.shape).astype(X.dtype)
    return X * (rng.random(X.shape) >= 0.25)


def _mlp_pair(n_features, k):
    from torch import nn

    encoder = nn.Sequential(nn.Linear(n_features, 128), nn.ReLU(), nn.Linear(128, 64))
    encoder.append(nn.ReLU()).append(nn.Linear(64, k))
    decoder = nn.Sequential(nn.Linear(k, 64), nn.ReLU(), nn.Linear(64, 128), nn.ReLU())
    decoder.append(nn.Linear(128, n_features))
    return encoder, decoder


# ----------------------------------------------------------------- families
def applies(family, kind):
    if family == "conv":
        return kind == "image"
    if family == "recurrent":
        return kind == "sequence"
    if family in ("contractive", "custom"):  # per-row Jacobians / dense MLP: no sparse text
        return kind in ("tabular", "image")
    return kind != "sequence"


def ks_for(n_features):
    return [k for k in KS if k < n_features]


def make(family, k, shape, n_features):
    A = sklearn_ae
    if family == "linear":
        return A.LinearAE(k, random_state=0)
    if family == "stacked":
        return A.StackedAE(k, random_state=0)
    if family == "custom":
        return A.AutoEncoder(*_mlp_pair(n_features, k), random_state=0)
    if family == "variational":
        return A.VariationalAE(k, random_state=0)
    if family == "conv":
        return A.ConvAE(k, image_shape=shape, random_state=0)
    if family == "recurrent":
        return A.RecurrentAE(k, random_state=0)
    raise ValueError(family)


def run(family, name, X_train, X_test, kind, shape, stacked_cache):
    """Rows (dicts) of one family on one data set."""
    n_features = X_train.shape[1] if X_train.ndim == 2 else int(np.prod(X_train.shape[1:]))
    base = {"family": family, "data": name, "n_train": X_train.shape[0]}
    rows = []

    def record(model, k, seconds, flags, ok, **extra):
        row = {**base, "k": k, "epochs": getattr(model, "n_iter_", None), "fit_s": seconds}
        rows.append({**row, "warnings": flags, "ok": ok, **extra})
        print(json.dumps(rows[-1]), flush=True)

    def stacked(k):
        if (name, k) not in stacked_cache:
            model = sklearn_ae.StackedAE(k, random_state=0)
            stacked_cache[(name, k)] = (model, *fit(model, X_train))
        return stacked_cache[(name, k)]

    k_purpose = min(PURPOSE_K, n_features - 1)
    if family in ("linear", "stacked", "custom", "variational", "conv"):
        for k in ks_for(n_features):
            if family == "stacked":
                model, seconds, flags, ok = stacked(k)
            else:
                model = make(family, k, shape, n_features)
                seconds, flags, ok = fit(model, X_train)
            extra = {"pca_mse": pca_mse(X_train, X_test, k)}
            if ok:
                extra["mse"] = mse(model.reconstruct(X_test), X_test)
                extra["train_mse"] = mse(model.reconstruct(X_train), X_train)
                if family == "variational":
                    extra["elbo"] = float(model.score(X_test))
            record(model, k, seconds, flags, ok, **extra)
    elif family == "denoising":
        rng = np.random.default_rng(0)
        plain = stacked(k_purpose)[0]
        for noise, level in (("masking", 0.25), ("gaussian", 0.3)):
            # The default is masking 0.25; Gaussian noise is set, as a user would.
            params = {} if noise == "masking" else {"noise": noise, "noise_level": level}
            model = sklearn_ae.DenoisingAE(k_purpose, random_state=0, **params)
            seconds, flags, ok = fit(model, X_train)
            noisy = corrupt(X_test, noise, rng)
            extra = {"noise": noise, "plain_mse": mse(plain.reconstruct(noisy), X_test)}
            if ok:
                extra["mse"] = mse(model.reconstruct(noisy), X_test)
            record(model, k_purpose, seconds, flags, ok, **extra)
    elif family == "contractive":
        plain = stacked(k_purpose)[0]
        model = sklearn_ae.ContractiveAE(k_purpose, random_state=0)
        seconds, flags, ok = fit(model, X_train)
        extra = {"plain_mse": mse(plain.reconstruct(X_test), X_test)}
        extra["plain_contraction"] = contraction(plain, X_test)
        if ok:
            extra["mse"] = mse(model.reconstruct(X_test), X_test)
            extra["contraction"] = contraction(model, X_test)
        record(model, k_purpose, seconds, flags, ok, **extra)
    elif family == "sparse":
        k = min(32, n_features - 1)
        model = sklearn_ae.SparseAE(k, random_state=0)
        seconds, flags, ok = fit(model, X_train)
        extra = {"pca_mse": pca_mse(X_train, X_test, k), "target": model.sparsity_target}
        if ok:
            codes = model.transform(X_test)
            extra["mse"] = mse(model.reconstruct(X_test), X_test)
            extra["near_zero"] = float(np.mean(np.abs(codes) < 0.05))
            extra["mean_activation"] = float(np.mean(codes))
        record(model, k, seconds, flags, ok, **extra)
    elif family == "recurrent":
        mean_seq = np.nanmean(X_train, axis=0)
        for k in (2, 8):
            model = make(family, k, shape, n_features)
            seconds, flags, ok = fit(model, X_train)
            extra = {"mean_mse": mse(mean_seq, X_test), "mean_train_mse": mse(mean_seq, X_train)}
            if ok:
                extra["mse"] = mse(model.reconstruct(X_test), X_test)
                extra["train_mse"] = mse(model.reconstruct(X_train), X_train)
            record(model, k, seconds, flags, ok, **extra)
    return rows


# ------------------------------------------------------------------- report
def _g(value):
    return "-" if value is None else f"{value:.3g}"


def _ratio(a, b):
    return None if a is None or b is None else a / max(b, 1e-30)


COLUMNS = {
    "reconstruction": (
        ["k", "PCA MSE", "MSE", "/ PCA", "train MSE"],
        lambda r: [
            r["k"],
            _g(r["pca_mse"]),
            _g(r.get("mse")),
            _g(_ratio(r.get("mse"), r["pca_mse"])),
            _g(r.get("train_mse")),
        ],
    ),
    "variational": (
        ["k", "PCA MSE", "MSE", "/ PCA", "ELBO (test)"],
        lambda r: [
            r["k"],
            _g(r["pca_mse"]),
            _g(r.get("mse")),
            _g(_ratio(r.get("mse"), r["pca_mse"])),
            _g(r.get("elbo")),
        ],
    ),
    "denoising": (
        ["k", "noise", "plain MSE", "MSE", "/ plain"],
        lambda r: [
            r["k"],
            r["noise"],
            _g(r["plain_mse"]),
            _g(r.get("mse")),
            _g(_ratio(r.get("mse"), r["plain_mse"])),
        ],
    ),
    "contractive": (
        ["k", "contraction / plain", "MSE", "plain MSE"],
        lambda r: [
            r["k"],
            _g(_ratio(r.get("contraction"), r["plain_contraction"])),
            _g(r.get("mse")),
            _g(r["plain_mse"]),
        ],
    ),
    "sparse": (
        ["k", "near-zero codes", "mean activation", "KL target", "MSE / PCA"],
        lambda r: [
            r["k"],
            _g(r.get("near_zero")),
            _g(r.get("mean_activation")),
            _g(r["target"]),
            _g(_ratio(r.get("mse"), r["pca_mse"])),
        ],
    ),
    "recurrent": (
        ["k", "test / mean seq.", "train / mean seq.", "test MSE"],
        lambda r: [
            r["k"],
            _g(_ratio(r.get("mse"), r["mean_mse"])),
            _g(_ratio(r.get("train_mse"), r["mean_train_mse"])),
            _g(r.get("mse")),
        ],
    ),
}
TABLE_OF = {"denoising": "denoising", "contractive": "contractive", "sparse": "sparse"}
TABLE_OF |= {"variational": "variational", "recurrent": "recurrent"}


# Per family, the figure of its purpose and whether high (True) or low is worse.
WORST = {
    "denoising": (lambda r: _ratio(r.get("mse"), r["plain_mse"]), True, "MSE / plain"),
    "contractive": (
        lambda r: _ratio(r.get("contraction"), r["plain_contraction"]),
        True,
        "contraction / plain",
    ),
    "sparse": (lambda r: r.get("near_zero"), False, "near-zero codes"),
    "recurrent": (lambda r: _ratio(r.get("mse"), r["mean_mse"]), True, "test / mean seq."),
}
RECONSTRUCTION = (lambda r: _ratio(r.get("mse"), r["pca_mse"]), True, "MSE / PCA")


def worst_rows(rows):
    """Markdown lines: each family's worst row, and its count of rows that warned or failed."""
    out = ["| family | worst row | figure | warned / failed / rows |", "|---|---|---:|---|"]
    for family in FAMILIES:
        mine = [r for r in rows if r["family"] == family]
        if not mine:
            continue
        figure, high_is_bad, label = WORST.get(family, RECONSTRUCTION)
        scored = [(figure(r), r) for r in mine if figure(r) is not None]
        failed = sum(not r["ok"] for r in mine)
        warned = sum(bool(r["warnings"]) for r in mine)
        cell, value = "-", None
        if scored:
            value, r = (max if high_is_bad else min)(scored, key=lambda t: t[0])
            cell = f"{r['data']}, k={r['k']}" + (f", {r['noise']}" if r.get("noise") else "")
        out.append(
            f"| {family} | {cell} | {label} {_g(value)} | {warned} / {failed} / {len(mine)} |"
        )
    return out


def render(paths):
    rows = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                if line.startswith("{"):
                    r = json.loads(line)
                    key = (r["family"], r["data"], r["k"], r.get("noise"))
                    rows[key] = r  # a later run of the same cell replaces it
    out = [*worst_rows(list(rows.values())), ""]
    for family in FAMILIES:
        mine = [r for key, r in rows.items() if key[0] == family]
        if not mine:
            continue
        header, cells = COLUMNS[TABLE_OF.get(family, "reconstruction")]
        header = ["data", "n train", *header, "epochs", "fit s", "warnings"]
        out += [f"### {family}", "", "| " + " | ".join(header) + " |"]
        out.append("|" + "---|" * len(header))
        for r in mine:
            flags = "; ".join(r["warnings"]) or "-"
            line = [r["data"], r["n_train"], *cells(r), r["epochs"], f"{r['fit_s']:.1f}", flags]
            out.append("| " + " | ".join(str(c) for c in line) + " |")
        out.append("")
    print("\n".join(out))


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
