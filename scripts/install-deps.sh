#!/usr/bin/env bash
# Installs every Debian 12 package kubik needs to build, test and run.
# Idempotent: installs only what is missing, so a second run is quick and
# works offline. Used by the README's quick start, CI and the Vagrant VM.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps.sh: run as root (kubik creates namespaces and mounts)" >&2
    exit 1
fi

packages=(
    build-essential    # g++ 12, make, libc6-dev (static libc for the demo programs)
    cmake ninja-build pkg-config
    libcli11-dev       # command line parsing
    nlohmann-json3-dev # state and image config files
    libgtest-dev       # the lesson tests
    # Layers: libarchive reads and writes tar (gzip, zstd…), nettle hashes.
    # kubik is linked -static, so libarchive's own compression and ACL
    # libraries are needed as static archives too (their -dev packages).
    libarchive-dev nettle-dev libacl1-dev liblzma-dev libzstd-dev liblz4-dev
    libbz2-dev zlib1g-dev libxml2-dev
    # Network (lesson 6): links, addresses and routes through netlink with
    # libnl-route-3 (static archives: kubik is -static); port rules through
    # libnftables, which Debian ships shared only, so it is linked into the
    # small kubik-nft helper instead of kubik.
    libnl-3-dev libnl-route-3-dev libnftables-dev
    # Security (lesson 8): capabilities through libcap, system call filters
    # through libseccomp (static archives, for the -static kubik).
    libcap-dev libseccomp-dev
    # Rootless kubik (lesson 8): newuidmap/newgidmap write an ordinary user's
    # /etc/subuid range into its user namespace; slirp4netns gives that
    # namespace a way out to the network.
    uidmap slirp4netns
    busybox-static     # the files of the bundled busybox image
    python3            # scripts/check-tracks.sh
    iproute2 util-linux procps  # ip, unshare, ps: used by tests to look at kernel state
    attr               # getfattr, setfattr: lesson 4 looks at overlayfs's trusted.overlay.* xattrs
    doxygen python3-sphinx python3-breathe python3-myst-parser furo graphviz  # the docs site
    ruby               # checks that the Vagrantfile parses
    git                # kubik-course grade reads submissions from git repositories
    gettext            # msgfmt: kubik-course's Russian messages (xgettext, msgcmp: their check)
)

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]})); then
    echo "install-deps.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "install-deps.sh: all packages present"
fi
