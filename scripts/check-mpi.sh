#!/usr/bin/env bash
# Builds convkit with the MPI trait (swift build --traits MPI) in .build-mpi, next to the default
# build in .build, then runs the tests that start real MPI jobs with it: 2 ranks with
# `mpirun -np 2 --oversubscribe` on this machine (equal to one process with the global batch,
# synchronized batch norm, resume with another rank count, a killed and a hung rank), and the
# default build's refusal (MPILaunchTests, NoMPIBuildTests in Tests/ConvKitDistributedTests).
# Needs libopenmpi-dev and openmpi-bin (scripts/install-deps.sh installs them); as root, mpirun
# is allowed through OMPI_ALLOW_RUN_AS_ROOT, as the tests do themselves.
# Usage: scripts/check-mpi.sh [--build-only]   (scripts/test.sh builds with it, then runs every test)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== check-mpi: swift build --traits MPI --product convkit (.build-mpi)"
swift build --traits MPI --product convkit --scratch-path .build-mpi
.build-mpi/debug/convkit mpi info
if [ "${1:-}" = "--build-only" ]; then exit 0; fi

echo "== check-mpi: 2-rank jobs"
swift build --build-tests
CONVKIT_MPI_CONVKIT="$PWD/.build-mpi/debug/convkit" swift test --skip-build --filter 'MPILaunchTests|NoMPIBuildTests'
