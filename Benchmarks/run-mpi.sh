#!/usr/bin/env bash
# Data-parallel step time over MPI, 1 rank against 2, and the all-reduce bandwidth:
#   Benchmarks/run-mpi.sh [--quick]
# builds convkit with the MPI trait (release, .build-mpi), trains each model for a few steps
# on synthetic 3×32×32 images with `mpirun -np 1` and `mpirun -np 2` (global batch 64 both
# times, so 2 ranks take 32 images each) and reads rank 0's step timings (--timing-out): the
# median step time, the median time a step waits for its all-reduces after backward, the
# median time inside MPI calls (that wait plus starting and polling the all-reduces during
# backward, where MPI moves the data), the device↔host staging time and the bytes each rank
# reduces per step. Then `convkit mpi bench`
# measures the all-reduce alone over message sizes from 1 to 100 MiB and prints it.
# Writes Benchmarks/results/mpi-<date>.json and .md, with the machine's load average.
#
# On one machine both ranks share its cores (1 thread each on 2 cores, against 2 threads for the
# single rank), so the comparison measures the overhead of data parallelism, not a speed-up.
set -euo pipefail
cd "$(dirname "$0")/.."

steps=25
if [ "${1:-}" = "--quick" ]; then steps=6; fi
results=Benchmarks/results
stem="$results/mpi-$(date -u +%Y-%m-%dT%H%M)"
work=$(mktemp -d "${TMPDIR:-/tmp}/convkit-mpi-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi

echo "== swift build -c release --traits MPI --product convkit (.build-mpi)"
swift build -c release --traits MPI --product convkit --scratch-path .build-mpi
convkit=$(swift build -c release --scratch-path .build-mpi --show-bin-path)/convkit
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

for model in resnet20 resnet18; do
    for ranks in 1 2; do
        echo "== $model, $ranks rank(s), $steps steps of 64 images"
        mpirun -np "$ranks" --oversubscribe "$convkit" train --distributed --model "$model" --dataset synthetic \
            --epochs 1 --max-steps "$steps" --batch-size 64 --out "$work/$model-$ranks" \
            --timing-out "$work/$model-$ranks.json" | grep -E "^data-parallel|^device|train loss"
    done
done

echo "== all-reduce alone, 2 ranks"
mpirun -np 2 --oversubscribe "$convkit" mpi bench --sizes-mib 1 4 16 64 100 --json "$work/allreduce.json"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$results"
python3 - "$work" "$stem" "$load_before" "$load_after" "$steps" <<'PY'
import json, os, platform, sys
work, stem, before, after, steps = sys.argv[1:6]
runs = {}
for model in ("resnet20", "resnet18"):
    for ranks in (1, 2):
        with open(os.path.join(work, f"{model}-{ranks}.json")) as f:
            runs[f"{model}/{ranks}"] = json.load(f)
with open(os.path.join(work, "allreduce.json")) as f:
    allreduce = json.load(f)
cores = os.cpu_count()
result = {"machine": f"{platform.machine()}, {cores} cores, Linux {platform.release()}", "load_average_before": before,
          "load_average_after": after, "steps": int(steps), "global_batch": 64, "runs": runs, "allreduce_alone": allreduce}
with open(stem + ".json", "w") as f:
    json.dump(result, f, indent=1)
lines = [f"# Data-parallel training over MPI, {os.path.basename(stem)[4:]}", "",
         f"- Machine: {result['machine']}; load average {before} before, {after} after (1, 5, 15 min)",
         f"- {allreduce['mpi']}; `mpirun -np 1` and `-np 2` on this machine; synthetic 3×32×32 images, global batch 64",
         f"- {steps} steps per run, the first two left out; medians over the rest (rank 0)",
         "- One machine: the ranks share its cores, so this measures the overhead of data parallelism, not a speed-up.",
         "  A load average near or above the core count means other jobs shared the machine: read the figures as rough."]
if max(float(before.split()[0]), float(after.split()[0])) > cores:
    lines.append("- **Taken under load**: the 1-minute load average exceeded the core count; rerun on a quiet machine "
                 "for figures to quote.")
lines += ["",
         "- all-reduce wait: blocked after backward until the all-reduces finish; in MPI calls: that wait plus starting",
         "  and polling the all-reduces during backward (where MPI copies the data); staging: device ↔ host copies", "",
         "| model | ranks | step (s) | images/s | all-reduce wait (s) | in MPI calls (s) | share of step | staging (s) | MB reduced per step |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
for key, run in runs.items():
    model, ranks = key.split("/")
    step = run["median_step_s"]
    lines.append(f"| {model} | {ranks} | {step:.4f} | {64 / step:.0f} | {run['median_allreduce_wait_s']:.4f} | "
                 f"{run['median_communication_s']:.4f} | {100 * run['communication_share']:.1f}% | {run['median_staging_s']:.4f} | "
                 f"{run['bytes_per_step'] / 1e6:.2f} |")
with open(stem + ".md", "w") as f:
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))
print(f"\nwrote {stem}.json and {stem}.md")
PY
