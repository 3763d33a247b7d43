#!/usr/bin/env bash
# usage: infra/cassandra/run-cassandra.sh <workdir> [extra JVM args, e.g. -Dcassandra.native_transport_port=19043]
# env:   JAVA17 (java 11 or 17 binary; default java on PATH), CASS_HEAP_OPTS, CASS_GC_OPTS, CASS_JIT_OPTS,
#        CASS_CDS_DUMP=1 (write the AppCDS archive at JVM exit; stop that run with SIGTERM, not SIGKILL),
#        CASS_DURABLE=1 (drop the throwaway-data speedups unsafesystem/skip_sync/no schema flush: for data that must survive),
#        CASS_SYNC_WINDOW (durable mode: commit log group window, default 10ms),
#        CASS_WATCH_PID=<pid> (SIGKILL the server when that process is gone: no orphan after a killed test JVM)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
[ -d "$HERE/target/lib" ] || mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies -DoutputDirectory=target/lib -DincludeScope=runtime
CASS_DIR="$(mkdir -p "$1" && cd "$1" && pwd)"; shift
sed "s#\${CASS_DIR}#$CASS_DIR#g" "$HERE/conf/cassandra.yaml" > "$CASS_DIR/cassandra.yaml"
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
         -e "s/^commitlog_sync_period: .*/commitlog_sync_group_window: ${CASS_SYNC_WINDOW:-10ms}/" "$CASS_DIR/cassandra.yaml"
fi
if [ -n "${CASS_WATCH_PID:-}" ]; then
  # $$ stays the server's pid across exec; the watchdog also ends by itself once the server is gone
  ( while kill -0 "$CASS_WATCH_PID" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done; kill -9 $$ 2>/dev/null ) \
    </dev/null >/dev/null 2>&1 &
fi
PREFIX=()   # as root, mlockall() would pin the whole heap: drop CAP_IPC_LOCK so it fails harmlessly
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then PREFIX=(setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock); fi
exec "${PREFIX[@]}" "${JAVA17:-java}" \
  ${CASS_HEAP_OPTS:--Xms256m -Xmx1g} -Xss256k \
  ${CASS_GC_OPTS:--XX:+UseSerialGC} \
  ${CASS_JIT_OPTS:--XX:TieredStopAtLevel=1} \
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
  "${UNSAFE[@]}" \
  "$@" \
  -cp "$CP" \
  org.apache.cassandra.service.CassandraDaemon
