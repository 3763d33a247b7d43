package io.ipdrsp.dedup.audit;

import io.ipdrsp.storage.AuditEvent;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.AuditStore;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.RecordKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit rows under the exporter's fence. A pass's first verdict advances the fence
 * ({@code advanceFence(exporter, "finalize", token)}, a lightweight transaction refused once a newer leadership term
 * recorded a higher token); every row is then written with a lightweight transaction
 * {@code IF version = <read> AND fence_token <= <token>} (provisional states by that alone,
 * {@link #writeProvisional}). A stale leader is refused by either and its pass stops
 * ({@link Fenced}, FENCED_OUT in the history). Fencing once per pass rather than once per row keeps a 2,000-document
 * boundary at one LWT per document; a newer term that starts during a pass still wins every row it has written,
 * and a row the stale pass wrote first is read back and rewritten by the new leader (both compute from Cassandra).
 */
final class VerdictWriter {
    private static final Logger LOG = LoggerFactory.getLogger(VerdictWriter.class);
    static final String FENCE_SCOPE = "finalize";
    static final Duration IO_TIMEOUT = Duration.ofSeconds(30);

    private final String nodeId;
    private final CassandraStorage storage;
    private final AuditStore audit;
    private final FinalizerSettings settings;
    private final Clock clock;

    VerdictWriter(String nodeId, CassandraStorage storage, FinalizerSettings settings, Clock clock) {
        this.nodeId = nodeId;
        this.storage = storage;
        this.audit = storage.audit();
        this.settings = settings;
        this.clock = clock;
    }

    /** A newer leadership term holds the exporter's fence: the pass stops. */
    static final class Fenced extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Fenced(String message) {
            super(message);
        }
    }

    /** One pass's hold on an exporter's fence, advanced lazily before its first write. */
    static final class Fence {
        final String exporter;
        final long token;
        private boolean advanced;

        Fence(String exporter, long token) {
            this.exporter = Objects.requireNonNull(exporter);
            this.token = token;
        }
    }

    /**
     * The conditional row write of a verdict (or a re-open), after advancing the fence once per pass. False: someone
     * changed the row meanwhile (the next pass retries).
     */
    boolean write(AuditRow next, int expectedVersion, Fence fence) {
        if (!fence.advanced) {
            if (!await(storage.advanceFence(fence.exporter, FENCE_SCOPE, fence.token, nodeId,
                    settings.serialConsistency()))) {
                event(next.key(), "FENCED_OUT", next.verdict(), "token " + fence.token + " is stale");
                throw new Fenced("token " + fence.token + " refused by the fence");
            }
            fence.advanced = true;
        }
        return writeRow(next, expectedVersion, fence);
    }

    /**
     * A provisional state (OPEN, SUSPENDED, STOPPED): the row's own condition ({@code fence_token <= <token>}) is its
     * fence, without advancing the exporter's. A stale leader can then write a provisional row that the newer term
     * has not written yet, which the newer term overwrites by version; it is refused by every row the newer term has
     * written and by the fence at its next verdict. That saves one LWT per CMTS per pass at a boundary, where every
     * session's documents change state at once.
     */
    boolean writeProvisional(AuditRow next, int expectedVersion, Fence fence) {
        return writeRow(next, expectedVersion, fence);
    }

    private boolean writeRow(AuditRow next, int expectedVersion, Fence fence) {
        AuditStore.AuditWrite w = await(audit.writeAudit(next, expectedVersion, settings.serialConsistency()));
        if (w.applied()) {
            return true;
        }
        Optional<AuditRow> cur = w.current();
        if (cur.isPresent() && cur.get().fenceToken() > fence.token) {
            event(next.key(), "FENCED_OUT", next.verdict(), "row written by token " + cur.get().fenceToken()
                    + ", ours " + fence.token);
            throw new Fenced("audit row of " + next.key() + " holds token " + cur.get().fenceToken());
        }
        LOG.info("{}: audit row changed concurrently (version {}), retrying next pass", next.key(),
                cur.map(AuditRow::version).orElse(0));
        return false;
    }

    /** Rewrites a row's summary whose {@code audit_by_day} copy lags behind (idempotent). */
    void repairSummary(AuditRow row) {
        await(audit.writeSummary(row));
        LOG.info("{}: audit summary brought up to date with its verdict row ({} {})", row.key(), row.state(),
                row.verdict());
    }

    void event(RecordKey key, String event, String verdict, String detail) {
        event(key, 0, event, verdict, detail);
    }

    /** An audit history line; {@code offsetMillis} orders two events written in the same instant. */
    void event(RecordKey key, long offsetMillis, String event, String verdict, String detail) {
        audit.saveEvent(new AuditEvent(key, clock.instant().plusMillis(offsetMillis), nodeId, event, verdict, detail))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.warn("{}: audit event {} not saved: {}", key, event, e.toString());
                    }
                });
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Cassandra did not answer within " + IO_TIMEOUT.toSeconds() + " s", e);
        }
    }
}
