#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks that the embedded OpenCL kernels
# match Kernels/ (scripts/embed-kernels.sh --check), then runs the Swift tests (the C op
# suite on every backend, and the Swift module; with convkit also built with the MPI trait, so
# that the 2-rank MPI jobs run too), builds the DocC documentation (scripts/build-docs.sh: no
# warnings, every public symbol documented), then the standalone CMake build with ctest, its
# install, and the C example built against the installed library, then the op suites once
# more under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== the embedded OpenCL kernels match Kernels/"
scripts/embed-kernels.sh --check

echo "== swift build && swift test"
swift build --build-tests
scripts/check-mpi.sh --build-only
CONVKIT_MPI_CONVKIT="$PWD/.build-mpi/debug/convkit" swift test --skip-build

echo "== DocC documentation of ConvKit and ConvKitNN (no warnings, every public symbol documented)"
scripts/build-docs.sh

echo "== CMake build, ctest, install, C example"
scripts/check-cmake.sh

echo "== op suites under ASan + UBSan"
scripts/check-sanitizers.sh
