package io.ipdrsp.storage;

import io.ipdrsp.launcher.CassandraServer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** The shared test Cassandra (one process per test JVM) and small helpers; one keyspace per test class. */
final class CassandraTestSupport {
    private CassandraTestSupport() {
    }

    static StorageConfig config(String keyspace) {
        CassandraServer server = CassandraServer.shared();
        return StorageConfig.defaults(List.of(server.contactPoint()), server.localDatacenter(), keyspace);
    }

    static RecordKey newDocument(String exporter) {
        return new RecordKey(exporter, 7, UUID.randomUUID(), 1_700_000_000L);
    }

    /** Record bytes that differ per sequence number and vary in length like real records (40..400 bytes). */
    static ByteBuffer recordBytes(long seq) {
        int len = 40 + (int) (seq * 7919 % 361);
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putLong(seq);
        while (b.hasRemaining()) {
            b.put((byte) ThreadLocalRandom.current().nextInt());
        }
        return b.flip();
    }
}
