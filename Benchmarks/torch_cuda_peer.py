#!/usr/bin/env python3
"""PyTorch with CUDA/cuDNN as the GPU peer of ck-bench: the same shapes, passes and method.

Usage (on the GPU machine; scripts/gpu-run.sh calls it once per precision):
    ck-bench --list --set core --json shapes.json
    python3 Benchmarks/torch_cuda_peer.py --shapes shapes.json [--tf32 off|on] [--repeats 5]
                                          [--pass-budget 2] [--filter SUBSTR] [--json FILE] [--device cuda]

Runs the shapes and passes of Benchmarks/torch_peer.py (imported from the same folder,
so both peers and ck-bench count the same work) on a CUDA device in float32:
  --tf32 off  torch.backends.cudnn.allow_tf32 = False and
              torch.backends.cuda.matmul.allow_tf32 = False: true FP32, as ConvKit computes;
  --tf32 on   both allowed: what PyTorch users get from Ampere on by default for convs.
cuDNN picks its fastest algorithm per shape (torch.backends.cudnn.benchmark = True), in
the warm-up run. Each pass: one warm-up run, then up to --repeats runs, each timed from
the host with torch.cuda.synchronize() before and after (as ck-bench waits for the queue).
--json writes the format of torch_peer.py (Benchmarks/report.py reads it), with
"backend": "cuda", the GPU's name, driver, CUDA and cuDNN versions, and the TF32 setting.
--device cpu runs the same code on the CPU (to check the script where there is no GPU).
"""
import argparse
import os
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_shapes  # noqa: E402
import torch_peer  # noqa: E402  (the pass runners)


def driver_version():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30)
        return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    bench_shapes.add_common_arguments(parser)
    parser.add_argument("--tf32", choices=["off", "on"], default="off", help="allow TF32 in cuDNN and matmul")
    parser.add_argument("--device", default="cuda", help="torch device (default cuda; cpu to test the script)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats wants a count >= 1")

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("torch_cuda_peer: PyTorch sees no CUDA device (torch.cuda.is_available() is False)", file=sys.stderr)
        return 1
    tf32 = args.tf32 == "on"
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(0)
    # torch_peer builds its tensors with torch.rand / zeros / ones: make them on the device.
    if hasattr(torch, "set_default_device"):
        torch.set_default_device(device)
    elif device.type == "cuda":
        torch.set_default_tensor_type(torch.cuda.FloatTensor)
    synchronize = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    on_gpu = device.type == "cuda"
    gpu = torch.cuda.get_device_name(device) if on_gpu else bench_shapes.cpu_model()
    shapes, set_name, quick = bench_shapes.load_shapes(args.shapes)
    info = bench_shapes.run_info(
        "torch_cuda_peer", "pytorch", torch.__version__, device.type, torch.get_num_threads(), args, set_name, quick,
        precision="tf32" if tf32 else "fp32", tf32=tf32, cudnn_benchmark=True, cuda_version=torch.version.cuda,
        cudnn_version=torch.backends.cudnn.version() if on_gpu else None,
        device={"name": gpu, "driver_version": driver_version() if on_gpu else None})
    selected = bench_shapes.selected_passes(shapes, args.filter)
    if not selected:
        print(f"torch_cuda_peer: no pass matches --filter '{args.filter}'", file=sys.stderr)
        return 2

    print(f"{gpu} | {info['precision']} (TF32 {'on' if tf32 else 'off'})")
    bench_shapes.print_header(info)
    results = []
    with torch.no_grad():
        for shape, pass_name in selected:
            row = bench_shapes.new_row(shape, pass_name)
            try:
                bench_shapes.record(row, bench_shapes.measure(torch_peer.make_runner(shape, pass_name), args.repeats,
                                                              args.pass_budget, synchronize))
            except (RuntimeError, MemoryError) as error:
                row["error"] = str(error).splitlines()[0]
            bench_shapes.print_row(row)
            results.append(row)
    return bench_shapes.finish("torch_cuda_peer", info, results, args.json)


if __name__ == "__main__":
    sys.exit(main())
