package io.ipdrsp.node.api;

import io.ipdrsp.node.export.DocumentExport;
import io.ipdrsp.node.export.DocumentExport.Format;
import io.ipdrsp.storage.AuditRow;
import io.ipdrsp.storage.RecordKey;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code GET /api/documents/{exporter}/{sessionId}/{documentId}/{bootTime}/ipdr.xml} (IPDR/XML 3.5,
 * {@code application/xml}) and {@code .../ipdr.xdr} (IPDR/XDR version 4, {@code application/octet-stream}): a stored
 * document streamed from Cassandra while it is sent (chunked; nothing is buffered beyond the writers' 64 KiB). Any
 * node answers for every CMTS. {@code X-Ipdr-Record-Count} carries the records the audit last counted for the
 * document, when it has been audited (a progress total for clients, not a promise: an open document grows). A
 * Cassandra failure in the middle of the body cuts the connection, so the client sees a document without its
 * DOCEND / {@code IPDRDoc.End}, never a silently shortened one.
 */
@jakarta.annotation.security.RolesAllowed(io.ipdrsp.node.security.Role.AUDITOR)
@Path("/api/documents/{exporter}/{sessionId}/{documentId}/{bootTime}")
public final class DocumentExportResource {
    public static final String RECORD_COUNT_HEADER = "X-Ipdr-Record-Count";

    private final ExportServices exports;

    public DocumentExportResource(ExportServices exports) {
        this.exports = exports;
    }

    @GET
    @Path("ipdr.xml")
    public Response xml(@PathParam("exporter") String exporter, @PathParam("sessionId") String session,
            @PathParam("documentId") String documentId, @PathParam("bootTime") String bootTime) {
        return stream(key(exporter, session, documentId, bootTime), Format.XML);
    }

    @GET
    @Path("ipdr.xdr")
    public Response xdr(@PathParam("exporter") String exporter, @PathParam("sessionId") String session,
            @PathParam("documentId") String documentId, @PathParam("bootTime") String bootTime) {
        return stream(key(exporter, session, documentId, bootTime), Format.XDR);
    }

    private Response stream(RecordKey key, Format format) {
        DocumentExport export = exports.export();
        if (export == null) {
            throw error(Response.Status.SERVICE_UNAVAILABLE, "node starting");
        }
        if (export.find(key).isEmpty()) {
            throw error(Response.Status.NOT_FOUND, "no such document: exporter " + key.exporter() + ", session "
                    + key.sessionId() + ", documentId " + key.documentId() + ", bootTime " + key.bootTime()
                    + " (no document row and no stored records)");
        }
        try {
            export.check(key, format);
        } catch (DocumentExport.UnsupportedExport e) {
            throw error(Response.Status.CONFLICT, e.getMessage());
        }
        StreamingOutput body = out -> {
            try {
                export.write(key, format, out, null);
            } catch (DocumentExport.UnsupportedExport e) {
                throw new IllegalStateException(e); // checked above
            }
        };
        Response.ResponseBuilder r = Response.ok(body, format.mediaType()).header("Content-Disposition",
                "attachment; filename=\"" + DocumentExport.fileName(key, format) + "\"");
        expectedRecords(key).ifPresent(n -> r.header(RECORD_COUNT_HEADER, n));
        return r.build();
    }

    private Optional<Long> expectedRecords(RecordKey key) {
        try {
            return exports.auditRow(key).map(AuditRow::recordsHeld);
        } catch (RuntimeException e) {
            return Optional.empty(); // only a progress hint
        }
    }

    static RecordKey key(String exporter, String session, String documentId, String bootTime) {
        try {
            return new RecordKey(exporter, Integer.parseInt(session), UUID.fromString(documentId),
                    Long.parseLong(bootTime));
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw error(Response.Status.BAD_REQUEST, "not a document: " + e.getMessage()
                    + " (expected /api/documents/EXPORTER/SESSION(0-255)/UUID/BOOTTIME/ipdr.xml or ipdr.xdr)");
        }
    }

    static WebApplicationException error(Response.Status status, String message) {
        return new WebApplicationException(Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("code", status.getStatusCode(), "message", message)).build());
    }
}
