#!/usr/bin/env bash
# What lesson 8's walls cost a container's start: start-to-exit of /bin/true
# behind docker's walls (capabilities, the seccomp filter, masked and
# read-only /proc and /sys, the device cgroup), with the filter lifted, and
# with none of them (--privileged); against crun on the same files with its
# own default config (capabilities, masked paths, no filter) and with
# docker's 14 capabilities and docker's seccomp profile in config.json (the
# profile kubik compiles in, resolved for amd64 and those 14 the way kubik
# resolves it, in the OCI format).
#
#     bench/security-start.sh           # RUNS=100 runs of each (after WARMUP=10)
#     RUNS=300 bench/security-start.sh
#
# Rows (hyperfine -N, no shell; else the median of bash-timed runs):
#   kubik-walls        kubik --root R run --rm --cgroup-parent kubik-bench-security busybox true
#   kubik-unconfined   the same with --security-opt seccomp=unconfined
#   kubik-privileged   the same with --privileged (no wall at all)
#   crun-default       crun run on a bundle of the image's files (crun spec, changed as
#                      bench/lib.sh's crun_bundle says)
#   crun-docker        the same bundle with docker's capabilities and seccomp profile
#
# KUBIK_BUILD=dir uses that build as it is (it must have lesson 8 solved);
# BENCH_DIR=dir puts the scratch directory there (default /var/tmp). Needs
# root and crun (scripts/install-test-deps.sh installs it). Everything it
# makes is in the scratch directory and the cgroup kubik-bench-security of
# every hierarchy, both removed at the end, also on failure. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="security-start"
default_runs=100
default_warmup=10
# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=bench/network-lib.sh
. bench/network-lib.sh

parent="kubik-bench-security"
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

# The walls must be up, or the bench measures nothing.
seccomp=$("$kubik" --root "$root" run --rm --cgroup-parent "$parent" busybox grep Seccomp: /proc/self/status) ||
    die "a run failed (is lesson 8 solved in $build?)"
[[ $seccomp == *2 ]] || die "no seccomp filter in a default container ($seccomp): is lesson 8 solved in $build?"

crun_plain=$(crun_bundle "$tmp/crun-plain" "$rootfs")
crun_docker=$(crun_bundle "$tmp/crun-docker" "$rootfs")
python3 - "$tmp/crun-docker/config.json" src/security/default_seccomp.json <<'PY'
import json, sys
config_path, profile_path = sys.argv[1], sys.argv[2]
caps = ["CAP_" + c for c in ("CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP "
                              "SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE").split()]
profile = json.load(open(profile_path))
def holds(rule):
    inc, exc = rule.get("includes", {}), rule.get("excludes", {})
    if any(c not in caps for c in inc.get("caps", [])): return False
    if inc.get("arches") and "amd64" not in inc["arches"]: return False
    if any(c in caps for c in exc.get("caps", [])): return False
    if "amd64" in exc.get("arches", []): return False
    return True
syscalls = []
for rule in profile["syscalls"]:
    if not holds(rule): continue
    out = {"names": rule["names"], "action": rule["action"]}
    if "errnoRet" in rule: out["errnoRet"] = rule["errnoRet"]
    if rule.get("args"):
        out["args"] = [{k: a[k] for k in ("index", "value", "valueTwo", "op") if k in a} for a in rule["args"]]
    syscalls.append(out)
config = json.load(open(config_path))
config["process"]["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
config["linux"]["seccomp"] = {
    "defaultAction": profile["defaultAction"], "defaultErrnoRet": profile.get("defaultErrnoRet", 1),
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": syscalls}
json.dump(config, open(config_path, "w"), indent=2)
PY

# --- measure ---------------------------------------------------------------------------
export FAST=1
run_kubik="$kubik --root $root run --rm --cgroup-parent $parent"
measure kubik-walls "" "$run_kubik busybox true"
measure kubik-unconfined "" "$run_kubik --security-opt seccomp=unconfined busybox true"
measure kubik-privileged "" "$run_kubik --privileged busybox true"
measure_prefix=("${crun_ns[@]}")
measure crun-default "" "$crun_plain"
measure crun-docker "" "$crun_docker"
measure_prefix=()

report ms "start-to-exit of /bin/true behind docker's walls, without the filter, without any; crun on the same files"
echo "versions: $("$crun_bin" --root "$crun_state" --version | head -1)"
echo
awk -v a="$(median kubik-walls)" -v b="$(median kubik-privileged)" -v c="$(median kubik-unconfined)" \
    'BEGIN { printf "the walls cost kubik %.3f ms, of which the seccomp filter %.3f ms (medians)\n", (a - b) * 1000, (a - c) * 1000 }'
ratio kubik-walls crun-docker
ratio kubik-privileged crun-default
