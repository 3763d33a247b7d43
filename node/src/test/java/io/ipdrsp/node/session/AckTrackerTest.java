package io.ipdrsp.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AckTrackerTest {
    private static final long MS = 1_000_000L;

    @Test
    void acksOnlyTheDurablePrefixInArrivalOrder() {
        AckTracker t = new AckTracker(4, 60);
        long a = t.received(10, 0);
        long b = t.received(11, 0);
        long c = t.received(12, 0);
        long d = t.received(13, 0);
        t.durable(b);
        t.durable(c);
        t.durable(d);
        assertThat(t.ackValue()).isEqualTo(-1);
        assertThat(t.ackDue(0)).isFalse();
        t.durable(a);
        assertThat(t.ackValue()).isEqualTo(13);
        assertThat(t.ackDue(0)).isTrue();
        t.acked(0);
        assertThat(t.lastAcked()).isEqualTo(13);
        assertThat(t.ackDue(0)).isFalse();
        assertThat(t.unacked()).isZero();
    }

    @Test
    void sequenceTriggerFiresBeforeTheExportersWindowIsFull() {
        AckTracker t = new AckTracker(8, 60);
        for (int i = 0; i < 5; i++) {
            t.durable(t.received(i, 0));
        }
        assertThat(t.ackDue(0)).as("5 of 8").isFalse();
        t.durable(t.received(5, 0));
        assertThat(t.ackDue(0)).as("6 of 8 = 8 - 8/4").isTrue();
        assertThat(t.ackValue()).isEqualTo(5);
    }

    @Test
    void deadlineFiresEarlyByAMarginAndNeverBeforeDurability() {
        AckTracker t = new AckTracker(1000, 10); // margin 1 s: due at 9 s
        long first = t.received(0, 0);
        // DATA keeps arriving every 100 ms (never quiet), far below the sequence trigger
        for (int i = 1; i <= 95; i++) {
            t.received(i, i * 100 * MS);
        }
        assertThat(t.nextDeadline()).isEqualTo(9000 * MS);
        assertThat(t.ackDue(9100 * MS)).as("not durable yet").isFalse();
        t.durable(first);
        assertThat(t.ackDue(8900 * MS)).isFalse();
        assertThat(t.ackDue(9000 * MS)).isTrue();
        assertThat(t.ackValue()).isZero();
        t.acked(9000 * MS);
        // the exporter times its ackTimeInterval from the last DATA_ACK it got (SP 2.1 §2.12.1): the next
        // time-based ack comes one period later, well inside that
        t.durable(1);
        assertThat(t.ackDue(9500 * MS)).isFalse();
        assertThat(t.nextDeadline()).isEqualTo(10_000 * MS);
        assertThat(t.ackDue(10_000 * MS)).isTrue();
    }

    @Test
    void theTailIsAckedSoonAfterItBecomesDurableWhenNoMoreDataArrives() {
        AckTracker t = new AckTracker(150, 60); // ackTimeInterval 60 s: the deadline alone would wait 58 s
        for (int i = 0; i < 40; i++) {
            t.durable(t.received(i, i * MS));
        }
        assertThat(t.ackDue(100 * MS)).as("still streaming a moment ago").isFalse();
        long quietAt = 39 * MS + AckTracker.QUIET_NANOS;
        assertThat(t.nextDeadline()).isEqualTo(quietAt);
        assertThat(t.ackDue(quietAt)).isTrue();
        assertThat(t.ackValue()).isEqualTo(39);
        t.acked(quietAt);
        assertThat(t.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void timeBasedAcksAreCoalescedToOnePerPeriod() {
        AckTracker t = new AckTracker(1000, 1); // reference exporter: 1 s; period = 750 ms
        assertThat(t.periodNanos()).isEqualTo(750 * MS);
        t.durable(t.received(0, 0));
        assertThat(t.ackDue(750 * MS)).isTrue();
        t.acked(750 * MS);
        t.durable(t.received(1, 10 * MS));
        assertThat(t.ackDue(800 * MS)).as("overdue, but an ack went out 50 ms ago").isFalse();
        assertThat(t.nextDeadline()).isEqualTo(1500 * MS);
        assertThat(t.ackDue(1500 * MS)).isTrue();
    }

    @Test
    void marginIsTenPercentBoundedBy250msAnd2sAndHalfTheInterval() {
        assertThat(AckTracker.margin(1000)).isEqualTo(250);
        assertThat(AckTracker.margin(400)).isEqualTo(200);
        assertThat(AckTracker.margin(10_000)).isEqualTo(1000);
        assertThat(AckTracker.margin(60_000)).isEqualTo(2000);
    }

    @Test
    void afterAnAckTheDeadlineRestartsFromTheOldestStillPendingArrival() {
        AckTracker t = new AckTracker(100, 10);
        long first = t.received(0, 0);
        long second = t.received(1, 3000 * MS);
        t.durable(first);
        t.acked(9000 * MS);
        assertThat(t.lastAcked()).isZero();
        // the quiet tail rule (3.25 s) is not before the next ack period (10 s)
        assertThat(t.nextDeadline()).isEqualTo(10_000 * MS);
        t.durable(second);
        assertThat(t.ackDue(9500 * MS)).isFalse();
        assertThat(t.ackDue(10_000 * MS)).isTrue();
    }

    @Test
    void resentRecordsBelowTheAckPointNeverMoveItBackwards() {
        AckTracker t = new AckTracker(2, 60);
        t.durable(t.received(5, 0));
        t.durable(t.received(6, 0));
        t.acked(0);
        t.durable(t.received(3, 0)); // a re-send below what was acked
        assertThat(t.ackValue()).isEqualTo(6);
        assertThat(t.ackDue(Long.MAX_VALUE / 2)).isFalse();
    }

    @Test
    void randomCompletionOrderNeverAcksAPendingRecord() {
        Random r = new Random(42);
        for (int round = 0; round < 200; round++) {
            AckTracker t = new AckTracker(1 + r.nextInt(50), 1 + r.nextInt(5));
            int n = 1 + r.nextInt(300);
            List<Long> tickets = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                tickets.add(t.received(i, 0));
            }
            Collections.shuffle(tickets, r);
            boolean[] done = new boolean[n];
            for (long tk : tickets) {
                t.durable(tk);
                done[(int) tk] = true;
                long v = t.ackValue();
                for (int k = 0; k <= v; k++) {
                    assertThat(done[k]).as("ack %d covers pending %d", v, k).isTrue();
                }
                if (t.ackDue(0)) {
                    t.acked(0);
                }
            }
            assertThat(t.ackValue()).isEqualTo(n - 1);
        }
    }

    /**
     * Both bounds of the ack policy over whole simulated streams, on a 1 ms clock: records arrive at a steady rate,
     * each becomes durable after a random write lag, and the owner asks after every completion and at every tick
     * (the worst case: each completion may send an ack). The number of DATA_ACKs stays within one per sequence
     * trigger plus one per ack period, and the tail is acked within a second of its last record becoming durable.
     */
    @Test
    void ackCountAndTailLatencyStayWithinTheirBoundsUnderAnyWriteLag() {
        // the storm: ackTimeInterval 1 s and writes lagging 0.5-3 s (5,927 acks for 20,000 records before)
        Stream storm = simulate(5000, 1, 20_000, 10, 500, 3000, 1);
        // the late tail: ackTimeInterval 60 s, acks every 150 records, fast writes
        Stream tail = simulate(150, 60, 20_030, 5, 2, 40, 2);
        // a slow stream: 1 record every 10 ms, lagging writes, a short window
        Stream slow = simulate(40, 2, 2_000, 0, 50, 400, 3);
        for (Stream st : List.of(storm, tail, slow)) {
            System.out.println(st);
            assertThat(st.acks).as("%s: acks <= records / trigger + duration / period + 2", st)
                    .isLessThanOrEqualTo(st.records / st.trigger + st.durationMs / st.periodMs + 2);
            assertThat(st.tailMs).as("%s: tail acked within 1 s of becoming durable", st).isLessThanOrEqualTo(1000);
            assertThat(st.lastAcked).isEqualTo(st.records - 1);
        }
        assertThat(storm.acks).as("the storm of the issue is gone").isLessThan(100);
    }

    private record Stream(String name, long records, long trigger, long periodMs, long durationMs, long acks,
                          long tailMs, long lastAcked) {
        @Override
        public String toString() {
            return String.format("%s: %d records over %d ms, %d DATA_ACKs (trigger %d, period %d ms), tail acked %d ms"
                    + " after becoming durable", name, records, durationMs, acks, trigger, periodMs, tailMs);
        }
    }

    /** {@code perMs} records per ms (0: one every 10 ms), each durable {@code lagMin..lagMax} ms after arrival. */
    private static Stream simulate(int ackSeq, int ackTimeSeconds, int records, int perMs, int lagMin, int lagMax,
                                   long seed) {
        Random r = new Random(seed);
        AckTracker t = new AckTracker(ackSeq, ackTimeSeconds);
        long[] durableAt = new long[records];
        long[] tickets = new long[records];
        int sent = 0;
        long acks = 0;
        long lastDurable = 0;
        long lastAckAt = 0;
        java.util.PriorityQueue<Integer> pending = new java.util.PriorityQueue<>(
                java.util.Comparator.comparingLong(i -> durableAt[i]));
        for (long ms = 0; sent < records || !pending.isEmpty() || ms < lastDurable + 3000; ms++) {
            long now = ms * MS;
            int arrivals = perMs > 0 ? perMs : (ms % 10 == 0 ? 1 : 0);
            for (int k = 0; k < arrivals && sent < records; k++, sent++) {
                tickets[sent] = t.received(sent, now);
                durableAt[sent] = ms + lagMin + r.nextInt(lagMax - lagMin + 1);
                pending.add(sent);
            }
            while (!pending.isEmpty() && durableAt[pending.peek()] <= ms) {
                int i = pending.poll();
                t.durable(tickets[i]);
                lastDurable = Math.max(lastDurable, ms);
                if (t.ackDue(now)) {
                    t.acked(now);
                    acks++;
                    lastAckAt = ms;
                }
            }
            if (t.ackDue(now)) { // the owner's timer
                t.acked(now);
                acks++;
                lastAckAt = ms;
            }
        }
        long duration = lastDurable;
        long trigger = Math.max(1, ackSeq - ackSeq / 4);
        return new Stream("ackSequenceInterval " + ackSeq + ", ackTimeInterval " + ackTimeSeconds + " s", records,
                trigger, t.periodNanos() / MS, duration, acks, lastAckAt - lastDurable, t.lastAcked());
    }
}
