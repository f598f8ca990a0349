"""
===================================================
Your own convolutional VAE: the tutorial's manifold
===================================================

The Keras tutorial's convolutional variational autoencoder, written as torch
modules and trained by :class:`~sklearn_ae.VariationalAE`: two strided
convolutions and a dense layer of 16 units give the mean and log-variance of
a 2-d code; the decoder mirrors them with transposed convolutions. The
estimator adds what the tutorial writes by hand: the reparameterized sample,
the KL term, the training loop, early stopping on a validation set of your
own (``X_val``), the ELBO (``score_samples``) and sampling.

To keep the documentation build short, the model is smaller than the
tutorial's (16 and 32 filters instead of 32 and 64) and trains for 10 epochs
on 5,000 MNIST test images (a cosine schedule lands it in that budget), read
from the local copy (``$SKLEARN_AE_DATA/mnist``; this example never
downloads); 1,000 others are the validation set. Left: the decoder's
manifold, codes from -2 to 2 in code units as the tutorial walks it
(``LatentTraversalDisplay(values=...)``); right: the codes of the validation
digits. After so short a training the codes have not yet spread over the
whole prior (the top rows of the grid decode codes that no digit has), but
the 1s, 0s, 7s and 9s already hold regions of their own.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from torch import nn

from sklearn_ae import LatentSpaceDisplay, LatentTraversalDisplay, VariationalAE
from sklearn_ae.datasets import fetch_mnist

# The budgets are cut short so that the documentation builds in minutes:
# the ConvergenceWarning that says so is expected here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

mnist = fetch_mnist(subset="test", download_if_missing=False)
images = mnist.data.reshape(-1, 1, 28, 28)  # pixels already in [0, 1]
train, val, labels = images[:5000], images[5000:6000], mnist.target[5000:6000]


# %%
# The encoder returns the posterior's mean and log-variance
# ---------------------------------------------------------
class Encoder(nn.Module):
    def __init__(self, n_components=2, channels=(16, 32)):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, channels[0], 3, stride=2, padding=1),  # 28 -> 14
            nn.ReLU(),
            nn.Conv2d(channels[0], channels[1], 3, stride=2, padding=1),  # 14 -> 7
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(channels[1] * 7 * 7, 16),
            nn.ReLU(),
        )
        self.mean = nn.Linear(16, n_components)
        self.log_variance = nn.Linear(16, n_components)

    def forward(self, x):
        h = self.body(x)
        return self.mean(h), self.log_variance(h)


class Decoder(nn.Module):
    def __init__(self, n_components=2, channels=(16, 32)):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_components, channels[1] * 7 * 7),
            nn.ReLU(),
            nn.Unflatten(1, (channels[1], 7, 7)),
            nn.ConvTranspose2d(channels[1], channels[0], 3, 2, 1, output_padding=1),  # 14
            nn.ReLU(),
            nn.ConvTranspose2d(channels[0], 1, 3, 2, 1, output_padding=1),  # 28
        )  # logits: loss="bce" applies the sigmoid

    def forward(self, z):
        return self.layers(z)


vae = VariationalAE(
    n_components=2,
    encoder=Encoder,
    decoder=Decoder,
    loss="bce",
    learning_rate_init=2e-3,
    learning_rate="cosine",
    batch_size=32,
    max_iter=10,
    early_stopping=True,
    random_state=0,
).fit(train, X_val=val)
print(f"validation loss by epoch: {np.round(vae.validation_loss_curve_, 4)}")
print(f"ELBO of the validation digits: {vae.score(val):.1f} nats per image")

# %%
# The 2-d manifold and the codes of the validation digits
# -------------------------------------------------------
fig, (ax_grid, ax_codes) = plt.subplots(1, 2, figsize=(12, 6))
LatentTraversalDisplay.from_estimator(vae, values=np.linspace(-2, 2, 15), ax=ax_grid)
LatentSpaceDisplay.from_estimator(vae, val, y=labels, ax=ax_codes)
fig.tight_layout()
plt.show()
