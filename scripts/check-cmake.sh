#!/usr/bin/env bash
# Checks the standalone CMake build end to end:
#   1. configures and builds libconvkit, ck_op_suite and ck-bench in build/cmake;
#   2. runs ctest (every op suite on every backend);
#   3. installs into a temporary prefix;
#   4. builds examples/c/conv_example against that install through
#      find_package(ConvKit) (shared and static library) and through pkg-config,
#      and runs each binary.
# Usage: scripts/check-cmake.sh   (scripts/test.sh calls it; the temporary
# folder is removed on exit, build/cmake is kept for incremental rebuilds)
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
build=build/cmake
work=$(mktemp -d "${TMPDIR:-/tmp}/convkit-cmake-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

step() { echo "== check-cmake: $*"; }

step "configure $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release

step "build with $jobs jobs"
cmake --build "$build" --parallel "$jobs"

step "ctest"
ctest --test-dir "$build" --output-on-failure --parallel "$jobs"

step "install into $prefix"
cmake --install "$build" --prefix "$prefix"

step "example through find_package(ConvKit), shared library (ConvKit::convkit)"
cmake -S examples/c -B "$work/example-shared" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release
cmake --build "$work/example-shared" --parallel "$jobs"
"$work/example-shared/conv_example"

step "example through find_package(ConvKit), static library (ConvKit::convkit_static)"
cmake -S examples/c -B "$work/example-static" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
    -DCONVKIT_EXAMPLE_STATIC=ON
cmake --build "$work/example-static" --parallel "$jobs"
"$work/example-static/conv_example"

step "example through pkg-config (convkit.pc)"
pc_file=$(find "$prefix" -name convkit.pc -print -quit)
if [ -z "$pc_file" ]; then
    echo "check-cmake: the install has no convkit.pc" >&2
    exit 1
fi
mkdir -p "$work/example-pkgconfig"
PKG_CONFIG_PATH="$(dirname "$pc_file")" make -C "$work/example-pkgconfig" -f "$PWD/examples/c/Makefile"
"$work/example-pkgconfig/conv_example"

step "all passed"
