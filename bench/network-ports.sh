#!/usr/bin/env bash
# What a published port costs: traffic through `-p 127.0.0.1:P:PORT` (DNAT
# in the output hook, masquerade from 127.0.0.1, conntrack: no proxy
# process) against traffic straight to the container's address on the
# bridge. Two measures, each through the port and direct, in one run:
#
#   throughput  iperf3 -c ... -t SECONDS (default 5), the receiver's bits/s;
#               the server is the host's iperf3 run inside the container's
#               network namespace (nsenter -n -t PID iperf3 -s -1), since the
#               image is busybox. Target (the issue): port/direct >= 0.95;
#               docker-proxy reaches about 0.68 (the project brief's figure).
#   requests    many short connections: busybox httpd in a second container,
#               a Python client doing GET / on a new connection each time for
#               SECONDS, requests per second (one connection at a time).
#
# Each is measured ROUNDS times (default 3), port and direct alternating; the
# medians and their ratios are printed.
#
#     bench/network-ports.sh
#     SECONDS_EACH=10 ROUNDS=5 bench/network-ports.sh
#
# KUBIK_BUILD=dir uses that build as it is (lesson 6 solved); BENCH_DIR=dir
# puts the scratch directory there. Needs root, iperf3 and python3
# (scripts/install-test-deps.sh installs iperf3). Traffic goes only to
# 127.0.0.1 and to the bench's containers. Everything it makes is removed at
# the end, also on failure: the containers, the scratch directory, the state
# root's default bridge and nftables table. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="network-ports"
# shellcheck source=bench/lib.sh
. bench/lib.sh

seconds=${SECONDS_EACH:-5}
rounds=${ROUNDS:-3}
parent="kubik-bench-network"
bench_setup
for tool in iperf3 nsenter python3; do
    command -v $tool >/dev/null || die "$tool is missing (scripts/install-test-deps.sh installs iperf3)"
done
bench_build kubik kubik-monitor kubik-nft
root=$tmp/root
cleanup_hooks+=(network_leftovers kubik_leftovers remove_bench_cgroups_once)
# shellcheck source=bench/network-lib.sh
. bench/network-lib.sh
bench_parent=$parent
remove_bench_cgroups_once() { remove_bench_cgroups; }

# free_port: a port in 20000-60000 nothing listens on (tcp) right now.
free_port() {
    python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randint(20000, 60000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()
PY
}

"$kubik" --root "$root" image busybox >/dev/null
iperf_port=$(free_port)
http_port=$(free_port)
k() { "$kubik" --root "$root" "$@"; }
k run -d --name iperf --cgroup-parent "$parent" -p "127.0.0.1:$iperf_port:5201" busybox sleep 3600 >/dev/null ||
    die "kubik run -d -p failed (is lesson 6 solved in $build?)"
k run -d --name web --cgroup-parent "$parent" -p "127.0.0.1:$http_port:80" busybox \
    sh -c 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
field() { k inspect "$1" | python3 -c "import json,sys; d=json.load(sys.stdin)[0]; print($2)"; }
iperf_pid=$(field iperf 'd["State"]["Pid"]')
iperf_ip=$(field iperf 'd["NetworkSettings"]["IPAddress"]')
web_ip=$(field web 'd["NetworkSettings"]["IPAddress"]')
note "iperf3 server in the namespace of pid $iperf_pid ($iperf_ip:5201, published on 127.0.0.1:$iperf_port)"
note "httpd at $web_ip:80, published on 127.0.0.1:$http_port"

# iperf_once HOST PORT: one iperf3 run against a fresh one-off server in the
# container's namespace; prints the receiver's bits per second.
iperf_once() {
    nsenter -n -t "$iperf_pid" iperf3 -s -p 5201 -1 >/dev/null 2>&1 &
    local server=$! i
    for ((i = 0; i < 50; i++)); do
        nsenter -n -t "$iperf_pid" sh -c 'grep -q ":1451 " /proc/net/tcp /proc/net/tcp6' 2>/dev/null && break # 5201 = 0x1451
        sleep 0.1
    done
    iperf3 -c "$1" -p "$2" -t "$seconds" -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])'
    wait "$server" 2>/dev/null || true
}

# requests HOST PORT: GET / on a new connection each time for $seconds; requests per second.
requests() {
    python3 - "$1" "$2" "$seconds" <<'PY'
import socket, sys, time
host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
req = f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode()
n, end = 0, time.monotonic() + seconds
start = time.monotonic()
while time.monotonic() < end:
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(req)
    while s.recv(65536):
        pass
    s.close()
    n += 1
print(n / (time.monotonic() - start))
PY
}

# Both answer before anything is timed.
for ((i = 0; i < 50; i++)); do requests "$web_ip" 80 >/dev/null 2>&1 && break; sleep 0.1; done
SECONDS_SAVE=$seconds
seconds=0.2
requests 127.0.0.1 "$http_port" >/dev/null || die "httpd does not answer through 127.0.0.1:$http_port"
seconds=$SECONDS_SAVE

: >"$tmp/bw" && : >"$tmp/rps"
for ((r = 1; r <= rounds; r++)); do
    note "round $r of $rounds: iperf3 ${seconds}s through the port, then direct; requests ${seconds}s each"
    echo "port $(iperf_once 127.0.0.1 "$iperf_port")" >>"$tmp/bw"
    echo "direct $(iperf_once "$iperf_ip" 5201)" >>"$tmp/bw"
    echo "port $(requests 127.0.0.1 "$http_port")" >>"$tmp/rps"
    echo "direct $(requests "$web_ip" 80)" >>"$tmp/rps"
done

echo
echo "published port (-p 127.0.0.1:P:PORT, nftables DNAT) against the container's own address"
echo "machine: $(nproc) CPUs, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "iperf3 $(iperf3 --version | head -1 | cut -d' ' -f2), ${seconds}s a run, $rounds rounds"
python3 - "$tmp/bw" "$tmp/rps" <<'PY'
import statistics, sys
def load(path):
    d = {}
    for line in open(path):
        k, v = line.split()
        d.setdefault(k, []).append(float(v))
    return d
bw, rps = load(sys.argv[1]), load(sys.argv[2])
print(f"{'':28} {'median':>12} {'min':>12} {'max':>12}")
for name, d, unit, f in (("throughput", bw, "Gbit/s", 1e-9), ("requests", rps, "req/s", 1)):
    for k in ("port", "direct"):
        v = d[k]
        print(f"{name + ' ' + k + ' (' + unit + ')':28} {statistics.median(v)*f:12.2f} {min(v)*f:12.2f} {max(v)*f:12.2f}")
print(f"throughput port/direct = {statistics.median(bw['port']) / statistics.median(bw['direct']):.2f} (target >= 0.95; docker-proxy ~ 0.68)")
print(f"requests   port/direct = {statistics.median(rps['port']) / statistics.median(rps['direct']):.2f}")
PY
