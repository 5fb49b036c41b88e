"""Times PyTorch training of one MLP on random data, or on the images and one-hot labels in
spec["dataPath"] (float32 [count, inputSize] then [count, classes]), one thread; prints
samples/s as JSON.

Called by train-speed.mjs: python3 torch_mlp.py '{"hidden": [32, 32], "activation": "tanh", ...}'
"""
import json
import sys
import time

import torch

spec = json.loads(sys.argv[1])
torch.set_num_threads(1)
torch.manual_seed(0)
activations = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}
layers = []
width = spec["inputSize"]
for units in spec["hidden"]:
    layers += [torch.nn.Linear(width, units), activations[spec["activation"]]()]
    width = units
layers.append(torch.nn.Linear(width, spec["classes"]))
model = torch.nn.Sequential(*layers)
if spec["optimizer"] == "adam":
    optimizer = torch.optim.Adam(model.parameters(), lr=spec["learningRate"], eps=1e-7)
else:
    optimizer = torch.optim.SGD(model.parameters(), lr=spec["learningRate"])
loss_fn = torch.nn.CrossEntropyLoss()
batch = spec["batchSize"]
if spec.get("dataPath"):
    with open(spec["dataPath"], "rb") as file:
        data = torch.frombuffer(bytearray(file.read()), dtype=torch.float32)
    count = data.numel() // (spec["inputSize"] + spec["classes"])
    xs = data[: count * spec["inputSize"]].reshape(count, spec["inputSize"])
    ys = data[count * spec["inputSize"] :].reshape(count, spec["classes"]).argmax(dim=1)
else:
    count = batch * 32
    xs = torch.rand(count, spec["inputSize"])
    ys = torch.randint(0, spec["classes"], (count,))
batches = [(xs[i : i + batch], ys[i : i + batch]) for i in range(0, count, batch)]


def step(x, y):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()


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
print(json.dumps({"samplesPerSecond": samples / elapsed, "version": torch.__version__}))
