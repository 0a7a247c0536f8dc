#!/usr/bin/env bash
# Start-to-exit of /bin/true in a fresh container: kubik beside crun and runc
# on an OCI bundle of the same busybox files, and the kernel floor (unshare of
# the same five namespaces). Medians over many runs, by hyperfine -N. Then the
# resident memory of a detached container's monitor process.
#
# Not a test: the numbers depend on the machine. Run as root on an idle machine:
#
#     bench/start-time.sh [RUNS]          # RUNS defaults to 200 (at least 100)
#
# KUBIK_BUILD=dir uses that build directory's kubik and kubik-monitor as they
# are; by default build/ is used, configured with the default preset if
# missing and brought up to date (cmake --build --preset default).
# WARMUP=n sets hyperfine's warmup runs (default 20). The script installs
# hyperfine, crun and runc with apt-get if they are missing (kubik itself never
# depends on them); it makes no other network traffic. Everything it creates
# (state root, bundles, cgroups named kubik-bench, crun/runc state) is removed
# at the end, also when it fails. See bench/README.md for what is measured how.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-200}
warmup=${WARMUP:-20}
build=${KUBIK_BUILD:-build}
parent="kubik-bench"  # the cgroup every container of this bench lives under

die() { echo "start-time.sh: $*" >&2; exit 1; }
if ! [[ $runs =~ ^[0-9]+$ ]] || ((runs < 100)); then
    die "RUNS must be a number >= 100 (got '$runs')"
fi
((EUID == 0)) || die "run as root (namespaces, cgroups, mounts)"

