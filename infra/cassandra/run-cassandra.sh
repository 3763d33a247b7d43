#!/usr/bin/env bash
# usage: infra/cassandra/run-cassandra.sh <workdir> [extra JVM args, e.g. -Dcassandra.native_transport_port=19043]
# env:   JAVA17 (java 11 or 17 binary; default java on PATH),
#        CASS_JVM=production|test (default production): production = G1, full JIT (C2), heap sized to the machine as
#          Cassandra's own cassandra-env.sh does (max(min(RAM/2, 1 GiB), min(RAM/4, 8 GiB))); test = Serial GC, C1 only,
#          -Xms256m -Xmx1g: starts sooner and costs less CPU for a short test, but several times the CPU per write
#          under sustained load (docs/performance.md),
#        CASS_HEAP_OPTS, CASS_GC_OPTS, CASS_JIT_OPTS (override the profile's heap, GC and JIT flags),
#        CASS_LISTEN_ADDRESS (default 127.0.0.1: gossip, storage and CQL address), CASS_SEEDS (default the listen
#          address), CASS_DC (set: GossipingPropertyFileSnitch in that data center, rack rack1; unset: SimpleSnitch,
#          data center datacenter1), CASS_CLUSTER_NAME (default local-dev), CASS_INITIAL_TOKEN (default 0: unique per
#          node of one cluster),
#        CASS_CDS_DUMP=1 (write the AppCDS archive at JVM exit; stop that run with SIGTERM, not SIGKILL),
#        CASS_DURABLE=1 (drop the throwaway-data speedups unsafesystem/skip_sync/no schema flush: for data that must survive),
#        CASS_SYNC_WINDOW (durable mode: commit log group window, default 10ms),
#        CASS_CONCURRENT_WRITES (durable mode: mutation threads, default 32 as in Cassandra's own cassandra.yaml),
#        CASS_WATCH_PID=<pid> (SIGKILL the server when that process is gone: no orphan after a killed test JVM)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
[ -d "$HERE/target/lib" ] || mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies -DoutputDirectory=target/lib -DincludeScope=runtime
CASS_DIR="$(mkdir -p "$1" && cd "$1" && pwd)"; shift
LISTEN="${CASS_LISTEN_ADDRESS:-127.0.0.1}"
SNITCH=SimpleSnitch
RACKDC=()
if [ -n "${CASS_DC:-}" ]; then
  SNITCH=GossipingPropertyFileSnitch
  printf 'dc=%s\nrack=rack1\nprefer_local=true\n' "$CASS_DC" > "$CASS_DIR/cassandra-rackdc.properties"
  RACKDC=(-Dcassandra-rackdc.properties="file://$CASS_DIR/cassandra-rackdc.properties")
fi
sed -e "s#\${CASS_DIR}#$CASS_DIR#g" -e "s#\${LISTEN_ADDRESS}#$LISTEN#g" -e "s#\${SEEDS}#${CASS_SEEDS:-$LISTEN}#g" \
    -e "s#\${SNITCH}#$SNITCH#g" -e "s#\${CLUSTER_NAME}#${CASS_CLUSTER_NAME:-local-dev}#g" \
    -e "s#\${INITIAL_TOKEN}#${CASS_INITIAL_TOKEN:-0}#g" "$HERE/conf/cassandra.yaml" > "$CASS_DIR/cassandra.yaml"
# several data centers: a replica that was down gets the writes it missed from hints (as Cassandra's default does)
[ -n "${CASS_DC:-}" ] && sed -i 's/^hinted_handoff_enabled: false/hinted_handoff_enabled: true/' "$CASS_DIR/cassandra.yaml"
case "${CASS_JVM:-production}" in
  production)
    ram_mb=$(( $(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024 ))
    half=$(( ram_mb / 2 )); quarter=$(( ram_mb / 4 ))
    (( half > 1024 )) && half=1024
    (( quarter > 8192 )) && quarter=8192
    heap_mb=$(( half > quarter ? half : quarter ))
    # -Xms below -Xmx: the machine may be shared (demo, embedded default); G1 grows the heap when the load needs it
    DEF_HEAP="-Xms$(( heap_mb < 1024 ? heap_mb : 1024 ))m -Xmx${heap_mb}m"
    # Cassandra 5.0's jvm17-server.options (G1 section)
    DEF_GC="-XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=2 -XX:G1HeapRegionSize=16m -XX:MaxGCPauseMillis=300"
    DEF_JIT="" ;;
  test)
    DEF_HEAP="-Xms256m -Xmx1g"; DEF_GC="-XX:+UseSerialGC"; DEF_JIT="-XX:TieredStopAtLevel=1" ;;
  *) echo "run-cassandra.sh: CASS_JVM must be production or test, not '${CASS_JVM}'" >&2; exit 2 ;;
