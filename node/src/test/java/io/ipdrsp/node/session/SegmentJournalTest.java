package io.ipdrsp.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.storage.DocumentInfo;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Metadata writes off the record path: coalesced, once per document and node, bounded, retried, in row order. */
class SegmentJournalTest {
    private final RecordKey key = new RecordKey("cmts", 1, UUID.randomUUID(), 1_700_000_000L);
    private final List<TemplateBlock> templates = List.of(SessionFixture.TEMPLATE);

    private Segment segment(long startMillis) {
        return new Segment(key, Instant.ofEpochMilli(startMillis), "node-t", true, 0, 0, 60, 100, null, null, null);
    }

    /**
     * A store whose first templates write holds the journal thread until released: what {@link #queue} adds meanwhile
     * is drained as one batch.
     */
    private final class Held extends SessionFixture.TestMetadata {
        private final CountDownLatch busy = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);

        @Override
        public CompletionStage<Void> saveTemplates(String exporter, int sessionId, long bootTime, int configId,
                List<TemplateBlock> t) {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.saveTemplates(exporter, sessionId, bootTime, configId, t);
        }

        /** Holds the journal thread, runs {@code queued}, releases it and waits until everything is written. */
        void queue(SegmentJournal journal, Runnable queued) throws Exception {
            journal.templates("cmts", 1, key.bootTime(), 5, templates);
            busy.await();
            queued.run();
            release.countDown();
            journal.sync();
        }
    }

    @Test
    void aSegmentStartedAndStoppedBeforeItWasWrittenIsOneRowWrite() throws Exception {
        Held store = new Held();
        try (SegmentJournal journal = new SegmentJournal("node-t", store)) {
            Segment s = segment(1000);
            store.queue(journal, () -> {
                journal.segmentStarted(s);
                journal.segmentStopped(s, Instant.ofEpochMilli(2000), 0, "end", 41);
            });
            assertThat(store.segments()).singleElement().satisfies(row -> {
                assertThat(row.stopReasonCode()).isZero();
                assertThat(row.stoppedAt()).isEqualTo(Instant.ofEpochMilli(2000));
                assertThat(row.highestSeq()).as("the highest DSN received, for the segment order").isEqualTo(41L);
            });
            assertThat(store.attempts.get()).as("no separate stop write").isEqualTo(2);
        }
    }

    /**
     * An open segment says how far it got (a node killed before SESSION_STOP leaves that figure behind): progress
     * queued before the start was written is the same row write; later progress updates the row; the stop comes last.
     */
    @Test
    void anOpenSegmentReportsItsHighestDsnAndTheStopHasTheLastWord() throws Exception {
        Held store = new Held();
        try (SegmentJournal journal = new SegmentJournal("node-t", store)) {
            Segment s = segment(1000);
            store.queue(journal, () -> {
                journal.segmentStarted(s);
                journal.segmentProgress(s, 7);
            });
            assertThat(store.segments()).singleElement().satisfies(row -> {
                assertThat(row.highestSeq()).isEqualTo(7L);
                assertThat(row.stoppedAt()).as("still open").isNull();
            });
            journal.segmentProgress(s, 30);
            journal.sync();
            journal.segmentStopped(s, Instant.ofEpochMilli(2000), 1, "handing off", 31);
            journal.sync();
            assertThat(store.other()).hasSize(3).element(1).asString().endsWith("highest 30");
            assertThat(store.other().get(2)).contains("reason 1", "highest 31");
        }
    }

    /**
     * The start a document row proposes for the time index is the segment's start, whatever the documentId looks like:
     * this random one reads as 2012-09-07 when its first 32 bits are taken for DOCSIS seconds since 1900, and was once
     * indexed there — outside every audit window and the finalizer's lookback, so never finalized.
     */
    @Test
    void theDocumentRowProposesItsSegmentStartNeverATimeReadFromTheDocumentId() throws Exception {
        SessionFixture.TestMetadata store = new SessionFixture.TestMetadata();
        Instant segmentStart = Instant.parse("2026-12-07T06:02:37.792Z");
        RecordKey random = new RecordKey("cmts", 1, UUID.fromString("d3f47e08-56c0-48f3-af4e-96fb0f4bb83d"), 1L);
        RecordKey docsis = new RecordKey("cmts", 2, new UUID(0xEEC0CA7DL << 32, 1), 1L); // 2026-12-07T06:02:37Z
        try (SegmentJournal journal = new SegmentJournal("node-t", store)) {
            journal.document(random, segmentStart, "OPEN", null);
            journal.document(docsis, segmentStart.plusSeconds(90), "OPEN", null);
            journal.sync();
            assertThat(store.documents()).extracting(DocumentInfo::startedAt)
                    .containsExactly(segmentStart, segmentStart.plusSeconds(90));
        }
    }

    @Test
    void templatesAreWrittenOncePerNodeAndTheDocumentOpenedOnce() throws Exception {
        SessionFixture.TestMetadata store = new SessionFixture.TestMetadata();
        try (SegmentJournal journal = new SegmentJournal("node-t", store)) {
            for (int connection = 0; connection < 3; connection++) { // reconnects, failovers back and forth
                journal.templates("cmts", 1, key.bootTime(), 5, templates);
                journal.document(key, Instant.ofEpochMilli(1000), "OPEN", null);
                journal.sync();
            }
            journal.document(key, Instant.ofEpochMilli(1000), "STOPPED", "SESSION_STOP 0");
            journal.sync();
            journal.document(key, Instant.ofEpochMilli(1000), "OPEN", null); // the document resumed
            journal.sync();
            assertThat(store.other()).containsExactly("templates cmts/1 boot 1700000000 configId 5");
            assertThat(store.documents()).extracting(DocumentInfo::state).containsExactly("OPEN", "STOPPED", "OPEN");
            assertThat(store.documents()).extracting(DocumentInfo::updatedBy).containsOnly("node-t");
        }
    }

    @Test
    void failedWritesAreRetriedAndTheWritesOfARowStayInOrder() throws Exception {
        SessionFixture.TestMetadata store = new SessionFixture.TestMetadata();
        store.failing = true;
        try (SegmentJournal journal = new SegmentJournal("node-t", store)) {
            Segment s = segment(1000);
            journal.segmentStarted(s);
            assertThat(store.awaitAttempts(1)).as("the start in flight, failing").isTrue();
            journal.segmentStopped(s, Instant.ofEpochMilli(2000), 6, "end of IPDRDoc", 99);
            store.failing = false;
            journal.sync();
            assertThat(store.writes).hasSize(2);
            assertThat(store.writes.get(0)).isInstanceOf(Segment.class);
            assertThat(store.writes.get(1)).asString().contains("reason 6");
        }
    }

    @Test
    void aThousandSessionsStartingAtOnceQueueBehindABoundedNumberOfRequests() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        BlockingQueue<CompletableFuture<Void>> calls = new LinkedBlockingQueue<>();
        SessionFixture.TestMetadata slow = new SessionFixture.TestMetadata() {
            @Override
            public CompletionStage<Void> saveSegment(Segment s) {
                most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                CompletableFuture<Void> f = new CompletableFuture<>();
                calls.add(f);
                return f.whenComplete((v, e) -> inFlight.decrementAndGet());
            }
        };
        try (SegmentJournal journal = new SegmentJournal("node-t", slow)) {
            for (int i = 0; i < 1000; i++) {
                journal.segmentStarted(new Segment(new RecordKey("cmts-" + i, 1, UUID.randomUUID(), 1L),
                        Instant.ofEpochMilli(1000), "node-t", true, 0, 0, 60, 100, null, null, null));
            }
            for (int done = 0; done < 1000; done++) { // Cassandra answers one request at a time
                CompletableFuture<Void> next = calls.poll(10, TimeUnit.SECONDS);
                assertThat(next).as("request %d", done).isNotNull();
                next.complete(null);
            }
            assertThat(most.get()).isEqualTo(MetadataWrites.MAX_IN_FLIGHT);
            assertThat(calls).isEmpty();
        }
    }

    /**
     * Segment progress is a background write: it waits while other writes queue (a boundary's starts and stops first),
     * the latest per segment only, and a stop of the segment replaces it.
     */
    @Test
    void progressWaitsBehindOtherWritesAndAStopReplacesIt() throws Exception {
        BlockingQueue<CompletableFuture<Void>> held = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicBoolean holding = new java.util.concurrent.atomic.AtomicBoolean();
        SessionFixture.TestMetadata slow = new SessionFixture.TestMetadata() {
            @Override
            public CompletionStage<Void> saveSegment(Segment s) {
                CompletionStage<Void> done = super.saveSegment(s);
                if (!holding.get()) {
                    return done;
                }
                CompletableFuture<Void> f = new CompletableFuture<>();
                held.add(f);
                return f;
            }
        };
        Segment a = new Segment(new RecordKey("cmts-a", 1, UUID.randomUUID(), 1L), Instant.ofEpochMilli(1000),
                "node-t", true, 0, 0, 60, 100, null, null, null);
        Segment b = new Segment(new RecordKey("cmts-b", 1, UUID.randomUUID(), 1L), Instant.ofEpochMilli(1000),
                "node-t", true, 0, 0, 60, 100, null, null, null);
        RecordKey late = new RecordKey("cmts-late", 1, UUID.randomUUID(), 1L);
        try (SegmentJournal journal = new SegmentJournal("node-t", slow)) {
            journal.segmentStarted(a);
            journal.segmentStarted(b);
            journal.sync();
            holding.set(true);
            for (int i = 0; i < MetadataWrites.MAX_IN_FLIGHT; i++) { // every request in flight, none answered yet
                journal.segmentStarted(new Segment(new RecordKey("cmts-" + i, 1, UUID.randomUUID(), 1L),
                        Instant.ofEpochMilli(1000), "node-t", true, 0, 0, 60, 100, null, null, null));
            }
            Thread.sleep(200);
            journal.segmentProgress(a, 5);
            journal.segmentProgress(b, 7);
            Thread.sleep(200); // another drain of the journal: the later progress of a replaces the earlier
            journal.segmentProgress(a, 9);
            journal.segmentStarted(new Segment(late, Instant.ofEpochMilli(1000), "node-t", true, 0, 0, 60, 100, null,
                    null, null));
            Thread.sleep(200);
            journal.segmentStopped(b, Instant.ofEpochMilli(5000), 6, "end of IPDRDoc", 8);
            Thread.sleep(200);
            assertThat(journal.pending()).as("the gauge: in flight, late's start, b's stop, a's progress")
                    .isEqualTo(MetadataWrites.MAX_IN_FLIGHT + 3);
            holding.set(false);
            for (int i = 0; i < MetadataWrites.MAX_IN_FLIGHT; i++) {
                held.poll(10, TimeUnit.SECONDS).complete(null);
            }
            journal.sync();
            assertThat(journal.pending()).isZero();
        }
        List<Object> order = slow.writes.subList(2 + MetadataWrites.MAX_IN_FLIGHT, slow.writes.size());
        assertThat(order).hasSize(3);
        assertThat(order.get(0)).as("a start queued after the progress goes first")
                .isInstanceOfSatisfying(Segment.class, s -> assertThat(s.key()).isEqualTo(late));
        assertThat(order.get(1).toString()).as("the stop replaced b's progress").startsWith("stop " + b.key())
                .endsWith("highest 8");
        assertThat(order.get(2).toString()).as("a's latest progress only").startsWith("progress " + a.key())
                .endsWith("highest 9");
    }

    /**
     * A segment's progress that waits behind the segment's start in flight is dropped when the stop comes, and is sent
     * after the start otherwise.
     */
    @Test
    void progressBehindItsSegmentsWriteInFlightGivesWayToTheStop() throws Exception {
        BlockingQueue<CompletableFuture<Void>> held = new LinkedBlockingQueue<>();
        SessionFixture.TestMetadata slow = new SessionFixture.TestMetadata() {
            @Override
            public CompletionStage<Void> saveSegment(Segment s) {
                super.saveSegment(s);
                CompletableFuture<Void> f = new CompletableFuture<>();
                held.add(f);
                return f;
            }
        };
        Segment a = new Segment(new RecordKey("cmts-a", 1, UUID.randomUUID(), 1L), Instant.ofEpochMilli(1000),
                "node-t", true, 0, 0, 60, 100, null, null, null);
        try (SegmentJournal journal = new SegmentJournal("node-t", slow)) {
            journal.segmentStarted(a);
            CompletableFuture<Void> start = held.poll(10, TimeUnit.SECONDS);
            journal.segmentProgress(a, 5);
            Thread.sleep(200);
            journal.segmentStopped(a, Instant.ofEpochMilli(5000), 6, "end of IPDRDoc", 8);
            Thread.sleep(200);
            start.complete(null);
            journal.sync();
        }
        assertThat(slow.writes).hasSize(2);
        assertThat(slow.writes.get(1).toString()).startsWith("stop " + a.key()).endsWith("highest 8");
    }
}
