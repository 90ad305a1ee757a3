#!/usr/bin/env bash
# On a GPU machine (/work/shared/GPU.md): runs ConvKit's OpenCL backend from the bundle
# scripts/gpu-bundle.sh built, and PyTorch as the peer, in one go:
#
#   scripts/gpu-run.sh [--quick] [--out DIR]
#
# The bundle: the folder this script is in when it is a bundle's copy (<bundle>/scripts/),
# else .gpu/bundle of the repository, unpacked from .gpu/convkit-gpu.tar.xz when needed.
#
#   1. environment.txt  what the machine has: nvidia-smi, NVIDIA's OpenCL library and ICD
#                       files (is libnvidia-opencl.so.1 there?), glibc
#   2. devices.txt      convkit devices, with OCL_ICD_VENDORS=<bundle>/icd and
#                       LD_LIBRARY_PATH=<bundle>/lib:/usr/local/nvidia/lib64
#   3. op_suites.txt    every op suite on the OpenCL backend
#   4. convkit-opencl.json   ck-bench on the OpenCL backend (the core shapes, every conv algorithm,
#                            the device's FMA and bandwidth probes); convkit-opencl-resnet50.json
#                            the conv layers of ResNet-50 (catalog set, --filter resnet50/, the
#                            backend's own algorithm); epilogue-opencl.json conv + ReLU as two ops
#                            against the fused epilogue
#   5. torch-cuda-fp32.json, torch-cuda-tf32.json   Benchmarks/torch_cuda_peer.py on the same shapes
#                            (ck-bench --list writes them to shapes.json), TF32 off and on; the same
#                            on the ResNet-50 shapes (torch-cuda-resnet50-*.json)
#   6. compare-fp32.md/.json/.png, compare-tf32.md/.json/.png   ConvKit / PyTorch per shape and pass
#                            (Benchmarks/report.py); compare-resnet50-fp32/tf32 the same for ResNet-50,
#                            with its whole-network time
#   7. summary.md       device, driver, date, and what passed
# into DIR (default <bundle>/results/gpu-<UTC date and time>). A step that fails is
# recorded and the rest still run (without an OpenCL device, only PyTorch runs); the exit
# status is nonzero if any failed. --quick divides the batches by 8. Each step has a time
# limit (op suites 150 s, ck-bench 120 s on the core shapes and 120 s on ResNet-50, the
# epilogue 40 s, each PyTorch run 60 s, each report 30 s): about 14 minutes if every step
# hit its limit; a normal run takes a few minutes. The Python that has torch is
# $TORCH_PYTHON, python3 when unset. To try the script where there is no GPU:
# GPU_RUN_ICDS=/etc/OpenCL/vendors (the machine's own ICDs instead of the bundle's
# nvidia.icd) and GPU_RUN_TORCH_DEVICE=cpu.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ -x "$here/../bin/convkit" ]; then
    bundle=$(cd "$here/.." && pwd)
else
    bundle=$(cd "$here/.." && pwd)/.gpu/bundle
    if [ ! -x "$bundle/bin/convkit" ] && [ -f "$bundle/../convkit-gpu.tar.xz" ]; then
        echo "== gpu-run: unpacking $bundle/../convkit-gpu.tar.xz"
        mkdir -p "$bundle" && xz -dc "$bundle/../convkit-gpu.tar.xz" | tar -C "$bundle" -xf -
    fi
fi
if [ ! -x "$bundle/bin/convkit" ]; then
    echo "gpu-run: no bundle at $bundle (build it with scripts/gpu-bundle.sh)" >&2
    exit 2
fi
quick=()
out=""
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) quick=(--quick) ;;
    --out) out=$2; shift ;;
    *) echo "usage: gpu-run.sh [--quick] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done
out=${out:-$bundle/results/gpu-$(date -u +%Y-%m-%dT%H%M%SZ)}
mkdir -p "$out"
python=${TORCH_PYTHON:-python3}
failed=()

step() { echo "== gpu-run: $*"; }
# run NAME LIMIT_SECONDS COMMAND...: runs a step with a time limit, output to the terminal and $out/NAME.log
run() {
    local name=$1 limit=$2
    shift 2
    timeout "$limit" "$@" 2>&1 | tee "$out/$name.log"
    local status=${PIPESTATUS[0]}
    if [ "$status" != 0 ]; then failed+=("$name (exit $status)"); fi
    return "$status"
}

