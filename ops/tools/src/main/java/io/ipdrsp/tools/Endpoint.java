package io.ipdrsp.tools;

import io.netty.util.NetUtil;
import java.net.InetAddress;

/** One end of a TCP connection. Prints as {@code addr:port}, IPv6 as {@code [addr]:port} (RFC 5952 form). */
record Endpoint(InetAddress address, int port) implements Comparable<Endpoint> {
    @Override
    public String toString() {
        String a = NetUtil.toAddressString(address);
        return address.getAddress().length == 16 ? "[" + a + "]:" + port : a + ":" + port;
    }

    @Override
    public int compareTo(Endpoint o) {
        int c = java.util.Arrays.compareUnsigned(address.getAddress(), o.address.getAddress());
        return c != 0 ? c : Integer.compare(port, o.port);
    }
}
