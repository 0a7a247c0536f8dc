#!/usr/bin/env bash
# What mounts cost a container's start: start-to-exit of /bin/true with no
# mount, with one named volume, and with five read-only bind mounts, against
# crun running the same files with the same five binds in its config.json.
# Lesson 5's mounts are made by descriptor (openat2 in the root, open_tree,
# mount_setattr, move_mount): three or four system calls a mount more than a
# plain mount(2), and this shows what that costs.
#
#     bench/volumes-start.sh            # RUNS=100 runs of each (after WARMUP=10)
#     RUNS=300 bench/volumes-start.sh
#
# Rows (hyperfine -N, no shell; else the median of bash-timed runs):
#   kubik-no-mount   kubik --root R run --rm --cgroup-parent kubik-bench-volumes busybox true
#   kubik-volume     the same with -v benchdata:/data (the volume exists and is filled already)
#   kubik-5-binds    the same with -v HOST/bN:/bN:ro for N = 1..5 (each host directory holds a file)
#   crun-no-mount    crun run on a bundle of the image's files (crun spec, changed as bench/lib.sh's
#                    crun_bundle says)
#   crun-5-binds     the same bundle with the five binds as OCI mounts (rbind, ro)
#
# KUBIK_BUILD=dir uses that build as it is (it must have lesson 5 solved);
# BENCH_DIR=dir puts the scratch directory there (default /var/tmp). Needs
# root and crun (scripts/install-test-deps.sh installs it). Everything it
# makes is in the scratch directory and the cgroup kubik-bench-volumes of
# every hierarchy, both removed at the end, also on failure. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="volumes-start"
default_runs=100
default_warmup=10
# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=bench/network-lib.sh
. bench/network-lib.sh

parent="kubik-bench-volumes"
bench_setup
for tool in crun cc python3; do
    command -v $tool >/dev/null || die "$tool is missing (scripts/install-test-deps.sh installs crun)"
done
bench_build kubik kubik-monitor
crun_setup "$parent"

root=$tmp/root
# The containers first, then the root's default network (kubik keeps it).
cleanup_hooks+=(network_leftovers kubik_leftovers)  # bench/network-lib.sh, bench/lib.sh

"$kubik" --root "$root" image busybox >/dev/null
rootfs=$("$kubik" --root "$root" image inspect busybox |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["GraphDriver"]["Data"]["UpperDir"])')
[[ -x $rootfs/bin/busybox ]] || die "no busybox in the image's layer $rootfs"

binds=() mounts="["
for n in 1 2 3 4 5; do
    mkdir -p "$tmp/host/b$n"
    echo "bind $n" >"$tmp/host/b$n/file"
    binds+=(-v "$tmp/host/b$n:/b$n:ro")
    mounts+="{\"destination\": \"/b$n\", \"type\": \"bind\", \"source\": \"$tmp/host/b$n\", \"options\": [\"rbind\", \"ro\"]},"
done
mounts="${mounts%,}]"
# The volume is made and filled (the first-use copy) before timing.
out=$("$kubik" --root "$root" run --rm -v benchdata:/data busybox sh -c 'echo kept > /data/file' 2>&1) ||
    die "a run with a volume failed (is lesson 5 solved in $build?): $out"
check=$("$kubik" --root "$root" run --rm --cgroup-parent "$parent" "${binds[@]}" busybox cat /b5/file) ||
    die "a run with five binds failed"
[[ $check == "bind 5" ]] || die "the fifth bind shows '$check', not 'bind 5'"

crun_plain=$(crun_bundle "$tmp/crun-plain" "$rootfs")
crun_binds=$(crun_bundle "$tmp/crun-binds" "$rootfs" "$mounts")

# --- measure ---------------------------------------------------------------------------
export FAST=1
run_kubik="$kubik --root $root run --rm --cgroup-parent $parent"
measure kubik-no-mount "" "$run_kubik busybox true"
measure kubik-volume "" "$run_kubik -v benchdata:/data busybox true"
measure kubik-5-binds "" "$run_kubik ${binds[*]} busybox true"
measure_prefix=("${crun_ns[@]}")
measure crun-no-mount "" "$crun_plain"
measure crun-5-binds "" "$crun_binds"
measure_prefix=()

report ms "start-to-exit of /bin/true with no mount, one named volume, five read-only binds; crun on the same files"
echo "versions: $("$crun_bin" --root "$crun_state" --version | head -1)"
echo
awk -v a="$(median kubik-5-binds)" -v b="$(median kubik-no-mount)" -v c="$(median crun-5-binds)" -v d="$(median crun-no-mount)" \
    'BEGIN { printf "one read-only bind costs kubik %.3f ms, crun %.3f ms (medians)\n", (a - b) * 200, (c - d) * 200 }'
ratio kubik-no-mount crun-no-mount
ratio kubik-5-binds crun-5-binds
