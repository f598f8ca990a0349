"""
===============================================
Convolutional autoencoder reconstructions
===============================================

A :class:`~sklearn_ae.ConvAE` and PCA compress the 8x8 digits to the same
number of components; the top row shows held-out digits, the middle row the
ConvAE's reconstructions and the bottom row PCA's. The model is fitted on
``(n_samples, 8, 8)`` images, so it returns images;
:class:`~sklearn_ae.ReconstructionDisplay` draws both models' reconstructions.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_ae import ConvAE, ReconstructionDisplay

# The budgets are cut short so that the documentation builds in minutes:
# the ConvergenceWarning that says so is expected here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

images = load_digits().images / 16
train, test = train_test_split(images, test_size=0.25, random_state=0)

ae = ConvAE(
    4,
    channels=(16, 32),
    loss="bce",
    max_iter=20,
    batch_size=64,
    learning_rate_init=0.01,
    random_state=0,
).fit(train)
pca = PCA(4).fit(train.reshape(len(train), -1))
ae_rec = ae.reconstruct(test)
pca_rec = pca.inverse_transform(pca.transform(test.reshape(len(test), -1))).reshape(test.shape)
print(
    f"test MSE  ConvAE: {np.mean((ae_rec - test) ** 2):.4f}  "
    f"PCA: {np.mean((pca_rec - test) ** 2):.4f}"
)

fig, (ax_ae, ax_pca) = plt.subplots(2, 1, figsize=(10, 5.5))
ReconstructionDisplay.from_estimator(ae, test, n_samples=10, ax=ax_ae)
ReconstructionDisplay.from_predictions(
    test[:10], pca_rec[:10], estimator_name="PCA (k=4)", ax=ax_pca
)
fig.tight_layout()
plt.show()
