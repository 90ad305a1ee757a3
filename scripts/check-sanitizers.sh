#!/usr/bin/env bash
# Builds libconvkit and its op suites with AddressSanitizer and
# UndefinedBehaviorSanitizer (gcc, Debug) in build/sanitize and runs every op
# suite on every backend under ctest. Any out-of-bounds access, use after free,
# leak or undefined behaviour (overflow, misaligned access, bad shift...) stops
# the test that hit it and fails the script. Then builds them with
# ThreadSanitizer in build/tsan and runs every suite on the CPU backend, whose
# thread pool runs each op on two threads, and whose "concurrency" suite runs
# two contexts on two threads at once. In between, the fuzz target runs once
# on every input of the committed corpus Tests/Fuzz/corpus under ASan + UBSan
# (ck_fuzz_replay: no libFuzzer, any compiler; see Tests/Fuzz/README.md).
# Usage: scripts/check-sanitizers.sh   (scripts/test.sh calls it)
set -euo pipefail
cd "$(dirname "$0")/.."

build=build/sanitize
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# The invalid-descriptor table asks for buffers of up to 2^63 bytes and expects
# CK_ERR_OUT_OF_MEMORY: ASan must return NULL there as malloc does, not abort.
export ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "== check-sanitizers: configure $build (ASan + UBSan)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCONVKIT_BUILD_BENCHMARKS=OFF \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined"
echo "== check-sanitizers: build"
cmake --build "$build" --parallel "$(nproc)"
echo "== check-sanitizers: ctest"
ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" --label-exclude fuzz
echo "== check-sanitizers: fuzz corpus replay"
"$build/ck_fuzz_replay" Tests/Fuzz/corpus

echo "== check-sanitizers: configure build/tsan (TSan)"
cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=Debug -DCONVKIT_BUILD_BENCHMARKS=OFF \
    -DCMAKE_C_FLAGS="-fsanitize=thread -O1 -g" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread"
echo "== check-sanitizers: build"
cmake --build build/tsan --parallel "$(nproc)"
echo "== check-sanitizers: every op suite on the CPU backend (2 threads) under TSan"
TSAN_OPTIONS=halt_on_error=1:allocator_may_return_null=1 build/tsan/ck_op_suite --all cpu Tests/Fixtures
echo "== check-sanitizers: all passed"
