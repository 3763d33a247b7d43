package io.ipdrsp.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * {@code fleet:} — CMTSes without a line each under {@code exporters}: those that dial in from an address in
 * {@code listen.allow} get their name from what their CONNECT says ({@link #getNameTemplate()}, see
 * {@link ExporterNaming}), and those the node dials are read from an inventory file, reloaded while the node runs
 * (docs/operations.md, "A fleet without a line per CMTS").
 */
public final class FleetConfig {
    /** How a CMTS admitted by listen.allow is named: placeholders {initiatorId} (required) and {vendorId}. */
    @NotNull(message = "must be a name template such as cmts-{initiatorId}")
    @JsonProperty
    private String nameTemplate = ExporterNaming.DEFAULT_TEMPLATE;

    /** The keep-alive interval (seconds) of CMTSes admitted by range and of the inventory's CMTSes. */
    @Min(value = 1, message = "must be at least 1 second (typical CMTS values are 30..300)")
    @Max(value = 3600, message = "must be at most 3600 seconds")
    @JsonProperty
    private int keepAliveSeconds = 30;

    /**
     * At most this many CMTSes admitted by range (distinct names) per node run: the CONNECT is the CMTS's word, and
     * a peer in an allowed range that makes up initiatorIds must not grow the node's state without bound.
     */
    @Min(value = 1, message = "must be at least 1")
    @JsonProperty
    private int maxAdmitted = 10_000;

    /** CMTSes this node dials, one a line ({@code name,address[,port[,localAddress]]} or an address); "" = none. */
    @NotNull(message = "must be a file path, or \"\" for no inventory")
    @JsonProperty
    private String inventoryFile = "";

    /** How often the inventory file is checked for changes. */
    @Min(value = 1, message = "must be at least 1 second")
    @Max(value = 86_400, message = "must be at most 86400 seconds (a day)")
    @JsonProperty
    private int inventoryReloadSeconds = 30;

    public String getNameTemplate() {
        return nameTemplate;
    }

    public int getKeepAliveSeconds() {
        return keepAliveSeconds;
    }

    public int getMaxAdmitted() {
        return maxAdmitted;
    }

    public FleetConfig maxAdmitted(int n) {
        maxAdmitted = n;
        return this;
    }

    public String getInventoryFile() {
        return inventoryFile;
    }

    public int getInventoryReloadSeconds() {
        return inventoryReloadSeconds;
    }

    public FleetConfig nameTemplate(String t) {
        nameTemplate = t;
        return this;
    }

    public FleetConfig keepAliveSeconds(int s) {
        keepAliveSeconds = s;
        return this;
    }

    public FleetConfig inventoryFile(String f) {
        inventoryFile = f;
        return this;
    }

    public FleetConfig inventoryReloadSeconds(int s) {
        inventoryReloadSeconds = s;
        return this;
    }
}
