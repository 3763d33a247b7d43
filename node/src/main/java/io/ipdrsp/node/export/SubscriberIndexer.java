package io.ipdrsp.node.export;

import io.ipdrsp.dedup.ExporterLeadership;
import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FieldValue;
import io.ipdrsp.protocol.IpdrDecodeException;
import io.ipdrsp.protocol.RecordDecoder;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.DocumentReads;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.StoredRecord;
import io.ipdrsp.storage.SubscriberStore;
import io.ipdrsp.storage.SubscriberStore.Binding;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the subscriber view — which CM MAC and which CPE MAC held which IP address when — from stored
 * CMTS-CM-REG-STATUS-TYPE and CPE-TYPE records. It follows documents from Cassandra on its own thread, never on the
 * record path: every {@code interval}, for each exporter this node leads, the documents started within
 * {@code lookback} are read past a per-document watermark ({@code subscriber_index_progress}). A document whose
 * templates (per configId) hold neither type is skipped after one probe of its first new record.
 *
 * <p>Per MAC and address family (IPv4, IPv6) one binding period is current. A record showing the same address moves
 * its {@code lastSeen} (rewritten at most every {@code lastSeenResolution}); another address ends the period
 * ("address changed") and starts a new one; an address seen with a new MAC ends its previous holder's period
 * ("address reassigned"); a Stop record (RecType 2) ends the MAC's current periods. The time of a record is its
 * RecCreationTime when the template has one (CMTS-CM-REG-STATUS-TYPE), else its arrival at the collector (CPE-TYPE
 * carries no time). Records older than a MAC's current period start are not replayed into the past. Only one node
 * (the exporter's leader) indexes an exporter, so the read-modify-write of a MAC's current period has one writer per
 * CMTS.
 */
public final class SubscriberIndexer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberIndexer.class);
    static final String CM_TYPE = "CMTS-CM-REG-STATUS-TYPE";
    static final String CPE_TYPE = "CPE-TYPE";
    private static final int STOP = 2;
    private static final int CACHE = 100_000;
    private static final int MAX_PENDING = 256;

    /** @param lastSeenResolution {@code lastSeen} is rewritten when it moved by at least this much */
    public record Settings(Duration interval, Duration lookback, Duration lastSeenResolution) {
    }

    /** What the decoder of one subscriber template yields. */
    private record Extractor(String kind, RecordDecoder decoder, int mac, int cmMac, int ipv4, int ipv6, int recType,
            int created) {
    }

    private final String nodeId;
    private final CassandraStorage storage;
    private final DocumentReads reads;
    private final SubscriberStore store;
    private final ExporterLeadership leadership;
    private final Supplier<Collection<String>> exporters;
    private final Function<String, DecoderOptions> decoderOptions;
    private final Settings settings;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;

    /** (exporter, session, boot, configId) → templateId → extractor (absent: not a subscriber template). */
    private final Map<String, Map<Integer, Extractor>> extractors = new HashMap<>();
    private final Set<RecordKey> irrelevant = ConcurrentHashMap.newKeySet();
    /** mac/family → the current (newest) period of that MAC in that family. */
    private final Map<String, Binding> current = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Binding> e) {
            return size() > CACHE;
        }
    };
    private final List<CompletableFuture<Void>> pending = new ArrayList<>();
    private final AtomicLong recordsIndexed = new AtomicLong();
    private final AtomicLong bindingsWritten = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param leadership     null: index every exporter of {@code exporters} (a single node); else only those this
     *                       node leads
     * @param decoderOptions per exporter (its ipv6Raw setting)
     */
    public SubscriberIndexer(String nodeId, CassandraStorage storage, ExporterLeadership leadership,
            Supplier<Collection<String>> exporters, Function<String, DecoderOptions> decoderOptions, Settings settings,
            Clock clock) {
        this.nodeId = nodeId;
        this.storage = storage;
        this.reads = new DocumentReads(storage);
        this.store = new SubscriberStore(storage);
        this.leadership = leadership;
        this.exporters = exporters;
        this.decoderOptions = decoderOptions;
        this.settings = settings;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ipdr-subscriber-index-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs a pass every {@code settings.interval()} on the indexer's own thread. */
    public SubscriberIndexer start() {
        long every = settings.interval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                runOnce();
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                LOG.warn("subscriber index pass failed: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /** One pass over the exporters this node indexes (blocking; on the calling thread). */
    public synchronized void runOnce() {
        Instant now = clock.instant();
        Collection<String> names = leadership == null ? exporters.get() : leadership.leaderships();
        for (String exporter : names) {
            for (RecordKey key : storage.documentsStarted(exporter, now.minus(settings.lookback()),
                    now.plus(Duration.ofDays(1)))) {
                if (!irrelevant.contains(key)) {
                    try {
                        indexDocument(key);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                        LOG.warn("{}: subscriber indexing failed: {}", key, e.toString());
                    }
                }
            }
        }
    }

    /** Indexes the document's records past its watermark; returns how many subscriber records were applied. */
    public synchronized long indexDocument(RecordKey key) {
        long after = store.indexedThrough(key).orElse(-1);
        long applied = 0;
        long last = after;
        boolean probed = false;
        try (Stream<StoredRecord> records = reads.recordsAfter(key, after)) {
            for (StoredRecord r : (Iterable<StoredRecord>) records::iterator) {
                Map<Integer, Extractor> ex = extractors(key, r.configId());
                if (!probed && ex.isEmpty()) {
                    irrelevant.add(key); // no subscriber template in this configuration: never read it again
                    return 0;
                }
                probed = true;
                Extractor e = ex.get(r.templateId());
                if (e != null && apply(key.exporter(), e, r)) {
                    applied++;
                }
                last = r.seq();
                if ((last & 1023) == 0) {
                    checkpoint(key, last, applied);
                }
            }
        }
        if (last > after) {
            checkpoint(key, last, applied);
        }
        recordsIndexed.addAndGet(applied);
        return applied;
    }

    private void checkpoint(RecordKey key, long through, long applied) {
        awaitPending(); // the watermark moves only past records whose bindings are stored
        join(store.saveProgress(key, through, applied, nodeId).toCompletableFuture());
    }

    private Map<Integer, Extractor> extractors(RecordKey key, int configId) {
        String k = key.exporter() + '\u0000' + key.sessionId() + '\u0000' + key.bootTime() + '\u0000' + configId;
        Map<Integer, Extractor> m = extractors.get(k);
        if (m == null) {
            m = new HashMap<>();
            DecoderOptions options = decoderOptions.apply(key.exporter());
            for (TemplateBlock t : storage.templates(key.exporter(), key.sessionId(), key.bootTime(), configId)) {
                Extractor e = extractor(t, options);
                if (e != null) {
                    m.put(t.templateId(), e);
                }
            }
            extractors.put(k, m);
        }
        return m;
    }

    /** The extractor of a CMTS-CM-REG-STATUS-TYPE or CPE-TYPE template (typeName, with or without DOCSIS-). */
    static Extractor extractor(TemplateBlock t, DecoderOptions options) {
        String type = t.typeName().toUpperCase(Locale.ROOT);
        if (type.startsWith("DOCSIS-")) {
            type = type.substring(7);
        }
        String kind = type.equals(CM_TYPE) ? SubscriberStore.CM : type.equals(CPE_TYPE) ? SubscriberStore.CPE : null;
        if (kind == null) {
            return null;
        }
        RecordDecoder d = RecordDecoder.compile(t, options);
        List<FieldDescriptor> f = d.fields();
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < f.size(); i++) {
            at.putIfAbsent(f.get(i).localName(), i);
        }
        boolean cm = kind.equals(SubscriberStore.CM);
        int mac = at.getOrDefault(cm ? "CmMacAddr" : "CpeMacAddr", -1);
        if (mac < 0 || !d.isDecodable()) {
            return null;
        }
        return new Extractor(kind, d, mac, cm ? -1 : at.getOrDefault("CmMacAddr", -1),
                at.getOrDefault(cm ? "CmIpv4Addr" : "CpeIpv4Addr", -1),
                at.getOrDefault(cm ? "CmIpv6Addr" : "CpeIpv6Addr", -1), at.getOrDefault("RecType", -1),
                at.getOrDefault("RecCreationTime", -1));
    }

    private boolean apply(String exporter, Extractor e, StoredRecord r) {
        List<FieldValue> v;
        try {
            v = e.decoder().decodeValues(Unpooled.wrappedBuffer(r.data()));
        } catch (IpdrDecodeException ex) {
            LOG.warn("{} seq {}: not indexed, the record does not fit its template: {}", r.key(), r.seq(),
                    ex.getMessage());
            return false;
        }
        if (!(v.get(e.mac()).value() instanceof Long mac) || mac == 0) {
            return false;
        }
        Long cmMac = e.cmMac() >= 0 && v.get(e.cmMac()).value() instanceof Long l && l != 0 ? l : null;
        int recType = e.recType() >= 0 && v.get(e.recType()).value() instanceof Number n ? n.intValue() : 0;
        Instant t = r.receivedAt();
        if (e.created() >= 0 && v.get(e.created()).value() instanceof Instant c && c.isAfter(Instant.ofEpochSecond(
                86_400))) {
            t = c;
        }
        if (t == null) {
            return false;
        }
        InetAddress[] ips = {address(v, e.ipv4()), address(v, e.ipv6())};
        for (int family = 0; family < 2; family++) {
            if (recType == STOP) {
                stop(mac, family, ips[family], t);
            } else if (ips[family] != null) {
                observe(e.kind(), mac, family, ips[family], cmMac, t, exporter);
            }
        }
        return true;
    }

    private static InetAddress address(List<FieldValue> v, int i) {
        if (i < 0 || !(v.get(i).value() instanceof InetAddress a) || a.isAnyLocalAddress()) {
            return null;
        }
        return a;
    }

    private void observe(String kind, long mac, int family, InetAddress ip, Long cmMac, Instant t, String exporter) {
        Binding cur = current(mac, family);
        if (cur != null && cur.endedAt() == null && cur.ip().equals(ip) && Objects.equals(cur.cmMac(), cmMac)) {
            if (t.isAfter(cur.lastSeen())) {
                Binding next = cur.withLastSeen(t);
                put(mac, family, next);
                if (!t.isBefore(cur.lastSeen().plus(settings.lastSeenResolution()))) {
                    save(next);
                }
            }
            return;
        }
        if (cur != null && t.isBefore(cur.firstSeen())) {
            return; // older than the current period: not replayed into the past
        }
        if (cur != null && cur.endedAt() == null) {
            save(put(mac, family, cur.ended(t, cur.ip().equals(ip) ? "moved to CM " + Macs.format(cmMac == null ? 0
                    : cmMac) : "address changed to " + ip.getHostAddress())));
        }
        awaitPending(); // the address's newest period may be among them
        List<Binding> holders = store.byIp(ip, null, 1);
        if (!holders.isEmpty() && holders.get(0).mac() != mac) {
            Binding prev = current(holders.get(0).mac(), family);
            if (prev != null && prev.endedAt() == null && prev.ip().equals(ip) && !t.isBefore(prev.firstSeen())) {
                save(put(prev.mac(), family, prev.ended(t, "address reassigned to " + Macs.format(mac))));
            }
        }
        save(put(mac, family, new Binding(kind, mac, ip, t, t, null, null, cmMac, exporter)));
    }

    private void stop(long mac, int family, InetAddress ip, Instant t) {
        Binding cur = current(mac, family);
        if (cur != null && cur.endedAt() == null && (ip == null || cur.ip().equals(ip)) && !t.isBefore(
                cur.firstSeen())) {
            Binding last = t.isAfter(cur.lastSeen()) ? cur.withLastSeen(t) : cur;
            save(put(mac, family, last.ended(t, "Stop record")));
        }
    }

    /** The MAC's newest period in the family: from the cache, else from Cassandra (after pending writes land). */
    private Binding current(long mac, int family) {
        String k = mac + "/" + family;
        Binding b = current.get(k);
        if (b != null || current.containsKey(k)) {
            return b;
        }
        awaitPending();
        Binding newest4 = null;
        Binding newest6 = null;
        for (Binding x : store.byMac(mac, 32)) { // newest first
            if (x.ip() instanceof Inet4Address) {
                newest4 = newest4 == null ? x : newest4;
            } else {
                newest6 = newest6 == null ? x : newest6;
            }
        }
        current.put(mac + "/0", newest4);
        current.put(mac + "/1", newest6);
        return family == 0 ? newest4 : newest6;
    }

    private Binding put(long mac, int family, Binding b) {
        current.put(mac + "/" + family, b);
        return b;
    }

    private void save(Binding b) {
        pending.add(store.save(b).toCompletableFuture());
        bindingsWritten.incrementAndGet();
        if (pending.size() >= MAX_PENDING) {
            awaitPending();
        }
    }

    private void awaitPending() {
        for (CompletableFuture<Void> f : pending) {
            join(f);
        }
        pending.clear();
    }

    private static void join(CompletableFuture<Void> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Cassandra did not answer within 30 s", e);
        }
    }

    /** Subscriber records applied since start. */
    public long recordsIndexed() {
        return recordsIndexed.get();
    }

    public long bindingsWritten() {
        return bindingsWritten.get();
    }

    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
