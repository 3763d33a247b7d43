package io.ipdrsp.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/** {@code node:} — who this node is. */
public final class NodeIdentity {
    @NotBlank(message = "is required: a name unique in the cluster, e.g. id: collector-1")
    @Pattern(regexp = "[A-Za-z0-9._-]+", message = "may only contain letters, digits, '.', '_' and '-'")
    @JsonProperty
    private String id = "node-1";

    @NotBlank(message = "is required: the site (data center) this node runs in, e.g. site: dc1")
    @Pattern(regexp = "[A-Za-z0-9._-]+", message = "may only contain letters, digits, '.', '_' and '-'")
    @JsonProperty
    private String site = "local";

    /** vendorId sent in CONNECT / CONNECT_RESPONSE. */
    @NotBlank(message = "is required: the vendorId this node announces in CONNECT")
    @JsonProperty
    private String vendorId = "ipdrsp-collector";

    /** Largest IPDR/SP message accepted; a larger messageLen gets ERROR 3 and a closed connection. */
    @Min(value = 1024, message = "must be at least 1024 bytes")
    @Max(value = 64 * 1024 * 1024, message = "must be at most 67108864 bytes (64 MiB)")
    @JsonProperty
    private int maxMessageLength = 1 << 20;

    public String getId() {
        return id;
    }

    public String getSite() {
        return site;
    }

    public String getVendorId() {
        return vendorId;
    }

    public int getMaxMessageLength() {
        return maxMessageLength;
    }

    public NodeIdentity id(String v) {
        id = v;
        return this;
    }

    public NodeIdentity site(String v) {
        site = v;
        return this;
    }
}
