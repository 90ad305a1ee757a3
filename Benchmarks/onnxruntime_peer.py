#!/usr/bin/env python3
"""onnxruntime on the CPU as a peer of ck-bench, where it is installed: forward passes only.

Usage:
    ck-bench --list --set core --json shapes.json
    python3 Benchmarks/onnxruntime_peer.py --shapes shapes.json [--threads 2] [--repeats 5]
                                           [--pass-budget 2] [--filter SUBSTR] [--json FILE]

onnxruntime runs inference graphs, so it has a forward pass for conv2d, depthwise and
transposed conv2d, pooling and GEMM (batch norm only in inference mode, which is not
what ck-bench measures: not compared). Each shape becomes a one-node ONNX model,
exported by PyTorch (torch.onnx.export, opset 13) with the weights as initializers, run
by the CPU execution provider with --threads intra-op threads and every graph
optimization. Method and work counts as Benchmarks/torch_peer.py. Without onnxruntime
(or PyTorch to export the models) the script says so, writes a result file marked
"skipped" and exits 0.
"""
import argparse
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_shapes  # noqa: E402

TOOL, FRAMEWORK = "onnxruntime_peer", "onnxruntime"
KINDS = ("conv2d", "conv_transpose2d", "pool2d", "gemm")


def model_bytes(torch, shape):
    """The forward pass of `shape` as an ONNX model with input "x" of the shape's input dims."""
    nn = torch.nn
    k, s, p, g = shape.kernel, shape.stride, shape.pad, shape.groups
    if shape.kind == "conv2d":
        module, dims = nn.Conv2d(shape.c, shape.o, k, s, p, groups=g, bias=False), (shape.n, shape.c, shape.h, shape.w)
    elif shape.kind == "conv_transpose2d":
        module = nn.ConvTranspose2d(shape.c, shape.o, k, s, p, groups=g, bias=False)
        dims = (shape.n, shape.c, shape.h, shape.w)
    elif shape.kind == "pool2d":
        module = nn.MaxPool2d(k, s, p) if shape.pool_mode == "max" else nn.AvgPool2d(k, s, p)
        dims = (shape.n, shape.c, shape.h, shape.w)
    else:
        module, dims = nn.Linear(shape.c, shape.o, bias=False), (shape.n, shape.c)
    buffer = io.BytesIO()
    torch.onnx.export(module, torch.zeros(*dims), buffer, opset_version=13, input_names=["x"],
                      output_names=["y"], do_constant_folding=True)
    return buffer.getvalue(), dims


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    bench_shapes.add_common_arguments(parser)
    parser.add_argument("--threads", type=int, default=2, help="intra-op threads (default 2)")
    args = parser.parse_args()
    try:
        import numpy
        import onnxruntime
    except ImportError:
        return bench_shapes.skip(args.json, TOOL, FRAMEWORK, "not installed")
    try:
        import torch
    except ImportError:
        return bench_shapes.skip(args.json, TOOL, FRAMEWORK, "PyTorch, which exports the models, is not installed")

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = args.threads, 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    shapes, set_name, quick = bench_shapes.load_shapes(args.shapes)
    info = bench_shapes.run_info(TOOL, FRAMEWORK, onnxruntime.__version__, "cpu", args.threads, args, set_name, quick,
                                 passes="forward only")
    selected = bench_shapes.selected_passes([s for s in shapes if s.kind in KINDS], args.filter,
                                            lambda shape: ["forward"])
    if not selected:
        return bench_shapes.skip(args.json, TOOL, FRAMEWORK, f"no forward pass matches --filter '{args.filter}'")

    bench_shapes.print_header(info)
    rng = numpy.random.default_rng(0)
    results = []
    for shape, pass_name in selected:
        row = bench_shapes.new_row(shape, pass_name)
        try:
            model, dims = model_bytes(torch, shape)
            session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
            feed = {"x": rng.uniform(-1, 1, dims).astype(numpy.float32)}
            bench_shapes.record(row, bench_shapes.measure(lambda: session.run(None, feed), args.repeats,
                                                          args.pass_budget))
        except Exception as error:  # onnxruntime raises its own exception types
            row["error"] = str(error).splitlines()[0]
        bench_shapes.print_row(row)
        results.append(row)
    return bench_shapes.finish(TOOL, info, results, args.json)


if __name__ == "__main__":
    sys.exit(main())
