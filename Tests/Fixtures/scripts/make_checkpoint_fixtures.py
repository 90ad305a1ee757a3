#!/usr/bin/env python3
"""Regenerates Tests/Fixtures/checkpoints/*.safetensors: files written by the real `safetensors`
library for ConvKitNN's checkpoint tests (SafetensorsReferenceTests.swift).

Needs torch and the `safetensors` package (Debian's PyTorch 1.13.1, whose torch.__version__ is
1.13.0a0, and safetensors 0.8.0 made the committed files), e.g. a venv over Debian's python3-torch:
    python3 -m venv --system-site-packages /tmp/st && /tmp/st/bin/pip install safetensors==0.8.0
    cd Tests/Fixtures/scripts && /tmp/st/bin/python make_checkpoint_fixtures.py

- tiny_resnet_state_dict.safetensors: the state_dict of a small torchvision-style network (stem
  conv + batch norm, two BasicBlocks, the second with a downsample shortcut, global pooling, a
  linear head) after three training-mode batches (so running statistics and
  num_batches_tracked, an int64, are not their defaults), saved by
  safetensors.torch.save_file: exactly what a PyTorch user would hand to `convkit eval`.
- tiny_resnet_forward.safetensors: an input batch `input` (2, 3, 8, 8) and the network's
  evaluation-mode output `output` (2, 10).
- dtypes.safetensors: one tensor per dtype ConvKit reads (F32, F64, I32, I64, plus U8, F16 and a
  zero-sized F32) with exactly representable values, and metadata with non-ASCII text, saved by
  safetensors.numpy.save_file.
"""

import os

import numpy as np
import safetensors
import torch
import torch.nn as nn
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import save_file as save_torch

from nn_fixture_common import BasicBlock, randomize_batchnorm

SEED = 20240613
OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "checkpoints"))
GENERATOR = "Tests/Fixtures/scripts/make_checkpoint_fixtures.py (seed %d); do not edit by hand" % SEED
VERSIONS = {"generator": GENERATOR, "torch": torch.__version__, "safetensors": safetensors.__version__}


class TinyResNet(nn.Module):
    """conv1 → bn1 → ReLU → layer1 (BasicBlock 4→4, BasicBlock 4→8 stride 2) → pool → fc (8→10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.layer1 = nn.Sequential(BasicBlock(4, 4, 1), BasicBlock(4, 8, 2))
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.layer1(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def network_fixtures():
    net = TinyResNet()
    randomize_batchnorm(net)
    net.train()
    with torch.no_grad():
        for _ in range(3):
            net(torch.randn(4, 3, 8, 8))
    net.eval()
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        y = net(x)
    save_torch(net.state_dict(), os.path.join(OUT_DIR, "tiny_resnet_state_dict.safetensors"), metadata=VERSIONS)
    save_torch({"input": x, "output": y}, os.path.join(OUT_DIR, "tiny_resnet_forward.safetensors"), metadata=VERSIONS)


def dtype_fixture():
    tensors = {
        "f32": np.array([[1.5, -2.25, 0.0], [3.0e-8, -1.0e30, 7.0]], dtype=np.float32),
        "f64": np.array([0.1, -1.0e300, 2.0 ** -1074], dtype=np.float64),
        "i32": np.array([[2147483647, -2147483648], [0, -7]], dtype=np.int32),
        "i64_scalar": np.array(2 ** 40 + 3, dtype=np.int64),
        "u8": np.array([0, 1, 254, 255], dtype=np.uint8),
        "f16": np.array([1.0, -0.5], dtype=np.float16),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }
    metadata = dict(VERSIONS, note="Grüße ✓")
    save_numpy(tensors, os.path.join(OUT_DIR, "dtypes.safetensors"), metadata=metadata)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    network_fixtures()
    dtype_fixture()


if __name__ == "__main__":
    main()
