#!/usr/bin/env python3
"""PyTorch on the CPU as the peer of ck-model-bench: the same models, batches and method.

Usage:
    /usr/bin/python3 Benchmarks/torch_model_peer.py [--threads 2] [--models lenet5,resnet20,resnet18,mobilenet]
                                                    [--batches 1,16] [--modes train,infer] [--warmup 2]
                                                    [--steps 5] [--budget 20] [--quick] [--json FILE]

The networks are written out here as ConvKitTrain defines them (Sources/ConvKitTrain/Models:
LeNet-5 with ReLU and max pooling, the CIFAR ResNet-20 and torchvision's ResNet-18 with
projection shortcuts, the MobileNet v1 for small images), since torchvision is not needed.
A training step is forward, cross-entropy, backward and an SGD step (momentum 0.9);
inference is a forward pass in eval mode under torch.no_grad(). Each configuration:
warm-up steps, then the median of up to --steps timed steps (fewer, not under 3, past
--budget seconds). Peak memory is the process's peak resident size (VmHWM of
/proc/self/status, reset per configuration through /proc/self/clear_refs where the
kernel allows, after malloc_trim gave freed memory back). --json writes ck-model-bench's format.
"""
import argparse
import ctypes
import datetime
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_shapes  # noqa: E402

# name: (C, H, W, classes, batches, quick batches), as Benchmarks/ModelBench/ModelCases.swift
MODELS = {
    "lenet5": (1, 28, 28, 10, [1, 16, 64, 256], [1, 16]),
    "resnet20": (3, 32, 32, 10, [1, 16, 64, 128], [1, 16]),
    "resnet18": (3, 224, 224, 1000, [1, 8, 32], [1, 2]),
    "mobilenet": (3, 32, 32, 10, [1, 16, 64, 128], [1, 16]),
}


class LeNet5(nn.Module):
    def __init__(self, channels, classes):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(channels, 6, 5, padding=2), nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(16 * 5 * 5, 120), nn.Linear(120, 84), nn.Linear(84, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv2(F.max_pool2d(F.relu(self.conv1(x)), 2))), 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x.flatten(1))))))


class BasicBlock(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.downsample = None
        if stride != 1 or inputs != outputs:
            self.downsample = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + shortcut)


def stage(inputs, outputs, blocks, stride):
    return nn.Sequential(*[BasicBlock(inputs if i == 0 else outputs, outputs, stride if i == 0 else 1)
                           for i in range(blocks)])


