package io.ipdrsp.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class PacketParserTest {
    private static final byte[] SRC4 = {10, 0, 0, 1};
    private static final byte[] DST4 = {10, 0, 0, 2};
    private static final byte[] PAYLOAD = {2, 5, 0, 0, 0, 0, 0, 8};

    private static TcpSegment parse(int linkType, byte[] data) {
        return PacketParser.parse(new CapturedPacket(1, null, linkType, data));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    private static void assertV4(TcpSegment s) {
        assertThat(s).isNotNull();
        assertThat(s.src()).hasToString("10.0.0.1:4737");
        assertThat(s.dst()).hasToString("10.0.0.2:50000");
        assertThat(s.seq()).isEqualTo(0xFFFFFFF0L);
        assertThat(s.has(TcpSegment.ACK)).isTrue();
        assertThat(s.payload()).isEqualTo(PAYLOAD);
    }

    @Test
    void everySupportedLinkTypeLeadsToTheSameSegment() {
        byte[] ip = TestCaptures.ipv4Tcp(SRC4, 4737, DST4, 50000, 0xFFFFFFF0L, TcpSegment.ACK, PAYLOAD);
        byte[] eth = ByteBuffer.allocate(14).put(new byte[12]).putShort((short) 0x0800).array();
        assertV4(parse(1, concat(eth, ip)));
        // ethernet with a VLAN tag and trailing padding (frames shorter than 60 bytes are padded)
        byte[] vlan = ByteBuffer.allocate(18).put(new byte[12]).putShort((short) 0x8100).putShort((short) 7)
                .putShort((short) 0x0800).array();
        assertV4(parse(1, concat(concat(vlan, ip), new byte[6])));
        byte[] sll = ByteBuffer.allocate(16).putShort(14, (short) 0x0800).array();
        assertV4(parse(113, concat(sll, ip)));
        byte[] sll2 = ByteBuffer.allocate(20).putShort(0, (short) 0x0800).array();
        assertV4(parse(276, concat(sll2, ip)));
        assertV4(parse(101, ip));
        assertV4(parse(228, ip));
        byte[] nullLe = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(2).array();
        assertV4(parse(0, concat(nullLe, ip)));
        byte[] loop = ByteBuffer.allocate(4).putInt(2).array();
        assertV4(parse(108, concat(loop, ip)));
    }

    @Test
    void ipv6WithAnExtensionHeader() {
        byte[] src = new byte[16];
        src[15] = 1;
        byte[] dst = new byte[16];
        dst[0] = 0x20;
        dst[1] = 0x01;
        dst[2] = 0x0d;
        dst[3] = (byte) 0xb8;
        dst[15] = 2;
        byte[] plain = TestCaptures.ipv6Tcp(src, 4737, dst, 1234, 5, TcpSegment.SYN, new byte[0]);
        TcpSegment s = parse(229, plain);
        assertThat(s.src()).hasToString("[::1]:4737");
        assertThat(s.dst()).hasToString("[2001:db8::2]:1234");
        assertThat(s.has(TcpSegment.SYN)).isTrue();
        // insert an 8-byte destination-options header (next header 60) in front of TCP
        ByteBuffer b = ByteBuffer.allocate(plain.length + 8);
        b.put(plain, 0, 40).put((byte) 6).put((byte) 0).put(new byte[6]).put(plain, 40, plain.length - 40);
        b.put(6, (byte) 60).putShort(4, (short) (plain.length - 40 + 8));
        byte[] eth = ByteBuffer.allocate(14).put(new byte[12]).putShort((short) 0x86dd).array();
        TcpSegment withExtension = parse(1, concat(eth, b.array()));
        assertThat(withExtension).isNotNull();
        assertThat(withExtension.dst()).isEqualTo(s.dst());
        assertThat(withExtension.seq()).isEqualTo(5);
    }

    @Test
    void whatIsNotTcpOrIsCutShortIsIgnored() {
        byte[] ip = TestCaptures.ipv4Tcp(SRC4, 4737, DST4, 50000, 1, TcpSegment.ACK, PAYLOAD);
        byte[] udp = ip.clone();
        udp[9] = 17;
        assertThat(parse(101, udp)).isNull();
        byte[] fragment = ip.clone();
        fragment[6] = 0x20; // more fragments
        assertThat(parse(101, fragment)).isNull();
        assertThat(parse(101, java.util.Arrays.copyOf(ip, ip.length - 3))).isNull();
        assertThat(parse(1, new byte[10])).isNull();
        assertThat(parse(147, ip)).isNull(); // a link type we do not know
    }
}
