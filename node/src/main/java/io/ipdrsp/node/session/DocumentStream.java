package io.ipdrsp.node.session;

import io.ipdrsp.dedup.RecordSink;
import io.ipdrsp.node.transport.RateLimitedLog;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.StorageOverloadedException;
import io.ipdrsp.storage.WriteOutcome;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One document stretch of one session (SESSION_START..SESSION_STOP) on its way to storage and back: each record is
 * handed to the sink, its completion comes back to the event loop (one hop per batch of completions), a failed write
 * is retried after a pause, the {@link AckTracker} is fed and a DATA_ACK goes out through the {@link Owner} when it is
 * due. One timer serves the time-based acks and the storage-stall bound. Event-loop confined, except the completion
 * callback.
 */
final class DocumentStream {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentStream.class);
    private static final long MS = 1_000_000L;
    /**
     * An open segment's highest DSN is written at most this often (with the acks; audit.md "Segment order"). The audit
     * raises it to what the segment made durable (SegmentReach), so it is a fallback: at once a second it was almost a
     * row write per record at a fleet's rates (1,000 CMTSes at 1,000 records/s: 130,000 segment writes beside 140,000
     * records), which took Cassandra's CPU from the finalizer.
     */
    static final long PROGRESS_EVERY_NANOS = 10_000 * MS;

    /** The session the stream belongs to. */
    interface Owner {
        /** Whether this stream may ack now (the session's current document, or the last ack of a stopped one). */
        boolean mayAck(DocumentStream d);

        /** Sends DATA_ACK with {@code dsn}. */
        void ack(DocumentStream d, long dsn);

        /** Writes made no progress for {@code storage.stopFlowAfterSeconds}: storage is failing. */
        void stalled(DocumentStream d, String why);
    }

    final RecordKey key;
    final AckTracker ack;
    final DocumentIndex.Entry entry;
    final Segment segment;
    final long firstRecordSequenceNumber;
    private final RecordSink.Document handle;
    private final Connection conn;
    private final SessionCounters counters;
    private final Owner owner;
    private final String failureKey;
    private final long stopAfterNanos;
    private final ConcurrentLinkedQueue<PendingRecord> completed = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drainCompleted;
    private long lastDsn = Long.MIN_VALUE;
    int lastConfigId = -1;
    private int writesInFlight;
    private boolean ended;
    private boolean released;
    private long lastProgressNanos;
    private long progressReportedNanos;
    private long progressReportedDsn = Long.MIN_VALUE;
    private ScheduledFuture<?> timer;
    private long timerAt;

    DocumentStream(Connection conn, Owner owner, SessionCounters counters, Segment segment,
                   DocumentIndex.Entry entry, RecordSink.Document handle) {
        this.conn = conn;
        this.owner = owner;
        this.counters = counters;
        this.segment = segment;
        this.key = segment.key();
        this.entry = entry;
        this.handle = handle;
        this.firstRecordSequenceNumber = segment.firstRecordSeq();
        this.ack = new AckTracker(segment.ackSequenceInterval(), segment.ackTimeInterval());
        this.failureKey = "storage " + key.exporter();
        this.stopAfterNanos = conn.ctx.storage().getStopFlowAfterSeconds() * 1000L * MS;
        this.lastProgressNanos = conn.now();
        this.progressReportedNanos = lastProgressNanos - PROGRESS_EVERY_NANOS; // the first ack reports at once
    }

    /** DSNs must increase within a stretch (SP 2.1 §2.10); false = out of sequence. */
    boolean inSequence(long dsn) {
        if (lastDsn != Long.MIN_VALUE && dsn <= lastDsn) {
            return false;
        }
        lastDsn = dsn;
        return true;
    }

    long lastDsn() {
        return lastDsn;
    }

    /** One validated record, copied out of its frame: to the sink; acked once durable. */
    void write(long dsn, int templateId, int configId, boolean duplicate, byte[] bytes) {
        lastConfigId = configId;
        long ticket = ack.received(dsn, conn.now());
        writesInFlight++;
        conn.wrote();
        send(new PendingRecord(this, ticket, dsn, templateId, configId, duplicate, bytes));
        conn.throttle.writeStarted();
        arm(nextWake());
    }

    private void send(PendingRecord p) {
        p.startedNanos = conn.now();
        CompletionStage<WriteOutcome> f;
        try {
            f = conn.ctx.sink().write(handle, p.dsn, p.templateId(), p.configId(), p.duplicate, p.data);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e); // retried like any failed write
        }
        f.whenComplete(p);
    }

    /** The sink's thread: queue for the event loop, waking it at most once per batch of completions. */
    void completed(PendingRecord p) {
        completed.add(p);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                conn.channel.eventLoop().execute(drain);
            } catch (RejectedExecutionException stopping) {
                // the node is stopping: nothing is acked any more
            }
        }
    }

    /** Event loop: apply the completions queued by the sink's threads since the last drain. */
    private void drainCompleted() {
        drainScheduled.set(false);
        PendingRecord p;
        while ((p = completed.poll()) != null) {
            if (p.failure == null) {
                counters.stored(entry, p.outcome, p.duplicate, p.dsn < firstRecordSequenceNumber,
                        conn.now() - p.startedNanos);
                writeOver();
                lastProgressNanos = conn.now();
                ack.durable(p.ticket);
            } else {
                failed(p);
            }
        }
        evaluate();
        conn.throttle.maybeResume();
    }

    private void writeOver() {
        writesInFlight--;
        conn.throttle.writeDone();
        maybeRelease();
    }

    /**
     * A write failed (Cassandra down, timeout) or was refused (the writer over its hard limit): the record is not acked
     * and is written again after a pause, until it succeeds or the connection closes. Meanwhile the ack point stays
     * where it is; after {@code stopFlowAfterSeconds} without progress the owner stops the flow.
     */
    private void failed(PendingRecord p) {
        boolean overloaded = p.failure instanceof StorageOverloadedException
                || p.failure.getCause() instanceof StorageOverloadedException;
        counters.writeFailed(overloaded);
        if (conn.isClosed()) {
            counters.writeAbandoned(); // never acked; the exporter re-sends it to whoever takes over
            writeOver();
            return;
        }
        if (!overloaded) {
            long skipped = conn.ctx.errors().limiter().admit(failureKey);
            if (skipped >= 0) {
                Throwable root = p.failure;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                LOG.warn("{}: record writes failing, retried (session {} DSN {} attempt {}): {} (cause: {}){}",
                        key.exporter(), key.sessionId(), p.dsn, p.attempt + 1, p.failure, root,
                        RateLimitedLog.suppressed(skipped));
                conn.exporter.error("storage: " + p.failure.getMessage());
            }
        }
        long delay = overloaded ? 20 : Math.min(2000, 50L << Math.min(p.attempt, 6));
        p.attempt++;
        p.failure = null;
        conn.channel.eventLoop().schedule(() -> {
            if (conn.isClosed()) {
                counters.writeAbandoned();
                writeOver();
            } else {
                send(p);
                conn.ctx.sink().flush();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** Sends what is due and arms the timer for what will be. */
    void evaluate() {
        if (conn.isClosed()) {
            cancelTimer();
            return;
        }
        long now = conn.now();
        if (ended) {
            if (ack.pendingWrites() == 0) {
                if (owner.mayAck(this) && ack.ackValue() > ack.lastAcked()) {
                    sendAck(now); // the stopped document's last ack, once its writes are all durable
                }
                cancelTimer();
            }
            return;
        }
        if (owner.mayAck(this) && ack.ackDue(now)) {
            sendAck(now);
        }
        if (ack.pendingWrites() > 0 && now - lastProgressNanos > stopAfterNanos
                && ack.oldestWaitNanos(now) > stopAfterNanos) {
            owner.stalled(this, "storage unavailable for " + (now - lastProgressNanos) / MS + " ms (" + writesInFlight
                    + " writes of this session in flight, " + conn.ctx.sink().pending() + " on the node)");
            return;
        }
        arm(nextWake());
    }

    private void sendAck(long now) {
        long dsn = ack.ackValue();
        long covered = ack.durableUnacked();
        ack.acked(now); // before sending: a write may run queued tasks, which must see this ack as sent
        counters.acked(entry, dsn, covered);
        owner.ack(this, dsn);
        conn.acked();
        if (!ended && lastDsn > progressReportedDsn && now - progressReportedNanos >= PROGRESS_EVERY_NANOS) {
            progressReportedNanos = now;
            progressReportedDsn = lastDsn;
            conn.ctx.journal().segmentProgress(segment, lastDsn);
        }
    }

    /** When {@link #evaluate()} must run again by time alone: an ack deadline or the stall bound. */
    private long nextWake() {
        long wake = ack.durableUnacked() > 0 ? ack.nextDeadline() : Long.MAX_VALUE;
        if (ack.pendingWrites() > 0) {
            long oldest = conn.now() - ack.oldestWaitNanos(conn.now());
            wake = Math.min(wake, Math.max(lastProgressNanos, oldest) + stopAfterNanos + MS);
        }
        return wake;
    }

    private void arm(long wakeNanos) {
        if (wakeNanos == Long.MAX_VALUE || (timer != null && timerAt <= wakeNanos)) {
            return;
        }
        cancelTimer();
        timerAt = wakeNanos;
        timer = conn.channel.eventLoop().schedule(() -> {
            timer = null;
            evaluate();
        }, Math.max(0, wakeNanos - conn.now()), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** The stretch is over (SESSION_STOP, superseded, FLOW_STOP, connection lost); its writes still complete. */
    void end() {
        ended = true;
        maybeRelease();
        evaluate();
    }

    /** Tells the sink the stretch is over once its last write completed, so that every durable number is published. */
    private void maybeRelease() {
        if (ended && writesInFlight == 0 && !released) {
            released = true;
            try {
                conn.ctx.sink().close(handle);
            } catch (RuntimeException e) {
                LOG.warn("{}: dedup did not take the end of {}: {}", key.exporter(), key, e.toString());
            }
        }
    }
}
