#!/usr/bin/env bash
# Layer extraction: kubik's unpack of a large layer (the Debian 12 minbase
# rootfs tar, ~160 MB) against GNU tar -x of the same file into the same file
# system. The target is kubik ≥ 1.0× tar's speed (tar's time / kubik's ≥ 1).
#
#     bench/layers-unpack.sh            # RUNS=5 runs of each (after WARMUP=1)
#     RUNS=10 bench/layers-unpack.sh
#
# Rows:
#   tar              tar --xattrs --xattrs-include='*' -xpf TAR -C DIR (owners, modes, xattrs kept, as kubik keeps them)
#   kubik-unpack     kubik-unpack-bench TAR DIR: TarReader + LayerRoot alone (both digests computed),
#                    the loop the store runs for each layer (when the build has it)
#   kubik-import     kubik --root R import TAR bench:unpack into a fresh state root: the whole
#                    command (the blob stored, digests, the layer unpacked, the index written)
# Each run unpacks into a directory removed (untimed) before it, and the
# removal is synced: otherwise the previous run's deletions are still being
# written back while the next one is timed, and whoever runs second pays. The page
# cache is warm for everyone: the tar is read once before timing.
#
# KUBIK_BUILD=dir uses that build as it is; BENCH_DIR=dir puts the scratch
# directory there (default /var/tmp). Needs root. Everything it makes is in
# the scratch directory, removed at the end. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="layers-unpack"
# shellcheck source=bench/lib.sh
. bench/lib.sh

bench_setup
targets=(kubik)
[[ -n ${KUBIK_BUILD:-} ]] || { [[ -f build/build.ninja ]] && grep -q 'kubik-unpack-bench' build/build.ninja && targets+=(kubik-unpack-bench); } || true
bench_build "${targets[@]}"
tarball=$(debian_tarball)
cat "$tarball" >/dev/null  # warm the page cache for everyone

out=$tmp/out
measure tar "rm -rf $out && mkdir $out && sync" "tar --xattrs --xattrs-include='*' -xpf $tarball -C $out"
if [[ -x $build/kubik-unpack-bench ]]; then
    measure kubik-unpack "rm -rf $out && mkdir $out && sync" "$build/kubik-unpack-bench $tarball $out"
fi
measure kubik-import "rm -rf $tmp/root && sync" "$kubik --root $tmp/root import $tarball bench:unpack"

report s "unpacking $(basename "$tarball") ($(du -h "$tarball" | cut -f1), $(tar -tf "$tarball" | wc -l) entries)"
echo
echo "speed against GNU tar (tar's time / kubik's; ≥ 1.00 is the target):"
for k in kubik-unpack kubik-import; do
    [[ -n $(median $k) ]] && ratio tar $k | sed "s|^|  |"
done
