package io.ipdrsp.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures one phase of an ingest round the same way whatever makes the records durable (the collector fed by the
 * simulator, or the ceiling's writer): the first {@code records} from the source's start ("first contact"), then,
 * after a warm-up, the steady state over a window with a progress line (rate, RSS) every {@code progress}.
 */
final class IngestRun {
    /** Something that makes records durable from the moment it is created until closed. */
    interface Source extends AutoCloseable {
        /** Records durable (acknowledged, or stored) so far. */
        long done();
    }

    /** A phase's first contact and steady state. */
    record Measured(PhaseFigures first, PhaseFigures steady) {
    }

    /** Something that starts a {@link Source}. */
    interface Starter {
        Source start() throws Exception;
    }

    private final IngestOptions o;
    private final int round;
    private final long nodePid;
    private final long cassandraPid;
    private final Duration duration;

    /** {@code nodePid} ≤ 0: no node (the ceiling). */
    IngestRun(IngestOptions o, int round, long nodePid, long cassandraPid, Duration duration) {
        this.o = o;
        this.round = round;
        this.nodePid = nodePid;
        this.cassandraPid = cassandraPid;
        this.duration = duration;
    }

    Measured measure(String name, Starter starter) throws Exception {
        PhaseFigures.Instant start = take(0);
        try (Source source = starter.start()) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (source.done() < o.records()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + ": only " + source.done() + " of " + o.records()
                            + " records durable after 10 minutes");
                }
                LockSupport.parkNanos(1_000_000); // 1 ms resolution on the last ack, a negligible cost
            }
            PhaseFigures first = PhaseFigures.between(name + " first contact", start, take(source.done()));
            System.out.println("  " + first.describe());
            Thread.sleep(o.warmup().toMillis());
            PhaseFigures.Instant from = take(source.done());
            jfr(true, name);
            PhaseFigures.Instant last = from;
            long end = from.nanos() + duration.toNanos();
            long every = Math.max(1, Math.min(o.progress().toNanos(), duration.toNanos()));
            for (long next = from.nanos() + every; ; next = Math.min(end, next + every)) {
                LockSupport.parkNanos(next - System.nanoTime());
                PhaseFigures.Instant now = take(source.done());
                progress(now, last);
                last = now;
                if (now.nanos() >= end) {
                    break;
                }
            }
            jfr(false, name);
            PhaseFigures steady = PhaseFigures.between(name + " steady state", from, last);
            System.out.println("  " + steady.describe());
            return new Measured(first, steady);
        }
    }

    private PhaseFigures.Instant take(long done) {
        return PhaseFigures.Instant.take(done, nodePid, cassandraPid);
    }

    private static void progress(PhaseFigures.Instant now, PhaseFigures.Instant last) {
        double s = (now.nanos() - last.nanos()) / 1e9;
        System.out.printf(Locale.ROOT, "    %,.0f records/s over %.0f s; RSS node %s, Cassandra %d MiB; load %s%n",
                (now.done() - last.done()) / s, s, now.node() == null ? "-" : now.node().rssKb() / 1024 + " MiB",
                now.cassandra().rssKb() / 1024, now.load());
    }

    /** JFR of the node (if any) and Cassandra over the steady window, when {@code --jfr DIR} asks for it. */
    private void jfr(boolean start, String phase) throws Exception {
        if (o.jfr() == null) {
            return;
        }
        Path dir = o.jfr().toAbsolutePath();
        Files.createDirectories(dir);
        Map<String, Long> targets = new LinkedHashMap<>();
        if (nodePid > 0) {
            targets.put("node", nodePid);
        }
        targets.put("cassandra", cassandraPid);
        for (var t : targets.entrySet()) {
            if (start) {
                CollectorPhase.jcmd(t.getValue(), "JFR.start", "name=ingest", "settings=profile");
            } else {
                Path file = dir.resolve("round-" + round + "-" + phase + "-" + t.getKey() + ".jfr");
                CollectorPhase.jcmd(t.getValue(), "JFR.stop", "name=ingest", "filename=" + file);
                System.out.println("  JFR recording of the steady window: " + file);
            }
        }
    }
}
