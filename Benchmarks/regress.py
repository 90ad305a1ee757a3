#!/usr/bin/env python3
"""Compares a benchmark result with a saved baseline and flags slowdowns beyond a threshold.

Usage:
    python3 Benchmarks/regress.py BASELINE.json NEW.json [--threshold 0.15] [--include-peers]

Either file is a combined report (Benchmarks/report.py --json, what Benchmarks/run.sh
writes to Benchmarks/results/) or one tool's --json output (ck-bench, ck-model-bench, a
peer script). Rows match by name: run (e.g. "ConvKit CPU"), shape, pass and conv
algorithm for the ops; run, model, mode and batch for the models. A row is slower when
its rate (GFLOP/s, GB/s or images/s) fell by more than the threshold (0.15: below 85% of
the baseline's), faster when it rose by more. Only ConvKit's rows count unless
--include-peers (the peers' rows then show how much the machine itself moved).

Exit status: 1 when any row is slower, 0 otherwise, 2 when the files have nothing in
common. This is a tool for people, not a pass/fail gate for CI: on shared or noisy
machines run both sides back to back on the same idle machine, and read a flag as a
reason to measure again.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_tables as tables  # noqa: E402


def runs_of(document):
    """The tool runs in a file: the runs of a combined report, or the file itself."""
    if document.get("report") == "convkit-benchmark":
        return document["runs"] + document["model_runs"]
    return [] if document.get("skipped") else [document]


def rows_of(path, include_peers):
    """{name: (rate, unit, batch)} for every successful row."""
    with open(path) as file:
        runs = runs_of(json.load(file))
    rows, machines = {}, set()
    for run in runs:
        machines.add(f"{run['machine'].get('cpu_model')}, {run['machine'].get('cores')} cores")
        if not (tables.is_convkit(run) or include_peers):
            continue
        name = tables.label(run)
        for result in run["results"]:
            if "model" in result:
                key = f"{name} | {result['model']} {result['mode']} batch {result['batch']}"
                value, unit, batch = result.get("images_per_s"), "images/s", result["batch"]
            else:
                algorithm = result.get("algorithm") or "-"
                key = f"{name} | {result['shape']} {result['pass']} [{algorithm}]"
                value, unit, batch = result.get("rate"), result["unit"], result["n"]
            if value:
                rows[key] = (value, unit, batch)
    return rows, machines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline", help="the saved result (combined report or one tool's JSON)")
    parser.add_argument("new", help="the result to check")
    parser.add_argument("--threshold", type=float, default=0.15,
                        help="relative change that counts (default 0.15: 15%%)")
    parser.add_argument("--include-peers", action="store_true", help="also compare the peers' rows")
    args = parser.parse_args()
    if not 0 < args.threshold < 1:
        parser.error("--threshold wants a fraction between 0 and 1")

    base, base_machines = rows_of(args.baseline, args.include_peers)
    new, new_machines = rows_of(args.new, args.include_peers)
    common = [key for key in base if key in new]
    if not common:
        print("regress: the two files have no row in common (different sets, or no ConvKit rows)", file=sys.stderr)
        return 2
    if base_machines != new_machines:
        print(f"warning: different machines: {sorted(base_machines)} vs {sorted(new_machines)}", file=sys.stderr)

    slower, faster, batch_changed = [], [], []
    for key in common:
        (before, unit, base_batch), (after, _, new_batch) = base[key], new[key]
        if base_batch != new_batch:
            batch_changed.append(key)
            continue
        change = after / before - 1
        if change < -args.threshold:
            slower.append((change, key, before, after, unit))
        elif change > args.threshold:
            faster.append((change, key, before, after, unit))

    print(f"{len(common)} rows in both files; threshold {args.threshold:.0%}")
    for title, rows in (("slower", sorted(slower)), ("faster", sorted(faster, reverse=True))):
        print(f"{title}: {len(rows)}")
        for change, key, before, after, unit in rows:
            print(f"  {change:+7.1%}  {key}: {before:.2f} -> {after:.2f} {unit}")
    if batch_changed:
        print(f"not compared, the batch differs: {len(batch_changed)} rows (a --quick run against a full one?)")
    only_base, only_new = len(base) - len(common), len(new) - len(common)
    if only_base or only_new:
        print(f"only in the baseline: {only_base} rows; only in the new file: {only_new} rows")
    return 1 if slower else 0


if __name__ == "__main__":
    sys.exit(main())
