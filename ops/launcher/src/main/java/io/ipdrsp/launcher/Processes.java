package io.ipdrsp.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Process and port chores shared by the launchers. */
final class Processes {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Logger LOG = LoggerFactory.getLogger(Processes.class);
    /** How the JDK (and so Cassandra, ZooKeeper, Netty) reports a bind to a port somebody else holds. */
    static final String ADDRESS_IN_USE = "Address already in use";

    private Processes() {
    }

    /** A free port on the loopback address for which {@code alsoFree} holds too (used for port pairs). */
    static int freePort(IntPredicate alsoFree) {
        return Ports.freePort(LOOPBACK.getHostAddress(), alsoFree);
    }

    /** {@link #freePort(IntPredicate)} on another local address (e.g. 127.0.0.2). */
    static int freePort(InetAddress address, IntPredicate alsoFree) {
        return Ports.freePort(address.getHostAddress(), alsoFree);
    }

    static boolean isFree(int port) {
        return Ports.isFree(LOOPBACK.getHostAddress(), port);
    }

    static boolean isFree(InetAddress address, int port) {
        return Ports.isFree(address.getHostAddress(), port);
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOOPBACK, port), 250);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits until {@code process} (or a descendant) listens on {@code port}, proven by the socket's inode
     * ({@link ListeningSockets}); where there is no {@code /proc}, until the port accepts connections. Fails fast with
     * the log tail when the process dies first.
     *
     * @throws PortTakenException when another process holds the port and ours exits or reports the bind failure: the
     *                            caller may retry on other ports
     */
    static void awaitPort(Process process, int port, Duration timeout, Path log, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextLogCheck = 0;
        while (true) {
            ListeningSockets.Owner owner = ListeningSockets.owner(process.toHandle(), port);
            if (owner == ListeningSockets.Owner.OURS
                    || (owner == ListeningSockets.Owner.UNKNOWN && accepts(port))) {
                return;
            }
            boolean foreign = owner == ListeningSockets.Owner.FOREIGN;
            if (!process.isAlive()) {
                String tail = tail(log, 40);
                if (foreign || tail.contains(ADDRESS_IN_USE)) {
                    throw new PortTakenException(what + " could not listen on port " + port + " (held by pid "
                            + ListeningSockets.holders(port) + "); " + log + " ends with:\n" + tail);
                }
                throw new LaunchException(what + " exited with " + process.exitValue() + " before port " + port
                        + " opened; " + log + " ends with:\n" + tail);
            }
            // a server that failed to bind may stay up without its port: ask its log, once a second
            if (foreign && System.nanoTime() > nextLogCheck) {
                nextLogCheck = System.nanoTime() + 1_000_000_000L;
                if (tail(log, 200).contains(ADDRESS_IN_USE)) {
                    terminate(process.toHandle(), Duration.ZERO);
                    throw new PortTakenException(what + " could not bind port " + port + ", held by pid "
                            + ListeningSockets.holders(port));
                }
            }
            if (System.nanoTime() > deadline) {
                terminate(process.toHandle(), Duration.ZERO);
                throw new LaunchException(what + " did not open port " + port + " within " + timeout
                        + (foreign ? " (another process, pid " + ListeningSockets.holders(port) + ", holds it)" : "")
                        + "; " + log + " ends with:\n" + tail(log, 40));
            }
            sleep(50);
        }
    }

    /**
     * Runs {@code launch}; when the port it was given turns out to be another process's and the port was picked here
     * (not fixed by the caller), logs it, lets {@code repick} choose new ports and tries again, up to 4 attempts.
     */
    static void launchWithPortRetry(boolean portsPicked, Runnable repick, Runnable launch) {
        for (int attempt = 1; ; attempt++) {
            try {
                launch.run();
                return;
            } catch (PortTakenException e) {
                if (!portsPicked || attempt == 4) {
                    throw new LaunchException(e.getMessage() + (portsPicked ? " (after " + attempt + " attempts)"
                            : "; choose another port or leave it to the launcher (0)"), e);
                }
                LOG.warn("{}; retrying on another port", firstLine(e.getMessage()));
                repick.run();
            }
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Ends a process and its descendants: SIGTERM and up to {@code grace} to exit, then SIGKILL. A zero grace is a plain
     * SIGKILL. Returns once the process is gone.
     */
    static void terminate(ProcessHandle process, Duration grace) {
        List<ProcessHandle> children = process.descendants().toList();
        if (process.isAlive()) {
            if (!grace.isZero()) {
                process.destroy();
                try {
                    process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception timeoutOrInterrupt) {
                    if (timeoutOrInterrupt instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            process.destroyForcibly();
            try {
                process.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new LaunchException("process " + process.pid() + " did not exit after SIGKILL", e);
            }
        }
        // the start scripts' watchdogs (and a copy-dependencies mvn, if stopped early)
        for (ProcessHandle child : children) {
            child.destroyForcibly();
            try {
                child.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new LaunchException("child process " + child.pid() + " did not exit after SIGKILL", e);
            }
        }
    }

    static String java17() {
        String explicit = System.getenv("JAVA17");
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        if (Runtime.version().feature() == 17) {
            return Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
        Path debian = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        if (Files.isExecutable(debian)) {
            return debian.toString();
        }
        // Cassandra 5.0 runs on 11 and 17 only; whatever `java` is, the server log will say if it refuses
        return "java";
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted", e);
        }
    }
}
