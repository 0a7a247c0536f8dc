#!/usr/bin/env bash
# Installs, builds and runs every test: the reference runtime's tests, then
# the check that the student track (pristine exercises) fails every lesson
# with "not implemented yet" and crashes nowhere, and the staircase: solved
# one lesson at a time, in order, `kubik-course check N` passes after each
# (scripts/check-tracks.sh --staircase); then the docs site (warnings are
# errors) and the Vagrant VM's provisioning, run on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/install-test-deps.sh   # skopeo, umoci, mmdebstrap, crun, hyperfine: the tests' partners
cmake --preset default
cmake --build --preset default
ctest --preset default
scripts/check-tracks.sh --staircase
scripts/build-docs.sh
ruby -c Vagrantfile >/dev/null
ruby Vagrantfile | KUBIK_DIR=$PWD bash
