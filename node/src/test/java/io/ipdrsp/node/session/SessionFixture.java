package io.ipdrsp.node.session;

import com.codahale.metrics.MetricRegistry;
import io.ipdrsp.dedup.RecordSink;
import io.ipdrsp.dedup.SessionState;
import io.ipdrsp.dedup.StreamRegistry;
import io.ipdrsp.node.config.Capability;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.NodeIdentity;
import io.ipdrsp.node.config.StorageSettings;
import io.ipdrsp.node.transport.IpdrPipeline;
import io.ipdrsp.node.transport.ProtocolErrors;
import io.ipdrsp.node.transport.RateLimitedLog;
import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.Data;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FieldType;
import io.ipdrsp.protocol.GetSessions;
import io.ipdrsp.protocol.GetSessionsResponse;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.KeepAlive;
import io.ipdrsp.protocol.MessageCodec;
import io.ipdrsp.protocol.SessionBlock;
import io.ipdrsp.protocol.SessionStart;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.protocol.TemplateData;
import io.ipdrsp.storage.DocumentInfo;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.Segment;
import io.ipdrsp.storage.WriteOutcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A node's session layer without servers, for unit tests: a hand-written {@link RecordSink} whose writes complete
 * when the test says so, metadata and the cluster registry kept in lists, a clock the test moves, and CMTS
 * connections as {@link EmbeddedChannel}s carrying the node's real pipeline.
 */
public final class SessionFixture implements AutoCloseable, AfterEachCallback {
    public static final TemplateBlock TEMPLATE = new TemplateBlock(7, "test-schema", "TEST-TYPE", List.of(
            new FieldDescriptor(FieldType.UNSIGNED_INT, 1, "counter", true),
            new FieldDescriptor(FieldType.STRING, 2, "label", true)));
    public static final TemplateBlock V6_TEMPLATE = new TemplateBlock(8, "test-schema", "V6-TYPE", List.of(
            new FieldDescriptor(FieldType.IPV6_ADDR, 1, "address", true)));

    public final AtomicLong clock = new AtomicLong(1_000_000_000L);
    public final TestSink sink = new TestSink();
    public final TestMetadata metadata = new TestMetadata();
    public final TestRegistry registry = new TestRegistry();
    public final RecordPathMetrics metrics = new RecordPathMetrics(new MetricRegistry());
    public final PrometheusRegistry prometheus = new PrometheusRegistry();
    public final StorageSettings storage = new StorageSettings().maxInFlightPerConnection(100).maxInFlight(1000)
            .stopFlowAfterSeconds(5);
    public volatile boolean storageAnswers = true;
    public final NodeContext ctx;
    public final IpdrPipeline pipeline;

    public SessionFixture() {
        metrics.exporters().register(prometheus);
        NodeIdentity identity = new NodeIdentity().id("node-t").site("test");
        ctx = new NodeContext(identity, storage, sink, new SegmentJournal("node-t", metadata),
                () -> CompletableFuture.completedFuture(storageAnswers), new SessionStatePublisher("node-t", registry),
                new DocumentIndex(), metrics, new PausedConnections(sink),
                new ProtocolErrors(metrics.exporters(), new RateLimitedLog(10_000, 64, clock::get)), clock::get);
        pipeline = new IpdrPipeline(ctx);
    }

    public static ExporterConfig cmtsConfig(String name) {
        return new ExporterConfig(name, "127.0.0.3", 4737, Direction.LISTEN).keepAliveSeconds(5)
                .capabilities(Capability.MULTISESSION, Capability.TEMPLATE_NEGOTIATION);
    }

