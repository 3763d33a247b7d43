package io.ipdrsp.launcher;

import java.nio.file.Path;

/**
 * A standalone (single-server) ZooKeeper for Curator: either inside this JVM ({@link #startEmbedded}, for the embedded
 * default and tests) or as its own process from {@code infra/zookeeper} ({@link #startProcess}, for fault tests and the
 * demo). The connect string is all a client needs.
 */
public interface ZooKeeperServer extends AutoCloseable {

    /**
     * Starts ZooKeeper 3.9 in this JVM ({@code ZooKeeperServerEmbedded}) and waits until it serves.
     *
     * @param dataDir snapshots and transaction logs; reused as is when it holds data
     * @param port client port on 127.0.0.1; 0 picks a free one
     */
    static ZooKeeperServer startEmbedded(Path dataDir, int port) {
        return EmbeddedZooKeeper.start(dataDir, port);
    }

    /**
     * Starts ZooKeeper 3.9.5 as its own process ({@code infra/zookeeper/run-zookeeper.sh}; jars resolved with Maven
     * on first use) and waits until it reports {@code Mode: standalone}. Output goes to {@code dataDir/server.log}.
     */
    static ZooKeeperServer startProcess(Path dataDir, int port) {
        return ZooKeeperProcess.start(ProjectHome.locate(), dataDir, port);
    }

    /** {@code 127.0.0.1:port}, for {@code new ZooKeeper(..)} or Curator. */
    default String connectString() {
        return "127.0.0.1:" + port();
    }

    int port();

    Path dataDir();

    boolean isRunning();

    /** Orderly shutdown; returns when the port is closed. Idempotent. */
    void stop();

    /** Starts it again on the same port and data after {@link #stop()}. */
    void restart();

    @Override
    default void close() {
        stop();
    }
}
