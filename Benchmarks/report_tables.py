"""The comparisons Benchmarks/report.py prints: result files of ck-bench, ck-model-bench and the
peer scripts side by side, with ConvKit / peer ratios (above 1: ConvKit is faster).

A ConvKit run is compared with the peers on the same kind of device: the CPU backend with
the CPU peers (PyTorch, onnxruntime), the OpenCL backend with the others (tinygrad's
OpenCL backend, PyTorch on CUDA).
"""
import math

# Shape groups of ck-bench that are not the layers of one network: no whole-network time for them.
NOT_NETWORKS = (None, "core", "gemm")
OP_TOOLS = ("ck-bench", "torch_peer", "torch_cuda_peer", "onnxruntime_peer", "tinygrad_peer")
MODEL_TOOLS = ("ck-model-bench", "torch_model_peer")


def label(run):
    """ "ConvKit CPU", "ConvKit OpenCL", "PyTorch CPU", "PyTorch CUDA FP32", "onnxruntime CPU", "tinygrad CL"."""
    framework = {"convkit": "ConvKit", "pytorch": "PyTorch"}.get(run["framework"], run["framework"])
    backend = run.get("backend", "?")
    device = {"cpu": "CPU", "opencl": "OpenCL", "cuda": "CUDA"}.get(backend, backend.replace("tinygrad ", ""))
    precision = f" {run['precision'].upper()}" if run.get("precision") and backend == "cuda" else ""
    return f"{framework} {device}{precision}"


def is_convkit(run):
    return run["framework"] == "convkit"


def on_cpu(run):
    return run.get("backend") == "cpu"


def pairs(runs):
    """(ConvKit run, peer run) on the same kind of device."""
    return [(ours, peer) for ours in runs if is_convkit(ours) for peer in runs
            if not is_convkit(peer) and on_cpu(ours) == on_cpu(peer)]


def pair_label(ours, peer):
    return f"{label(ours)} / {label(peer)}"


def ratio(ours, theirs):
    return ours / theirs if ours and theirs else None


def op_rows(runs):
    """One row per (shape, pass): every run's rate and % of peak for the algorithm the backend chose, and ratios."""
    rows, index = [], {}
    for run in runs:
        for result in run["results"]:
            if not result.get("chosen", True):
                continue
            key = (result["shape"], result["pass"])
            if key not in index:
                index[key] = len(rows)
                rows.append({key_name: result.get(key_name) for key_name in
                             ("shape", "pass", "n", "unit", "network", "occurrences", "kind", "description")}
                            | {"rates": {}, "median_ms": {}, "peak_fraction": {}, "algorithm": {}, "work": {},
                               "cpu_fallback": {}, "ratios": {}})
            row = rows[index[key]]
            name = label(run)
            row["rates"][name] = result["rate"]
            row["median_ms"][name] = result["median_ms"]
            row["peak_fraction"][name] = result.get("peak_fraction")
            row["algorithm"][name] = result.get("algorithm")
            row["work"][name] = result["work"]
            row["cpu_fallback"][name] = result.get("cpu_fallback", False)
    for row in rows:
        for ours, peer in pairs(runs):
            value = ratio(row["rates"].get(label(ours)), row["rates"].get(label(peer)))
            if value is not None:
                row["ratios"][pair_label(ours, peer)] = value
    return rows


def algorithm_rows(runs):
    """For each ConvKit run, the passes measured with more than one conv algorithm: every algorithm's rate."""
    rows = []
    for run in runs:
        if not is_convkit(run):
            continue
        grouped = {}
        for result in run["results"]:
            if result.get("algorithm"):
                grouped.setdefault((result["shape"], result["pass"]), []).append(result)
        for (shape, pass_name), results in grouped.items():
            if len(results) < 2:
                continue
            chosen = next((r for r in results if r.get("chosen")), results[0])
            fastest = max(results, key=lambda r: r["rate"] or 0)
            rows.append({"run": label(run), "shape": shape, "pass": pass_name, "unit": chosen["unit"],
                         "chosen": chosen["algorithm"], "fastest": fastest["algorithm"],
                         "rates": {r["algorithm"]: r["rate"] for r in results},
                         "one_run": [r["algorithm"] for r in results if r.get("cut_short")]})
    return rows


