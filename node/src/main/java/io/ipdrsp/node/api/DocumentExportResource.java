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
 * node answers for every CMTS. {@code X-Ipdr-Document-State} carries the document's audit state; a document that is
 * not FINAL is exported all the same, as a file whose recorder info says PARTIAL (see {@link DocumentExport#write}).
 * {@code X-Ipdr-Record-Count} carries the records of a final document's verdict (a progress total for clients). A
 * Cassandra failure in the middle of the body cuts the connection, so the client sees a document without its
 * DOCEND / {@code IPDRDoc.End}, never a silently shortened one.
 */
@jakarta.annotation.security.RolesAllowed(io.ipdrsp.node.security.Role.AUDITOR)
@Path("/api/documents/{exporter}/{sessionId}/{documentId}/{bootTime}")
public final class DocumentExportResource {
    public static final String RECORD_COUNT_HEADER = "X-Ipdr-Record-Count";
    /** The document's audit state: FINAL, or OPEN / SUSPENDED / REOPENED / NOT_AUDITED (the file is partial). */
    public static final String STATE_HEADER = "X-Ipdr-Document-State";
    static final String FINAL = "FINAL";
    static final String NOT_AUDITED = "NOT_AUDITED";

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
        Optional<AuditRow> audit = auditRow(key);
        String state = audit.map(AuditRow::state).orElse(NOT_AUDITED);
        String openState = FINAL.equals(state) ? null : state;
        StreamingOutput body = out -> {
            try {
                export.write(key, format, out, null, openState);
            } catch (DocumentExport.UnsupportedExport e) {
                throw new IllegalStateException(e); // checked above
            }
        };
        Response.ResponseBuilder r = Response.ok(body, format.mediaType()).header("Content-Disposition",
                "attachment; filename=\"" + DocumentExport.fileName(key, format) + "\"")
                .header(STATE_HEADER, state);
        if (openState == null) { // an open document's count is stale by the time it is read: no false 100 %
            audit.ifPresent(a -> r.header(RECORD_COUNT_HEADER, a.recordsHeld()));
        }
        return r.build();
    }

    private Optional<AuditRow> auditRow(RecordKey key) {
        try {
            return exports.auditRow(key);
        } catch (RuntimeException e) {
            return Optional.empty(); // unknown: exported as not final, which is the safe side
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
