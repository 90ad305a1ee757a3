#!/usr/bin/env bash
# The main job: installs what is missing, builds ConvKit in release mode and runs the
# conv benchmark on the best device, printing a row per shape as it goes.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== swift build -c release"
swift build -c release --product ck-bench
echo "== ck-bench --quick (the CPU backend's GFLOP/s on ResNet-style shapes)"
"$(swift build -c release --show-bin-path)/ck-bench" --quick
