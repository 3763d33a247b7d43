package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.ErrorMessage;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.SessionStop;
import io.ipdrsp.protocol.TemplateData;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each failover mode's message sequence, as the collectors see it: fail-over when the active collector dies,
 * fail-back when it returns, and a collector declared dead while its link is still up. Sequences are written down
 * in docs/simulator.md ("Failover modes").
 */
class FailoverModesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static CmtsSpec cmts(int p1, int p2, FailoverMode mode, Duration reconnect, int keepAlive) {
        return CmtsSpec.of("cmts-m", Direction.CONNECT,
                        List.of(CollectorSpec.at("127.0.0.1", p1, 1).named("c1"),
                                CollectorSpec.at("127.0.0.1", p2, 2).named("c2")),
                        List.of(SessionSpec.event(1, Templates.CPE_TYPE).withRate(400).withAcks(20, 30)))
                .withReconnectDelay(reconnect).withKeepAlive(keepAlive).withFailover(mode);
    }

    @ParameterizedTest
    @EnumSource(FailoverMode.class)
    void failOverWhenTheActiveCollectorDiesAndFailBackWhenItReturns(FailoverMode mode) throws Exception {
        MiniCollector c1 = MiniCollector.listen("c1", "127.0.0.1", 0);
        int port1 = c1.port();
        int port2 = MiniCollector.freePort(); // c2 comes up once c1 has the data, so c1 is active from the start
        try (Fleet fleet = Fleet.start(FleetSpec.of(cmts(port1, port2, mode, Duration.ofMillis(100), 30)));
                MiniCollector c2 = awaitActive(fleet, c1, port2)) {
            assertThat(c2.await(c -> !c.messages(TemplateData.class).isEmpty() && c.records.isEmpty(), WAIT)).isTrue();
            if (mode == FailoverMode.LEGACY) {
                assertThat(c2.await(c -> c.trace(1).contains("START(false)"), WAIT)).isTrue();
            }
            assertThat(fleet.cmts("cmts-m").primaryCollector(1)).isEqualTo("c1");
            c1.acking = false;
            assertThat(c1.await(c -> c.maxUnackedSeen >= 20, WAIT)).isTrue();
            c1.close(); // dies, and refuses the re-dials until it comes back
            assertThat(c2.await(c -> c.records.stream().anyMatch(r -> !r.duplicate())
                    && c.records.stream().anyMatch(MiniCollector.Rec::duplicate), WAIT)).as("data moved to c2").isTrue();

            try (MiniCollector c1b = relisten(port1)) {
                assertThat(c1b.await(c -> c.trace(1).size() >= 2, WAIT)).isTrue();
                assertThat(c2.await(c -> c.trace(1).equals(expectedStandby(mode)), WAIT))
                        .as("c2 in %s mode: %s", mode, c2.trace(1)).isTrue();
                assertThat(c1b.trace(1)).containsExactly("START(true)", "DATA");
                assertThat(c1.trace(1)).containsExactly("START(true)", "DATA"); // a dead link hears no STOP

                Ledger.Document doc = fleet.ledger().documents("cmts-m", 1).get(0);
                assertThat(doc.starts()).filteredOn(Ledger.Start::takesData).extracting(Ledger.Start::collector,
                        Ledger.Start::primary).containsExactly(org.assertj.core.groups.Tuple.tuple("c1", true),
                        org.assertj.core.groups.Tuple.tuple("c2", mode != FailoverMode.VENDOR),
                        org.assertj.core.groups.Tuple.tuple("c1", true));
                assertThat(doc.handOffs()).isEqualTo(2);
                assertThat(doc.ackedBy()).containsKeys("c1", "c2");
                // each SESSION_START's stretch says what went to that collector: c2 heard its SESSION_STOP 1, so it
                // read everything the CMTS wrote to it; what was re-sent went out under two stretches
                List<Ledger.Start> data = doc.starts().stream().filter(Ledger.Start::takesData).toList();
                RangeSet toC2 = new RangeSet();
                c2.records.forEach(r -> toC2.add(r.dsn()));
                assertThat(data.get(1).sent()).as("sent under c2's SESSION_START").isEqualTo(toC2);
                for (long[] r : doc.resentWithDuplicateFlag().ranges()) {
                    for (long dsn = r[0]; dsn <= r[1]; dsn++) {
                        long d = dsn;
                        assertThat(data.stream().filter(st -> st.sent().contains(d)).count())
                                .as("stretches DSN %d was sent under", d).isGreaterThanOrEqualTo(2);
                    }
                }
                for (MiniCollector c : List.of(c1, c2, c1b)) {
                    assertThat(c.violation).isNull();
                }
            }
        }
    }

    /**
     * c1 back on its old port. The CMTS keeps dialling that port while it is closed; on a busy machine an ephemeral
     * source port can briefly hold it (a dial to oneself, or another process), so binding is retried.
     */
    private static MiniCollector relisten(int port) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return MiniCollector.listen("c1", "127.0.0.1", port);
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static MiniCollector awaitActive(Fleet fleet, MiniCollector c1, int port2) throws Exception {
        assertThat(fleet.awaitAcked(60, WAIT)).isTrue();
        assertThat(c1.records).isNotEmpty();
        return MiniCollector.listen("c2", "127.0.0.1", port2);
    }

    /** What the standby c2 sees over the whole run (DATA runs collapsed). */
    private static List<String> expectedStandby(FailoverMode mode) {
        return switch (mode) {
            // told nothing until it takes the data; primary=false because c1 is the configured primary
            case VENDOR -> List.of("START(false)", "DATA", "STOP(1)");
            // told nothing until it takes the data, then primary=true
            case REFERENCE -> List.of("START(true)", "DATA", "STOP(1)");
            // told of the document while idle, promoted with a second START (no STOP), told again after fail-back
            case LEGACY -> List.of("START(false)", "START(true)", "DATA", "STOP(1)", "START(false)");
        };
    }

    @ParameterizedTest
    @EnumSource(FailoverMode.class)
    void aSilentActiveCollectorIsDeclaredDead(FailoverMode mode) throws Exception {
        int port2 = MiniCollector.freePort();
        try (MiniCollector c1 = MiniCollector.listen("c1", "127.0.0.1", 0);
                // keep-alive 1 s: the CMTS declares a collector dead after 1.5 s of silence. It re-dials every
                // 200 ms (c2 until it listens, c1 once declared dead): only what c1 heard up to its ERROR counts
                Fleet fleet = Fleet.start(FleetSpec.of(cmts(c1.port(), port2, mode, Duration.ofMillis(200), 1)));
                MiniCollector c2 = awaitActive(fleet, c1, port2)) {
            assertThat(c2.await(c -> !c.messages(TemplateData.class).isEmpty(), WAIT)).isTrue();
            c1.acking = false;
            c1.sendKeepAlives = false;
            assertThat(c1.await(c -> !c.messages(ErrorMessage.class).isEmpty(), WAIT)).isTrue();
            assertThat(c2.await(c -> c.trace(1).contains("DATA"), WAIT)).isTrue();
            List<IpdrMessage> seen = c1.received;
            int error = seen.indexOf(c1.messages(ErrorMessage.class).get(0));
            assertThat(c1.messages(ErrorMessage.class).get(0).errorCode()).isZero(); // keep-alive expired
            List<SessionStop> stopsBeforeError = seen.subList(0, error).stream()
                    .filter(SessionStop.class::isInstance).map(SessionStop.class::cast).toList();
            if (mode == FailoverMode.VENDOR) {
                assertThat(stopsBeforeError).extracting(SessionStop::reasonCode).containsExactly(1);
            } else {
                assertThat(stopsBeforeError).isEmpty();
            }
            assertThat(c2.trace(1).get(mode == FailoverMode.LEGACY ? 1 : 0))
                    .isEqualTo(mode == FailoverMode.VENDOR ? "START(false)" : "START(true)");
        }
    }
}
