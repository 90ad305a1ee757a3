#!/usr/bin/env bash
# Builds the self-contained bundle that runs ConvKit on a GPU machine without a Swift
# toolchain (/work/shared/GPU.md; Kernels/README.md, "On a GPU machine"):
#
#   scripts/gpu-bundle.sh [--no-smoke] [OUT_DIR]      (default OUT_DIR: .gpu, git-ignored)
#
# OUT_DIR/bundle/ holds:
#   bin/      convkit and ck-bench (swift build -c release --static-swift-stdlib: the Swift
#             runtime and Foundation inside), ck_op_suite (CMake, static libconvkit)
#   lib/      the shared libraries they still need (ldd): libOpenCL.so.1 (ocl-icd), libopenblas,
#             libgfortran, libquadmath, ...; not the C library nor the C++ runtime (libstdc++,
#             libgcc_s), which every such machine has and which must match its C library
#   icd/      nvidia.icd (libnvidia-opencl.so.1): OCL_ICD_VENDORS=<bundle>/icd
#   Tests/Fixtures, Kernels, Benchmarks/*.py, scripts/gpu-run.sh: what the op suites and
#             gpu-run.sh read, at the same relative paths as in the repository
#   MANIFEST.txt  commit, date, sizes, and the newest glibc symbol version the files need
# and OUT_DIR/convkit-gpu.tar.xz is that folder packed (the Swift binaries carry ICU's data
# and make the folder about 100 MiB; packed it is a quarter of that): the one file to copy to
# the GPU machine, which must stay under 64 MiB; scripts/gpu-run.sh unpacks it there. Then,
# unless --no-smoke, runs the bundled binaries here on this machine's own OpenCL (PoCL):
# convkit devices, the device suite, a quick ck-bench pass.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=1
if [ "${1:-}" = "--no-smoke" ]; then smoke=0; shift; fi
out=${1:-.gpu}
limit_mib=64

step() { echo "== gpu-bundle: $*"; }

step "swift build -c release --static-swift-stdlib (convkit, ck-bench)"
swift build -c release --static-swift-stdlib --product convkit
swift build -c release --static-swift-stdlib --product ck-bench
swift_bin=$(swift build -c release --static-swift-stdlib --show-bin-path)

step "cmake: ck_op_suite (Release, static libconvkit)"
cmake -S . -B build/gpu-bundle -DCMAKE_BUILD_TYPE=Release -DCONVKIT_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/gpu-bundle --target ck_op_suite --parallel "$(nproc)"

tree=$out/bundle
step "assemble $tree"
rm -rf "$out"
mkdir -p "$tree/bin" "$tree/lib" "$tree/icd" "$tree/Tests" "$tree/Benchmarks" "$tree/scripts"
cp "$swift_bin/convkit" "$swift_bin/ck-bench" build/gpu-bundle/ck_op_suite "$tree/bin/"
strip --strip-unneeded "$tree/bin/"*
cp -r Tests/Fixtures "$tree/Tests/"
cp -r Kernels "$tree/"
cp Benchmarks/torch_cuda_peer.py Benchmarks/torch_peer.py Benchmarks/bench_shapes.py Benchmarks/report*.py "$tree/Benchmarks/"
cp scripts/gpu-run.sh "$tree/scripts/"
echo "libnvidia-opencl.so.1" > "$tree/icd/nvidia.icd"

# Every library ldd resolves for the binaries, but the C library's and the C++ runtime.
system_libs='^(linux-vdso|libc|libm|libdl|libpthread|librt|libutil|libresolv|ld-linux-x86-64|libstdc\+\+|libgcc_s)\.so'
for binary in "$tree/bin/"*; do
    ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }'
done | sort -u | while read -r name path; do
    if [[ ! "$name" =~ $system_libs ]]; then cp -L "$path" "$tree/lib/$name"; fi
done

glibc=$(for file in "$tree/bin/"* "$tree/lib/"*; do objdump -T "$file" 2>/dev/null; done |
    grep -o 'GLIBC_[0-9.]*' | sort -u -V | tail -1)
glibcxx=$(objdump -T "$tree/bin/"* 2>/dev/null | grep -o 'GLIBCXX_[0-9.]*' | sort -u -V | tail -1)
{
    echo "ConvKit GPU bundle"
    echo "commit:   $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "built:    $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm)"
    echo "needs:    ${glibc:-unknown} and ${glibcxx:-no} (libstdc++) or newer on the GPU machine"
    echo "unpacked: $(du -sm "$tree" | cut -f1) MiB"
    echo "run:      scripts/gpu-run.sh [--quick] [--out DIR] (unpacks $out/convkit-gpu.tar.xz first)"
    echo "files:"
    (cd "$tree" && find bin lib icd -type f -exec ls -l {} + | awk '{ printf "  %10d  %s\n", $5, $9 }')
} > "$tree/MANIFEST.txt"
cp "$tree/MANIFEST.txt" "$out/MANIFEST.txt"

step "pack $out/convkit-gpu.tar.xz"
tar -C "$tree" -cf - . | xz -T0 -6 > "$out/convkit-gpu.tar.xz"
packed_kib=$(du -sk "$out/convkit-gpu.tar.xz" | cut -f1)
cat "$out/MANIFEST.txt"
echo "packed:   $((packed_kib / 1024)) MiB"
if [ "$packed_kib" -gt $((limit_mib * 1024)) ]; then
    echo "gpu-bundle: convkit-gpu.tar.xz is $((packed_kib / 1024)) MiB, past the ${limit_mib} MiB limit" >&2
    exit 1
fi

if [ "$smoke" = 1 ]; then
    step "smoke test here, on this machine's OpenCL (the bundled libraries, the system's ICDs)"
    export LD_LIBRARY_PATH="$PWD/$tree/lib"
    "$tree/bin/convkit" devices
    "$tree/bin/ck_op_suite" device opencl "$tree/Tests/Fixtures"
    "$tree/bin/ck-bench" --backend opencl --quick --repeats 1 --filter conv3x3_256x14/forward
fi
step "done: $out/convkit-gpu.tar.xz ($((packed_kib / 1024)) MiB; unpacked in $tree)"