class ResNet(nn.Module):
    """CIFAR-style (3x3 stem, stages 16/32/64) or ImageNet-style (7x7/2 stem and max pool, 64...512)."""

    def __init__(self, channels, classes, widths, blocks, imagenet):
        super().__init__()
        self.imagenet = imagenet
        self.conv1 = nn.Conv2d(channels, widths[0], 7 if imagenet else 3, 2 if imagenet else 1, 3 if imagenet else 1,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.layers = nn.Sequential(*[stage(widths[max(i - 1, 0)], widths[i], blocks, 1 if i == 0 else 2)
                                      for i in range(len(widths))])
        self.fc = nn.Linear(widths[-1], classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        if self.imagenet:
            x = F.max_pool2d(x, 3, 2, 1)
        return self.fc(F.adaptive_avg_pool2d(self.layers(x), 1).flatten(1))


class MobileNet(nn.Module):
    """ConvKit's MobileNet v1 for small images: a stride-1 3x3 stem, 13 depthwise-separable blocks."""

    BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1),
              (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, channels, classes):
        super().__init__()
        layers, inputs = [nn.Conv2d(channels, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU()], 32
        for outputs, stride in self.BLOCKS:
            layers += [nn.Conv2d(inputs, inputs, 3, stride, 1, groups=inputs, bias=False), nn.BatchNorm2d(inputs),
                       nn.ReLU(), nn.Conv2d(inputs, outputs, 1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU()]
            inputs = outputs
        self.features, self.fc = nn.Sequential(*layers), nn.Linear(inputs, classes)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(self.features(x), 1).flatten(1))


def make_model(name, channels, classes):
    if name == "lenet5":
        return LeNet5(channels, classes)
    if name == "resnet20":
        return ResNet(channels, classes, [16, 32, 64], 3, imagenet=False)
    if name == "resnet18":
        return ResNet(channels, classes, [64, 128, 256, 512], 2, imagenet=True)
    return MobileNet(channels, classes)


def reset_peak():
    """Resets VmHWM to the current resident size, after giving freed memory back (malloc_trim)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def peak_resident_bytes():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def make_step(name, mode, batch):
    channels, height, width, classes = MODELS[name][:4]
    model = make_model(name, channels, classes)
    x = torch.rand(batch, channels, height, width) * 2 - 1
    labels = torch.arange(batch) % classes
    if mode == "infer":
        model.eval()

        def infer():
            with torch.no_grad():
                model(x)
        return infer
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def train():
        loss = F.cross_entropy(model(x), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return train


def measure(name, mode, batch, args):
    channels, height, width, classes = MODELS[name][:4]
    row = {"model": name, "input": [channels, height, width], "classes": classes, "mode": mode, "batch": batch,
           "steps": 0, "median_ms": None, "min_ms": None, "max_ms": None, "images_per_s": None,
           "peak_rss_scope": "configuration" if reset_peak() else "process", "device_bytes": None, "error": None}
    try:
        step = make_step(name, mode, batch)
        last = 0.0
        for _ in range(args.warmup):
            start = time.perf_counter()
            step()
            last = time.perf_counter() - start
        count = bench_shapes.planned_runs(args.steps, args.budget, last)
        samples = []
        for _ in range(count):
            start = time.perf_counter()
            step()
            samples.append(time.perf_counter() - start)
        median = statistics.median(samples)
        row.update(steps=count, median_ms=median * 1e3, min_ms=min(samples) * 1e3, max_ms=max(samples) * 1e3,
                   images_per_s=batch / median)
    except (RuntimeError, MemoryError) as error:
        row["error"] = str(error).splitlines()[0]
    row["peak_rss_bytes"] = peak_resident_bytes()
    return row


def print_row(row):
    head = f"{row['model']:<10} {row['mode']:<5} {row['batch']:>6} "
    if row["error"]:
        print(head + f"FAILED: {row['error']}", flush=True)
        return
    rss = f"{row['peak_rss_bytes'] / 1048576:12.1f}" if row["peak_rss_bytes"] else f"{'-':>12}"
    print(head + f"{row['steps']:>6} {row['median_ms']:>10.3f} {row['min_ms']:>11.3f} {row['max_ms']:>11.3f} "
          f"{row['images_per_s']:>10.1f} {rss}", flush=True)


def parse_list(text, convert, what, parser):
    try:
        return [convert(item.strip()) for item in text.split(",") if item.strip()]
    except ValueError:
        parser.error(f"{what}: '{text}'")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--models", default=",".join(MODELS), help="comma separated (default: all four)")
    parser.add_argument("--batches", default="", help="batch sizes for every model (default: each model's list)")
    parser.add_argument("--modes", default="train,infer", help="train, infer or both")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    parser.add_argument("--steps", type=int, default=5, help="timed steps per configuration (default 5)")
    parser.add_argument("--budget", type=float, default=20.0, help="fewer steps past this many seconds (default 20)")
    parser.add_argument("--quick", action="store_true", help="small batches and 2 timed steps")
    parser.add_argument("--json", metavar="FILE", help="also write the results and machine details to FILE")
    args = parser.parse_args()
    models = parse_list(args.models, str, "--models", parser)
    unknown = [name for name in models if name not in MODELS]
    modes = parse_list(args.modes, str, "--modes", parser)
    batches = parse_list(args.batches, int, "--batches wants counts", parser)
    if unknown or any(mode not in ("train", "infer") for mode in modes) or any(b < 1 for b in batches):
        parser.error(f"--models takes {', '.join(MODELS)}; --modes train and/or infer; --batches counts >= 1")
    if args.warmup < 1 or args.steps < 1 or args.threads < 1:
        parser.error("--warmup, --steps and --threads want at least 1")
    if args.quick:
        args.steps = min(args.steps, 2)

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"PyTorch {torch.__version__} | cpu, {torch.get_num_threads()} threads | {bench_shapes.cpu_model()}"
          + (" | quick" if args.quick else ""))
    print("model      mode   batch  steps  median ms      min ms      max ms   images/s  peak RSS MiB")
    results = []
    for name in models:
        for batch in batches or (MODELS[name][5] if args.quick else MODELS[name][4]):
            for mode in modes:
                row = measure(name, mode, batch, args)
                print_row(row)
                results.append(row)
    info = {"tool": "torch_model_peer", "schema": 2, "framework": "pytorch", "framework_version": torch.__version__,
            "backend": "cpu", "threads": torch.get_num_threads(), "warmup": args.warmup, "steps": args.steps,
            "budget_s": args.budget, "quick": args.quick,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": bench_shapes.machine(), "libraries": {"python": platform.python_version()}}
    return bench_shapes.finish("torch_model_peer", info, results, args.json)


if __name__ == "__main__":
    sys.exit(main())
