"""
=============================================
Anomaly scores from reconstruction error
=============================================

An autoencoder trained on normal data reconstructs normal data well and
anything else badly, so ``-score_samples(X)`` (the per-sample reconstruction
error) ranks anomalies. Here the "normal" data are the digits 0-8 and the
anomalies are the 9s, which the model never saw; PCA's reconstruction error
is the baseline.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.metrics import RocCurveDisplay, roc_auc_score
from sklearn.model_selection import train_test_split

from sklearn_ae import StackedAE

X, y = load_digits(return_X_y=True)
X = X / 16.0
normal, anomalous = X[y != 9], X[y == 9]
X_train, X_normal_test = train_test_split(normal, test_size=0.25, random_state=0)
X_test = np.vstack([X_normal_test, anomalous])
is_anomaly = np.r_[np.zeros(len(X_normal_test)), np.ones(len(anomalous))]

# %%
# Fit on normal digits only; score the held-out normal digits and the 9s.
ae = StackedAE(n_components=8, random_state=0).fit(X_train)
pca = PCA(n_components=8).fit(X_train)

ae_score = -ae.score_samples(X_test)  # higher = more anomalous
pca_score = ((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2).mean(axis=1)
print(
    f"ROC AUC  autoencoder {roc_auc_score(is_anomaly, ae_score):.3f}  "
    f"PCA {roc_auc_score(is_anomaly, pca_score):.3f}"
)

# %%
fig, ax = plt.subplots(figsize=(5, 5))
RocCurveDisplay.from_predictions(is_anomaly, ae_score, name="StackedAE", ax=ax)
RocCurveDisplay.from_predictions(is_anomaly, pca_score, name="PCA", ax=ax)
ax.set_title("Unseen digit 9 as anomaly")
plt.show()
