#!/usr/bin/env bash
# What a build costs, and what the layer cache saves: the same 7-step
# Dockerfile (FROM busybox, ENV, WORKDIR, COPY of a few files, RUN, EXPOSE,
# CMD) built by `kubik build`, by buildah (`buildah bud --layers`) and, with
# DOCKER=1, by docker's legacy builder, three ways each:
#
#   cached     a rebuild with nothing changed: every step from the cache, no RUN
#   changed    a rebuild after one copied file changed (a new content before
#              each run, untimed): the COPY and every step after it run again
#   uncached   --no-cache: every step runs, the one RUN in a container
#
#     bench/build-cache.sh                 # RUNS=20 runs of each (after WARMUP=2)
#     RUNS=50 bench/build-cache.sh
#     DOCKER=1 bench/build-cache.sh        # and docker (installs docker.io if missing)
#
# The report gives the medians and each of kubik's as a ratio against
# buildah's (and docker's). All three build from the same files: kubik's own
# busybox image (`kubik image busybox`), committed into buildah's store with
# `buildah from scratch` + `copy` + `commit`, and imported into docker's with
# `docker import`. RUN steps get no network in all three (--network none) and
# their cgroups go under kubik-bench-build in every hierarchy.
#
# buildah runs with its own --root and --runroot in the scratch directory,
# the overlay storage driver (BUILDAH_DRIVER=vfs for the one that works on
# any scratch filesystem, much slower: it copies every layer) and
# BUILDAH_ISOLATION: default oci, each RUN in a container of crun or runc
# with --network none, as kubik's and docker's RUN steps are (on a hybrid
# cgroup host inside a mount namespace where the host looks like plain v1,
# as bench/lib.sh does for crun); `chroot` is buildah's lighter mode without
# an OCI runtime, which can't have a network namespace (--network host).
#
# docker (DOCKER=1 only): if no dockerd runs, the bench installs docker.io
# when missing (with a policy-rc.d that keeps the package from starting its
# service) and starts a dockerd of its own — its data root, exec root,
# pid file and socket in the scratch directory, --iptables=false
# --ip6tables=false --bridge=none (so it changes no firewall rule and makes
# no docker0), its cgroups under kubik-bench-build/docker — and stops it by
# pid at the end, also on failure (then its containerd, by pid, if it is
# still there). A dockerd that already runs is not ours: then docker is
# skipped. DOCKER_BUILDKIT=0 selects the legacy builder, the one the project
# brief's ≈ 50 ms cached rebuild was measured with.
#
# KUBIK_BUILD=dir uses that build as it is (it must have lesson 7 solved);
# BENCH_DIR=dir puts the scratch directory there (default /var/tmp). Needs
# root. Everything it makes is in the scratch directory and the cgroup
# kubik-bench-build of every hierarchy, both removed at the end. See
# bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="build-cache"
default_runs=20
default_warmup=2
# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=bench/network-lib.sh
. bench/network-lib.sh

parent="kubik-bench-build"
bench_setup
command -v python3 >/dev/null || die "python3 is missing"
bench_build kubik kubik-monitor
bench_parent=$parent # bench/lib.sh's remove_bench_cgroups removes it in every hierarchy
cleanup_hooks+=(remove_bench_cgroups)

root=$tmp/root
# The containers first, then the root's default network (the run of the
# built image makes it, and kubik keeps it).
cleanup_hooks+=(network_leftovers kubik_leftovers) # bench/network-lib.sh, bench/lib.sh

"$kubik" --root "$root" image busybox >/dev/null
rootfs=$("$kubik" --root "$root" image inspect busybox |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["GraphDriver"]["Data"]["UpperDir"])')
[[ -x $rootfs/bin/busybox ]] || die "no busybox in the image's layer $rootfs"

