package io.ipdrsp.tools;

import static io.ipdrsp.tools.TestCaptures.readAll;
import static io.ipdrsp.tools.TestCaptures.resource;
import static io.ipdrsp.tools.TestCaptures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CaptureReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsTheDumpcapCaptureWithNanosecondTimestampsAsTsharkDid() throws Exception {
        List<CapturedPacket> packets = readAll(resource("ipdrsp_refexporter_basic.pcapng"));
        // tshark.txt lists frame numbers and times relative to frame 1; they must agree with ours
        List<String> lines = Files.readAllLines(resource("ipdrsp_refexporter_basic.tshark.txt"));
        Instant first = packets.get(0).time();
        for (String line : lines) {
            String[] f = line.split(" ");
            CapturedPacket p = packets.get(Integer.parseInt(f[0]) - 1);
            assertThat(p.number()).isEqualTo(Long.parseLong(f[0]));
            BigDecimal rel = new BigDecimal(f[1]);
            assertThat(Duration.between(first, p.time()))
                    .isEqualTo(Duration.ofNanos(rel.movePointRight(9).longValueExact()));
        }
        assertThat(packets).allSatisfy(p -> assertThat(p.linkType()).isEqualTo(PacketParser.LINKTYPE_ETHERNET));
        assertThat(packets.size()).isGreaterThanOrEqualTo(Integer.parseInt(lines.get(lines.size() - 1).split(" ")[0]));
    }

    @ParameterizedTest
    @CsvSource({"BIG_ENDIAN,false", "BIG_ENDIAN,true", "LITTLE_ENDIAN,false", "LITTLE_ENDIAN,true"})
    void classicPcapInEveryVariantGivesTheSamePackets(String order, boolean nanos) throws Exception {
        List<CapturedPacket> original = readAll(resource("ipdrsp_refexporter_basic.pcapng"));
        ByteOrder bo = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Path file = write(dir, "x.pcap", TestCaptures.pcap(original, bo, nanos));
        List<CapturedPacket> read = readAll(file);
        assertThat(read).hasSameSizeAs(original);
        for (int i = 0; i < read.size(); i++) {
            CapturedPacket a = original.get(i);
            CapturedPacket b = read.get(i);
            assertThat(b.data()).isEqualTo(a.data());
            assertThat(b.linkType()).isEqualTo(a.linkType());
            assertThat(b.number()).isEqualTo(i + 1);
            assertThat(b.time()).isEqualTo(nanos ? a.time() : a.time().truncatedTo(ChronoUnit.MICROS));
        }
    }

    @ParameterizedTest
    @CsvSource({"BIG_ENDIAN", "LITTLE_ENDIAN"})
    void pcapngWithSeveralInterfacesResolutionsSimplePacketsAndUnknownBlocks(String order) throws Exception {
        ByteOrder bo = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        byte[] a = {1, 2, 3};
        byte[] b = {4, 5, 6, 7, 8};
        byte[] c = {9};
        byte[] bytes = new TestCaptures.PcapNg(bo)
                .iface(PacketParser.LINKTYPE_ETHERNET, -1) // default: microseconds
                .block(0x0BAD, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}) // custom / unknown: skipped
                .iface(PacketParser.LINKTYPE_LINUX_SLL2, 9) // nanoseconds
                .iface(PacketParser.LINKTYPE_RAW, 0x80 | 10) // 2^-10 s
                .epb(0, 1_700_000_000_123_456L, a)
                .epb(1, 1_700_000_000_123_456_789L, b)
                .spb(c)
                .epb(2, 1_700_000_000L * 1024 + 512, c)
                .block(5, new byte[] {0, 0, 0, 0}) // interface statistics: skipped
                .bytes();
        List<CapturedPacket> read = readAll(write(dir, "multi.pcapng", bytes));
        assertThat(read).extracting(CapturedPacket::number).containsExactly(1L, 2L, 3L, 4L);
        assertThat(read).extracting(CapturedPacket::linkType).containsExactly(1, 276, 1, 101);
        assertThat(read.get(0).data()).isEqualTo(a);
        assertThat(read.get(0).time()).isEqualTo(Instant.parse("2023-11-14T22:13:20.123456Z"));
        assertThat(read.get(1).data()).isEqualTo(b);
        assertThat(read.get(1).time()).isEqualTo(Instant.parse("2023-11-14T22:13:20.123456789Z"));
        assertThat(read.get(2).data()).isEqualTo(c);
        assertThat(read.get(2).time()).isNull(); // a simple packet block records no time
        assertThat(read.get(3).time()).isEqualTo(Instant.parse("2023-11-14T22:13:20.5Z"));
    }

    @Test
    void aSecondSectionMayChangeByteOrderAndRestartsInterfaceNumbering() throws Exception {
        byte[] first = new TestCaptures.PcapNg(ByteOrder.LITTLE_ENDIAN).iface(1, -1).epb(0, 1, new byte[] {1})
                .bytes();
        byte[] second = new TestCaptures.PcapNg(ByteOrder.BIG_ENDIAN).iface(101, -1).epb(0, 2, new byte[] {2})
                .bytes();
        byte[] both = ByteBuffer.allocate(first.length + second.length).put(first).put(second).array();
        List<CapturedPacket> read = readAll(write(dir, "two.pcapng", both));
        assertThat(read).extracting(CapturedPacket::linkType).containsExactly(1, 101);
        assertThat(read.get(1).data()).containsExactly(2);
    }

    @Test
    void unreadableFilesAreNamedPrecisely() {
        assertThatThrownBy(() -> readAll(dir.resolve("missing.pcap"))).isInstanceOf(CaptureException.class)
                .hasMessage("no such file");
        assertThatThrownBy(() -> readAll(write(dir, "empty", new byte[0]))).hasMessage("empty file");
        assertThatThrownBy(() -> readAll(write(dir, "text", "hello world\n".getBytes())))
                .hasMessage("not a pcap or pcapng file (magic 0x68656c6c)");
        byte[] pcap = TestCaptures.pcap(List.of(), ByteOrder.LITTLE_ENDIAN, false);
        assertThatThrownBy(() -> readAll(write(dir, "short.pcap", java.util.Arrays.copyOf(pcap, 10))))
                .hasMessageStartingWith("truncated pcap file header");
        byte[] ng = new TestCaptures.PcapNg(ByteOrder.LITTLE_ENDIAN).iface(1, -1).epb(0, 1, new byte[] {1, 2})
                .bytes();
        byte[] badLength = ng.clone();
        int epbAt = ng.length - 36; // SHB 28 + IDB 20, then the EPB of 36 bytes
        ByteBuffer.wrap(badLength).order(ByteOrder.LITTLE_ENDIAN).putInt(epbAt + 4, 0x7ffffff0);
        assertThatThrownBy(() -> readAll(write(dir, "badlen.pcapng", badLength)))
                .hasMessage("corrupt block length 2147483632 at offset " + epbAt);
        byte[] badTrailer = ng.clone();
        badTrailer[badTrailer.length - 4] = 0x20;
        assertThatThrownBy(() -> readAll(write(dir, "badtrailer.pcapng", badTrailer)))
                .hasMessageStartingWith("corrupt block at offset " + epbAt);
        assertThatThrownBy(() -> readAll(write(dir, "cut.pcapng", java.util.Arrays.copyOf(ng, ng.length - 5))))
                .hasMessageStartingWith("truncated block at offset");
        byte[] undefinedIface = new TestCaptures.PcapNg(ByteOrder.BIG_ENDIAN).epb(0, 1, new byte[] {1}).bytes();
        assertThatThrownBy(() -> readAll(write(dir, "noidb.pcapng", undefinedIface)))
                .hasMessageContaining("undefined interface 0");
    }
}
