# Shared by bench/layers-unpack.sh, bench/load.sh, bench/layers-start.sh and
# bench/volumes-start.sh (sourced, not run): the kubik build, scratch space
# with its cleanup, the Debian tarball, crun as a peer, and `measure`, which times a command with hyperfine when it
# is installed and by repeating it and taking the median otherwise.
#
# The sourcing script sets bench (its name, for messages), optionally
# default_runs and default_warmup, and then calls bench_setup. RUNS and
# WARMUP (environment) override the number of runs;
# BENCH_DIR sets where the scratch directory goes (default /var/tmp: a disk
# file system, as kubik's state root normally is; /tmp may be a tmpfs).
# shellcheck shell=bash
: "${bench:?set bench to the name of the script before sourcing bench/lib.sh}"

die() { echo "$bench: $*" >&2; exit 1; }
note() { echo "$bench: $*" >&2; }

# --- kubik -----------------------------------------------------------------------
# KUBIK_BUILD=dir uses that build directory as it is; by default build/ is
# configured if missing and brought up to date for the targets named, so a
# stale binary is never what gets measured.
bench_build() { # target...
    build=${KUBIK_BUILD:-build}
    if [[ -z ${KUBIK_BUILD:-} ]]; then
        [[ -f build/build.ninja ]] || cmake --preset default >/dev/null
        cmake --build --preset default --target "$@" >&2
    fi
    kubik=$(realpath "$build/kubik")
    [[ -x $kubik ]] || die "no kubik in $build"
}

