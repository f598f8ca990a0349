"""
Your own torch modules: a residual convolutional autoencoder
============================================================

:class:`sklearn_ae.AutoEncoder` trains any torch encoder and decoder with
everything the built-in estimators have (stopping rule, early stopping,
noise, devices, ``score``, pipelines, grid search). Here the encoder is a
small residual network for the 8x8 digits; ``input_shape`` tells the
estimator to hand it images ``(1, 8, 8)`` instead of rows of 64 pixels.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from torch import nn

from sklearn_ae import AutoEncoder

# The budgets are cut short so that the documentation builds in minutes:
# the ConvergenceWarning that says so is expected here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)


class ResidualBlock(nn.Module):
    """Two 3x3 convolutions with a skip connection around them."""

    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1),
        )

    def forward(self, x):
        return nn.functional.relu(x + self.body(x))


class Encoder(nn.Module):
    def __init__(self, n_components=8, channels=16):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, channels, 3, padding=1),
            ResidualBlock(channels),
            nn.MaxPool2d(2),  # 8x8 -> 4x4
            ResidualBlock(channels),
            nn.Flatten(),
            nn.Linear(channels * 4 * 4, n_components),
        )

    def forward(self, x):
        return self.layers(x)


class Decoder(nn.Module):
    def __init__(self, n_components=8, channels=16):
        super().__init__()
        self.channels = channels
        self.project = nn.Linear(n_components, channels * 4 * 4)
        self.layers = nn.Sequential(
            ResidualBlock(channels),
            nn.Upsample(scale_factor=2),  # 4x4 -> 8x8
            ResidualBlock(channels),
            nn.Conv2d(channels, 1, 3, padding=1),
        )

    def forward(self, z):
        return self.layers(self.project(z).reshape(-1, self.channels, 4, 4))


X, _ = load_digits(return_X_y=True)
X_train, X_test = train_test_split(X / 16, test_size=0.25, random_state=0)

# Classes (not instances) with their keyword arguments: n_components is
# passed to both, so GridSearchCV could tune it like any estimator parameter.
ae = AutoEncoder(
    Encoder,
    Decoder,
    n_components=8,
    input_shape=(1, 8, 8),
    learning_rate_init=0.003,
    max_iter=15,
    random_state=0,
).fit(X_train)
pca = PCA(8).fit(X_train)


def mse(X_rec):
    return float(((X_rec - X_test) ** 2).mean())


print(f"residual conv AutoEncoder(8): test MSE {mse(ae.reconstruct(X_test)):.4f}")
pca_mse = mse(pca.inverse_transform(pca.transform(X_test)))
print(f"PCA(8):                       test MSE {pca_mse:.4f}")

fig, axes = plt.subplots(3, 8, figsize=(8, 3.3))
rows = [
    ("test digits", X_test[:8]),
    ("autoencoder", ae.reconstruct(X_test[:8])),
    ("PCA", pca.inverse_transform(pca.transform(X_test[:8]))),
]
for row, (name, images) in zip(axes, rows, strict=True):
    for ax, image in zip(row, images, strict=True):
        ax.imshow(np.clip(image, 0, 1).reshape(8, 8), cmap="gray_r")
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(name, fontsize=8)
fig.suptitle("8-dimensional codes: residual conv autoencoder vs PCA")
plt.show()
