package io.ipdrsp.tools;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.ZooKeeperServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The demo's servers and folder: a durable local Cassandra, an embedded ZooKeeper, and {@code var/demo/run-…} for
 * their data and the node logs. The Cassandra script watches this JVM's pid, so even a kill -9 of the demo leaves
 * nothing running.
 */
final class DemoInfra {
    final Path home;
    final Path runDir;
    private final boolean keep;
    private final Consumer<String> say;
    private volatile CassandraServer cassandra;
    private volatile ZooKeeperServer zooKeeper;

    DemoInfra(Path home, boolean keep, Consumer<String> say) {
        this.home = home;
        this.keep = keep;
        this.say = say;
        this.runDir = home.resolve("var").resolve("demo")
                .resolve("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + runDir, e);
        }
    }

    /** Starts Cassandra and ZooKeeper, telling the operator what takes time. */
    void start() {
        quietEmbeddedZooKeeper();
        boolean firstCassandra = !Files.isDirectory(home.resolve("infra/cassandra/target/lib"));
        say.accept("starting Apache Cassandra 5.0.9 (durable commit log)" + (firstCassandra
                ? "; the first run fetches its jars with Maven (a minute or two)" : "") + " …");
        cassandra = CassandraServer.builder(runDir.resolve("cassandra")).durable(true)
                .startTimeout(Duration.ofMinutes(firstCassandra ? 10 : 3)).start();
        say.accept("Cassandra up on " + cassandraHostPort() + " in " + String.format("%.1f s",
                cassandra.lastStartTime().toMillis() / 1000.0) + " (log " + runDir.relativize(cassandra.logFile())
                + ")");
        zooKeeper = ZooKeeperServer.startEmbedded(runDir.resolve("zookeeper"), 0);
        say.accept("ZooKeeper up on " + zooKeeper.connectString());
    }

    String cassandraHostPort() {
        InetSocketAddress a = cassandra.contactPoint();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    String zooKeeperConnect() {
        return zooKeeper.connectString();
    }

    /** Stops ZooKeeper and Cassandra (gracefully when the data is kept) and deletes the run folder unless kept. */
    void stop() {
        if (zooKeeper != null) {
            try {
                zooKeeper.stop();
            } catch (RuntimeException e) {
                // stopping anyway
            }
        }
        if (cassandra != null) {
            if (keep) {
                cassandra.stop(); // graceful: the kept data starts again without commit log replay
            } else {
                cassandra.kill();
            }
        }
        if (keep) {
            say.accept("data kept in " + runDir);
        } else {
            deleteRecursively(runDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a file still held open: left behind
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // nothing more to do
        }
    }

    /**
     * The embedded ZooKeeper logs a warning for every client connection a kill -9 resets: expected here, and the
     * demo's output is for the story, not for library chatter (the nodes' own logs are in the run folder).
     */
    private static void quietEmbeddedZooKeeper() {
        if (org.slf4j.LoggerFactory.getLogger("org.apache.zookeeper") instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(ch.qos.logback.classic.Level.OFF);
        }
    }
}
