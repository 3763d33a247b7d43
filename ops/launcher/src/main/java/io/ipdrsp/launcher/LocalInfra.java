package io.ipdrsp.launcher;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Starts a durable Cassandra and an embedded ZooKeeper for manual runs and keeps them up until Ctrl-C (SIGTERM), which
 * stops both gracefully.
 *
 * <pre>java -cp ... io.ipdrsp.launcher.LocalInfra [dir (default target/local-infra)] [cql port (default 19042)] [zk port (default 12181)]</pre>
 */
public final class LocalInfra {
    private LocalInfra() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/local-infra").toAbsolutePath();
        int cqlPort = args.length > 1 ? Integer.parseInt(args[1]) : 19042;
        int zkPort = args.length > 2 ? Integer.parseInt(args[2]) : 12181;
        ZooKeeperServer zk = ZooKeeperServer.startEmbedded(dir.resolve("zookeeper"), zkPort);
        CassandraServer cassandra;
        try {
            cassandra = CassandraServer.builder(dir.resolve("cassandra")).nativePort(cqlPort).durable(true).start();
        } catch (RuntimeException e) {
            zk.stop();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cassandra.stop();
            zk.stop();
            stopped.countDown();
        }, "local-infra-stop"));
        System.out.printf("Cassandra %s (dc %s, started in %d ms, log %s)%nZooKeeper %s%nCtrl-C stops both.%n",
                cassandra.contactPoint(), cassandra.localDatacenter(), cassandra.lastStartTime().toMillis(),
                cassandra.logFile(), zk.connectString());
        stopped.await();
    }
}
