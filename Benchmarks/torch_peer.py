#!/usr/bin/env python3
"""PyTorch on the CPU as the peer of ck-bench: the same shapes, passes and method.

Usage:
    /usr/bin/python3 Benchmarks/torch_peer.py [--threads 2] [--repeats 5] [--quick]
                                              [--filter SUBSTR] [--json FILE]

Times conv2d and transposed conv2d (forward, backward-data, backward-weights) and
max / average pooling (forward, backward) in float32 on PyTorch's CPU backend with
`torch.set_num_threads(--threads)`: one warm-up run, then the median, minimum and
maximum of --repeats runs. Work is counted as in Benchmarks/ConvBench/shapes.h, so
the rates compare with ck-bench's; --json writes the same format (compare.py reads
both). The backward passes call the ATen kernels autograd would call
(convolution_backward with one output selected, max_pool2d_with_indices_backward with
the indices of the forward, avg_pool2d_backward), without autograd's bookkeeping.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

aten = torch.ops.aten


@dataclass(frozen=True)
class Shape:
    """One benchmark shape; mirrors bench_shapes[] in Benchmarks/ConvBench/shapes.c."""

    name: str
    description: str
    kind: str  # "conv", "conv_transpose" or "pool"
    n: int  # batch; --quick divides it by 8
    c: int  # input x: (N, C, H, W)
    h: int
    w: int
    o: int  # conv / transposed conv output channels
    kernel: int
    stride: int
    pad: int
    groups: int = 1
    pool_mode: str = "max"

    def passes(self):
        if self.kind == "pool":
            return ["forward", "backward"]
        return ["forward", "backward_data", "backward_weights"]

    def unit(self):
        return "GB/s" if self.kind == "pool" else "GFLOP/s"

    def output_hw(self):
        k, s, p = self.kernel, self.stride, self.pad
        if self.kind == "conv_transpose":
            return (self.h - 1) * s - 2 * p + k, (self.w - 1) * s - 2 * p + k
        return (self.h + 2 * p - k) // s + 1, (self.w + 2 * p - k) // s + 1

    def work(self, pass_name, n):
        """FLOPs (convs) or bytes (pooling) of one run, as ck-bench counts them."""
        oh, ow = self.output_hw()
        taps = self.kernel * self.kernel
        x_elements = n * self.c * self.h * self.w
        if self.kind == "conv":
            return 2 * n * self.o * oh * ow * (self.c // self.groups) * taps
        if self.kind == "conv_transpose":  # the conv it is the adjoint of
            return 2 * x_elements * (self.o // self.groups) * taps
        y_elements = n * self.c * oh * ow
        if pass_name == "forward":
            return 4 * (x_elements + y_elements)
        return 4 * (y_elements + x_elements + (x_elements if self.pool_mode == "max" else 0))


SHAPES = [
    Shape("conv3x3_64x56", "ResNet conv2_x: 64->64 3x3 p1 at 56x56", "conv", 32, 64, 56, 56, 64, 3, 1, 1),
    Shape("conv3x3_128x28", "ResNet conv3_x: 128->128 3x3 p1 at 28x28", "conv", 32, 128, 28, 28, 128, 3, 1, 1),
    Shape("conv3x3_256x14", "ResNet conv4_x: 256->256 3x3 p1 at 14x14", "conv", 32, 256, 14, 14, 256, 3, 1, 1),
    Shape("conv1x1_64to256x56", "ResNet-50 bottleneck expansion: 64->256 1x1 at 56x56",
          "conv", 32, 64, 56, 56, 256, 1, 1, 0),
    Shape("conv7x7s2_3to64x224", "ResNet stem: 3->64 7x7 stride 2 p3 at 224x224", "conv", 8, 3, 224, 224, 64, 7, 2, 3),
    Shape("dwconv3x3_128x56", "MobileNet depthwise: 128 channels 3x3 p1 groups 128 at 56x56",
          "conv", 32, 128, 56, 56, 128, 3, 1, 1, groups=128),
    Shape("convT4x4s2_64to32x28", "decoder upsampling: transposed 64->32 4x4 stride 2 p1, 28x28 -> 56x56",
          "conv_transpose", 16, 64, 28, 28, 32, 4, 2, 1),
    Shape("maxpool3x3s2_64x112", "ResNet stem pool: max 3x3 stride 2 p1, 64 channels at 112x112",
          "pool", 32, 64, 112, 112, 64, 3, 2, 1, pool_mode="max"),
    Shape("avgpool2x2s2_64x112", "average 2x2 stride 2, 64 channels at 112x112",
          "pool", 32, 64, 112, 112, 64, 2, 2, 0, pool_mode="avg"),
]


def quick_batch(n):
    return max(1, n // 8)


def uniform(*dims):
    """Values in [-1, 1), like ck-bench's inputs."""
    return torch.rand(*dims) * 2 - 1


