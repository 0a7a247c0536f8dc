#!/usr/bin/env bash
# Loading an image archive: `kubik load` of the Debian 12 image (kubik's own
# `save` of debian:bookworm, a docker-save/OCI archive of ~160 MB) against
# `skopeo copy docker-archive:… oci:…` and, where podman is installed,
# `podman load`, each into fresh storage.
#
#     bench/load.sh                 # RUNS=5 runs of each (after WARMUP=1)
#     RUNS=10 bench/load.sh
#
# Rows:
#   kubik-load   kubik --root R load -i ARCHIVE (R removed before each run): blobs stored,
#                digests checked, the layer unpacked, the name indexed
#   skopeo-copy  skopeo copy docker-archive:ARCHIVE oci:DIR:bookworm (DIR removed before each
#                run): the blobs copied into an OCI layout; nothing is unpacked
#   podman-load  podman --root P --runroot Q --storage-driver overlay load -i ARCHIVE (P, Q removed
#                before each run): its own storage, never the host's; only if podman is installed
#                (scripts/install-test-deps.sh --bench installs it)
#
# KUBIK_BUILD=dir uses that build as it is; BENCH_DIR=dir puts the scratch
# directory there (default /var/tmp). Needs root and skopeo. Everything it
# makes is in the scratch directory, removed at the end. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="load"
# shellcheck source=bench/lib.sh
. bench/lib.sh

bench_setup
command -v skopeo >/dev/null || die "skopeo is missing (scripts/install-test-deps.sh installs it)"
bench_build kubik
tarball=$(debian_tarball)

# The archive: kubik's save of the imported image (the form `docker save` writes).
"$kubik" --root "$tmp/source" import "$tarball" debian:bookworm >/dev/null
archive=$tmp/debian-bookworm.archive.tar
"$kubik" --root "$tmp/source" save -o "$archive" debian:bookworm
rm -rf "$tmp/source"
cat "$archive" >/dev/null  # warm the page cache for everyone

measure kubik-load "rm -rf $tmp/root" "$kubik --root $tmp/root load -i $archive"
measure skopeo-copy "rm -rf $tmp/oci" "skopeo copy -q docker-archive:$archive oci:$tmp/oci:bookworm"
if command -v podman >/dev/null; then
    # Its own storage and run directories, no events journal, no cgroups: the
    # host's podman state is never touched.
    podman=(podman --root "$tmp/podman" --runroot "$tmp/podman-run" --storage-driver overlay
            --events-backend none --cgroup-manager cgroupfs --tmpdir "$tmp/podman-tmp")
    prep="rm -rf $tmp/podman $tmp/podman-run; mkdir -p $tmp/podman-tmp"
    # (A mount its overlay storage left below $tmp is unmounted by the cleanup.)
    measure podman-load "$prep" "${podman[*]} load -q -i $archive"
else
    note "podman is not installed: no podman-load row (scripts/install-test-deps.sh --bench)"
fi

report s "loading $(du -h "$archive" | cut -f1) $(basename "$archive") (debian:bookworm, one layer)"
echo "versions: $(skopeo --version)${podman:+, $(podman --version)}"
echo
echo "against kubik (their time / kubik's; > 1.00: kubik is faster):"
ratio skopeo-copy kubik-load | sed 's/^/  /'
[[ -n $(median podman-load) ]] && ratio podman-load kubik-load | sed 's/^/  /'
true