def geometric_means(rows, runs):
    """Per pair: the geometric mean of its ratios over every row and per pass name."""
    means = {}
    for ours, peer in pairs(runs):
        name, groups = pair_label(ours, peer), {}
        for row in rows:
            value = row["ratios"].get(name)
            if value:
                groups.setdefault("all", []).append(value)
                groups.setdefault(row["pass"], []).append(value)
        if groups:
            means[name] = {group: math.exp(sum(map(math.log, values)) / len(values))
                           for group, values in sorted(groups.items())}
    return means


def network_totals(rows, runs):
    """Per pair and catalog network at one batch: the time of every measured layer, times its occurrences,
    summed over the passes both sides ran; ratio = peer time / ConvKit time (above 1: ConvKit is faster)."""
    totals = []
    for ours, peer in pairs(runs):
        a, b = label(ours), label(peer)
        groups = {}
        for row in rows:
            if row["network"] in NOT_NETWORKS or row["median_ms"].get(a) is None or row["median_ms"].get(b) is None:
                continue
            group = groups.setdefault((row["network"], row["n"]), {"ours": 0.0, "theirs": 0.0, "passes": 0})
            group["ours"] += row["median_ms"][a] * row["occurrences"]
            group["theirs"] += row["median_ms"][b] * row["occurrences"]
            group["passes"] += 1
        for (network, n), group in groups.items():
            totals.append({"pair": pair_label(ours, peer), "network": network, "n": n, "passes": group["passes"],
                           "convkit_ms": group["ours"], "peer_ms": group["theirs"],
                           "ratio": group["theirs"] / group["ours"] if group["ours"] else None})
    return totals


def model_rows(runs):
    """One row per (model, mode, batch): every run's images/s and peak memory, and ratios against CPU peers."""
    rows, index = [], {}
    for run in runs:
        for result in run["results"]:
            key = (result["model"], result["mode"], result["batch"])
            if key not in index:
                index[key] = len(rows)
                rows.append({"model": key[0], "mode": key[1], "batch": key[2], "images_per_s": {},
                             "peak_rss_mib": {}, "device_mib": {}, "ratios": {}})
            row, name = rows[index[key]], label(run)
            row["images_per_s"][name] = result["images_per_s"]
            mib = (lambda value: value / 1048576 if value else None)
            row["peak_rss_mib"][name] = mib(result.get("peak_rss_bytes"))
            row["device_mib"][name] = mib(result.get("device_bytes"))
    for row in rows:
        for ours, peer in pairs(runs):
            value = ratio(row["images_per_s"].get(label(ours)), row["images_per_s"].get(label(peer)))
            if value is not None:
                row["ratios"][pair_label(ours, peer)] = value
    return rows


def warnings(op_runs, model_runs, rows):
    """What makes the comparison less sound, in words."""
    found = []
    runs = op_runs + model_runs
    for key, what in (("cpu_model", "processor"), ("cores", "core count")):
        values = {run["machine"].get(key) for run in runs}
        if len(values) > 1:
            found.append(f"the runs differ in {what}: {', '.join(map(str, sorted(values, key=str)))}")
    cpu_threads = {run.get("threads") for run in runs if on_cpu(run) and run.get("threads")}
    if len(cpu_threads) > 1:
        found.append(f"the CPU runs use different thread counts: {sorted(cpu_threads)}")
    if len({run.get("quick") for run in runs}) > 1:
        found.append("some runs are --quick (small batches) and others not")
    for run in runs:
        if is_convkit(run) and not run.get("libraries", {}).get("optimized", True):
            found.append(f"{label(run)}: ck-bench was built without optimization; its figures mean nothing")
    for row in rows:
        works = {value for value in row["work"].values() if value is not None}
        if len(works) > 1:
            found.append(f"{row['shape']}/{row['pass']}: the runs count different work ({sorted(works)})")
        for name, fallback in row["cpu_fallback"].items():
            if fallback:
                found.append(f"{row['shape']}/{row['pass']}: {name} ran it on the CPU backend (fallback)")
    return found
