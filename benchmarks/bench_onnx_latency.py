"""One-row latency: onnxruntime on the exported model against ``transform``.

A service that encodes one request at a time pays the per-call overhead of
``transform`` (input validation, a torch call) on every row. This exports each
model with ``skl2onnx.to_onnx`` (see ``sklearn_ae.onnx``) and times, in
alternating rounds within one run, ``session.run`` on one row against
``transform`` on the same row, both on one thread. Weights do not change the
cost, so each model is trained for one epoch on random data of its shape.

    python benchmarks/bench_onnx_latency.py [--repeats 2000] [--rounds 5]

Prints the median latency of each and their ratio (transform / onnxruntime).
"""

import argparse
import time
import warnings

import numpy as np
import onnxruntime as ort
import torch
from skl2onnx import to_onnx

import sklearn_ae.onnx  # noqa: F401  (registers the converters)
from sklearn_ae import ConvAE, StackedAE


def per_call(fn, repeats):
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def bench(name, model, X, dtype, repeats, rounds):
    row = X[:1].astype(dtype)
    session_options = ort.SessionOptions()
    session_options.intra_op_num_threads = 1
    session_options.inter_op_num_threads = 1
    onx = to_onnx(model, row)
    session = ort.InferenceSession(
        onx.SerializeToString(), session_options, providers=["CPUExecutionProvider"]
    )
    feed = {session.get_inputs()[0].name: row}
    np.testing.assert_allclose(session.run(None, feed)[0], model.transform(row), atol=1e-5)
    sklearn_times, ort_times = [], []
    for _ in range(rounds):  # alternating, so both see the same machine load
        sklearn_times.append(per_call(lambda: model.transform(row), repeats))
        ort_times.append(per_call(lambda: session.run(None, feed), repeats))
    t_sk, t_ort = np.median(sklearn_times), np.median(ort_times)
    print(
        f"| {name} | {np.dtype(dtype).name} | {t_sk * 1e3:.3f} | {t_ort * 1e3:.3f} "
        f"| {t_sk / t_ort:.1f} |"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    rng = np.random.default_rng(0)
    X = rng.random((512, 784), dtype=np.float32)
    models = [
        (
            "StackedAE 784-128-64-30",
            StackedAE(n_components=30, hidden_layer_sizes=(128, 64), max_iter=1, random_state=0),
        ),
        (
            "ConvAE 28x28, channels (32, 64), 16-d",
            ConvAE(n_components=16, image_shape=(28, 28), max_iter=1, random_state=0),
        ),
    ]
    print("| model | input dtype | transform (ms) | onnxruntime (ms) | ratio |")
    print("|---|---|---:|---:|---:|")
    for name, model in models:
        model.fit(X)
        for dtype in (np.float32, np.float64):
            bench(name, model, X, dtype, args.repeats, args.rounds)


if __name__ == "__main__":
    main()