esac
CP="$(ls "$HERE"/target/lib/*.jar | LC_ALL=C sort | tr '\n' ':')"   # stable order: required for AppCDS
JSA="$HERE/target/cassandra-cds.jsa"
CDS=()
if [ "${CASS_CDS_DUMP:-0}" = 1 ]; then CDS=(-XX:ArchiveClassesAtExit="$JSA")
elif [ -f "$JSA" ]; then CDS=(-XX:SharedArchiveFile="$JSA" -Xshare:auto); fi
# throwaway-data speedups; without the flush, schema changes do not survive a SIGKILL (they bypass the commit log)
UNSAFE=(-Dcassandra.unsafesystem=true -Dcassandra.skip_sync=true -Dcassandra.test.flush_local_schema_changes=false)
if [ "${CASS_DURABLE:-0}" = 1 ]; then
  UNSAFE=()
  # periodic sync acks before the commit log is synced, and replay stops at the last sync marker: a SIGKILL (not only
  # a power cut) then loses up to commitlog_sync_period of acked writes (measured). group = ack after fsync, batched.
  sed -i -e 's/^commitlog_sync: periodic.*/commitlog_sync: group/' \
         -e "s/^commitlog_sync_period: .*/commitlog_sync_group_window: ${CASS_SYNC_WINDOW:-10ms}/" \
         -e "s/^concurrent_writes: .*/concurrent_writes: ${CASS_CONCURRENT_WRITES:-32}/" "$CASS_DIR/cassandra.yaml"
  # each mutation thread waits for the group sync that covers its write, so a server does at most concurrent_writes
  # mutations per sync: with 8 a fleet of single-record writes (one partition per document) stalled at ~750 records/s
  # with the CPU idle (issue 19, ops/bin/bench-fleet; docs/performance.md "Fleet"). 32 is Cassandra's default.
fi
if [ -n "${CASS_WATCH_PID:-}" ]; then
  # $$ stays the server's pid across exec; the watchdog also ends by itself once the server is gone
  ( while kill -0 "$CASS_WATCH_PID" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done; kill -9 $$ 2>/dev/null ) \
    </dev/null >/dev/null 2>&1 &
fi
PREFIX=()   # as root, mlockall() would pin the whole heap: drop CAP_IPC_LOCK so it fails harmlessly
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then PREFIX=(setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock); fi
# shellcheck disable=SC2086 # the *_OPTS are space-separated flag lists
exec "${PREFIX[@]}" "${JAVA17:-java}" \
  ${CASS_HEAP_OPTS:-$DEF_HEAP} -Xss256k \
  ${CASS_GC_OPTS:-$DEF_GC} \
  ${CASS_JIT_OPTS:-$DEF_JIT} \
  "${CDS[@]}" \
  -XX:+PerfDisableSharedMem -XX:+ExitOnOutOfMemoryError \
  @"$HERE/conf/jvm17-cassandra.options" \
  -Djava.net.preferIPv4Stack=true \
  -Dcassandra-foreground=yes \
  -Dcassandra.config="file://$CASS_DIR/cassandra.yaml" \
  -Dcassandra.storagedir="$CASS_DIR" \
  -Dcassandra.logdir="$CASS_DIR/logs" \
  -Dlogback.configurationFile="$HERE/conf/logback.xml" \
  -Dcassandra.skip_wait_for_gossip_to_settle=0 \
  -Dcassandra.ring_delay_ms=0 \
  -Dcassandra.superuser_setup_delay_ms=0 \
  -Dcassandra.memtable_row_overhead_computation_step=100 \
  "${RACKDC[@]}" \
  "${UNSAFE[@]}" \
  "$@" \
  -cp "$CP" \
  org.apache.cassandra.service.CassandraDaemon
