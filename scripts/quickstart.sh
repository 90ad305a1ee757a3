#!/usr/bin/env bash
# The main job: installs what is missing, builds ConvKit in release mode and trains a
# half-width ResNet-20 on Fashion-MNIST for one epoch on the best device (CONVKIT_DEVICE or
# auto), with the progress bar, then checks that the test accuracy reached 85%.
# About 2 minutes on 2 CPU cores; writes runs/quickstart/ (log.csv, chart.png, checkpoints).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== swift build -c release"
swift build -c release --product convkit
convkit="$(swift build -c release --show-bin-path)/convkit"

echo "== convkit train: resnet20 at half width, fashion-mnist, one epoch"
# One epoch is too short for augmentation to pay off, and smaller batches give more steps.
"$convkit" train --model resnet20 --width-multiplier 0.5 --dataset fashion-mnist --epochs 1 \
    --batch-size 64 --no-flip --crop-padding 0 --out runs/quickstart

accuracy=$(tail -n 1 runs/quickstart/log.csv | cut -d, -f6)
if awk -v a="$accuracy" 'BEGIN { exit !(a >= 0.85) }'; then
    echo "quickstart: test accuracy $accuracy (>= 0.85); chart in runs/quickstart/chart.png"
else
    echo "quickstart: test accuracy $accuracy is below 0.85" >&2
    exit 1
fi
