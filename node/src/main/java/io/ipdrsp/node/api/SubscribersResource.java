package io.ipdrsp.node.api;

import io.ipdrsp.node.export.Macs;
import io.ipdrsp.storage.SubscriberStore;
import io.ipdrsp.storage.SubscriberStore.Binding;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The subscriber view (CM/CPE ↔ IP address over time), answered from Cassandra by any node:
 * <ul>
 * <li>{@code GET /api/subscribers/cm/{mac}} — the addresses a cable modem held, newest first, and the CPEs seen
 * behind it with theirs;</li>
 * <li>{@code GET /api/subscribers/cpe/{mac}} — the addresses a CPE held and the CM it sat behind;</li>
 * <li>{@code GET /api/subscribers/ip/{addr}?at=T} — who held an IPv4/IPv6 address at T ({@code holder}, null when
 * nobody) and the address's periods started by T (without {@code at}: now, all periods).</li>
 * </ul>
 * MACs: {@code aa:bb:cc:dd:ee:ff}, dashes, Cisco dots or bare hex. T: ISO-8601 instant, epoch seconds or {@code now}.
 * {@code limit} bounds the periods listed (default 100, at most 1000).
 */
@jakarta.annotation.security.RolesAllowed(io.ipdrsp.node.security.Role.AUDITOR)
@Path("/api/subscribers")
@Produces(MediaType.APPLICATION_JSON)
public final class SubscribersResource {
    private final ExportServices exports;

    public SubscribersResource(ExportServices exports) {
        this.exports = exports;
    }

    /** One binding period as shown: times ISO-8601 UTC, MACs with colons. */
    public record BindingView(String kind, String mac, String ip, String family, String firstSeen, String lastSeen,
            String endedAt, String endReason, String cmMac, String exporter) {
        static BindingView of(Binding b) {
            return new BindingView(b.kind(), Macs.format(b.mac()), b.ip().getHostAddress(),
                    b.ip() instanceof Inet4Address ? "IPv4" : "IPv6", b.firstSeen().toString(),
                    b.lastSeen().toString(), b.endedAt() == null ? null : b.endedAt().toString(), b.endReason(),
                    b.cmMac() == null ? null : Macs.format(b.cmMac()), b.exporter());
        }
    }

    public record DeviceView(String mac, String kind, List<BindingView> bindings, List<BindingView> cpes) {
    }

    public record AddressView(String ip, String at, BindingView holder, List<BindingView> bindings) {
    }

    @GET
    @Path("/cm/{mac}")
    public DeviceView cm(@PathParam("mac") String mac, @QueryParam("limit") @DefaultValue("100") int limit) {
        long m = mac(mac);
        SubscriberStore s = store();
        return new DeviceView(Macs.format(m), SubscriberStore.CM, views(only(SubscriberStore.CM,
                s.byMac(m, limit(limit)))), views(s.cpesOf(m, limit(limit))));
    }

    @GET
    @Path("/cpe/{mac}")
    public DeviceView cpe(@PathParam("mac") String mac, @QueryParam("limit") @DefaultValue("100") int limit) {
        long m = mac(mac);
        return new DeviceView(Macs.format(m), SubscriberStore.CPE, views(only(SubscriberStore.CPE,
                store().byMac(m, limit(limit)))), null);
    }

    @GET
    @Path("/ip/{addr}")
    public AddressView ip(@PathParam("addr") String addr, @QueryParam("at") String at,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        InetAddress ip = address(addr);
        Instant t = at == null || at.isBlank() ? null : time(at);
        List<Binding> periods = store().byIp(ip, t, limit(limit));
        Instant when = t == null ? Instant.now() : t;
        Binding holder = periods.stream().filter(b -> b.heldAt(when)).findFirst().orElse(null);
        return new AddressView(ip.getHostAddress(), when.toString(), holder == null ? null : BindingView.of(holder),
                views(periods));
    }

    private SubscriberStore store() {
        SubscriberStore s = exports.subscribers();
        if (s == null) {
            throw DocumentExportResource.error(Response.Status.SERVICE_UNAVAILABLE, "node starting");
        }
        return s;
    }

    /** A MAC's table holds whatever kind of device reported it; each lookup shows its own kind. */
    private static List<Binding> only(String kind, List<Binding> b) {
        return b.stream().filter(x -> x.kind().equals(kind)).toList();
    }

    private static List<BindingView> views(List<Binding> b) {
        return b.stream().map(BindingView::of).toList();
    }

    private static int limit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw DocumentExportResource.error(Response.Status.BAD_REQUEST, "limit must be 1..1000");
        }
        return limit;
    }

    private static long mac(String text) {
        try {
            return Macs.parse(text);
        } catch (IllegalArgumentException e) {
            throw DocumentExportResource.error(Response.Status.BAD_REQUEST, e.getMessage());
        }
    }

    /** A literal IPv4 or IPv6 address (never a host name: no DNS lookups on behalf of a request). */
    static InetAddress address(String text) {
        String t = text.trim();
        boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                && java.util.Arrays.stream(t.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255);
        boolean v6 = t.contains(":") && t.matches("[0-9A-Fa-f:.]+");
        if (v4 || v6) {
            try {
                return InetAddress.getByName(t);
            } catch (UnknownHostException e) {
                // falls through to the error below
            }
        }
        throw DocumentExportResource.error(Response.Status.BAD_REQUEST, "not an IPv4 or IPv6 address: '" + text + "'");
    }

    static Instant time(String text) {
        String t = text.trim();
        if (t.equals("now")) {
            return Instant.now();
        }
        try {
            return t.matches("\\d{1,12}") ? Instant.ofEpochSecond(Long.parseLong(t)) : Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw DocumentExportResource.error(Response.Status.BAD_REQUEST, "at: '" + text
                    + "' is not a time (use 2024-05-01T10:00:00Z, epoch seconds or now)");
        }
    }
}
