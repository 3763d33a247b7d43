package io.ipdrsp.simulator;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running fleet of simulated CMTSes sharing one Netty event-loop group. Start one with {@link #start(FleetSpec)},
 * inject faults with {@link #inject(Fault)} (the spec's timeline is scheduled automatically), wait with
 * {@link #awaitAcked} / {@link #awaitFinished}, read {@link #ledger()} at any time and {@link #close()} at the end
 * (graceful SESSION_STOP 2 + DISCONNECT, ledger written if the spec names a file).
 */
public final class Fleet implements AutoCloseable {
    private final FleetSpec spec;
    private final EventLoopGroup group;
    private final Ledger ledger;
    private final AckLatency ackLatency = new AckLatency();
    private final Map<String, SimulatedCmts> cmtses = new LinkedHashMap<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Object ackMonitor = new Object();
    private final java.util.concurrent.atomic.AtomicLong ackTimeouts = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    private Fleet(FleetSpec spec) {
        this.spec = spec;
        this.ledger = new Ledger(spec.recordDigests());
        this.group = new NioEventLoopGroup(spec.eventLoopThreads(), new DefaultThreadFactory("ipdr-sim", true));
    }

    /** Starts every CMTS (listeners bound, outbound connections under way) and schedules the timeline. */
    public static Fleet start(FleetSpec spec) {
        Fleet f = new Fleet(spec);
        try {
            List<CompletableFuture<Void>> started = new ArrayList<>();
            for (CmtsSpec c : spec.cmtses()) {
                SimulatedCmts cmts = new SimulatedCmts(c, f.group.next(), f, f.ledger, spec.templates());
                f.cmtses.put(c.name(), cmts);
                started.add(cmts.start());
            }
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            f.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("fleet did not start: " + cause, cause);
        }
        for (Fault fault : spec.timeline()) {
            f.group.schedule(() -> f.inject(fault), fault.at().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (spec.duration() != null) {
            f.group.schedule(f.finished::countDown, spec.duration().toNanos(), TimeUnit.NANOSECONDS);
        }
        return f;
    }

    public FleetSpec spec() {
        return spec;
    }

    public Ledger ledger() {
        return ledger;
    }

    /** DATA-write → covering DATA_ACK latency of every acknowledged record (reset it after a warm-up). */
    public AckLatency ackLatency() {
        return ackLatency;
    }

    public List<SimulatedCmts> cmtses() {
        return List.copyOf(cmtses.values());
    }

    public SimulatedCmts cmts(String name) {
        SimulatedCmts c = cmtses.get(name);
        if (c == null) {
            throw new NoSuchElementException("no CMTS named " + name);
        }
        return c;
    }

    /** Applies a fault now to the CMTS it names ("*" = all). */
    public void inject(Fault fault) {
        for (SimulatedCmts c : cmtses.values()) {
            if (fault.cmts().equals("*") || fault.cmts().equals(c.name())) {
                c.inject(fault);
            }
        }
    }

    /** Waits until at least {@code records} records were acknowledged over the whole fleet. */
    public boolean awaitAcked(long records, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (ackMonitor) {
            while (ledger.totalAcked() < records) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                ackMonitor.wait(Math.max(1, Math.min(50, left / 1_000_000)));
            }
        }
        return true;
    }

    /** Waits until {@code condition} holds for the ledger (polled every 20 ms). */
    public boolean awaitLedger(java.util.function.Predicate<Ledger> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(ledger)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * Waits until every record generated so far is accounted for: acknowledged, dropped (declared) or lost. Meant
     * for sessions with a {@code records} cap, after which nothing new is generated.
     */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        return awaitLedger(l -> l.documents().stream().allMatch(d -> {
            RangeSet done = d.acked().copy();
            done.addAll(d.droppedDeclared());
            done.addAll(d.lostSilently());
            return done.equals(d.generated());
        }), timeout);
    }

    /** Waits for the end of the spec's duration (returns at once after {@link #close()}). */
    public void awaitFinished() throws InterruptedException {
        finished.await();
    }

    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * How often a session of the fleet waited longer than its ackTimeInterval for a DATA_ACK and stopped the
     * session on that collector (a real CMTS then fails over, or stays away from a sole collector).
     */
    public long ackTimeouts() {
        return ackTimeouts.get();
    }

    void ackTimedOut() {
        ackTimeouts.incrementAndGet();
    }

    void acked() {
        synchronized (ackMonitor) {
            ackMonitor.notifyAll();
        }
    }

    /** Stops every CMTS gracefully, writes the ledger if the spec names a file, releases the threads. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (SimulatedCmts c : cmtses.values()) {
            stops.add(c.stop());
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            Thread.sleep(100); // let the last SESSION_STOP / DISCONNECT bytes leave
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            // best effort: the group shuts down anyway
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        finished.countDown();
        if (spec.ledgerFile() != null) {
            ledger.writeJson(spec.ledgerFile());
        }
    }
}
