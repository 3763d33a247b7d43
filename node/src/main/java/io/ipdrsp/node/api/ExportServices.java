package io.ipdrsp.node.api;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import io.dropwizard.lifecycle.Managed;
import io.ipdrsp.dedup.ClusterMember;
import io.ipdrsp.dedup.ExporterLeadership;
import io.ipdrsp.node.NodeServices;
import io.ipdrsp.node.config.ExportConfig;
import io.ipdrsp.node.export.DocumentExport;
import io.ipdrsp.node.export.DocumentSpooler;
import io.ipdrsp.node.export.SubscriberIndexer;
import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.SubscriberStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The export half of a node, managed after {@link NodeServices} (Cassandra and the cluster are up): document exports
 * for {@code /api/documents/.../ipdr.xml|xdr}, the spooler (when {@code export.spoolDirectory} is set) and the
 * subscriber indexer behind {@code /api/subscribers}. Both background parts act only for the exporters this node
 * leads.
 */
public final class ExportServices implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(ExportServices.class);

    private final NodeServices services;
    private volatile DocumentExport export;
    private volatile SubscriberStore subscribers;
    private volatile DocumentSpooler spooler;
    private volatile SubscriberIndexer indexer;

    private final AuditServices audit;

    public ExportServices(NodeServices services, AuditServices audit) {
        this.services = services;
        this.audit = audit;
    }

    @Override
    public void start() throws Exception {
        CassandraStorage storage = services.store().storage();
        ExportConfig c = services.config().getExport();
        String node = services.config().getNode().getId();
        export = new DocumentExport(storage, this::decoderOptions);
        subscribers = new SubscriberStore(storage);
        ClusterMember cluster = services.cluster();
        ExporterLeadership leadership = cluster == null ? null : cluster.leadership();
        if (!c.getSpoolDirectory().isBlank()) {
            DefaultConsistencyLevel serial = services.config().getAudit().toSettings().serialConsistency();
            spooler = new DocumentSpooler(node, storage, export,
                    leadership == null ? e -> true : leadership::isLeader,
                    leadership == null ? this::configuredExporters : leadership::leaderships,
                    new DocumentSpooler.Settings(Path.of(c.getSpoolDirectory()).toAbsolutePath(),
                            c.getSpoolFormats().stream().map(DocumentExport.Format::of).toList(),
                            Duration.ofSeconds(c.getSpoolIntervalSeconds()),
                            Duration.ofSeconds(c.getSpoolClaimTimeoutSeconds()),
                            Duration.ofHours(c.getSpoolLookbackHours()), serial), Clock.systemUTC()).start();
            LOG.info("spooling finalized documents as {} into {}", c.getSpoolFormats(), spooler.settings().directory());
            // audit starts first (registration order), so its finalizer exists here when this node finalizes
            if (audit != null && audit.finalizer() != null) {
                audit.finalizer().addFinalizedListener(spooler::documentFinalized);
            }
        }
        if (c.isSubscriberIndex()) {
            indexer = new SubscriberIndexer(node, storage, leadership, this::configuredExporters,
                    this::decoderOptions, new SubscriberIndexer.Settings(
                            Duration.ofSeconds(c.getSubscriberIntervalSeconds()),
                            Duration.ofHours(c.getSubscriberLookbackHours()),
                            Duration.ofSeconds(c.getLastSeenResolutionSeconds())), Clock.systemUTC()).start();
        }
    }

    @Override
    public void stop() {
        DocumentSpooler s = spooler;
        spooler = null;
        if (s != null) {
            s.close();
        }
        SubscriberIndexer i = indexer;
        indexer = null;
        if (i != null) {
            i.close();
        }
    }

    /** How an exporter's records are decoded: its configured ipv6Raw, the spec's layout for unknown names. */
    DecoderOptions decoderOptions(String exporter) {
        boolean raw = services.config().getExporters().stream()
                .anyMatch(e -> e.getName().equals(exporter) && e.isIpv6Raw());
        return DecoderOptions.DEFAULT.withIpv6Raw(raw);
    }

    /** Listed, from the inventory, admitted by range: the CMTSes the leadership has (NodeServices). */
    private Collection<String> configuredExporters() {
        return services.directory().all();
    }

    /** Null before start. */
    public DocumentExport export() {
        return export;
    }

    public SubscriberStore subscribers() {
        return subscribers;
    }

    /** The spooler (call {@code documentFinalized(key)} on finalization), or null when no spool is configured. */
    public DocumentSpooler spooler() {
        return spooler;
    }

    public SubscriberIndexer indexer() {
        return indexer;
    }

    /** The document's audit row (its record count), if audited. Blocking. */
    java.util.Optional<io.ipdrsp.storage.AuditRow> auditRow(io.ipdrsp.storage.RecordKey key) {
        CassandraStorage storage = services.store().storage();
        try {
            return storage.audit().audit(key, storage.config().readConsistency()).toCompletableFuture()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    List<String> exporters() {
        return List.copyOf(configuredExporters());
    }
}
