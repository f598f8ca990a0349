"""The tutorials' architectures (docs/user_guide/tutorials.rst) are one call each."""

import textwrap
import warnings

import numpy as np
import pytest

from sklearn_ae import ConvAE, RecurrentAE, SparseAE, StackedAE, VariationalAE
from sklearn_ae.datasets import fetch_mnist

# Exactly the calls of the user guide's table.
TUTORIALS = {
    "basic": lambda: StackedAE(
        n_components=32, hidden_layer_sizes=(), code_activation="relu", loss="bce"
    ),
    "sparse": lambda: SparseAE(
        n_components=32, hidden_layer_sizes=(), sparsity="l1", sparsity_weight=1e-4, loss="bce"
    ),
    "deep": lambda: StackedAE(
        n_components=32, hidden_layer_sizes=(128, 64), code_activation="relu", loss="bce"
    ),
    "tied": lambda: StackedAE(
        n_components=32, hidden_layer_sizes=(128, 64), tied_weights=True, loss="bce"
    ),
    "convolutional": lambda: ConvAE(
        n_components=72,
        image_shape=(28, 28),
        channels=(16, 8, 8),
        sampling="pool",
        bottleneck="conv",
        code_activation="relu",
        loss="bce",
    ),
    "denoising": lambda: ConvAE(
        n_components=1568,
        image_shape=(28, 28),
        channels=(32, 32),
        sampling="pool",
        bottleneck="conv",
        code_activation="relu",
        loss="bce",
        noise="gaussian",
        noise_level=0.5,
    ),
    "variational": lambda: VariationalAE(n_components=2, hidden_layer_sizes=(512,), loss="bce"),
}


@pytest.fixture(scope="module")
def mnist(shared_data):
    X = fetch_mnist(data_home=shared_data, subset="test").data[:400]
    return (X / 255.0).astype(np.float32) if X.max() > 1 else X.astype(np.float32)


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_architecture_is_one_call_that_learns(name, mnist):
    ae = TUTORIALS[name]().set_params(max_iter=3, random_state=0)
    codes = ae.fit_transform(mnist)
    assert codes.shape[0] == len(mnist)
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]
    assert ae.reconstruct(mnist[:5]).shape == (5, 784)


def test_recurrent_tutorial_stacks_100_then_30_units():
    t = np.linspace(0, 6, 40)
    X = np.sin(t + np.random.default_rng(0).uniform(0, 6, (60, 1)))
    ae = RecurrentAE(n_components=30, hidden_layer_sizes=(100, 30), max_iter=3, random_state=0)
    assert ae.fit_transform(X).shape == (60, 30)
    sizes = [m.hidden_size for m in ae.module_.modules() if hasattr(m, "hidden_size")]
    assert 100 in sizes and 30 in sizes


def test_the_tutorials_page_code_runs():
    # Every code block of docs/user_guide/tutorials.rst, in order, on a few
    # random images of MNIST's shape (the page's ``images``): the page's code
    # stays runnable, and its outputs have the shapes it says.
    import re
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    page = Path(__file__).resolve().parents[1] / "docs" / "user_guide" / "tutorials.rst"
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", page.read_text())
    assert len(blocks) == 3
    rng = np.random.default_rng(0)
    namespace = {
        "np": np,
        "images": rng.random((64, 1, 28, 28)).astype(np.float32),
        "images_val": rng.random((16, 1, 28, 28)).astype(np.float32),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # two epochs on noise, on purpose
        for block in blocks:
            exec(textwrap.dedent(block), namespace)
    assert len(namespace["pipe"][-1].validation_loss_curve_) == namespace["pipe"][-1].n_iter_
    assert namespace["vae"].sample(3).shape == (3, 1, 28, 28)
    assert namespace["codes"].shape == (64, 32)
    assert namespace["reconstructions"].shape == (16, 1, 28, 28)
