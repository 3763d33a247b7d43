package io.ipdrsp.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.LaunchException;
import io.ipdrsp.launcher.ProjectHome;
import io.ipdrsp.launcher.ZooKeeperServer;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Direction;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * One run of {@code ipdr demo}. Everything it starts is stopped by {@link #cleanup()}, which runs at the end, on a
 * failure, and from a shutdown hook on Ctrl-C/SIGTERM (the node JVMs also halt by themselves once this JVM is gone,
 * and the Cassandra script watches this JVM's pid, so even a kill -9 of the demo leaves nothing running).
 *
 * <p>Addresses: every node listens for CMTSes on 127.0.0.1; CMTS k dials from (or listens on) 127.0.1.k, and node n
 * dials from 127.0.2.n, because a CMTS that is dialed tells its collectors apart by source address only.
 */
final class DemoRun {
    private static final int NODES = 3;
    private static final int SESSION = 1;
    private static final String KEYSPACE = "ipdr_demo";

    private final DemoCommand.Options opts;
    private final PrintStream out;
    private final PrintStream err;
    private final long t0 = System.nanoTime();
    private final AtomicBoolean cleaned = new AtomicBoolean();
    private final List<DemoNode> nodes = new ArrayList<>();
    private volatile Path runDir;
    private volatile io.ipdrsp.node.security.GeneratedCredentials login;
    private volatile CassandraServer cassandra;
    private volatile ZooKeeperServer zooKeeper;
    private volatile Fleet fleet;
    private volatile boolean interrupted;
    private final java.util.Set<String> stoppedCmtses = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Failure of a step, with what the operator should look at. */
    private static final class DemoFailure extends RuntimeException {
        DemoFailure(String message) {
            super(message);
        }
    }

    DemoRun(DemoCommand.Options opts, PrintStream out, PrintStream err) {
        this.opts = opts;
        this.out = out;
        this.err = err;
    }

    int run() {
        quietEmbeddedZooKeeper();
        Thread hook = new Thread(() -> {
            interrupted = true;
            if (!cleaned.get()) {
                say("interrupted: stopping everything the demo started");
                cleanup();
            }
        }, "ipdr-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return demo();
        } catch (DemoFailure | LaunchException | UncheckedIOException e) {
            if (!interrupted) {
                err.println("ipdr demo: " + e.getMessage());
            }
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            cleanup();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running (Ctrl-C)
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- the story

    private int demo() throws InterruptedException {
        Path home = home();
        runDir = home.resolve("var").resolve("demo")
                .resolve("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + runDir, e);
        }
        // the nodes start secure, as the embedded default does: one generated login they all read, which this
        // process's own commands (ipdr audit below) and the operator's browser use
        login = io.ipdrsp.node.security.GeneratedCredentials.loadOrCreate(runDir.resolve("security"));
        NodeCredentials.useFile(login.file());
        Instant started = Instant.now();
        out.printf("ipdr demo: %d collector nodes, %d simulated CMTSes x %.0f records/s for %d s, kill -9 of the "
                + "primary after %d s%n", NODES, opts.cmtses(), opts.rate(), opts.duration().toSeconds(),
                killAt().toSeconds());
        out.println("  run folder: " + runDir + (opts.keep() ? " (kept)" : " (deleted at the end; --keep keeps it)"));

        boolean firstCassandra = !Files.isDirectory(home.resolve("infra/cassandra/target/lib"));
        say("starting Apache Cassandra 5.0.9 (durable commit log)" + (firstCassandra
                ? "; the first run fetches its jars with Maven (a minute or two)" : "") + " …");
        cassandra = CassandraServer.builder(runDir.resolve("cassandra")).durable(true).heap("-Xms256m -Xmx768m")
                .startTimeout(Duration.ofMinutes(firstCassandra ? 10 : 3)).start();
        say("Cassandra up on " + hostPort(cassandra.contactPoint()) + " in " + secs(cassandra.lastStartTime())
                + " (log " + runDir.relativize(cassandra.logFile()) + ")");
        zooKeeper = ZooKeeperServer.startEmbedded(runDir.resolve("zookeeper"), 0);
        say("ZooKeeper up on " + zooKeeper.connectString());

        Plan plan = plan();
        say("starting node-1, node-2, node-3 (one JVM each; logs " + runDir.getFileName() + "/node-N.log) …");
        nodes.forEach(DemoNode::start);
        for (DemoNode n : nodes) {
            if (!n.awaitReady(Duration.ofMinutes(3))) {
                throw new DemoFailure(n.id + " did not start; last lines of " + n.logFile() + ":\n" + n.tail(30));
            }
        }
        awaitCluster();
        say("cluster up:");
        for (DemoNode n : nodes) {
            out.printf("    %s  API %s/api/exporters  status page %s/status/  (pid %d)%n", n.id, n.api(), n.api(),
                    n.pid());
        }
        out.printf("    login: user %s, password %s (in %s)%n", login.user(), login.password(), login.file());

        fleet = Fleet.start(FleetSpec.of(plan.cmtses.toArray(CmtsSpec[]::new))
                .withLedgerFile(runDir.resolve("ledger.json")));
        for (CmtsSpec c : plan.cmtses) {
            say(String.format("%s %s, collectors node-1 (priority 1), node-2 (2), node-3 (3); SAMIS-TYPE-1 every %d s",
                    c.name(), c.direction() == Direction.CONNECT ? "dials the nodes (Cisco style)"
                            : "is dialed by the nodes (Arris style)", opts.interval().toSeconds()));
        }
        stream(plan);

        say("the CMTSes generated every record; waiting until each one is acknowledged …");
        long drainDeadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long lastAcked = fleet.ledger().totalAcked();
        boolean drained = false;
        while (!drained && System.nanoTime() < drainDeadline) {
            drained = fleet.awaitDrained(Duration.ofSeconds(3));
            stopFinishedCmtses(plan);
            long acked = fleet.ledger().totalAcked();
            say(String.format("acked %,d of %,d (%,.0f/s)  primary: %s", acked, plan.recordsPerCmts * opts.cmtses(),
                    (acked - lastAcked) / 3.0, primaries()));
            lastAcked = acked;
        }
        if (!drained) {
            say("not every record was acknowledged within 120 s; ending the run anyway");
        }
        Ledger ledger = fleet.ledger();
        fleet.close(); // SESSION_STOP 2 + DISCONNECT: the last documents end, the finalizer may judge them
        say("CMTSes stopped; waiting for the audit's verdicts (finalized " + 3 + " s after each document ends) …");
        DemoNode auditor = liveNode();
        Instant from = started.minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        Instant to = Instant.now().plus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        JsonNode report = awaitVerdicts(auditor, ledger, from, to);

        out.println();
        out.println("===== ipdr audit --node " + auditor.api() + " --from " + from + " --to " + to);
        new AuditCommand().run(List.of("--node", auditor.api(), "--from", from.toString(), "--to", to.toString()),
                out, err);
        out.println();
        return verdict(ledger, report);
    }

    /** Progress every 3 s while the CMTSes stream, with the kill -9 of the primary and its restart on the way. */
    private void stream(Plan plan) throws InterruptedException {
        long streamStart = System.nanoTime();
        long end = streamStart + opts.duration().toNanos();
        long killAt = streamStart + killAt().toNanos();
        long restartAt = killAt + restartAfter().toNanos();
        long lastAcked = 0;
        long lastAt = streamStart;
        DemoNode killed = null;
        Thread restarting = null;
        long expected = plan.recordsPerCmts * opts.cmtses();
        while (true) {
            long now = System.nanoTime();
            if (killed == null && now >= killAt) {
                killed = nodes.get(0); // priority 1 of every CMTS: the one the fleet prefers
                String primaryFor = sessionsOf(killed.id);
                long pid = killed.pid();
                killed.kill9();
                say("kill -9 " + killed.id + " (pid " + pid + "), priority 1 of every CMTS and primary for "
                        + primaryFor + ": the CMTSes fail over and re-send what it had not acknowledged");
            }
            if (killed != null && restarting == null && now >= restartAt) {
                DemoNode back = killed;
                say("starting " + back.id + " again (same config and ports) …");
                long r0 = System.nanoTime();
                back.start();
                restarting = new Thread(() -> {
                    try {
                        if (back.awaitReady(Duration.ofMinutes(3))) {
                            say(back.id + " is back (pid " + back.pid() + ") after "
                                    + secs(Duration.ofNanos(System.nanoTime() - r0))
                                    + "; the CMTSes fail back to it by themselves");
                        } else {
                            say(back.id + " did not come back; see " + back.logFile());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "demo-restart");
                restarting.setDaemon(true);
                restarting.start();
            }
            stopFinishedCmtses(plan);
            Ledger ledger = fleet.ledger();
            long acked = ledger.totalAcked();
            double perSecond = (acked - lastAcked) / Math.max(1e-3, (now - lastAt) / 1e9);
            lastAcked = acked;
            lastAt = now;
            say(String.format("acked %,d of %,d (%,.0f/s)  primary: %s", acked, expected, perSecond, primaries()));
            if (now >= end && generated(ledger) >= expected) {
                break;
            }
            long next = 3_000_000_000L; // the next progress line, or the kill / restart if it comes first
            if (killed == null) {
                next = Math.min(next, killAt - now);
            } else if (restarting == null) {
                next = Math.min(next, restartAt - now);
            }
            Thread.sleep(Math.max(1, next / 1_000_000));
        }
        if (restarting != null) {
            restarting.join(Duration.ofMinutes(3).toMillis());
        }
    }

    /**
     * Ends (SESSION_STOP 2, DISCONNECT) each CMTS whose records are all generated and acknowledged: a time-interval
     * session would otherwise open a new, empty document every interval until the whole fleet is done.
     */
    private void stopFinishedCmtses(Plan plan) {
        Ledger ledger = fleet.ledger();
        for (var c : fleet.cmtses()) {
            if (stoppedCmtses.contains(c.name())) {
                continue;
            }
            List<Ledger.Document> docs = ledger.documents(c.name(), SESSION);
            long generated = docs.stream().mapToLong(d -> d.generated().count()).sum();
            boolean drained = docs.stream().allMatch(d -> {
                var done = d.acked().copy();
                done.addAll(d.droppedDeclared());
                done.addAll(d.lostSilently());
                return done.equals(d.generated());
            });
            if (generated >= plan.recordsPerCmts && drained) {
                c.inject(io.ipdrsp.simulator.Fault.at(Duration.ZERO, io.ipdrsp.simulator.Fault.Action.STOP,
                        c.name()));
                stoppedCmtses.add(c.name());
                say(c.name() + ": all " + String.format("%,d", generated) + " records acknowledged; the CMTS ends "
                        + "its session (SESSION_STOP, DISCONNECT)");
            }
        }
    }

    private static long generated(Ledger ledger) {
        return ledger.documents().stream().mapToLong(d -> d.generated().count()).sum();
    }

    private Duration killAt() {
        return opts.duration().dividedBy(3);
    }

    private Duration restartAfter() {
        return Duration.ofSeconds(Math.max(8, opts.duration().toSeconds() / 6));
    }

    /** CMTS → its primary collector, as the CMTSes see it, grouped by node. */
    private String primaries() {
        Map<String, List<String>> byNode = new TreeMap<>();
        fleet.cmtses().stream().sorted(Comparator.comparing(c -> c.name())).forEach(c -> {
            String p = c.primaryCollector(SESSION);
            byNode.computeIfAbsent(p == null ? "none" : p, k -> new ArrayList<>()).add(c.name());
        });
        List<String> parts = new ArrayList<>();
        byNode.forEach((node, cmtses) -> parts.add(node + " <- " + String.join(" ", cmtses)));
        return String.join("  |  ", parts);
    }

    private String sessionsOf(String nodeId) {
        long n = fleet.cmtses().stream().filter(c -> nodeId.equals(c.primaryCollector(SESSION))).count();
        return n + " of " + fleet.cmtses().size() + " CMTSes";
    }

    private DemoNode liveNode() {
        return Stream.of(1, 2, 0).map(nodes::get).filter(DemoNode::isAlive).findFirst()
                .orElseThrow(() -> new DemoFailure("no node is running any more"));
    }

    /** Until every node's Hazelcast view has the three members (when the node serves /api/cluster). */
    private void awaitCluster() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (DemoNode n : nodes) {
                Optional<JsonNode> c = n.json("/api/cluster");
                if (c.isPresent() && c.get().path("members").size() < NODES) {
                    all = false;
                }
            }
            if (all) {
                return;
            }
            Thread.sleep(500);
        }
        throw new DemoFailure("the three nodes did not form one cluster within 90 s; see " + runDir + "/node-*.log");
    }

    // --------------------------------------------------------------------------------------------------- audit

    /** Polls the audit until every document the CMTSes sent records for is listed and none is OPEN. */
    private JsonNode awaitVerdicts(DemoNode auditor, Ledger ledger, Instant from, Instant to)
            throws InterruptedException {
        String path = "/api/audit?from=" + enc(from.toString()) + "&to=" + enc(to.toString());
        // documents the collectors can know of: some records were sent (after a drain, every generated one was)
        long expectedDocs = ledger.documents().stream().filter(d -> !d.sent().isEmpty()).count();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode last = null;
        String lastLine = "";
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> r = auditor.json(path);
            if (r.isPresent()) {
                last = r.get();
                int docs = 0;
                int open = 0;
                for (JsonNode e : last.path("exporters")) {
                    for (JsonNode d : e.path("documentList")) {
                        docs++;
                        if ("OPEN".equals(d.path("verdict").asText())) {
                            open++;
                        }
                    }
                }
                String line = "audit: " + docs + " documents, " + open + " still open (the CMTSes sent records in "
                        + expectedDocs + ")";
                if (!line.equals(lastLine)) {
                    say(line);
                    lastLine = line;
                }
                if (open == 0 && docs >= expectedDocs) {
                    return last;
                }
            }
            Thread.sleep(2000);
        }
        if (last == null) {
            throw new DemoFailure(auditor.id + " did not answer GET " + path);
        }
        say("some documents are still open after 120 s");
        return last;
    }

    /** Compares the audit with the simulator's ledger and prints the outcome; the exit status. */
    private int verdict(Ledger ledger, JsonNode report) {
        Map<String, JsonNode> audited = new LinkedHashMap<>();
        long held = 0;
        long duplicates = 0;
        long failovers = 0;
        Map<String, Integer> byVerdict = new TreeMap<>();
        for (JsonNode e : report.path("exporters")) {
            duplicates += e.path("duplicatesRemoved").asLong();
            failovers += e.path("failovers").asLong();
            for (JsonNode d : e.path("documentList")) {
                audited.put(docKey(d.path("exporter").asText(), d.path("sessionId").asInt(),
                        d.path("documentId").asText()), d);
                held += d.path("recordsHeld").asLong();
                byVerdict.merge(d.path("verdict").asText(), 1, Integer::sum);
            }
        }
        long deliverable = 0;
        long acked = 0;
        long resent = 0;
        long distinctSent = 0;
        int documents = 0;
        List<String> problems = new ArrayList<>();
        for (Ledger.Document d : ledger.documents()) {
            long want = d.deliverable().count();
            deliverable += want;
            acked += d.acked().count();
            resent += d.resentWithDuplicateFlag().count() + d.resentWithoutDuplicateFlag().count();
            distinctSent += d.sent().count();
            if (want == 0) {
                continue;
            }
            documents++;
            JsonNode a = audited.get(docKey(d.cmts(), d.sessionId(), d.documentId()));
            if (a == null) {
                problems.add(d.cmts() + " document " + d.documentId() + ": not in the audit");
            } else if (a.path("recordsHeld").asLong() != want) {
                problems.add(d.cmts() + " document " + d.documentId() + ": the CMTS delivered " + want
                        + " records, the audit holds " + a.path("recordsHeld").asLong());
            }
        }
        for (Map.Entry<String, JsonNode> e : audited.entrySet()) {
            String v = e.getValue().path("verdict").asText();
            if (!v.equals("COMPLETE") && !v.equals("COMPLETE_WITH_DECLARED_DROPS")) {
                problems.add(e.getKey() + ": verdict " + v);
            }
        }
        if (held != deliverable) {
            problems.add("the audit holds " + held + " records in total, the ledger says " + deliverable);
        }
        out.println("===== ledger (what the simulated CMTSes sent) vs audit (what the collectors hold)");
        // a DSN can be re-sent more than once (again at fail-back if still unacknowledged): every send after the
        // first that reached a collector holding the record is a duplicate it removes
        out.printf("  ledger: %d documents with records, %,d records to deliver, %,d acknowledged, %,d re-sent after "
                + "a hand-off (%,d sends beyond the first)%n", documents, deliverable, acked, resent,
                ledger.totalSent() - distinctSent);
        out.printf("  audit : %d documents %s, %,d records held, %,d duplicates removed, %d failovers%n",
                audited.size(), byVerdict, held, duplicates, failovers);
        if (problems.isEmpty()) {
            out.printf("PASS: every document complete, every record stored exactly once (%,d = %,d), the kill -9 "
                    + "cost nothing%n", held, deliverable);
            return 0;
        }
        out.println("FAIL:");
        problems.stream().limit(20).forEach(p -> out.println("  " + p));
        return 1;
    }

    private static String docKey(String exporter, int session, String documentId) {
        return exporter + "/" + session + "/" + documentId.toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------------------------------------------- plan

    /** The fleet and the nodes' configs. */
    private record Plan(List<CmtsSpec> cmtses, long recordsPerCmts) {
    }

    private Plan plan() {
        int[] api = new int[NODES + 1];
        int[] admin = new int[NODES + 1];
        int[] listen = new int[NODES + 1];
        int[] hz = new int[NODES + 1];
        for (int n = 1; n <= NODES; n++) {
            api[n] = port("127.0.0.1", 8100 + n);
            admin[n] = port("127.0.0.1", 8200 + n);
            listen[n] = port("127.0.0.1", 4800 + n);
            hz[n] = port("127.0.0.1", 5800 + n);
        }
        long records = Math.round(opts.rate() * opts.duration().toMillis() / 1000.0);
        SessionSpec session = SessionSpec.timeInterval(SESSION, Templates.SAMIS_TYPE_1, opts.interval())
                .withName("SAMIS").withRate(opts.rate()).withAcks(100, 10).withRecords(records);
        List<CmtsSpec> cmtses = new ArrayList<>();
        List<StringBuilder> exporters = new ArrayList<>();
        for (int n = 0; n <= NODES; n++) {
            exporters.add(new StringBuilder());
        }
        for (int k = 1; k <= opts.cmtses(); k++) {
            String name = String.format("cmts-%02d", k);
            String address = "127.0.1." + k;
            boolean dials = k % 2 == 1;
            List<CollectorSpec> collectors = new ArrayList<>();
            if (dials) { // Cisco: the CMTS connects to each collector from its own address
                for (int n = 1; n <= NODES; n++) {
                    collectors.add(CollectorSpec.at("127.0.0.1", listen[n], n).named("node-" + n));
                    exporters.get(n).append(String.format("  - {name: %s, address: %s, direction: listen, "
                            + "keepAliveSeconds: 5}%n", name, address));
                }
                cmtses.add(CmtsSpec.of(name, Direction.CONNECT, collectors, List.of(session))
                        .withListen(address, 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(500))
                        .withMac(0x001dcf100000L + k));
            } else { // Arris: the collectors connect to the CMTS, which knows them by source address
                int cmtsPort = port(address, 4737);
                for (int n = 1; n <= NODES; n++) {
                    collectors.add(CollectorSpec.at("127.0.2." + n, 0, n).named("node-" + n));
                    exporters.get(n).append(String.format("  - {name: %s, address: %s, port: %d, direction: connect, "
                            + "localAddress: 127.0.2.%d, keepAliveSeconds: 5, reconnectMinMillis: 200, "
                            + "reconnectMaxMillis: 2000}%n", name, address, cmtsPort, n));
                }
                cmtses.add(CmtsSpec.of(name, Direction.LISTEN, collectors, List.of(session))
                        .withListen(address, cmtsPort).withKeepAlive(5).withMac(0x001dcf100000L + k));
            }
        }
        String clusterName = "demo-" + ProcessHandle.current().pid();
        for (int n = 1; n <= NODES; n++) {
            List<String> members = new ArrayList<>();
            for (int m = 1; m <= NODES; m++) {
                if (m != n) {
                    members.add("\"127.0.0.1:" + hz[m] + "\"");
                }
            }
            String yaml = String.join("\n",
                    "node: {id: node-" + n + ", site: demo}",
                    "server:",
                    "  type: default",
                    "  applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: " + api[n] + "}]",
                    "  adminConnectors: [{type: http, bindHost: 127.0.0.1, port: " + admin[n] + "}]",
                    "  requestLog: {appenders: []}",
                    "logging:",
                    "  level: INFO",
                    "  loggers: {org.eclipse.jetty: WARN, org.glassfish: WARN, com.datastax: WARN, "
                            + "org.apache.zookeeper: WARN, org.apache.curator: WARN, com.hazelcast: WARN}",
                    "  appenders: [{type: console, target: stdout}]",
                    "listen: {address: 127.0.0.1, port: " + listen[n] + ", allow: [127.0.0.1]}",
                    "storage: {contactPoints: [\"" + hostPort(cassandra.contactPoint()) + "\"], keyspace: " + KEYSPACE
                            + ", consistency: ONE, stopFlowAfterSeconds: 10}",
                    "cluster: {clusterName: " + clusterName + ", hazelcastAddress: 127.0.0.1, hazelcastPort: " + hz[n]
                            + ", members: " + members + ", zooKeeper: \"" + zooKeeper.connectString()
                            + "\", zkNamespace: demo}",
                    // short grace: the demo wants its verdicts seconds after the last SESSION_STOP
                    "audit: {intervalSeconds: 2, graceSeconds: 3}",
                    "security: {generateCredentials: true, credentialsDir: \"" + login.file().getParent() + "\"}",
                    "exporters:",
                    exporters.get(n).toString());
            List<String> props = List.of(
                    "-Dhazelcast.heartbeat.interval.seconds=1",
                    "-Dhazelcast.max.no.heartbeat.seconds=6",
                    "-Dhazelcast.wait.seconds.before.join=1",
                    "-Dhazelcast.graceful.shutdown.max.wait=5",
                    "-Dhazelcast.phone.home.enabled=false");
            nodes.add(new DemoNode("node-" + n, runDir, yaml, api[n], admin[n], props));
        }
        return new Plan(cmtses, records);
    }

    /** The preferred port when it is free on the host (stable URLs from run to run), else any free one. */
    private static int port(String host, int preferred) {
        for (int p : new int[] {preferred, 0}) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(host, p));
                return s.getLocalPort();
            } catch (IOException taken) {
                // try the next
            }
        }
        throw new DemoFailure("no free port on " + host);
    }

    // ------------------------------------------------------------------------------------------------- cleanup

    /** Stops whatever was started, in reverse order; idempotent and safe from the shutdown hook. */
    void cleanup() {
        if (!cleaned.compareAndSet(false, true)) {
            return;
        }
        Fleet f = fleet;
        if (f != null) {
            try {
                f.close();
            } catch (RuntimeException e) {
                // stopping anyway
            }
        }
        List<DemoNode> running = nodes.stream().filter(DemoNode::isAlive).toList();
        if (!running.isEmpty()) {
            say("stopping " + running.stream().map(n -> n.id).toList() + ", ZooKeeper and Cassandra …");
        }
        running.forEach(DemoNode::terminate);
        for (DemoNode n : running) {
            try {
                n.awaitExit(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (zooKeeper != null) {
            try {
                zooKeeper.stop();
            } catch (RuntimeException e) {
                // stopping anyway
            }
        }
        if (cassandra != null) {
            if (opts.keep()) {
                cassandra.stop(); // graceful: the kept data starts again without commit log replay
            } else {
                cassandra.kill();
            }
        }
        Path dir = runDir;
        if (dir != null) {
            if (opts.keep()) {
                say("data kept in " + dir);
            } else {
                deleteRecursively(dir);
            }
        }
        say("stopped");
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a file still held open: left behind
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // nothing more to do
        }
    }

    // --------------------------------------------------------------------------------------------------- misc

    /**
     * The project checkout (it holds infra/ with the server scripts): ipdr.home / IPDR_HOME / the working directory
     * upwards, else where this class was loaded from (ops/tools/target/classes), so the demo runs from anywhere.
     */
    private static Path home() {
        try {
            return ProjectHome.locate();
        } catch (LaunchException notHere) {
            try {
                Path classes = Paths.get(DemoRun.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                Path root = classes.getParent().getParent().getParent().getParent();
                System.setProperty("ipdr.home", root.toString());
                return ProjectHome.locate();
            } catch (java.net.URISyntaxException | RuntimeException e) {
                throw notHere;
            }
        }
    }

    /**
     * The embedded ZooKeeper logs a warning for every client connection a kill -9 resets: expected here, and the
     * demo's output is for the story, not for library chatter (the nodes' own logs are in the run folder).
     */
    private static void quietEmbeddedZooKeeper() {
        if (org.slf4j.LoggerFactory.getLogger("org.apache.zookeeper") instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(ch.qos.logback.classic.Level.OFF);
        }
    }

    private synchronized void say(String line) {
        out.printf("[%6.1fs] %s%n", (System.nanoTime() - t0) / 1e9, line);
        out.flush();
    }

    private static String secs(Duration d) {
        return String.format("%.1f s", d.toMillis() / 1000.0);
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
