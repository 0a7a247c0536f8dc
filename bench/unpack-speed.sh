#!/usr/bin/env bash
# Layer extraction: kubik's own unpack (TarReader + LayerRoot, the store's
# code, both digests included) against GNU `tar -xf` of the same file into a
# fresh directory on the same filesystem. Medians of RUNS runs (default 3).
#
#   bench/unpack-speed.sh FILE.tar[.gz|.zst]   # a layer you have
#   bench/unpack-speed.sh                      # makes one from /usr/include and /usr/lib/python3*
#
# Needs build/kubik-unpack-bench (cmake --build build --target kubik-unpack-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${KUBIK_BUILD:-build}/kubik-unpack-bench
runs=${RUNS:-3}
[[ -x $bin ]] || { echo "unpack-speed.sh: build $bin first" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/var/tmp}/kubik-unpack-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
tarball=${1:-}
if [[ -z $tarball ]]; then
    tarball=$work/layer.tar
    tar -cf "$tarball" -C / usr/include $(cd / && ls -d usr/lib/python3*) 2>/dev/null
fi
echo "layer: $tarball ($(du -h "$tarball" | cut -f1), $(tar -tf "$tarball" | wc -l) entries)"

time_one() {  # prints the seconds "$@" took, unpacking into a fresh $work/out
    rm -rf "$work/out" && mkdir "$work/out" && sync
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

k=() t=()
for ((i = 0; i < runs; i++)); do
    k+=("$(time_one "$bin" "$tarball" "$work/out")")
    t+=("$(time_one tar -xf "$tarball" -C "$work/out")")
done
km=$(printf '%s\n' "${k[@]}" | median)
tm=$(printf '%s\n' "${t[@]}" | median)
printf 'kubik-unpack-bench: %s s (runs: %s)\n' "$km" "${k[*]}"
printf 'tar -xf:            %s s (runs: %s)\n' "$tm" "${t[*]}"
printf 'speed vs tar: %.2fx (tar time / kubik time; >= 1.0 is the target)\n' "$(echo "$tm / $km" | bc -l)"
