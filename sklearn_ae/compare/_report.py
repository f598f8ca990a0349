"""The comparison as a text table, a markdown page and PNG figures."""

import importlib
import os
from pathlib import Path

import numpy as np

__all__ = [
    "format_table",
    "require",
    "save_figures",
    "save_maps_figure",
    "to_markdown",
    "write_report",
]

# (header, row key, format); None values are explained by _missing.
COLUMNS = [
    ("method", "method", "{}"),
    ("dim", "dim", "{}"),
    # Significant digits, not decimals: GunPoint's errors (0.0009x) must show
    # how LinearAE's compares with PCA's ("PCA + 1 %: 0.0009224").
    ("test MSE/pixel", "mse", "{:.4g}"),
    ("trustworthiness (k=5)", "trustworthiness", "{:.3f}"),
    ("5-NN accuracy", "knn_accuracy", "{:.3f}"),
    ("fit (s)", "fit_s", "{:.1f}"),
    ("threads", "threads", "{}"),
    ("transform (s/1000 rows)", "transform_s_per_1000", "{:.4f}"),
    ("Python peak (MB)", "python_peak_mb", "{:.0f}"),
    ("max-RSS growth (MB)", "rss_growth_mb", "{:.0f}"),
    ("target", "target", "{}"),
    ("settings", "settings", "{}"),
]

# The printed table: what fits in 100 columns (the markdown page has all).
# (header, row key, format, right-aligned)
PRINTED = [
    ("method", "method", "{}", False),
    ("dim", "dim", "{}", True),
    ("test MSE", "mse", "{:.4g}", True),
    ("trust.", "trustworthiness", "{:.3f}", True),
    ("5-NN acc.", "knn_accuracy", "{:.3f}", True),
    ("fit s", "fit_s", "{:.1f}", True),
    ("ms/1k rows", "transform_s_per_1000", "{:.1f}", True),
    ("target", "target", "{}", False),
]
PRINT_WIDTH = 100

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


def _printed_cell(row, key, fmt):
    value = row.get(key)
    if value is None:
        return "-"
    if key == "transform_s_per_1000":
        value = value * 1000  # milliseconds per 1000 rows
    if key == "target":  # the thresholds are in the markdown page
        return "; ".join(v.split(" (")[0] for v in value.split("; ")) if value else ""
    return fmt.format(value)


def format_table(result, width=PRINT_WIDTH):
    """A plain-text table of ``result.rows`` in at most ``width`` columns.

    The main metrics only: memory, settings and the targets' thresholds are
    in the markdown page (:func:`to_markdown`). "-" marks a metric the method
    does not have (see the notes); the MSE is per pixel (per value for series).
    """
    lines = [[h for h, *_ in PRINTED]]
    lines += [[_printed_cell(r, key, fmt) for _, key, fmt, _ in PRINTED] for r in result.rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(PRINTED))]
    # The free-text columns give way when the table is too wide.
    for i in (len(PRINTED) - 1, 0):
        excess = sum(widths) + 2 * (len(widths) - 1) - width
        if excess > 0:
            widths[i] = max(len(PRINTED[i][0]), widths[i] - excess)

    def fit(text, w):
        return text if len(text) <= w else text[: w - 1] + "~"

    text = [
        "  ".join(
            fit(c, w).rjust(w) if right else fit(c, w).ljust(w)
            for c, w, (*_, right) in zip(line, widths, PRINTED, strict=True)
        ).rstrip()
        for line in lines
    ]
    text.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(text)


def _headers(result):
    """COLUMNS' headers; series have values, not pixels."""
    per = "value" if getattr(result, "kind", "image") == "series" else "pixel"
    return [h.replace("/pixel", "/" + per) for h, _, _ in COLUMNS]


