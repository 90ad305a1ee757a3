#!/usr/bin/env python3
"""PyTorch with CUDA/cuDNN as the GPU peer of ck-bench: the same shapes, passes and method.

Usage (on the GPU machine; scripts/gpu-run.sh calls it once per precision):
    python3 Benchmarks/torch_cuda_peer.py [--tf32 off|on] [--repeats 5] [--quick]
                                          [--filter SUBSTR] [--json FILE] [--device cuda]

Runs the shapes and passes of Benchmarks/torch_peer.py (imported from the same folder,
so both peers and ck-bench count the same work) on a CUDA device in float32:
  --tf32 off  torch.backends.cudnn.allow_tf32 = False and
              torch.backends.cuda.matmul.allow_tf32 = False: true FP32, as ConvKit computes;
  --tf32 on   both allowed: what PyTorch users get from Ampere on by default for convs.
cuDNN picks its fastest algorithm per shape (torch.backends.cudnn.benchmark = True), in
the warm-up run. Each pass: one warm-up run, then --repeats runs, each timed from the
host with torch.cuda.synchronize() before and after (as ck-bench waits for the queue).
--json writes the format of torch_peer.py (Benchmarks/compare.py reads it), with
"backend": "cuda", the GPU's name, driver, CUDA and cuDNN versions, and the TF32 setting.
--device cpu runs the same code on the CPU (to check the script where there is no GPU).
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_peer  # noqa: E402  (the shapes, the work counts and the pass runners)


def measure(run, repeats, synchronize):
    """One warm-up run, then `repeats` timed runs, waiting for the device: (median, min, max) in seconds."""
    run()
    synchronize()
    samples = []
    for _ in range(repeats):
        synchronize()
        start = time.perf_counter()
        run()
        synchronize()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples), max(samples)


def driver_version():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30)
        return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tf32", choices=["off", "on"], default="off", help="allow TF32 in cuDNN and matmul")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per pass after a warm-up (default 5)")
    parser.add_argument("--quick", action="store_true", help="batches divided by 8, for a fast smoke run")
    parser.add_argument("--filter", default=None, help='only passes whose "<shape>/<pass>" contains this')
    parser.add_argument("--json", metavar="FILE", help="also write the results and machine details to FILE")
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
    # torch_peer builds its tensors with torch.rand: make them on the device.
    if hasattr(torch, "set_default_device"):
        torch.set_default_device(device)
    elif device.type == "cuda":
        torch.set_default_tensor_type(torch.cuda.FloatTensor)
    synchronize = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else torch_peer.cpu_model()
    info = {
        "tool": "torch_cuda_peer",
        "framework": "pytorch",
        "framework_version": torch.__version__,
        "backend": device.type,
        "precision": "tf32" if tf32 else "fp32",
        "tf32": tf32,
        "cudnn_benchmark": True,
        "cuda_version": torch.version.cuda,
        "cudnn_version": torch.backends.cudnn.version() if device.type == "cuda" else None,
        "device": gpu,
        "driver_version": driver_version() if device.type == "cuda" else None,
        "threads": torch.get_num_threads(),
        "repeats": args.repeats,
        "quick": args.quick,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpu_model": torch_peer.cpu_model(), "cores": os.cpu_count() or 1,
                    "os": f"{platform.system()} {platform.release()}", "gpu": gpu},
    }

    selected = [(shape, pass_name) for shape in torch_peer.SHAPES for pass_name in shape.passes()
                if not args.filter or args.filter in f"{shape.name}/{pass_name}"]
    if not selected:
        print(f"torch_cuda_peer: no pass matches --filter '{args.filter}'", file=sys.stderr)
        return 2

    print(f"PyTorch {torch.__version__} | {gpu} | {info['precision']} (TF32 {'on' if tf32 else 'off'}) | "
          f"median of {args.repeats} runs after a warm-up" + (" | quick (small batches)" if args.quick else ""))
    print(f"{'shape':<22} {'pass':<17} {'N':>4} {'median ms':>11} {'min ms':>10} {'max ms':>10} {'rate':>17}")
    results = []
    with torch.no_grad():
        for shape, pass_name in selected:
            n = torch_peer.quick_batch(shape.n) if args.quick else shape.n
            row = {"shape": shape.name, "description": shape.description, "pass": pass_name, "n": n,
                   "unit": shape.unit(), "work": shape.work(pass_name, n), "median_ms": None, "min_ms": None,
                   "max_ms": None, "rate": None, "cpu_fallback": False, "error": None}
            try:
                median, fastest, slowest = measure(torch_peer.make_runner(shape, pass_name, n), args.repeats,
                                                   synchronize)
                row.update(median_ms=median * 1e3, min_ms=fastest * 1e3, max_ms=slowest * 1e3,
                           rate=row["work"] / median * 1e-9)
            except (RuntimeError, MemoryError) as error:
                row["error"] = str(error).splitlines()[0]
            torch_peer.print_row(row)
            results.append(row)

    if args.json:
        with open(args.json, "w") as out:
            json.dump({**info, "results": results}, out, indent=2)
            out.write("\n")
        print(f"wrote {args.json}")
    failures = sum(1 for row in results if row["error"])
    if failures:
        print(f"torch_cuda_peer: {failures} of {len(results)} passes failed", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
