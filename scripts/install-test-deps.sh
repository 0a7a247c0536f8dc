#!/usr/bin/env bash
# Installs the Debian 12 packages that only kubik's tests and benches use (the
# runtime never depends on them): independent tools to check kubik against.
# Idempotent like install-deps.sh.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
    echo "install-test-deps.sh: run as root" >&2
    exit 1
fi

packages=(
    zstd gzip          # layer tests: compressed streams made by the real tools
    python3            # layer tests: hostile tars made with Python's tarfile
    coreutils          # sha256sum: digests checked against an independent tool
)

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
