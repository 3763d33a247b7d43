package io.ipdrsp.node.api;

import io.ipdrsp.dedup.audit.AuditReport;
import io.ipdrsp.dedup.audit.AuditService;
import io.ipdrsp.dedup.audit.DocumentAudit;
import io.ipdrsp.storage.RecordKey;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;

/**
 * The billing-completeness audit, answered from Cassandra (any node answers for every CMTS):
 * <ul>
 * <li>{@code GET /api/audit?from=T&to=T[&cmts=NAME]} — per CMTS, the documents started in [from, to) with verdicts,
 * records held, missing ranges, declared drops, duplicates removed, integrity conflicts, failovers, records per node.
 * T: ISO-8601 instant ({@code 2024-05-01T10:00:00Z}), a UTC date ({@code 2024-05-01}), {@code now}, or relative to
 * now ({@code -2h}, {@code -30m}, {@code -7d}). Defaults: the last 24 hours. A {@code cmts} nobody knows (not
 * configured here, never seen by any node, no audit rows in the interval) → 404 with {@code knownExporters}.</li>
 * <li>{@code GET /api/audit/documents/{exporter}/{session}/{documentId}/{bootTime}} — one document: segments, gaps
 * (declared or not), duplicates per node, integrity conflicts, history.</li>
 * </ul>
 */
@jakarta.annotation.security.RolesAllowed(io.ipdrsp.node.security.Role.AUDITOR)
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
public final class AuditResource {
    private static final java.util.regex.Pattern RELATIVE = java.util.regex.Pattern.compile("-(\\d{1,9})([smhd])");

    private final AuditServices audit;

    public AuditResource(AuditServices audit) {
        this.audit = audit;
    }

    @GET
    public AuditReport report(@QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("cmts") String cmts) {
        Instant now = Instant.now();
        Instant t1 = to == null || to.isBlank() ? now : time("to", to, now);
        Instant t0 = from == null || from.isBlank() ? t1.minus(Duration.ofDays(1)) : time("from", from, now);
        if (!t0.isBefore(t1)) {
            throw bad("from must be before to (" + t0 + " >= " + t1 + ")");
        }
        if (Duration.between(t0, t1).toDays() > 400) {
            throw bad("the interval may span at most 400 days");
        }
        try {
            return service().report(t0, t1, cmts == null || cmts.isBlank() ? null : cmts,
                    audit.configuredExporters());
        } catch (AuditService.UnknownExporter e) {
            // an audit of a CMTS nobody knows would read "0 documents": say so, with the names that would answer
            throw new WebApplicationException(Response.status(Response.Status.NOT_FOUND)
                    .type(MediaType.APPLICATION_JSON).entity(Map.of("code", 404, "message", e.getMessage(),
                            "knownExporters", e.known())).build());
        }
    }

    @GET
    @Path("/documents/{exporter}/{session}/{documentId}/{bootTime}")
    public DocumentAudit document(@PathParam("exporter") String exporter, @PathParam("session") String session,
            @PathParam("documentId") String documentId, @PathParam("bootTime") String bootTime) {
        RecordKey key;
        try {
            key = new RecordKey(exporter, Integer.parseInt(session), UUID.fromString(documentId),
                    Long.parseLong(bootTime));
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw bad("not a document: " + e.getMessage()
                    + " (expected /api/audit/documents/EXPORTER/SESSION(0-255)/UUID/BOOTTIME)");
        }
        return service().document(key).orElseThrow(() -> new WebApplicationException(Response
                .status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("code", 404, "message", "no such document: " + key)).build()));
    }

    private AuditService service() {
        AuditService s = audit.audit();
        if (s == null) {
            throw new WebApplicationException(Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .type(MediaType.APPLICATION_JSON).entity(Map.of("code", 503, "message", "node starting")).build());
        }
        return s;
    }

    static Instant time(String name, String text, Instant now) {
        String t = text.trim();
        if (t.equals("now")) {
            return now;
        }
        Matcher m = RELATIVE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return now.minus(switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        try {
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw bad(name + ": '" + text + "' is not a time (use 2024-05-01T10:00:00Z, 2024-05-01, now, -2h)");
        }
    }

    private static WebApplicationException bad(String message) {
        return new WebApplicationException(Response.status(Response.Status.BAD_REQUEST)
                .type(MediaType.APPLICATION_JSON).entity(Map.of("code", 400, "message", message)).build());
    }
}
