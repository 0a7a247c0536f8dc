#!/usr/bin/env bash
# What many -e flags cost: `kubik run --rm -e V1=x … -e VN=x busybox true` for
# N = 0, 1,000, 10,000 and 20,000 distinct variables, the median of a few runs
# each, and what the flags add to the N = 0 run. The cost should grow in
# proportion to N (it was quadratic once: 10,000 flags took seconds).
#
# Not a test: the numbers depend on the machine. Run as root:
#
#     bench/env-flags.sh [RUNS]          # RUNS per N, default 5
#
# KUBIK_BUILD=dir uses that build directory's kubik as it is; by default
# build/ is used, configured with the default preset if missing and brought up
# to date. COUNTS="0 1000 5000" measures other flag counts (0 is always
# measured first: the other rows are compared with it). Everything the script
# creates (a state root in /tmp, the cgroup kubik-bench-env of every
# hierarchy) is removed at the end, also when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-5}
build=${KUBIK_BUILD:-build}
counts=${COUNTS:-"1000 10000 20000"}
parent="kubik-bench-env"

die() { echo "env-flags.sh: $*" >&2; exit 1; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number (got '$runs')"
for n in $counts; do [[ $n =~ ^[0-9]+$ ]] || die "COUNTS must be numbers (got '$n')"; done
((EUID == 0)) || die "run as root (namespaces, cgroups, mounts)"

if [[ -z ${KUBIK_BUILD:-} ]]; then
    [[ -f build/build.ninja ]] || cmake --preset default >/dev/null
    cmake --build --preset default --target kubik kubik-monitor >&2
fi
kubik=$(realpath "$build/kubik")
[[ -x $kubik ]] || die "no kubik in $build"

tmp=$(mktemp -d /tmp/kubik-bench-env.XXXXXX)
root=$tmp/root
cleanup() {
    local rc=$? m type
    trap - EXIT INT TERM
    set +e
    ids=$("$kubik" --root "$root" ps -aq 2>/dev/null)
    # shellcheck disable=SC2086 # one id a word
    [[ -n $ids ]] && "$kubik" --root "$root" rm -f $ids >/dev/null 2>&1
    # Only the cgroup this bench's containers used; kubik removed theirs below it.
    while read -r _ m type _; do
        [[ ($type == cgroup || $type == cgroup2) && -d $m/$parent ]] || continue
        find "$m/$parent" -depth -type d -exec rmdir {} + 2>/dev/null
        [[ -d $m/$parent ]] && echo "env-flags.sh: warning: could not remove $m/$parent" >&2
    done </proc/mounts
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$kubik" --root "$root" image busybox >/dev/null

# Median wall time in ms of RUNS runs of `kubik run` with N -e flags.
median_ms() { # N
    local n=$1 i start end times=() args=()
    for ((i = 1; i <= n; i++)); do args+=(-e "V$i=x"); done
    for ((i = 0; i < runs; i++)); do
        start=$EPOCHREALTIME
        "$kubik" --root "$root" run --rm --cgroup-parent "$parent" "${args[@]}" busybox true ||
            die "kubik run with $n -e flags failed"
        end=$EPOCHREALTIME
        times+=("$(((${end/./} - ${start/./}) / 1000))")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

echo "kubik: $kubik ($runs runs per row; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%8s  %12s  %16s\n' "-e flags" "median ms" "added by -e ms"
base=$(median_ms 0)
printf '%8s  %12s  %16s\n' 0 "$base" -
for n in $counts; do
    ((n == 0)) && continue
    t=$(median_ms "$n")
    printf '%8s  %12s  %16s\n' "$n" "$t" "$((t - base))"
done
