"""
============================================
Latent manifold of a variational autoencoder
============================================

A :class:`~sklearn_ae.VariationalAE` with a 2-d code is fitted on the 8x8
digits, then used as a generator. Left:
:class:`~sklearn_ae.LatentTraversalDisplay` decodes a grid of codes at the
Gaussian quantiles of the prior (the "manifold" of the model). Right: new
digits sampled from the prior with ``sample``. With a 2-number code and a
minute of training the samples are recognisable but blurred; the grid shows
why: between the regions of two digits, the decoder blends them.

When this page was built, every column of the grid was the same: the model
used only code 1 and left code 0 at the prior (the KL term makes an unused
dimension free, and short training on small data often ends there,
"posterior collapse"), so all digits share one axis and neighbours on it
blend. A smaller ``beta``, longer training or more
data usually bring the second dimension into use.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from sklearn_ae import LatentTraversalDisplay, VariationalAE

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

samples = vae.sample(16, random_state=0)

fig = plt.figure(figsize=(11, 5.5))
ax = fig.add_subplot(1, 2, 1)
LatentTraversalDisplay.from_estimator(vae, n_steps=12, ax=ax)
for i, img in enumerate(samples):
    sub = fig.add_subplot(4, 8, 8 * (i // 4) + 5 + i % 4)
    sub.imshow(img, cmap="gray_r", vmin=0, vmax=1)
    sub.axis("off")
fig.suptitle("VariationalAE on digits: decoded code grid (left) and prior samples (right)")
plt.show()
