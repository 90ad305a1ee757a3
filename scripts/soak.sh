#!/usr/bin/env bash
# Soak test: trains for a fixed time while `convkit train --memory-log` samples the resident
# memory and the device memory (live and pooled bytes) every minute, then checks that after
# the warm-up both stay flat.
#
#   scripts/soak.sh [MINUTES] [DEVICE]        # defaults: 30 minutes, cpu; DEVICE as --device
#
# The run: ResNet-20 on Fashion-MNIST, epochs of 100 steps, so that every few minutes it also
# evaluates the whole test set and writes the log, the chart and two checkpoints. The first
# two epochs (at least 5 minutes) are warm-up (buffer pools and caches filling); after them
# the median resident memory may grow by at most SOAK_RSS_SLACK_MIB (default 16 MiB) from the
# first half of the samples to the second, and the device's live + pooled bytes not at all.
# Writes runs/soak-DEVICE/ (memory.csv, train.log, log.csv).
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

# Warm-up: two whole epochs (training, the test-set evaluation with its bigger batches, the
# checkpoint writes), at least 5 minutes. log.csv's last column is each epoch's seconds.
warmup=$(awk -F, 'NR > 1 && NR <= 3 { t += $8 } END { print (NR >= 3 && t > 300) ? int(t) + 1 : (NR >= 3 ? 300 : -1) }' "$out/log.csv")
if [ "$warmup" -lt 0 ]; then
    echo "soak: fewer than two epochs finished in $minutes minutes; run longer" >&2
    exit 1
fi
# After the warm-up the samples are split into a first and a second half. The resident memory
# of the CPU backend moves up and down by tens of MiB as big scratch buffers come and go, so
# the check compares the halves' medians (robust to those swings): a leak raises the second
# half's. Device memory (live + pooled) may not rise above its first-half peak at all.
awk -F, -v warmup="$warmup" -v slack="$slack" '
    function median(a, count,    i, j, v, b) {
        for (i = 1; i <= count; i++) b[i] = a[i]
        for (i = 2; i <= count; i++) { v = b[i]; for (j = i - 1; j >= 1 && b[j] > v; j--) b[j + 1] = b[j]; b[j + 1] = v }
        return count % 2 ? b[(count + 1) / 2] : (b[count / 2] + b[count / 2 + 1]) / 2
    }
    NR == 1 { next }
    { printf "  %7.1f s  rss %9.2f MiB  device live %8.2f MiB  pooled %8.2f MiB  allocations %s\n", $1, $2, $3, $4, $5 }
    $1 >= warmup { n++; rss[n] = $2; dev[n] = $3 + $4 }
    END {
        if (n < 4) { printf "soak: %d samples after the %d s warm-up; run longer\n", n, warmup; exit 1 }
        half = int(n / 2)
        for (i = 1; i <= n; i++) {
            if (i <= half) { first[i] = rss[i]; if (dev[i] > dev1) dev1 = dev[i] }
            else { second[i - half] = rss[i]; if (dev[i] > dev2) dev2 = dev[i] }
        }
        m1 = median(first, half); m2 = median(second, n - half)
        printf "soak: after the %d s warm-up, %d samples: median resident memory %.2f MiB in the first half, %.2f in the second (%+.2f, limit +%d); ", \
            warmup, n, m1, m2, m2 - m1, slack
        printf "device live + pooled peak %.2f then %.2f MiB\n", dev1, dev2
        if (m2 - m1 > slack || dev2 > dev1) { print "soak: memory grew"; exit 1 }
        print "soak: flat"
    }' "$out/memory.csv"
