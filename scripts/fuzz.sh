#!/usr/bin/env bash
# Builds the libFuzzer target ck_fuzz_ops (Tests/Fuzz, CMake option
# CONVKIT_BUILD_FUZZERS) with clang and -fsanitize=fuzzer,address,undefined in
# build/fuzz, runs it for a fixed time on the committed corpus
# Tests/Fuzz/corpus, and merges the new inputs that add coverage back into the
# corpus (-merge=1: only inputs that reach code the corpus does not).
# Prints executions, exec/s, coverage and findings (each replayed for a
# one-line summary); a finding's input is kept in build/fuzz/findings/ and the
# script exits 1.
#
# Usage: scripts/fuzz.sh [seconds]      (default 120)
#   CLANG=/path/to/clang                the compiler (default: clang on PATH)
#   FUZZ_MERGE=0                        leave the corpus as it is
#   FUZZ_ARGS="..."                     more libFuzzer flags: -seed=N, or
#                                       "-fork=2 -ignore_crashes=1" to use two
#                                       cores and go on past findings
# Reproduce a finding: build/fuzz/ck_fuzz_ops build/fuzz/findings/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-120}"
clang="${CLANG:-$(command -v clang || true)}"
if [[ -z "$clang" ]]; then
    echo "fuzz: clang not found; set CLANG=/path/to/clang (libFuzzer needs clang)" >&2
    exit 2
fi
build=build/fuzz
corpus=Tests/Fuzz/corpus
new_inputs="$build/new-inputs"
findings="$build/findings"
log="$build/fuzz.log"

sanitizers="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
linker=""
if "$clang" -fuse-ld=lld -x c /dev/null -shared -o /dev/null 2>/dev/null; then linker="-fuse-ld=lld"; fi
echo "== fuzz: configure $build ($clang)"
cmake -S . -B "$build" -DCMAKE_C_COMPILER="$clang" -DCMAKE_BUILD_TYPE=Debug \
    -DCONVKIT_BUILD_FUZZERS=ON -DCONVKIT_BUILD_TESTS=OFF -DCONVKIT_BUILD_BENCHMARKS=OFF \
    -DCMAKE_C_FLAGS="-O1 -fno-omit-frame-pointer $sanitizers" \
    -DCMAKE_EXE_LINKER_FLAGS="$sanitizers $linker" >/dev/null
echo "== fuzz: build ck_fuzz_ops"
cmake --build "$build" --target ck_fuzz_ops --parallel "$(nproc)" >"$build/build.log" 2>&1 ||
    { tail -30 "$build/build.log" >&2; echo "fuzz: build failed, see $build/build.log" >&2; exit 2; }

rm -rf "$new_inputs"
mkdir -p "$new_inputs" "$findings"
ls "$findings" >"$build/findings-before"
corpus_before=$(find "$corpus" -type f | wc -l)
# Huge buffer requests must come back as CK_ERR_OUT_OF_MEMORY, not abort.
export ASAN_OPTIONS="allocator_may_return_null=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "== fuzz: run ${seconds}s on $corpus ($corpus_before inputs)"
start=$SECONDS
set +e
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
"$build/ck_fuzz_ops" -max_total_time="$seconds" -max_len=512 -timeout=20 -print_final_stats=1 \
    -artifact_prefix="$findings/" ${FUZZ_ARGS:-} "$new_inputs" "$corpus" >"$log" 2>&1
status=$?
set -e
elapsed=$((SECONDS - start))

# Merged on edge coverage alone (-use_counters=0): an input joins the corpus
# only when it reaches code the corpus does not, which keeps it small.
if [[ "${FUZZ_MERGE:-1}" != 0 && $(find "$new_inputs" -type f | wc -l) -gt 0 ]]; then
    echo "== fuzz: merge new inputs into $corpus"
    "$build/ck_fuzz_ops" -merge=1 -use_counters=0 -max_len=512 "$corpus" "$new_inputs" >"$build/merge.log" 2>&1 ||
        { echo "fuzz: merge failed, see $build/merge.log" >&2; status=1; }
fi

# The last status line: "#<executions> ... cov: <edges> ft: <features> ...".
last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
executions=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corpus_after=$(find "$corpus" -type f | wc -l)
corpus_bytes=$(cat "$corpus"/* | wc -c)
mapfile -t new_findings < <(ls "$findings" | grep -vxF -f "$build/findings-before" || true)
echo "== fuzz: ${executions:-0} executions in ${elapsed}s ($(( ${executions:-0} / (elapsed > 0 ? elapsed : 1) )) exec/s)," \
    "cov ${cov:-?}, ft ${ft:-?}"
echo "== fuzz: corpus $corpus_before -> $corpus_after inputs ($corpus_bytes bytes); findings: ${#new_findings[@]}"
for finding in "${new_findings[@]}"; do
    summary=$("$build/ck_fuzz_ops" "$findings/$finding" 2>&1 |
        grep -m1 -E 'FINDING|runtime error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)' || true)
    echo "   $finding: ${summary:-(no longer reproduces)}"
done
if [[ $status -ne 0 || ${#new_findings[@]} -gt 0 ]]; then
    echo "fuzz: failed (status $status); log: $log; reproduce: $build/ck_fuzz_ops $findings/<input>" >&2
    exit 1
fi
