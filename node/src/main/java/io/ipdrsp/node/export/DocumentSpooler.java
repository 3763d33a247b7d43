package io.ipdrsp.node.export;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import io.ipdrsp.node.export.DocumentExport.Format;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.SpoolMarkers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each finalized document once per configured format into a spool directory, for mediation systems that pick
 * up files. Only the exporter's leader writes ({@code isLeader}); the once-only guarantee across restarts,
 * leadership moves and nodes is the {@code export_spool} marker ({@link SpoolMarkers}: a lightweight-transaction
 * claim before writing, DONE after the rename). The file is written under a hidden temporary name
 * ({@code .NAME.part-NODE}), forced to disk, then atomically renamed to {@link DocumentExport#fileName}, so a reader
 * never sees a partial file.
 *
 * <p>Two ways in: {@link #documentFinalized} (the finalizer's event, queued on the spooler's thread) and a periodic
 * sweep over the audit rows in state FINAL of the exporters this node leads — the sweep makes the spool complete
 * after restarts and leadership moves even if an event was missed. A document finalized again after a re-open is not
 * written a second time.
 */
public final class DocumentSpooler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentSpooler.class);
    static final String FINAL = "FINAL";

    public record Settings(Path directory, List<Format> formats, Duration interval, Duration claimTimeout,
            Duration lookback, DefaultConsistencyLevel serialConsistency) {
        public Settings {
            formats = List.copyOf(formats);
        }
    }

    /** What happened to one format of one document. */
    public enum Outcome { WRITTEN, ALREADY_SPOOLED, NOT_LEADER, FAILED }

    private final String nodeId;
    private final CassandraStorage storage;
    private final DocumentExport export;
    private final SpoolMarkers markers;
    private final Predicate<String> isLeader;
    private final Supplier<Collection<String>> ledExporters;
    private final Settings settings;
    private final Clock clock;
    private final ScheduledExecutorService worker;
    private final Set<String> spooled = ConcurrentHashMap.newKeySet();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param isLeader     whether this node leads an exporter now ({@code ExporterLeadership::isLeader})
     * @param ledExporters the exporters this node leads ({@code ExporterLeadership::leaderships}) for the sweep
     */
    public DocumentSpooler(String nodeId, CassandraStorage storage, DocumentExport export, Predicate<String> isLeader,
            Supplier<Collection<String>> ledExporters, Settings settings, Clock clock) throws IOException {
        this.nodeId = nodeId;
        this.storage = storage;
        this.export = export;
        this.markers = new SpoolMarkers(storage, settings.serialConsistency());
        this.isLeader = isLeader;
        this.ledExporters = ledExporters;
        this.settings = settings;
        this.clock = clock;
        Files.createDirectories(settings.directory());
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ipdr-spooler-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the periodic sweep. */
    public DocumentSpooler start() {
        long every = settings.interval().toMillis();
        worker.scheduleWithFixedDelay(this::sweepSafely, Math.min(every, 1000), every, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * The finalization event: the document {@code key} became final. Returns at once; the files are written on the
     * spooler's thread (if this node leads the exporter and nobody wrote them yet).
     */
    public void documentFinalized(RecordKey key) {
        try {
            worker.execute(() -> {
                try {
                    spool(key);
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                    LOG.warn("{}: spooling failed: {}", key, e.toString());
                }
            });
        } catch (RejectedExecutionException closed) {
            // shutting down: the next leader's sweep writes it
        }
    }

    private void sweepSafely() {
        try {
            sweep();
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            LOG.warn("spool sweep failed: {}", e.toString());
        }
    }

    /** One sweep over the finalized documents of the exporters this node leads (blocking). */
    public void sweep() {
        Instant now = clock.instant();
        for (String exporter : ledExporters.get()) {
            for (AuditRow row : storage.audit().auditByDay(exporter, now.minus(settings.lookback()),
                    now.plus(Duration.ofDays(1)))) {
                if (FINAL.equals(row.state())) {
                    spool(row.key());
                }
            }
        }
    }

    /** Writes the document's files now, on the calling thread; the outcome per format. */
    public Map<Format, Outcome> spool(RecordKey key) {
        Map<Format, Outcome> out = new EnumMap<>(Format.class);
        for (Format f : settings.formats()) {
            out.put(f, spool(key, f));
        }
        return out;
    }

    private Outcome spool(RecordKey key, Format format) {
        String id = key + "/" + format;
        if (spooled.contains(id)) {
            return Outcome.ALREADY_SPOOLED;
        }
        if (!isLeader.test(key.exporter())) {
            return Outcome.NOT_LEADER;
        }
        String name = format.extension();
        if (!markers.claim(key, name, nodeId, settings.claimTimeout())) {
            markers.marker(key, name).filter(m -> SpoolMarkers.DONE.equals(m.state())).ifPresent(m -> remember(id));
            return Outcome.ALREADY_SPOOLED;
        }
        String fileName = DocumentExport.fileName(key, format);
        Path target = settings.directory().resolve(fileName);
        Path tmp = settings.directory().resolve("." + fileName + ".part-" + nodeId.replaceAll("[^A-Za-z0-9._-]", "_"));
        try {
            DocumentExport.Result r;
            try (OutputStream o = Files.newOutputStream(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                r = export.write(key, format, o, null);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true); // the rename must not publish a file whose bytes are still in the page cache only
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            markers.done(key, name, nodeId, fileName, r.records(), r.bytes());
            remember(id);
            written.incrementAndGet();
            LOG.info("{}: spooled {} ({} records, {} bytes{})", key, target, r.records(), r.bytes(),
                    r.skipped() > 0 ? ", " + r.skipped() + " left out" : "");
            return Outcome.WRITTEN;
        } catch (IOException | DocumentExport.UnsupportedExport | RuntimeException e) {
            failures.incrementAndGet();
            LOG.warn("{}: could not spool {}: {}", key, format, e.toString());
            if (e instanceof DocumentExport.UnsupportedExport) {
                remember(id); // will not change by retrying; said once per process
            }
            try {
                Files.deleteIfExists(tmp);
                markers.release(key, name, nodeId);
            } catch (IOException | RuntimeException again) {
                LOG.warn("{}: cleanup after a failed spool: {}", key, again.toString());
            }
            return Outcome.FAILED;
        }
    }

    private void remember(String id) {
        if (spooled.size() > 200_000) {
            spooled.clear(); // only a shortcut before the marker lookup
        }
        spooled.add(id);
    }

    public long written() {
        return written.get();
    }

    public long failures() {
        return failures.get();
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
