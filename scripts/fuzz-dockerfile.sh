#!/usr/bin/env bash
# Fuzzes the Dockerfile parser (tests/fuzz/dockerfile_fuzz.cpp) with
# libFuzzer for N seconds (default 60), with ASan and UBSan.
#
#   scripts/fuzz-dockerfile.sh [SECONDS] [-- LIBFUZZER-FLAGS...]
#
# Builds build-fuzz/ with clang and -DKUBIK_FUZZ=ON (only the fuzz target),
# starts from the seeds in tests/fuzz/corpus/ (copied to build-fuzz/corpus/,
# where what libFuzzer finds accumulates, so a second run goes on from
# there), and ends with libFuzzer's last status line: "Done N runs in S
# second(s)" is the number of executions. A crash leaves its input as
# build-fuzz/crash-*; rerun it with build-fuzz/dockerfile_fuzz FILE.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
if [[ $# -gt 0 && $1 != -- ]]; then seconds=$1; shift; fi
[[ ${1:-} == -- ]] && shift

command -v clang++ >/dev/null || { echo "fuzz-dockerfile: clang++ is needed (apt-get install clang)" >&2; exit 1; }

if [[ ! -f build-fuzz/CMakeCache.txt ]]; then
  cmake -S . -B build-fuzz -DKUBIK_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER} >/dev/null
fi
cmake --build build-fuzz -j"${FUZZ_JOBS:-2}" --target dockerfile_fuzz

mkdir -p build-fuzz/corpus
cp -n tests/fuzz/corpus/* build-fuzz/corpus/ 2>/dev/null || true
cd build-fuzz
# -max_len: Dockerfiles are small; longer inputs only slow each run down.
# -timeout: a single input that takes a second is a hang worth reporting.
./dockerfile_fuzz -max_total_time="$seconds" -max_len=4096 -timeout=2 -print_final_stats=1 \
  -dict=../tests/fuzz/dockerfile.dict "$@" corpus 2>&1 | tee fuzz.log | grep -E '^(Done|stat::number_of_executed_units|==|SUMMARY)' || true
grep -q '^Done' fuzz.log || { echo "fuzz-dockerfile: libFuzzer did not finish cleanly (build-fuzz/fuzz.log)" >&2; exit 1; }
