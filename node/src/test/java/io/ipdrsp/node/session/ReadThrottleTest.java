package io.ipdrsp.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** TCP back-pressure: reading stops at the connection's bound or when the sink is full, and resumes. */
class ReadThrottleTest {
    @RegisterExtension
    final SessionFixture f = new SessionFixture();
    private final ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts"));

    private SessionFixture.Cmts open() throws Exception {
        SessionFixture.Cmts c = f.connect(cmts, false);
        c.handshake(1);
        c.open(1, UUID.randomUUID(), true, 100, 60);
        return c;
    }

    @Test
    void theConnectionsBoundStopsReadingAndHalfOfItResumes() throws Exception {
        f.storage.maxInFlightPerConnection(4);
        SessionFixture.Cmts c = open();
        for (int dsn = 0; dsn < 3; dsn++) {
            c.data(1, dsn, "r");
        }
        assertThat(c.ch.config().isAutoRead()).isTrue();
        c.data(1, 3, "r");
        assertThat(c.ch.config().isAutoRead()).as("4 in flight").isFalse();
        f.sink.writes.get(0).outcome().complete(io.ipdrsp.storage.WriteOutcome.STORED);
        c.drain();
        assertThat(c.ch.config().isAutoRead()).as("3 in flight: above half").isFalse();
        f.sink.writes.get(1).outcome().complete(io.ipdrsp.storage.WriteOutcome.STORED);
        c.drain();
        assertThat(c.ch.config().isAutoRead()).as("2 in flight: half").isTrue();
    }

    @Test
    void aFullSinkStopsReadingUntilItsCapacityReturns() throws Exception {
        SessionFixture.Cmts c = open();
        f.sink.capacity = false;
        c.data(1, 0, "r");
        assertThat(c.ch.config().isAutoRead()).isFalse();
        f.sink.storeAll(); // the sink's pending count falls, but it says nothing yet
        f.sink.capacityReturned();
        c.drain();
        assertThat(c.ch.config().isAutoRead()).as("resumed from the capacity listener").isTrue();
    }

    @Test
    void capacityThatReturnsWithoutTheListenerIsFoundByTheRecheck() throws Exception {
        f.storage.maxInFlight(4); // resume below 3 pending node-wide
        SessionFixture.Cmts c = open();
        f.sink.capacity = false;
        c.data(1, 0, "r");
        f.sink.capacity = true;
        f.advance(ReadThrottle.RECHECK_MILLIS, c);
        assertThat(c.ch.config().isAutoRead()).isTrue();
    }
}
