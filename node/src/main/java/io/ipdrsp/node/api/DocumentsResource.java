package io.ipdrsp.node.api;

import io.ipdrsp.node.NodeServices;
import io.ipdrsp.node.session.DocumentIndex;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code GET /api/documents[?exporter=name]}: documents this node has seen, with record counts. */
@jakarta.annotation.security.RolesAllowed(io.ipdrsp.node.security.Role.VIEWER)
@Path("/api/documents")
@Produces(MediaType.APPLICATION_JSON)
public final class DocumentsResource {
    private final NodeServices services;

    public DocumentsResource(NodeServices services) {
        this.services = services;
    }

    @GET
    public List<DocumentIndex.DocumentView> list(@QueryParam("exporter") String exporter) {
        return services.documents().documents().stream()
                .filter(d -> exporter == null || exporter.equals(d.exporter())).toList();
    }
}
