"""
==========================================
Looking at what an autoencoder learned
==========================================

The displays of :mod:`sklearn_ae` draw what users look at first after a
``fit``, in scikit-learn's style (``Display.from_estimator(...)``, then
``.plot(ax=...)`` to redraw): the loss curves, the 2-d map of the codes, the
reconstructions and the first layer's filters. Here a
:class:`~sklearn_ae.StackedAE` with a 2-number code is fitted on the 8x8
digits, with early stopping on a validation split.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from sklearn_ae import (
    FilterDisplay,
    LatentSpaceDisplay,
    LossCurveDisplay,
    ReconstructionDisplay,
    StackedAE,
)

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixels in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
ae = StackedAE(
    2,
    hidden_layer_sizes=(64, 32),
    early_stopping=True,
    learning_rate_init=0.003,
    max_iter=150,
    random_state=0,
).fit(X_train)
print(f"stopped after {ae.n_iter_} epochs; best validation loss {ae.best_validation_loss_:.4f}")

# %%
# Loss curves
# -----------
# Training and validation loss per epoch; the dotted line marks the epoch
# whose weights early stopping kept (a log scale shows the late epochs too).
LossCurveDisplay.from_estimator(ae, log_scale=True)
plt.show()

# %%
# The 2-d map of the codes, next to PCA's
# ---------------------------------------
# Held-out digits, coloured by their label (which neither model saw). The
# autoencoder's nonlinear map separates more digits than PCA's plane.
fig, (ax_ae, ax_pca) = plt.subplots(1, 2, figsize=(12, 5))
LatentSpaceDisplay.from_estimator(ae, X_test, y_test, ax=ax_ae)
LatentSpaceDisplay.from_estimator(PCA(2).fit(X_train), X_test, y_test, ax=ax_pca)
fig.tight_layout()
plt.show()

# %%
# Reconstructions
# ---------------
# Two numbers per digit are not much: the reconstructions are blurred
# prototypes of each digit, and look-alike digits (3, 5, 8) get mixed up.
ReconstructionDisplay.from_estimator(ae, X_test, n_samples=10)
plt.show()

# %%
# First-layer filters
# -------------------
# The weights of the first 64 units, each scaled to its own range (red
# positive, blue negative): stroke and blob detectors at the places where
# digits differ. The border pixels, always blank in these digits, get no
# structure.
FilterDisplay.from_estimator(ae)
plt.show()
