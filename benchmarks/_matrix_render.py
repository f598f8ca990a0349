"""``bench_defaults_matrix.py --render``: the JSON-lines rows as the markdown of the results."""

import json

from _matrix_measures import FAMILIES


def _g(value):
    return "-" if value is None else f"{value:.3g}"


def _ratio(a, b):
    return None if a is None or b is None else a / max(b, 1e-30)


def _against_pca(label, key):
    """Columns of a reconstruction row against PCA's, then ``label`` (row field ``key``)."""
    return (
        ["k", "PCA MSE", "MSE", "/ PCA", label],
        lambda r: [
            r["k"],
            _g(r["pca_mse"]),
            _g(r.get("mse")),
            _g(_ratio(r.get("mse"), r["pca_mse"])),
            _g(r.get(key)),
        ],
    )


COLUMNS = {
    "reconstruction": _against_pca("train MSE", "train_mse"),
    "variational": _against_pca("ELBO (test)", "elbo"),
    "denoising": (
        [
            "k",
            "noise",
            "plain MSE",
            "MSE",
            "/ plain",
            "random start: / plain",
            "/ random start's",
            "clean rows: / plain",
        ],
        lambda r: [
            r["k"],
            r["noise"],
            _g(r["plain_mse"]),
            _g(r.get("mse")),
            _g(_ratio(r.get("mse"), r["plain_mse"])),
            _g(_ratio(r.get("random_mse"), r.get("random_plain_mse"))),
            _g(_ratio(r.get("mse"), r.get("random_mse"))),
            _g(_ratio(r.get("clean_mse"), r.get("plain_clean_mse"))),
        ],
    ),
    "contractive": (
        [
            "k",
            "contraction / plain",
            "MSE",
            "plain MSE",
            "random start: contraction / plain",
            "random start: MSE",
            "contraction / random start's",
            "the same, at MSE up to the random start's",
        ],
        lambda r: [
            r["k"],
            _g(_ratio(r.get("contraction"), r["plain_contraction"])),
            _g(r.get("mse")),
            _g(r["plain_mse"]),
            _g(_ratio(r.get("random_contraction"), r.get("random_plain_contraction"))),
            _g(r.get("random_mse")),
            _g(_ratio(r.get("contraction"), r.get("random_contraction"))),
            _g(_ratio(r.get("contraction_at_random_mse"), r.get("random_contraction"))),
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
