# Shared by every bench that runs a container on the default network
# (sourced after bench/lib.sh, with $kubik and $root set): the state root's default network,
# which kubik keeps when its last container goes (docker keeps docker0), so
# the bench removes it by hand at the end: its bridge kb-XXXXXXXX and its
# nftables table kubik-XXXXXXXX. Only those two names, read from the root.
# shellcheck shell=bash

# default_bridge: the interface of the root's "bridge" network, "" if none yet.
default_bridge() {
    local file=$root/networks/bridge/network.json
    [[ -f $file ]] || return 0
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("Bridge", ""))' "$file"
}

# network_leftovers (a cleanup hook): deletes the root's default bridge and
# its table (same hash: kb-XXXXXXXX, kubik-XXXXXXXX), never anything else.
network_leftovers() {
    local bridge table
    bridge=$(default_bridge 2>/dev/null) || bridge=""
    [[ $bridge == kb-* ]] || return 0
    table=kubik-${bridge#kb-}
    ip link del "$bridge" 2>/dev/null
    if command -v nft >/dev/null && nft list table ip "$table" >/dev/null 2>&1; then
        nft delete table ip "$table"
    fi
    return 0
}
