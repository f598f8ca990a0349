"""The ``sklearn-ae`` command: version, help without torch, one-line errors."""

import subprocess
import sys
import time

import pytest

import sklearn_ae
from sklearn_ae._cli import main


def _run(*args, code=None):
    cmd = [sys.executable, *(["-c", code] if code else ["-m", "sklearn_ae"]), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"sklearn-ae {sklearn_ae.__version__}"
    assert sklearn_ae.__version__[0].isdigit()


def test_no_arguments_prints_help(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: sklearn-ae") and "compare" in out


def test_help_does_not_import_torch_and_is_much_faster_than_importing_it():
    # sys.modules in a fresh interpreter after --help: nothing heavy was imported.
    probe = (
        "import sys, runpy; sys.argv = ['sklearn-ae', '--help']\n"
        "try:\n    runpy.run_module('sklearn_ae', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('HEAVY', sorted(m for m in ('torch', 'sklearn', 'numpy', 'skorch') "
        "if m in sys.modules))"
    )
    result = _run(code=probe)
    assert result.returncode == 0, result.stderr
    assert "usage: sklearn-ae" in result.stdout
    assert result.stdout.strip().endswith("HEAVY []")
    # A ratio, not an absolute time: the machine may be busy. The best of two
    # interleaved runs each, so that one burst of load cannot decide it.
    runs = {"help": lambda: _run("--help"), "torch": lambda: _run(code="import torch")}
    seconds = {name: [] for name in runs}
    for _ in range(2):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    assert min(seconds["help"]) < 0.5 * min(seconds["torch"]), seconds


def test_missing_data_offline_is_one_clear_line(tmp_path, monkeypatch, capsys):
    import urllib.error
    import urllib.request

    def offline(url, *args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    assert main(["compare", "--dataset", "mnist", "--data-home", str(tmp_path)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("sklearn-ae compare: error: Could not download")
    assert f"put it at {tmp_path}" in lines[0]


def test_cli_lists_match_the_compare_package():
    # The CLI spells them out so that --help imports nothing heavy.
    from sklearn_ae import _cli
    from sklearn_ae.compare import DATASETS, DEFAULT_METHODS

    assert _cli.DATASET_NAMES == tuple(DATASETS)
    assert _cli.DEFAULT_METHODS == DEFAULT_METHODS


def test_list_methods_names_rows_and_unavailable_ones(capsys):
    assert main(["compare", "--list-methods"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "StackedAE" in lines["stacked"] and "PCA" in lines["pca"]
    assert "stacked-umap" in lines  # listed even before its parameter exists
