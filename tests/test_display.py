"""The displays draw the numbers they are given: checked on figure objects, not pixels."""

import warnings

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from torch import nn

import sklearn_ae
from sklearn_ae import (
    ConvAE,
    FilterDisplay,
    LatentSpaceDisplay,
    LatentTraversalDisplay,
    LossCurveDisplay,
    ReconstructionDisplay,
    StackedAE,
    VariationalAE,
)

plt = pytest.importorskip("matplotlib.pyplot")

DIGITS = load_digits()
X, Y = DIGITS.data[:300] / 16.0, DIGITS.target[:300]
TINY = dict(max_iter=3, batch_size=64, random_state=0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def stacked():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 3 epochs, by design
        return StackedAE(4, hidden_layer_sizes=(16,), early_stopping=True, **TINY).fit(X)


def test_displays_are_exported_lazily():
    assert sklearn_ae.LatentSpaceDisplay is sklearn_ae._plot.LatentSpaceDisplay
    assert {"FilterDisplay", "ReconstructionDisplay"} <= set(sklearn_ae.__all__)


def test_reconstruction_images_from_estimator(stacked):
    _, ax = plt.subplots()
    display = ReconstructionDisplay.from_estimator(stacked, X, n_samples=5, ax=ax)
    assert display.ax_ is ax and display.figure_ is ax.figure
    expected = ((stacked.reconstruct(X[:5]) - X[:5]) ** 2).mean(axis=1)
    np.testing.assert_allclose(display.mse_, expected, rtol=1e-6)
    canvas = display.image_.get_array()
    assert canvas.shape == (2 * 8 + 1, 5 * 8 + 4)  # two rows of five 8x8 digits, 1 px apart
    np.testing.assert_allclose(canvas[:8, :8], X[0].reshape(8, 8))
    np.testing.assert_allclose(canvas[9:, 9:17], stacked.reconstruct(X[1:2]).reshape(8, 8))
    assert f"{expected.mean():.4g}" in ax.get_title()


def test_reconstruction_from_predictions_of_pca_and_bad_shapes():
    pca = PCA(5).fit(X)
    rec = pca.inverse_transform(pca.transform(X[:3]))
    display = ReconstructionDisplay.from_predictions(X[:3], rec, estimator_name="PCA")
    assert display.image_shape == (8, 8)
    assert display.ax_.get_title().startswith("PCA")
    # PCA's reconstructions dip below 0; the blank background of the originals
    # (0) must still show as the colour map's white, not grey.
    assert rec.min() < X[:3].min() == 0
    assert display.image_.get_clim() == (0.0, X[:3].max())
    with pytest.raises(ValueError, match="same order"):
        ReconstructionDisplay.from_predictions(X[:3], rec[:2])


def test_reconstruction_series_are_lines_with_offsets():
    t = np.linspace(0, 6, 24)
    series = np.sin(t + np.arange(3)[:, None])
    display = ReconstructionDisplay.from_predictions(series, 0.5 * series)
    assert display.image_ is None and len(display.lines_) == 6
    orig0, rec0, orig1 = display.lines_[:3]
    np.testing.assert_allclose(orig0.get_ydata(), series[0])
    np.testing.assert_allclose(rec0.get_ydata(), 0.5 * series[0])
    offset = orig1.get_ydata() - series[1]
    assert np.ptp(offset) < 1e-12 and offset[0] < -2  # its own band, below the first
    np.testing.assert_allclose(display.mse_, (0.5 * series) ** 2 @ np.ones(24) / 24)


def test_latent_map_from_codes_with_labels_and_values():
    codes = np.random.default_rng(0).normal(size=(50, 3))
    labels = np.repeat([0, 1, 2, 3, 4], 10)
    display = LatentSpaceDisplay.from_codes(codes, labels, dims=(2, 0))
    np.testing.assert_allclose(display.scatter_.get_offsets(), codes[:, [2, 0]])
    legend = display.ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["0", "1", "2", "3", "4"]
    # Beside the axes, never on the points.
    display.figure_.canvas.draw()
    axes_box = display.ax_.get_window_extent()
    assert legend.get_window_extent().x0 >= axes_box.x1
    assert display.figure_.get_window_extent().x1 >= legend.get_window_extent().x1
    assert display.ax_.get_xlabel() == "code 2"
    cont = LatentSpaceDisplay.from_codes(codes[:, :2], codes[:, 2])
    assert cont.ax_.get_legend() is None and len(cont.figure_.axes) == 2  # a colour bar
    with pytest.raises(ValueError, match="two of the 3"):
        LatentSpaceDisplay.from_codes(codes, dims=(0, 3))
    with pytest.raises(ValueError, match="49 entries"):
        LatentSpaceDisplay.from_codes(codes[:, :2], labels[:49])


def test_latent_map_from_estimator(stacked):
    display = LatentSpaceDisplay.from_estimator(stacked, X, Y, dims=(1, 3))
    np.testing.assert_allclose(
        display.scatter_.get_offsets(), stacked.transform(X)[:, [1, 3]], rtol=1e-6
    )
    assert "StackedAE" in display.ax_.get_title()


def test_loss_curves_and_best_epoch(stacked):
    display = LossCurveDisplay.from_estimator(stacked, log_scale=True)
    train, valid = display.lines_
    np.testing.assert_allclose(train.get_ydata(), stacked.loss_curve_)
    np.testing.assert_allclose(valid.get_ydata(), stacked.validation_loss_curve_)
    assert list(train.get_xdata()) == [1, 2, 3]
    assert display.best_epoch_ == int(np.argmin(stacked.validation_loss_curve_)) + 1
    assert display.ax_.get_yscale() == "log"
    ticks = display.ax_.get_xticks()
    assert np.array_equal(ticks, np.round(ticks))  # whole epochs, no 2.5
    no_valid = LossCurveDisplay([3.0, 2.0, 1.5]).plot()
    assert no_valid.best_epoch_ is None and len(no_valid.lines_) == 1
    with pytest.raises(ValueError, match="fit it first"):
        LossCurveDisplay.from_estimator(StackedAE())


def test_traversal_of_a_vae_prior_grid():
    vae = VariationalAE(2, hidden_layer_sizes=(16,), **TINY).fit(DIGITS.images[:300] / 16)
    display = LatentTraversalDisplay.from_estimator(vae, n_steps=4)
    assert display.images.shape == (4, 4, 8, 8)
    grid = norm.ppf(np.linspace(0.05, 0.95, 4))
    np.testing.assert_allclose(display.values[0], grid)
    np.testing.assert_allclose(display.values[1], grid[::-1])  # largest on top
    # Row 0, column 3: code (grid[3], grid[3]); row 3, column 0: (grid[0], grid[0]).
    top_right = vae.inverse_transform(np.array([[grid[3], grid[3]]]))[0]
    np.testing.assert_allclose(display.images[0, 3], top_right, rtol=1e-5)
    assert display.ax_.get_xlabel() == "code 0" and display.ax_.get_ylabel() == "code 1"


def test_traversal_of_one_dimension_over_the_codes_of_X(stacked):
    display = LatentTraversalDisplay.from_estimator(stacked, X, dims=2, n_steps=5)
    assert display.images.shape == (1, 5, 8, 8)
    codes = stacked.transform(X)
    np.testing.assert_allclose(
        display.values[0], np.quantile(codes[:, 2], np.linspace(0.05, 0.95, 5))
    )
    with pytest.raises(ValueError, match="of the 4 code"):
        LatentTraversalDisplay.from_estimator(stacked, dims=(0, 4))


def test_filters_of_dense_and_convolutional_models(stacked):
    display = FilterDisplay.from_estimator(stacked, n_filters=10)
    weight = stacked.module_.encoder_layers[0].weight.detach().numpy()
    np.testing.assert_allclose(display.filters, weight[:10].reshape(10, 8, 8), rtol=1e-6)
    canvas = display.image_.get_array()
    assert canvas.shape == (3 * 9 - 1, 4 * 9 - 1)  # ceil(sqrt(10)) = 4 per row
    assert np.nanmax(np.abs(canvas)) == pytest.approx(1.0)  # each filter scaled to itself
    conv = ConvAE(2, channels=(4,), **TINY).fit(DIGITS.images[:100] / 16)
    kernels = FilterDisplay.from_estimator(conv).filters
    assert kernels.shape == (4, 3, 3)


def test_filters_need_a_linear_or_conv_layer():
    class Recurrent:
        module_ = nn.GRU(3, 4)

    with pytest.raises(ValueError, match="no Linear or Conv2d"):
        FilterDisplay.from_estimator(Recurrent())
    with pytest.raises(ValueError, match="image_shape"):
        FilterDisplay.from_estimator(type("Tabular", (), {"module_": nn.Linear(7, 3)})())


def test_images_of_shape_n_h_w_are_drawn_as_images():
    from torch import nn

    from sklearn_ae import AutoEncoder

    images = DIGITS.images[:100] / 16  # (n, 8, 8)
    encoder = nn.Sequential(nn.Flatten(), nn.Linear(64, 4))
    decoder = nn.Sequential(nn.Linear(4, 64), nn.Unflatten(1, (8, 8)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae = AutoEncoder(encoder, decoder, **TINY).fit(images)
    display = ReconstructionDisplay.from_estimator(ae, images, n_samples=3)
    # Two rows of three 8x8 images (it drew the first column as lines before).
    assert display.lines_ == [] and display.image_shape == (8, 8)
    canvas = display.image_.get_array()
    assert canvas.shape == (2 * 8 + 1, 3 * 8 + 2)
    np.testing.assert_allclose(canvas[:8, 9:17], images[1])
    np.testing.assert_allclose(canvas[9:, :8], ae.reconstruct(images[:1])[0], rtol=1e-6)
    traversal = LatentTraversalDisplay.from_estimator(ae, images, dims=(0, 1), n_steps=3)
    assert traversal.images.shape == (3, 3, 8, 8)  # the fitted (8, 8), not a guess


def test_traversal_values_in_code_units():
    vae = VariationalAE(2, hidden_layer_sizes=(16,), **TINY).fit(DIGITS.images[:300] / 16)
    walk = np.linspace(-2, 2, 7)
    display = LatentTraversalDisplay.from_estimator(vae, values=walk)
    assert display.images.shape == (7, 7, 8, 8)
    np.testing.assert_allclose(display.values[0], walk)
    np.testing.assert_allclose(display.values[1], walk[::-1])  # largest on top
    top_right = vae.inverse_transform(np.array([[2.0, 2.0]]))[0]
    np.testing.assert_allclose(display.images[0, -1], top_right, rtol=1e-5)
    # One list per dimension; with X, the other dimensions sit at its median code.
    codes = vae.transform(X)
    one = LatentTraversalDisplay.from_estimator(vae, X, dims=1, values=[[0.5, -1.0, 0.0]])
    np.testing.assert_allclose(one.values[0], [-1.0, 0.0, 0.5])
    middle = vae.inverse_transform(np.array([[np.median(codes[:, 0]), 0.0]]))[0]
    np.testing.assert_allclose(one.images[0, 1], middle, rtol=1e-5)
    with pytest.raises(ValueError, match="finite code values"):
        LatentTraversalDisplay.from_estimator(vae, values=[np.nan, 1.0])
