package io.ipdrsp.node.config;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.ipdrsp.dedup.audit.FinalizerSettings;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;

/**
 * {@code audit:} — document finalization (dedup's DocumentFinalizer, run by the node leading each CMTS) and the audit
 * API. See docs/audit.md for the cross-site choice of {@code graceSeconds} and {@code readConsistency}.
 */
public final class AuditConfig {
    /** false: this node never finalizes (the audit API still answers from Cassandra). */
    @JsonProperty
    private boolean finalize = true;

    @Min(value = 1, message = "must be at least 1 second")
    @JsonProperty
    private long intervalSeconds = 10;

    /** Wait after SESSION_STOP 0/2/6, reboot or idle before the verdict; multi-site: above the replication delay. */
    @Min(value = 0, message = "must be 0 or more seconds")
    @JsonProperty
    private long graceSeconds = 30;

    @Min(value = 1, message = "must be at least 1 second")
    @JsonProperty
    private long idleTimeoutSeconds = 900;

    @Min(value = 1, message = "must be at least 1 hour")
    @JsonProperty
    private long lookbackHours = 168;

    @Min(value = 0, message = "must be 0 or more seconds")
    @JsonProperty
    private long recheckAfterSeconds = 300;

    /** Consistency of the finalization reads; empty = storage.consistency. QUORUM across sites. */
    @NotNull
    @Pattern(regexp = "|ONE|LOCAL_ONE|LOCAL_QUORUM|QUORUM|EACH_QUORUM|ALL",
            message = "must be empty or one of ONE, LOCAL_ONE, LOCAL_QUORUM, QUORUM, EACH_QUORUM, ALL")
    @JsonProperty
    private String readConsistency = "";

    @NotNull
    @Pattern(regexp = "SERIAL|LOCAL_SERIAL", message = "must be SERIAL (collectors of a CMTS in several sites)"
            + " or LOCAL_SERIAL")
    @JsonProperty
    private String serialConsistency = "LOCAL_SERIAL";

    /** Documents start at DSN 0 (SP 2.1 §2.5); false: from the lowest firstRecordSequenceNumber seen. */
    @JsonProperty
    private boolean documentsStartAtZero = true;

    /** CMTSes whose finalization passes run at the same time (a 2,000-document boundary: about 100/s with 8). */
    @Min(value = 1, message = "must be 1 to 64")
    @jakarta.validation.constraints.Max(value = 64, message = "must be 1 to 64")
    @JsonProperty
    private int parallelism = FinalizerSettings.DEFAULT_PARALLELISM;

    public boolean isFinalize() {
        return finalize;
    }

    public FinalizerSettings toSettings() {
        return new FinalizerSettings(Duration.ofSeconds(intervalSeconds), Duration.ofSeconds(graceSeconds),
                Duration.ofSeconds(idleTimeoutSeconds), Duration.ofHours(lookbackHours),
                Duration.ofSeconds(recheckAfterSeconds),
                readConsistency.isEmpty() ? null : DefaultConsistencyLevel.valueOf(readConsistency),
                DefaultConsistencyLevel.valueOf(serialConsistency), documentsStartAtZero, parallelism);
    }

    public AuditConfig intervalSeconds(long s) {
        intervalSeconds = s;
        return this;
    }

    public AuditConfig graceSeconds(long s) {
        graceSeconds = s;
        return this;
    }

    public AuditConfig idleTimeoutSeconds(long s) {
        idleTimeoutSeconds = s;
        return this;
    }

    public AuditConfig recheckAfterSeconds(long s) {
        recheckAfterSeconds = s;
        return this;
    }

    public AuditConfig finalize(boolean f) {
        finalize = f;
        return this;
    }
}
