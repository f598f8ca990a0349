"""
=================================================
Choosing the latent size without fooling yourself
=================================================

An autoencoder's :meth:`~sklearn_ae.StackedAE.score` is the negative
reconstruction error, and a bigger code always reconstructs better: a grid
search on it with no ``y`` picks the largest ``n_components`` of the grid,
whatever the data. Three honest ways to choose instead, on the digits data:

1. the *elbow* of the held-out reconstruction error against the code size;
2. a *downstream* score: the accuracy of a classifier on the codes, with
   ``GridSearchCV`` over a :class:`~sklearn.pipeline.Pipeline` and ``y``;
3. the *evidence lower bound* (ELBO) of a :class:`~sklearn_ae.VariationalAE`,
   whose KL term charges for every code unit in use.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_ae import StackedAE, VariationalAE

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # short budgets, on purpose

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
sizes = [2, 4, 8, 16, 32]
ae = StackedAE(hidden_layer_sizes=(32,), max_iter=15, batch_size=64, random_state=0)

# %%
# The trap, and the elbow
# -----------------------
# ``GridSearchCV`` on the estimator's own score, with no ``y``: the largest
# code wins. Its cross-validated errors are still worth plotting: where the
# curve flattens, extra code units stop paying for themselves (PCA's
# error, drawn next to it, gives a similar curve in milliseconds). On the
# digits neither has an elbow: PCA's error keeps falling steadily up to 32
# (0.054 at 2, 0.0027 at 32) and so does the autoencoder's, so the
# reconstruction alone argues for no smaller code. (Trained for 15 epochs
# only, the autoencoder also stays above PCA: draw PCA's curve before
# trusting an autoencoder's.)
search = GridSearchCV(ae, {"n_components": sizes}, cv=2, refit=False).fit(X_train)
errors = -search.cv_results_["mean_test_score"]
print("chosen by the reconstruction score:", search.best_params_)


def pca_error(k):
    pca = PCA(k).fit(X_train)
    return ((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2).mean()


pca_errors = [pca_error(k) for k in sizes]

# %%
# A downstream score
# ------------------
# When the codes feed a classifier, let the classifier's accuracy choose:
# the pipeline's score is the classifier's, and ``fit`` passes ``y`` to it.
# The answer is the task's: on the digits a larger code keeps helping the
# classifier, so it too picks 32, but now because of the labels.
pipe = make_pipeline(ae, LogisticRegression(max_iter=1000))
grid = {"stackedae__n_components": sizes}
search = GridSearchCV(pipe, grid, cv=2, refit=False).fit(X_train, y_train)
accuracy = search.cv_results_["mean_test_score"]
print("chosen by the classifier's accuracy:", search.best_params_)

# %%
# The variational autoencoder's ELBO
# ----------------------------------
# ``VariationalAE.score`` is the mean ELBO of the rows in nats: the
# log-likelihood of the reconstruction *minus* the KL divergence of each
# code from the prior. With ``loss="bce"`` (a Bernoulli likelihood, for
# pixels in [0, 1]) units the data do not need cost more than they return,
# so the held-out ELBO peaks at a moderate size (4 when this page was built)
# instead of rising for ever, and a grid search on ``score`` needs no ``y``.
# (With ``loss="mse"`` the likelihood's fixed variance makes the ELBO nearly
# flat on data in [0, 1]: choose the likelihood that fits the data.)
vae = VariationalAE(
    loss="bce",
    hidden_layer_sizes=(64,),
    max_iter=30,
    batch_size=64,
    learning_rate_init=0.003,
    random_state=0,
)
elbo = [vae.set_params(n_components=k).fit(X_train).score(X_test) for k in sizes]
print("chosen by the ELBO:", sizes[max(range(len(sizes)), key=elbo.__getitem__)])

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
panels = [
    (errors, "CV reconstruction MSE", "elbow: error vs size"),
    (accuracy, "CV accuracy", "downstream: LogisticRegression"),
    (elbo, "held-out ELBO (nats per row)", "VariationalAE(loss='bce').score"),
]
axes[0].plot(sizes, pca_errors, "s--", color="grey", label="PCA, held-out")
for ax, (values, ylabel, title) in zip(axes, panels, strict=True):
    ax.plot(sizes, values, "o-", label="StackedAE" if ax is axes[0] else None)
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [str(k) for k in sizes])
    ax.set_xlabel("n_components")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
axes[0].legend()
fig.tight_layout()
plt.show()

for k, e, a, b in zip(sizes, errors, accuracy, elbo, strict=True):
    print(f"n_components={k:>2}  MSE {e:.4f}  accuracy {a:.3f}  ELBO {b:7.2f}")
