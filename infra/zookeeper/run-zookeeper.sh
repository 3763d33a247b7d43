#!/usr/bin/env bash
# usage: infra/zookeeper/run-zookeeper.sh <workdir> <client port>   -- a standalone ZooKeeper 3.9.5 server, foreground
# env:   JAVA (java binary; default java on PATH), ZK_HEAP_OPTS (default -Xmx128m),
#        ZK_WATCH_PID=<pid> (SIGKILL the server when that process is gone: no orphan after a killed test JVM)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
[ -d "$HERE/target/lib" ] || mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies -DoutputDirectory=target/lib -DincludeScope=runtime
ZK_DIR="$(mkdir -p "$1" && cd "$1" && pwd)"; PORT="$2"
mkdir -p "$ZK_DIR/zk"
cat > "$ZK_DIR/zoo.cfg" <<CFG
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$ZK_DIR/zk
clientPort=$PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat,mntr
CFG
if [ -n "${ZK_WATCH_PID:-}" ]; then
  ( while kill -0 "$ZK_WATCH_PID" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done; kill -9 $$ 2>/dev/null ) \
    </dev/null >/dev/null 2>&1 &
fi
exec "${JAVA:-java}" ${ZK_HEAP_OPTS:--Xmx128m} -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dlogback.configurationFile="$HERE/logback.xml" \
  -cp "$HERE/target/lib/*" org.apache.zookeeper.server.quorum.QuorumPeerMain "$ZK_DIR/zoo.cfg"