# --- the build context: 7 steps, a few files -----------------------------------------
ctx=$tmp/context
mkdir -p "$ctx/app/static"
cat >"$ctx/Dockerfile" <<'EOF'
FROM busybox
ENV APP_HOME=/app MODE=bench
WORKDIR /app
COPY app/ ./
RUN cat *.txt static/* | wc -c > /app/size && chmod 0755 /app/run.sh
EXPOSE 8080
CMD ["/app/run.sh"]
EOF
cat >"$ctx/app/run.sh" <<'EOF'
#!/bin/sh
echo "$MODE $(cat /app/size)"
EOF
for n in 1 2 3; do head -c 4096 /dev/urandom | base64 >"$ctx/app/part$n.txt"; done
echo "<h1>bench</h1>" >"$ctx/app/static/index.html"
echo 0 >"$ctx/app/changing.txt"
printf '%s\n' '*.swp' '.git' >"$ctx/.dockerignore"
change_file="date +%s%N > $ctx/app/changing.txt"

# --- kubik --------------------------------------------------------------------------
kubik_build="$kubik --root $root build --cgroup-parent $parent/kubik -q -t bench-app $ctx"
first=$($kubik_build 2>&1) || die "kubik build failed (is lesson 7 solved in $build?): $first"
again=$($kubik_build 2>&1) || die "the cached kubik rebuild failed: $again"
[[ $first == "$again" ]] || die "a rebuild with nothing changed gave another image ($first, then $again)"
out=$("$kubik" --root "$root" run --rm --cgroup-parent "$parent" bench-app 2>&1) || die "kubik run of the built image failed: $out"
[[ $out == bench\ * ]] || die "the built image printed '$out', not 'bench SIZE'"

export FAST=1
measure kubik-cached "" "$kubik_build"
measure kubik-changed "$change_file" "$kubik_build"
measure kubik-uncached "" "$kubik --root $root build --no-cache --cgroup-parent $parent/kubik -q -t bench-app $ctx"

# --- buildah ---------------------------------------------------------------------------
peers=()
if command -v buildah >/dev/null; then
    isolation=${BUILDAH_ISOLATION:-oci}
    driver=${BUILDAH_DRIVER:-overlay}
    buildah=(env TMPDIR="$tmp" buildah --root "$tmp/buildah/root" --runroot "$tmp/buildah/run" --storage-driver "$driver")
    network=none
    [[ $isolation == chroot ]] && network=host
    # crun refuses a hybrid host; in its own mount namespace with an empty
    # tmpfs over the v2 mount it sees plain v1.
    if [[ $isolation == oci && $(fs_type /sys/fs/cgroup) != cgroup2fs && $(fs_type /sys/fs/cgroup/unified) == cgroup2fs ]]; then
        printf '%s\n' '#!/bin/sh' \
            'mount -t tmpfs -o size=64k,mode=755 kubik-bench /sys/fs/cgroup/unified && exec "$@"' >"$tmp/v1-view"
        chmod 0755 "$tmp/v1-view"
        buildah=(unshare --mount --propagation private -- "$tmp/v1-view" "${buildah[@]}")
    fi
    ctr=$("${buildah[@]}" from scratch)
    "${buildah[@]}" copy "$ctr" "$rootfs/" / >/dev/null
    "${buildah[@]}" commit -q "$ctr" busybox >/dev/null
    "${buildah[@]}" rm "$ctr" >/dev/null
    bud="${buildah[*]} bud --layers --pull=never --network $network --isolation $isolation --cgroup-parent /$parent/buildah -q -t bench-app"
    out=$($bud "$ctx" 2>&1) || die "buildah bud failed: $out"
    measure buildah-cached "" "$bud $ctx"
    measure buildah-changed "$change_file" "$bud $ctx"
    measure buildah-uncached "" "$bud --no-cache $ctx"
    export FAST=1
    peers+=(buildah)
    buildah_version=$(buildah --version)
else
    note "buildah is not installed (scripts/install-test-deps.sh --bench installs it): no buildah rows"
fi

# --- docker (DOCKER=1) -------------------------------------------------------------------
dockerd_pid="" containerd_pid=""
stop_dockerd() {
    [[ -n $dockerd_pid ]] || return 0
    kill -TERM "$dockerd_pid" 2>/dev/null
    local i
    for ((i = 0; i < 100; i++)); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$dockerd_pid" 2>/dev/null && kill -KILL "$dockerd_pid" 2>/dev/null
    [[ -n $containerd_pid ]] && kill -0 "$containerd_pid" 2>/dev/null && kill -KILL "$containerd_pid" 2>/dev/null
    dockerd_pid=""
    return 0
}
if [[ ${DOCKER:-0} == 1 ]]; then
    if pgrep -x dockerd >/dev/null; then
        note "a dockerd is already running and is not this bench's: no docker rows"
    else
        if ! command -v dockerd >/dev/null; then
            # The package's scripts would start docker.service, a dockerd
            # with its firewall rules and docker0; Debian's policy-rc.d
            # (exit 101: "action forbidden") stops that for the install, as
            # in a chroot. Made only when there is none, removed right after.
            note "installing docker.io (DOCKER=1), its service kept from starting"
            policy=/usr/sbin/policy-rc.d ours=0 rc=0
            if [[ -e $policy ]]; then
                "$policy" docker start >/dev/null 2>&1 || rc=$?
                ((rc == 101)) || die "$policy allows services to start: install docker.io yourself, with its service stopped"
            else
                printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy" && ours=1
                cleanup_hooks+=("rm -f $policy")
            fi
            rc=0
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >&2 || rc=$?
            ((ours)) && rm -f "$policy"
            ((rc == 0)) || die "could not install docker.io"
            pgrep -x dockerd >/dev/null && die "installing docker.io started a dockerd; stop it (systemctl disable --now docker.service docker.socket) and undo its firewall changes"
        fi
        # docker.io's own client, when another one comes first in PATH.
        docker=$(command -v /usr/bin/docker || command -v docker) || die "no docker client"
        d=$tmp/docker
        mkdir -p "$d/data" "$d/exec"
        sock=unix://$d/docker.sock
        cleanup_hooks+=(stop_dockerd) # runs before remove_bench_cgroups (last added first)
        dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" -H "$sock" \
            --iptables=false --ip6tables=false --bridge=none --ip-forward=false --ip-masq=false \
            --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$parent/docker" \
            >"$d/dockerd.log" 2>&1 &
        dockerd_pid=$!
        for ((i = 0; i < 150; i++)); do
            "$docker" -H "$sock" version >/dev/null 2>&1 && break
            kill -0 "$dockerd_pid" 2>/dev/null || { tail -n 20 "$d/dockerd.log" >&2; die "dockerd exited"; }
            sleep 0.2
        done
        "$docker" -H "$sock" version >/dev/null 2>&1 || { tail -n 20 "$d/dockerd.log" >&2; die "dockerd did not answer"; }
        containerd_pid=$(pgrep -P "$dockerd_pid" -x containerd || true)
        tar -C "$rootfs" -c . | "$docker" -H "$sock" import - busybox:latest >/dev/null
        dbuild="env DOCKER_BUILDKIT=0 $docker -H $sock build --network none -q -t bench-app $ctx"
        out=$($dbuild 2>&1) || die "docker build failed: $out"
        measure docker-cached "" "$dbuild"
        measure docker-changed "$change_file" "$dbuild"
        measure docker-uncached "" "env DOCKER_BUILDKIT=0 $docker -H $sock build --no-cache --network none -q -t bench-app $ctx"
        peers+=(docker)
        docker_version=$("$docker" -H "$sock" version --format '{{.Server.Version}}' 2>/dev/null || echo '?')
        stop_dockerd
    fi
fi

report ms "kubik build, buildah bud and docker build of one 7-step Dockerfile: cached, one file changed, uncached"
echo "versions: kubik $("$kubik" --version 2>/dev/null | head -1)${buildah_version:+; $buildah_version}${docker_version:+; docker $docker_version (legacy builder)}"
[[ -z ${isolation:-} ]] || echo "buildah: --isolation $isolation, --storage-driver $driver"
echo
# kubik's median over the peer's, and how many times as long the peer takes.
for peer in "${peers[@]}"; do
    for kind in cached changed uncached; do
        a=$(median "kubik-$kind") b=$(median "$peer-$kind")
        [[ -n $a && -n $b ]] && awk -v a="$a" -v b="$b" -v k="$kind" -v p="$peer" \
            'BEGIN { printf "kubik-%s / %s-%s = %.3f (%s takes %.1fx as long)\n", k, p, k, a / b, p, b / a }'
    done
done
echo
echo "targets (project brief): kubik-cached <= 10 ms and ahead of docker's legacy builder (~50 ms) and buildah; kubik-uncached <= 100 ms (docker ~660 ms)"
