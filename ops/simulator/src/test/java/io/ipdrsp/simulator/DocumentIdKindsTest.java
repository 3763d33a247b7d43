package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.SessionStart;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** documentId kinds on the wire and how the ledger tells documents apart when the id repeats. */
class DocumentIdKindsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ZERO = "00000000-0000-0000-0000-000000000000";

    private static CmtsSpec intervals(int port, DocumentIdKind kind) {
        return CmtsSpec.of("cmts-ids", Direction.CONNECT, List.of(CollectorSpec.at("127.0.0.1", port, 1)),
                List.of(SessionSpec.timeInterval(2, Templates.CPE_TYPE, Duration.ofMillis(400)).withRate(200)
                        .withAcks(15, 30).withDocumentIds(kind)))
                .withReconnectDelay(Duration.ofMillis(100));
    }

    @Test
    void allZeroDocumentIdsRepeatAndTheLedgerCountsTheirOccurrences() throws Exception {
        try (MiniCollector c1 = MiniCollector.listen("c1", "127.0.0.1", 0);
                Fleet fleet = Fleet.start(FleetSpec.of(intervals(c1.port(), DocumentIdKind.ALL_ZERO))
                        .withRecordDigests(true))) {
            assertThat(fleet.awaitLedger(l -> l.documents("cmts-ids", 2).stream()
                    .filter(d -> d.stopReason() != null).count() >= 3, WAIT)).isTrue();
            List<Ledger.Document> docs = fleet.ledger().documents("cmts-ids", 2);
            long boot = fleet.cmts("cmts-ids").exporterBootTime();
            for (int i = 0; i < 3; i++) {
                Ledger.Document d = docs.get(i);
                assertThat(d.documentId()).isEqualTo(ZERO);
                assertThat(d.exporterBootTime()).isEqualTo(boot);
                assertThat(d.occurrence()).isEqualTo(i);
                assertThat(d.stopReason()).isEqualTo(6);
                assertThat(d.acked()).isEqualTo(d.generated());
                assertThat(d.generated().ranges().get(0)[0]).isZero(); // each starts again at DSN 0
                assertThat(fleet.ledger().recordDigests(d)).hasSize((int) d.sent().count());
            }
            // on the wire: the same id in every SESSION_START, DSN back to 0 after each SESSION_STOP 6
            assertThat(c1.messages(SessionStart.class)).hasSizeGreaterThanOrEqualTo(3).allSatisfy(s -> {
                assertThat(s.documentIdAsUuid()).isEqualTo(UUID.fromString(ZERO));
                assertThat(s.firstRecordSequenceNumber()).isZero();
            });
            assertThat(c1.trace(2).subList(0, 5)).containsExactly("START(true)", "DATA", "STOP(6)", "START(true)",
                    "DATA");
            int newest = fleet.ledger().documents("cmts-ids", 2).size() - 1;
            assertThat(fleet.ledger().document("cmts-ids", 2, ZERO).orElseThrow().occurrence()).isEqualTo(newest);
            assertThat(fleet.ledger().toJson()).contains("\"occurrence\" : 2");
        }
    }

    @Test
    void randomDocumentIdsAreVersion4UuidsAndNeverRepeat() throws Exception {
        try (MiniCollector c1 = MiniCollector.listen("c1", "127.0.0.1", 0);
                Fleet fleet = Fleet.start(FleetSpec.of(intervals(c1.port(), DocumentIdKind.RANDOM)))) {
            assertThat(fleet.awaitLedger(l -> l.documents("cmts-ids", 2).size() >= 4, WAIT)).isTrue();
            List<Ledger.Document> docs = fleet.ledger().documents("cmts-ids", 2);
            assertThat(docs.stream().map(Ledger.Document::documentId).distinct().count()).isEqualTo(docs.size());
            assertThat(docs).allSatisfy(d -> {
                UUID u = UUID.fromString(d.documentId());
                assertThat(u.version()).isEqualTo(4);
                assertThat(u.variant()).isEqualTo(2);
                assertThat(d.occurrence()).isZero();
            });
        }
    }
}
