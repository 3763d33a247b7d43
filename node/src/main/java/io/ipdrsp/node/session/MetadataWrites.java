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
 * How the {@link SegmentJournal}'s writes reach Cassandra: at most {@value #MAX_IN_FLIGHT} requests in flight (a
 * thousand sessions starting at once queue here instead of exhausting the driver's connections), the writes of one
 * row in the order they were asked for (a later one waits while an earlier one is in flight or retried, so a retried
 * segment start never lands after its stop), and a failed write retried with back-off (metadata rows are idempotent
 * upserts) for {@value #RETRY_MINUTES} minutes, failures logged once per interval. Confined to the journal thread.
 */
final class MetadataWrites {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataWrites.class);
    static final int MAX_IN_FLIGHT = 32;
    static final int RETRY_MINUTES = 10;

    /** One write of the row {@code row}; {@code onGiveUp} runs if it is never stored. */
    record Write(Object row, String what, Supplier<CompletionStage<Void>> write, Runnable onGiveUp, long firstNanos) {
    }

    private final ScheduledExecutorService thread;
    private final RateLimitedLog failures = RateLimitedLog.tenSeconds();
    private final ArrayDeque<Write> ready = new ArrayDeque<>();
    /** Rows with a write in flight, and the later writes of that row waiting for it. */
    private final Map<Object, ArrayDeque<Write>> rows = new HashMap<>();
    private int inFlight;
    private volatile boolean closing;

    MetadataWrites(ScheduledExecutorService thread) {
        this.thread = thread;
    }

    void submit(Write w) {
        ArrayDeque<Write> row = rows.get(w.row());
        if (row != null) {
            row.add(w);
            return;
        }
        rows.put(w.row(), new ArrayDeque<>());
        ready.add(w);
        start();
    }

    /** Writes queued or in flight. */
    int outstanding() {
        return inFlight + ready.size() + rows.values().stream().mapToInt(ArrayDeque::size).sum();
    }

    /** From now on a failed write is given up instead of retried. */
    void closing() {
        closing = true;
    }

    private void start() {
        Write w;
        while (inFlight < MAX_IN_FLIGHT && (w = ready.poll()) != null) {
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
        if (next != null) {
            ready.add(next);
        } else {
            rows.remove(w.row());
        }
        start();
    }
}
