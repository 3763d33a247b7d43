package io.ipdrsp.bench;

import io.ipdrsp.simulator.Fleet;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The soak's {@code ROUND} lines, printed as it goes: per round of {@code --round}, the faults injected (by kind, and
 * skipped), the failovers the CMTSes made (from the ledger), DATA messages sent (re-sends included) and records
 * acknowledged, ack time-outs, the nodes' "could not be compared" warnings, and the load average.
 */
final class SoakRounds {
    private final SoakOptions options;
    private final Fleet fleet;
    private final SoakFaults faults;
    private final LongSupplier uncompared;
    private final long startNanos;
    private int round = 1;
    private int[] faultsBefore = new int[4];
    private long movesBefore;
    private long sentBefore;
    private long ackedBefore;
    private long timeoutsBefore;
    private long uncomparedBefore;

    SoakRounds(SoakOptions options, Fleet fleet, SoakFaults faults, LongSupplier uncompared, long startNanos) {
        this.options = options;
        this.fleet = fleet;
        this.faults = faults;
        this.uncompared = uncompared;
        this.startNanos = startNanos;
        this.sentBefore = fleet.ledger().totalSent();
        this.ackedBefore = fleet.ledger().totalAcked();
        this.movesBefore = SoakLedger.moves(fleet.ledger());
    }

    /** Sleeps until {@code until} ({@link System#nanoTime()}), printing a round line whenever a round ends. */
    void sleepUntil(long until) throws InterruptedException {
        while (true) {
            long roundEnd = startNanos + round * options.round().toNanos();
            if (roundEnd > until) {
                break;
            }
            Thread.sleep(Math.max(0, (roundEnd - System.nanoTime()) / 1_000_000));
            print();
        }
        Thread.sleep(Math.max(0, (until - System.nanoTime()) / 1_000_000));
    }

    /** The line of the last (possibly partial) round, when it saw any time. */
    void finish() {
        if (System.nanoTime() - (startNanos + (round - 1) * options.round().toNanos()) > 1_000_000_000L) {
            print();
        }
    }

    private void print() {
        int[] f = {faults.count(SoakFaults.Kind.KILL), faults.count(SoakFaults.Kind.SIGSTOP),
            faults.count(SoakFaults.Kind.CUT), faults.skipped()};
        long moves = SoakLedger.moves(fleet.ledger());
        long sent = fleet.ledger().totalSent();
        long acked = fleet.ledger().totalAcked();
        long timeouts = fleet.ackTimeouts();
        long unc = uncompared.getAsLong();
        System.out.printf(Locale.ROOT, "ROUND %d %s: faults %d (kill -9 %d, SIGSTOP %d, cut %d; skipped %d), failovers "
                        + "%d, DATA sent %,d (re-sends included), records acked %,d, ack time-outs %d, \"%s\" %d; load "
                        + "average %s%n", round,
                faults.clock(), f[0] + f[1] + f[2] - faultsBefore[0] - faultsBefore[1] - faultsBefore[2],
                f[0] - faultsBefore[0], f[1] - faultsBefore[1], f[2] - faultsBefore[2], f[3] - faultsBefore[3],
                moves - movesBefore, sent - sentBefore, acked - ackedBefore, timeouts - timeoutsBefore,
                ChaosSoak.UNCOMPARED, unc - uncomparedBefore, CpuSample.loadAverage());
        faultsBefore = f;
        movesBefore = moves;
        sentBefore = sent;
        ackedBefore = acked;
        timeoutsBefore = timeouts;
        uncomparedBefore = unc;
        round++;
    }
}
