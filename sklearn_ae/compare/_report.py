"""The comparison as a text table, a markdown page and PNG figures."""

import importlib
from pathlib import Path

import numpy as np

__all__ = ["format_table", "require", "save_figures", "to_markdown", "write_report"]

# (header, row key, format); None values are explained by _missing.
COLUMNS = [
    ("method", "method", "{}"),
    ("dim", "dim", "{}"),
    ("test MSE/pixel", "mse", "{:.4f}"),
    ("trustworthiness (k=5)", "trustworthiness", "{:.3f}"),
    ("5-NN accuracy", "knn_accuracy", "{:.3f}"),
    ("fit (s)", "fit_s", "{:.1f}"),
    ("transform (s/1000 rows)", "transform_s_per_1000", "{:.4f}"),
    ("Python peak (MB)", "python_peak_mb", "{:.0f}"),
    ("max-RSS growth (MB)", "rss_growth_mb", "{:.0f}"),
    ("target", "target", "{}"),
    ("settings", "settings", "{}"),
]

MEMORY_NOTE = (
    "Python peak: peak of memory allocated through Python during the fit "
    "(tracemalloc: numpy arrays, not torch's CPU tensors). max-RSS growth: rise of the "
    "process's peak resident memory during the fit (getrusage; counts torch, but only "
    "beyond the largest footprint reached earlier in the run)."
)


def require(name):
    """Import an optional dependency, or fail saying how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(
            f"{name} is needed for this part of sklearn_ae.compare; install it with "
            f"`pip install 'sklearn-ae[compare]'` (or `pip install {name}`)."
        ) from exc


def _missing(row, key):
    if key == "mse":
        return "n/a: no inverse"
    if key == "knn_accuracy" or key == "transform_s_per_1000":
        return "n/a: no transform"
    if key == "trustworthiness":
        return "" if row["dim"] != 2 else "n/a"
    return ""


def _cells(row):
    return [
        _missing(row, key) if row.get(key) is None else fmt.format(row[key])
        for _, key, fmt in COLUMNS
    ]


def format_table(result):
    """A plain-text table of ``result.rows``, columns aligned."""
    lines = [[h for h, _, _ in COLUMNS], *(_cells(r) for r in result.rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    text = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    ]
    text.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(text)


def markdown_table(result):
    """``result.rows`` as a GitHub-flavoured markdown table."""
    out = [
        "| " + " | ".join(h for h, _, _ in COLUMNS) + " |",
        "|"
        + "|".join(
            "---" if k in ("method", "target", "settings") else "---:" for _, k, _ in COLUMNS
        )
        + "|",
    ]
    out += ["| " + " | ".join(_cells(r)) + " |" for r in result.rows]
    return "\n".join(out)


def to_markdown(result, figures=(), title=None, level=1):
    """A markdown section: settings, table, notes and links to ``figures``."""
    info = result.info
    hashes = "#" * level
    parts = [
        f"{hashes} {title or 'PCA vs t-SNE vs autoencoders: ' + result.dataset}",
        "",
        f"Data: {info['description']}; {info['n_train']} train rows, {info['n_test']} test "
        f"rows, {info['n_features']} features; random_state={info['random_state']}. "
        "Every metric is measured on the test rows.",
        "",
        markdown_table(result),
        "",
    ]
    notes = [*result.notes, MEMORY_NOTE]
    parts += [f"- {note}" for note in notes]
    for fig in figures:
        parts += ["", f"![{Path(fig).stem}]({Path(fig).name})"]
    return "\n".join(parts) + "\n"


def save_figures(result, out_dir):
    """Write ``<dataset>_maps.png`` and ``<dataset>_reconstructions.png``; return their paths."""
    matplotlib = require("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []

    if result.maps:
        n = len(result.maps)
        fig, axes = plt.subplots(1, n, figsize=(4 * n, 4), squeeze=False)
        for ax, (method, Z) in zip(axes[0], result.maps.items(), strict=True):
            points = ax.scatter(
                Z[:, 0],
                Z[:, 1],
                c=result.y_test,
                cmap="tab10",
                s=3,
                vmin=-0.5,
                vmax=9.5,
                rasterized=True,
            )
            row = next(r for r in result.rows if r["method"] == method and r["dim"] == 2)
            ax.set_title(f"{method}  (trust. {row['trustworthiness']:.3f})")
            ax.set_xticks([])
            ax.set_yticks([])
        cbar = fig.colorbar(points, ax=axes[0].tolist(), ticks=range(10), shrink=0.8)
        cbar.ax.set_yticklabels(result.target_names[:10])
        fig.suptitle(f"{result.dataset}: 2-d maps of the test rows, coloured by class")
        paths.append(out_dir / f"{result.dataset}_maps.png")
        fig.savefig(paths[-1], dpi=80)
        plt.close(fig)

    if result.reconstructions:
        images = [
            ("original", result.shown),
            *((f"{m} {d}-d", X) for (m, d), X in result.reconstructions.items()),
        ]
        n_cols = len(result.shown)
        fig, axes = plt.subplots(
            len(images), n_cols, figsize=(n_cols, 1.05 * len(images)), squeeze=False
        )
        for ax_row, (label, X) in zip(axes, images, strict=True):
            for ax, x in zip(ax_row, X, strict=True):
                ax.imshow(
                    np.clip(x.reshape(result.image_shape), 0, 1), cmap="gray_r", vmin=0, vmax=1
                )
                ax.set_xticks([])
                ax.set_yticks([])
            ax_row[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
        fig.suptitle(f"{result.dataset}: test images and their reconstructions", fontsize=9)
        paths.append(out_dir / f"{result.dataset}_reconstructions.png")
        fig.savefig(paths[-1], dpi=80, bbox_inches="tight")
        plt.close(fig)
    return paths


def write_report(result, out_dir, figures=True):
    """Write ``<dataset>.md`` (and the figures) into ``out_dir``; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = save_figures(result, out_dir) if figures else []
    md = out_dir / f"{result.dataset}.md"
    md.write_text(to_markdown(result, paths))
    return [md, *paths]
