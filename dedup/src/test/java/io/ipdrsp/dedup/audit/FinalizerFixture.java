package io.ipdrsp.dedup.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.dedup.ExporterLeadership;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.DocumentInfo;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.StorageConfig;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;

/**
 * The finalizer tests' world: the shared test Cassandra (one keyspace), a real ZooKeeper (Curator's TestingServer) and
 * nodes made of a Curator client, a registry entry, {@link ExporterLeadership} and a {@link DocumentFinalizer} whose
 * passes the test runs. Documents, segments and records are written through the storage API the nodes use.
 */
final class FinalizerFixture implements AutoCloseable {
    final CassandraStorage storage;
    final RecordWriter writer;
    final TestingServer zk;

    FinalizerFixture(String keyspace) throws Exception {
        CassandraServer server = CassandraServer.shared();
        storage = CassandraStorage.open(StorageConfig.defaults(List.of(server.contactPoint()),
                server.localDatacenter(), keyspace));
        writer = storage.recordWriter("n-test");
        zk = new TestingServer(true);
    }

    @Override
    public void close() throws Exception {
        writer.close();
        storage.close();
        zk.close();
    }

    /** One node's Curator client, registry entry, leadership and finalizer (passes run by the test). */
    record Node(String id, CuratorFramework curator, PersistentNode registration, ExporterLeadership lead,
            DocumentFinalizer finalizer) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            finalizer.close();
            lead.close();
            registration.close();
            curator.close();
        }
    }

    Node node(String id, List<String> exporters, FinalizerSettings settings) throws Exception {
        return node(id, exporters, settings, Clock.systemUTC());
    }

    /** A node whose finalizer reads {@code clock} (e.g. {@link LaterClock}). */
    Node node(String id, List<String> exporters, FinalizerSettings settings, Clock clock) throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .namespace("ipdr-fin").retryPolicy(new RetryNTimes(3, 100)).sessionTimeoutMs(5_000).build();
        c.start();
        assertThat(c.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        PersistentNode reg = new PersistentNode(c, CreateMode.EPHEMERAL, false, "/nodes/site1/" + id,
                id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        reg.start();
        reg.waitForInitialCreate(10, TimeUnit.SECONDS);
        ExporterLeadership lead = new ExporterLeadership(c, "site1", id).start();
        lead.setExporters(exporters);
        return new Node(id, c, reg, lead, new DocumentFinalizer(id, storage, lead, settings, clock));
    }

    Node node(String id, String exporter, FinalizerSettings settings) throws Exception {
        return node(id, List.of(exporter), settings);
    }

    /** The system clock plus an offset the test moves forward (time passing without waiting for it). */
    static final class LaterClock extends Clock {
        private volatile java.time.Duration offset = java.time.Duration.ZERO;

        void advance(java.time.Duration d) {
            offset = offset.plus(d);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    static void await(String what, BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static RecordKey newDoc(String exporter, int session, long boot) {
        return new RecordKey(exporter, session, UUID.randomUUID(), boot);
    }

    static Instant ago(int seconds) {
        return Instant.now().minusSeconds(seconds).truncatedTo(ChronoUnit.MILLIS);
    }

    void records(RecordKey key, long first, long last) throws Exception {
        List<CompletableFuture<Void>> f = new ArrayList<>();
        for (long s = first; s <= last; s++) {
            f.add(writer.write(key, s, 1, 1, false, ByteBuffer.wrap(("rec-" + s).getBytes())).toCompletableFuture());
        }
        writer.flush();
        CompletableFuture.allOf(f.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    /** What a primary node writes at SESSION_START (document row + time index). */
    void document(RecordKey key, Instant startedAt) throws Exception {
        storage.saveDocument(new DocumentInfo(key, "OPEN", startedAt, startedAt, startedAt, null, null, "n-test"))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void segment(RecordKey key, Instant startedAt, String node, boolean primary, long first, long dropped,
            Instant stoppedAt, Integer reason) throws Exception {
        segment(key, startedAt, node, primary, first, dropped, stoppedAt, reason, null);
    }

    /** A segment row as a node writes it; {@code highestSeq}: the highest DSN it received (null: not reported). */
    void segment(RecordKey key, Instant startedAt, String node, boolean primary, long first, long dropped,
            Instant stoppedAt, Integer reason, Long highestSeq) throws Exception {
        storage.saveSegment(new Segment(key, startedAt, node, primary, first, dropped, 60, 100, stoppedAt, reason,
                reason == null ? null : "reason " + reason, highestSeq)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    Optional<AuditRow> row(RecordKey key) throws Exception {
        return storage.audit().audit(key, null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static Node leaderOf(String exporter, List<Node> nodes) throws InterruptedException {
        await("a leader for " + exporter, () -> nodes.stream().filter(n -> n.lead().isLeader(exporter)).count() == 1);
        return nodes.stream().filter(n -> n.lead().isLeader(exporter)).findFirst().orElseThrow();
    }
}
