#!/usr/bin/env bash
# Installs, builds and runs every test: the reference runtime's tests, then
# the check that the student track (pristine exercises) fails every lesson
# with "not implemented yet" and crashes nowhere, and the staircase: solved
# one lesson at a time, in order, `kubik-course check N` passes after each
# (scripts/check-tracks.sh --staircase); then the docs site (warnings are
# errors) and the Vagrant VM's provisioning, run on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says how long it took: CI has a time budget (45 min
# on 2 cores for this and scripts/vm-test together).
step() {
  local started=$SECONDS
  "$@"
  echo "test-all: \`$*\` took $((SECONDS - started)) s" >&2
}

step scripts/install-deps.sh
step scripts/install-test-deps.sh   # skopeo, umoci, mmdebstrap, crun, hyperfine: the tests' partners

# The course is built four times: the reference (build/), the staircase's
# student track (build-staircase/) and, in ctest's kubik-course-grade*
# suites, two temp copies of the course below /tmp. Through ccache, with
# every path seen as relative (base_dir /: the builds sit at other places)
# and the build directory left out of the hash, what is the same in all of
# them — src/ and tests/, which include the lessons' headers through
# BUILD/lesson-include (src/CMakeLists.txt) — is compiled once. CMake reads
# the launcher from the environment on a first configure only, so a
# configured build/ keeps what it had.
if command -v ccache >/dev/null; then
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR=/ CCACHE_NOHASHDIR=1
fi
step cmake --preset default
step cmake --build --preset default
step ctest --preset default
step scripts/check-tracks.sh --staircase
step scripts/build-docs.sh
ruby -c Vagrantfile >/dev/null
ruby Vagrantfile | KUBIK_DIR=$PWD bash
