package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.DataAck;
import io.ipdrsp.protocol.Framing;
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * IPDR/SP frames between one CMTS and its collectors as the CMTS sees them, per session: when each DATA went towards
 * a collector and when each DATA_ACK came back, and how many SESSION_STARTs opened streams. Fed whole frames by
 * {@link AckCountingRelay}, or raw bytes of any number of connections through {@link #stream} (a TCP proxy's tap).
 * {@link #check} holds the acks to the ack policy's bounds (issue 14 items 3 and 4).
 */
public final class AckTally {
    /** One DATA_ACK as it reached the CMTS, on which connection. */
    public record Ack(int sessionId, long dsn, long atNanos, int connection) {
    }

    /** What {@link #check} measured for one session. */
    public record Figures(long dataFrames, long sessionStarts, long durationMillis, int acks, long bound,
                          long tailDsn, long tailMillis) {
    }

    /** Cuts one direction of one connection into frames (bytes arrive in any pieces). */
    public final class Stream {
        private final boolean towardsCollector;
        private final int connection;
        private final ByteBuf pending = Unpooled.buffer();

        private Stream(boolean towardsCollector, int connection) {
            this.towardsCollector = towardsCollector;
            this.connection = connection;
        }

        /** Bytes seen on the connection (not consumed: the caller forwards them). */
        public synchronized void bytes(ByteBuf data) {
            pending.writeBytes(data, data.readerIndex(), data.readableBytes());
            while (pending.readableBytes() >= Framing.HEADER_LENGTH) {
                int length = pending.getInt(pending.readerIndex() + 4);
                if (length < Framing.HEADER_LENGTH) {
                    pending.clear(); // not IPDR/SP (a test's garbage): stop looking at this stream
                    return;
                }
                if (pending.readableBytes() < length) {
                    break;
                }
                ByteBuf frame = pending.readSlice(length);
                watch(frame, towardsCollector, connection);
            }
            pending.discardReadBytes();
        }
    }

    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    /** Per session: the highest DSN sent and when; when the first DATA was sent. */
    private final Map<Integer, long[]> lastData = new ConcurrentHashMap<>();
    private final Map<Integer, Long> firstData = new ConcurrentHashMap<>();
    /** Per session: DATA frames sent (re-sends included) and SESSION_STARTs. */
    private final Map<Integer, AtomicLong> dataFrames = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> sessionStarts = new ConcurrentHashMap<>();

    /** A number for a new connection (its acks are checked for order on their own). */
    public int newConnection() {
        return connections.incrementAndGet();
    }

    /** A frame splitter for one direction of a connection: {@code towardsCollector} = sent by the CMTS. */
    public Stream stream(boolean towardsCollector, int connection) {
        return new Stream(towardsCollector, connection);
    }

    /** One whole frame of a connection; {@code towardsCollector}: sent by the CMTS (else by a collector). */
    public void watch(ByteBuf frame, boolean towardsCollector, int connection) {
        long now = System.nanoTime();
        MessageType type = Framing.messageType(frame);
        if (towardsCollector && type == MessageType.DATA) {
            long dsn = Framing.dataSequenceNum(frame);
            int session = Framing.sessionId(frame);
            firstData.putIfAbsent(session, now);
            lastData.merge(session, new long[] {dsn, now}, (a, b) -> b[0] >= a[0] ? b : a);
            dataFrames.computeIfAbsent(session, k -> new AtomicLong()).incrementAndGet();
        } else if (towardsCollector && type == MessageType.SESSION_START) {
            sessionStarts.computeIfAbsent(Framing.sessionId(frame), k -> new AtomicLong()).incrementAndGet();
        } else if (!towardsCollector && type == MessageType.DATA_ACK) {
            try {
                DataAck a = (DataAck) MessageCodec.decode(frame);
                acks.add(new Ack(a.sessionId(), a.sequenceNum(), now, connection));
            } catch (Exception e) {
                throw new IllegalStateException("a DATA_ACK that does not decode: " + e, e);
            }
        }
    }

    public List<Ack> acks(int sessionId) {
        return acks.stream().filter(a -> a.sessionId() == sessionId).toList();
    }

    /** {highest DSN sent, nanoTime it was sent} of a session, or null. */
    public long[] lastData(int sessionId) {
        return lastData.get(sessionId);
    }

    /** DATA frames the CMTS sent on a session, re-sends included. */
    public long dataFrames(int sessionId) {
        return dataFrames.getOrDefault(sessionId, new AtomicLong()).get();
    }

    /** SESSION_STARTs the CMTS sent on a session (each opens a stream with its own ack timing). */
    public long sessionStarts(int sessionId) {
        return sessionStarts.getOrDefault(sessionId, new AtomicLong()).get();
    }

    /** nanoTime of the session's first DATA, or null. */
    public Long firstData(int sessionId) {
        return firstData.get(sessionId);
    }

    /**
     * The node's own measure of its slowest writes (receipt to durable, p99.9 of {@code ipdr_records_write_latency}) in
     * a Prometheus scrape, in ms (0 when absent): a tail's ack may wait that long for its write.
     */
    public static long slowestWriteMillis(String scrape) {
        // the smallest histogram bucket bound that holds every write of ipdr_records_write_latency_seconds
        Scrape s = Scrape.parse(scrape);
        double all = s.sum("ipdr_records_write_latency_seconds_count", Map.of());
        double seconds = s.samples().stream().filter(x -> x.name().equals("ipdr_records_write_latency_seconds_bucket")
                        && x.value() >= all && all > 0)
                .mapToDouble(x -> x.labels().get("le").equals("+Inf") ? 60 : Double.parseDouble(x.labels().get("le")))
                .min().orElse(0);
        return (long) (seconds * 1000);
    }

    /**
     * The ack policy's bounds, printed and asserted: no more DATA_ACKs than one per sequence trigger (0.75 ×
     * ackSequenceInterval) of DATA sent (re-sends included) plus one per ack period, plus one for each SESSION_START
     * (a new stream acks its first records without waiting for an earlier stream's period); never backwards; and the
     * tail (the highest DSN, once nothing follows it) acked within 1 s of being durable — {@code writeMillis}, the
     * node's slowest writes, and 1 s of scheduling on a loaded machine allowed for.
     */
    public Figures check(String what, int session, int ackSequenceInterval, long periodMillis, long writeMillis) {
        long records = dataFrames(session);
        List<Ack> sessionAcks = acks(session);
        long[] last = lastData(session);
        assertThat(last).as("%s: DATA seen", what).isNotNull();
        Ack tail = sessionAcks.stream().filter(a -> a.dsn() >= last[0]).findFirst()
                .orElseThrow(() -> new AssertionError(what + ": the tail DSN " + last[0] + " was never acked"));
        long tailMillis = (tail.atNanos() - last[1]) / 1_000_000;
        long durationMillis = (sessionAcks.get(sessionAcks.size() - 1).atNanos() - firstData(session)) / 1_000_000;
        long trigger = ackSequenceInterval - ackSequenceInterval / 4;
        long bound = records / trigger + durationMillis / periodMillis + 1 + sessionStarts(session);
        Figures f = new Figures(records, sessionStarts(session), durationMillis, sessionAcks.size(), bound, last[0],
                tailMillis);
        System.out.printf("ACKS %s session %d: %d DATA (%d SESSION_START) in %d ms, %d DATA_ACKs (bound %d: trigger %d,"
                        + " period %d ms); tail (DSN %d) acked %d ms after it was sent (node's p99.9 write: %d ms)%n",
                what, session, records, f.sessionStarts(), durationMillis, f.acks(), bound, trigger, periodMillis,
                last[0], tailMillis, writeMillis);
        assertThat(f.acks()).as("%s: DATA_ACKs of session %d", what, session).isLessThanOrEqualTo((int) bound);
        sessionAcks.stream().collect(java.util.stream.Collectors.groupingBy(Ack::connection)).forEach((c, list) ->
                assertThat(list).extracting(Ack::dsn).as("%s: never backwards on a connection", what).isSorted());
        assertThat(tailMillis).as("%s: tail of session %d: within 1 s of durable (+ the write, + 1 s of scheduling on"
                + " a loaded machine); it used to wait for ackTimeInterval minus the margin", what, session)
                .isLessThan(2_000 + writeMillis);
        return f;
    }
}
