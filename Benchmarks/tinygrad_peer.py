#!/usr/bin/env python3
"""tinygrad on an OpenCL device as a peer of ck-bench's OpenCL backend, where it is installed.

Usage:
    ck-bench --list --set core --json shapes.json
    python3 Benchmarks/tinygrad_peer.py --shapes shapes.json [--device CL] [--repeats 5]
                                        [--pass-budget 2] [--filter SUBSTR] [--json FILE]

Forward passes of conv2d, depthwise and transposed conv2d, pooling and GEMM, each as a
TinyJit function (captured in the warm-up runs, then replayed, so Python's scheduling
cost is not timed), waiting for the device after each run. tinygrad has no separate
backward-data and backward-weights kernels to call, and its batch norm is composed of
generic ops: neither is compared. Method and work counts as Benchmarks/torch_peer.py.
Without tinygrad, or without the device, the script says so, writes a result file
marked "skipped" and exits 0.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_shapes  # noqa: E402

TOOL, FRAMEWORK = "tinygrad_peer", "tinygrad"
KINDS = ("conv2d", "conv_transpose2d", "pool2d", "gemm")
# TinyJit captures on its second call and replays from the third: these calls are not timed.
JIT_CAPTURE_CALLS = 2


def forward(Tensor, TinyJit, shape, device):
    """A function running the forward pass of `shape` on tensors made on `device`."""
    k, s, p, g = shape.kernel, shape.stride, shape.pad, shape.groups

    def uniform(*dims):
        return (Tensor.rand(*dims, device=device) * 2 - 1).realize()

    if shape.kind == "gemm":
        x, w = uniform(shape.n, shape.c), uniform(shape.o, shape.c)
        step = TinyJit(lambda x, w: (x @ w.T).realize())
        return lambda: step(x, w)
    x = uniform(shape.n, shape.c, shape.h, shape.w)
    if shape.kind == "conv2d":
        w = uniform(shape.o, shape.c // g, k, k)
        step = TinyJit(lambda x, w: x.conv2d(w, groups=g, stride=s, padding=p).realize())
    elif shape.kind == "conv_transpose2d":
        w = uniform(shape.c, shape.o // g, k, k)
        step = TinyJit(lambda x, w: x.conv_transpose2d(w, groups=g, stride=s, padding=p).realize())
    elif shape.pool_mode == "max":
        w = None
        step = TinyJit(lambda x, w: x.max_pool2d(kernel_size=(k, k), stride=s, padding=p).realize())
    else:
        w = None
        step = TinyJit(lambda x, w: x.avg_pool2d(kernel_size=(k, k), stride=s, padding=p).realize())
    return lambda: step(x, w)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    bench_shapes.add_common_arguments(parser)
    parser.add_argument("--device", default="CL", help="tinygrad device (default CL: its OpenCL backend)")
    args = parser.parse_args()
    try:
        from importlib.metadata import version
        from tinygrad import Device, Tensor, TinyJit
    except ImportError:
        return bench_shapes.skip(args.json, TOOL, FRAMEWORK, "not installed")
    try:
        device = Device[args.device]
    except Exception as error:  # tinygrad raises various errors for a missing runtime
        return bench_shapes.skip(args.json, TOOL, FRAMEWORK, f"device {args.device} unavailable ({error})")

    shapes, set_name, quick = bench_shapes.load_shapes(args.shapes)
    info = bench_shapes.run_info(TOOL, FRAMEWORK, version("tinygrad"), f"tinygrad {args.device}", None, args, set_name,
                                 quick, passes="forward only")
    selected = bench_shapes.selected_passes([s for s in shapes if s.kind in KINDS], args.filter,
                                            lambda shape: ["forward"])
    if not selected:
        return bench_shapes.skip(args.json, TOOL, FRAMEWORK, f"no forward pass matches --filter '{args.filter}'")

    bench_shapes.print_header(info)
    results = []
    for shape, pass_name in selected:
        row = bench_shapes.new_row(shape, pass_name)
        try:
            run = forward(Tensor, TinyJit, shape, args.device)
            for _ in range(JIT_CAPTURE_CALLS):
                run()
            bench_shapes.record(row, bench_shapes.measure(run, args.repeats, args.pass_budget, device.synchronize))
        except Exception as error:  # compile and runtime errors of any backend
            row["error"] = str(error).splitlines()[0] if str(error) else type(error).__name__
        bench_shapes.print_row(row)
        results.append(row)
    return bench_shapes.finish(TOOL, info, results, args.json)


if __name__ == "__main__":
    sys.exit(main())
