"""
==========================================
Greedy layer-wise pretraining of a stack
==========================================

``pretrain="greedy"`` trains each encoder layer and its decoder twin as a
shallow autoencoder on the codes of the layers below, then fine-tunes the
whole stack (Bengio et al., 2007). The stage loss curves are kept in
``pretrain_loss_curves_``. At the same total number of epochs, we compare
the fine-tuning curve with that of the same deep sigmoid stack trained from
its random initialisation.

**Here greedy pretraining loses**: at the same number of epochs, the stack
trained from its random initialisation reaches a lower test error (about
0.036 vs 0.039 per pixel). Pretraining was invented for deep sigmoid stacks
trained by plain gradient descent, which stalled from a random start. On
1,300 small digits, Adam trains this three-layer stack well from scratch,
and the epochs spent on separate layer pairs (each fitting codes that the
fine-tuning then changes) are epochs the whole stack does not get. On a
deeper stack and more data it can pay: ``benchmarks/bench_greedy_pretraining.py``
(MNIST, 784-1000-500-250-30, ``benchmarks/RESULTS_variants.md``) measured a
23 % lower error at equal epochs there.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_ae import StackedAE

# The budgets are cut short so that the documentation builds in minutes:
# the ConvergenceWarning that says so is expected here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
common = dict(
    n_components=8,
    hidden_layer_sizes=(48, 24),
    activation="logistic",
    learning_rate_init=0.01,
    tol=0.0,
    random_state=0,
)
greedy = StackedAE(pretrain="greedy", pretrain_max_iter=10, max_iter=30, **common).fit(X_train)
random_init = StackedAE(max_iter=60, **common).fit(X_train)  # 3 stages x 10 + 30 epochs
for name, model in [("greedy", greedy), ("random init", random_init)]:
    print(f"{name:12s} test MSE: {np.mean((model.reconstruct(X_test) - X_test) ** 2):.4f}")

# %%
fig, (ax_stages, ax_fine) = plt.subplots(1, 2, figsize=(9, 3.5))
for i, curve in enumerate(greedy.pretrain_loss_curves_):
    ax_stages.plot(curve, label=f"stage {i + 1}")
ax_stages.set_title("pretraining stages")
ax_stages.set_xlabel("epoch")
ax_stages.set_ylabel("training loss")
ax_stages.legend()
offset = sum(len(c) for c in greedy.pretrain_loss_curves_)
ax_fine.plot(
    range(offset, offset + greedy.n_iter_), greedy.loss_curve_, label="greedy, fine-tuning"
)
ax_fine.plot(random_init.loss_curve_, label="random init")
ax_fine.set_title("whole stack, same epoch budget")
ax_fine.set_xlabel("epoch (pretraining epochs counted)")
ax_fine.legend()
fig.tight_layout()
