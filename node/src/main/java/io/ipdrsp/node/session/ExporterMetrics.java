package io.ipdrsp.node.session;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The labelled metrics of a node, as native Prometheus client metrics (the Dropwizard ones of {@link RecordPathMetrics}
 * carry no labels). Registered in the registry the admin {@code /prometheus} servlet serves; catalogued in
 * {@code ops/observability/metrics.yaml}.
 *
 * <ul>
 *   <li>{@code ipdr_exporter_records_received_total{exporter,session}} and
 *       {@code ipdr_exporter_records_acked_total{exporter,session}}: the record path increments data points resolved
 *       once per session ({@link SessionMetrics}), never a label lookup per record.</li>
 *   <li>{@code ipdr_session_primary{exporter,session}}: 1 primary / 0 connected backup from SESSION_START until the
 *       document stretch ends (SESSION_STOP, FLOW_STOP, connection closed), when the series is removed; 1 also from
 *       the first DATA of a {@code primary=false} stretch (the vendor failover's standby that took the stream).</li>
 *   <li>{@code ipdr_documents{exporter,verdict}}: set by the node's document verdict refresher (from Cassandra).</li>
 *   <li>{@code ipdr_protocol_errors_sent_total{code}}: every ERROR the node sends (protocol errors, keep-alive expiry,
 *       refusals), by errorCode; the codes the node sends start at 0 so that a rate is defined before the first.</li>
 * </ul>
 * {@code session} is the IPDR/SP session id in decimal.
 */
public final class ExporterMetrics {
    /** The finalized verdicts {@code ipdr_documents} reports (dedup's Verdict without OPEN). */
    public static final List<String> VERDICTS = List.of("COMPLETE", "COMPLETE_WITH_DECLARED_DROPS", "INCOMPLETE");

    private final Counter received = Counter.builder().name("ipdr_exporter_records_received")
            .help("IPDR records received per CMTS (exporter) and IPDR/SP session id on this node")
            .labelNames("exporter", "session").withoutExemplars().build();
    private final Counter acked = Counter.builder().name("ipdr_exporter_records_acked")
            .help("records newly covered by the DATA_ACKs this node sent, per CMTS and session")
            .labelNames("exporter", "session").withoutExemplars().build();
    private final Gauge primary = Gauge.builder().name("ipdr_session_primary")
            .help("1 while this node is the CMTS's primary collector for the session (told primary, or receiving its"
                    + " DATA), 0 while a connected backup;"
                    + " no series while the session has no document on this node")
            .labelNames("exporter", "session").withoutExemplars().build();
    private final Gauge documents = Gauge.builder().name("ipdr_documents")
            .help("finalized documents started in the last 24 h, by completeness verdict, read from Cassandra's"
                    + " audit (cluster-wide: every node reports the same numbers; aggregate with max, not sum)")
            .labelNames("exporter", "verdict").withoutExemplars().build();
    private final Counter errorsSent = Counter.builder().name("ipdr_protocol_errors_sent")
            .help("IPDR/SP ERROR messages sent, by errorCode (0 keep-alive expired, 1 invalid for capabilities,"
                    + " 2 invalid for state, 3 decode error, 4 process terminating, 256 connection refused)")
            .labelNames("code").withoutExemplars().build();
    /** The codes the node sends, resolved once; others (none today) are resolved when sent. */
    private final Map<Integer, CounterDataPoint> errorCodes = new HashMap<>();
    /** (exporter, session) → the session object that set its primary series last (guards removal by a stale one). */
    private final Map<List<String>, SessionMetrics> primaryOwners = new HashMap<>();

    public ExporterMetrics() {
        for (int code : new int[] {0, 1, 2, 3, 4, 256}) {
            errorCodes.put(code, errorsSent.labelValues(Integer.toString(code)));
        }
    }

    /** Adds the five metrics to the registry the /prometheus servlet serves (once; {@link RecordPathMetrics#register}). */
    public void register(PrometheusRegistry registry) {
        registry.register(received);
        registry.register(acked);
        registry.register(primary);
        registry.register(documents);
        registry.register(errorsSent);
    }

    /** One ERROR sent with {@code code}. Any thread. */
    public void errorSent(int code) {
        CounterDataPoint p = errorCodes.get(code);
        (p != null ? p : errorsSent.labelValues(Integer.toString(code))).inc();
    }

    /** The per-session handles of one session of one connection; cheap, create it once per session. */
    public SessionMetrics session(String exporter, int sessionId) {
        return new SessionMetrics(exporter, Integer.toString(sessionId));
    }

    /**
     * Sets {@code ipdr_documents} of the given exporters (every verdict of {@link #VERDICTS}, 0 when absent) and
     * removes the series of exporters reported before but not now. Called from one thread (the refresher).
     */
    public void documents(Map<String, Map<String, Long>> byExporter, Set<String> previouslyReported) {
        for (String gone : previouslyReported) {
            if (!byExporter.containsKey(gone)) {
                for (String v : VERDICTS) {
                    documents.remove(gone, v);
                }
            }
        }
        byExporter.forEach((exporter, counts) -> {
            for (String v : VERDICTS) {
                documents.labelValues(exporter, v).set(counts.getOrDefault(v, 0L));
            }
        });
    }

    /**
     * The labelled data points of one session on one connection. The counters' data points are resolved on first use
     * (a backup collector that never receives DATA exports no series that would never move, which would look like a
     * CMTS without acknowledged data); after that the record path only calls {@code inc}.
     */
    public final class SessionMetrics {
        private final String exporter;
        private final String session;
        private final List<String> key;
        private CounterDataPoint receivedPoint;
        private CounterDataPoint ackedPoint;

        SessionMetrics(String exporter, String session) {
            this.exporter = exporter;
            this.session = session;
            this.key = List.of(exporter, session);
        }

        /** Records received (event loop of the connection). */
        public void received(long n) {
            CounterDataPoint p = receivedPoint;
            if (p == null) {
                p = receivedPoint = received.labelValues(exporter, session);
            }
            p.inc(n);
        }

        /** Records newly covered by a DATA_ACK that was sent. */
        public void acked(long n) {
            CounterDataPoint p = ackedPoint;
            if (p == null) {
                p = ackedPoint = acked.labelValues(exporter, session);
            }
            p.inc(n);
        }

        /** SESSION_START: this node is the session's primary (1) or a connected backup (0). */
        public void primary(boolean isPrimary) {
            synchronized (primaryOwners) {
                primaryOwners.put(key, this);
                primary.labelValues(exporter, session).set(isPrimary ? 1 : 0);
            }
        }

        /** The document stretch ended (SESSION_STOP, FLOW_STOP, connection closed): the primary series goes away. */
        public void noDocument() {
            synchronized (primaryOwners) {
                if (primaryOwners.remove(key, this)) {
                    primary.remove(exporter, session);
                }
            }
        }
    }
}
