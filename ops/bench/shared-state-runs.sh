#!/usr/bin/env bash
# Cost of the shared-state path per record (docs/performance.md "Cluster"): alternates single-node runs with
# 3-node runs where node 1 is the primary of every CMTS (--primary node-1), so that drift of a shared machine
# hits both sides alike, and prints the SHARED-STATE summary line of every run at the end.
# Usage: ops/bench/shared-state-runs.sh [PAIRS (2)] [extra bench-load options, e.g. --warmup 15s --duration 30s]
# Logs: ops/bench/target/shared-state/<n>-<config>.log. CP_FILE=<file holding a classpath> runs EndToEndLoad on that
# classpath (e.g. a frozen copy of the module jars, so that builds running meanwhile cannot change the code under
# test) instead of ops/bin/bench-load; NODE_CP_FILE=<file> likewise for the node JVMs (-Dipdr.node.classpath).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pairs="${1:-2}"
shift || true
extra=("$@")
[[ ${#extra[@]} -gt 0 ]] || extra=(--warmup 15s --duration 30s)
logs="$root/ops/bench/target/shared-state"
mkdir -p "$logs"
run() { # name, options...
  local name="$1"
  shift
  local log="$logs/$name.log"
  echo "== $name: $* ${extra[*]} (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  if [[ -n "${CP_FILE:-}" ]]; then
    local node_cp=()
    [[ -n "${NODE_CP_FILE:-}" ]] && node_cp=("-Dipdr.node.classpath=$(cat "$NODE_CP_FILE")")
    (cd "$root" && java -Xms512m -Xmx1g "${node_cp[@]}" -cp "$(cat "$CP_FILE")" io.ipdrsp.bench.EndToEndLoad "$@" \
      "${extra[@]}") \
      >"$log" 2>&1
  else
    "$root/ops/bin/bench-load" "$@" "${extra[@]}" >"$log" 2>&1
  fi
  echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(grep -m1 '^SHARED-STATE [dt]' "$log" || echo 'no result, see '"$log")"
}
for ((i = 1; i <= pairs; i++)); do
  run "$((2 * i - 1))-nodes1" --nodes 1
  run "$((2 * i))-nodes3-primary-node1" --nodes 3 --primary node-1
done
echo
grep -H '^SHARED-STATE [dt]\|^TAKEOVER ' "$logs"/*.log
