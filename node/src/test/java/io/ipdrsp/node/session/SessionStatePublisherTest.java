package io.ipdrsp.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.dedup.SessionState;
import org.junit.jupiter.api.Test;

/** Session state reaches the cluster registry from the publisher's thread, coalesced, and at once on phase changes. */
class SessionStatePublisherTest {

    @Test
    void changesAreCoalescedPerIntervalAndPhaseChangesPublishedAtOnceOffTheCallersThread() throws Exception {
        SessionFixture.TestRegistry registry = new SessionFixture.TestRegistry();
        try (SessionStatePublisher publisher = new SessionStatePublisher("node-t", registry)) {
            ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts"));
            Object connection = new Object();
            cmts.attach(connection, "");
            ExporterState.SessionStatus status = cmts.session(1);
            SessionStatePublisher.Handle h = publisher.register(connection, cmts, status);
            status.state = "ACTIVE";
            status.primary = true;
            h.phaseChanged();
            publisher.sync();
            assertThat(registry.published).singleElement().satisfies(p -> {
                assertThat(p.thread()).isEqualTo("ipdr-session-publisher");
                assertThat(p.state().role()).isEqualTo("PRIMARY");
            });
            long start = System.nanoTime();
            for (int i = 0; i < 100_000; i++) { // every record and ack of a busy session
                status.received.increment();
                h.changed();
            }
            SessionFixture.await("the coalesced publish", () -> registry.published.size() >= 2);
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(registry.published.size()).as("at most one per second after the first")
                    .isLessThanOrEqualTo(2 + (int) (elapsedMillis / SessionStatePublisher.INTERVAL_MILLIS));
            assertThat(registry.published.get(registry.published.size() - 1).state().received()).isEqualTo(100_000);
        }
    }

    @Test
    void theCloseOfAReplacedConnectionDoesNotPublishItsSessionIdle() throws Exception {
        SessionFixture.TestRegistry registry = new SessionFixture.TestRegistry();
        try (SessionStatePublisher publisher = new SessionStatePublisher("node-t", registry)) {
            ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts"));
            Object old = new Object();
            Object replacement = new Object();
            cmts.attach(old, "");
            SessionStatePublisher.Handle oldHandle = publisher.register(old, cmts, cmts.session(1));
            cmts.attach(replacement, "");
            cmts.session(1).state = "ACTIVE";
            cmts.session(1).primary = false;
            publisher.register(replacement, cmts, cmts.session(1)).phaseChanged();
            oldHandle.closed();
            publisher.sync();
            assertThat(registry.all()).singleElement().extracting(SessionState::role).isEqualTo("BACKUP");
        }
    }
}
