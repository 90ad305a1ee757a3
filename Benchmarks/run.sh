#!/usr/bin/env bash
# The whole benchmark suite in one command:
#
#   Benchmarks/run.sh [--quick] [--set core|catalog|all] [--backends cpu,opencl]
#                     [--peers torch,onnxruntime,tinygrad] [--no-models] [--repeats R] [--filter SUBSTR]
#
#   1. installs what is missing (scripts/install-deps.sh --bench: the build packages, Debian's
#      python3-torch and python3-matplotlib) and builds ck-bench and ck-model-bench
#      (swift build -c release);
#   2. op level: ck-bench on each backend (default cpu and opencl; opencl is skipped with a note
#      when there is no OpenCL device): the shapes of --set (default core), every conv algorithm,
#      the peak probes; and conv + ReLU as two ops against the fused epilogue (ck-bench --epilogue);
#   3. model level: ck-model-bench on each backend (--no-models skips it);
#   4. peers, in the same session and on the same shapes: PyTorch's CPU build (ops and models);
#      onnxruntime (CPU) and tinygrad (its OpenCL backend) where their Python has them, else
#      "skipped" with the reason;
#   5. Benchmarks/report.py: Benchmarks/results/<date>-<machine>[-quick].json (every run and the
#      comparison), .md (the tables) and .png (ConvKit / peer per shape).
#
# CPU runs use $BENCH_THREADS threads on both sides (default: every core). The Python with
# torch is $TORCH_PYTHON (default /usr/bin/python3); onnxruntime and tinygrad are looked for in
# $PEER_PYTHON (default: the same), e.g. a venv made with --system-site-packages and
# `pip install onnxruntime tinygrad`. <machine> is $BENCH_MACHINE, else the processor's name
# and core count. A step that fails is reported and the others still run; the exit status
# is then 1. Compare two results with Benchmarks/regress.py BASELINE.json NEW.json.
set -uo pipefail
cd "$(dirname "$0")/.."

quick=() set=core backends=cpu,opencl peers=torch,onnxruntime,tinygrad models=1 repeats=() filter=()
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) quick=(--quick) ;;
    --set) set=$2; shift ;;
    --backends) backends=$2; shift ;;
    --peers) peers=$2; shift ;;
    --no-models) models=0 ;;
    --repeats) repeats=(--repeats "$2"); shift ;;
    --filter) filter=(--filter "$2"); shift ;;
    *) echo "usage: Benchmarks/run.sh [--quick] [--set core|catalog|all] [--backends cpu,opencl]" \
            "[--peers torch,onnxruntime,tinygrad] [--no-models] [--repeats R] [--filter SUBSTR]" >&2
       exit 2 ;;
    esac
    shift
done
case "$set" in core | catalog | all) ;; *) echo "run.sh: --set wants core, catalog or all" >&2; exit 2 ;; esac

threads=${BENCH_THREADS:-$(nproc)}
torch_python=${TORCH_PYTHON:-/usr/bin/python3}
peer_python=${PEER_PYTHON:-$torch_python}
machine=${BENCH_MACHINE:-$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1 |
    tr '[:upper:]' '[:lower:]' | tr -cs 'a-z0-9' '-' | sed 's/^-//; s/-$//')-${threads}c}
stem="Benchmarks/results/$(date -u +%Y-%m-%d)-$machine${quick:+-quick}"
work=$(mktemp -d "${TMPDIR:-/tmp}/convkit-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=()
started=$(date +%s)

step() { echo; echo "== $* ($(($(date +%s) - started)) s)"; }
# attempt NAME COMMAND...: runs a step; a failure is recorded and the suite goes on.
attempt() {
    local name=$1
    shift
    "$@" || failed+=("$name (exit $?)")
}
has() { case ",$1," in *",$2,"*) return 0 ;; *) return 1 ;; esac; }

step "dependencies and release build"
scripts/install-deps.sh --bench || exit 1
swift build -c release --product ck-bench && swift build -c release --product ck-model-bench || exit 1
bin=$(swift build -c release --show-bin-path)
"$bin/ck-bench" --list --set "$set" "${quick[@]}" "${filter[@]}" --json "$work/shapes.json" || exit 1

for backend in ${backends//,/ }; do
    step "ConvKit ops on the $backend backend (set $set)"
    "$bin/ck-bench" --backend "$backend" --threads "$threads" --set "$set" "${quick[@]}" "${repeats[@]}" \
        "${filter[@]}" --json "$work/convkit-$backend.json" 2>&1 | tee "$work/ck-bench-$backend.log"
    status=${PIPESTATUS[0]}
    if [ "$status" != 0 ] && grep -q "cannot create a context" "$work/ck-bench-$backend.log"; then
        echo "run.sh: no $backend device here: the $backend backend is skipped"
        continue
    fi
    [ "$status" = 0 ] || failed+=("ck-bench $backend (exit $status)")
    step "conv + ReLU, separate ops vs the fused epilogue, on the $backend backend"
    attempt "ck-bench --epilogue $backend" "$bin/ck-bench" --epilogue --backend "$backend" --threads "$threads" \
        --set "$set" "${quick[@]}" "${repeats[@]}" "${filter[@]}" --json "$work/epilogue-$backend.json"
    if [ "$models" = 1 ]; then
        step "ConvKit models on the $backend backend"
        attempt "ck-model-bench $backend" "$bin/ck-model-bench" --device "$backend" --threads "$threads" \
            "${quick[@]}" --json "$work/models-convkit-$backend.json"
    fi
done

peer_args=(--shapes "$work/shapes.json" "${repeats[@]}" "${filter[@]}")
if has "$peers" torch; then
    step "PyTorch $("$torch_python" -c 'import torch; print(torch.__version__)') ops on the CPU, $threads threads"
    attempt "torch_peer" "$torch_python" Benchmarks/torch_peer.py "${peer_args[@]}" --threads "$threads" \
        --json "$work/torch.json"
    if [ "$models" = 1 ]; then
        step "PyTorch models on the CPU"
        attempt "torch_model_peer" "$torch_python" Benchmarks/torch_model_peer.py --threads "$threads" \
            "${quick[@]}" --json "$work/models-torch.json"
    fi
fi
if has "$peers" onnxruntime; then
    step "onnxruntime ops on the CPU, $threads threads"
    attempt "onnxruntime_peer" "$peer_python" Benchmarks/onnxruntime_peer.py "${peer_args[@]}" \
        --threads "$threads" --json "$work/onnxruntime.json"
fi
if has "$peers" tinygrad; then
    step "tinygrad ops on its OpenCL backend"
    attempt "tinygrad_peer" "$peer_python" Benchmarks/tinygrad_peer.py "${peer_args[@]}" --json "$work/tinygrad.json"
fi

step "report"
results=()
for file in "$work"/*.json; do
    [ "$(basename "$file")" = shapes.json ] || results+=("$file")
done
mkdir -p Benchmarks/results
attempt "report" "$torch_python" Benchmarks/report.py "${results[@]}" --json "$stem.json" --markdown "$stem.md" \
    --chart "$stem.png"
echo
echo "run.sh: $(($(date +%s) - started)) s; results in $stem.{json,md,png}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "run.sh: failed: ${failed[*]}" >&2
    exit 1
fi
