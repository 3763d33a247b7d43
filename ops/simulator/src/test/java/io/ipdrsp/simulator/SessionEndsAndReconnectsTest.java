package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.KeepAlive;
import io.ipdrsp.protocol.SessionStop;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How sessions end (ad-hoc exports, an event session's records cap) and refuse-reconnects in both directions. */
class SessionEndsAndReconnectsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static CmtsSpec dialling(int port, SessionSpec session) {
        return CmtsSpec.of("cmts-e", Direction.CONNECT, List.of(CollectorSpec.at("127.0.0.1", port, 1).named("c1")),
                List.of(session)).withReconnectDelay(Duration.ofMillis(100));
    }

    @Test
    void adHocExportsAtRateZeroCarryTheirRecordsEveryTime() throws Exception {
        try (MiniCollector c1 = MiniCollector.listen("c1", "127.0.0.1", 0);
                Fleet fleet = Fleet.start(FleetSpec.of(dialling(c1.port(),
                        SessionSpec.adHoc(1, Templates.CPE_TYPE, 50).withRate(0))))) {
            for (int export = 1; export <= 3; export++) {
                int n = export;
                assertThat(fleet.awaitLedger(l -> l.documents("cmts-e", 1).size() == n
                        && l.documents("cmts-e", 1).get(n - 1).stopReason() != null, WAIT))
                        .as("export %d ended", export).isTrue();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.AD_HOC, "cmts-e"));
            }
            List<Ledger.Document> docs = fleet.ledger().documents("cmts-e", 1).subList(0, 3);
            assertThat(docs).allSatisfy(d -> {
                assertThat(d.acked().ranges()).containsExactly(new long[] {0, 49});
                assertThat(d.stopReason()).isZero();
            });
            assertThat(c1.await(c -> c.messages(SessionStop.class).size() >= 3, WAIT)).isTrue();
            assertThat(c1.messages(SessionStop.class)).extracting(SessionStop::reasonCode).startsWith(0, 0, 0);
        }
    }

    @Test
    void anEventSessionAtItsRecordsCapKeepsItsDocumentOpenUntilTheCmtsStops() throws Exception {
        // the collector tolerates 1 s of silence: an idle CMTS keeps alive every 0.5 s
        MiniCollector c1 = MiniCollector.create("c1").keepAlive(1).listenOn("127.0.0.1", 0);
        try (c1; Fleet fleet = Fleet.start(FleetSpec.of(dialling(c1.port(),
                SessionSpec.event(1, Templates.CPE_TYPE).withRate(1000).withRecords(100))))) {
            assertThat(fleet.awaitDrained(WAIT)).isTrue();
            int keepAlives = c1.messages(KeepAlive.class).size();
            assertThat(c1.await(c -> c.messages(KeepAlive.class).size() >= keepAlives + 3, WAIT)).isTrue();
            assertThat(c1.messages(SessionStop.class)).isEmpty();
            Ledger.Document doc = fleet.ledger().documents("cmts-e", 1).get(0);
            assertThat(doc.generated().ranges()).containsExactly(new long[] {0, 99});
            assertThat(doc.stopReason()).isNull();
            fleet.close();
            assertThat(c1.await(c -> !c.messages(SessionStop.class).isEmpty(), WAIT)).isTrue();
            assertThat(c1.messages(SessionStop.class).get(0).reasonCode()).isEqualTo(2);
            assertThat(fleet.ledger().documents("cmts-e", 1).get(0).stopReason()).isEqualTo(2);
        }
    }

    @Test
    void aDiallingCmtsRefusesToRedialForTheWindowThenDialsAgain() throws Exception {
        try (MiniCollector c1 = MiniCollector.listen("c1", "127.0.0.1", 0);
                Fleet fleet = Fleet.start(FleetSpec.of(dialling(c1.port(),
                        SessionSpec.event(1, Templates.CPE_TYPE).withRate(300))))) {
            assertThat(fleet.awaitAcked(30, WAIT)).isTrue();
            long acked = fleet.ledger().totalAcked();
            long t0 = System.nanoTime();
            fleet.inject(Fault.at(Duration.ZERO, Fault.Action.REFUSE_RECONNECTS, "cmts-e")
                    .lasting(Duration.ofMillis(1500)));
            fleet.inject(Fault.at(Duration.ZERO, Fault.Action.SEVER, "cmts-e"));
            assertThat(c1.await(c -> c.connections() == 2, WAIT)).as("dials again after the window").isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).as("not before the window ends").isGreaterThan(1400);
            assertThat(fleet.awaitAcked(acked + 30, WAIT)).isTrue();
        }
    }

    @Test
    void aListeningCmtsRefusesTheCollectorForTheWindowThenAcceptsIt() throws Exception {
        CmtsSpec spec = CmtsSpec.of("cmts-l", Direction.LISTEN, List.of(CollectorSpec.at("127.0.0.1", 0, 1)),
                List.of(SessionSpec.event(1, Templates.CPE_TYPE).withRate(300))).withListen("127.0.0.1", 0);
        try (Fleet fleet = Fleet.start(FleetSpec.of(spec))) {
            int port = fleet.cmts("cmts-l").listenPort();
            try (MiniCollector first = MiniCollector.connectTo("c", "127.0.0.1", "127.0.0.1", port)) {
                assertThat(fleet.awaitAcked(30, WAIT)).isTrue();
                long t0 = System.nanoTime();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.REFUSE_RECONNECTS, "cmts-l")
                        .lasting(Duration.ofMillis(1500)));
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.SEVER, "cmts-l"));
                assertThat(first.await(MiniCollector::allClosed, WAIT)).isTrue();
                int refused = 0;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (System.nanoTime() < deadline) { // a collector re-dialling as real ones do
                    try (MiniCollector again = MiniCollector.connectTo("c", "127.0.0.1", "127.0.0.1", port)) {
                        if (again.await(c -> !c.messages(GetSessionsResponse.class).isEmpty() || c.allClosed(),
                                WAIT) && !again.allClosed()) {
                            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThan(1400);
                            long acked = fleet.ledger().totalAcked();
                            assertThat(fleet.awaitAcked(acked + 30, WAIT)).isTrue();
                            break;
                        }
                        refused++;
                    }
                    Thread.sleep(100);
                }
                assertThat(refused).as("connections closed at once during the window").isPositive();
            }
        }
    }
}
