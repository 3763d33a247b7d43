package io.ipdrsp.node.session;

import io.ipdrsp.dedup.RecordSink;
import io.netty.channel.Channel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * TCP back-pressure for one connection: reading stops ({@code autoRead} off) while the connection has
 * {@code maxPerConnection} records in flight or the node's sink has no capacity, and resumes with hysteresis (half
 * the connection's bound, three quarters of the node's) so that it does not flap. Nothing is buffered beyond the read
 * in progress. Resumed by this connection's own completions, by the sink's capacity listener (through
 * {@link PausedConnections}), and by a re-check every {@value #RECHECK_MILLIS} ms while paused (capacity can return
 * without either: the node-wide bound falls without the sink ever having been full). Event-loop confined except
 * {@link #resumeFromAnyThread()}.
 */
final class ReadThrottle {
    static final long RECHECK_MILLIS = 100;

    private final Channel channel;
    private final RecordSink sink;
    private final int maxPerConnection;
    private final int maxNode;
    private final PausedConnections paused;
    private int inFlight;
    private boolean readPaused;
    private boolean closed;
    private ScheduledFuture<?> recheck;

    ReadThrottle(Channel channel, RecordSink sink, int maxPerConnection, int maxNode, PausedConnections paused) {
        this.channel = channel;
        this.sink = sink;
        this.maxPerConnection = maxPerConnection;
        this.maxNode = maxNode;
        this.paused = paused;
    }

    /** One record handed to the sink: stop reading when a bound is reached. */
    void writeStarted() {
        inFlight++;
        if (!readPaused && !closed && (inFlight >= maxPerConnection || !sink.hasCapacity())) {
            readPaused = true;
            channel.config().setAutoRead(false);
            paused.add(this);
            recheck = channel.eventLoop().scheduleWithFixedDelay(this::maybeResume, RECHECK_MILLIS, RECHECK_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** One record's write is over (durable, or given up). */
    void writeDone() {
        inFlight--;
    }

    int inFlight() {
        return inFlight;
    }

    boolean isPaused() {
        return readPaused;
    }

    void maybeResume() {
        if (readPaused && !closed && inFlight <= maxPerConnection / 2 && sink.pending() < maxNode * 3 / 4) {
            readPaused = false;
            stopRechecking();
            paused.remove(this);
            channel.config().setAutoRead(true);
            channel.read();
        }
    }

    /** From the sink's capacity listener (another thread). */
    void resumeFromAnyThread() {
        if (channel.isActive()) {
            channel.eventLoop().execute(this::maybeResume);
        }
    }

    void closed() {
        closed = true;
        stopRechecking();
        paused.remove(this);
    }

    private void stopRechecking() {
        if (recheck != null) {
            recheck.cancel(false);
            recheck = null;
        }
    }
}
