package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.SessionStop;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Exporter-initiated connections: the CMTS dials two collectors at priorities 1 and 2. Legacy failover mode (standbys
 * told of every document); the modes side by side are in {@link FailoverModesTest}.
 */
class FailoverTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static CmtsSpec cmts(int p1, int p2, SessionSpec session) {
        return CmtsSpec.of("cmts-f", Direction.CONNECT,
                        List.of(CollectorSpec.at("127.0.0.1", p1, 1).named("primary"),
                                CollectorSpec.at("127.0.0.1", p2, 2).named("backup")),
                        List.of(session))
                .withReconnectDelay(Duration.ofMillis(100)).withFailover(FailoverMode.LEGACY);
    }

    @Test
    void primaryDiesUnackedRecordsGoToBackupWithDuplicateFlagThenFailBack() throws Exception {
        MiniCollector c1 = MiniCollector.listen("primary", "127.0.0.1", 0);
        int port1 = c1.port();
        int port2 = MiniCollector.freePort(); // the backup comes up once the primary is established
        SessionSpec session = SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(1000).withAcks(40, 30)
                .withRecords(3000);
        try (Fleet fleet = Fleet.start(FleetSpec.of(cmts(port1, port2, session)))) {
            assertThat(fleet.awaitAcked(200, WAIT)).isTrue();
            assertThat(fleet.cmts("cmts-f").primaryCollector(1)).isEqualTo("primary");
            MiniCollector c2 = MiniCollector.listen("backup", "127.0.0.1", port2);
            // the backup knows it is the backup
            assertThat(c2.await(c -> !c.messages(SessionStart.class).isEmpty(), WAIT)).isTrue();
            assertThat(c2.messages(SessionStart.class).get(0).primary()).isFalse();
            assertThat(c2.records).isEmpty();

            c1.acking = false;
            assertThat(c1.await(c -> c.maxUnackedSeen >= 40, WAIT)).isTrue();
            Thread.sleep(100);
            long lastAckedByC1 = fleet.ledger().documents("cmts-f", 1).get(0).ackedBy().get("primary").ranges()
                    .get(0)[1];
            Set<Long> unackedAtC1 = c1.records.stream().map(MiniCollector.Rec::dsn).filter(d -> d > lastAckedByC1)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(unackedAtC1).hasSize(40);
            c1.close(); // the primary dies and does not come back for now
            String docId = c1.messages(SessionStart.class).get(0).documentIdAsUuid().toString();

            assertThat(c2.await(c -> c.messages(SessionStart.class).stream().anyMatch(SessionStart::primary), WAIT))
                    .isTrue();
            SessionStart promoted = c2.messages(SessionStart.class).stream().filter(SessionStart::primary)
                    .findFirst().orElseThrow();
            assertThat(promoted.documentIdAsUuid().toString()).isEqualTo(docId);
            assertThat(promoted.firstRecordSequenceNumber()).isEqualTo(lastAckedByC1 + 1);
            assertThat(c2.await(c -> c.records.size() > 100, WAIT)).isTrue();
            Set<Long> duplicates = c2.records.stream().filter(MiniCollector.Rec::duplicate)
                    .map(MiniCollector.Rec::dsn).collect(Collectors.toCollection(TreeSet::new));
            assertThat(duplicates).isEqualTo(unackedAtC1);
            assertThat(c2.records.get(0).dsn()).isEqualTo(lastAckedByC1 + 1);
            // re-sent bytes are identical to the first send
            for (MiniCollector.Rec r : c2.records) {
                if (r.duplicate()) {
                    MiniCollector.Rec first = c1.records.stream().filter(x -> x.dsn() == r.dsn()).findFirst()
                            .orElseThrow();
                    assertThat(r.record()).isEqualTo(first.record());
                }
            }

            // fail-back: the priority-1 collector comes back on the same port; the CMTS re-connects to it
            try (MiniCollector c1b = MiniCollector.listen("primary", "127.0.0.1", port1)) {
                assertThat(c1b.await(c -> c.messages(SessionStart.class).stream().anyMatch(SessionStart::primary),
                        WAIT)).isTrue();
                assertThat(c2.await(c -> c.messages(SessionStop.class).stream().anyMatch(s -> s.reasonCode() == 1),
                        WAIT)).isTrue();
                SessionStart back = c1b.messages(SessionStart.class).stream().filter(SessionStart::primary)
                        .findFirst().orElseThrow();
                assertThat(back.documentIdAsUuid().toString()).isEqualTo(docId);
                assertThat(fleet.awaitAcked(3000, WAIT)).isTrue();
                assertThat(fleet.cmts("cmts-f").primaryCollector(1)).isEqualTo("primary");

                Ledger.Document doc = fleet.ledger().documents("cmts-f", 1).get(0);
                assertThat(doc.acked().ranges()).containsExactly(new long[] {0, 2999});
                assertThat(doc.ackedBy()).containsKeys("primary", "backup");
                assertThat(doc.resentWithDuplicateFlag().containsAll(unackedAtC1.stream().min(Long::compare)
                        .orElseThrow(), unackedAtC1.stream().max(Long::compare).orElseThrow())).isTrue();
                // every DSN reached some collector
                Set<Long> all = new TreeSet<>();
                for (MiniCollector c : List.of(c1, c2, c1b)) {
                    c.records.forEach(r -> all.add(r.dsn()));
                }
                assertThat(all).hasSize(3000);
                assertThat(c1.violation).isNull();
                assertThat(c2.violation).isNull();
                assertThat(c1b.violation).isNull();
            } finally {
                c2.close();
            }
        }
    }

    @Test
    void ackTimeoutHandsOffToBackupWithoutClosingTheConnection() throws Exception {
        int port2 = MiniCollector.freePort();
        try (MiniCollector c1 = MiniCollector.listen("primary", "127.0.0.1", 0)) {
            SessionSpec session = SessionSpec.event(1, Templates.CPE_TYPE).withRate(500).withAcks(20, 1);
            try (Fleet fleet = Fleet.start(FleetSpec.of(cmts(c1.port(), port2, session)))) {
                assertThat(fleet.awaitAcked(50, WAIT)).isTrue();
                MiniCollector c2 = MiniCollector.listen("backup", "127.0.0.1", port2);
                assertThat(c2.await(c -> !c.messages(SessionStart.class).isEmpty(), WAIT)).isTrue();
                c1.acking = false;
                assertThat(c1.await(c -> c.messages(SessionStop.class).stream().anyMatch(s -> s.reasonCode() == 1),
                        WAIT)).isTrue();
                assertThat(c2.await(c -> c.records.stream().anyMatch(MiniCollector.Rec::duplicate), WAIT)).isTrue();
                assertThat(fleet.cmts("cmts-f").primaryCollector(1)).isEqualTo("backup");
                assertThat(c1.violation).isNull();
                assertThat(c2.violation).isNull();
                c2.close();
            }
        }
    }
}
