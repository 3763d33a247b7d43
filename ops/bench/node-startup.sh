#!/usr/bin/env bash
# Node start-up time (docs/performance.md "Node start-up"): a local Cassandra and ZooKeeper (LocalInfra) stay up while
# a collector node is started with a configuration (`ops/bin/ipdr node CONFIG`, as in production: external Cassandra
# and ZooKeeper); each run is timed from the command's start to the admin /ping answering (HTTP up) and to /ready
# answering 200 (storage session open, schema checked, cluster joined, IPDR/SP port listening), then the node is
# stopped with SIGTERM. A first run creates the keyspace and writes the class-data archive (at its stop); then RUNS
# pairs side by side, A = without the archive (IPDR_CDS=off), B = with it, A B A B ... Prints every run and
# min/median/max per side, with the load average.
# Usage: ops/bench/node-startup.sh [RUNS (5)]. Work folder: ops/bench/target/node-startup.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-5}"
work="$root/ops/bench/target/node-startup"
rm -rf "$work" && mkdir -p "$work"
"$root/ops/bin/ipdr" --help >/dev/null 2>&1 || true   # builds ops/tools (and the node) when needed
cp="$root/ops/tools/target/classes:$(cat "$root/ops/tools/target/classpath.txt")"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cql=$(( 22000 + RANDOM % 8000 )); zk=$(free_port); api=$(free_port); admin=$(free_port); listen=$(free_port); hz=$(free_port)
java -cp "$cp" io.ipdrsp.launcher.LocalInfra "$work/infra" "$cql" "$zk" >"$work/infra.log" 2>&1 &
infra=$!
trap 'kill "$infra" 2>/dev/null; wait "$infra" 2>/dev/null || true' EXIT
until grep -q "Ctrl-C stops both" "$work/infra.log"; do
  kill -0 "$infra" 2>/dev/null || { cat "$work/infra.log"; exit 1; }
  sleep 1
done
cat >"$work/node.yml" <<YAML
node: {id: startup-node, site: bench}
server:
  type: default
  applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: $api}]
  adminConnectors: [{type: http, bindHost: 127.0.0.1, port: $admin}]
  requestLog: {appenders: []}
logging: {level: INFO, appenders: [{type: console, target: stdout}]}
listen: {address: 127.0.0.1, port: $listen, allow: [127.0.0.1]}
storage: {contactPoints: ["127.0.0.1:$cql"], keyspace: startup, consistency: LOCAL_ONE}
cluster: {clusterName: startup-$$, hazelcastAddress: 127.0.0.1, hazelcastPort: $hz, zooKeeper: "127.0.0.1:$zk"}
security: {generateCredentials: true, credentialsDir: $work/security}
exporters: []
YAML
ms() { echo $(( $(date +%s%N) / 1000000 )); }
export IPDR_CDS_DIR="$work/cds"
# one run: prints "ping_ms ready_ms"
run() {
  local log="$1" t0 ping="" ready="" node
  t0=$(ms)
  "$root/ops/bin/ipdr" node "$work/node.yml" >"$log" 2>&1 &
  node=$!
  while [[ -z "$ready" ]]; do
    kill -0 "$node" 2>/dev/null || { tail -20 "$log" >&2; exit 1; }
    [[ -n "$ping" ]] || ! curl -sf -o /dev/null "http://127.0.0.1:$admin/ping" || ping=$(( $(ms) - t0 ))
    [[ -z "$ping" ]] || ! curl -sf -o /dev/null "http://127.0.0.1:$admin/ready" || ready=$(( $(ms) - t0 ))
    sleep 0.05
  done
  kill "$node"; wait "$node" 2>/dev/null || true
  echo "$ping $ready"
}
read -r ping ready < <(run "$work/node-0.log")
[[ -n "$ready" ]] || { echo "node-startup: the node did not start; see $work/node-0.log" >&2; exit 1; }
echo "NODE-STARTUP run=0 (creates the schema, writes the class-data archive) ping_ms=$ping ready_ms=$ready"
ls "$IPDR_CDS_DIR"/node-*.jsa >/dev/null 2>&1 || echo "NODE-STARTUP no class-data archive was written in $IPDR_CDS_DIR"
a=(); b=()
for ((i = 1; i <= runs; i++)); do
  for side in A B; do
    load="$(cut -d' ' -f1-3 /proc/loadavg)"
    if [[ $side == A ]]; then
      read -r ping ready < <(IPDR_CDS=off run "$work/node-$i$side.log"); a+=("$ready")
    else
      read -r ping ready < <(run "$work/node-$i$side.log"); b+=("$ready")
    fi
    [[ -n "$ready" ]] || { echo "node-startup: the node did not start; see $work/node-$i$side.log" >&2; exit 1; }
    echo "NODE-STARTUP run=$i side=$side ping_ms=$ping ready_ms=$ready load=${load// //}"
  done
done
summary() {
  printf '%s\n' "${@:2}" | sort -n | awk -v what="$1" '{ v[NR] = $1 } END {
    printf "node start-up to /ready, %s: min %d / median %d / max %d ms (%d runs)\n", what, v[1],
      (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR], NR }'
}
summary "A without the class-data archive" "${a[@]}"
summary "B with the class-data archive" "${b[@]}"
