"""
==================================================
Recurrent autoencoder on variable-length sequences
==================================================

A :class:`~sklearn_ae.RecurrentAE` compresses ItalyPowerDemand daily load
curves (24 hourly steps) to 4 numbers. A third of the training curves are
cut short and NaN-padded: the padding is ignored by the encoder and the loss,
and stays NaN in the reconstruction. :class:`~sklearn_ae.ReconstructionDisplay`
draws each test curve (solid) over its reconstruction (dashed), in its own band.
"""

import matplotlib.pyplot as plt
import numpy as np

from sklearn_ae import ReconstructionDisplay, RecurrentAE
from sklearn_ae.datasets import fetch_ucr

X_train = fetch_ucr("ItalyPowerDemand", subset="train", download_if_missing=False).data
X_test = fetch_ucr("ItalyPowerDemand", subset="test", download_if_missing=False).data
X_train[::3, 16:] = np.nan  # shorter sequences, NaN-padded

ae = RecurrentAE(
    4,
    hidden_size=32,
    batch_size=16,
    learning_rate_init=0.01,
    max_iter=60,
    n_iter_no_change=60,
    random_state=0,
).fit(X_train)
rec = ae.reconstruct(X_test)
print(
    f"test MSE  RecurrentAE: {np.mean((rec - X_test) ** 2):.4f}  "
    f"mean curve: {np.mean((np.nanmean(X_train, axis=0) - X_test) ** 2):.4f}"
)

fig, (ax_test, ax_pad) = plt.subplots(1, 2, figsize=(12, 5))
ReconstructionDisplay.from_estimator(ae, X_test, n_samples=4, ax=ax_test)
ReconstructionDisplay.from_estimator(
    ae, X_train, n_samples=4, ax=ax_pad, title="training curves, every third cut at hour 16"
)
ax_test.set_xlabel("hour")
ax_pad.set_xlabel("hour (NaN padding is not drawn)")
fig.tight_layout()
plt.show()
