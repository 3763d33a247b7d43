package io.ipdrsp.node.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.StoredRecord;
import io.ipdrsp.storage.SubscriberStore;
import io.ipdrsp.storage.SubscriberStore.Binding;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Records built with the simulator's CMTS-CM-REG-STATUS-TYPE and CPE-TYPE templates, stored through the record writer,
 * indexed, and looked up the way the REST API does.
 */
class SubscriberIndexerTest {
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    private static final long A = Macs.parse("00:18:9b:8d:fc:01");
    private static final long B = Macs.parse("00:18:9b:8d:fc:02");
    private static final long C = Macs.parse("00:18:9b:8d:fc:03");
    private static final long D = Macs.parse("00:18:9b:8d:fc:04");
    private static final long X = Macs.parse("00:00:5e:00:53:10");

    private static CassandraStorage storage;
    private static SubscriberStore store;

    @BeforeAll
    static void open() {
        storage = ExportFixtures.open("it_subscribers");
        store = new SubscriberStore(storage);
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    /** One CMTS-CM-REG-STATUS-TYPE record. */
    static byte[] cm(long mac, String ipv4, String ipv6, int recType, Instant created) {
        return ExportFixtures.encode(ExportFixtures.CM_REG, List.of("cmts-sub", 12345L, "Cable1/0/0", 1031L, 1L,
                new byte[0], 0L, 13L, 6L, mac, ipv4, ipv6 == null ? new byte[0] : ipv6, new byte[0], 2, 8,
                Instant.ofEpochSecond(1_714_550_000L), recType, created));
    }

    /** One CPE-TYPE record (no time field: the indexer takes the arrival time). */
    static byte[] cpe(long cmMac, long cpeMac, String ipv4, int recType) {
        return ExportFixtures.encode(ExportFixtures.CPE, List.of("cmts-sub", 12345L, "Cable1/0/0", 1031L, cmMac,
                recType, cpeMac, ipv4, new byte[0], "cpe.example.net"));
    }

    private static SubscriberIndexer indexer(String exporter) {
        return new SubscriberIndexer("node-t", storage, null, () -> List.of(exporter), e -> DecoderOptions.DEFAULT,
                new SubscriberIndexer.Settings(Duration.ofSeconds(1), Duration.ofDays(1), Duration.ZERO),
                Clock.systemUTC());
    }

    private static Binding period(List<Binding> periods, String ip) throws Exception {
        InetAddress a = InetAddress.getByName(ip);
        List<Binding> m = periods.stream().filter(b -> b.ip().equals(a)).toList();
        assertThat(m).as("periods of %s", ip).hasSize(1);
        return m.get(0);
    }

    private static Binding holderAt(String ip, Instant t) throws Exception {
        return store.byIp(InetAddress.getByName(ip), t, 100).stream().filter(b -> b.heldAt(t)).findFirst()
                .orElse(null);
    }

    @Test
    void cableModemBindingsFollowAddressChangesReassignmentsAndStops() throws Exception {
        String exporter = "cmts-sub";
        RecordKey key = new RecordKey(exporter, 18, UUID.randomUUID(), 1_714_000_000L);
        Map<Long, byte[]> records = Map.of(
                0L, cm(A, "10.0.0.1", "2001:db8::a", 3, T0),
                1L, cm(C, "10.0.0.9", null, 3, T0),
                2L, cm(A, "10.0.0.1", "2001:db8::a", 1, T0.plusSeconds(900)),
                3L, cm(D, "10.0.0.9", null, 1, T0.plusSeconds(1200)),
                4L, cm(A, "10.0.0.2", "2001:db8::a", 1, T0.plusSeconds(1800)),
                5L, cm(B, "10.0.0.1", null, 3, T0.plusSeconds(2400)),
                6L, cm(A, "10.0.0.2", "2001:db8::a", 2, T0.plusSeconds(3000)));
        ExportFixtures.store(storage, key, 1, List.of(ExportFixtures.CM_REG), 257, 0, 7, records::get);
        // a SAMIS document of the same CMTS: CmMacAddr/CmIpv4Addr too, but not a subscriber record type
        RecordKey samis = new RecordKey(exporter, 2, UUID.randomUUID(), 1_714_000_000L);
        ExportFixtures.store(storage, samis, 1, List.of(ExportFixtures.SAMIS), 256, 0, 50, ExportFixtures::samis);

        SubscriberIndexer indexer = indexer(exporter);
        indexer.runOnce();
        assertThat(indexer.recordsIndexed()).isEqualTo(7);
        assertThat(store.byMac(0x0011_2233_0000L + 3, 10)).as("SAMIS records are not indexed").isEmpty();

        List<Binding> a = store.byMac(A, 100);
        assertThat(a).hasSize(3).allMatch(b -> b.kind().equals("CM") && b.exporter().equals(exporter));
        Binding first = period(a, "10.0.0.1");
        assertThat(first.firstSeen()).isEqualTo(T0);
        assertThat(first.lastSeen()).isEqualTo(T0.plusSeconds(900));
        assertThat(first.endedAt()).isEqualTo(T0.plusSeconds(1800));
        assertThat(first.endReason()).contains("address changed to 10.0.0.2");
        Binding second = period(a, "10.0.0.2");
        assertThat(second.firstSeen()).isEqualTo(T0.plusSeconds(1800));
        assertThat(second.endedAt()).isEqualTo(T0.plusSeconds(3000));
        assertThat(second.endReason()).isEqualTo("Stop record");
        Binding v6 = period(a, "2001:db8::a");
        assertThat(v6.firstSeen()).isEqualTo(T0);
        assertThat(v6.lastSeen()).isEqualTo(T0.plusSeconds(3000));
        assertThat(v6.endedAt()).isEqualTo(T0.plusSeconds(3000));

        Binding c = period(store.byMac(C, 10), "10.0.0.9");
        assertThat(c.endedAt()).isEqualTo(T0.plusSeconds(1200));
        assertThat(c.endReason()).isEqualTo("address reassigned to " + Macs.format(D));

        assertThat(holderAt("10.0.0.1", T0.plusSeconds(600)).mac()).isEqualTo(A);
        assertThat(holderAt("10.0.0.1", T0.plusSeconds(2100))).as("between A's change and B's start").isNull();
        assertThat(holderAt("10.0.0.1", T0.plusSeconds(2700)).mac()).isEqualTo(B);
        assertThat(holderAt("10.0.0.9", T0.plusSeconds(1199)).mac()).isEqualTo(C);
        assertThat(holderAt("10.0.0.9", T0.plusSeconds(1200)).mac()).isEqualTo(D);
        assertThat(holderAt("2001:db8::a", T0.plusSeconds(2999)).mac()).isEqualTo(A);
        assertThat(holderAt("2001:db8::a", T0.plusSeconds(3001))).isNull();

        // the watermark: nothing again; a new record continues from there, even with a fresh indexer (restart)
        assertThat(indexer.indexDocument(key)).isZero();
        ExportFixtures.store(storage, key, 1, List.of(ExportFixtures.CM_REG), 257, 7, 1,
                s -> cm(A, "10.0.0.3", null, 3, T0.plusSeconds(3600)));
        SubscriberIndexer restarted = indexer(exporter);
        assertThat(restarted.indexDocument(key)).isEqualTo(1);
        List<Binding> after = store.byMac(A, 100);
        assertThat(after).hasSize(4);
        assertThat(after.get(0).ip()).isEqualTo(InetAddress.getByName("10.0.0.3"));
        assertThat(after.get(0).endedAt()).isNull();
        assertThat(period(after, "10.0.0.2").endedAt()).as("unchanged by the restart")
                .isEqualTo(T0.plusSeconds(3000));
    }

    @Test
    void cpeBindingsCarryTheirCableModemAndTheArrivalTimes() throws Exception {
        String exporter = "cmts-cpe";
        RecordKey key = new RecordKey(exporter, 11, UUID.randomUUID(), 1_714_000_000L);
        Map<Long, byte[]> records = Map.of(
                0L, cpe(A, X, "192.168.0.10", 3),
                1L, cpe(A, X, "192.168.0.10", 1),
                2L, cpe(A, X, "192.168.0.10", 2));
        ExportFixtures.store(storage, key, 1, List.of(ExportFixtures.CPE), 258, 0, 3, records::get);
        List<Instant> arrivals = new ArrayList<>();
        try (Stream<StoredRecord> s = storage.streamRecords(key)) {
            s.forEach(r -> arrivals.add(r.receivedAt()));
        }
        assertThat(indexer(exporter).indexDocument(key)).isEqualTo(3);

        List<Binding> x = store.byMac(X, 10);
        assertThat(x).hasSize(1);
        Binding b = x.get(0);
        assertThat(b.kind()).isEqualTo("CPE");
        assertThat(b.cmMac()).isEqualTo(A);
        assertThat(b.ip()).isEqualTo(InetAddress.getByName("192.168.0.10"));
        assertThat(b.firstSeen()).isEqualTo(arrivals.get(0));
        assertThat(b.lastSeen()).isEqualTo(arrivals.get(2));
        assertThat(b.endedAt()).isEqualTo(arrivals.get(2));
        assertThat(b.endReason()).isEqualTo("Stop record");
        assertThat(store.cpesOf(A, 10)).extracting(Binding::mac).containsExactly(X);
    }
}
