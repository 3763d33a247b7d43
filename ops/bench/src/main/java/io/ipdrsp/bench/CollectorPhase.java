package io.ipdrsp.bench;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.NodeJvm;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Direction;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The measured phase of a load run: the simulator's load mode through the collector nodes (a warm-up, then the
 * window: acknowledged records/s, ack latency, CPU of each node, Cassandra and this JVM), and with several nodes the
 * takeover after a kill -9 of node 1.
 */
final class CollectorPhase {
    private CollectorPhase() {
    }

    static LoadResult run(LoadOptions o, String mode, CassandraServer cassandra, LoadNodes launched)
            throws Exception {
        List<NodeJvm> nodes = launched.nodes;
        List<CmtsSpec> cmtses = new ArrayList<>();
        for (int c = 1; c <= o.cmtses(); c++) {
            List<SessionSpec> sessions = new ArrayList<>();
            for (int s = 1; s <= o.sessions(); s++) {
                SessionSpec load = SessionSpec.event(s, Templates.SAMIS_TYPE_1).asLoad();
                sessions.add(o.rate() > 0 ? load.withRate(o.rate() / (o.cmtses() * o.sessions())) : load);
            }
            List<CollectorSpec> collectors = new ArrayList<>();
            for (int n = 0; n < nodes.size(); n++) {
                // rotated priorities: cmts-1 prefers node 1, cmts-2 node 2, ... so each node is primary for some;
                // --primary node-1: node 1 first for every CMTS, the others are backups
                int priority = o.primaryNode1() ? n + 1 : Math.floorMod(n - (c - 1), nodes.size()) + 1;
                collectors.add(CollectorSpec.at("127.0.0.1", launched.listenPorts.get(n), priority)
                        .named(nodes.get(n).id()));
            }
            cmtses.add(CmtsSpec.of("cmts-" + c, Direction.CONNECT, collectors, sessions)
                    .withListen("127.0.0." + (10 + c), 0).withKeepAlive(30)
                    .withReconnectDelay(Duration.ofMillis(200)).withBufferCapacity(200_000)
                    .withMac(0x001dcf200000L + c)); // the simulator's default failover: the vendor sequence
        }
        FleetSpec spec = FleetSpec.of(cmtses.toArray(CmtsSpec[]::new));
        try (Fleet fleet = Fleet.start(spec)) {
            System.out.printf("warm-up %s ...%n", o.warmup());
            Thread.sleep(o.warmup().toMillis());
            long a0 = fleet.ledger().totalAcked();
            fleet.ackLatency().reset();
            long[] pids = launched.pids();
            String loadBefore = CpuSample.loadAverage();
            if (o.jfr() != null) {
                for (long pid : pids) {
                    jcmd(pid, "JFR.start", "name=bench", "settings=profile");
                }
            }
            CpuSample cpu0 = CpuSample.sample(pids, cassandra.process().pid());
            java.util.Map<Long, Long> cassandraJit0 = CpuSample.jitThreads(cassandra.process().pid());
            long t0 = System.nanoTime();
            long last = a0;
            for (long s = 1; s <= o.duration().toSeconds(); s++) {
                Thread.sleep(Math.max(0, t0 + TimeUnit.SECONDS.toNanos(s) - System.nanoTime()) / 1_000_000);
                long a = fleet.ledger().totalAcked();
                if (s % 10 == 0 || s == o.duration().toSeconds()) {
                    System.out.printf(Locale.ROOT, "  %3d s: %,d acked/s (last second), %,d in window%n", s,
                            a - last, a - a0);
                }
                last = a;
            }
            long a1 = fleet.ledger().totalAcked();
            double seconds = (System.nanoTime() - t0) / 1e9;
            CpuSample cpu1 = CpuSample.sample(pids, cassandra.process().pid());
            java.util.Map<Long, Long> cassandraJit1 = CpuSample.jitThreads(cassandra.process().pid());
            String load = CpuSample.loadAverage();
            if (o.jfr() != null) {
                Files.createDirectories(o.jfr().toAbsolutePath().getParent());
                for (int i = 0; i < pids.length; i++) {
                    Path file = jfrFile(o.jfr(), i, nodes.get(i).id());
                    jcmd(pids[i], "JFR.stop", "name=bench", "filename=" + file);
                    System.out.println("JFR recording of " + nodes.get(i).id() + " over the measured window: " + file);
                }
            }
            LoadResult.Latency latency = LoadResult.Latency.of(fleet.ackLatency());
            double rate = (a1 - a0) / seconds;
            System.out.printf(Locale.ROOT, "collector: %,.0f durable acked records/s (%,d in %.1f s); %s%n", rate,
                    a1 - a0, seconds, latency);
            System.out.printf(Locale.ROOT, "CPU: node %.2f cores, Cassandra %.2f cores, simulator+bench %.2f cores; "
                    + "load average %s at the start of the window, %s at its end%n", cpu1.node(cpu0, seconds),
                    cpu1.cassandra(cpu0, seconds), cpu1.self(cpu0, seconds), loadBefore, load);
            // the local Cassandra's cost per stored record, and the part its JIT compiler threads still took
            long cassandraJitNs = 0;
            for (var e : cassandraJit1.entrySet()) {
                cassandraJitNs += e.getValue() - cassandraJit0.getOrDefault(e.getKey(), 0L);
            }
            double cassandraCores = cpu1.cassandra(cpu0, seconds);
            double cassandraJit = cassandraJitNs / 1e9 / seconds;
            System.out.printf(Locale.ROOT, "CASSANDRA-CPU jvm=%s acked/s=%.0f cores=%.3f jit.cores=%.3f us/rec=%.1f "
                    + "nojit.us/rec=%.1f load=%s->%s%n", cassandra.jvm().name().toLowerCase(Locale.ROOT), rate,
                    cassandraCores, cassandraJit, cassandraCores * 1e6 / rate, (cassandraCores - cassandraJit) * 1e6
                    / rate, loadBefore.replace(' ', '/'), load.replace(' ', '/'));
            double[] nodeCpus = new double[nodes.size()];
            double[] jitCpus = new double[nodes.size()];
            int carrying = o.primaryNode1() ? 1 : nodes.size();
            for (int i = 0; i < nodes.size(); i++) {
                nodeCpus[i] = cpu1.node(i, cpu0, seconds);
                jitCpus[i] = cpu1.jit(i, cpu0, seconds);
                System.out.printf(Locale.ROOT, "  %s: %.2f cores (JIT compiler threads %.2f), %s%n", nodes.get(i).id(),
                        nodeCpus[i], jitCpus[i],
                        i < carrying ? String.format(Locale.ROOT, "carries records (%.1f µs CPU per acked record%s, "
                                + "%.1f µs without the JIT)", nodeCpus[i] * 1e6 / rate, carrying > 1 ? " of all" : "",
                                (nodeCpus[i] - jitCpus[i]) * 1e6 / rate)
                                : "idle member (Hazelcast backups, backup connections)");
            }
            double carryingCpu = 0;
            double carryingJit = 0;
            for (int i = 0; i < carrying; i++) {
                carryingCpu += nodeCpus[i];
                carryingJit += jitCpus[i];
            }
            System.out.printf(Locale.ROOT, "SHARED-STATE PATH: %,.0f acked rec/s; node-1 %.2f cores; %.1f µs CPU per "
                            + "acked record of the node(s) carrying records (%.1f µs without their JIT compiler "
                            + "threads); idle members %.2f cores; all nodes %.1f µs per acked record%n", rate,
                    nodeCpus[0], carryingCpu * 1e6 / rate, (carryingCpu - carryingJit) * 1e6 / rate,
                    cpu1.node(cpu0, seconds) - carryingCpu, cpu1.node(cpu0, seconds) * 1e6 / rate);
            String takeover = "-";
            if (nodes.size() > 1) {
                takeover = takeover(o, fleet, launched.authorization(), nodes);
            }
            return new LoadResult(mode, rate, a1 - a0, latency, cpu1.node(cpu0, seconds),
                    cpu1.cassandra(cpu0, seconds), cpu1.self(cpu0, seconds), 0, 0, 0, load, nodeCpus, carrying,
                    loadBefore, takeover, jitCpus);
        }
    }

