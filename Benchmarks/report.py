#!/usr/bin/env python3
"""Puts benchmark result files side by side: a table, one JSON file and a chart.

Usage:
    python3 Benchmarks/report.py RESULT.json... [--json FILE] [--markdown FILE] [--chart FILE.png]

RESULT files are what ck-bench, ck-model-bench and the peer scripts write with --json
(torch_peer.py, torch_cuda_peer.py, onnxruntime_peer.py, tinygrad_peer.py,
torch_model_peer.py); a peer that was skipped is listed as such. Prints the comparison;
--markdown writes it as Markdown with every run's machine, device, driver and library
details; --json writes every run and the comparison in one file (regress.py reads it);
--chart draws ConvKit / peer per shape and pass (report_chart.py). Ratios are ConvKit's
rate over the peer's: above 1, ConvKit is faster.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_chart  # noqa: E402
import report_tables as tables  # noqa: E402


def cell(value, digits=2, suffix=""):
    return "-" if value is None else f"{value:.{digits}f}{suffix}"


def percent(value):
    return "" if value is None else f" ({100 * value:.0f}%)"


def run_lines(run):
    """What one run ran on and with, for the Markdown header."""
    parts = [f"{run['framework']} {run['framework_version']}"]
    if run.get("describe"):
        parts.append(run["describe"])
    elif run.get("threads"):
        parts.append(f"{run['threads']} threads")
    for key in ("precision", "cuda_version", "cudnn_version", "passes"):
        if run.get(key) is not None:
            parts.append(f"{key.replace('_', ' ')} {run[key]}")
    device = run.get("device")
    if isinstance(device, dict):
        parts.append(f"device {device.get('name')} ({device.get('vendor', '')}, driver {device.get('driver_version')})")
    libraries = run.get("libraries", {})
    for key in ("openblas", "compiler"):
        if libraries.get(key):
            parts.append(f"{key} {libraries[key]}")
    peaks = run.get("peaks")
    if peaks:
        sgemm = f", OpenBLAS sgemm 2048³ {peaks['sgemm_2048_gflops']:.1f}" if peaks.get("sgemm_2048_gflops") else ""
        parts.append(f"measured peaks: FMA {peaks['fma_gflops']:.1f} GFLOP/s ({peaks['fma_kind']}){sgemm}, "
                     f"bandwidth {peaks['bandwidth_gbs']:.1f} GB/s ({peaks['bandwidth_kind']})")
    method = run.get("repeats") and f"median of up to {run['repeats']} runs after a warm-up"
    method = method or (run.get("steps") and f"median of up to {run['steps']} steps after {run['warmup']} warm-up")
    if method:
        parts.append(method + (", quick" if run.get("quick") else ""))
    level = " models" if run.get("tool") in tables.MODEL_TOOLS else " ops"
    return f"- **{tables.label(run)}{level}**: " + "; ".join(str(part) for part in parts)


def op_table(rows, runs):
    names = [tables.label(run) for run in runs]
    pair_names = [tables.pair_label(a, b) for a, b in tables.pairs(runs)]
    lines = ["| shape | pass | N | unit | " + " | ".join(names) + "".join(f" | {p}" for p in pair_names) + " |",
             "|---|---|---:|---|" + "---:|" * (len(names) + len(pair_names))]
    for row in rows:
        values = []
        for name in names:
            text = cell(row["rates"].get(name)) + percent(row["peak_fraction"].get(name))
            algorithm = row["algorithm"].get(name)
            values.append(text + (f" {algorithm}" if algorithm else ""))
        values += [cell(row["ratios"].get(p), suffix="×") for p in pair_names]
        lines.append(f"| {row['shape']} | {row['pass']} | {row['n']} | {row['unit']} | " + " | ".join(values) + " |")
    return lines


def algorithm_table(rows):
    lines = ["| run | shape | pass | unit | chosen | rates by algorithm |", "|---|---|---|---|---|---|"]
    for row in rows:
        rates = ", ".join(f"{name} {cell(rate)}" + (" (fastest)" if name == row["fastest"] else "")
                          + (" (one run: over 10× slower)" if name in row["one_run"] else "")
                          for name, rate in row["rates"].items())
        lines.append(f"| {row['run']} | {row['shape']} | {row['pass']} | {row['unit']} | {row['chosen']} | {rates} |")
    return lines


def model_table(rows, runs):
    names = [tables.label(run) for run in runs]
    pair_names = [tables.pair_label(a, b) for a, b in tables.pairs(runs)]
    lines = ["| model | mode | batch | " + " | ".join(f"{n} images/s" for n in names)
             + "".join(f" | {p}" for p in pair_names) + " | peak RSS MiB | device MiB |",
             "|---|---|---:|" + "---:|" * (len(names) + len(pair_names)) + "---|---|"]
    for row in rows:
        values = [cell(row["images_per_s"].get(n), 1) for n in names]
        values += [cell(row["ratios"].get(p), suffix="×") for p in pair_names]
        rss = ", ".join(f"{n} {cell(v, 0)}" for n, v in row["peak_rss_mib"].items() if v)
        device = ", ".join(f"{n} {cell(v, 1)}" for n, v in row["device_mib"].items() if v)
        lines.append(f"| {row['model']} | {row['mode']} | {row['batch']} | " + " | ".join(values)
                     + f" | {rss or '-'} | {device or '-'} |")
    return lines


def epilogue_table(runs):
    lines = ["| backend | shape | N | separate ms | fused ms | separate / fused |", "|---|---|---:|---:|---:|---:|"]
    for run in runs:
        for row in run["rows"]:
            if "error" in row:
                lines.append(f"| {run['backend']} | {row['shape']} | {row['batch']} | failed: {row['error']} | | |")
            else:
                lines.append(f"| {run['backend']} | {row['shape']} | {row['batch']} | {row['separate_s'] * 1e3:.3f} | "
                             f"{row['fused_s'] * 1e3:.3f} | {row['separate_over_fused']:.2f}× |")
    return lines


def markdown(report):
    runs, model_runs = report["runs"], report["model_runs"]
    machine = (runs + model_runs)[0]["machine"]
    lines = [f"# ConvKit benchmark, {report['date'][:10]}", "",
             f"Machine: {machine['cpu_model']}, {machine['cores']} cores"
             + (f", {machine['memory_gib']} GiB" if machine.get("memory_gib") else "")
             + (f", flags {machine['cpu_flags']}" if machine.get("cpu_flags") else "") + f", {machine['os']}", ""]
    lines += [run_lines(run) for run in runs + model_runs]
    lines += [f"- **{name}**: skipped ({reason})" for name, reason in report["skipped"].items()]
    lines += ["", "Rates: GFLOP/s for convs and GEMM (2 FLOPs per multiply-add of the direct algorithm; a "
              "transposed conv counts as the conv it is the adjoint of), GB/s for pooling and batch norm (bytes "
              "read and written at least); (n%) is the share of the measured peak (FMA peak, or bandwidth for "
              "memory-bound ops) of that run's device. Ratios are ConvKit / peer: above 1, ConvKit is faster.", ""]
    if report["geometric_means"]:
        lines += ["## Summary", "", "Geometric means of the ratios:", ""]
        lines += [f"- {pair}: " + ", ".join(f"{group} {value:.2f}×" for group, value in means.items())
                  for pair, means in report["geometric_means"].items()]
    if report["network_totals"]:
        lines += ["", "Whole networks (every measured layer × its occurrences, all passes both ran; "
                  "ratio = peer time / ConvKit time):", "",
                  "| pair | network | N | passes | ConvKit ms | peer ms | ratio |", "|---|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {t['pair']} | {t['network']} | {t['n']} | {t['passes']} | {t['convkit_ms']:.1f} | "
                  f"{t['peer_ms']:.1f} | {cell(t['ratio'], suffix='×')} |" for t in report["network_totals"]]
    if report["ops"]:
        lines += ["", "## Ops", "", "The backend's own algorithm for each conv (marked after the rate).", ""]
        lines += op_table(report["ops"], runs)
    if report["algorithms"]:
        lines += ["", "## Conv algorithms", ""] + algorithm_table(report["algorithms"])
    if report["epilogue_runs"]:
        lines += ["", "## Fused conv epilogue", "", "Conv forward then ReLU as two ops (`ck_conv2d_forward`, "
                  "`ck_activation_forward` in place) against `ck_conv2d_forward_fused`, timed back to back in "
                  "rounds; medians. Above 1, the fused form is faster.", ""]
        lines += epilogue_table(report["epilogue_runs"])
    if report["models"]:
        lines += ["", "## Models", "", "Training step (forward, loss, backward, SGD) and inference images/s; "
                  "peak resident memory of the process and device memory of the OpenCL pool.", ""]
        lines += model_table(report["models"], model_runs)
    if report["warnings"]:
        lines += ["", "## Caveats", ""] + [f"- {warning}" for warning in report["warnings"]]
    return "\n".join(lines) + "\n"


def text_summary(report):
    lines = []
    for pair, means in report["geometric_means"].items():
        lines.append(f"{pair}: " + ", ".join(f"{group} {value:.2f}x" for group, value in means.items()))
    for row in report["models"]:
        for pair, value in row["ratios"].items():
            lines.append(f"{row['model']} {row['mode']} batch {row['batch']}: {pair} {value:.2f}x")
    return "\n".join(lines) or "no pair of ConvKit and a peer measured the same thing"


def build(paths):
    runs, model_runs, epilogue_runs, skipped = [], [], [], {}
    for path in paths:
        with open(path) as file:
            run = json.load(file)
        if run.get("skipped"):
            skipped[run["framework"]] = run["skipped"]
        elif run.get("tool") in tables.OP_TOOLS:
            runs.append(run)
        elif run.get("tool") in tables.MODEL_TOOLS:
            model_runs.append(run)
        elif run.get("tool") == "ck-bench --epilogue":
            epilogue_runs.append(run)
        else:
            raise SystemExit(f"report: {path} is not a result file of the benchmark (tool {run.get('tool')!r})")
    if not runs and not model_runs:
        raise SystemExit("report: no results to compare")
    ops = tables.op_rows(runs)
    models = tables.model_rows(model_runs)
    return {"report": "convkit-benchmark", "schema": 2, "date": (runs + model_runs)[0]["date"],
            "runs": runs, "model_runs": model_runs, "epilogue_runs": epilogue_runs, "skipped": skipped, "ops": ops,
            "algorithms": tables.algorithm_rows(runs), "geometric_means": tables.geometric_means(ops, runs),
            "network_totals": tables.network_totals(ops, runs), "models": models,
            "warnings": tables.warnings(runs, model_runs, ops)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", help="result files (--json of ck-bench, ck-model-bench, the peers)")
    parser.add_argument("--json", metavar="FILE", help="write every run and the comparison")
    parser.add_argument("--markdown", metavar="FILE", help="write the tables as Markdown")
    parser.add_argument("--chart", metavar="FILE", help="write the ConvKit / peer chart as PNG")
    args = parser.parse_args()

    report = build(args.results)
    print(text_summary(report))
    for warning in report["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    for name, reason in report["skipped"].items():
        print(f"{name}: skipped ({reason})")
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write(markdown(report))
        print(f"wrote {args.markdown}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=1)
            out.write("\n")
        print(f"wrote {args.json}")
    if args.chart:
        pair_names = [tables.pair_label(a, b) for a, b in tables.pairs(report["runs"])]
        machine = (report["runs"] + report["model_runs"])[0]["machine"]
        note = report_chart.draw(args.chart, report["ops"], pair_names,
                                 f"ConvKit / peer, {machine['cpu_model']}, {report['date'][:10]}")
        print(note if not note.startswith("chart:") else f"wrote {args.chart} ({note[7:]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
