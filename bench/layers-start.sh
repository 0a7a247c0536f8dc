#!/usr/bin/env bash
# Start-to-exit of /bin/true from a 1-layer and from a 20-layer image of the
# same files, against crun on an OCI bundle whose rootfs is those files,
# flattened. What 19 more lower directories cost kubik's overlay mount (the
# target: at most ≈ 1 ms more than one layer).
#
#     bench/layers-start.sh            # RUNS=100 runs of each (after WARMUP=10)
#     RUNS=300 bench/layers-start.sh
#
# The images are made without kubik's own image code, by umoci and skopeo:
# layer 1 is a static busybox with its applets (the host's /bin/busybox),
# layers 2-20 each add one file /layers/N. skopeo writes that OCI layout as a
# docker-archive, `kubik load` loads it as layers20; the same files, flattened
# by `umoci unpack`, are tarred and `kubik import`ed as layers1, and copied as
# crun's bundle rootfs.
#
# Rows (hyperfine -N, no shell; else the median of bash-timed runs):
#   kubik-1-layer    kubik --root R run --rm --cgroup-parent kubik-bench-layers layers1 true
#   kubik-20-layers  the same with layers20
#   crun             crun run on the bundle (crun spec, changed as bench/start-time.sh does;
#                    a fresh id per run from bench/with-unique-id.c)
#
# KUBIK_BUILD=dir uses that build as it is; BENCH_DIR=dir puts the scratch
# directory there (default /var/tmp). Needs root, umoci, skopeo and crun
# (scripts/install-test-deps.sh installs them). Everything it makes is in the
# scratch directory and the cgroup kubik-bench-layers of every hierarchy, both
# removed at the end, also on failure. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="layers-start"
default_runs=100
default_warmup=10
# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=bench/network-lib.sh
. bench/network-lib.sh

parent="kubik-bench-layers"
bench_setup
for tool in umoci skopeo crun cc python3; do
    command -v $tool >/dev/null || die "$tool is missing (scripts/install-test-deps.sh installs umoci, skopeo, crun)"
done
bench_build kubik kubik-monitor
busybox=${KUBIK_BENCH_BUSYBOX:-/bin/busybox}
[[ -x $busybox ]] || die "no $busybox (install-deps.sh installs busybox-static)"
crun_setup "$parent"

root=$tmp/root
# The containers first, then the root's default network (kubik keeps it).
cleanup_hooks+=(network_leftovers kubik_leftovers)  # bench/network-lib.sh, bench/lib.sh

# --- the images ----------------------------------------------------------------------
note "making a 20-layer OCI layout with umoci"
layout=$tmp/layout
umoci init --layout "$layout"
umoci new --image "$layout:t"
umoci unpack --image "$layout:t" "$tmp/bundle" >/dev/null
rootfs=$tmp/bundle/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc,layers}
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
    [[ -e $rootfs/bin/$applet ]] || ln -s busybox "$rootfs/bin/$applet"
done
umoci repack --image "$layout:t" "$tmp/bundle"
for n in $(seq 2 20); do
    # Each layer from a fresh unpack: a repacked bundle's mtree is stale.
    rm -rf "$tmp/bundle"
    umoci unpack --image "$layout:t" "$tmp/bundle" >/dev/null
    echo "layer $n" >"$rootfs/layers/$n"
    umoci repack --image "$layout:t" "$tmp/bundle"
done
skopeo copy -q "oci:$layout:t" "docker-archive:$tmp/layers20.tar:layers20:latest"
"$kubik" --root "$root" load -i "$tmp/layers20.tar" >/dev/null
tar -C "$rootfs" -cf "$tmp/flat.tar" .
"$kubik" --root "$root" import "$tmp/flat.tar" layers1 >/dev/null
layers=$("$kubik" --root "$root" image inspect layers20 |
    python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print(len(d["RootFS"]["Layers"]))')
[[ $layers == 20 ]] || die "layers20 has $layers layers, not 20"

# crun's bundle: the flattened files, crun's default config changed as
# crun_bundle (bench/lib.sh) says.
crun_cmd=$(crun_bundle "$tmp/crun-bundle" "$rootfs")

# --- measure ---------------------------------------------------------------------------
export FAST=1
measure kubik-1-layer "" "$kubik --root $root run --rm --cgroup-parent $parent layers1 true"
measure kubik-20-layers "" "$kubik --root $root run --rm --cgroup-parent $parent layers20 true"
# hyperfine itself runs inside the namespace where crun sees a v1 host.
measure_prefix=("${crun_ns[@]}")
measure crun "" "$crun_cmd"
measure_prefix=()

report ms "start-to-exit of /bin/true: 1 layer, 20 layers (same files), crun on the flattened files"
echo "versions: $("$crun_bin" --root "$crun_state" --version | head -1)"
echo
awk -v a="$(median kubik-20-layers)" -v b="$(median kubik-1-layer)" \
    'BEGIN { printf "20 layers cost %.2f ms more than 1 (medians; target: ≤ ≈ 1 ms)\n", (a - b) * 1000 }'
ratio kubik-1-layer crun
ratio kubik-20-layers crun
