package io.ipdrsp.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TcpStreamTest {
    private final ByteArrayOutputStream delivered = new ByteArrayOutputStream();
    private final List<Long> gaps = new ArrayList<>();
    private final TcpStream.Sink sink = new TcpStream.Sink() {
        @Override
        public void bytes(byte[] data, int offset, int length, CapturedPacket packet) {
            delivered.write(data, offset, length);
        }

        @Override
        public void gap(long missing, CapturedPacket packet) {
            gaps.add(missing);
        }
    };
    private static final Endpoint A = new Endpoint(InetAddress.getLoopbackAddress(), 1);
    private static final Endpoint B = new Endpoint(InetAddress.getLoopbackAddress(), 2);
    private static final CapturedPacket P = new CapturedPacket(1, null, 1, new byte[0]);

    private static TcpSegment seg(long seq, int flags, byte[] payload) {
        return new TcpSegment(A, B, seq & 0xFFFFFFFFL, flags, payload);
    }

    private static byte[] stream(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void outOfOrderDuplicatedOverlappingAndSplitSegmentsAcrossTheSequenceWrap() {
        byte[] data = stream(5000);
        long isn = 0xFFFFFFFFL - 1234; // the stream wraps 2^32 after 1234 bytes
        TcpStream s = new TcpStream(sink, 1 << 20);
        s.segment(seg(isn, TcpSegment.SYN, new byte[0]), P);
        // cut into uneven pieces, then shuffle, duplicate and add overlapping re-cuts
        List<TcpSegment> segments = new ArrayList<>();
        Random r = new Random(42);
        for (int at = 0; at < data.length; ) {
            int len = Math.min(data.length - at, 1 + r.nextInt(300));
            segments.add(seg(isn + 1 + at, TcpSegment.ACK, Arrays.copyOfRange(data, at, at + len)));
            if (r.nextInt(4) == 0) { // an overlapping retransmission with a different cut
                int from = Math.max(0, at - 50);
                segments.add(seg(isn + 1 + from, TcpSegment.ACK, Arrays.copyOfRange(data, from,
                        Math.min(data.length, at + len + 20))));
            }
            at += len;
        }
        List<TcpSegment> shuffled = new ArrayList<>(segments);
        shuffled.addAll(segments.subList(0, segments.size() / 3)); // duplicates
        java.util.Collections.shuffle(shuffled, r);
        shuffled.forEach(x -> s.segment(x, P));
        s.finish(P);
        assertThat(gaps).isEmpty();
        assertThat(delivered.toByteArray()).isEqualTo(data);
        assertThat(s.retransmittedBytes()).isPositive();
    }

    @Test
    void withoutSynTheFirstSegmentSeenStartsTheStream() {
        TcpStream s = new TcpStream(sink, 1 << 20);
        s.segment(seg(1000, TcpSegment.ACK, new byte[] {1, 2}), P);
        s.segment(seg(1002, TcpSegment.ACK | TcpSegment.FIN, new byte[] {3}), P);
        s.segment(seg(1000, TcpSegment.ACK, new byte[] {1, 2}), P);
        assertThat(delivered.toByteArray()).containsExactly(1, 2, 3);
    }

    @Test
    void aHoleThatIsNeverFilledIsReportedAndTheRestDelivered() {
        TcpStream s = new TcpStream(sink, 1 << 20);
        s.segment(seg(0, TcpSegment.SYN, new byte[0]), P);
        s.segment(seg(1, TcpSegment.ACK, new byte[] {1, 2}), P);
        s.segment(seg(13, TcpSegment.ACK, new byte[] {9}), P); // 10 bytes (seq 3..12) never captured
        assertThat(delivered.toByteArray()).containsExactly(1, 2);
        s.finish(P);
        assertThat(gaps).containsExactly(10L);
        assertThat(delivered.toByteArray()).containsExactly(1, 2, 9);
    }

    @Test
    void heldBytesAreBounded() {
        TcpStream s = new TcpStream(sink, 100);
        s.segment(seg(0, TcpSegment.SYN, new byte[0]), P);
        for (int i = 0; i < 5; i++) { // 5 x 30 bytes after a hole of 10: the bound is crossed at the 4th
            s.segment(seg(11 + 30 * i, TcpSegment.ACK, new byte[30]), P);
        }
        assertThat(gaps).containsExactly(10L);
        assertThat(delivered.size()).isEqualTo(150);
    }
}
