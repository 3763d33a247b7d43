#!/usr/bin/env bash
# CPU the local Cassandra spends per stored record with its two JVM profiles (docs/performance.md "Local Cassandra"):
# alternates runs with the test start-up settings (Serial GC, C1 only: -Dipdr.cassandra.jvm=test) and the production
# ones (G1, full JIT), A B A B, at the same offered rate through one collector node, so that drift of a shared machine
# hits both alike; prints each run's line and min/median/max per profile, with the load average around every run.
# Usage: ops/bench/cassandra-jvm-runs.sh [PAIRS (2)] [extra bench-load options (default --rate 3000 --warmup 120s
#        --duration 60s --ceiling off)]. Logs: ops/bench/target/cassandra-jvm/<n>-<profile>.log. The warm-up must let
#        C2 finish compiling Cassandra's hot paths (minutes on a busy machine): its JIT threads are reported apart.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pairs="${1:-2}"
shift || true
extra=("$@")
[[ ${#extra[@]} -gt 0 ]] || extra=(--rate 3000 --warmup 120s --duration 60s --ceiling off)
logs="$root/ops/bench/target/cassandra-jvm"
mkdir -p "$logs"
results="$logs/results.txt"
: >"$results"
run() { # n, profile
  local log="$logs/$1-$2.log" before
  before="$(cut -d' ' -f1-3 /proc/loadavg)"
  JAVA_OPTS="-Dipdr.cassandra.jvm=$2" "$root/ops/bin/bench-load" --nodes 1 "${extra[@]}" >"$log" 2>&1 || true
  local line
  line="$(grep -m1 '^CASSANDRA-CPU ' "$log" || true)"
  if [[ -z "$line" ]]; then
    echo "run $1 $2: no result, see $log"
    return
  fi
  echo "CASSANDRA-JVM run=$1 profile=$2 ${line#CASSANDRA-CPU } load.before.run=${before// //}" | tee -a "$results"
}
for ((i = 1; i <= pairs; i++)); do
  run "$((2 * i - 1))" test
  run "$((2 * i))" production
done
echo
for p in test production; do
  for field in us/rec nojit.us/rec; do
    grep " profile=$p " "$results" | sed -n "s#.* ${field}=\([0-9.]*\).*#\1#p" | sort -n | awk -v p="$p" -v f="$field" '
      { v[NR] = $1 } END { if (NR) printf "%-10s Cassandra CPU per stored record (%s): min %.1f / median %.1f / max %.1f us (%d runs)\n",
        p, f == "us/rec" ? "all" : "without its JIT threads", v[1], (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR], NR }'
  done
done
