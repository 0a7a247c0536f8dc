#!/usr/bin/env bash
# What running as an ordinary user costs a container's start: start-to-exit
# of /bin/true by root's kubik, by a rootless kubik (an ordinary user with a
# /etc/subuid range: the start joins the user's namespaces with setns and
# runs the same pipeline inside, src/rootless/), and by runc rootless on the
# same files (`runc spec --rootless`, the peer that runs on a hybrid host
# too; crun refuses rootless there).
#
#     bench/rootless-start.sh           # RUNS=100 runs of each (after WARMUP=10)
#
# Rows (hyperfine -N; the rootless rows are timed by a hyperfine that runs
# as the user, so runuser is not in the time):
#   kubik-root           kubik --root R run --rm --cgroup-parent kubik-bench-rootless busybox true
#   kubik-rootless       kubik run --rm busybox true, as the user (its default network: a veth
#                        on a bridge in the user's network namespace)
#   kubik-rootless-none  the same with --network none
#   runc-rootless        runc run on a bundle of the image's files (runc spec --rootless, with
#                        /bin/true and a network namespace), as the user
#
# It makes a user kbbench-PID with the range 3000000000-3000065535 and
# removes it at the end, with every process of the user and of the range.
# KUBIK_BUILD=dir uses that build as it is; the build tree must be readable
# by other users (it is run by the user in place). Needs root, runc and
# newuidmap (scripts/install-test-deps.sh, scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bench="rootless-start"
default_runs=100
default_warmup=10
# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=bench/network-lib.sh
. bench/network-lib.sh

parent="kubik-bench-rootless"
bench_setup
for tool in runc cc python3 runuser newuidmap; do
    command -v $tool >/dev/null || die "$tool is missing (scripts/install-test-deps.sh, scripts/install-deps.sh)"
done
bench_build kubik kubik-monitor kubik-nft
bench_parent=$parent
root=$tmp/root
cleanup_hooks+=(remove_bench_cgroups network_leftovers kubik_leftovers)  # bench/lib.sh, bench/network-lib.sh

user=kbbench-$$
first=3000000000
user_leftovers() {
    local pid uid
    for pid in /proc/[0-9]*; do
        uid=$(stat -c %u "$pid" 2>/dev/null) || continue
        if [[ $uid == "$user_uid" ]] || ((uid >= first && uid < first + 65536)); then
            kill -9 "${pid#/proc/}" 2>/dev/null
        fi
    done
    sleep 0.2
    userdel "$user" 2>/dev/null
    return 0
}
grep -q "^[^:]*:$first:" /etc/subuid /etc/subgid 2>/dev/null && die "the range $first+ is someone's already"
useradd --no-create-home --user-group --shell /usr/sbin/nologin -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$user"
user_uid=$(id -u "$user")
cleanup_hooks+=(user_leftovers)
usermod --add-subuids "$first-$((first + 65535))" --add-subgids "$first-$((first + 65535))" "$user"
# hyperfine, as the user, writes its results into the scratch directory.
chmod 1777 "$tmp"
home=$tmp/home
mkdir -p "$home" "$tmp/run"
chown "$user:" "$home" "$tmp/run"
as_user=(runuser -u "$user" -- env -u KUBIK_ROOT -u XDG_DATA_HOME "HOME=$home" "XDG_RUNTIME_DIR=$tmp/run")
"${as_user[@]}" test -x "$kubik" || die "$kubik can't be run by other users: use a build tree they can read (KUBIK_BUILD=...)"

"$kubik" --root "$root" image busybox >/dev/null
"${as_user[@]}" "$kubik" image busybox >/dev/null
rootfs=$("$kubik" --root "$root" image inspect busybox |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["GraphDriver"]["Data"]["UpperDir"])')
[[ -x $rootfs/bin/busybox ]] || die "no busybox in the image's layer $rootfs"
map=$("${as_user[@]}" "$kubik" run --rm busybox cat /proc/self/uid_map) || die "a rootless run failed"
[[ $map == *"$first"* ]] || die "the rootless container's uid map has no range $first: $map"

# runc rootless, on a copy of the image's files that the user owns.
bundle=$tmp/runc-bundle
mkdir -p "$bundle" "$tmp/runc-state"
cp -a "$rootfs" "$bundle/rootfs"
chown -R "$user:" "$bundle" "$tmp/runc-state"
(cd "$bundle" && runuser -u "$user" -- runc spec --rootless)
python3 - "$bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
spec["process"]["args"] = ["/bin/true"]
spec["process"]["terminal"] = False
spec["root"]["readonly"] = False
names = [n["type"] for n in spec["linux"]["namespaces"]]
if "network" not in names:
    spec["linux"]["namespaces"].append({"type": "network"})
json.dump(spec, open(path, "w"), indent=2)
PY
wrap=$tmp/with-unique-id
cc -O2 -static -o "$wrap" bench/with-unique-id.c 2>/dev/null || cc -O2 -o "$wrap" bench/with-unique-id.c
touch "$tmp/runc-counter" && chown "$user:" "$tmp/runc-counter"
runc_cmd="$wrap $tmp/runc-counter bench-rootless- $(command -v runc) --root $tmp/runc-state run --bundle $bundle {id}"

# --- measure ---------------------------------------------------------------------------
export FAST=1
measure kubik-root "" "$kubik --root $root run --rm --cgroup-parent $parent busybox true"
measure_prefix=("${as_user[@]}")
measure kubik-rootless "" "$kubik run --rm busybox true"
measure kubik-rootless-none "" "$kubik run --rm --network none busybox true"
measure runc-rootless "" "$runc_cmd"
measure_prefix=()
# The user's containers and networks go with the user's processes.
"${as_user[@]}" "$kubik" ps -aq | xargs -r "${as_user[@]}" "$kubik" rm -f >/dev/null

report ms "start-to-exit of /bin/true: root's kubik, a rootless kubik, runc rootless on the same files"
echo "versions: $(runc --version | head -1)"
echo
ratio kubik-rootless kubik-root
ratio kubik-rootless-none runc-rootless
