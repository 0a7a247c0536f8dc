#!/usr/bin/env bash
# Quick start: install, build, make the busybox image, and run a container
# that shows it is isolated from this machine.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset default >/dev/null
# Only what the demo runs: kubik and its monitor. The tests, the course tool
# and their tests are built by scripts/test-all.sh (or on demand by
# `cmake --build --preset default`).
cmake --build --preset default --target kubik kubik-monitor

kubik=build/kubik
"$kubik" image busybox

echo
echo "== kubik run --rm --hostname kubik-demo busybox sh -c '...'"
"$kubik" run --rm --hostname kubik-demo busybox sh -c '
    echo "hostname:        $(hostname)"
    echo "my PID:          $$   (PID 1 is $(cat /proc/1/comm), the container'"'"'s init)"
    echo "processes I see: $(ls -d /proc/[0-9]* | wc -l)"
    echo "my / holds:      $(ls / | tr "\n" " ")"
    if [ -e /etc/debian_version ]; then echo "host files:      VISIBLE (not isolated!)";
    else echo "host files:      not visible (no /etc/debian_version here)"; fi
    echo "network:         $(ls /sys/class/net | tr "\n" " ")"'
echo
echo "The host meanwhile: hostname $(hostname), $(ls -d /proc/[0-9]* | wc -l) processes."
echo "Try it yourself:    $kubik run --rm -it busybox sh"
