#!/usr/bin/env bash
# Soak test: trains for a fixed time while `convkit train --memory-log` samples the resident
# memory and the device memory (live and pooled bytes) every minute, then checks that after
# the warm-up both stay flat.
#
#   scripts/soak.sh [MINUTES] [DEVICE]        # defaults: 30 minutes, cpu; DEVICE as --device
#
# The run: ResNet-20 on Fashion-MNIST, epochs of 100 steps, so that every few minutes it also
# evaluates the whole test set and writes the log, the chart and two checkpoints. The first
# quarter of the time (at least 5 minutes) is warm-up (buffer pools and caches filling); after
# it the resident memory may grow by at most SOAK_RSS_SLACK_MIB (default 16 MiB) and the
# device's live + pooled bytes not at all. Writes runs/soak-DEVICE/ (memory.csv, train.log).
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-30}
device=${2:-cpu}
slack=${SOAK_RSS_SLACK_MIB:-16}
out="runs/soak-${device//[:\/ ]/-}"

scripts/install-deps.sh
swift build -c release --product convkit
convkit="$(swift build -c release --show-bin-path)/convkit"

rm -rf "$out"
mkdir -p "$out"
echo "soak: $minutes minutes on $device; memory samples in $out/memory.csv"
# Ctrl-C (SIGINT) ends a run cleanly: the trainer saves a checkpoint and exits with 130.
status=0
timeout --preserve-status -s INT "$((minutes * 60))" "$convkit" train --model resnet20 --dataset fashion-mnist --device "$device" \
    --epochs 100000 --max-steps 100 --out "$out" --memory-log "$out/memory.csv" >"$out/train.log" 2>&1 || status=$?
if [ "$status" -ne 130 ] && [ "$status" -ne 0 ]; then
    echo "soak: training failed (exit $status):" >&2
    tail -n 20 "$out/train.log" >&2
    exit 1
fi

warmup=$((minutes * 60 / 4))
[ "$warmup" -lt 300 ] && warmup=300
awk -F, -v warmup="$warmup" -v slack="$slack" '
    NR == 1 { next }
    { printf "  %7.1f s  rss %9.2f MiB  device live %8.2f MiB  pooled %8.2f MiB  allocations %s\n", $1, $2, $3, $4, $5 }
    $1 >= warmup {
        if (!started) { started = 1; rss0 = $2; dev0 = $3 + $4; rssmax = $2; devmax = $3 + $4; n = 0 }
        if ($2 > rssmax) rssmax = $2
        if ($3 + $4 > devmax) devmax = $3 + $4
        n++
    }
    END {
        if (n < 3) { print "soak: fewer than 3 samples after the warm-up; run longer"; exit 1 }
        printf "soak: after the %d s warm-up (%d samples): resident memory %.2f -> max %.2f MiB (+%.2f, limit +%d); ", \
            warmup, n, rss0, rssmax, rssmax - rss0, slack
        printf "device live + pooled %.2f -> max %.2f MiB\n", dev0, devmax
        if (rssmax - rss0 > slack || devmax > dev0) { print "soak: memory grew"; exit 1 }
        print "soak: flat"
    }' "$out/memory.csv"
