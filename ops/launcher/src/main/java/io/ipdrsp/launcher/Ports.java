package io.ipdrsp.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntPredicate;

/**
 * The project's one way to pick a port for a server that binds it later (a node, a Cassandra, a simulated CMTS).
 *
 * <p>Random and below the kernel's ephemeral range rather than "bind 0": a port the kernel hands out can meanwhile
 * become the local port of some outgoing connection on a busy machine (driver, Hazelcast, ZooKeeper clients), and the
 * server then fails with "Address already in use" (seen here). Below the range only other listeners can collide, and
 * a port is never handed out twice by one JVM.
 */
public final class Ports {
    private static final Set<Integer> ISSUED = ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    /** A free port on {@code host} (an IP literal such as 127.0.0.1 or 127.0.2.3). */
    public static int freePort(String host) {
        return freePort(host, p -> true);
    }

    /** A free port on {@code host} for which {@code alsoFree} holds too (e.g. a port pair). */
    public static int freePort(String host, IntPredicate alsoFree) {
        int ephemeralLow = ephemeralLow();
        int low = Math.max(1024, Math.min(10_000, ephemeralLow / 2));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200 && ephemeralLow - low > 100; attempt++) {
            int port = random.nextInt(low, ephemeralLow);
            if (isFree(host, port) && alsoFree.test(port) && ISSUED.add(port)) {
                return port;
            }
        }
        throw new LaunchException("no free port on " + host + " below " + ephemeralLow + " in 200 attempts");
    }

    /** {@code preferred} when it is free on {@code host} (stable URLs from run to run), else any free port. */
    public static int preferredPort(String host, int preferred) {
        return isFree(host, preferred) && ISSUED.add(preferred) ? preferred : freePort(host);
    }

    /**
     * Whether a listener could bind {@code host:port} now. With SO_REUSEADDR, as the servers bind (Netty, ZooKeeper,
     * Cassandra): connections of a server just stopped linger in TIME_WAIT on its port, which stops a bind without it
     * but not the server's own restart on that port.
     */
    public static boolean isFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range (Linux), else the IANA default. */
    private static int ephemeralLow() {
        try {
            // readAllLines, not readString: procfs reports size 0 and readString returned only "3" here
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0)
                    .trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
