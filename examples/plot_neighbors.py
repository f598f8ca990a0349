"""
================================================
A t-SNE map that places new rows and inverts
================================================

``StackedAE(n_components=2, neighbor_loss="tsne")`` places the training
digits with openTSNE and trains the encoder to put each digit at its place
while the decoder learns to invert the map. New digits are placed among the
training digits' map, starting from the encoder's guess. Left: the plain
autoencoder's map of the held-out digits; middle: the same estimator with
the t-SNE map; right: digits decoded from a grid of points of the t-SNE map
(``inverse_transform``).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.manifold import trustworthiness
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from sklearn_ae import StackedAE

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.2, random_state=0)

models = {
    "StackedAE": StackedAE(n_components=2, random_state=0),
    'StackedAE(neighbor_loss="tsne")': StackedAE(
        n_components=2, neighbor_loss="tsne", random_state=0
    ),
}
maps, titles = {}, {}
for name, model in models.items():
    model.fit(X_train)
    codes = model.transform(X_test)
    trust = trustworthiness(X_test, codes, n_neighbors=5)
    knn = KNeighborsClassifier(5).fit(model.transform(X_train), y_train).score(codes, y_test)
    mse = np.mean((model.inverse_transform(codes) - X_test) ** 2)
    maps[name] = codes
    print(f"{name}: trustworthiness {trust:.3f}, 5-NN accuracy {knn:.3f}, MSE {mse:.4f}")
    titles[name] = f"{name}\ntrust {trust:.3f}, 5-NN {knn:.3f}"

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 4.6))
for ax, (name, codes) in zip(axes, maps.items(), strict=False):
    points = ax.scatter(
        codes[:, 0], codes[:, 1], c=y_test, cmap="tab10", s=10, vmin=-0.5, vmax=9.5
    )
    ax.set_title(titles[name], fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(points, ax=axes[:2], ticks=range(10), label="digit", shrink=0.8)

# Decode a 12 x 12 grid spanning the t-SNE map of the training digits.
tsne_model = models['StackedAE(neighbor_loss="tsne")']
train_codes = tsne_model.embedding_  # the training digits' map
low, high = np.percentile(train_codes, [2, 98], axis=0)
n = 12
grid = np.stack(
    np.meshgrid(np.linspace(low[0], high[0], n), np.linspace(high[1], low[1], n)), axis=-1
).reshape(-1, 2)
images = tsne_model.inverse_transform(grid).reshape(n, n, 8, 8)
images = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)))  # a blank line between digits
mosaic = images.transpose(0, 2, 1, 3).reshape(n * 10, n * 10)
axes[2].imshow(np.clip(mosaic, 0, 1), cmap="gray_r")
axes[2].set_title("decoded from a grid over the t-SNE map", fontsize=10)
axes[2].set_xticks([])
axes[2].set_yticks([])
plt.show()
