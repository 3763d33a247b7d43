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
    void timeTriggerFiresEarlyByAMarginAndNeverBeforeDurability() {
        AckTracker t = new AckTracker(1000, 1); // reference exporter: 1 s
        long ticket = t.received(0, 0);
        assertThat(t.nextDeadline()).isEqualTo(750 * MS);
        assertThat(t.ackDue(800 * MS)).as("not durable yet").isFalse();
        t.durable(ticket);
        assertThat(t.ackDue(700 * MS)).isFalse();
        assertThat(t.ackDue(750 * MS)).isTrue();
        t.acked(750 * MS);
        assertThat(t.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        t.received(1, 2000 * MS);
        assertThat(t.nextDeadline()).isEqualTo(2750 * MS);
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
        assertThat(t.nextDeadline()).isEqualTo(3000 * MS + 9000 * MS);
        t.durable(second);
        assertThat(t.ackDue(12_000 * MS)).isTrue();
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
}
