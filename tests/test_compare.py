"""The ``sklearn-ae compare`` command and the sklearn_ae.compare library behind it."""

import struct
import subprocess
import sys

import pytest

from sklearn_ae._cli import main
from sklearn_ae.compare import METHODS, MethodSpec, run_comparison
from sklearn_ae.compare._methods import resolve_method
from sklearn_ae.compare._targets import check_targets

pytest.importorskip("matplotlib")

# Tiny settings: the point is that everything runs and is reported, not quality.
ARGS = [
    "compare",
    "--dataset",
    "digits",
    "--methods",
    "pca,tsne,LinearAE,stacked",
    "--dims",
    "2,8",
    "--n-train",
    "300",
    "--n-test",
    "100",
    "--max-iter",
    "3",
    "--hidden",
    "16",
    "--quiet",
    "--threads",
    "1",
]
TIME_COLUMNS = ("fit (s)", "transform (s/1000 rows)", "Python peak (MB)", "max-RSS growth (MB)")


def _run(out, capsys=None):
    assert main([*ARGS, "--out", str(out)]) == 0
    return (out / "digits.md").read_text()


def _png_size(path):
    """(width, height) in pixels, from the PNG header."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _metric_table(markdown):
    """The table's rows with the time and memory columns dropped."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    keep = [i for i, h in enumerate(header) if h not in TIME_COLUMNS]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]
    return header, [[row[i] for i in keep] for row in rows]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    with pytest.MonkeyPatch.context() as mp:
        printed = []
        mp.setattr("builtins.print", lambda *a, **k: printed.append(" ".join(map(str, a))))
        markdown = _run(out)
    return out, markdown, "\n".join(printed)


def test_compare_writes_table_and_figures(first_run):
    out, markdown, _ = first_run
    header, rows = _metric_table(markdown)
    for metric in (
        "test MSE/pixel",
        "trustworthiness (k=5)",
        "5-NN accuracy",
        "fit (s)",
        "transform (s/1000 rows)",
        "Python peak (MB)",
        "target",
    ):
        assert metric in header
    # Rows carry the names users know, whatever name selected the method.
    assert sorted({(r[0], r[1]) for r in rows}) == sorted(
        [(m, d) for m in ("PCA", "LinearAE", "StackedAE") for d in ("2", "8")] + [("TSNE", "2")]
    )
    tsne = next(r for r in rows if r[0] == "TSNE")
    assert "n/a: no transform" in tsne and "n/a: no inverse" in tsne
    assert "embedding the test rows" in markdown
    assert "settings" in header and "max-RSS growth (MB)" in header
    # Four 2-d maps side by side, each panel some 460 pixels wide.
    width, height = _png_size(out / "digits_maps.png")
    assert width >= 4 * 400 and height >= 400
    _png_size(out / "digits_reconstructions.png")
    assert "![digits_maps](digits_maps.png)" in markdown


def test_printed_table_fits_100_columns(first_run):
    out, markdown, printed = first_run
    table = printed.split("\nnote:")[0].splitlines()
    assert table[0].split()[:3] == ["method", "dim", "test"]
    # Table and notes; the paths printed after them are as long as the user made them.
    body = printed.split("\nfull table")[0]
    assert max(len(line) for line in body.splitlines()) <= 100
    assert {line.split()[0] for line in table[2:]} == {"PCA", "TSNE", "LinearAE", "StackedAE"}
    # The markdown page keeps what the printed table leaves out.
    assert "Python peak (MB)" not in printed and "Python peak (MB)" in markdown
    assert f"full table (memory, settings, targets): {out / 'digits.md'}" in printed


def test_compare_is_reproducible(first_run, tmp_path):
    _, markdown, _ = first_run
    assert _metric_table(_run(tmp_path)) == _metric_table(markdown)


def test_figure_option_saves_the_maps_where_asked(tmp_path):
    figure = tmp_path / "figs" / "maps.png"
    argv = ["compare", "--methods", "pca,tsne", "--dims", "2", "--n-train", "200"]
    argv += ["--n-test", "80", "--quiet", "--threads", "1", "--out", str(tmp_path / "out")]
    assert main([*argv, "--figure", str(figure)]) == 0
    width, _ = _png_size(figure)
    assert width >= 2 * 400
    assert not (tmp_path / "out" / "digits_maps.png").exists()
    assert "](../figs/maps.png)" in (tmp_path / "out" / "digits.md").read_text()


def test_methods_by_key_or_class_name():
    assert resolve_method("StackedAE") == resolve_method("stackedae") == "stacked"
    assert resolve_method("TSNE") == "tsne" and resolve_method("LinearAE") == "linear"
    # The class name alone means the plain estimator, not a variant of it.
    assert resolve_method("stacked-umap") == "stacked-umap"
    with pytest.raises(ValueError, match="Unknown method 'nope'"):
        resolve_method("nope")


def test_method_with_a_missing_parameter_is_skipped_with_a_note(monkeypatch):
    # The marked place for the neighbour-preserving StackedAE being built elsewhere.
    spec = METHODS["stacked-umap"]
    assert (spec.estimator, spec.params, spec.label) == (
        "StackedAE",
        {"neighbor_loss": "umap"},
        "StackedAE (UMAP loss)",
    )
    fake = MethodSpec(
        "stacked-future",
        "StackedAE (future)",
        "not yet",
        estimator="StackedAE",
        params={"no_such_parameter": 1},
    )
    monkeypatch.setitem(METHODS, "stacked-future", fake)
    result = run_comparison(
        "digits", ["pca", "stacked-future"], [2], n_train=100, n_test=50, n_threads=1
    )
    assert [r["method"] for r in result.rows] == ["PCA"]
    assert any(
        "StackedAE (future) skipped: StackedAE has no parameter no_such_parameter" in n
        for n in result.notes
    )


