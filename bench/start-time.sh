#!/usr/bin/env bash
# Start-to-exit of /bin/true in a fresh container, beside the kernel floor
# (unshare of the same five namespaces). Medians over many runs, by hyperfine.
# Not a test: numbers depend on the machine. Usage: bench/start-time.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}

command -v hyperfine >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
}
[[ -x build/kubik ]] || { cmake --preset default >/dev/null && cmake --build --preset default; }

root=$(mktemp -d /tmp/kubik-bench.XXXXXX)
trap 'rm -rf "$root"' EXIT
build/kubik --root "$root" image busybox >/dev/null

json=$root/result.json
hyperfine -N --warmup 20 --runs "$runs" --export-json "$json" \
    -n kubik "build/kubik --root $root run --rm busybox true" \
    -n unshare-floor "unshare --fork --pid --mount --uts --ipc --net true" >/dev/null

python3 - "$json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ms = lambda name: results[name]["median"] * 1000
print(f"{'':24}{'median':>10}{'mean':>10}")
for name in results:
    r = results[name]
    print(f"{name:24}{r['median']*1000:>8.2f}ms{r['mean']*1000:>8.2f}ms")
print(f"kubik - floor: {ms('kubik') - ms('unshare-floor'):.2f} ms; kubik / floor: {ms('kubik') / ms('unshare-floor'):.2f}")
PY
