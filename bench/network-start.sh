#!/usr/bin/env bash
# What the default bridge network costs a container's start: start-to-exit of
# /bin/true on the default bridge (a lease, a veth pair made into the child's
# namespace, eth0 configured inside, /etc/hosts written) against
# `--network none` (lesson 2's loopback-only namespace), and crun on the same
# files with a network namespace of its own and nothing in it, for reference.
# Target (the issue): the bridge adds at most 3 ms.
#
#     bench/network-start.sh            # RUNS=100 runs of each (after WARMUP=10)
#     RUNS=300 bench/network-start.sh
#
# Rows (hyperfine -N, no shell; else the median of bash-timed runs):
#   kubik-bridge   kubik --root R run --rm --cgroup-parent kubik-bench-network busybox true
#   kubik-none     the same with --network none
#   crun-netns     crun run on a bundle of the image's files (bench/lib.sh's crun_bundle)
#
# KUBIK_BUILD=dir uses that build as it is (lesson 6 solved); BENCH_DIR=dir
# puts the scratch directory there (default /var/tmp). Needs root; crun is
# optional (its row is left out without it). Everything it makes is in the
# scratch directory, the cgroup kubik-bench-network, and the state root's
# default network: its bridge kb-XXXXXXXX and nftables table kubik-XXXXXXXX,
# removed at the end (kubik keeps its default network, as docker does), also
# on failure. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="network-start"
default_runs=100
default_warmup=10
# shellcheck source=bench/lib.sh
. bench/lib.sh

parent="kubik-bench-network"
bench_setup
command -v python3 >/dev/null || die "python3 is missing"
bench_build kubik kubik-monitor kubik-nft
have_crun=0
if command -v crun >/dev/null && command -v cc >/dev/null; then
    have_crun=1
    crun_setup "$parent"
else
    note "crun is not installed: no crun row (scripts/install-test-deps.sh installs it)"
fi

root=$tmp/root
# network_leftovers runs after kubik_leftovers (hooks run last-added first).
cleanup_hooks+=(network_leftovers kubik_leftovers)  # bench/lib.sh, bench/network-lib.sh
# shellcheck source=bench/network-lib.sh
. bench/network-lib.sh

"$kubik" --root "$root" image busybox >/dev/null
out=$("$kubik" --root "$root" run --rm --cgroup-parent "$parent" busybox grep -c eth0: /proc/net/dev 2>&1) ||
    die "a run on the default bridge failed (is lesson 6 solved in $build?): $out"
note "the default network is up: bridge $(default_bridge)"

# --- measure ---------------------------------------------------------------------------
export FAST=1
run_kubik="$kubik --root $root run --rm --cgroup-parent $parent"
measure kubik-bridge "" "$run_kubik busybox true"
measure kubik-none "" "$run_kubik --network none busybox true"
if ((have_crun)); then
    rootfs=$("$kubik" --root "$root" image inspect busybox |
        python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["GraphDriver"]["Data"]["UpperDir"])')
    crun_cmd=$(crun_bundle "$tmp/crun" "$rootfs")
    measure_prefix=("${crun_ns[@]}")
    measure crun-netns "" "$crun_cmd"
    measure_prefix=()
fi

report ms "start-to-exit of /bin/true: kubik on the default bridge, with --network none; crun with an empty network namespace"
echo
awk -v a="$(median kubik-bridge)" -v b="$(median kubik-none)" \
    'BEGIN { printf "the bridge adds %.2f ms to a start (medians; target <= 3 ms)\n", (a - b) * 1000 }'
ratio kubik-bridge kubik-none
ratio kubik-none crun-netns
ratio kubik-bridge crun-netns
