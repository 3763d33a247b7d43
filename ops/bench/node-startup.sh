#!/usr/bin/env bash
# Node start-up time (docs/performance.md "Node start-up"): a local Cassandra and ZooKeeper (LocalInfra) stay up while
# a collector node is started RUNS times with a configuration (`ops/bin/ipdr node CONFIG`, as in production: external
# Cassandra and ZooKeeper); each run is timed from the start of the JVM to its admin /ping answering (HTTP up) and to
# /ready answering 200 (storage session open, schema checked, cluster joined, IPDR/SP port listening), then the node
# is stopped with SIGTERM. Prints every run and min/median/max, with the load average.
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
results=()
for ((i = 1; i <= runs; i++)); do
  load="$(cut -d' ' -f1-3 /proc/loadavg)"
  t0=$(ms); ping=""; ready=""
  "$root/ops/bin/ipdr" node "$work/node.yml" >"$work/node-$i.log" 2>&1 &
  node=$!
  while [[ -z "$ready" ]]; do
    kill -0 "$node" 2>/dev/null || { tail -20 "$work/node-$i.log"; exit 1; }
    [[ -n "$ping" ]] || ! curl -sf -o /dev/null "http://127.0.0.1:$admin/ping" || ping=$(( $(ms) - t0 ))
    [[ -z "$ping" ]] || ! curl -sf -o /dev/null "http://127.0.0.1:$admin/ready" || ready=$(( $(ms) - t0 ))
    sleep 0.1
  done
  kill "$node"; wait "$node" 2>/dev/null || true
  echo "NODE-STARTUP run=$i ping_ms=$ping ready_ms=$ready load=${load// //}"
  results+=("$ready")
done
printf '%s\n' "${results[@]}" | sort -n | awk '{ v[NR] = $1 } END {
  printf "node start-up to /ready: min %d / median %d / max %d ms (%d runs)\n", v[1],
    (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR], NR }'
