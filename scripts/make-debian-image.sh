#!/usr/bin/env bash
# Makes a real Debian 12 image, debian:bookworm: a minbase root filesystem built
# by mmdebstrap from Debian's own packages (dynamically linked bash, apt, glibc,
# the passwd database), imported into kubik as a one-layer image. With
# --python it also holds python3 and Flask, from Debian's own packages
# (python3, python3-flask): the base of examples/my-python-app, since no
# Python package index is reachable from a build.
#
#     scripts/make-debian-image.sh [--build DIR] [--root ROOT] [--name NAME:TAG] [--python] [--tarball-only]
#
#   --build DIR     the build tree: kubik is DIR/kubik, the tarball is cached as
#                   DIR/images/debian-bookworm.tar (default: build)
#   --root ROOT     kubik's state root to import into (default: kubik's own)
#   --name REF      the image's name (default: debian:bookworm, with --python
#                   debian:bookworm-python)
#   --python        include python3 and python3-flask; the tarball is then
#                   DIR/images/debian-bookworm-python.tar
#   --tarball-only  make (or find) the tarball and print its path; no import
#
# The tarball is made once and reused: mmdebstrap takes minutes and needs the
# package mirror, so it is optional for the quick start. The mirror is the
# host's own (the first bookworm source in /etc/apt/sources.list and
# sources.list.d/) or else http://deb.debian.org/debian. Concurrent runs are
# serialised by a lock beside the tarball; the tarball appears under its name
# only when complete (written under a temp name and renamed).
#
# Exit codes: 0 done; 3 the tarball can't be made here (mmdebstrap is missing
# or the mirror can't be reached; the message says which), which the tests
# report as a skip; 1 anything else (a failed import, a failed mmdebstrap).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
root=""
name=""
python=0
tarball_only=0
while (($#)); do
    case $1 in
        --build) build=${2:?--build needs a directory}; shift 2 ;;
        --root) root=${2:?--root needs a directory}; shift 2 ;;
        --name) name=${2:?--name needs NAME:TAG}; shift 2 ;;
        --python) python=1; shift ;;
        --tarball-only) tarball_only=1; shift ;;
        -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "make-debian-image.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
    esac
done

die() { echo "make-debian-image.sh: $*" >&2; exit 1; }
unavailable() { echo "make-debian-image.sh: can't make the Debian rootfs here: $*" >&2; exit 3; }

images=$build/images
flavour=debian-bookworm
include=()
if ((python)); then
    flavour=debian-bookworm-python
    include=(--include=python3,python3-flask)
fi
tarball=$images/$flavour.tar
[[ -n $name ]] || name=$( ((python)) && echo debian:bookworm-python || echo debian:bookworm)

# The first "bookworm" source of the host's apt configuration (one-line .list
# files and deb822 .sources files), so a host behind its own mirror or proxy
# uses it; deb.debian.org otherwise.
host_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++;
                           if ($(i + 1) == "bookworm") { print $i; exit } }' "$f"
    done | head -n 1
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        # Paragraphs separated by blank lines; the one whose Suites has bookworm.
        awk 'BEGIN { RS = ""; FS = "\n" }
             { uri = ""; suite = 0
               for (i = 1; i <= NF; i++) {
                 if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); uri = u[2] }
                 if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) suite = 1
               }
               if (uri != "" && suite) { print uri; exit } }' "$f"
    done | head -n 1
}

make_tarball() {
    command -v mmdebstrap >/dev/null ||
        unavailable "mmdebstrap is not installed (scripts/install-test-deps.sh installs it)"
    local mirror host port
    mirror=$(host_mirror | head -n 1)
    mirror=${mirror:-http://deb.debian.org/debian}
    # Can the mirror be reached at all? (bash's /dev/tcp: no curl needed.)
    if [[ $mirror =~ ^(https?)://([^/:]+)(:([0-9]+))? ]]; then
        host=${BASH_REMATCH[2]}
        port=${BASH_REMATCH[4]:-$([[ ${BASH_REMATCH[1]} == https ]] && echo 443 || echo 80)}
        timeout 15 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null ||
            unavailable "the package mirror $mirror can't be reached ($host:$port)"
    fi
    mkdir -p "$images"
    local tmp=$tarball.tmp.$$ log=$tarball.log start=$SECONDS
    echo "make-debian-image.sh: mmdebstrap --variant=minbase ${include[*]} bookworm from $mirror (takes minutes; log in $log)" >&2
    trap 'rm -f "$tmp"' EXIT
    if ! mmdebstrap --variant=minbase "${include[@]}" --format=tar bookworm "$tmp" "deb $mirror bookworm main" >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        if grep -qE 'Temporary failure resolving|Could not resolve|Failed to fetch|Unable to connect|Connection timed out' "$log"; then
            unavailable "mmdebstrap could not download from $mirror (see $log)"
        fi
        die "mmdebstrap failed (see $log)"
    fi
    mv "$tmp" "$tarball"
    trap - EXIT
    echo "make-debian-image.sh: $tarball made in $((SECONDS - start)) s ($(du -h "$tarball" | cut -f1))" >&2
}

mkdir -p "$images"
exec 9>"$images/.$flavour.lock"
flock 9  # another run may be making it right now: wait for it, then reuse
[[ -s $tarball ]] || make_tarball
flock -u 9

if ((tarball_only)); then
    realpath "$tarball"
    exit 0
fi

kubik=${KUBIK:-$build/kubik}
[[ -x $kubik ]] || die "no kubik at $kubik (build it: cmake --build $build --target kubik)"
args=()
[[ -n $root ]] && args=(--root "$root")
"$kubik" "${args[@]}" import "$tarball" "$name"
