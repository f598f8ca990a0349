"""
============================================
Latent manifold of a variational autoencoder
============================================

A :class:`~sklearn_ae.VariationalAE` with a 2-d code is fitted on the 8x8
digits. Left: digits decoded from a grid of codes at the Gaussian quantiles
of the prior. Right: random samples from the prior, via ``sample``.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm
from sklearn.datasets import load_digits

from sklearn_ae import VariationalAE

images = load_digits().images / 16
vae = VariationalAE(
    2,
    hidden_layer_sizes=(128, 64),
    loss="bce",
    max_iter=60,
    batch_size=64,
    learning_rate_init=0.005,
    random_state=0,
).fit(images)

n = 12
grid = norm.ppf(np.linspace(0.05, 0.95, n))
codes = np.array([[x, y] for y in grid[::-1] for x in grid])
decoded = vae.inverse_transform(codes)  # (n * n, 8, 8): the fitted layout
canvas = decoded.reshape(n, n, 8, 8).transpose(0, 2, 1, 3).reshape(8 * n, 8 * n)
samples = vae.sample(16, random_state=0)

fig = plt.figure(figsize=(9, 4.5))
ax = fig.add_subplot(1, 2, 1)
ax.imshow(canvas, cmap="gray_r")
ax.set_title("decoded latent grid")
ax.axis("off")
for i, img in enumerate(samples):
    sub = fig.add_subplot(4, 8, 8 * (i // 4) + 5 + i % 4)
    sub.imshow(img, cmap="gray_r", vmin=0, vmax=1)
    sub.axis("off")
fig.suptitle("VariationalAE on digits: manifold (left) and prior samples (right)")
plt.show()
