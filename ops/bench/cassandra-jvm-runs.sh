#!/usr/bin/env bash
# CPU the local Cassandra spends per stored record with its two JVM profiles (docs/performance.md "Local Cassandra"):
# alternates runs with the test start-up settings (Serial GC, C1 only: -Dipdr.cassandra.jvm=test) and the production
# ones (G1, full JIT), A B A B, at the same offered rate through one collector node, so that drift of a shared machine
# hits both alike; prints each run's line and min/median/max per profile, with the load average around every run.
# Usage: ops/bench/cassandra-jvm-runs.sh [PAIRS (2)] [extra bench-load options (default --rate 4000 --warmup 30s
#        --duration 60s --ceiling off)]. Logs: ops/bench/target/cassandra-jvm/<n>-<profile>.log.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pairs="${1:-2}"
shift || true
extra=("$@")
[[ ${#extra[@]} -gt 0 ]] || extra=(--rate 4000 --warmup 30s --duration 60s --ceiling off)
logs="$root/ops/bench/target/cassandra-jvm"
mkdir -p "$logs"
results="$logs/results.txt"
: >"$results"
run() { # n, profile
  local log="$logs/$1-$2.log" before
  before="$(cut -d' ' -f1-3 /proc/loadavg)"
  JAVA_OPTS="-Dipdr.cassandra.jvm=$2" "$root/ops/bin/bench-load" --nodes 1 "${extra[@]}" >"$log" 2>&1 || true
  local line rate cores
  line="$(grep -m1 '^SHARED-STATE ' "$log" || true)"
  if [[ -z "$line" ]]; then
    echo "run $1 $2: no result, see $log"
    return
  fi
  rate="$(sed -n 's/.* acked\/s=\([0-9.]*\).*/\1/p' <<<"$line")"
  cores="$(sed -n 's/.* cassandra.cores=\([0-9.]*\).*/\1/p' <<<"$line")"
  printf 'CASSANDRA-JVM run=%s profile=%s acked/s=%s cassandra.cores=%s us/record=%.1f load=%s->%s\n' "$1" "$2" \
    "$rate" "$cores" "$(awk -v c="$cores" -v r="$rate" 'BEGIN { print c * 1e6 / r }')" "${before// //}" \
    "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" | tee -a "$results"
}
for ((i = 1; i <= pairs; i++)); do
  run "$((2 * i - 1))" test
  run "$((2 * i))" production
done
echo
for p in test production; do
  grep " profile=$p " "$results" | sed -n 's/.*us\/record=\([0-9.]*\).*/\1/p' | sort -n | awk -v p="$p" '
    { v[NR] = $1 } END { if (NR) printf "%-10s Cassandra CPU per stored record: min %.1f / median %.1f / max %.1f us (%d runs)\n",
      p, v[1], (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR], NR }'
done