    /** A CMTS connection through the node's pipeline; {@code nodeDials}: the node opened TCP. */
    public Cmts connect(ExporterState exporter, boolean nodeDials) throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(false, false);
        ch.freezeTime();
        pipeline.session(ch, exporter, nodeDials, null);
        ch.register();
        return new Cmts(ch);
    }

    /**
     * A CMTS that dialed in from {@code host:port} and was admitted by address range: {@code admission} names it at
     * its CONNECT, {@code standIn} carries the connection until then.
     */
    public Cmts admitted(String host, int port, ExporterState standIn, Admission admission) throws Exception {
        java.net.InetSocketAddress remote = new java.net.InetSocketAddress(java.net.InetAddress.getByName(host), port);
        EmbeddedChannel ch = new EmbeddedChannel(false, false) {
            @Override
            protected java.net.SocketAddress remoteAddress0() {
                return remote;
            }
        };
        ch.freezeTime();
        pipeline.admitted(ch, standIn, admission);
        ch.register();
        return new Cmts(ch);
    }

    /** Moves the clock (and the channels' event loops) forward, running what falls due. */
    public void advance(long millis, Cmts... on) {
        clock.addAndGet(millis * 1_000_000L);
        for (Cmts c : on) {
            c.ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
            c.ch.runPendingTasks();
        }
    }

    /** The value of {@code ipdr_protocol_errors_sent_total{code}} in a scrape of the labelled metrics. */
    public double errorsSent(int code) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, prometheus.scrape());
        String line = "ipdr_protocol_errors_sent_total{code=\"" + code + "\"} ";
        return out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith(line))
                .mapToDouble(l -> Double.parseDouble(l.substring(line.length()))).findFirst().orElse(-1);
    }

    /** Waits until the journal wrote and the publisher published what the session layer handed them so far. */
    public void sync() throws Exception {
        ctx.journal().sync();
        ctx.publisher().sync();
    }

    @Override
    public void close() {
        ctx.journal().close();
        ctx.publisher().close();
    }

    /** Registered with {@code @RegisterExtension}: closed after each test. */
    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** The CMTS side of one embedded connection. */
    public final class Cmts {
        public final EmbeddedChannel ch;

        Cmts(EmbeddedChannel ch) {
            this.ch = ch;
        }

        public void send(IpdrMessage m) {
            ch.writeInbound(MessageCodec.encode(m, ch.alloc()));
            ch.runPendingTasks();
        }

        public void sendRaw(byte[] bytes) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        }

        /** The next message the node wrote, keep-alives skipped; null if none. */
        public IpdrMessage read() throws Exception {
            ch.runPendingTasks();
            while (true) {
                ByteBuf b = ch.readOutbound();
                if (b == null) {
                    return null;
                }
                try {
                    IpdrMessage m = MessageCodec.decode(b);
                    if (!(m instanceof KeepAlive)) {
                        return m;
                    }
                } finally {
                    b.release();
                }
            }
        }

        @SuppressWarnings("unchecked")
        public <T extends IpdrMessage> T expect(Class<T> type) throws Exception {
            IpdrMessage m = read();
            if (!type.isInstance(m)) {
                throw new AssertionError("expected " + type.getSimpleName() + " but got " + m);
            }
            return (T) m;
        }

        /** Every message the node wrote so far, keep-alives skipped. */
        public List<IpdrMessage> drain() throws Exception {
            List<IpdrMessage> out = new ArrayList<>();
            for (IpdrMessage m = read(); m != null; m = read()) {
                out.add(m);
            }
            return out;
        }

        /** The CMTS dialed: CONNECT .. GET_SESSIONS_RESPONSE offering {@code sessions}, FLOW_STARTs read. */
        public void handshake(int... sessions) throws Exception {
            send(new Connect(0x7f000003, 4000, 0x07, 5, "test-cmts"));
            expect(io.ipdrsp.protocol.ConnectResponse.class);
            GetSessions gs = expect(GetSessions.class);
            List<SessionBlock> blocks = new ArrayList<>();
            for (int s : sessions) {
                blocks.add(new SessionBlock(s, 0, "session-" + s, "", 5, 10));
            }
            send(new GetSessionsResponse(gs.requestId(), blocks));
            for (int s : sessions) {
                expect(io.ipdrsp.protocol.FlowStart.class);
            }
        }

        /** Templates announced and acknowledged, then SESSION_START of {@code documentId}. */
        public void open(int session, UUID documentId, boolean primary, int ackSeq, int ackTime) throws Exception {
            send(new TemplateData(session, 1, 0, List.of(TEMPLATE, V6_TEMPLATE)));
            expect(io.ipdrsp.protocol.FinalTemplateDataAck.class);
            start(session, documentId, primary, 0, ackSeq, ackTime);
        }

        public void start(int session, UUID documentId, boolean primary, long firstDsn, int ackSeq, int ackTime) {
            send(new SessionStart(session, 1_700_000_000L, firstDsn, 0, primary, ackTime, ackSeq,
                    SessionStart.documentId(documentId)));
        }

        public void data(int session, long dsn, String label) {
            send(Data.of(session, TEMPLATE.templateId(), 1, 0, dsn, record(dsn, label)));
        }

        public boolean isOpen() {
            ch.runPendingTasks();
            return ch.isOpen();
        }
    }

    public static byte[] record(long counter, String label) {
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + 4 + l.length).putInt((int) counter).putInt(l.length).put(l).array();
    }

    /** A sink whose writes complete when the test says so. */
    public static final class TestSink implements RecordSink {
        public record Write(Doc doc, long seq, boolean duplicateFlag, byte[] bytes,
                            CompletableFuture<WriteOutcome> outcome) {
        }

        public record Doc(RecordKey key, long firstRecordSequenceNumber, boolean primary) implements Document {
        }

        public final List<Doc> opened = new CopyOnWriteArrayList<>();
        public final List<Doc> closed = new CopyOnWriteArrayList<>();
        public final List<Write> writes = new CopyOnWriteArrayList<>();
        public final AtomicLong flushes = new AtomicLong();
        public volatile boolean capacity = true;
        private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

        @Override
        public Document open(RecordKey key, long firstRecordSequenceNumber, boolean primary, long window) {
            Doc d = new Doc(key, firstRecordSequenceNumber, primary);
            opened.add(d);
            return d;
        }

        @Override
        public CompletionStage<WriteOutcome> write(Document document, long seq, int templateId, int configId,
                boolean duplicateFlag, byte[] bytes) {
            Write w = new Write((Doc) document, seq, duplicateFlag, bytes, new CompletableFuture<>());
            writes.add(w);
            return w.outcome();
        }

        /** Completes every write not completed yet as STORED. */
        public void storeAll() {
            for (Write w : writes) {
                w.outcome().complete(WriteOutcome.STORED);
            }
        }

        public long pendingWrites() {
            return writes.stream().filter(w -> !w.outcome().isDone()).count();
        }

        @Override
        public void close(Document document) {
            closed.add((Doc) document);
        }

        @Override
        public void flush() {
            flushes.incrementAndGet();
        }

        @Override
        public boolean hasCapacity() {
            return capacity;
        }

        @Override
        public int pending() {
            return (int) pendingWrites();
        }

        @Override
        public void onCapacity(Runnable listener) {
            listeners.add(listener);
        }

        public void capacityReturned() {
            capacity = true;
            listeners.forEach(Runnable::run);
        }
    }

    /** Metadata rows as the journal wrote them, in order. */
    public static class TestMetadata implements MetadataStore {
        public final List<Object> writes = new CopyOnWriteArrayList<>();
        public final AtomicLong attempts = new AtomicLong();
        private final Semaphore attempted = new Semaphore(0);
        public volatile boolean failing;

        /** Waits (up to 10 s) for {@code n} more write attempts, failed ones included. */
        public boolean awaitAttempts(int n) throws InterruptedException {
            return attempted.tryAcquire(n, 10, TimeUnit.SECONDS);
        }

        public List<Segment> segments() {
            return writes.stream().filter(Segment.class::isInstance).map(Segment.class::cast).toList();
        }

        public List<DocumentInfo> documents() {
            return writes.stream().filter(DocumentInfo.class::isInstance).map(DocumentInfo.class::cast).toList();
        }

        public List<String> other() {
            return writes.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }

        private CompletionStage<Void> done(Object row) {
            attempts.incrementAndGet();
            attempted.release();
            if (failing) {
                return CompletableFuture.failedFuture(new RuntimeException("Cassandra down"));
            }
            writes.add(row);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> saveSegment(Segment s) {
            return done(s);
        }

        @Override
        public CompletionStage<Void> stopSegment(RecordKey key, Instant startedAt, String node, Instant stoppedAt,
                int reasonCode, String reasonInfo, long highestSeq) {
            return done("stop " + key + " " + startedAt + " reason " + reasonCode + " highest " + highestSeq);
        }

        @Override
        public CompletionStage<Void> segmentProgress(RecordKey key, Instant startedAt, String node, long highestSeq) {
            return done("progress " + key + " " + startedAt + " highest " + highestSeq);
        }

        @Override
        public CompletionStage<Void> saveDocument(DocumentInfo d) {
            return done(d);
        }

        @Override
        public CompletionStage<Void> saveTemplates(String exporter, int sessionId, long bootTime, int configId,
                List<TemplateBlock> templates) {
            return done("templates " + exporter + "/" + sessionId + " boot " + bootTime + " configId " + configId);
        }
    }

    /** The cluster registry as a list of what was published, with the publishing thread's name. */
    public static final class TestRegistry implements StreamRegistry {
        public record Published(SessionState state, String thread) {
        }

        public final List<Published> published = new CopyOnWriteArrayList<>();
        private final Map<String, SessionState> latest = new ConcurrentHashMap<>();
        private final Semaphore publishes = new Semaphore(0);

        @Override
        public void publish(SessionState state) {
            published.add(new Published(state, Thread.currentThread().getName()));
            latest.put(state.key(), state);
            publishes.release();
        }

        /** Waits (up to 10 s) for {@code n} more publishes than were waited for so far. */
        public boolean awaitPublishes(int n) throws InterruptedException {
            return publishes.tryAcquire(n, 10, TimeUnit.SECONDS);
        }

        @Override
        public void remove(String nodeId, String exporter, int sessionId) {
            latest.remove(SessionState.key(nodeId, exporter, sessionId));
        }

        @Override
        public Collection<SessionState> all() {
            return latest.values();
        }

        @Override
        public void close() {
        }
    }
}
