package io.ipdrsp.node.cluster;

import com.datastax.oss.driver.api.core.CqlSession;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.ZooKeeperServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The servers every cluster test talks to, started once per test JVM (a Cassandra start costs 20-40 s on the two
 * shared cores, so once per class would blow the package's time budget): one <b>durable</b> Cassandra process
 * (group commit: an acknowledged write survives a crash, so the kill -9 scenarios are honest about storage too) and
 * one ZooKeeper. Test classes isolate themselves with their own keyspace and Curator namespace. Both servers are
 * stopped by a shutdown hook; the Cassandra script also watches this JVM's pid, so a killed test JVM leaves nothing.
 */
final class ClusterInfra {
    private static ClusterInfra instance;

    final CassandraServer cassandra;
    final ZooKeeperServer zooKeeper;
    final CqlSession cql;

    private ClusterInfra(CassandraServer cassandra, ZooKeeperServer zooKeeper, CqlSession cql) {
        this.cassandra = cassandra;
        this.zooKeeper = zooKeeper;
        this.cql = cql;
    }

    static synchronized ClusterInfra get() {
        if (instance == null) {
            Path base = Path.of("target", "cluster-it").toAbsolutePath();
            Path dir;
            try {
                Files.createDirectories(base);
                dir = Files.createTempDirectory(base, "infra-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long t0 = System.nanoTime();
            CassandraServer cassandra = CassandraServer.builder(dir.resolve("cassandra")).durable(true)
                    .heap("-Xms256m -Xmx640m").start();
            ZooKeeperServer zk;
            try {
                zk = ZooKeeperServer.startEmbedded(dir.resolve("zookeeper"), 0);
            } catch (RuntimeException e) {
                cassandra.kill();
                throw e;
            }
            CqlSession cql = CqlSession.builder().addContactPoint(cassandra.contactPoint())
                    .withLocalDatacenter(cassandra.localDatacenter()).build();
            System.out.printf("cluster-it: Cassandra %s (durable) and ZooKeeper %s up in %d ms%n",
                    cassandra.contactPoint(), zk.connectString(), (System.nanoTime() - t0) / 1_000_000);
            instance = new ClusterInfra(cassandra, zk, cql);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                cql.close();
                zk.stop();
                cassandra.kill();
            }, "cluster-it-infra-cleanup"));
        }
        return instance;
    }
}