@pytest.mark.parametrize(
    ("dataset", "n_train", "kind", "n_features"),
    [
        ("olivetti", 120, "image", 4096),
        ("gunpoint", 50, "series", 150),
        ("basicmotions", 40, "series", 600),
    ],
)
def test_fetched_data_sets(shared_data, tmp_path, dataset, n_train, kind, n_features):
    methods = ["pca", "stacked"] + (["recurrent"] if kind == "series" else [])
    result = run_comparison(
        dataset,
        methods,
        [2],
        data_home=shared_data,
        n_train=n_train,
        n_test=40,
        ae_params={"max_iter": 2, "hidden_layer_sizes": (8,)},
        n_threads=1,
    )
    assert result.kind == kind and result.info["n_features"] == n_features
    assert [r["method"] for r in result.rows] == [
        {"pca": "PCA", "stacked": "StackedAE", "recurrent": "RecurrentAE"}[m] for m in methods
    ]
    pca = result.rows[0]
    assert 0 < pca["mse"] < 1.5 and pca["knn_accuracy"] > 0
    from sklearn_ae.compare import write_report

    paths = write_report(result, tmp_path)
    assert [p.name for p in paths] == [
        f"{dataset}.md",
        f"{dataset}_maps.png",
        f"{dataset}_reconstructions.png",
    ]
    if kind == "series":
        assert "test MSE/value" in paths[0].read_text()


def test_unknown_dataset_is_one_clear_line(capsys):
    assert main(["compare", "--dataset", "nope"]) == 1
    err = capsys.readouterr().err.strip()
    assert "Unknown dataset 'nope'" in err and "olivetti" in err and len(err.splitlines()) == 1


def test_targets_report_met_and_missed():
    rows = [
        {"method": "PCA", "key": "pca", "dim": 30, "mse": 0.0177},
        {"method": "LinearAE", "key": "linear", "dim": 30, "mse": 0.0178},
        {"method": "StackedAE", "key": "stacked", "dim": 30, "mse": 0.0050},
        {"method": "StackedAE", "key": "stacked", "dim": 2, "mse": 0.04, "trustworthiness": 0.97},
    ]
    check_targets("mnist", rows)
    assert rows[0]["target"] == ""
    assert rows[1]["target"].startswith("met")
    assert rows[2]["target"].startswith("missed")
    assert rows[3]["target"].startswith("met")


def test_library_api_rows():
    result = run_comparison(
        "digits", ["pca"], [2], n_train=200, n_test=60, random_state=0, n_threads=1
    )
    (row,) = result.rows
    assert row["method"] == "PCA" and row["key"] == "pca"
    assert 0 < row["mse"] < 1 and 0.5 < row["trustworthiness"] <= 1
    assert result.maps["PCA"].shape == (60, 2)


def test_unknown_method_is_an_error(tmp_path, capsys):
    assert main(["compare", "--methods", "pca,nope", "--out", str(tmp_path)]) == 2
    assert "nope" in capsys.readouterr().err


def test_python_m_help():
    proc = subprocess.run(
        [sys.executable, "-m", "sklearn_ae", "compare", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert "--dims" in proc.stdout and "--methods" in proc.stdout


def test_the_t_sne_loss_row_is_a_2d_map():
    result = run_comparison(
        "digits",
        ["stacked-tsne"],
        [2, 8],
        n_train=300,
        n_test=100,
        ae_params={"max_iter": 5},
        n_threads=1,
    )
    # One row, at 2-d only: a map is what the t-SNE loss is for.
    assert [(r["method"], r["dim"]) for r in result.rows] == [("StackedAE (t-SNE loss)", 2)]
    assert METHODS["stacked-tsne"].params == {"neighbor_loss": "tsne"}
    assert 0.5 < result.rows[0]["trustworthiness"] <= 1.0, result.rows[0]


def test_a_missing_package_is_named_as_pip_installs_it(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    from sklearn_ae.compare._methods import unavailable_reason

    assert unavailable_reason("umap") == "needs the umap package (pip install umap-learn)"


def test_threads_default_to_one_for_small_t_sne_and_to_the_idle_cores_else(monkeypatch):
    import torch

    from sklearn_ae.compare import _runner

    # The case that cost 23-61 s instead of 2 s on a busy machine.
    assert _runner._auto_threads("tsne", 450) == 1
    monkeypatch.setattr(_runner.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(_runner, "idle_cores", lambda window: 2.0)  # a quiet 2-core machine
    result = run_comparison("digits", ["pca", "tsne"], [2], n_train=100, n_test=50)
    # Never above what the process is set to use (a test worker's one thread).
    assert [row["threads"] for row in result.rows] == [min(2, torch.get_num_threads()), 1]
    monkeypatch.setattr(torch, "get_num_threads", lambda: 4)  # as torch is set by default
    assert _runner._auto_threads("stacked", 1347) == 2
    assert _runner._auto_threads("tsne", 20_000) == 2
    monkeypatch.setattr(_runner, "idle_cores", lambda window: 0.9)  # one of 2 cores busy
    assert _runner._auto_threads("stacked", 1347) == 1