# --- scratch space and cleanup -------------------------------------------------------
# Everything a bench makes lives in $tmp; cleanup_hooks run first (in
# reverse order) on any exit, then whatever is still mounted below $tmp is
# unmounted and $tmp removed.
cleanup_hooks=()
child=""
bench_cleanup() {
    local rc=$? i m
    trap - EXIT INT TERM
    set +e
    if [[ -n $child ]]; then
        kill "$child" 2>/dev/null
        wait "$child" 2>/dev/null
        sleep 1
    fi
    for ((i = ${#cleanup_hooks[@]} - 1; i >= 0; i--)); do eval "${cleanup_hooks[i]}"; done
    if [[ -n ${tmp:-} && -d $tmp ]]; then
        awk -v t="$tmp/" 'index($2, t) == 1 {print $2}' /proc/mounts | sort -r |
            while read -r m; do umount -l "$m"; done
        rm -rf "$tmp"
    fi
    exit "$rc"
}
bench_setup() {
    ((EUID == 0)) || die "run as root (namespaces, mounts, file owners)"
    runs=${RUNS:-${default_runs:-5}}
    warmup=${WARMUP:-${default_warmup:-1}}
    [[ $runs =~ ^[0-9]+$ && $runs -ge 1 ]] || die "RUNS must be a number >= 1 (got '$runs')"
    local dir=${BENCH_DIR:-/var/tmp}
    tmp=$(mktemp -d "$dir/kubik-bench-$bench.XXXXXX")
    results=$tmp/results.tsv
    : >"$results"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if command -v hyperfine >/dev/null; then
        timer="hyperfine $(hyperfine --version | cut -d' ' -f2)"
    else
        timer="bash EPOCHREALTIME, median of $runs runs (hyperfine is not installed)"
    fi
}
# The long runs go in the background so that a signal ends them at once (bash
# runs a trap only after a foreground command returns; hyperfine ignores SIGINT).
in_background() {
    "$@" &
    child=$!
    local rc=0
    wait "$child" || rc=$?
    child=""
    return "$rc"
}

# --- the Debian rootfs tarball ---------------------------------------------------------
# The one scripts/make-debian-image.sh caches in the build tree (made on
# first use: mmdebstrap, the package mirror, about a minute).
debian_tarball() {
    local out rc=0
    out=$(scripts/make-debian-image.sh --build "$build" --tarball-only) || rc=$?
    ((rc == 0)) || die "no Debian tarball (scripts/make-debian-image.sh exited $rc)"
    tail -n 1 <<<"$out"
}

# kubik_leftovers (a cleanup hook): on any exit, `kubik rm -f` of every container left in
# the state root $root (set it first); add it after crun_setup, so it runs
# before crun's hook (hooks run last-added first).
kubik_leftovers() {
    local ids
    ids=$("$kubik" --root "$root" ps -aq 2>/dev/null)
    # shellcheck disable=SC2086 # one id a word
    [[ -n $ids ]] && "$kubik" --root "$root" rm -f $ids >/dev/null 2>&1
    return 0
}

# --- crun as the peer ---------------------------------------------------------------
# crun_setup PARENT: crun_bin, its state directory $crun_state, and crun_ns,
# the command crun runs inside: crun refuses a hybrid host (cgroup v1 with a
# v2 hierarchy at /sys/fs/cgroup/unified), so there it gets a mount
# namespace with an empty tmpfs over the unified mount, where the host looks
# like plain v1. PARENT is the cgroup every run of the bench goes under;
# crun_leftovers (a cleanup hook) removes crun's containers, the cgroups of
# PARENT in every hierarchy, and /run/crun if crun made it.
crun_setup() {
    bench_parent=$1
    crun_bin=$(command -v crun) || die "crun is missing (scripts/install-test-deps.sh installs it)"
    crun_state=$tmp/crun-state
    mkdir -p "$crun_state"
    default_rundir=""
    [[ -e /run/crun ]] || default_rundir=/run/crun
    crun_ns=()
    if [[ $(fs_type /sys/fs/cgroup) != cgroup2fs && $(fs_type /sys/fs/cgroup/unified) == cgroup2fs ]]; then
        crun_ns=(unshare --mount --propagation private -- sh -c
            'mount -t tmpfs -o size=64k,mode=755 kubik-bench /sys/fs/cgroup/unified && exec "$@"' sh)
    fi
    cleanup_hooks+=(crun_leftovers)
}
fs_type() { stat -f -c %T "$1" 2>/dev/null || echo none; }
# Kills what is left in PARENT's cgroups and removes them, deepest first.
remove_bench_cgroups() {
    local m type pids
    while read -r _ m type _; do
        [[ ($type == cgroup || $type == cgroup2) && -d $m/$bench_parent ]] || continue
        pids=$(find "$m/$bench_parent" -name cgroup.procs -exec cat {} + 2>/dev/null)
        # shellcheck disable=SC2086 # one pid a word
        [[ -n $pids ]] && kill -9 $pids 2>/dev/null && sleep 0.2
        find "$m/$bench_parent" -depth -type d -exec rmdir {} + 2>/dev/null
        [[ -d $m/$bench_parent ]] && note "warning: could not remove $m/$bench_parent"
    done </proc/mounts
}
crun_leftovers() {
    local id
    for id in $("${crun_ns[@]}" "$crun_bin" --root "$crun_state" list -q 2>/dev/null); do
        "${crun_ns[@]}" "$crun_bin" --root "$crun_state" delete -f "$id" >/dev/null 2>&1
    done
    remove_bench_cgroups
    [[ -n $default_rundir && -d $default_rundir ]] && rmdir "$default_rundir" 2>/dev/null
    return 0
}
# crun_bundle DIR ROOTFS [MOUNTS_JSON]: an OCI bundle in DIR with a copy of
# ROOTFS and crun's own default config (`crun spec`), changed only where the
# bench must: /bin/true, no terminal, a writable root, kubik's five
# namespaces, a cgroup under the bench's parent, and MOUNTS_JSON (a JSON list
# of OCI mounts) added after crun's defaults. Prints the command that runs it
# once with a fresh container id (bench/with-unique-id.c).
crun_bundle() {
    local dir=$1 rootfs=$2 mounts=${3:-[]}
    mkdir -p "$dir"
    cp -a "$rootfs" "$dir/rootfs"
    (cd "$dir" && "$crun_bin" spec)
    python3 - "$dir/config.json" "/$bench_parent/crun" "$mounts" <<'PY'
import json, sys
path, cgroup, mounts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
spec = json.load(open(path))
spec["process"]["args"] = ["/bin/true"]
spec["process"]["terminal"] = False
spec["root"]["readonly"] = False
spec["linux"]["namespaces"] = [{"type": t} for t in ("pid", "ipc", "uts", "mount", "network")]
spec["linux"]["cgroupsPath"] = cgroup
spec["mounts"] += mounts
json.dump(spec, open(path, "w"), indent=2)
PY
    local wrap=$tmp/with-unique-id
    [[ -x $wrap ]] || cc -O2 -static -o "$wrap" bench/with-unique-id.c 2>/dev/null ||
        cc -O2 -o "$wrap" bench/with-unique-id.c
    echo "$wrap $tmp/crun-counter bench-$bench- $crun_bin --root $crun_state run --bundle $dir {id}"
}

# --- timing ---------------------------------------------------------------------------
# measure NAME PREPARE COMMAND: times COMMAND (a bash command line) RUNS times
# after WARMUP runs, running PREPARE (a bash command line, may be "") before
# each, untimed. Appends "NAME<TAB>median<TAB>mean<TAB>min<TAB>max" (seconds)
# to $results. With FAST=1 and no PREPARE, hyperfine runs COMMAND without a
# shell (-N: it must be plain words), for commands of a few milliseconds.
# measure_prefix (an array) is a command the timer runs inside (with
# hyperfine: hyperfine itself; without: each run).
measure_prefix=()
measure() {
    local name=$1 prepare=$2 command=$3 pre=("${measure_prefix[@]}")
    note "measuring $name: $runs runs after $warmup warmup"
    # One run first, outside the timing: a clear error beats a failed bench.
    [[ -z $prepare ]] || bash -c "$prepare" || die "$name: preparing failed: $prepare"
    local out
    out=$("${pre[@]}" bash -c "$command" 2>&1 >/dev/null) || die "$name failed: $command -> $out"
    if command -v hyperfine >/dev/null; then
        local hf=(hyperfine --style basic --runs "$runs" --warmup "$warmup" --export-json "$tmp/$name.json")
        if [[ -n $prepare ]]; then
            hf+=(--prepare "$prepare")
        elif [[ ${FAST:-0} == 1 ]]; then
            hf+=(-N)
        fi
        in_background "${pre[@]}" "${hf[@]}" -n "$name" "$command" >&2
        python3 - "$tmp/$name.json" "$name" >>"$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"{sys.argv[2]}\t{r['median']}\t{r['mean']}\t{r['min']}\t{r['max']}")
PY
    else
        local i t0 t1 times=()
        for ((i = 0; i < warmup + runs; i++)); do
            [[ -z $prepare ]] || bash -c "$prepare" >/dev/null
            t0=$EPOCHREALTIME
            "${pre[@]}" bash -c "$command" >/dev/null 2>&1 || die "$name failed on run $i"
            t1=$EPOCHREALTIME
            ((i < warmup)) || times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}')")
        done
        printf '%s\n' "${times[@]}" | sort -g | awk -v n="$name" '
            { t[NR] = $1; s += $1 }
            END { m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
                  printf "%s\t%s\t%s\t%s\t%s\n", n, m, s / NR, t[1], t[NR] }' >>"$results"
    fi
}

# median NAME: the median of NAME in seconds ("" if it was not measured).
median() { awk -F'\t' -v n="$1" '$1 == n {print $2}' "$results"; }

# report UNIT TITLE: the table of everything measured, in ms or s.
report() { # unit title
    local unit=$1 title=$2
    echo
    echo "$title"
    echo "machine: $(nproc) CPUs, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "scratch on: $(findmnt -n -o SOURCE,FSTYPE,OPTIONS -T "$tmp" 2>/dev/null || echo '?')"
    echo "timer: $timer; $runs runs, $warmup warmup"
    awk -F'\t' -v u="$unit" '
        BEGIN { f = u == "ms" ? 1000 : 1; printf "%-22s %9s %9s %9s %9s  (%s)\n", "", "median", "mean", "min", "max", u }
        { printf "%-22s %9.2f %9.2f %9.2f %9.2f\n", $1, $2 * f, $3 * f, $4 * f, $5 * f }' "$results"
}

# ratio A B: "A / B = x.xx" of their medians.
ratio() {
    local a b
    a=$(median "$1")
    b=$(median "$2")
    [[ -n $a && -n $b ]] || return 0
    awk -v a="$a" -v b="$b" -v na="$1" -v nb="$2" 'BEGIN { printf "%s / %s = %.2f\n", na, nb, a / b }'
}
