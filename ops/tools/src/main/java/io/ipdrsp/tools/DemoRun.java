package io.ipdrsp.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipdrsp.launcher.LaunchException;
import io.ipdrsp.launcher.NodeJvm;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.Direction;
import io.ipdrsp.simulator.Fault;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.Ledger;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One run of {@code ipdr demo}: the story (start, stream with a kill -9 and a restart, drain, audit, verdict). The
 * parts are {@link DemoInfra} (servers, folder), {@link DemoPlan} (fleet and node configs), {@link DemoCluster} (the
 * node JVMs) and {@link DemoVerdict} (audit against ledger). Everything started is stopped by {@link #cleanup()}, at
 * the end, on a failure, and from a shutdown hook on Ctrl-C/SIGTERM (the node JVMs also halt by themselves once this
 * JVM is gone, so even a kill -9 of the demo leaves nothing running).
 */
final class DemoRun {
    private final DemoCommand.Options opts;
    private final PrintStream out;
    private final PrintStream err;
    private final long t0 = System.nanoTime();
    private final AtomicBoolean cleaned = new AtomicBoolean();
    private final Set<String> stoppedCmtses = ConcurrentHashMap.newKeySet();
    private volatile DemoInfra infra;
    private volatile DemoCluster cluster;
    private volatile Fleet fleet;
    private volatile boolean interrupted;

    /** Failure of a step, with what the operator should look at. */
    static final class DemoFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

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

    private int demo() throws InterruptedException {
        infra = new DemoInfra(Checkout.home(), opts.keep(), this::say);
        Instant started = Instant.now();
        out.printf("ipdr demo: %d collector nodes, %d simulated CMTSes x %.0f records/s for %d s, kill -9 of the "
                + "primary after %d s%n", DemoPlan.NODES, opts.cmtses(), opts.rate(), opts.duration().toSeconds(),
                killAt().toSeconds());
        out.println("  run folder: " + infra.runDir + (opts.keep() ? " (kept)" : " (deleted at the end; --keep keeps it)"));
        infra.start();

        java.nio.file.Path security = infra.runDir.resolve("security");
        DemoPlan plan = DemoPlan.of(opts, infra.cassandraHostPort(), infra.zooKeeperConnect(), security);
        cluster = new DemoCluster(plan.nodes(), infra.runDir, infra.home);
        say("starting node-1, node-2, node-3 (one JVM each; logs " + infra.runDir.getFileName() + "/node-N.log) …");
        cluster.start(Duration.ofMinutes(3));
        cluster.awaitOneCluster(Duration.ofSeconds(90), infra.runDir);
        // the login the nodes generated (the first to start wrote it; all read it): this process's own requests and
        // the audit below use it, and so can the operator's browser
        java.nio.file.Path login = security.resolve("admin.credentials");
        NodeCredentials.useFile(login);
        say("cluster up (login: " + NodeCredentials.read(login).map(a -> "user " + a.getUserName() + ", password "
                + new String(a.getPassword())).orElse("?") + ", kept in " + infra.runDir.relativize(login) + "):");
        for (NodeJvm n : cluster.nodes) {
            out.printf("    %s  API %s/api/exporters  status page %s/status/  (pid %d)%n", n.id(), n.api(), n.api(),
                    n.pid());
        }

        fleet = Fleet.start(FleetSpec.of(plan.cmtses().toArray(CmtsSpec[]::new))
                .withLedgerFile(infra.runDir.resolve("ledger.json")));
        for (CmtsSpec c : plan.cmtses()) {
            say(String.format("%s %s, collectors node-1 (priority 1), node-2 (2), node-3 (3); SAMIS-TYPE-1 every %d s",
                    c.name(), c.direction() == Direction.CONNECT ? "dials the nodes (Cisco style)"
                            : "is dialed by the nodes (Arris style)", opts.interval().toSeconds()));
        }
        stream(plan);
        drain(plan);

        Ledger ledger = fleet.ledger();
        fleet.close(); // SESSION_STOP 2 + DISCONNECT: the last documents end, the finalizer may judge them
        say("CMTSes stopped; waiting for the audit's verdicts (finalized 3 s after each document ends) …");
        NodeJvm auditor = cluster.liveNode();
        Instant from = started.minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        Instant to = Instant.now().plus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        DemoVerdict verdict = new DemoVerdict(out, this::say);
        JsonNode report = verdict.awaitVerdicts(auditor, ledger, from, to);

        out.println();
        out.println("===== ipdr audit --node " + auditor.api() + " --from " + from + " --to " + to);
        Main.run(new String[] {"audit", "--node", auditor.api(), "--from", from.toString(), "--to", to.toString()},
                out, err);
        out.println();
        return verdict.verdict(ledger, report);
    }

    /** Progress every 3 s while the CMTSes stream, with the kill -9 of the primary and its restart on the way. */
    private void stream(DemoPlan plan) throws InterruptedException {
        long streamStart = System.nanoTime();
        long end = streamStart + opts.duration().toNanos();
        long killAt = streamStart + killAt().toNanos();
        long restartAt = killAt + restartAfter().toNanos();
        long lastAcked = 0;
        long lastAt = streamStart;
        NodeJvm killed = null;
        Thread restarting = null;
        long expected = plan.recordsPerCmts() * opts.cmtses();
        while (true) {
            long now = System.nanoTime();
            if (killed == null && now >= killAt) {
                killed = cluster.node(1); // priority 1 of every CMTS: the one the fleet prefers
                String primaryFor = sessionsOf(killed.id());
                long pid = killed.pid();
                killed.kill9();
                say("kill -9 " + killed.id() + " (pid " + pid + "), priority 1 of every CMTS and primary for "
                        + primaryFor + ": the CMTSes fail over and re-send what it had not acknowledged");
            }
            if (killed != null && restarting == null && now >= restartAt) {
                restarting = restart(killed);
            }
            stopFinishedCmtses(plan);
            long acked = fleet.ledger().totalAcked();
            double perSecond = (acked - lastAcked) / Math.max(1e-3, (now - lastAt) / 1e9);
            lastAcked = acked;
            lastAt = now;
            say(String.format("acked %,d of %,d (%,.0f/s)  primary: %s", acked, expected, perSecond, primaries()));
            if (now >= end && generated(fleet.ledger()) >= expected) {
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

    /** Starts the killed node again (same config and ports) and reports when it is back, on a thread of its own. */
    private Thread restart(NodeJvm node) {
        say("starting " + node.id() + " again (same config and ports) …");
        long r0 = System.nanoTime();
        node.start();
        Thread t = new Thread(() -> {
            try {
                node.awaitUp(Duration.ofMinutes(3));
                say(node.id() + " is back (pid " + node.pid() + ") after " + String.format("%.1f s",
                        (System.nanoTime() - r0) / 1e9) + "; the CMTSes fail back to it by themselves");
            } catch (LaunchException e) {
                say(node.id() + " did not come back: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-restart");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Until every generated record is acknowledged (or 120 s), with a progress line every 3 s. */
    private void drain(DemoPlan plan) throws InterruptedException {
        say("the CMTSes generated every record; waiting until each one is acknowledged …");
        long drainDeadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long lastAcked = fleet.ledger().totalAcked();
        boolean drained = false;
        while (!drained && System.nanoTime() < drainDeadline) {
            drained = fleet.awaitDrained(Duration.ofSeconds(3));
            stopFinishedCmtses(plan);
            long acked = fleet.ledger().totalAcked();
            say(String.format("acked %,d of %,d (%,.0f/s)  primary: %s", acked,
                    plan.recordsPerCmts() * opts.cmtses(), (acked - lastAcked) / 3.0, primaries()));
            lastAcked = acked;
        }
        if (!drained) {
            say("not every record was acknowledged within 120 s; ending the run anyway");
        }
    }

    /**
     * Ends (SESSION_STOP 2, DISCONNECT) each CMTS whose records are all generated and acknowledged: a time-interval
     * session would otherwise open a new, empty document every interval until the whole fleet is done.
     */
    private void stopFinishedCmtses(DemoPlan plan) {
        Ledger ledger = fleet.ledger();
        for (var c : fleet.cmtses()) {
            if (stoppedCmtses.contains(c.name())) {
                continue;
            }
            List<Ledger.Document> docs = ledger.documents(c.name(), DemoPlan.SESSION);
            long generated = docs.stream().mapToLong(d -> d.generated().count()).sum();
            boolean drained = docs.stream().allMatch(d -> {
                var done = d.acked().copy();
                done.addAll(d.droppedDeclared());
                done.addAll(d.lostSilently());
                return done.equals(d.generated());
            });
            if (generated >= plan.recordsPerCmts() && drained) {
                c.inject(Fault.at(Duration.ZERO, Fault.Action.STOP, c.name()));
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
            String p = c.primaryCollector(DemoPlan.SESSION);
            byNode.computeIfAbsent(p == null ? "none" : p, k -> new ArrayList<>()).add(c.name());
        });
        List<String> parts = new ArrayList<>();
        byNode.forEach((node, cmtses) -> parts.add(node + " <- " + String.join(" ", cmtses)));
        return String.join("  |  ", parts);
    }

    private String sessionsOf(String nodeId) {
        long n = fleet.cmtses().stream().filter(c -> nodeId.equals(c.primaryCollector(DemoPlan.SESSION))).count();
        return n + " of " + fleet.cmtses().size() + " CMTSes";
    }

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
        DemoCluster c = cluster;
        if (c != null) {
            List<String> running = c.nodes.stream().filter(NodeJvm::isAlive).map(NodeJvm::id).toList();
            if (!running.isEmpty()) {
                say("stopping " + running + ", ZooKeeper and Cassandra …");
            }
            c.stopAll();
        }
        if (infra != null) {
            infra.stop();
        }
        say("stopped");
    }

    private synchronized void say(String line) {
        out.printf("[%6.1fs] %s%n", (System.nanoTime() - t0) / 1e9, line);
        out.flush();
    }
}
