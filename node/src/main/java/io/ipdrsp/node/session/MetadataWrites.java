package io.ipdrsp.node.session;

import io.ipdrsp.node.transport.RateLimitedLog;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the {@link SegmentJournal}'s writes reach Cassandra: at most {@value #MAX_IN_FLIGHT} writes in flight (a
 * thousand sessions starting at once queue here instead of exhausting the driver's connections), the writes of one
 * row in the order they were asked for (a later one waits while an earlier one is in flight or retried, so a retried
 * segment start never lands after its stop), and a failed write retried with back-off (metadata rows are idempotent
 * upserts) for {@value #RETRY_MINUTES} minutes, failures logged once per interval. Confined to the journal thread.
 *
 * <p><b>Background writes</b> (segment progress: a fallback since the audit reads each segment's reach from the
 * receipts) go out only while nothing else waits, the latest per row: a later one replaces one not yet sent, and a
 * foreground write of the row (its stop, its end) replaces it. At a 1,000-CMTS boundary the journal held thousands of
 * writes in one queue, progress among them, and SESSION_STOPs reached Cassandra 50 s (p50) to 94 s (max) after the
 * CMTS sent them: the finalizer cannot finalize a document before its stop is stored (docs/performance.md "Fleet").
 */
final class MetadataWrites {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataWrites.class);
    /**
     * A write is a chain of requests (a segment start: the document's start claim, an LWT, then the row, then the
     * index touch), so it is bound by latency: 32 at a time carried a fleet's boundary at ~100 writes/s.
     */
    static final int MAX_IN_FLIGHT = 128;
    static final int RETRY_MINUTES = 10;

    /**
     * One write of the row {@code row}; {@code onGiveUp} runs if it is never stored; {@code background}: see
     * {@link #submitBackground}.
     */
    record Write(Object row, String what, Supplier<CompletionStage<Void>> write, Runnable onGiveUp, long firstNanos,
            boolean background) {
    }

    private final ScheduledExecutorService thread;
    private final RateLimitedLog failures = RateLimitedLog.tenSeconds();
    private final ArrayDeque<Write> ready = new ArrayDeque<>();
    /** Background writes not sent yet, the latest per row, in the order their rows first came. */
    private final Map<Object, Write> background = new java.util.LinkedHashMap<>();
    /** Rows with a write in flight, and the later writes of that row waiting for it. */
    private final Map<Object, ArrayDeque<Write>> rows = new HashMap<>();
    private int inFlight;
    private volatile boolean closing;

    MetadataWrites(ScheduledExecutorService thread) {
        this.thread = thread;
    }

    void submit(Write w) {
        background.remove(w.row()); // a foreground write of the row says at least as much
        ArrayDeque<Write> row = rows.get(w.row());
        if (row != null) {
            while (!row.isEmpty() && row.peekLast().background()) {
                row.pollLast(); // so does it for one waiting behind the row's write in flight
            }
            row.add(w);
            return;
        }
        rows.put(w.row(), new ArrayDeque<>());
        ready.add(w);
        start();
    }

    /** A background write: sent when nothing else waits; replaced by a later write of its row not yet sent. */
    void submitBackground(Write w) {
        ArrayDeque<Write> row = rows.get(w.row());
        if (row != null) { // a write of the row is in flight: after it, replacing a background one queued there
            if (!row.isEmpty() && row.peekLast().background()) {
                row.pollLast();
            }
            if (row.isEmpty()) {
                row.add(w);
            } // else a foreground write of the row follows, and says at least as much
            return;
        }
        background.put(w.row(), w);
        start();
    }

    /** Writes queued or in flight. */
    int outstanding() {
        return inFlight + ready.size() + background.size() + rows.values().stream().mapToInt(ArrayDeque::size).sum();
    }

    /** From now on a failed write is given up instead of retried. */
    void closing() {
        closing = true;
    }

    private void start() {
        while (inFlight < MAX_IN_FLIGHT) {
            Write w = ready.poll();
            if (w == null && !background.isEmpty()) {
                var first = background.entrySet().iterator();
                w = first.next().getValue();
                first.remove();
                rows.put(w.row(), new ArrayDeque<>());
            }
            if (w == null) {
                return;
            }
            inFlight++;
            attempt(w, 0);
        }
    }

    private void attempt(Write w, int n) {
        CompletionStage<Void> stage;
        try {
            stage = w.write().get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((v, ex) -> {
            try {
                thread.execute(() -> completed(w, n, ex));
            } catch (RejectedExecutionException stopped) {
                // the journal is closed: what is still in flight is abandoned
            }
        });
    }

    private void completed(Write w, int n, Throwable ex) {
        if (ex == null) {
            if (n > 0) {
                LOG.info("{}: stored after {} retries", w.what(), n);
            }
            finished(w);
            return;
        }
        if (closing || System.nanoTime() - w.firstNanos() > TimeUnit.MINUTES.toNanos(RETRY_MINUTES)) {
            LOG.error("{}: not stored, giving up after {} attempts: {}", w.what(), n + 1, ex.toString());
            if (w.onGiveUp() != null) {
                w.onGiveUp().run();
            }
            finished(w);
            return;
        }
        long skipped = failures.admit("metadata");
        if (skipped >= 0) {
            LOG.warn("{}: failed, retrying: {}{}", w.what(), ex.toString(), RateLimitedLog.suppressed(skipped));
        }
        thread.schedule(() -> attempt(w, n + 1), Math.min(5000, 100L << Math.min(n, 6)), TimeUnit.MILLISECONDS);
    }

    private void finished(Write w) {
        inFlight--;
        ArrayDeque<Write> row = rows.get(w.row());
        Write next = row == null ? null : row.poll();
        if (next != null && !next.background()) {
            ready.add(next);
        } else {
            rows.remove(w.row());
            if (next != null) { // a background write is always alone behind its row's: it waits as one again
                background.put(next.row(), next);
            }
        }
        start();
    }
}