# --- tools ----------------------------------------------------------------------
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v crun >/dev/null || missing+=(crun)
command -v runc >/dev/null || missing+=(runc)
if ((${#missing[@]})); then
    echo "installing ${missing[*]} (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
for tool in hyperfine crun runc unshare python3 cc; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
crun_bin=$(command -v crun)
runc_bin=$(command -v runc)

if [[ -z ${KUBIK_BUILD:-} ]]; then
    # The project's own build: configured if missing, and brought up to date
    # (a no-op when it is), so a stale binary is never what gets measured.
    [[ -f build/build.ninja ]] || cmake --preset default >/dev/null
    cmake --build --preset default --target kubik kubik-monitor >&2
fi
kubik=$(realpath "$build/kubik")
[[ -x $kubik && -x $build/kubik-monitor ]] || die "no kubik and kubik-monitor in $build"

# --- the host's cgroup layout -----------------------------------------------------
fs_type() { stat -f -c %T "$1" 2>/dev/null || echo none; }
if [[ $(fs_type /sys/fs/cgroup) == cgroup2fs ]]; then
    cgroup_mode="v2 (unified)"
elif [[ $(fs_type /sys/fs/cgroup/unified) == cgroup2fs ]]; then
    cgroup_mode="hybrid (v1 controllers + cgroup2 at /sys/fs/cgroup/unified)"
else
    cgroup_mode="v1"
fi
# crun refuses a hybrid host ("cgroups in hybrid mode not supported"). In a
# private mount namespace we cover /sys/fs/cgroup/unified with an empty tmpfs,
# so crun sees a v1 host. (Unmounting it instead would make crun create its
# directories, with a plain file cgroup.procs, in the host's /sys/fs/cgroup
# tmpfs under the cgroup2 mount, where they would stay, hidden.) The tmpfs
# lives and dies with that namespace; the host's mounts are untouched.
crun_ns=()
if [[ $cgroup_mode == hybrid* ]]; then
    crun_ns=(unshare --mount --propagation private -- sh -c
        'mount -t tmpfs -o size=64k,mode=755 kubik-bench /sys/fs/cgroup/unified && exec "$@"' sh)
fi

# --- scratch space and cleanup ---------------------------------------------------------
# crun and runc get their own state directories below; their default ones are
# removed at the end if this bench was what created them.
default_rundirs=()
for d in /run/crun /run/runc; do [[ -e $d ]] || default_rundirs+=("$d"); done
tmp=$(mktemp -d /tmp/kubik-bench.XXXXXX)
root=$tmp/root         # kubik's state root
crun_state=$tmp/crun-state
runc_state=$tmp/runc-state
docker_image=""        # set if docker/podman get an imported image

cleanup() {
    local rc=$? ids m pids r
    trap - EXIT INT TERM
    set +e
    if [[ -n $child ]]; then # interrupted while measuring
        kill "$child" 2>/dev/null
        wait "$child" 2>/dev/null
        sleep 1 # the run in flight, now an orphan, finishes and cleans up after itself
    fi
    for r in "$root" "$tmp/tmpfs-root"; do
        [[ -d $r/containers ]] || continue
        ids=$("$kubik" --root "$r" ps -aq 2>/dev/null)
        # shellcheck disable=SC2086 # one id a word
        [[ -n $ids ]] && "$kubik" --root "$r" rm -f $ids >/dev/null 2>&1
    done
    if [[ -d $runc_state ]]; then
        for id in $("$runc_bin" --root "$runc_state" list -q 2>/dev/null); do
            "$runc_bin" --root "$runc_state" delete -f "$id" >/dev/null 2>&1
        done
    fi
    if [[ -d $crun_state ]]; then
        for id in $("${crun_ns[@]}" "$crun_bin" --root "$crun_state" list -q 2>/dev/null); do
            "${crun_ns[@]}" "$crun_bin" --root "$crun_state" delete -f "$id" >/dev/null 2>&1
        done
    fi
    if [[ -n $docker_image ]]; then
        for engine in docker podman; do
            command -v $engine >/dev/null && $engine rmi -f "$docker_image" >/dev/null 2>&1
        done
    fi
    # The kubik-bench cgroup (and anything left below it) in every hierarchy.
    # Whatever still runs in it is a container of this bench: kill it first.
    while read -r _ m type _; do
        [[ ($type == cgroup || $type == cgroup2) && -d $m/$parent ]] || continue
        pids=$(find "$m/$parent" -name cgroup.procs -exec cat {} + 2>/dev/null)
        # shellcheck disable=SC2086 # one pid a word
        [[ -n $pids ]] && kill -9 $pids 2>/dev/null && sleep 0.2
        find "$m/$parent" -depth -type d -exec rmdir {} + 2>/dev/null
        [[ -d $m/$parent ]] && echo "start-time.sh: warning: could not remove $m/$parent" >&2
    done </proc/mounts
    # Nothing may stay mounted under the scratch directory before it goes.
    awk -v t="$tmp/" 'index($2, t) == 1 {print $2}' /proc/mounts | sort -r |
        while read -r m; do umount -l "$m"; done
    rm -rf "$tmp"
    for d in "${default_rundirs[@]}"; do [[ -d $d ]] && rmdir "$d" 2>/dev/null; done
    exit "$rc"
}
trap cleanup EXIT
# The long runs go in the background so that a signal ends them at once (bash
# runs a trap only after a foreground command returns; hyperfine ignores SIGINT).
child=""
in_background() {
    "$@" &
    child=$!
    local rc=0
    wait "$child" || rc=$?
    child=""
    return "$rc"
}
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the same busybox files for everyone ------------------------------------------------
"$kubik" --root "$root" image busybox >/dev/null
# The image's only layer directory (ROOT/store/layers/HEX/diff).
rootfs=$("$kubik" --root "$root" image inspect busybox | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["GraphDriver"]["Data"]["UpperDir"])')

# An OCI bundle per runtime: a copy of kubik's busybox rootfs and the runtime's
# own default config (`crun spec` / `runc spec`), changed only where the bench
# needs it: run /bin/true without a terminal, a writable root, kubik's
# namespaces (pid, ipc, uts, mount, network; no cgroup or user namespace) and
# a cgroup under kubik-bench, as `kubik run --cgroup-parent kubik-bench` makes.
make_bundle() { # runtime
    local dir=$tmp/$1-bundle
    mkdir -p "$dir"
    cp -a "$rootfs" "$dir/rootfs"
    (cd "$dir" && "$1" spec)
    python3 - "$dir/config.json" "/$parent/$1" <<'PY'
import json, sys
path, cgroup = sys.argv[1], sys.argv[2]
spec = json.load(open(path))
spec["process"]["args"] = ["/bin/true"]
spec["process"]["terminal"] = False
spec["root"]["readonly"] = False
spec["linux"]["namespaces"] = [{"type": t} for t in ("pid", "ipc", "uts", "mount", "network")]
spec["linux"]["cgroupsPath"] = cgroup
json.dump(spec, open(path, "w"), indent=2)
PY
}
make_bundle crun
make_bundle runc
mkdir -p "$crun_state" "$runc_state"

# hyperfine has no per-run counter; the runtimes want a fresh container id each
# run. A tiny static wrapper hands one out, then execs the runtime.
wrap=$tmp/with-unique-id
cc -O2 -static -o "$wrap" bench/with-unique-id.c 2>/dev/null || cc -O2 -o "$wrap" bench/with-unique-id.c
true_bin=$(command -v true)
[[ $true_bin == /* ]] || true_bin=/bin/true

cmd_kubik="$kubik --root $root run --rm --cgroup-parent $parent busybox true"
# The same with kubik's state root on a tmpfs: not a configuration to compare
# with the others, but it shows how much of kubik's time is its state
# directory on the disk (on a file system mounted with `discard`, every
# freed block waits for a discard request to the device).
tmpfs_root=$tmp/tmpfs-root
mkdir -p "$tmpfs_root"
mount -t tmpfs -o size=64m,mode=700 kubik-bench "$tmpfs_root"
cp -a "$root/images" "$tmpfs_root/"
cmd_kubik_tmpfs="$kubik --root $tmpfs_root run --rm --cgroup-parent $parent busybox true"
cmd_runc="$wrap $tmp/runc-counter bench-runc- $runc_bin --root $runc_state run --bundle $tmp/runc-bundle {id}"
cmd_crun="$wrap $tmp/crun-counter bench-crun- $crun_bin --root $crun_state run --bundle $tmp/crun-bundle {id}"
cmd_floor="unshare --fork --pid --mount --uts --ipc --net true"
cmd_wrap="$wrap $tmp/true-counter x- $true_bin {id}"
cmd_true="$true_bin"

# One run of each first: a clear error here beats a failed benchmark later.
# The commands are strings for hyperfine -N, which splits them at spaces.
check() { # name command-string [prefix...]
    local name=$1 cmd out
    read -ra cmd <<<"$2"
    shift 2
    out=$("$@" "${cmd[@]}" 2>&1) || die "$name failed: $* ${cmd[*]} -> $out"
}
check kubik "$cmd_kubik"
check kubik-tmpfs "$cmd_kubik_tmpfs"
check runc "$cmd_runc"
check crun "$cmd_crun" "${crun_ns[@]}"
check unshare "$cmd_floor"

# Optional: docker and podman, only if already installed and working; they get
# the same files as an imported image (no registry, no network for it).
extra=()
for engine in docker podman; do
    if ! command -v $engine >/dev/null || ! $engine info >/dev/null 2>&1; then continue; fi
    docker_image="kubik-bench-busybox:latest"
    tar -C "$rootfs" -c . | $engine import - "$docker_image" >/dev/null || continue
    extra+=(-n "$engine" "$(command -v $engine) run --rm --network none $docker_image /bin/true")
done

# --- measure --------------------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
hf=(hyperfine -N --style basic --warmup "$warmup" --runs "$runs")
echo "measuring: $runs runs each after $warmup warmup runs (load average $load_before)" >&2
in_background "${hf[@]}" --export-json "$tmp/host.json" \
    -n kubik "$cmd_kubik" \
    -n kubik-tmpfs-root "$cmd_kubik_tmpfs" \
    -n runc "$cmd_runc" \
    -n unshare-floor "$cmd_floor" \
    -n with-unique-id "$cmd_wrap" \
    -n true "$cmd_true" \
    "${extra[@]}" >&2
# crun in its own hyperfine run, inside the namespace described above.
in_background "${crun_ns[@]}" "${hf[@]}" --export-json "$tmp/crun.json" -n crun "$cmd_crun" >&2
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the monitor of a detached container -------------------------------------------------
id=$("$kubik" --root "$root" run -d --cgroup-parent "$parent" busybox sleep 30)
monitor_pid=$("$kubik" --root "$root" inspect "$id" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["State"]["MonitorPid"])')
sleep 0.2 # let it settle into its wait loop
monitor_status=$(cat "/proc/$monitor_pid/status")
monitor_pss=$(awk '/^Pss:/ {print $2}' "/proc/$monitor_pid/smaps_rollup" 2>/dev/null || echo "")
"$kubik" --root "$root" rm -f "$id" >/dev/null

# --- report ---------------------------------------------------------------------------
echo
echo "machine: $(nproc) CPUs, kernel $(uname -r), cgroup $cgroup_mode"
echo "state root and bundles on: $(findmnt -n -o SOURCE,FSTYPE,OPTIONS -T "$tmp" 2>/dev/null || echo '?')"
echo "load average (1/5/15 min): before $load_before, after $load_after"
echo "versions: kubik $("$kubik" --version 2>/dev/null | head -1), $("$crun_bin" --root "$crun_state" --version | head -1)," \
    "$("$runc_bin" --version | head -1), $(hyperfine --version)"
echo
python3 - "$tmp/host.json" "$tmp/crun.json" "$runs" <<'PY'
import json, sys
results = {}
for path in sys.argv[1:3]:
    for r in json.load(open(path))["results"]:
        results[r["command"]] = r
runs = sys.argv[3]
ms = lambda name: results[name]["median"] * 1000
order = ["kubik", "kubik-tmpfs-root", "crun", "runc", "docker", "podman", "unshare-floor", "with-unique-id", "true"]
what = {
    "kubik": "kubik run --rm --cgroup-parent kubik-bench busybox true",
    "kubik-tmpfs-root": "the same, kubik's --root on a tmpfs (where kubik's time goes)",
    "crun": "crun run (OCI bundle, same files; via with-unique-id)",
    "runc": "runc run (OCI bundle, same files; via with-unique-id)",
    "docker": "docker run --rm --network none (imported image)",
    "podman": "podman run --rm --network none (imported image)",
    "unshare-floor": "unshare --fork --pid --mount --uts --ipc --net true",
    "with-unique-id": "the id wrapper alone, exec'ing /bin/true",
    "true": "/bin/true alone",
}
print(f"start-to-exit of /bin/true, {runs} runs each (ms)")
print(f"{'':16}{'median':>8}{'mean':>8}{'σ':>7}{'min':>8}   command")
for name in order:
    if name not in results:
        continue
    r = results[name]
    print(f"{name:16}{r['median']*1000:8.2f}{r['mean']*1000:8.2f}{r['stddev']*1000:7.2f}"
          f"{r['min']*1000:8.2f}   {what[name]}")
wrapper = ms("with-unique-id") - ms("true")
print()
print(f"with-unique-id overhead (median, minus /bin/true): {wrapper:.2f} ms; it is included in crun and runc above")
print(f"kubik / crun   = {ms('kubik') / ms('crun'):.2f}   "
      f"(crun without the wrapper: {ms('kubik') / (ms('crun') - wrapper):.2f})")
print(f"kubik / runc   = {ms('kubik') / ms('runc'):.2f}   "
      f"(runc without the wrapper: {ms('kubik') / (ms('runc') - wrapper):.2f})")
print(f"kubik-tmpfs-root / crun = {ms('kubik-tmpfs-root') / ms('crun'):.2f}   (state root on a tmpfs)")
print(f"kubik / floor  = {ms('kubik') / ms('unshare-floor'):.2f}   (kubik - floor = {ms('kubik') - ms('unshare-floor'):.2f} ms)")
for engine in ("docker", "podman"):
    if engine in results:
        print(f"{engine} / kubik = {ms(engine) / ms('kubik'):.1f}")
PY
echo
field() { awk -v k="$1:" '$1 == k {print $2}' <<<"$monitor_status"; }
rss=$(field VmRSS)
printf 'monitor of a detached "sleep 30" (kubik-monitor, pid %s): VmRSS %s KiB = %.2f MiB' \
    "$monitor_pid" "$rss" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')"
printf ' (RssAnon %s KiB, RssFile %s KiB%s)\n' "$(field RssAnon)" "$(field RssFile)" \
    "${monitor_pss:+, Pss $monitor_pss KiB}"
echo "  for comparison, from the project brief (not measured here): conmon ≈ 0.3 MiB charged," \
    "containerd-shim ≈ 5-10 MiB RSS; kubik's target ≤ 1 MiB RSS"
