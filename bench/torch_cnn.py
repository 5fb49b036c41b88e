"""Times PyTorch training of one of cnn-speed.mjs's CNNs on random data, one thread; prints
images per CPU second as JSON. The networks mirror the tfjs ones layer for layer (NCHW, PyTorch's layout).

Called by cnn-speed.mjs: /usr/bin/python3 torch_cnn.py '{"network": "mnist", "seconds": 2}'
"""
import json
import sys
import time

import torch
from torch import nn

spec = json.loads(sys.argv[1])
torch.set_num_threads(1)
torch.manual_seed(0)


def mnist():
    # [Conv 5×5 32 same, ReLU → BN → MaxPool 2] × 2 → Dense 128 ReLU → BN → Dense 10.
    return (
        [1, 28, 28],
        10,
        nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.BatchNorm2d(32), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 5, padding=2), nn.ReLU(), nn.BatchNorm2d(32), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.BatchNorm1d(128),
            nn.Linear(128, 10),
        ),
    )


def mask():
    # Three blocks of Conv 3×3 same → BN → LeakyReLU 0.1 → MaxPool 2 → Dropout 0.25 (16, 32, 64),
    # Dense 64 → BN → LeakyReLU → Dropout 0.5 → one sigmoid unit; 64×64 RGB.
    layers, width = [], 3
    for filters in (16, 32, 64):
        layers += [nn.Conv2d(width, filters, 3, padding=1), nn.BatchNorm2d(filters),
                   nn.LeakyReLU(0.1), nn.MaxPool2d(2), nn.Dropout(0.25)]
        width = filters
    layers += [nn.Flatten(), nn.Linear(64 * 8 * 8, 64), nn.BatchNorm1d(64), nn.LeakyReLU(0.1),
               nn.Dropout(0.5), nn.Linear(64, 1)]
    return [3, 64, 64], 1, nn.Sequential(*layers)


def cifar():
    # 6 Conv 5×5 same (32, 48, 64, 80, 96, 112) → BN → ReLU, MaxPool 2 after every second one,
    # Dense 512 → BN → ReLU → Dense 10.
    layers, width = [], 3
    for index, filters in enumerate((32, 48, 64, 80, 96, 112)):
        layers += [nn.Conv2d(width, filters, 5, padding=2), nn.BatchNorm2d(filters), nn.ReLU()]
        if index % 2 == 1:
            layers.append(nn.MaxPool2d(2))
        width = filters
    layers += [nn.Flatten(), nn.Linear(112 * 4 * 4, 512), nn.BatchNorm1d(512), nn.ReLU(),
               nn.Linear(512, 10)]
    return [3, 32, 32], 10, nn.Sequential(*layers)


shape, classes, model = {"mnist": mnist, "mask": mask, "cifar": cifar}[spec["network"]]()
optimizer = torch.optim.Adam(model.parameters(), lr=spec.get("learningRate", 1e-3), eps=1e-7)
loss_fn = nn.BCEWithLogitsLoss() if classes == 1 else nn.CrossEntropyLoss()
batch = spec.get("batchSize", 64)
count = batch * 4
xs = torch.rand(count, *shape)
ys = (torch.randint(0, 2, (count, 1)).float() if classes == 1
      else torch.randint(0, classes, (count,)))
batches = [(xs[i : i + batch], ys[i : i + batch]) for i in range(0, count, batch)]


def step(x, y):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()


model.train()
for x, y in batches[:2]:
    step(x, y)
# CPU time of this process, as cnn-speed.mjs measures Node: other jobs on shared cores barely
# disturb it.
images = 0
start = time.process_time()
while time.process_time() - start < spec["seconds"]:
    for x, y in batches:
        step(x, y)
        images += batch
elapsed = time.process_time() - start
print(json.dumps({"imagesPerSecond": images / elapsed, "version": torch.__version__}))
