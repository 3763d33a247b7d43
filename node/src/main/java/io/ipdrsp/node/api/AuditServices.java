package io.ipdrsp.node.api;

import io.dropwizard.lifecycle.Managed;
import io.ipdrsp.dedup.ClusterMember;
import io.ipdrsp.dedup.audit.AuditService;
import io.ipdrsp.dedup.audit.DocumentFinalizer;
import io.ipdrsp.dedup.audit.FinalizerSettings;
import io.ipdrsp.node.NodeServices;
import io.ipdrsp.storage.CassandraStorage;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit half of a node, managed after {@link NodeServices} (so Cassandra and the cluster membership are up):
 * dedup's {@link DocumentFinalizer} for the exporters this node leads, and the {@link AuditService} behind
 * {@code /api/audit}. Stopped before NodeServices (Dropwizard stops managed objects in reverse order).
 */
public final class AuditServices implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(AuditServices.class);

    private final NodeServices services;
    private volatile DocumentFinalizer finalizer;
    private volatile AuditService audit;

    public AuditServices(NodeServices services) {
        this.services = services;
    }

    @Override
    public void start() {
        CassandraStorage storage = services.store().storage();
        FinalizerSettings settings = services.config().getAudit().toSettings();
        // document start claims are serialized like the verdicts: SERIAL when a CMTS's collectors span sites
        storage.documents().serialConsistency(settings.serialConsistency());
        audit = new AuditService(storage, settings);
        ClusterMember cluster = services.cluster();
        if (!services.config().getAudit().isFinalize() || cluster == null) {
            LOG.info("document finalization is off on this node: its CMTSes ({}) are finalized only by nodes with"
                    + " audit.finalize: true that collect them too", configuredExporters());
            return;
        }
        // the leadership has the node's CMTSes already (NodeServices hands it its ExporterDirectory)
        finalizer = DocumentFinalizer.start(services.config().getNode().getId(), storage, cluster.leadership(),
                settings);
        LOG.info("document finalizer started: grace {} s, idle {} s, every {} s, {} CMTSes in parallel",
                settings.grace().toSeconds(), settings.idleTimeout().toSeconds(), settings.interval().toSeconds(),
                settings.parallelism());
    }

    @Override
    public void stop() {
        DocumentFinalizer f = finalizer;
        finalizer = null;
        if (f != null) {
            f.close();
        }
    }

    /** The finalizer, or null when this node does not finalize (or before start). */
    public DocumentFinalizer finalizer() {
        return finalizer;
    }

    public AuditService audit() {
        return audit;
    }

    /** The CMTSes this node collects: listed, from the inventory, admitted by range since it started. */
    public List<String> configuredExporters() {
        return services.directory().all();
    }
}
