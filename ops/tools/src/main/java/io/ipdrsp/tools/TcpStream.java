package io.ipdrsp.tools;

import java.util.Map;
import java.util.TreeMap;

/**
 * Reassembles one direction of a TCP connection into the byte stream the receiving application read: segments are
 * ordered by sequence number (32-bit wrap handled), retransmitted bytes and overlaps dropped, out-of-order segments
 * held until the hole before them is filled. Held bytes are bounded: when the bound is reached, or the capture ends
 * with bytes still held, the hole is reported as a gap (the capture lost packets) and the stream resumes after it.
 */
final class TcpStream {
    /** Where the in-order bytes go. */
    interface Sink {
        void bytes(byte[] data, int offset, int length, CapturedPacket packet);

        /** {@code missing} bytes were never captured; what follows is delivered from after the hole. */
        void gap(long missing, CapturedPacket packet);
    }

    private record Held(byte[] data, CapturedPacket packet) {
    }

    private final Sink sink;
    private final long maxHeldBytes;
    private boolean started;
    /** Unwrapped (64-bit) sequence number of the next byte the receiver expects. */
    private long next;
    private final TreeMap<Long, Held> held = new TreeMap<>();
    private long heldBytes;
    private long retransmittedBytes;

    TcpStream(Sink sink, long maxHeldBytes) {
        this.sink = sink;
        this.maxHeldBytes = maxHeldBytes;
    }

    boolean started() {
        return started;
    }

    /** The 32-bit sequence number the first data byte had or would have (ISN+1 once a SYN was seen). */
    long nextSeq32() {
        return next & 0xFFFFFFFFL;
    }

    long retransmittedBytes() {
        return retransmittedBytes;
    }

    void segment(TcpSegment s, CapturedPacket packet) {
        boolean syn = s.has(TcpSegment.SYN);
        if (!started) {
            // without a SYN (the capture began mid-connection) the first segment seen defines the stream start
            started = true;
            next = s.seq() + (syn ? 1 : 0);
        }
        byte[] payload = s.payload();
        if (payload.length == 0) {
            return;
        }
        // place the 32-bit number within ±2^31 of where the stream is: this is what makes the wrap harmless
        long at = next + (int) ((s.seq() + (syn ? 1 : 0)) - next);
        accept(at, payload, packet);
    }

    private void accept(long at, byte[] data, CapturedPacket packet) {
        long end = at + data.length;
        if (end <= next) {
            retransmittedBytes += data.length;
            return;
        }
        if (at > next) {
            Held previous = held.get(at);
            if (previous == null || previous.data().length < data.length) {
                heldBytes += data.length - (previous == null ? 0 : previous.data().length);
                held.put(at, new Held(data, packet));
            }
            if (heldBytes > maxHeldBytes) {
                skipToHeld(packet);
            }
            return;
        }
        int skip = (int) (next - at);
        retransmittedBytes += skip;
        sink.bytes(data, skip, data.length - skip, packet);
        next = end;
        drain(packet);
    }

    /** Delivers held segments that have become contiguous, trimming what was already delivered. */
    private void drain(CapturedPacket packet) {
        Map.Entry<Long, Held> first;
        while ((first = held.firstEntry()) != null && first.getKey() <= next) {
            held.remove(first.getKey());
            byte[] data = first.getValue().data();
            heldBytes -= data.length;
            long end = first.getKey() + data.length;
            if (end > next) {
                int skip = (int) (next - first.getKey());
                retransmittedBytes += skip;
                sink.bytes(data, skip, data.length - skip, packet);
                next = end;
            } else {
                retransmittedBytes += data.length;
            }
        }
    }

    private void skipToHeld(CapturedPacket packet) {
        long firstHeld = held.firstKey();
        sink.gap(firstHeld - next, packet);
        next = firstHeld;
        drain(packet);
    }

    /** End of capture: bytes still held lie after a hole that will never be filled. */
    void finish(CapturedPacket last) {
        while (!held.isEmpty()) {
            skipToHeld(last);
        }
    }
}
