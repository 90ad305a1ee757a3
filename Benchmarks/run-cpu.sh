#!/usr/bin/env bash
# The CPU benchmark, ConvKit against PyTorch, in one go:
#   Benchmarks/run-cpu.sh [--quick] [--repeats R] [--filter SUBSTR]
# builds ck-bench (swift build -c release), runs it on ConvKit's CPU backend, runs
# Benchmarks/torch_peer.py on the same shapes, and writes the comparison to
# Benchmarks/results/cpu-<date>.json and .md (cpu-<date>-quick.* with --quick).
# Both sides use the same thread count: $BENCH_THREADS, 2 when unset. The Python
# that has torch is $TORCH_PYTHON, /usr/bin/python3 when unset.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=${BENCH_THREADS:-2}
torch_python=${TORCH_PYTHON:-/usr/bin/python3}
suffix=""
for arg in "$@"; do
    if [ "$arg" = "--quick" ]; then suffix="-quick"; fi
done
results=Benchmarks/results
stem="$results/cpu-$(date -u +%Y-%m-%d)$suffix"
work=$(mktemp -d "${TMPDIR:-/tmp}/convkit-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== swift build -c release --product ck-bench"
swift build -c release --product ck-bench
bin_dir=$(swift build -c release --show-bin-path)

# A pass that fails on one side still leaves the others to compare: the status is
# kept, the comparison written, and the script exits nonzero at the end.
status=0
echo "== ck-bench on the CPU backend, $threads threads"
"$bin_dir/ck-bench" --backend cpu --threads "$threads" --json "$work/convkit.json" "$@" || status=$?

echo "== PyTorch $("$torch_python" -c 'import torch; print(torch.__version__)') on the CPU, $threads threads"
"$torch_python" Benchmarks/torch_peer.py --threads "$threads" --json "$work/pytorch.json" "$@" || status=$?

if [ ! -f "$work/convkit.json" ] || [ ! -f "$work/pytorch.json" ]; then
    echo "run-cpu: a benchmark wrote no results; nothing to compare" >&2
    exit 1
fi
echo "== ConvKit / PyTorch"
mkdir -p "$results"
python3 Benchmarks/compare.py "$work/convkit.json" "$work/pytorch.json" \
    --json "$stem.json" --markdown "$stem.md"
exit "$status"
