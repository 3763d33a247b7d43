package io.ipdrsp.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** The node's ports for one run: free on 127.0.0.1 now (the node binds them moments later). */
record Ports(int api, int admin, int listen, int hazelcast) {
    static Ports pick() {
        return new Ports(free(), free(), free(), free());
    }

    private static int free() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
