package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.FlowStop;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.SessionStop;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Collector-initiated connections (the CMTS listens); collectors are told apart by source address. Legacy failover
 * mode: the backup is told of the document before it takes over, which these tests wait for.
 */
class FaultInjectionTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static CmtsSpec twoCollectors(int keepAlive) {
        return CmtsSpec.of("cmts-x", Direction.LISTEN,
                        List.of(CollectorSpec.at("127.0.0.1", 0, 1).named("p1"),
                                CollectorSpec.at("127.0.0.2", 0, 2).named("p2")),
                        List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(400).withAcks(20, 30)))
                .withListen("127.0.0.1", 0).withKeepAlive(keepAlive).withFailover(FailoverMode.LEGACY);
    }

    /** Starts p1 first so that it is primary before p2 exists. */
    private static MiniCollector[] collectors(Fleet fleet) throws Exception {
        int port = fleet.cmts("cmts-x").listenPort();
        MiniCollector p1 = MiniCollector.connectTo("p1", "127.0.0.1", "127.0.0.1", port);
        assertThat(fleet.awaitAcked(20, WAIT)).isTrue();
        MiniCollector p2 = MiniCollector.connectTo("p2", "127.0.0.2", "127.0.0.1", port);
        assertThat(p2.await(c -> !c.messages(SessionStart.class).isEmpty(), WAIT)).isTrue();
        return new MiniCollector[] {p1, p2};
    }

    @Test
    void severAndRefuseReconnectsMovesTheSessionToTheBackup() throws Exception {
        try (Fleet fleet = Fleet.start(FleetSpec.of(twoCollectors(30)))) {
            MiniCollector[] c = collectors(fleet);
            try (MiniCollector p1 = c[0]; MiniCollector p2 = c[1]) {
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.REFUSE_RECONNECTS, "cmts-x").collector(1)
                        .lasting(Duration.ofSeconds(30)));
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.SEVER, "cmts-x").collector(1));
                assertThat(p2.await(x -> x.messages(SessionStart.class).stream().anyMatch(SessionStart::primary),
                        WAIT)).isTrue();
                // p1 comes back but is refused while the fault lasts
                try (MiniCollector again = MiniCollector.connectTo("p1", "127.0.0.1", "127.0.0.1",
                        fleet.cmts("cmts-x").listenPort())) {
                    Thread.sleep(300);
                    assertThat(again.messages(SessionStart.class)).isEmpty();
                    assertThat(fleet.cmts("cmts-x").primaryCollector(1)).isEqualTo("p2");
                }
                assertThat(p1.violation).isNull();
            }
        }
    }

    @Test
    void flowStopFromThePrimaryHandsOff() throws Exception {
        try (Fleet fleet = Fleet.start(FleetSpec.of(twoCollectors(30)))) {
            MiniCollector[] c = collectors(fleet);
            try (MiniCollector p1 = c[0]; MiniCollector p2 = c[1]) {
                p1.send(new FlowStop(1, 0, "operator"));
                assertThat(p1.await(x -> x.messages(SessionStop.class).stream().anyMatch(s -> s.reasonCode() == 1),
                        WAIT)).isTrue();
                assertThat(p2.await(x -> x.messages(SessionStart.class).stream().anyMatch(SessionStart::primary),
                        WAIT)).isTrue();
                int before = p1.records.size();
                Thread.sleep(200);
                assertThat(p1.records.size()).isEqualTo(before);
            }
        }
    }

    @Test
    void freezeSilencesTheExporter() throws Exception {
        try (Fleet fleet = Fleet.start(FleetSpec.of(twoCollectors(30)))) {
            MiniCollector[] c = collectors(fleet);
            try (MiniCollector p1 = c[0]; MiniCollector p2 = c[1]) {
                // long enough that a loaded machine's late sleeps still end inside it (it was 800 ms with 100 + 500 ms
                // of sleeps, which failed under load)
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.FREEZE, "cmts-x").lasting(Duration.ofMillis(4000)));
                Thread.sleep(300);
                int during = p1.received.size() + p2.received.size();
                Thread.sleep(500);
                assertThat(p1.received.size() + p2.received.size()).isEqualTo(during);
                assertThat(p1.await(x -> x.received.size() > during, WAIT)).isTrue(); // thawed
            }
        }
    }

    @Test
    void aStalledLinkLooksDeadAfterTheKeepAliveInterval() throws Exception {
        try (Fleet fleet = Fleet.start(FleetSpec.of(twoCollectors(1)))) {
            MiniCollector[] c = collectors(fleet);
            try (MiniCollector p1 = c[0]; MiniCollector p2 = c[1]) {
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.STALL, "cmts-x").collector(1));
                assertThat(p1.await(x -> x.messages(ErrorMessage.class).stream().anyMatch(e -> e.errorCode() == 0),
                        WAIT)).isTrue();
                assertThat(p2.await(x -> x.messages(SessionStart.class).stream().anyMatch(SessionStart::primary),
                        WAIT)).isTrue();
                assertThat(p2.await(x -> x.records.stream().anyMatch(MiniCollector.Rec::duplicate), WAIT)).isTrue();
            }
        }
    }
}