def markdown_table(result):
    """``result.rows`` as a GitHub-flavoured markdown table."""
    out = [
        "| " + " | ".join(_headers(result)) + " |",
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
        parts += ["", f"![{Path(fig).stem}]({Path(fig).as_posix()})"]
    return "\n".join(parts) + "\n"


def _class_colours(result, plt):
    """Colour index per test row, the colour map, and whether a legend is readable."""
    classes, index = np.unique(result.y_test, return_inverse=True)
    cmap = plt.get_cmap("tab10" if len(classes) <= 10 else "turbo", max(len(classes), 2))
    return classes, index, cmap


def save_maps_figure(result, path):
    """PCA's, t-SNE's and each autoencoder's 2-d map of the test rows, side by side.

    One panel per 2-d method (at most four to a row), coloured by class, each titled
    with the method's trustworthiness and 5-NN accuracy. Returns ``path``, or
    None when no method made a 2-d map.
    """
    if not result.maps:
        return None
    matplotlib = require("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    classes, index, cmap = _class_colours(result, plt)
    n = len(result.maps)
    # At most four to a row, rows as evenly filled as that allows (five maps:
    # 3 + 2, not 4 + 1).
    n_rows = -(-n // 4)
    n_cols = -(-n // n_rows)
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(4.6 * n_cols, 4.6 * n_rows + 0.8), squeeze=False
    )
    size = float(np.clip(3000 / max(len(index), 1), 2, 30))
    for ax, (method, Z) in zip(axes.flat, result.maps.items(), strict=False):
        ax.scatter(
            Z[:, 0],
            Z[:, 1],
            c=index,
            cmap=cmap,
            vmin=-0.5,
            vmax=cmap.N - 0.5,
            s=size,
            linewidths=0,
            rasterized=True,
        )
        row = next(r for r in result.rows if r["method"] == method and r["dim"] == 2)
        stats = [f"trust. {row['trustworthiness']:.3f}"]
        if row.get("knn_accuracy") is not None:
            stats.append(f"5-NN {row['knn_accuracy']:.3f}")
        ax.set_title(f"{method}\n{', '.join(stats)}", fontsize=12)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.flat[n:]:
        ax.axis("off")
    if len(classes) <= 10:
        names = result.target_names or [str(c) for c in classes]
        handles = [
            plt.Line2D([], [], marker="o", ls="", color=cmap(i), label=str(name))
            for i, name in enumerate(names[: len(classes)])
        ]
        fig.legend(
            handles=handles,
            loc="lower center",
            ncol=len(handles),
            fontsize=11,
            frameon=False,
            markerscale=1.5,
        )
    fig.suptitle(
        f"{result.dataset}: 2-d maps of the {len(index)} test rows, coloured by class",
        fontsize=14,
    )
    fig.tight_layout(rect=(0, 0.06 if len(classes) <= 10 else 0, 1, 0.97))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _save_reconstructions(result, path, plt):
    images = [
        ("original", result.shown),
        *((f"{m} {d}-d", X) for (m, d), X in result.reconstructions.items()),
    ]
    n_cols = len(result.shown)
    if result.kind == "series":
        # One panel per shown series: the original in black, each model's line over it.
        fig, axes = plt.subplots(1, n_cols, figsize=(4 * n_cols, 3), squeeze=False)
        steps, channels = result.image_shape
        for j, ax in enumerate(axes[0]):
            for label, X in images:
                series = X[j].reshape(steps, channels)[:, 0]
                style = {"color": "black", "lw": 2} if label == "original" else {"lw": 1}
                ax.plot(series, label=label, **style)
            ax.set_title(f"class {result.target_names[j]}" if result.target_names else "")
        axes[0, -1].legend(fontsize=7, loc="best")
        fig.suptitle(f"{result.dataset}: test series (channel 0) and reconstructions", y=1.04)
    else:
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
    fig.savefig(path, dpi=80, bbox_inches="tight")
    plt.close(fig)
    return path


def save_figures(result, out_dir, maps_path=None):
    """Write the 2-d maps and the reconstructions as PNG files; return their paths.

    ``<dataset>_maps.png`` (or ``maps_path``) and ``<dataset>_reconstructions.png``
    in ``out_dir``.
    """
    matplotlib = require("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    maps = save_maps_figure(result, maps_path or out_dir / f"{result.dataset}_maps.png")
    if maps is not None:
        paths.append(maps)
    if result.reconstructions:
        paths.append(
            _save_reconstructions(result, out_dir / f"{result.dataset}_reconstructions.png", plt)
        )
    return paths


def write_report(result, out_dir, figures=True, maps_path=None):
    """Write ``<dataset>.md`` (and the figures) into ``out_dir``; return the paths.

    ``maps_path`` puts the figure of 2-d maps there instead of ``out_dir``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = save_figures(result, out_dir, maps_path) if figures else []
    md = out_dir / f"{result.dataset}.md"
    md.write_text(to_markdown(result, [os.path.relpath(p, out_dir) for p in paths]))
    return [md, *paths]
