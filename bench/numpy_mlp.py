"""A hand-written NumPy MLP (float32, plain SGD, softmax cross-entropy) timed on random data, or
on the images and one-hot labels in spec["dataPath"] (float32 [count, inputSize] then
[count, classes]); prints samples/s, the NumPy version and the OpenBLAS core that ran as JSON.
Run with OPENBLAS_NUM_THREADS=1 for one core (train-speed.mjs does).

Called by train-speed.mjs: python3 numpy_mlp.py '{"hidden": [32, 32], "activation": "tanh", ...}'
"""
import ctypes
import json
import sys
import time

import numpy as np


def openblas_core():
    """The OpenBLAS kernel ("Zen", "Haswell", ...) this process runs, read from the loaded library
    as threadpoolctl does (that package may be absent)."""
    np.ones((2, 2), np.float32) @ np.ones((2, 2), np.float32)
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    for path in paths:
        library = ctypes.CDLL(path)
        for name in ("openblas_get_corename", "scipy_openblas_get_corename64_",
                     "openblas_get_corename64_", "scipy_openblas_get_corename"):
            function = getattr(library, name, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode()
    return "unknown"


spec = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
sizes = [spec["inputSize"], *spec["hidden"], spec["classes"]]
weights = [
    (rng.uniform(-1, 1, (a, b)) * np.sqrt(6 / (a + b))).astype(np.float32)
    for a, b in zip(sizes[:-1], sizes[1:])
]
biases = [np.zeros(b, np.float32) for b in sizes[1:]]
tanh = spec["activation"] == "tanh"
lr = np.float32(spec["learningRate"])
batch = spec["batchSize"]
if spec.get("dataPath"):
    data = np.fromfile(spec["dataPath"], dtype=np.float32)
    count = data.size // (spec["inputSize"] + spec["classes"])
    xs = data[: count * spec["inputSize"]].reshape(count, spec["inputSize"])
    ys = data[count * spec["inputSize"] :].reshape(count, spec["classes"])
else:
    count = batch * 32
    xs = rng.random((count, spec["inputSize"]), dtype=np.float32)
    labels = rng.integers(0, spec["classes"], count)
    ys = np.eye(spec["classes"], dtype=np.float32)[labels]
batches = [(xs[i : i + batch], ys[i : i + batch]) for i in range(0, count, batch)]


def step(x, y):
    outputs = [x]
    for w, b in zip(weights[:-1], biases[:-1]):
        z = outputs[-1] @ w + b
        outputs.append(np.tanh(z) if tanh else np.maximum(z, 0))
    z = outputs[-1] @ weights[-1] + biases[-1]
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    g = (p - y) / np.float32(len(x))
    for i in range(len(weights) - 1, -1, -1):
        dw = outputs[i].T @ g
        db = g.sum(axis=0)
        if i > 0:
            g = g @ weights[i].T
            g *= (1 - outputs[i] * outputs[i]) if tanh else (outputs[i] > 0)
        weights[i] -= lr * dw
        biases[i] -= lr * db


for x, y in batches[:4]:
    step(x, y)
# CPU time of this process when train-speed.mjs asks for it (--clock=cpu), else wall time.
clock = time.process_time if spec.get("clock") == "cpu" else time.perf_counter
samples = 0
start = clock()
while clock() - start < spec["seconds"]:
    for x, y in batches:
        step(x, y)
    samples += count
elapsed = clock() - start
version = f"{np.__version__}, OpenBLAS core {openblas_core()}"
print(json.dumps({"samplesPerSecond": samples / elapsed, "version": version}))
