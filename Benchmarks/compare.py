#!/usr/bin/env python3
"""Puts a ck-bench run and a torch_peer.py run side by side.

Usage:
    python3 Benchmarks/compare.py CONVKIT.json PYTORCH.json [--markdown FILE] [--json FILE]

Both files are the --json output of ck-bench and of Benchmarks/torch_peer.py. Prints
one row per (shape, pass) measured by both, with each rate (GFLOP/s or GB/s) and the
ratio ConvKit / PyTorch (above 1: ConvKit is faster), then the geometric mean of the
ratios per pass and overall. Warns when the two runs differ in machine, threads,
batch or counted work. --markdown writes the same table as Markdown with the run
details; --json writes both runs and the comparison in one file.
"""
import argparse
import json
import math
import sys


def load(path):
    with open(path) as file:
        return json.load(file)


def label(run):
    return f"{run['framework']} {run['framework_version']} ({run['backend']})"


def mismatch_warnings(convkit, pytorch):
    """What makes the two runs less comparable, in words."""
    warnings = []
    for key, what in (("cpu_model", "CPU"), ("cores", "core count")):
        if convkit["machine"].get(key) != pytorch["machine"].get(key):
            warnings.append(f"different {what}: {convkit['machine'].get(key)} vs {pytorch['machine'].get(key)}")
    for key in ("threads", "repeats", "quick"):
        if convkit.get(key) != pytorch.get(key):
            warnings.append(f"different {key}: {convkit.get(key)} vs {pytorch.get(key)}")
    return warnings


def compare_rows(convkit, pytorch):
    """One row per (shape, pass) present in both runs, in ck-bench's order."""
    peer = {(row["shape"], row["pass"]): row for row in pytorch["results"]}
    rows, warnings = [], []
    for ours in convkit["results"]:
        theirs = peer.get((ours["shape"], ours["pass"]))
        if theirs is None:
            continue
        if ours["n"] != theirs["n"] or ours["work"] != theirs["work"]:
            warnings.append(f"{ours['shape']}/{ours['pass']}: batch or work differs "
                            f"({ours['n']}, {ours['work']} vs {theirs['n']}, {theirs['work']})")
        both_ran = ours["rate"] is not None and theirs["rate"] is not None
        rows.append({
            "shape": ours["shape"], "pass": ours["pass"], "n": ours["n"], "unit": ours["unit"],
            "convkit_rate": ours["rate"], "pytorch_rate": theirs["rate"],
            "convkit_median_ms": ours["median_ms"], "pytorch_median_ms": theirs["median_ms"],
            "ratio": ours["rate"] / theirs["rate"] if both_ran and theirs["rate"] > 0 else None,
            "convkit_cpu_fallback": ours.get("cpu_fallback", False),
        })
    return rows, warnings


def geometric_means(rows):
    """Geometric mean of the ratios per pass name, and over all rows ("all")."""
    groups = {}
    for row in rows:
        if row["ratio"]:
            groups.setdefault(row["pass"], []).append(row["ratio"])
            groups.setdefault("all", []).append(row["ratio"])
    return {name: math.exp(sum(map(math.log, ratios)) / len(ratios)) for name, ratios in groups.items()}


def format_rate(rate):
    return "failed" if rate is None else f"{rate:.2f}"


def format_ratio(ratio):
    return "-" if ratio is None else f"{ratio:.2f}x"


def text_table(rows, means):
    lines = [f"{'shape':<22} {'pass':<17} {'N':>4} {'unit':<8} {'ConvKit':>9} {'PyTorch':>9} {'ratio':>8}"]
    for row in rows:
        note = "  (CPU fallback)" if row["convkit_cpu_fallback"] else ""
        lines.append(f"{row['shape']:<22} {row['pass']:<17} {row['n']:>4} {row['unit']:<8} "
                     f"{format_rate(row['convkit_rate']):>9} {format_rate(row['pytorch_rate']):>9} "
                     f"{format_ratio(row['ratio']):>8}{note}")
    lines.append("geometric mean of ConvKit / PyTorch: " +
                 ", ".join(f"{name} {mean:.2f}x" for name, mean in sorted(means.items())))
    return "\n".join(lines)


def markdown(convkit, pytorch, rows, means, warnings):
    machine = convkit["machine"]
    lines = [
        f"# CPU benchmark, {convkit['date'][:10]}",
        "",
        f"- Machine: {machine['cpu_model']}, {machine['cores']} cores, {machine['os']}",
        f"- ConvKit: {label(convkit)}, {convkit['threads']} threads",
        f"- PyTorch: {label(pytorch)}, {pytorch['threads']} threads",
        f"- Method: one warm-up run, then the median of {convkit['repeats']} runs"
        + (" (quick: batches divided by 8)" if convkit.get("quick") else ""),
        "- Rates: GFLOP/s for convs (2·N·O·OH·OW·(C/g)·KH·KW per pass; a transposed conv counts as "
        "the conv it is the adjoint of), GB/s for pooling (bytes read and written); "
        "ratio = ConvKit / PyTorch, above 1 means ConvKit is faster",
        "",
        "| shape | pass | N | unit | ConvKit | PyTorch | ratio |",
        "|---|---|---:|---|---:|---:|---:|",
    ]
    for row in rows:
        note = " (CPU fallback)" if row["convkit_cpu_fallback"] else ""
        lines.append(f"| {row['shape']} | {row['pass']} | {row['n']} | {row['unit']} | "
                     f"{format_rate(row['convkit_rate'])}{note} | {format_rate(row['pytorch_rate'])} | "
                     f"{format_ratio(row['ratio'])} |")
    lines += ["", "Geometric mean of the ratios: " +
              ", ".join(f"{name} {mean:.2f}x" for name, mean in sorted(means.items()))]
    if warnings:
        lines += ["", "Caveats:", ""] + [f"- {warning}" for warning in warnings]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("convkit", help="ck-bench --json output")
    parser.add_argument("pytorch", help="torch_peer.py --json output")
    parser.add_argument("--markdown", metavar="FILE", help="write the table as Markdown")
    parser.add_argument("--json", metavar="FILE", help="write both runs and the comparison")
    args = parser.parse_args()

    convkit, pytorch = load(args.convkit), load(args.pytorch)
    rows, row_warnings = compare_rows(convkit, pytorch)
    if not rows:
        print("compare: the two runs have no (shape, pass) in common", file=sys.stderr)
        return 1
    warnings = mismatch_warnings(convkit, pytorch) + row_warnings
    means = geometric_means(rows)

    print(f"{label(convkit)} vs {label(pytorch)} on {convkit['machine']['cpu_model']}")
    print(text_table(rows, means))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)

    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write(markdown(convkit, pytorch, rows, means, warnings))
        print(f"wrote {args.markdown}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"convkit": convkit, "pytorch": pytorch, "comparison": rows,
                       "geometric_mean_ratio": means, "warnings": warnings}, out, indent=2)
            out.write("\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
