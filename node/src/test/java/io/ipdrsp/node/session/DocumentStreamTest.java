package io.ipdrsp.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.FlowStart;
import io.ipdrsp.protocol.FlowStop;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.StorageException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Acks, write retries and the storage-failure bound of one document stream, on the test's clock. */
class DocumentStreamTest {
    @RegisterExtension
    final SessionFixture f = new SessionFixture();
    private final ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts"));

    private SessionFixture.Cmts open(int ackSeq, int ackTime) throws Exception {
        SessionFixture.Cmts c = f.connect(cmts, false);
        c.handshake(1);
        c.open(1, UUID.randomUUID(), true, ackSeq, ackTime);
        return c;
    }

    private static List<Long> acks(List<IpdrMessage> sent) {
        return sent.stream().filter(DataAck.class::isInstance).map(m -> ((DataAck) m).sequenceNum()).toList();
    }

    private void failPending() {
        for (SessionFixture.TestSink.Write w : f.sink.writes) {
            w.outcome().completeExceptionally(new StorageException("Cassandra timeout"));
        }
    }

    @Test
    void theTailOfAQuietStreamIsAckedWithinASecondNotAtTheAckTimeInterval() throws Exception {
        SessionFixture.Cmts c = open(150, 60); // the case: the tail waited 58 s
        for (int dsn = 0; dsn < 40; dsn++) {
            c.data(1, dsn, "r");
        }
        f.sink.storeAll();
        assertThat(acks(c.drain())).as("40 of 150, still streaming").isEmpty();
        f.advance(100, c);
        assertThat(acks(c.drain())).isEmpty();
        f.advance(200, c);
        assertThat(acks(c.drain())).as("quiet for 300 ms").containsExactly(39L);
        f.advance(60_000, c);
        assertThat(acks(c.drain())).as("nothing new to ack").isEmpty();
    }

    @Test
    void aRecordThatIsNotDurableIsNeverAckedEvenWhenLaterOnesAre() throws Exception {
        SessionFixture.Cmts c = open(4, 2);
        for (int dsn = 0; dsn < 5; dsn++) {
            c.data(1, dsn, "r");
        }
        for (SessionFixture.TestSink.Write w : f.sink.writes.subList(1, 5)) {
            w.outcome().complete(io.ipdrsp.storage.WriteOutcome.STORED);
        }
        f.advance(1000, c);
        f.advance(1000, c);
        assertThat(acks(c.drain())).isEmpty();
        f.sink.writes.get(0).outcome().complete(io.ipdrsp.storage.WriteOutcome.DUPLICATE);
        assertThat(acks(c.drain())).as("DUPLICATE is durable too; the window's trigger").containsExactly(4L);
    }

    @Test
    void writeLagSendsAtMostOneTimedAckPerPeriod() throws Exception {
        SessionFixture.Cmts c = open(1000, 1); // ackTimeInterval 1 s: 750 ms period
        int acks = 0;
        for (int step = 0; step < 40; step++) { // 4 s: a record every 100 ms, each durable 1.5 s later
            c.data(1, step, "r");
            if (step >= 15) {
                f.sink.writes.get(step - 15).outcome().complete(io.ipdrsp.storage.WriteOutcome.STORED);
            }
            f.advance(100, c);
            List<Long> a = acks(c.drain());
            assertThat(a).as("step %d", step).doesNotHaveDuplicates();
            acks += a.size();
        }
        assertThat(acks).as("2.5 s of completions, one ack per 750 ms period at most").isBetween(3, 4);
    }

    @Test
    void failedWritesAreRetriedAndNeverAcked() throws Exception {
        SessionFixture.Cmts c = open(2, 60);
        c.data(1, 0, "r");
        c.data(1, 1, "r");
        failPending();
        assertThat(acks(c.drain())).isEmpty();
        f.advance(60, c); // the first retry waits 50 ms
        assertThat(f.sink.writes).as("both written again").hasSize(4);
        f.sink.storeAll();
        assertThat(acks(c.drain())).containsExactly(1L);
        assertThat(cmts.view().stored()).isEqualTo(2);
        assertThat(f.metrics.inFlight()).isZero();
    }

    @Test
    void storageFailingPastTheBoundStopsTheFlowAndAProbeThatAnswersStartsItAgain() throws Exception {
        SessionFixture.Cmts c = open(10, 60); // fixture: storage.stopFlowAfterSeconds 5
        c.data(1, 0, "r");
        boolean stopped = false;
        for (int ms = 0; ms < 8000 && !stopped; ms += 100) {
            failPending();
            f.advance(100, c);
            stopped = c.drain().stream().anyMatch(FlowStop.class::isInstance);
        }
        assertThat(stopped).as("FLOW_STOP within the bound").isTrue();
        assertThat(cmts.view().sessions().get(0).state()).isEqualTo("FLOW_STOPPED");
        f.sync();
        assertThat(f.metadata.segments()).as("the segment ended by FLOW_STOP")
                .anyMatch(s -> s.stopReasonInfo() != null && s.stopReasonInfo().startsWith("FLOW_STOP"));
        assertThat(f.metrics.flowStops.getCount()).isEqualTo(1);

        f.storageAnswers = false;
        f.advance(2100, c);
        assertThat(c.drain()).noneMatch(FlowStart.class::isInstance);
        f.storageAnswers = true;
        f.advance(2100, c);
        assertThat(c.drain()).anyMatch(FlowStart.class::isInstance);
        assertThat(cmts.view().sessions().get(0).state()).isEqualTo("FLOW_STARTED");
        failPending();
        f.advance(5000, c);
        assertThat(acks(c.drain())).as("the stopped stream is never acked").isEmpty();
        assertThat(f.metadata.segments()).extracting(Segment::primary).contains(true);

        // DATA the exporter sent before it saw FLOW_STOP, read only now (reads were paused): dropped, not an error
        c.data(1, 1, "sent before the FLOW_STOP arrived");
        assertThat(c.isOpen()).as("stale DATA of the stopped stretch closes nothing").isTrue();
        assertThat(f.errorsSent(2)).isNotPositive();
        c.open(1, UUID.randomUUID(), true, 10, 60);
        c.data(1, 0, "the next stretch");
        f.sink.writes.get(f.sink.writes.size() - 1).outcome().complete(io.ipdrsp.storage.WriteOutcome.STORED);
        f.advance(1500, c);
        assertThat(acks(c.drain())).as("the next stretch is acked").containsExactly(0L);
        c.data(1, 1, "in sequence");
        c.send(new io.ipdrsp.protocol.SessionStop(1, 0, "end"));
        c.data(1, 2, "after SESSION_STOP, no FLOW_STOP since the last SESSION_START");
        assertThat(f.errorsSent(2)).as("DATA outside a stretch is still an error").isEqualTo(1);
    }
}
