package io.ipdrsp.tools;

import static io.ipdrsp.tools.DecodeCommandTest.ipdr;
import static io.ipdrsp.tools.TestCaptures.readAll;
import static io.ipdrsp.tools.TestCaptures.resource;
import static io.ipdrsp.tools.TestCaptures.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captures synthesised from the real basic capture: the same TCP byte streams, but re-cut into tiny segments,
 * delivered out of order and partly twice, with sequence numbers that wrap — the messages must come out the same.
 */
class ReassemblyDecodeTest {
    @TempDir
    Path dir;

    /** Per direction ("src>dst"), the raw hex of every message in order. */
    private static Map<String, List<String>> messagesByDirection(List<JsonNode> objects) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (JsonNode o : objects) {
            m.computeIfAbsent(o.get("src").asText() + ">" + o.get("dst").asText(), k -> new ArrayList<>())
                    .add(o.has("raw") ? o.get("raw").asText() : "ERROR " + o.get("error").asText());
        }
        return m;
    }

    /** Rewrites the basic capture's TCP packets with the given mangling, as Ethernet/IPv4 or raw IPv6. */
    private List<CapturedPacket> mangled(boolean ipv6, int maxPiece, boolean shuffle, boolean duplicate)
            throws Exception {
        List<CapturedPacket> original = readAll(resource("ipdrsp_refexporter_basic.pcapng"));
        Random random = new Random(7);
        Map<String, Long> shift = new HashMap<>();
        List<CapturedPacket> out = new ArrayList<>();
        List<byte[]> window = new ArrayList<>();
        Instant t = original.get(0).time();
        for (CapturedPacket p : original) {
            TcpSegment s = PacketParser.parse(p);
            if (s == null) {
                continue;
            }
            // start every direction 40 bytes before the 32-bit wrap
            long d = shift.computeIfAbsent(s.src().toString(), k -> (0x1_0000_0000L - 40 - s.seq()) & 0xFFFFFFFFL);
            long seq = (s.seq() + d) & 0xFFFFFFFFL;
            byte[] payload = s.payload();
            int flagsAll = s.flags() & ~TcpSegment.FIN;
            if (payload.length == 0) {
                window.add(packet(ipv6, s, seq, s.flags(), payload));
            }
            for (int at = 0; at < payload.length; ) {
                int len = Math.min(payload.length - at, 1 + random.nextInt(maxPiece));
                boolean last = at + len == payload.length;
                int flags = last ? s.flags() : flagsAll;
                window.add(packet(ipv6, s, (seq + (s.has(TcpSegment.SYN) ? 1 : 0) + at) & 0xFFFFFFFFL,
                        flags, Arrays.copyOfRange(payload, at, at + len)));
                if (duplicate && random.nextInt(3) == 0) {
                    // a retransmission that also overlaps the previous piece
                    int from = Math.max(0, at - 3);
                    window.add(packet(ipv6, s, (seq + from) & 0xFFFFFFFFL, flagsAll,
                            Arrays.copyOfRange(payload, from, at + len)));
                }
                at += len;
            }
            if (shuffle && !s.has(TcpSegment.SYN)) {
                Collections.shuffle(window, random);
            }
            for (byte[] w : window) {
                t = t.plusNanos(1000);
                out.add(new CapturedPacket(out.size() + 1, t, ipv6 ? PacketParser.LINKTYPE_IPV6
                        : PacketParser.LINKTYPE_ETHERNET, w));
            }
            window.clear();
        }
        return out;
    }

    private static byte[] packet(boolean ipv6, TcpSegment s, long seq, int flags, byte[] payload) {
        if (ipv6) {
            return TestCaptures.ipv6Tcp(v6(s.src().address()), s.src().port(), v6(s.dst().address()),
                    s.dst().port(), seq, flags, payload);
        }
        return TestCaptures.ethernetIpv4Tcp(s.src().address().getAddress(), s.src().port(),
                s.dst().address().getAddress(), s.dst().port(), seq, flags, payload);
    }

    private static byte[] v6(InetAddress a) {
        byte[] b = new byte[16];
        b[0] = 0x20;
        b[1] = 0x01;
        b[2] = 0x0d;
        b[3] = (byte) 0xb8;
        System.arraycopy(a.getAddress(), 0, b, 12, 4);
        return b;
    }

    private static Map<String, List<String>> reference() {
        return messagesByDirection(ipdr("decode", resource("ipdrsp_refexporter_basic.pcapng").toString(),
                "--ipv6-raw", "--raw").objects());
    }

    @Test
    void splitReorderedDuplicatedAndWrappingSegmentsGiveTheSameMessages() throws Exception {
        List<CapturedPacket> packets = mangled(false, 7, true, true);
        TestCaptures.PcapNg ng = new TestCaptures.PcapNg(ByteOrder.BIG_ENDIAN).iface(1, 9);
        for (CapturedPacket p : packets) {
            long ns = p.time().getEpochSecond() * 1_000_000_000L + p.time().getNano();
            ng.epb(0, ns, p.data());
        }
        DecodeCommandTest.Run run = ipdr("decode", write(dir, "mangled.pcapng", ng.bytes()).toString(),
                "--ipv6-raw", "--raw");
        assertThat(run.status()).isZero();
        assertThat(run.stderr()).isEmpty();
        Map<String, List<String>> expected = reference();
        assertThat(messagesByDirection(run.objects())).isEqualTo(expected);
        assertThat(run.objects()).noneMatch(o -> o.has("error") || o.path("record").has("error"));
    }

    @Test
    void rawIpv6InAClassicPcapWithOneByteSegments() throws Exception {
        List<CapturedPacket> packets = mangled(true, 1, false, false);
        Path pcap = write(dir, "v6.pcap", TestCaptures.pcap(packets, ByteOrder.BIG_ENDIAN, false));
        DecodeCommandTest.Run run = ipdr("decode", pcap.toString(), "--ipv6-raw", "--raw");
        assertThat(run.status()).isZero();
        Map<String, List<String>> got = messagesByDirection(run.objects());
        Map<String, List<String>> expected = reference();
        assertThat(got.keySet()).allMatch(k -> k.startsWith("[2001:db8::7f00:1]:"));
        assertThat(new ArrayList<>(got.values())).isEqualTo(new ArrayList<>(expected.values()));
    }

    @Test
    void aLostSegmentEndsItsDirectionWithAnErrorAndTheOtherDirectionGoesOn() throws Exception {
        List<CapturedPacket> packets = new ArrayList<>(mangled(false, 400, false, false));
        // drop the 12th packet that carries exporter data (port 4737 → collector), mid-conversation
        int dropped = -1;
        int seen = 0;
        for (int i = 0; i < packets.size(); i++) {
            TcpSegment s = PacketParser.parse(packets.get(i));
            if (s.src().port() == 4737 && s.payload().length > 0 && ++seen == 12) {
                dropped = i;
                break;
            }
        }
        assertThat(dropped).isPositive();
        packets.remove(dropped);
        DecodeCommandTest.Run run = ipdr("decode", write(dir, "lossy.pcap",
                TestCaptures.pcap(packets, ByteOrder.LITTLE_ENDIAN, true)).toString(), "--ipv6-raw", "--raw");
        assertThat(run.status()).isZero();
        Map<String, List<String>> got = messagesByDirection(run.objects());
        Map<String, List<String>> expected = reference();
        String exporterDir = expected.keySet().stream().filter(k -> k.startsWith("127.0.0.1:4737>")).findFirst()
                .orElseThrow();
        String collectorDir = expected.keySet().stream().filter(k -> !k.equals(exporterDir)).findFirst()
                .orElseThrow();
        assertThat(got.get(collectorDir)).isEqualTo(expected.get(collectorDir));
        List<String> exporter = got.get(exporterDir);
        assertThat(exporter.get(exporter.size() - 1)).startsWith("ERROR the capture lost ");
        assertThat(exporter.subList(0, exporter.size() - 1)).isEqualTo(expected.get(exporterDir)
                .subList(0, exporter.size() - 1));
    }

    @Test
    void undecodableMessagesAndFramingErrorsAreReportedWithTheirBytes() throws Exception {
        byte[] keepAlive = HexFormat.of().parseHex("0240000000000008");
        byte[] badSessionStart = HexFormat.of().parseHex("020801000000000c01020304"); // 4 of 45 body bytes
        byte[] unknownTemplate = HexFormat.of().parseHex("0220010000000019" + "0007" + "0001" + "00"
                + "0000000000000000" + "00000000");
        byte[] badVersion = HexFormat.of().parseHex("0340000000000008");
        ByteBuffer stream = ByteBuffer.allocate(200);
        stream.put(keepAlive).put(badSessionStart).put(unknownTemplate).put(keepAlive).put(badVersion)
                .put(keepAlive);
        byte[] bytes = Arrays.copyOf(stream.array(), stream.position());
        byte[] a = {10, 0, 0, 1};
        byte[] b = {10, 0, 0, 2};
        Instant t = Instant.parse("2024-05-06T07:08:09.123456789Z");
        List<CapturedPacket> packets = List.of(
                new CapturedPacket(1, t, 1, TestCaptures.ethernetIpv4Tcp(a, 4737, b, 40000, 100, TcpSegment.SYN,
                        new byte[0])),
                new CapturedPacket(2, t.plusMillis(1), 1, TestCaptures.ethernetIpv4Tcp(a, 4737, b, 40000, 101,
                        TcpSegment.ACK, bytes)),
                new CapturedPacket(3, t.plusMillis(2), 1, TestCaptures.ethernetIpv4Tcp(b, 40000, a, 4737, 7,
                        TcpSegment.ACK, keepAlive)));
        DecodeCommandTest.Run run = ipdr("decode", write(dir, "bad.pcap",
                TestCaptures.pcap(packets, ByteOrder.LITTLE_ENDIAN, true)).toString());
        assertThat(run.status()).isZero();
        List<JsonNode> o = run.objects();
        assertThat(o).hasSize(6);
        assertThat(o.get(0).get("message").asText()).isEqualTo("KEEP_ALIVE");
        assertThat(o.get(0).get("time").asText()).isEqualTo("2024-05-06T07:08:09.124456Z");
        assertThat(o.get(0).get("src").asText()).isEqualTo("10.0.0.1:4737");
        assertThat(o.get(1).get("message").asText()).isEqualTo("SESSION_START");
        assertThat(o.get(1).get("error").asText()).startsWith("decode error");
        assertThat(o.get(1).get("raw").asText()).isEqualTo(HexFormat.of().formatHex(badSessionStart));
        assertThat(o.get(2).get("message").asText()).isEqualTo("DATA");
        assertThat(o.get(2).get("record").get("error").asText()).startsWith("unknown template 7");
        assertThat(o.get(3).get("message").asText()).isEqualTo("KEEP_ALIVE");
        assertThat(o.get(4).get("error").asText()).startsWith("framing error");
        assertThat(o.get(4).has("message")).isFalse();
        // the other direction is unaffected
        assertThat(o.get(5).get("message").asText()).isEqualTo("KEEP_ALIVE");
        assertThat(o.get(5).get("src").asText()).isEqualTo("10.0.0.2:40000");
    }
}
