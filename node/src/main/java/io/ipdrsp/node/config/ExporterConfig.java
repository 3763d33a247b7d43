package io.ipdrsp.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** One CMTS this node collects from ({@code exporters[i]} in the YAML). */
public final class ExporterConfig {
    @NotBlank(message = "is required: give the CMTS a unique name, e.g. name: cmts-1")
    @JsonProperty
    private String name;

    @NotBlank(message = "is required: the CMTS's IP address or host name (for 'listen' the address it connects from)")
    @JsonProperty
    private String address;

    @Min(value = 1, message = "must be a TCP port 1..65535 (the CMTS's IPDR/SP port, usually 4737)")
    @Max(value = 65535, message = "must be a TCP port 1..65535 (the CMTS's IPDR/SP port, usually 4737)")
    @JsonProperty
    private int port = 4737;

    @NotNull(message = "must be 'connect' (the node dials the CMTS) or 'listen' (the CMTS dials the node)")
    @JsonProperty
    private Direction direction = Direction.CONNECT;

    /**
     * Direction 'connect' only: the local IP the node dials from ("" = chosen by the OS). A CMTS that listens tells
     * its collectors apart by their source address, so nodes sharing a host (or a NAT) need one address each.
     */
    @NotNull(message = "must be a local IP address the node dials this CMTS from, or \"\" (any)")
    @JsonProperty
    private String localAddress = "";

    /** Sessions to take: ids or names from GET_SESSIONS_RESPONSE; empty = every session the CMTS offers. */
    @NotNull(message = "must be a list of session ids or names, or [] for all sessions")
    @JsonProperty
    private List<SessionSelector> sessions = new ArrayList<>();

    /** Longest silence (seconds) the node tolerates from this CMTS; sent in CONNECT / CONNECT_RESPONSE. */
    @Min(value = 1, message = "must be at least 1 second (typical CMTS values are 30..300)")
    @Max(value = 3600, message = "must be at most 3600 seconds")
    @JsonProperty
    private int keepAliveSeconds = 30;

    @NotNull(message = "must be a list such as [MULTISESSION] or [MULTISESSION, TEMPLATE_NEGOTIATION]")
    @JsonProperty
    private Set<Capability> capabilities = EnumSet.of(Capability.MULTISESSION);

    /** Compatibility: ipV6Addr sent as 16 raw bytes without length (IPDR.org reference exporter). */
    @JsonProperty
    private boolean ipv6Raw;

    @Valid
    @NotNull(message = "must be an object with enable/disable lists of field names")
    @JsonProperty
    private TemplateNegotiation templates = new TemplateNegotiation();

    /** Reconnect back-off for direction 'connect'. */
    @Min(value = 10, message = "must be at least 10 ms")
    @JsonProperty
    private long reconnectMinMillis = 500;

    @Min(value = 10, message = "must be at least 10 ms")
    @JsonProperty
    private long reconnectMaxMillis = 30_000;

    /** Direction 'connect': IPDR/SP over TLS to this CMTS (the listen port's TLS is listen.tls). */
    @Valid
    @NotNull(message = "must be a TLS section {enabled, trustedCertificates, certificate, privateKey, ...}")
    @JsonProperty
    private io.ipdrsp.node.security.IpdrTls tls = new io.ipdrsp.node.security.IpdrTls();

    public ExporterConfig() {
    }

    public io.ipdrsp.node.security.IpdrTls getTls() {
        return tls;
    }

    public ExporterConfig tls(io.ipdrsp.node.security.IpdrTls t) {
        tls = t;
        return this;
    }

    public ExporterConfig(String name, String address, int port, Direction direction) {
        this.name = name;
        this.address = address;
        this.port = port;
        this.direction = direction;
    }

    public String getName() {
        return name;
    }

    public String getAddress() {
        return address;
    }

    public String getLocalAddress() {
        return localAddress;
    }

    public ExporterConfig localAddress(String a) {
        localAddress = a;
        return this;
    }

    public int getPort() {
        return port;
    }

    public Direction getDirection() {
        return direction;
    }

    public List<SessionSelector> getSessions() {
        return sessions;
    }

    public int getKeepAliveSeconds() {
        return keepAliveSeconds;
    }

    public Set<Capability> getCapabilities() {
        return capabilities;
    }

    public boolean isIpv6Raw() {
        return ipv6Raw;
    }

    public TemplateNegotiation getTemplates() {
        return templates;
    }

    public long getReconnectMinMillis() {
        return reconnectMinMillis;
    }

    public long getReconnectMaxMillis() {
        return reconnectMaxMillis;
    }

    public ExporterConfig sessions(SessionSelector... s) {
        sessions = new ArrayList<>(List.of(s));
        return this;
    }

    public ExporterConfig keepAliveSeconds(int s) {
        keepAliveSeconds = s;
        return this;
    }

    public ExporterConfig capabilities(Capability... caps) {
        capabilities = caps.length == 0 ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(List.of(caps));
        return this;
    }

    public ExporterConfig ipv6Raw(boolean on) {
        ipv6Raw = on;
        return this;
    }

    public ExporterConfig templates(TemplateNegotiation t) {
        templates = t;
        return this;
    }

    public ExporterConfig reconnect(long minMillis, long maxMillis) {
        reconnectMinMillis = minMillis;
        reconnectMaxMillis = maxMillis;
        return this;
    }

    public boolean wantsSession(int sessionId, String sessionName) {
        return sessions.isEmpty() || sessions.stream().anyMatch(s -> s.matches(sessionId, sessionName));
    }
}