def make_runner(shape, pass_name, n):
    """Builds the tensors of one shape at batch n and returns a function running one pass."""
    k, s, p, g = shape.kernel, shape.stride, shape.pad, shape.groups
    oh, ow = shape.output_hw()
    x = uniform(n, shape.c, shape.h, shape.w)
    if shape.kind == "pool":
        dy = uniform(n, shape.c, oh, ow)
        if shape.pool_mode == "max":
            if pass_name == "forward":
                return lambda: F.max_pool2d(x, k, s, p)
            _, indices = F.max_pool2d(x, k, s, p, return_indices=True)
            return lambda: aten.max_pool2d_with_indices_backward(dy, x, [k, k], [s, s], [p, p], [1, 1], False, indices)
        if pass_name == "forward":
            return lambda: F.avg_pool2d(x, k, s, p)
        return lambda: aten.avg_pool2d_backward(dy, x, [k, k], [s, s], [p, p], False, True, None)

    transposed = shape.kind == "conv_transpose"
    if transposed:
        w = uniform(shape.c, shape.o // g, k, k)  # IOHW
        if pass_name == "forward":
            return lambda: F.conv_transpose2d(x, w, None, s, p, 0, g)
    else:
        w = uniform(shape.o, shape.c // g, k, k)  # OIHW
        if pass_name == "forward":
            return lambda: F.conv2d(x, w, None, s, p, 1, g)
    dy = uniform(n, shape.o, oh, ow)
    mask = [pass_name == "backward_data", pass_name == "backward_weights", False]
    return lambda: aten.convolution_backward(dy, x, w, None, [s, s], [p, p], [1, 1], transposed, [0, 0], g, mask)


def measure(run, repeats):
    """One warm-up run, then `repeats` timed runs: (median, min, max) in seconds."""
    run()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples), max(samples)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def print_header(info):
    print(f"PyTorch {info['framework_version']} | backend cpu, {info['threads']} threads | "
          f"{info['machine']['cpu_model']}, {info['machine']['cores']} cores | "
          f"median of {info['repeats']} runs after a warm-up" + (" | quick (small batches)" if info["quick"] else ""))
    print(f"{'shape':<22} {'pass':<17} {'N':>4} {'median ms':>11} {'min ms':>10} {'max ms':>10} {'rate':>17}")


def print_row(row):
    line = f"{row['shape']:<22} {row['pass']:<17} {row['n']:>4} "
    if row["error"]:
        line += f"FAILED: {row['error']}"
    else:
        line += (f"{row['median_ms']:>11.3f} {row['min_ms']:>10.3f} {row['max_ms']:>10.3f} "
                 f"{row['rate']:>9.2f} {row['unit']}")
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per pass after a warm-up (default 5)")
    parser.add_argument("--quick", action="store_true", help="batches divided by 8, for a fast smoke run")
    parser.add_argument("--filter", default=None, help='only passes whose "<shape>/<pass>" contains this')
    parser.add_argument("--json", metavar="FILE", help="also write the results and machine details to FILE")
    args = parser.parse_args()
    if args.repeats < 1 or args.threads < 1:
        parser.error("--repeats and --threads want a count >= 1")

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    info = {
        "tool": "torch_peer",
        "framework": "pytorch",
        "framework_version": torch.__version__,
        "backend": "cpu",
        "threads": torch.get_num_threads(),
        "repeats": args.repeats,
        "quick": args.quick,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpu_model": cpu_model(), "cores": os.cpu_count() or 1,
                    "os": f"{platform.system()} {platform.release()}"},
    }

    selected = [(shape, pass_name) for shape in SHAPES for pass_name in shape.passes()
                if not args.filter or args.filter in f"{shape.name}/{pass_name}"]
    if not selected:
        print(f"torch_peer: no pass matches --filter '{args.filter}'", file=sys.stderr)
        return 2

    print_header(info)
    results = []
    with torch.no_grad():
        for shape, pass_name in selected:
            n = quick_batch(shape.n) if args.quick else shape.n
            row = {"shape": shape.name, "description": shape.description, "pass": pass_name, "n": n,
                   "unit": shape.unit(), "work": shape.work(pass_name, n), "median_ms": None, "min_ms": None,
                   "max_ms": None, "rate": None, "cpu_fallback": False, "error": None}
            try:
                median, fastest, slowest = measure(make_runner(shape, pass_name, n), args.repeats)
                row.update(median_ms=median * 1e3, min_ms=fastest * 1e3, max_ms=slowest * 1e3,
                           rate=row["work"] / median * 1e-9)
            except (RuntimeError, MemoryError) as error:
                row["error"] = str(error).splitlines()[0]
            print_row(row)
            results.append(row)

    if args.json:
        with open(args.json, "w") as out:
            json.dump({**info, "results": results}, out, indent=2)
            out.write("\n")
        print(f"wrote {args.json}")
    failures = sum(1 for row in results if row["error"])
    if failures:
        print(f"torch_peer: {failures} of {len(results)} passes failed", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
