#!/usr/bin/env bash
# Installs the Debian 12 tools that only the tests and benchmarks use as
# partners and peers: kubik itself never depends on them. Idempotent like
# install-deps.sh: installs only what is missing, so a second run is quick and
# works offline.
#
#     scripts/install-test-deps.sh            # what the tests need
#     scripts/install-test-deps.sh --bench    # and the benchmarks' peers
#
# The --bench list (podman and buildah and what they pull in: conmon,
# netavark, slirp, …) is heavy and only the benchmarks compare against it, so
# the tests never install it. (docker.io is installed by bench/build-cache.sh
# itself, and only with DOCKER=1: its daemon changes the host's firewall.)
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
    echo "install-test-deps.sh: run as root" >&2
    exit 1
fi

packages=(
    skopeo      # reads and writes docker-archive, oci-archive and OCI layouts (interop tests)
    umoci       # unpacks and repacks OCI layouts (interop tests)
    mmdebstrap  # a real Debian root filesystem (scripts/make-debian-image.sh)
    crun        # the runtime peer in bench/layers-start.sh and bench/start-time.sh
    hyperfine   # the benchmarks' timer
    zstd gzip   # layer tests: compressed streams made by the real tools
    python3     # layer tests: hostile tars made with Python's tarfile
    coreutils   # sha256sum: digests checked against an independent tool
    nftables    # nft: network tests read kubik's table as the kernel has it
    ccache      # test-all.sh: the grader's suites build the same student tree twice
)
bench_packages=(
    podman      # bench/load.sh's `podman load`
    runc        # bench/start-time.sh
    iperf3      # bench/network-ports.sh: throughput through a published port
    buildah     # bench/build-cache.sh: the build peer (`buildah bud`)
)

case ${1:-} in
    "") ;;
    --bench) packages+=("${bench_packages[@]}") ;;
    *) echo "install-test-deps.sh: unknown option '$1' (only --bench)" >&2; exit 2 ;;
esac

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]})); then
    echo "install-test-deps.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "install-test-deps.sh: all packages present"
fi
