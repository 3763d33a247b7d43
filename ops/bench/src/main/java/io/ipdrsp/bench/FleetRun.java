package io.ipdrsp.bench;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.Ledger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One fleet size: a fresh node, the fleet dialing in, every session streaming, then {@code boundaries} aligned
 * interval boundaries measured (each starts a new document on every time-interval session at once); then the fleet
 * stops and {@link FleetAudit} waits for every document to be finalized and compares the audit with the ledger.
 */
final class FleetRun {
    private FleetRun() {
    }

    static FleetResult run(FleetOptions o, int cmtses, Path dir, CassandraServer cassandra) throws Exception {
        Files.createDirectories(dir);
        int sessions = FleetTraffic.totalSessions(o, cmtses);
        System.out.printf(Locale.ROOT, "%n== %d CMTSes, %d sessions, %.0f records/s offered, interval %d s ==%n",
                cmtses, sessions, o.rate(), o.interval().toSeconds());
        try (FleetNode node = FleetNode.start(o, cmtses, dir, cassandra)) {
            System.out.println("node pid " + node.pid() + ", IPDR/SP on " + node.jvm.listenPort() + ", load average "
                    + CpuSample.loadAverage());
            Clock clock = new Clock();
            Ledger ledger;
            FleetResult.Window w;
            long ackTimeouts;
            try (Fleet fleet = Fleet.start(FleetTraffic.spec(o, cmtses, node.jvm.listenPort()))) {
                ledger = fleet.ledger();
                long streaming = awaitStreaming(fleet, sessions, clock);
                w = window(o, node, fleet, clock);
                ackTimeouts = fleet.ackTimeouts();
                System.out.printf(Locale.ROOT, "every session streaming %.1f s after the fleet started%n",
                        streaming / 1e3);
            }
            // after the fleet stopped: a snapshot taken before missed the records its CMTSes sent while stopping
            // (81 documents "held 11, sent 10" in one run)
            List<Ledger.Document> docs = ledger.documents();
            long stoppedAtMillis = System.currentTimeMillis();
            FleetResult.Startup startup = FleetResult.Startup.of(docs, clock);
            List<FleetResult.Boundary> boundaries = new ArrayList<>();
            for (long b : w.boundaries()) {
                boundaries.add(FleetResult.Boundary.of(b, docs, clock, o.interval().toMillis()));
            }
            FleetAudit.Result audit = FleetAudit.await(o, cassandra, node.keyspace, docs, w.boundaries(),
                    stoppedAtMillis);
            System.out.println("node log: " + node.warnings());
            return new FleetResult(cmtses, sessions, startup, boundaries, w, ackTimeouts, audit);
        }
    }

    /** Waits until every session has sent DATA (connected, handshake, templates, SESSION_START); ms after start. */
    private static long awaitStreaming(Fleet fleet, int sessions, Clock clock) throws InterruptedException {
        long deadline = System.nanoTime() + 600_000_000_000L;
        long lastPrint = 0;
        while (true) {
            long streaming = fleet.ledger().documents().stream().filter(d -> d.firstSentNanos() != 0)
                    .map(d -> d.cmts() + "/" + d.sessionId()).distinct().count();
            long now = System.nanoTime();
            if (streaming >= sessions) {
                return (now - clock.startNanos) / 1_000_000;
            }
            if (now > deadline) {
                throw new IllegalStateException(streaming + " of " + sessions + " sessions streaming after 600 s");
            }
            if (now - lastPrint > 10_000_000_000L) {
                System.out.printf("  %3d s: %d of %d sessions streaming, %,d records acked%n",
                        (now - clock.startNanos) / 1_000_000_000L, streaming, sessions, fleet.ledger().totalAcked());
                lastPrint = now;
            }
            Thread.sleep(500);
        }
    }

    /** The measured window: from every session streaming to half an interval after the last boundary measured. */
    private static FleetResult.Window window(FleetOptions o, FleetNode node, Fleet fleet, Clock clock)
            throws Exception {
        long interval = o.interval().toMillis();
        long first = (System.currentTimeMillis() / interval + 1) * interval;
        List<Long> boundaries = new ArrayList<>();
        for (int i = 0; i < o.boundaries(); i++) {
            boundaries.add(first + i * interval);
        }
        long end = boundaries.get(boundaries.size() - 1) + interval / 2;
        String scrape0 = node.scrape();
        long cpu0 = CpuSample.procCpu(node.pid());
        long acked0 = fleet.ledger().totalAcked();
        long t0 = System.nanoTime();
        String load0 = CpuSample.loadAverage();
        if (o.jfr() != null) {
            node.jcmd("JFR.start", "name=fleet", "settings=profile");
        }
        while (System.currentTimeMillis() < end) {
            Thread.sleep(Math.min(10_000, Math.max(1, end - System.currentTimeMillis())));
            String scrape = node.scrape();
            System.out.printf(Locale.ROOT, "  %3d s: %,d records acked, %d ack timeouts, node: %,.0f records in flight,"
                            + " %,.0f FLOW_STOPs; load average %s%n",
                    (System.nanoTime() - clock.startNanos) / 1_000_000_000L, fleet.ledger().totalAcked(),
                    fleet.ackTimeouts(), node.metric(scrape, "ipdr_records_in_flight"),
                    node.metric(scrape, "ipdr_flow_stops_total"), CpuSample.loadAverage());
        }
        if (o.jfr() != null) {
            Path file = o.jfr().toAbsolutePath().resolveSibling(o.jfr().getFileName() + "-" + fleet.cmtses().size()
                    + ".jfr");
            Files.createDirectories(file.getParent());
            node.jcmd("JFR.stop", "name=fleet", "filename=" + file);
            System.out.println("JFR recording of the window: " + file);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long cpu1 = CpuSample.procCpu(node.pid());
        long acked = fleet.ledger().totalAcked() - acked0;
        String scrape1 = node.scrape();
        String load1 = CpuSample.loadAverage();
        long rss = node.rssMiB();
        long heap = node.heapAfterGcMiB();
        double plain = node.metric(scrape1, "ipdr_dedup_plain_writes_total");
        double checked = node.metric(scrape1, "ipdr_dedup_checked_writes_total");
        double rebuilds = node.metric(scrape1, "ipdr_dedup_rebuilds_total");
        double stored = node.metric(scrape1, "ipdr_records_stored_total")
                - node.metric(scrape0, "ipdr_records_stored_total");
        return new FleetResult.Window(boundaries, seconds, acked, (cpu1 - cpu0) / 1e9, rss, heap, plain, checked,
                rebuilds, stored, load0, load1);
    }

    /** The run's clock: nanoTime of the fleet's start, and the wall-clock time of a nanoTime. */
    static final class Clock {
        final long startNanos = System.nanoTime();
        private final long wallMinusNanoMillis = System.currentTimeMillis() - startNanos / 1_000_000;

        long wallMillis(long nanos) {
            return nanos / 1_000_000 + wallMinusNanoMillis;
        }
    }
}
