"""The documentation builds offline with warnings as errors, and its pages render.

The build runs the gallery (every ``examples/plot_*.py``) and takes minutes, so
it happens once per test run: under pytest-xdist the first worker to get here
builds and the others wait for it and reuse the result.
headless Chromium then renders three pages to PNG under
``docs/_build/screenshots`` (git-ignored), and the test checks they are not blank.

``.ci/run`` sets ``SKLEARN_AE_CI=1``: there a missing Sphinx or Chromium is a
failure, not a skip.
"""

import fcntl
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sklearn_ae

from .conftest import NO_DATA_REASON, SHARED_DATA

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
HTML = BUILD / "html"
IN_CI = os.environ.get("SKLEARN_AE_CI") == "1"


def _require(condition, reason):
    if not condition:
        if IN_CI:
            pytest.fail(f"CI must run this check, but it {reason}")
        pytest.skip(f"this check {reason}")


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if path := shutil.which(name):
            return path
    return None


@pytest.fixture(scope="session")
def built_docs():
    for module in ("sphinx", "sphinx_gallery", "numpydoc", "pydata_sphinx_theme", "matplotlib"):
        try:
            __import__(module)
        except ImportError:
            _require(False, f"needs {module} (install the dev extra: sh scripts/install.sh dev)")
    # The gallery reads the same local data as the tests and never downloads.
    _require(SHARED_DATA.is_dir(), NO_DATA_REASON)
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    stamp = BUILD / "built-by-test-run"
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second xdist worker waits here
        # The stamp holds the run's id, the exit status and the log, so a second
        # worker reuses the build, failed or not, instead of repeating it.
        if stamp.is_file() and stamp.read_text().startswith(run_id + "\n"):
            _, status, log = stamp.read_text().split("\n", 2)
        else:
            env = dict(
                os.environ,
                OMP_NUM_THREADS="1",
                MPLBACKEND="Agg",
                PYTHONPATH=str(ROOT),
                SKLEARN_AE_DATA=str(SHARED_DATA),
            )
            cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q"]
            start = time.perf_counter()
            result = subprocess.run(
                [*cmd, str(DOCS), str(HTML)], env=env, capture_output=True, text=True, timeout=3600
            )
            status = str(result.returncode)
            log = f"{time.perf_counter() - start:.0f} s\n{result.stdout}\n{result.stderr}"
            (BUILD / "build.log").write_text(log)
            stamp.write_text(f"{run_id}\n{status}\n{log}")
    assert status == "0", f"sphinx -W failed:\n{log[-6000:]}"
    return log


def test_docs_build_without_warnings(built_docs):
    assert "WARNING" not in built_docs and "ERROR" not in built_docs
    assert (HTML / "index.html").is_file()


def test_every_public_name_has_an_api_page(built_docs):
    names = [n for n in sklearn_ae.__all__ if not n.startswith("_")]
    missing = [n for n in names if not (HTML / "generated" / f"sklearn_ae.{n}.html").is_file()]
    assert not missing, f"add these to docs/api.rst: {missing}"
    for page in ("sklearn_ae.compare.run_comparison", "sklearn_ae.datasets.fetch_ucr"):
        assert (HTML / "generated" / f"{page}.html").is_file()
    stacked = (HTML / "generated" / "sklearn_ae.StackedAE.html").read_text()
    assert 'id="sklearn_ae.StackedAE.fit"' in stacked
    assert "Examples using" in stacked  # the gallery back-references


def test_every_example_ran_and_has_a_page(built_docs):
    examples = sorted(p.stem for p in (ROOT / "examples").glob("plot_*.py"))
    assert len(examples) >= 10
    for name in examples:
        page = (HTML / "auto_examples" / f"{name}.html").read_text()
        assert re.search(r"sphx_glr_\w+_00\d\.png", page), f"{name} drew no figure"
    landing = (HTML / "index.html").read_text()
    assert "sphx_glr_plot_compare_pca_tsne_ae_001.png" in landing


@pytest.mark.parametrize(
    "page",
    ["index.html", "generated/sklearn_ae.StackedAE.html", "auto_examples/plot_displays.html"],
)
def test_pages_render_in_a_headless_browser(built_docs, page):
    chromium = _chromium()
    _require(chromium, "needs Chromium (Debian: apt-get install chromium)")
    Image = pytest.importorskip("PIL.Image")
    shots = BUILD / "screenshots"
    shots.mkdir(exist_ok=True)
    png = shots / (page.replace("/", "_").replace(".html", ".png"))
    png.unlink(missing_ok=True)
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,1600",
            f"--screenshot={png}",
            (HTML / page).as_uri(),
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert png.is_file(), f"Chromium wrote no screenshot of {page}"
    image = Image.open(png).convert("L")
    assert image.size == (1280, 1600)
    histogram = image.histogram()
    # Not blank: no single grey level covers 97 % of the page, and text, figures
    # and the theme give many distinct levels.
    assert max(histogram) < 0.97 * sum(histogram)
    assert sum(1 for count in histogram if count) > 50


@pytest.mark.slow
def test_readme_quick_start_runs_without_warnings_and_beats_pca():
    readme = (ROOT / "README.md").read_text()
    snippet = readme.split("```python\n", 1)[1].split("```", 1)[0]
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", snippet],
        env=dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr == ""
    ae_mse, pca_mse = map(
        float, re.findall(r"autoencoder ([\d.]+), PCA ([\d.]+)", result.stdout)[0]
    )
    assert ae_mse < 0.9 * pca_mse
    assert float(result.stdout.rsplit(":", 1)[1]) > 0.85
    # The landing page shows the same snippet.
    assert "literalinclude:: ../README.md" in (DOCS / "index.rst").read_text()


def test_the_api_page_s_subclassing_example_trains():
    import textwrap

    from sklearn.base import clone
    from sklearn.datasets import load_digits

    section = (DOCS / "api.rst").read_text().split("subclass ``BaseAutoencoder``", 1)[1]
    code = textwrap.dedent(section.split(".. code-block:: python\n", 1)[1].split("\n.. ", 1)[0])
    short = "BottleneckAE(n_components=8, width=32, max_iter=3, random_state=0)"
    namespace = {"X": load_digits().data[:200] / 16}
    exec(code.replace("BottleneckAE(n_components=8, width=32)", short), namespace)
    assert namespace["codes"].shape == (200, 8)
    assert clone(namespace["model"]).get_params()["width"] == 32