    /**
     * SIGKILL of node 1 (primary of cmts-1 and every nodes-th CMTS after it); times the takeover of cmts-1 session 1
     * by node 2 from the kill to its first acknowledged record (ledger), prints dedup's own measurement on node 2,
     * then the rate over a further window with one node fewer.
     */
    private static String takeover(LoadOptions o, Fleet fleet, String authorization, List<NodeJvm> nodes) throws Exception {
        NodeJvm victim = nodes.get(0);
        NodeJvm heir = nodes.get(1);
        long before = ackedBy(fleet, "cmts-1", 1, heir.id());
        long a0 = fleet.ledger().totalAcked();
        long killed = System.nanoTime();
        victim.kill9();
        long deadline = killed + TimeUnit.SECONDS.toNanos(60);
        while (ackedBy(fleet, "cmts-1", 1, heir.id()) <= before) {
            if (System.nanoTime() > deadline) {
                System.out.println("TAKEOVER: " + heir.id() + " acknowledged nothing for cmts-1/1 within 60 s");
                return "none within 60 s";
            }
            Thread.sleep(2);
        }
        long ms = (System.nanoTime() - killed) / 1_000_000;
        System.out.printf(Locale.ROOT, "TAKEOVER kill -9 %s: cmts-1/1 first record acknowledged by %s %d ms after "
                + "the kill; load average %s%n", victim.id(), heir.id(), ms, CpuSample.loadAverage());
        Thread.sleep(3000);
        String api = httpGet(heir.api() + "/api/exporters", authorization);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"dedup\":\\{[^}]*\\}").matcher(api);
        System.out.println("  " + heir.id() + " dedup counters: " + (m.find() ? m.group() : "(not found)"));
        long window = Math.max(10, o.duration().toSeconds() / 2);
        long a1 = fleet.ledger().totalAcked();
        long t0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(window));
        long a2 = fleet.ledger().totalAcked();
        System.out.printf(Locale.ROOT, "after the kill: %,d records acked in the first %.1f s, then %,.0f acked/s "
                        + "over %d s with %d nodes; load average %s%n", a1 - a0, (t0 - killed) / 1e9,
                (a2 - a1) / ((System.nanoTime() - t0) / 1e9), window, nodes.size() - 1, CpuSample.loadAverage());
        String counters = m.find(0) ? m.group() : "";
        // ISO-8601 durations, e.g. "lastTakeover":"PT0.412S"
        java.util.regex.Matcher last = java.util.regex.Pattern.compile("\"lastTakeover\":\"(PT[^\"]+)\"")
                .matcher(counters);
        java.util.regex.Matcher max = java.util.regex.Pattern.compile("\"takeoverMax\":\"(PT[^\"]+)\"")
                .matcher(counters);
        return ms + " ms" + (last.find() ? "; dedup last " + java.time.Duration.parse(last.group(1)).toMillis() + " ms"
                : "") + (max.find() ? ", max " + java.time.Duration.parse(max.group(1)).toMillis() + " ms" : "");
    }

    /** Node 1's recording goes to {@code --jfr FILE}, node n's to FILE with {@code -<node id>} before ".jfr". */
    private static Path jfrFile(Path jfr, int index, String nodeId) {
        Path file = jfr.toAbsolutePath();
        if (index == 0) {
            return file;
        }
        String name = file.getFileName().toString();
        String base = name.endsWith(".jfr") ? name.substring(0, name.length() - 4) : name;
        return file.resolveSibling(base + "-" + nodeId + ".jfr");
    }

    /** Runs the JDK's jcmd against a node JVM (JFR), waiting for it. */
    static void jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + out);
        }
    }

    private static long ackedBy(Fleet fleet, String cmts, int sessionId, String node) {
        return fleet.ledger().documents(cmts, sessionId).stream()
                .mapToLong(d -> d.ackedBy().containsKey(node) ? d.ackedBy().get(node).count() : 0).sum();
    }

    private static String httpGet(String url, String authorization) {
        try {
            var client = java.net.http.HttpClient.newHttpClient();
            return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .header("Authorization", authorization).timeout(Duration.ofSeconds(5)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
