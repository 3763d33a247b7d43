package io.ipdrsp.tools;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Link layer → IPv4/IPv6 → TCP. Anything else (ARP, UDP, IP fragments, packets cut short by the snaplen) yields
 * {@code null}: a capture of a busy interface is full of traffic the decoder has no interest in.
 */
final class PacketParser {
    static final int LINKTYPE_NULL = 0;
    static final int LINKTYPE_ETHERNET = 1;
    static final int LINKTYPE_RAW = 101;
    static final int LINKTYPE_LOOP = 108;
    static final int LINKTYPE_LINUX_SLL = 113;
    static final int LINKTYPE_IPV4 = 228;
    static final int LINKTYPE_IPV6 = 229;
    static final int LINKTYPE_LINUX_SLL2 = 276;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int PROTO_TCP = 6;

    private PacketParser() {
    }

    static boolean supportedLinkType(int linkType) {
        return switch (linkType) {
            case LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LOOP, LINKTYPE_LINUX_SLL, LINKTYPE_IPV4,
                    LINKTYPE_IPV6, LINKTYPE_LINUX_SLL2 -> true;
            default -> false;
        };
    }

    static TcpSegment parse(CapturedPacket p) {
        ByteBuffer b = ByteBuffer.wrap(p.data());
        try {
            switch (p.linkType()) {
                case LINKTYPE_ETHERNET -> {
                    b.position(12);
                    int type = Short.toUnsignedInt(b.getShort());
                    // 802.1Q / 802.1ad / QinQ tags sit between the MAC addresses and the real EtherType
                    while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
                        b.getShort();
                        type = Short.toUnsignedInt(b.getShort());
                    }
                    return byEtherType(type, b);
                }
                case LINKTYPE_LINUX_SLL -> {
                    b.position(14);
                    return byEtherType(Short.toUnsignedInt(b.getShort()), b);
                }
                case LINKTYPE_LINUX_SLL2 -> {
                    int type = Short.toUnsignedInt(b.getShort(0));
                    b.position(20);
                    return byEtherType(type, b);
                }
                case LINKTYPE_NULL, LINKTYPE_LOOP -> {
                    // the 4-byte address family is in the writer's host byte order (NULL) and its value differs
                    // between operating systems for IPv6, so the IP version nibble is the reliable guide
                    b.position(4);
                    return ip(b);
                }
                case LINKTYPE_RAW -> {
                    return ip(b);
                }
                case LINKTYPE_IPV4 -> {
                    return ipv4(b);
                }
                case LINKTYPE_IPV6 -> {
                    return ipv6(b);
                }
                default -> {
                    return null;
                }
            }
        } catch (RuntimeException truncated) {
            // BufferUnderflowException / IllegalArgumentException: the packet was cut short by the snaplen
            return null;
        }
    }

    private static TcpSegment byEtherType(int type, ByteBuffer b) {
        return switch (type) {
            case ETHERTYPE_IPV4 -> ipv4(b);
            case ETHERTYPE_IPV6 -> ipv6(b);
            default -> null;
        };
    }

    private static TcpSegment ip(ByteBuffer b) {
        int version = Byte.toUnsignedInt(b.get(b.position())) >> 4;
        return version == 4 ? ipv4(b) : version == 6 ? ipv6(b) : null;
    }

    private static TcpSegment ipv4(ByteBuffer b) {
        int start = b.position();
        int vihl = Byte.toUnsignedInt(b.get(start));
        if (vihl >> 4 != 4) {
            return null;
        }
        int ihl = (vihl & 0x0f) * 4;
        int totalLength = Short.toUnsignedInt(b.getShort(start + 2));
        int fragment = Short.toUnsignedInt(b.getShort(start + 6));
        if ((fragment & 0x3fff) != 0) {
            return null; // more-fragments flag or a non-zero offset: not reassembled (TCP avoids fragmentation)
        }
        if (b.get(start + 9) != PROTO_TCP || ihl < 20 || totalLength < ihl) {
            return null;
        }
        // totalLength 0 is what TSO/GSO offload puts in captures taken on the sending host
        int end = totalLength == 0 ? b.limit() : Math.min(b.limit(), start + totalLength);
        if (totalLength != 0 && start + totalLength > b.limit()) {
            return null; // cut short by the snaplen: the payload is incomplete
        }
        byte[] src = new byte[4];
        byte[] dst = new byte[4];
        b.position(start + 12);
        b.get(src).get(dst);
        b.position(start + ihl);
        b.limit(end);
        return tcp(src, dst, b);
    }

    private static TcpSegment ipv6(ByteBuffer b) {
        int start = b.position();
        if (Byte.toUnsignedInt(b.get(start)) >> 4 != 6) {
            return null;
        }
        int payloadLength = Short.toUnsignedInt(b.getShort(start + 4));
        int next = Byte.toUnsignedInt(b.get(start + 6));
        byte[] src = new byte[16];
        byte[] dst = new byte[16];
        b.position(start + 8);
        b.get(src).get(dst);
        int end = payloadLength == 0 ? b.limit() : start + 40 + payloadLength;
        if (end > b.limit()) {
            return null;
        }
        b.limit(end);
        // walk the extension headers that may precede TCP; a fragment header (44) means we cannot use the packet
        while (next == 0 || next == 43 || next == 60) {
            int hdrNext = Byte.toUnsignedInt(b.get());
            int len = (Byte.toUnsignedInt(b.get()) + 1) * 8;
            b.position(b.position() - 2 + len);
            next = hdrNext;
        }
        return next == PROTO_TCP ? tcp(src, dst, b) : null;
    }

    private static TcpSegment tcp(byte[] srcAddr, byte[] dstAddr, ByteBuffer b) {
        int start = b.position();
        int srcPort = Short.toUnsignedInt(b.getShort(start));
        int dstPort = Short.toUnsignedInt(b.getShort(start + 2));
        long seq = Integer.toUnsignedLong(b.getInt(start + 4));
        int dataOffset = (Byte.toUnsignedInt(b.get(start + 12)) >> 4) * 4;
        int flags = Byte.toUnsignedInt(b.get(start + 13));
        if (dataOffset < 20 || start + dataOffset > b.limit()) {
            return null;
        }
        byte[] payload = Arrays.copyOfRange(b.array(), start + dataOffset, b.limit());
        return new TcpSegment(new Endpoint(address(srcAddr), srcPort), new Endpoint(address(dstAddr), dstPort), seq,
                flags, payload);
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw); // no name lookup: the bytes are used as they are
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
