#!/usr/bin/env bash
# Installs the Debian packages ConvKit builds and tests with, when any is missing.
# Runs apt-get as root directly, otherwise through sudo.
#   scripts/install-deps.sh [--bench]
# --bench adds what the benchmark suite runs (Benchmarks/run.sh): PyTorch's CPU build as the
# peer and matplotlib for the chart.
set -euo pipefail

# libpng-dev writes the training chart (convkit train's chart.png);
# ocl-icd-opencl-dev and opencl-headers build the OpenCL backend; pocl-opencl-icd, an OpenCL
# driver for the CPU, lets its tests run on machines without a GPU (CI). libopenmpi-dev and
# openmpi-bin serve the optional MPI build (swift build --traits MPI) and its 2-rank tests.
packages=(libopenblas-dev cmake pkg-config gcc libc6-dev make zlib1g-dev libpng-dev dataset-fashion-mnist
          ocl-icd-opencl-dev opencl-headers pocl-opencl-icd libopenmpi-dev openmpi-bin)
if [ "${1:-}" = "--bench" ]; then
    packages+=(python3-torch python3-matplotlib)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all of ${packages[*]} are installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then as_root=(); else as_root=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
