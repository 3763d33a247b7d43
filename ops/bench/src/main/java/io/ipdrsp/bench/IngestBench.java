package io.ipdrsp.bench;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Direction;
import io.ipdrsp.simulator.FailoverMode;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.StorageConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * "Fast on first contact" (issue 18): one exporter session streaming a 24-field DOCSIS record as fast as it can
 * (window 1,000,000, ackSequenceInterval 50, ackTimeInterval 1 s, the reference exporter's shape) into a <b>fresh</b>
 * collector node backed by one durable (group commit), production-tuned Cassandra, interleaved with the driver-only
 * ceiling against the same server:
 * <ol>
 * <li>the server starts once; a warm-up collector run (not counted) creates the schema and lets its JIT compile;</li>
 * <li>each round, A: a fresh node JVM (its start-up to ready is timed), the simulator streams; <b>first contact</b> =
 * the first {@code records} records acknowledged, from the simulator's start to the last ack; then the stream goes on,
 * and after a warm-up the <b>steady state</b> is measured over a window;</li>
 * <li>each round, B: the node is gone, the storage module's {@link CeilingWriter} writes the same rows (one document,
 * sequence numbers from 0, the collector's stored bytes) and is measured the same way;</li>
 * <li>per pair, collector/ceiling; over the rounds, min / median / max ({@link IngestReport}).</li>
 * </ol>
 * Every phase reports durable records/s, CPU per 100 k records of node, Cassandra and the bench JVM with and without
 * their JIT compiler threads, RSS and the load average. Run by {@code ops/bin/bench-ingest}.
 */
public final class IngestBench {
    /** SAMIS-TYPE-1 without these four: 24 fields, ~189 bytes with the simulator's values. */
    static final Set<String> TRIMMED = Set.of("DOCSIS-CM:CmQosVersion", "DOCSIS-QOS:ServiceAppId",
            "DOCSIS-QOS:ServiceDsMulticast", "DOCSIS-QOS:ServiceGateId");
    static final String TEMPLATE = "SAMIS-TYPE-1-24";
    private static final String CMTS = "cmts-1";

    private IngestBench() {
    }

    public static void main(String[] args) throws Exception {
        IngestOptions o = IngestOptions.parse(args);
        System.out.printf(Locale.ROOT, "bench-ingest: %d round(s) of fresh node + ceiling; one session of %s "
                        + "(%d fields), window %,d, ackSequenceInterval %d, ackTimeInterval %d s; first contact %,d "
                        + "records, steady warm-up %s, measured %s; %d cores, java %s, load average %s%s%n",
                o.rounds(), TEMPLATE, template().fields().size(), o.window(), o.ackInterval(), o.ackTime(),
                o.records(), o.warmup(), o.duration(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), CpuSample.loadAverage(),
                o.nodeJvmOptions().isEmpty() ? "" : "; node JVM options " + o.nodeJvmOptions());
        Path dir = o.work().toAbsolutePath();
        EndToEndLoad.deleteTree(dir);
        Files.createDirectories(dir);
        List<IngestReport.Round> rounds = new ArrayList<>();
        // --cds ab: the warm-up's node writes the archive when it stops; even rounds map it, odd rounds run without
        Path classData = o.cdsAb() ? dir.resolve("cds") : null;
        try (CassandraServer cassandra = CassandraServer.builder(dir.resolve("cassandra")).durable(true).start()) {
            System.out.printf(Locale.ROOT, "Cassandra pid %d (%s JVM settings, commitlog_sync group) up in %.1f s%n",
                    cassandra.process().pid(), cassandra.jvm().name().toLowerCase(Locale.ROOT),
                    cassandra.lastStartTime().toMillis() / 1e3);
            if (!o.cassandraWarmup().isZero()) {
                System.out.printf("%n== warm-up (not counted): a collector run of %s creates the schema and warms "
                        + "the server ==%n", o.cassandraWarmup());
                collector(o, cassandra, dir.resolve("warmup"), 0, o.cassandraWarmup(), classData);
            }
            for (int r = 1; r <= o.rounds(); r++) {
                boolean cds = o.cdsAb() && r % 2 == 0;
                System.out.printf(Locale.ROOT, "%n== round %d of %d, A: fresh node%s ==%n", r, o.rounds(),
                        cds ? " mapping the class-data archive" : "");
                Collected a = collector(o, cassandra, dir.resolve("round-" + r), r, o.duration(),
                        cds ? classData : null);
                IngestRun.Measured b = null;
                if (o.ceiling()) {
                    System.out.printf(Locale.ROOT, "== round %d of %d, B: ceiling ==%n", r, o.rounds());
                    b = ceiling(o, cassandra, r);
                }
                rounds.add(new IngestReport.Round(r, a.readySeconds, a.measured, b, cds));
            }
        }
        IngestReport.print(o, rounds);
    }

    /**
     * A (and the warm-up, round 0): a fresh node, the stream, first contact and steady state; with {@code classData}
     * the node uses the class-data archive there (writes it when there is none, maps it when there is).
     */
    private static Collected collector(IngestOptions o, CassandraServer cassandra, Path dir, int round,
            Duration duration, Path classData) throws Exception {
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        try (LoadNodes nodes = LoadNodes.start(o.nodeOptions(), dir, cassandra, null, classData)) {
            double ready = (System.nanoTime() - t0) / 1e9;
            long pid = nodes.pids()[0];
            System.out.printf(Locale.ROOT, "node pid %d ready (API answering) %.1f s after its launch; load average "
                    + "%s%n", pid, ready, CpuSample.loadAverage());
            IngestRun run = new IngestRun(o, round, pid, cassandra.process().pid(), duration);
            IngestRun.Measured m = run.measure("collector", () -> {
                Fleet fleet = Fleet.start(fleet(nodes.listenPorts.get(0), o));
                return new IngestRun.Source() {
                    @Override
                    public long done() {
                        return fleet.ledger().totalAcked();
                    }

                    @Override
                    public void close() {
                        fleet.close();
                    }
                };
            });
            return new Collected(ready, m);
        }
    }

    private record Collected(double readySeconds, IngestRun.Measured measured) {
    }

    /** B: the storage module's writer alone, the same rows, against the same server. */
    private static IngestRun.Measured ceiling(IngestOptions o, CassandraServer cassandra, int round)
            throws Exception {
        // the node's batching and request timeout (5 s: on a crowded machine the driver's 2 s times out batches)
        StorageConfig config = StorageConfig.defaults(List.of(cassandra.contactPoint()), cassandra.localDatacenter(),
                "bench").withBatching(32, 100, Duration.ofMillis(2)).withRequestTimeout(Duration.ofSeconds(5));
        try (CassandraStorage storage = CassandraStorage.open(config)) {
            List<ByteBuffer> pool = CeilingWriter.storedRecords(storage, CMTS, 256);
            System.out.printf(Locale.ROOT, "ceiling: the storage module's RecordWriter (UNLOGGED batches of 100, 32 in "
                    + "flight), one document, %.0f-byte records as the collector stored them%n",
                    pool.stream().mapToInt(ByteBuffer::remaining).average().orElse(0));
            RecordKey[] doc = {new RecordKey("ceiling-" + round, 1, UUID.randomUUID(), 1_700_000_000L)};
            IngestRun run = new IngestRun(o, round, -1, cassandra.process().pid(), o.duration());
            return run.measure("ceiling", () -> {
                CeilingWriter w = CeilingWriter.start(storage, "bench-ceiling-" + round, pool, doc);
                return new IngestRun.Source() {
                    @Override
                    public long done() {
                        w.check();
                        return w.stored();
                    }

                    @Override
                    public void close() throws InterruptedException {
                        w.close();
                    }
                };
            });
        }
    }

    /** One CMTS, one session, the trimmed template, the exporter's window and acks, as fast as the window allows. */
    static FleetSpec fleet(int nodePort, IngestOptions o) {
        SessionSpec session = SessionSpec.event(1, TEMPLATE).asLoad().withAcks(o.ackInterval(), o.ackTime())
                .withWindow(o.window());
        CmtsSpec cmts = CmtsSpec.of(CMTS, Direction.CONNECT,
                        List.of(CollectorSpec.at("127.0.0.1", nodePort, 1).named("bench-node")), List.of(session))
                .withListen("127.0.0.11", 0).withKeepAlive(30).withReconnectDelay(Duration.ofMillis(200))
                .withMac(0x001dcf200001L).withFailover(FailoverMode.LEGACY);
        return FleetSpec.of(cmts).withTemplates(Map.of(TEMPLATE, template()));
    }

    /** SAMIS-TYPE-1 trimmed to 24 fields ({@link #TRIMMED} left out), templateId 1. */
    static TemplateBlock template() {
        TemplateBlock samis = Templates.builtIn(Templates.SAMIS_TYPE_1, 1);
        List<FieldDescriptor> kept = samis.fields().stream().filter(f -> !TRIMMED.contains(f.fieldName())).toList();
        return new TemplateBlock(1, samis.schemaName(), TEMPLATE, kept);
    }
}
