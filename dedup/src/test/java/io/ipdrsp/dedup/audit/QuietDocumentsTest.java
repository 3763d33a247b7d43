package io.ipdrsp.dedup.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.IndexedDocument;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** When a pass may skip a document: the rules of {@link QuietDocuments}, without servers. */
class QuietDocumentsTest {
    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
    private static final Duration GRACE = Duration.ofSeconds(30);

    private static RecordKey key(int session) {
        return new RecordKey("cmts-q", session, new UUID(0, session), 1_700_000_000L);
    }

    private static AuditRow row(RecordKey key, String state, String verdict) {
        return new AuditRow(key, T, state, verdict, "SESSION_STOP 0", 0, 9, 10, List.of(), List.of(), List.of(), 0, 0,
                0, 0, 0, 1, 0, Map.of(), T, 0, state.equals("FINAL") ? T : null, state.equals("FINAL") ? "n1" : null,
                1, 1, false);
    }

    private static List<Segment> segments(RecordKey key) {
        return List.of(new Segment(key, T, "n1", true, 0, 0, 60, 100, T.plusSeconds(60), 0, "end", 9L));
    }

    @Test
    void aFinalDocumentReadAfterTheGraceIsSkippedUntilTouchedOrDue() {
        QuietDocuments q = new QuietDocuments();
        RecordKey k = key(1);
        IndexedDocument touched = new IndexedDocument(k, T, T.plusSeconds(60));
        Instant now = T.plusSeconds(120);
        q.handled(touched, segments(k), row(k, "FINAL", "COMPLETE"), now.plusSeconds(300), false, now, GRACE);

        assertThat(q.skip(touched, now.plusSeconds(10), false, null)).isNotNull()
                .satisfies(s -> assertThat(s.bootSeen()).isEqualTo(T))
                .satisfies(s -> assertThat(s.untriggered()).isFalse());
        assertThat(q.isSettled(k)).isTrue();
        assertThat(q.skip(new IndexedDocument(k, T, T.plusSeconds(200)), now.plusSeconds(10), false, null))
                .as("touched again").isNull();
        assertThat(q.skip(touched, now.plusSeconds(300), false, null)).as("its re-check is due").isNull();
        assertThat(q.skip(touched, now.plusSeconds(10), true, row(k, "SUSPENDED", "OPEN")))
                .as("a sweep, and its summary lags").isNull();
        assertThat(q.skip(touched, now.plusSeconds(10), true, row(k, "FINAL", "COMPLETE")))
                .as("a sweep, its summary shows the row").isNotNull();
    }

    @Test
    void nothingIsQuietWithinTheGraceOfItsLastTouchOrWithoutATouch() {
        QuietDocuments q = new QuietDocuments();
        RecordKey k = key(1);
        IndexedDocument touched = new IndexedDocument(k, T, T.plusSeconds(60));
        Instant early = T.plusSeconds(80); // 20 s after the touch: writes of other nodes may still land
        q.handled(touched, segments(k), row(k, "FINAL", "COMPLETE"), early.plusSeconds(300), false, early, GRACE);
        assertThat(q.skip(touched, early.plusSeconds(1), false, null)).isNull();

        IndexedDocument legacy = new IndexedDocument(k, T, null); // written before migration 7
        Instant late = T.plusSeconds(600);
        q.handled(legacy, segments(k), row(k, "FINAL", "COMPLETE"), late.plusSeconds(300), false, late, GRACE);
        assertThat(q.skip(legacy, late.plusSeconds(1), false, null)).isNull();
    }

    @Test
    void anOpenDocumentIsQuietUntilItsTriggerAndIsSettledOnlyWithoutOne() {
        QuietDocuments q = new QuietDocuments();
        RecordKey open = key(1);
        RecordKey stopped = key(2);
        Instant now = T.plusSeconds(600);
        IndexedDocument a = new IndexedDocument(open, T, T);
        IndexedDocument b = new IndexedDocument(stopped, T, T.plusSeconds(60));
        q.handled(a, segments(open), row(open, "OPEN", "OPEN"), now.plus(Duration.ofDays(7)), true, now, GRACE);
        q.handled(b, segments(stopped), row(stopped, "STOPPED", "OPEN"), now.plusSeconds(20), false, now, GRACE);

        assertThat(q.skip(a, now.plusSeconds(1), false, null)).satisfies(s -> assertThat(s.untriggered()).isTrue());
        assertThat(q.isSettled(open)).as("nothing due by time: a pass need not carry it").isTrue();
        assertThat(q.skip(b, now.plusSeconds(1), false, null)).isNotNull();
        assertThat(q.isSettled(stopped)).as("its verdict is due: carried to the next pass").isFalse();
        assertThat(q.skip(b, now.plusSeconds(20), false, null)).as("its verdict is due").isNull();
    }

    @Test
    void aFullCacheLeavesFurtherDocumentsToBeReadEveryPass() {
        QuietDocuments q = new QuietDocuments(1);
        Instant now = T.plusSeconds(600);
        for (int session = 1; session <= 2; session++) {
            RecordKey k = key(session);
            q.handled(new IndexedDocument(k, T, T), segments(k), row(k, "FINAL", "COMPLETE"), now.plusSeconds(300),
                    false, now, GRACE);
        }
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.skip(new IndexedDocument(key(2), T, T), now, false, null)).isNull();
        q.forget("cmts-q");
        assertThat(q.size()).isZero();
    }
}