step "environment"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host: $(uname -srm)"
    echo "glibc: $(ldd --version 2>&1 | head -1)"
    echo "bundle: $(head -3 "$bundle/MANIFEST.txt" | tail -2 | tr '\n' ' ')"
    echo "--- nvidia-smi"
    nvidia-smi 2>&1 || echo "(nvidia-smi not found)"
    for dir in /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu; do
        echo "--- OpenCL and NVIDIA libraries in $dir"
        if [ -d "$dir" ]; then ls "$dir" | grep -i -E 'opencl|nvidia' || echo "(none)"; else echo "(no such folder)"; fi
    done
    echo "--- ls /etc/OpenCL/vendors"
    ls /etc/OpenCL/vendors 2>&1 || true
} | tee "$out/environment.txt"

export OCL_ICD_VENDORS="${GPU_RUN_ICDS:-$bundle/icd}"
export LD_LIBRARY_PATH="$bundle/lib:/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

step "convkit devices"
run devices 60 "$bundle/bin/convkit" devices
cp "$out/devices.log" "$out/devices.txt"
if grep -q "opencl:0" "$out/devices.txt"; then
    step "op suites on OpenCL"
    run op_suites 150 "$bundle/bin/ck_op_suite" --all opencl "$bundle/Tests/Fixtures"
    step "ck-bench on OpenCL"
    run convkit-opencl 120 "$bundle/bin/ck-bench" --backend opencl --repeats 5 "${quick[@]}" \
        --json "$out/convkit-opencl.json"
    step "ck-bench on OpenCL: ResNet-50's conv layers"
    run convkit-opencl-resnet50 120 "$bundle/bin/ck-bench" --backend opencl --set catalog --filter resnet50/ \
        --algorithms chosen --no-probes --repeats 3 "${quick[@]}" --json "$out/convkit-opencl-resnet50.json"
    step "conv + ReLU: separate ops vs the fused epilogue"
    run epilogue-opencl 40 "$bundle/bin/ck-bench" --epilogue --backend opencl --repeats 5 "${quick[@]}" \
        --json "$out/epilogue-opencl.json"
else
    echo "gpu-run: no OpenCL device (see environment.txt and devices.txt): the OpenCL steps are skipped" | tee -a "$out/devices.txt"
    failed+=("no OpenCL device")
fi

"$bundle/bin/ck-bench" --list "${quick[@]}" --json "$out/shapes.json" || failed+=("shape list")
"$bundle/bin/ck-bench" --list --set catalog --filter resnet50/ "${quick[@]}" --json "$out/shapes-resnet50.json" ||
    failed+=("ResNet-50 shape list")
for precision in fp32 tf32; do
    tf32=off
    if [ "$precision" = tf32 ]; then tf32=on; fi
    for part in "" "-resnet50"; do
        step "PyTorch CUDA peer, $precision${part:+, ResNet-50}"
        run "torch-cuda$part-$precision" 60 "$python" "$bundle/Benchmarks/torch_cuda_peer.py" \
            --shapes "$out/shapes$part.json" --tf32 "$tf32" --repeats 5 --device "${GPU_RUN_TORCH_DEVICE:-cuda}" \
            --json "$out/torch-cuda$part-$precision.json"
        if [ -f "$out/convkit-opencl$part.json" ] && [ -f "$out/torch-cuda$part-$precision.json" ]; then
            extra=()
            if [ -z "$part" ] && [ -f "$out/epilogue-opencl.json" ]; then extra=("$out/epilogue-opencl.json"); fi
            run "compare$part-$precision" 30 "$python" "$bundle/Benchmarks/report.py" "$out/convkit-opencl$part.json" \
                "$out/torch-cuda$part-$precision.json" "${extra[@]}" --markdown "$out/compare$part-$precision.md" \
                --json "$out/compare$part-$precision.json" --chart "$out/compare$part-$precision.png"
        fi
    done
done

{
    echo "# ConvKit OpenCL on $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || echo 'an unknown GPU')"
    echo
    echo "- date: $(date -u +%Y-%m-%d)"
    echo "- driver: $(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1 || echo unknown)"
    echo "- OpenCL device: $(grep -m1 'opencl:0' "$out/devices.txt" 2>/dev/null | sed 's/^ *//' || echo none)"
    echo "- op suites: $(grep -m1 'op suites on opencl' "$out/op_suites.log" 2>/dev/null || echo 'not run')"
    echo "- failed steps: ${failed[*]:-none}"
    for name in fp32 tf32 resnet50-fp32 resnet50-tf32; do
        if [ -f "$out/compare-$name.md" ]; then echo; echo "## ConvKit / PyTorch $name"; echo; cat "$out/compare-$name.md"; fi
    done
} > "$out/summary.md"
step "results in $out"
cat "$out/summary.md"
[ ${#failed[@]} -eq 0 ]
