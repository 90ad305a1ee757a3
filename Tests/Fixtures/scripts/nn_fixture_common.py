"""Helpers shared by the ConvKitNN fixture generators: JSON output and small torch models.

Fixture layout (Tests/Fixtures/nn/*.json): {"generator": ..., "cases": [case, ...]}; a case is
{"name", "kind", "config": {...}, ...} plus tensors, each {"shape": [...], "values": [...]}
(row-major, float32 values printed with at most 9 significant digits, so they read back to the
exact float32). Python floats that are not tensor values (learning rates, losses in float64)
are written with repr and read back exactly.
"""

import json

import torch
import torch.nn as nn


def tensor(t):
    """A float32 tensor as {"shape", "values"} with 9-significant-digit values."""
    a = t.detach().to(torch.float32).reshape(-1).tolist()
    return {"shape": list(t.shape), "values": [float("%.9g" % v) for v in a]}


def int_tensor(t):
    return {"shape": list(t.shape), "values": [int(v) for v in t.reshape(-1).tolist()]}


def state(module):
    """The module's state_dict as tensors (num_batches_tracked as an int tensor)."""
    out = {}
    for name, value in module.state_dict().items():
        out[name] = int_tensor(value) if value.dtype == torch.int64 else tensor(value)
    return out


def grads(module):
    return {name: tensor(p.grad) for name, p in module.named_parameters() if p.grad is not None}


def write_cases(path, generator, cases):
    """One case per line, so regenerated files diff case by case."""
    with open(path, "w", encoding="ascii", newline="\n") as out:
        out.write('{"generator": %s,\n "torch": %s,\n "cases": [\n' % (json.dumps(generator), json.dumps(torch.__version__)))
        out.write(",\n".join(json.dumps(case, separators=(",", ":")) for case in cases))
        out.write("\n]}\n")


def randomize_batchnorm(module):
    """Non-trivial affine parameters for every BatchNorm2d (defaults 1 and 0 would hide errors)."""
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.copy_(1 + 0.3 * torch.randn(m.num_features))
                m.bias.copy_(0.2 * torch.randn(m.num_features))


class BasicBlock(nn.Module):
    """torchvision's BasicBlock (same child names), so state-dict keys match."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class Separable(nn.Module):
    """Depthwise (no bias) then pointwise, with ConvKit's SeparableConv2D child names."""

    def __init__(self, cin, cout, kernel, multiplier, stride, padding):
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin * multiplier, kernel, stride, padding, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin * multiplier, cout, 1)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


class Lambda(nn.Module):
    """A parameter-free function as a module."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)
