"""ConvAE vs PCA at k=16 on MNIST: train on 10,000 training images, test on all 10,000.

Run: ``python benchmarks/bench_conv_mnist.py`` (CPU; prints wall and CPU seconds).
"""

import time

import numpy as np
from sklearn.decomposition import PCA

from sklearn_ae import ConvAE
from sklearn_ae.datasets import fetch_mnist

DATA = "/work/shared/data"
K = 16


def main():
    X = fetch_mnist(data_home=DATA).data[:10_000]
    X_test = fetch_mnist(data_home=DATA, subset="test").data
    pca = PCA(K, random_state=0).fit(X)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    print(f"PCA({K}) test MSE {pca_mse:.4f}")
    ae = ConvAE(
        K,
        channels=(16, 32),
        loss="bce",
        max_iter=5,
        batch_size=128,
        learning_rate_init=0.002,
        device="cpu",
        random_state=0,
        verbose=True,
    )
    wall, cpu = time.perf_counter(), time.process_time()
    ae.fit(X)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    ae_mse = np.mean((ae.reconstruct(X_test) - X_test) ** 2)
    print(f"ConvAE(k={K}, channels=(16, 32), 5 epochs) test MSE {ae_mse:.4f}")
    print(f"fit: {wall:.0f} s wall, {cpu:.0f} s CPU")


if __name__ == "__main__":
    main()
