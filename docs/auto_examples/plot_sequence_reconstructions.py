"""
==================================================
Recurrent autoencoder on variable-length sequences
==================================================

A :class:`~sklearn_ae.RecurrentAE` compresses ItalyPowerDemand daily load
curves (24 hourly steps) to 4 numbers. A third of the training curves are
cut short and NaN-padded: the padding is ignored by the encoder and the loss,
and stays NaN in the reconstruction (dashed lines).
"""

import matplotlib.pyplot as plt
import numpy as np

from sklearn_ae import RecurrentAE
from sklearn_ae.datasets import fetch_ucr

X_train = fetch_ucr("ItalyPowerDemand", subset="train").data
X_test = fetch_ucr("ItalyPowerDemand", subset="test").data
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

padded = ae.reconstruct(X_train[:3])
fig, axes = plt.subplots(1, 4, figsize=(11, 2.8), sharey=True)
for ax, x, r in zip(axes[:3], X_test[:3], rec[:3], strict=True):
    ax.plot(x, label="original")
    ax.plot(r, "--", label="reconstruction")
axes[3].plot(X_train[0], label="padded original")
axes[3].plot(padded[0], "--", label="reconstruction (NaN kept)")
axes[0].legend(fontsize=7)
axes[3].legend(fontsize=7)
plt.tight_layout()
plt.show()
