"""The ``sklearn-ae compare`` command and the sklearn_ae.compare library behind it."""

import subprocess
import sys

import pytest

from sklearn_ae._cli import main
from sklearn_ae.compare import run_comparison
from sklearn_ae.compare._targets import check_targets

pytest.importorskip("matplotlib")

# Tiny settings: the point is that everything runs and is reported, not quality.
ARGS = [
    "compare",
    "--dataset",
    "digits",
    "--methods",
    "pca,tsne,linear,stacked",
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


def _run(out):
    assert main([*ARGS, "--out", str(out)]) == 0
    return (out / "digits.md").read_text()


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
    return out, _run(out)


def test_compare_writes_table_and_figures(first_run, capsys):
    out, markdown = first_run
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
    assert sorted({(r[0], r[1]) for r in rows}) == sorted(
        [(m, d) for m in ("pca", "linear", "stacked") for d in ("2", "8")] + [("tsne", "2")]
    )
    tsne = next(r for r in rows if r[0] == "tsne")
    assert "n/a: no transform" in tsne and "n/a: no inverse" in tsne
    assert "embedding the test rows" in markdown
    for png in ("digits_maps.png", "digits_reconstructions.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_is_reproducible(first_run, tmp_path):
    _, markdown = first_run
    assert _metric_table(_run(tmp_path)) == _metric_table(markdown)


def test_targets_report_met_and_missed():
    rows = [
        {"method": "pca", "dim": 30, "mse": 0.0177},
        {"method": "linear", "dim": 30, "mse": 0.0178},
        {"method": "stacked", "dim": 30, "mse": 0.0050},
        {"method": "stacked", "dim": 2, "mse": 0.04, "trustworthiness": 0.97},
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
    assert row["method"] == "pca" and 0 < row["mse"] < 1 and 0.5 < row["trustworthiness"] <= 1
    assert result.maps["pca"].shape == (60, 2)


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
