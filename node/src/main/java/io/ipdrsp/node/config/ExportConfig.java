package io.ipdrsp.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code export:} — the spool directory where each finalized document is written once for mediation systems that
 * pick up files, and the subscriber (CM/CPE) indexer. See docs/audit.md, sections "Exports" and "Subscriber view".
 */
public final class ExportConfig {
    /** Empty: no spool. Otherwise a directory (created if missing) on a file system where rename is atomic. */
    @NotNull
    @JsonProperty
    private String spoolDirectory = "";

    @NotEmpty(message = "must list at least one of xml, xdr")
    @JsonProperty
    private List<@Pattern(regexp = "xml|xdr", message = "must be xml or xdr") String> spoolFormats =
            new ArrayList<>(List.of("xml"));

    /** How often the spooler looks for finalized documents it has not written yet (catch-up after restarts). */
    @Min(value = 1, message = "must be at least 1 second")
    @JsonProperty
    private long spoolIntervalSeconds = 30;

    /** A claim older than this whose file never got marked DONE is taken over (its writer died). */
    @Min(value = 10, message = "must be at least 10 seconds")
    @JsonProperty
    private long spoolClaimTimeoutSeconds = 600;

    /** Finalized documents started within this window are spooled. */
    @Min(value = 1, message = "must be at least 1 hour")
    @JsonProperty
    private long spoolLookbackHours = 48;

    /** false: this node does not build the subscriber view (lookups still answer from Cassandra). */
    @JsonProperty
    private boolean subscriberIndex = true;

    @Min(value = 1, message = "must be at least 1 second")
    @JsonProperty
    private long subscriberIntervalSeconds = 10;

    /** Documents started within this window are followed by the indexer (event sessions run for days). */
    @Min(value = 1, message = "must be at least 1 hour")
    @JsonProperty
    private long subscriberLookbackHours = 168;

    /** lastSeen of a binding is rewritten at most this often (0: on every record). */
    @Min(value = 0, message = "must be 0 or more seconds")
    @JsonProperty
    private long lastSeenResolutionSeconds = 60;

    public String getSpoolDirectory() {
        return spoolDirectory;
    }

    public List<String> getSpoolFormats() {
        return spoolFormats;
    }

    public long getSpoolIntervalSeconds() {
        return spoolIntervalSeconds;
    }

    public long getSpoolClaimTimeoutSeconds() {
        return spoolClaimTimeoutSeconds;
    }

    public long getSpoolLookbackHours() {
        return spoolLookbackHours;
    }

    public boolean isSubscriberIndex() {
        return subscriberIndex;
    }

    public long getSubscriberIntervalSeconds() {
        return subscriberIntervalSeconds;
    }

    public long getSubscriberLookbackHours() {
        return subscriberLookbackHours;
    }

    public long getLastSeenResolutionSeconds() {
        return lastSeenResolutionSeconds;
    }

    public ExportConfig spoolDirectory(String dir) {
        spoolDirectory = dir;
        return this;
    }

    public ExportConfig spoolFormats(List<String> formats) {
        spoolFormats = new ArrayList<>(formats);
        return this;
    }

    public ExportConfig spoolIntervalSeconds(long s) {
        spoolIntervalSeconds = s;
        return this;
    }

    public ExportConfig subscriberIndex(boolean on) {
        subscriberIndex = on;
        return this;
    }

    public ExportConfig subscriberIntervalSeconds(long s) {
        subscriberIntervalSeconds = s;
        return this;
    }

    public ExportConfig lastSeenResolutionSeconds(long s) {
        lastSeenResolutionSeconds = s;
        return this;
    }
}
