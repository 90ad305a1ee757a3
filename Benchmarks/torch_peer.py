#!/usr/bin/env python3
"""PyTorch on the CPU as the peer of ck-bench: the same shapes, passes and method.

Usage:
    ck-bench --list --set core --json shapes.json
    /usr/bin/python3 Benchmarks/torch_peer.py --shapes shapes.json [--threads 2] [--repeats 5]
                                              [--pass-budget 2] [--filter SUBSTR] [--json FILE]

Times conv2d, depthwise and transposed conv2d and GEMM (forward, backward-data,
backward-weights), max / average pooling and batch norm in training mode (forward,
backward) in float32 on PyTorch's CPU backend with `torch.set_num_threads(--threads)`:
one warm-up run, then the median, minimum and maximum of up to --repeats runs (fewer,
not under 3, past --pass-budget seconds, as ck-bench). Work is counted as
Benchmarks/ConvBench/shapes.h says (bench_shapes.py), so the rates compare with
ck-bench's; --json writes the same format. The backward passes call the ATen kernels
autograd would call (convolution_backward with one output selected,
max_pool2d_with_indices_backward with the indices of the forward, avg_pool2d_backward,
native_batch_norm_backward), without autograd's bookkeeping.
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_shapes  # noqa: E402

aten = torch.ops.aten
EPSILON, MOMENTUM = 1e-5, 0.1


def uniform(*dims):
    """Values in [-1, 1), like ck-bench's inputs."""
    return torch.rand(*dims) * 2 - 1


def pool_runner(shape, pass_name):
    k, s, p = shape.kernel, shape.stride, shape.pad
    oh, ow = shape.output_hw()
    x, dy = uniform(shape.n, shape.c, shape.h, shape.w), uniform(shape.n, shape.c, oh, ow)
    if shape.pool_mode == "max":
        if pass_name == "forward":
            return lambda: F.max_pool2d(x, k, s, p)
        _, indices = F.max_pool2d(x, k, s, p, return_indices=True)
        return lambda: aten.max_pool2d_with_indices_backward(dy, x, [k, k], [s, s], [p, p], [1, 1], False, indices)
    if pass_name == "forward":
        return lambda: F.avg_pool2d(x, k, s, p)
    return lambda: aten.avg_pool2d_backward(dy, x, [k, k], [s, s], [p, p], False, True, None)


def batchnorm_runner(shape, pass_name):
    """Training mode: batch statistics, running statistics updated, as ck-bench."""
    x, dy = uniform(shape.n, shape.c, shape.h, shape.w), uniform(shape.n, shape.c, shape.h, shape.w)
    gamma, beta = uniform(shape.c), uniform(shape.c)
    running_mean, running_var = torch.zeros(shape.c), torch.ones(shape.c)
    if pass_name == "forward":
        return lambda: F.batch_norm(x, running_mean, running_var, gamma, beta, True, MOMENTUM, EPSILON)
    _, saved_mean, saved_invstd = aten.native_batch_norm(x, gamma, beta, running_mean, running_var, True,
                                                         MOMENTUM, EPSILON)
    return lambda: aten.native_batch_norm_backward(dy, x, gamma, running_mean, running_var, saved_mean,
                                                   saved_invstd, True, EPSILON, [True, True, True])


def gemm_runner(shape, pass_name):
    """A dense layer: y = x w^T; dx = dy w; dw = dy^T x."""
    x, w, dy = uniform(shape.n, shape.c), uniform(shape.o, shape.c), uniform(shape.n, shape.o)
    if pass_name == "forward":
        return lambda: torch.mm(x, w.t())
    if pass_name == "backward_data":
        return lambda: torch.mm(dy, w)
    return lambda: torch.mm(dy.t(), x)


def conv_runner(shape, pass_name):
    k, s, p, g = shape.kernel, shape.stride, shape.pad, shape.groups
    oh, ow = shape.output_hw()
    x = uniform(shape.n, shape.c, shape.h, shape.w)
    transposed = shape.kind == "conv_transpose2d"
    if transposed:
        w = uniform(shape.c, shape.o // g, k, k)  # IOHW
        if pass_name == "forward":
            return lambda: F.conv_transpose2d(x, w, None, s, p, 0, g)
    else:
        w = uniform(shape.o, shape.c // g, k, k)  # OIHW
        if pass_name == "forward":
            return lambda: F.conv2d(x, w, None, s, p, 1, g)
    dy = uniform(shape.n, shape.o, oh, ow)
    mask = [pass_name == "backward_data", pass_name == "backward_weights", False]
    return lambda: aten.convolution_backward(dy, x, w, None, [s, s], [p, p], [1, 1], transposed, [0, 0], g, mask)


def make_runner(shape, pass_name):
    """Builds the tensors of one shape and returns a function running one pass."""
    runners = {"pool2d": pool_runner, "batchnorm2d": batchnorm_runner, "gemm": gemm_runner}
    return runners.get(shape.kind, conv_runner)(shape, pass_name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    bench_shapes.add_common_arguments(parser)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    args = parser.parse_args()
    if args.repeats < 1 or args.threads < 1:
        parser.error("--repeats and --threads want a count >= 1")

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    shapes, set_name, quick = bench_shapes.load_shapes(args.shapes)
    info = bench_shapes.run_info("torch_peer", "pytorch", torch.__version__, "cpu", torch.get_num_threads(), args,
                                 set_name, quick, mkldnn=torch.backends.mkldnn.is_available())
    selected = bench_shapes.selected_passes(shapes, args.filter)
    if not selected:
        print(f"torch_peer: no pass matches --filter '{args.filter}'", file=sys.stderr)
        return 2

    bench_shapes.print_header(info)
    results = []
    with torch.no_grad():
        for shape, pass_name in selected:
            row = bench_shapes.new_row(shape, pass_name)
            try:
                bench_shapes.record(row, bench_shapes.measure(make_runner(shape, pass_name), args.repeats,
                                                              args.pass_budget))
            except (RuntimeError, MemoryError) as error:
                row["error"] = str(error).splitlines()[0]
            bench_shapes.print_row(row)
            results.append(row)
    return bench_shapes.finish("torch_peer", info, results, args.json)


if __name__ == "__main__":
    sys.exit(main())
