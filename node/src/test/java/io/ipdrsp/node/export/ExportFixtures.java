package io.ipdrsp.node.export;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.protocol.RecordEncoder;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.simulator.Templates;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.DocumentInfo;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.StorageConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/** Stored documents for the export and subscriber tests: records written through the storage module's writer. */
public final class ExportFixtures {
    public static final TemplateBlock SAMIS = Templates.builtIn(Templates.SAMIS_TYPE_1, 256);
    public static final TemplateBlock CM_REG = Templates.builtIn(Templates.CMTS_CM_REG_STATUS_TYPE, 257);
    public static final TemplateBlock CPE = Templates.builtIn(Templates.CPE_TYPE, 258);

    private ExportFixtures() {
    }

    public static CassandraStorage open(String keyspace) {
        CassandraServer server = CassandraServer.shared();
        return CassandraStorage.open(StorageConfig.defaults(List.of(server.contactPoint()), server.localDatacenter(),
                keyspace));
    }

    /** A SAMIS-TYPE-1 record that differs per sequence number (strings of varying length included). */
    public static byte[] samis(long seq) {
        List<Object> v = List.of("cmts-" + (seq % 7), seq & 0xffffffffL, "10.0.0.1", "2001:db8::1",
                "Cable" + (seq % 5) + "/0/" + (seq % 16), 1000 + seq % 64, 0x0011_2233_0000L + seq % 4000,
                "10.1." + (seq % 200) + ".7", "2001:db8:1::" + Long.toHexString(seq % 65536), "fe80::1", 2, 8,
                Instant.ofEpochSecond(1_700_000_000L), 1, Instant.ofEpochMilli(1_700_000_000_000L + seq),
                new byte[] {1, 2, (byte) seq}, 0L, false, seq % 100_000, 0L, seq % 2 == 0 ? "DS_300M" : "US",
                seq % 2 == 0 ? 1 : 2, BigInteger.valueOf(seq * 1500), BigInteger.valueOf(seq), 0L, 0L, 300L, 900L);
        return encode(SAMIS, v);
    }

    public static byte[] encode(TemplateBlock t, List<?> values) {
        ByteBuf b = Unpooled.buffer();
        RecordEncoder.compile(t).encode(values, b);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    /** Saves the templates and the document row, then writes the records and waits until all are stored. */
    public static void store(CassandraStorage storage, RecordKey key, int configId, List<TemplateBlock> templates,
            int templateId, long fromSeq, long count, LongFunction<byte[]> record) throws Exception {
        storage.saveTemplates(key.exporter(), key.sessionId(), key.bootTime(), configId, templates)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (storage.document(key).toCompletableFuture().get(30, TimeUnit.SECONDS).isEmpty()) {
            Instant now = Instant.now();
            storage.saveDocument(new DocumentInfo(key, "OPEN", now, now, now, null, null, "test"))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        try (RecordWriter w = storage.recordWriter("test-node")) {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (long s = fromSeq; s < fromSeq + count; s++) {
                acks.add(w.write(key, s, templateId, configId, false, ByteBuffer.wrap(record.apply(s)))
                        .toCompletableFuture());
                if (acks.size() >= 2000) {
                    w.flush();
                    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                    acks.clear();
                }
            }
            w.flush();
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
    }
}
