"""
===========================================
Sparse overcomplete codes with a SparseAE
===========================================

With 100 code units for 64 pixels, a plain autoencoder could copy its input.
A :class:`~sklearn_ae.SparseAE` with the KL penalty keeps each sigmoid code
unit active on about ``sparsity_target`` of the samples, so every digit is
described by a few units; the decoder weights of the units are stroke-like
parts of digits.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_ae import SparseAE

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)

ae = SparseAE(
    n_components=100,
    sparsity="kl",
    sparsity_target=0.05,
    sparsity_weight=3.0,
    hidden_layer_sizes=(),
    learning_rate_init=0.01,
    batch_size=64,
    max_iter=40,
    random_state=0,
).fit(X_train)
codes = ae.transform(X_test)
print(f"mean code activation: {codes.mean():.3f} (target 0.05)")
print(f"units above 0.5 per digit: {np.mean((codes > 0.5).sum(axis=1)):.1f} of 100")

# %%
# Left: the distribution of code activations. Right: decoder weights of the
# 24 units most often active.
fig, (ax_hist, ax_grid) = plt.subplots(1, 2, figsize=(9, 4))
ax_hist.hist(codes.ravel(), bins=50, log=True)
ax_hist.set_xlabel("code activation")
ax_hist.set_ylabel("count (log)")
decoder = ae.module_.decoder_layers[-1].weight.detach().numpy()  # (64, 100)
top = np.argsort(-codes.mean(axis=0))[:24]
tiles = np.block([[decoder[:, u].reshape(8, 8) for u in top[r * 6 : r * 6 + 6]] for r in range(4)])
ax_grid.imshow(tiles, cmap="RdBu_r")
ax_grid.set_axis_off()
ax_grid.set_title("decoder weights of 24 code units")
fig.tight_layout()
