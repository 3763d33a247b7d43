package io.ipdrsp.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.dedup.SessionState;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The link state of a CMTS belongs to its current connection: the late close of a connection that a newer one
 * replaced must not mark a CMTS with a live session DISCONNECTED (issue 15 item 4), nor publish it idle.
 */
class ConnectionStateTest {
    @RegisterExtension
    final SessionFixture f = new SessionFixture();

    @Test
    void onlyTheAttachedConnectionChangesTheLink() {
        ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts-05"));
        Object old = new Object();
        Object replacement = new Object();
        cmts.attach(old, "/192.0.2.5:1000");
        cmts.linkChanged(old, ExporterState.Link.CONNECTED, null);
        cmts.attach(replacement, "/192.0.2.5:1001");
        cmts.linkChanged(replacement, ExporterState.Link.CONNECTED, null);
        cmts.detach(old);
        cmts.linkChanged(old, ExporterState.Link.HANDSHAKE, null);
        assertThat(cmts.link()).isEqualTo(ExporterState.Link.CONNECTED);
        cmts.detach(replacement);
        assertThat(cmts.link()).isEqualTo(ExporterState.Link.DISCONNECTED);
        cmts.dialing(true);
        assertThat(cmts.link()).isEqualTo(ExporterState.Link.CONNECTING);
    }

    @Test
    void aReplacedConnectionThatClosesLateLeavesTheLiveSessionAlone() throws Exception {
        ExporterState cmts = new ExporterState(SessionFixture.cmtsConfig("cmts-05"));
        SessionFixture.Cmts first = f.connect(cmts, false);
        first.handshake(1);
        first.open(1, UUID.randomUUID(), true, 10, 60);
        SessionFixture.Cmts second = f.connect(cmts, false);
        second.handshake(1);
        second.open(1, UUID.randomUUID(), true, 10, 60);
        assertThat(cmts.link()).isEqualTo(ExporterState.Link.CONNECTED);

        first.ch.close(); // the transport closes the replaced connection; its channelInactive comes late
        first.ch.runPendingTasks();
        assertThat(cmts.link()).as("the new connection is up").isEqualTo(ExporterState.Link.CONNECTED);
        assertThat(cmts.view().sessions()).singleElement()
                .satisfies(s -> assertThat(s.state()).isEqualTo("ACTIVE"));
        f.sync(); // what the late close handed to the journal and the publisher has been written
        assertThat(f.metadata.segments()).as("the first connection's segment ended")
                .anyMatch(s -> s.stoppedAt() != null);
        assertThat(f.registry.all()).singleElement().extracting(SessionState::role).isEqualTo("PRIMARY");

        second.ch.close();
        second.ch.runPendingTasks();
        assertThat(cmts.link()).isEqualTo(ExporterState.Link.DISCONNECTED);
        f.sync();
        assertThat(f.registry.all()).extracting(SessionState::role).containsOnly("IDLE");
    }
}
