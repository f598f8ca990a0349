"""
===============================================
Convolutional autoencoder reconstructions
===============================================

A :class:`~sklearn_ae.ConvAE` and PCA compress the 8x8 digits to the same
number of components; the top row shows held-out digits, the middle row the
ConvAE's reconstructions and the bottom row PCA's. The model is fitted on
``(n_samples, 8, 8)`` images, so it returns images.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from sklearn_ae import ConvAE

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

fig, axes = plt.subplots(3, 8, figsize=(8, 3.2))
for col in range(8):
    for row, img in enumerate([test, ae_rec, pca_rec]):
        axes[row, col].imshow(img[col], cmap="gray_r", vmin=0, vmax=1)
        axes[row, col].axis("off")
axes[0, 0].set_title("original", loc="left", fontsize=8)
axes[1, 0].set_title("ConvAE (k=4)", loc="left", fontsize=8)
axes[2, 0].set_title("PCA (k=4)", loc="left", fontsize=8)
plt.tight_layout()
plt.show()
