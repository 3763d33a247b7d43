package io.ipdrsp.node.api;

import io.ipdrsp.dedup.SessionState;
import io.ipdrsp.dedup.StreamRegistry;
import io.ipdrsp.node.NodeServices;
import io.ipdrsp.node.session.ExporterState;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Collection;
import java.util.List;

/** {@code GET /api/exporters}: every CMTS this node knows, with its connection, sessions and counters. */
@Path("/api/exporters")
@Produces(MediaType.APPLICATION_JSON)
public final class ExportersResource {
    private final NodeServices services;

    public ExportersResource(NodeServices services) {
        this.services = services;
    }

    /** The node's view plus, under {@code cluster}, every session state published in the Hazelcast cluster. */
    public record Exporters(String node, String site, List<ExporterState.View> exporters,
                            Collection<SessionState> cluster) {
    }

    @GET
    public Exporters list() {
        StreamRegistry reg = services.streams();
        return new Exporters(services.config().getNode().getId(), services.config().getNode().getSite(),
                services.exporters().stream().map(ExporterState::view).toList(),
                reg == null ? List.of() : reg.all());
    }
}
