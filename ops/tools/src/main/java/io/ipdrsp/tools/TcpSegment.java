package io.ipdrsp.tools;

/** The TCP part of one captured packet. {@code seq} is the unsigned 32-bit sequence number. */
record TcpSegment(Endpoint src, Endpoint dst, long seq, int flags, byte[] payload) {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int ACK = 0x10;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
