"""
======================================================
A contractive autoencoder: codes robust to small moves
======================================================

:class:`~sklearn_ae.ContractiveAE` penalises the squared Frobenius norm of the
encoder's Jacobian. Here the penalised encoder is several times less
sensitive to its input than the unpenalised one at a small cost in
reconstruction error, and its codes move less when the digits are perturbed
with small Gaussian noise.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_ae import ContractiveAE
from sklearn_ae._penalties import encoder_jacobian_sq_norm

# The budgets are cut short so that the documentation builds in minutes:
# the ConvergenceWarning that says so is expected here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
X_moved = X_test + 0.05 * np.random.default_rng(0).standard_normal(X_test.shape)

weights = [0.0, 1e-4, 3e-4, 1e-3, 3e-3]
jacobian, mse, code_shift = [], [], []
for weight in weights:
    ae = ContractiveAE(
        n_components=16,
        hidden_layer_sizes=(64,),
        contractive_weight=weight,
        learning_rate_init=0.003,
        batch_size=64,
        max_iter=25,
        random_state=0,
    ).fit(X_train)
    with torch.no_grad():
        x = torch.as_tensor(X_test, dtype=torch.float32)
        jacobian.append(encoder_jacobian_sq_norm(ae.module_, x).sqrt().mean().item())
    mse.append(np.mean((ae.reconstruct(X_test) - X_test) ** 2))
    codes = ae.transform(X_test)
    # Relative to the spread of the codes, so that shrinking them all does not count.
    code_shift.append(
        np.linalg.norm(ae.transform(X_moved) - codes) / np.linalg.norm(codes - codes.mean(0))
    )
    print(
        f"weight {weight:g}: ||J||_F {jacobian[-1]:.2f}, MSE {mse[-1]:.4f}, "
        f"code shift {code_shift[-1]:.3f}"
    )

# %%
fig, axes = plt.subplots(1, 3, figsize=(10, 3))
for ax, values, label in zip(
    axes,
    [jacobian, mse, code_shift],
    ["mean ||J||_F on test digits", "reconstruction MSE", "relative code shift"],
    strict=True,
):
    ax.plot(range(len(weights)), values, "o-")
    ax.set_xticks(range(len(weights)), [f"{w:g}" for w in weights])
    ax.set_xlabel("contractive_weight")
    ax.set_title(label, fontsize=9)
fig.tight_layout()
