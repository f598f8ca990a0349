"""
=====================================
Denoising digits with a DenoisingAE
=====================================

A :class:`~sklearn_ae.DenoisingAE` sees each training digit with a quarter
of its pixels set to zero and learns to restore them. Given corrupted test
digits, it reconstructs them closer to the clean images than the same network
trained on clean data, which has learned to copy whatever it is given.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_ae import DenoisingAE, StackedAE

# The budgets are cut short so that the documentation builds in minutes:
# the ConvergenceWarning that says so is expected here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
masked = X_test * (np.random.default_rng(0).random(X_test.shape) >= 0.25)

net = dict(n_components=32, hidden_layer_sizes=(128,), max_iter=30, batch_size=32, random_state=0)
clean_ae = StackedAE(**net).fit(X_train)
denoising_ae = DenoisingAE(noise="masking", noise_level=0.25, **net).fit(X_train)

for name, model in [("StackedAE", clean_ae), ("DenoisingAE", denoising_ae)]:
    mse = np.mean((model.reconstruct(masked) - X_test) ** 2)
    print(f"{name:12s} MSE to the clean digits: {mse:.4f}")

# %%
# Rows: clean, masked, restored by the clean-trained and by the denoising model.
rows = [X_test, masked, clean_ae.reconstruct(masked), denoising_ae.reconstruct(masked)]
titles = ["clean", "masked", "StackedAE", "DenoisingAE"]
fig, axes = plt.subplots(4, 8, figsize=(8, 4.5))
for r, (images, title) in enumerate(zip(rows, titles, strict=True)):
    axes[r, 0].set_ylabel(title, fontsize=8)
    for c in range(8):
        axes[r, c].imshow(images[c].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[r, c].set_xticks([])
        axes[r, c].set_yticks([])
fig.tight_layout()
