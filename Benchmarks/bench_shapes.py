"""What the peer scripts share: ck-bench's shape list, the work of each pass, the timing
method, the machine details and the result file, so that every peer measures what
ck-bench measures and writes what Benchmarks/report.py reads.

The shapes come from `ck-bench --list --set SET [--quick] --json FILE` (one source of
truth: Benchmarks/ConvBench/shapes.c and catalog.c). The work of a pass is counted here
again, independently, as Benchmarks/ConvBench/shapes.h describes it; report.py warns
when the two counts differ.
"""
import datetime
import json
import os
import platform
import statistics
import time
from dataclasses import dataclass, field

# The passes of each kind of op, as ck-bench names them.
PASSES = {
    "conv2d": ["forward", "backward_data", "backward_weights"],
    "conv_transpose2d": ["forward", "backward_data", "backward_weights"],
    "gemm": ["forward", "backward_data", "backward_weights"],
    "pool2d": ["forward", "backward"],
    "batchnorm2d": ["forward", "backward"],
}


@dataclass(frozen=True)
class Shape:
    """One entry of ck-bench's shape list. GEMM is a dense layer: x (n, c) times w (o, c)^T."""

    name: str
    description: str
    network: str
    kind: str
    occurrences: int
    n: int  # the batch a run uses (ck-bench applied --quick already)
    c: int
    h: int
    w: int
    o: int
    kernel: int
    stride: int
    pad: int
    groups: int
    pool_mode: str
    unit: str
    output: tuple = field(default=())

    def passes(self):
        return PASSES[self.kind]

    def output_hw(self):
        k, s, p = self.kernel, self.stride, self.pad
        if self.kind == "conv_transpose2d":
            return (self.h - 1) * s - 2 * p + k, (self.w - 1) * s - 2 * p + k
        if self.kind in ("batchnorm2d", "gemm"):
            return self.h, self.w
        return (self.h + 2 * p - k) // s + 1, (self.w + 2 * p - k) // s + 1

    def work(self, pass_name):
        """FLOPs (convs, GEMM) or bytes (pooling, batch norm) of one run, as ck-bench counts them."""
        oh, ow = self.output_hw()
        taps = self.kernel * self.kernel
        x_elements = self.n * self.c * self.h * self.w
        if self.kind == "conv2d":
            return 2 * self.n * self.o * oh * ow * (self.c // self.groups) * taps
        if self.kind == "conv_transpose2d":  # the conv it is the adjoint of
            return 2 * x_elements * (self.o // self.groups) * taps
        if self.kind == "gemm":
            return 2 * self.n * self.c * self.o
        if self.kind == "batchnorm2d":
            return 4 * (2 if pass_name == "forward" else 3) * x_elements
        y_elements = self.n * self.c * oh * ow
        if pass_name == "forward":
            return 4 * (x_elements + y_elements)
        return 4 * (y_elements + x_elements + (x_elements if self.pool_mode == "max" else 0))


def load_shapes(path):
    """The shapes of a `ck-bench --list --json` file, and whether they are --quick batches."""
    with open(path) as file:
        listing = json.load(file)
    fields = Shape.__dataclass_fields__
    shapes = []
    for entry in listing["shapes"]:
        values = {key: value for key, value in entry.items() if key in fields}
        shapes.append(Shape(**{**values, "name": entry["shape"], "output": tuple(entry["output"])}))
    return shapes, listing.get("set", "?"), bool(listing.get("quick"))


def selected_passes(shapes, text_filter, passes_of=None):
    """(shape, pass) pairs whose "<shape>/<pass>" contains the filter; `passes_of(shape)` narrows the passes."""
    pairs = []
    for shape in shapes:
        for pass_name in (passes_of(shape) if passes_of else shape.passes()):
            if not text_filter or text_filter in f"{shape.name}/{pass_name}":
                pairs.append((shape, pass_name))
    return pairs


def planned_runs(repeats, budget_s, warmup_s):
    """`repeats`, or fewer (not under 3) when they would take longer than budget_s (ck-bench's rule)."""
    if budget_s <= 0 or repeats <= 3 or warmup_s * repeats <= budget_s:
        return repeats
    return max(3, int(budget_s / warmup_s))


def measure(run, repeats, budget_s, synchronize=lambda: None):
    """One warm-up run, then the planned timed runs, waiting for the device: (median, min, max, runs) in s."""
    synchronize()
    start = time.perf_counter()
    run()
    synchronize()
    runs = planned_runs(repeats, budget_s, time.perf_counter() - start)
    samples = []
    for _ in range(runs):
        synchronize()
        start = time.perf_counter()
        run()
        synchronize()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples), max(samples), runs


def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# The SIMD flags ck-bench records (Benchmarks/ConvBench/machine.c), as /proc/cpuinfo spells them.
SIMD_FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni",
              "avx512_bf16", "amx_tile", "asimd", "sve")


