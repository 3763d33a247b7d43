package io.ipdrsp.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/** Where CMTSes with direction 'listen' connect to, and who may. */
public final class ListenConfig {
    @JsonProperty
    private boolean enabled = true;

    /**
     * The local address CMTSes connect to. No default in a configuration file (NodeConfigChecks asks for it): binding
     * every interface must be a decision; the embedded default binds loopback.
     */
    @NotNull(message = "is required: the local address to bind, e.g. 0.0.0.0 (every interface) or 10.0.0.11")
    @JsonProperty
    private String address = "";

    /** 0 picks a free port (tests). */
    @Min(value = 0, message = "must be a TCP port 0..65535 (IPDR/SP uses 4737; 0 = any free port)")
    @Max(value = 65535, message = "must be a TCP port 0..65535 (IPDR/SP uses 4737; 0 = any free port)")
    @JsonProperty
    private int port = 4737;

    /**
     * Exporter addresses allowed to connect, as addresses or CIDR blocks ("10.1.0.0/16"). Configured CMTSes with
     * direction 'listen' are always allowed; anyone else is refused with ERROR and closed unless listed here.
     */
    @NotNull(message = "must be a list of addresses or CIDR blocks, e.g. [127.0.0.1, 10.0.0.0/8]")
    @JsonProperty
    private List<String> allow = new ArrayList<>(List.of("127.0.0.1", "::1"));

    /** IPDR/SP over TLS on this port (docs/operations.md, Security). */
    @jakarta.validation.Valid
    @NotNull(message = "must be a TLS section {enabled, certificate, privateKey, trustedCertificates, clientAuth, ...}")
    @JsonProperty
    private io.ipdrsp.node.security.IpdrTls tls = new io.ipdrsp.node.security.IpdrTls();

    public io.ipdrsp.node.security.IpdrTls getTls() {
        return tls;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public String getAddress() {
        return address;
    }

    public int getPort() {
        return port;
    }

    public List<String> getAllow() {
        return allow;
    }

    public ListenConfig enabled(boolean on) {
        enabled = on;
        return this;
    }

    public ListenConfig address(String a) {
        address = a;
        return this;
    }

    public ListenConfig port(int p) {
        port = p;
        return this;
    }

    public ListenConfig allow(String... a) {
        allow = new ArrayList<>(List.of(a));
        return this;
    }
}
