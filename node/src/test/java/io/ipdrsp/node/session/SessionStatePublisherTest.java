package io.ipdrsp.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.dedup.SessionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Session state reaches the cluster registry from the publisher's thread, coalesced, and at once on phase changes. */
class SessionStatePublisherTest {
    @RegisterExtension
    final SessionFixture f = new SessionFixture();
    private final ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts"));
    private final Object connection = new Object();

    @Test
    void changesAreCoalescedPerIntervalAndPhaseChangesPublishedAtOnceOffTheCallersThread() throws Exception {
        cmts.attach(connection, "");
        ExporterState.SessionStatus status = cmts.session(1);
        SessionStatePublisher.Handle h = f.ctx.publisher().register(connection, cmts, status);
        status.state = "ACTIVE";
        status.primary = true;
        h.phaseChanged();
        assertThat(f.registry.awaitPublishes(1)).isTrue();
        assertThat(f.registry.published).singleElement().satisfies(p -> {
            assertThat(p.thread()).isEqualTo("ipdr-session-publisher");
            assertThat(p.state().role()).isEqualTo("PRIMARY");
        });
        long start = System.nanoTime();
        for (int i = 0; i < 100_000; i++) { // every record and ack of a busy session
            status.received.increment();
            h.changed();
        }
        do { // the publish that carries every change (an interval may have fallen in the middle of them)
            assertThat(f.registry.awaitPublishes(1)).as("the coalesced publish").isTrue();
        } while (f.registry.published.get(f.registry.published.size() - 1).state().received() < 100_000);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(f.registry.published.size()).as("at most one per second after the first")
                .isLessThanOrEqualTo(2 + (int) (elapsedMillis / SessionStatePublisher.INTERVAL_MILLIS));
    }

    @Test
    void theCloseOfAReplacedConnectionDoesNotPublishItsSessionIdle() throws Exception {
        Object replacement = new Object();
        cmts.attach(connection, "");
        SessionStatePublisher.Handle old = f.ctx.publisher().register(connection, cmts, cmts.session(1));
        cmts.attach(replacement, "");
        cmts.session(1).state = "ACTIVE";
        cmts.session(1).primary = false;
        f.ctx.publisher().register(replacement, cmts, cmts.session(1)).phaseChanged();
        old.closed();
        f.sync();
        assertThat(f.registry.all()).singleElement().extracting(SessionState::role).isEqualTo("BACKUP");
    }
}