def cpu_flags():
    """The SIMD flags of SIMD_FLAGS the processor has, space separated."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith(("flags", "Features")):
                    present = set(line.split(":", 1)[1].split())
                    return " ".join(flag for flag in SIMD_FLAGS if flag in present)
    except OSError:
        pass
    return ""


def machine():
    """Processor, SIMD flags, cores and OS, as every result file records them."""
    return {"cpu_model": cpu_model(), "cpu_flags": cpu_flags(), "cores": os.cpu_count() or 1,
            "os": f"{platform.system()} {platform.release()} {platform.machine()}"}


def run_info(tool, framework, version, backend, threads, args, set_name, quick, **extra):
    """The header of a result file: what ran, where, and how."""
    return {
        "tool": tool, "schema": 2, "framework": framework, "framework_version": version, "backend": backend,
        "set": set_name, "threads": threads, "repeats": args.repeats, "pass_budget_s": args.pass_budget,
        "quick": quick, "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(), "libraries": {"python": platform.python_version()}, **extra,
    }


def new_row(shape, pass_name, algorithm=None):
    return {"shape": shape.name, "description": shape.description, "network": shape.network, "kind": shape.kind,
            "occurrences": shape.occurrences, "pass": pass_name, "n": shape.n, "unit": shape.unit,
            "work": shape.work(pass_name), "algorithm": algorithm, "chosen": True, "runs": 0, "median_ms": None,
            "min_ms": None, "max_ms": None, "rate": None, "peak_fraction": None, "cpu_fallback": False, "error": None}


def record(row, timing):
    """Fills a row from measure()'s (median, min, max, runs)."""
    median, fastest, slowest, runs = timing
    row.update(runs=runs, median_ms=median * 1e3, min_ms=fastest * 1e3, max_ms=slowest * 1e3,
               rate=row["work"] / median * 1e-9)


def print_header(info):
    threads = f", {info['threads']} threads" if info["threads"] else ""
    print(f"{info['framework']} {info['framework_version']} | {info['backend']}{threads} | "
          f"{info['machine']['cpu_model']}, {info['machine']['cores']} cores | set {info['set']} | "
          f"median of up to {info['repeats']} runs after a warm-up" + (" | quick" if info["quick"] else ""))
    print(f"{'shape':<40} {'pass':<17} {'N':>4} {'median ms':>10} {'min ms':>10} {'max ms':>10} {'rate':>17}")


def print_row(row):
    line = f"{row['shape']:<40} {row['pass']:<17} {row['n']:>4} "
    if row["error"]:
        line += f"FAILED: {row['error']}"
    else:
        line += (f"{row['median_ms']:>10.3f} {row['min_ms']:>10.3f} {row['max_ms']:>10.3f} "
                 f"{row['rate']:>9.2f} {row['unit']}")
    print(line, flush=True)


def write_results(path, info, results):
    if path:
        with open(path, "w") as out:
            json.dump({**info, "results": results}, out, indent=2)
            out.write("\n")
        print(f"wrote {path}")


def skip(path, tool, framework, reason):
    """Says that a peer did not run, on stdout and in its result file; returns exit status 0."""
    print(f"{framework}: {reason}, skipped")
    write_results(path, {"tool": tool, "schema": 2, "framework": framework, "skipped": reason}, [])
    return 0


def add_common_arguments(parser):
    parser.add_argument("--shapes", required=True, metavar="FILE",
                        help="the shape list: ck-bench --list --set SET [--quick] --json FILE")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per pass after a warm-up (default 5)")
    parser.add_argument("--pass-budget", type=float, default=2.0,
                        help="fewer runs (not under 3) past this many seconds a pass (default 2; 0 = none)")
    parser.add_argument("--filter", default=None, help='only passes whose "<shape>/<pass>" contains this')
    parser.add_argument("--json", metavar="FILE", help="also write the results and machine details to FILE")


def finish(tool, info, results, path):
    """Writes the results and returns the exit status: 1 when a pass failed."""
    write_results(path, info, results)
    failures = sum(1 for row in results if row["error"])
    if failures:
        print(f"{tool}: {failures} of {len(results)} passes failed", flush=True)
    return 1 if failures else 0
