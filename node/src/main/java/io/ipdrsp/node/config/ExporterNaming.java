package io.ipdrsp.node.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The naming rule of CMTSes that have no line under {@code exporters} ({@code fleet.nameTemplate}): a template in
 * which {@code {initiatorId}} becomes the CONNECT's initiatorId written as an IPv4 address — the address the CMTS
 * says it has, not the one its packets come from, so the name survives a new source port, a NAT'd address, and
 * several CMTSes behind one address stay apart — and {@code {vendorId}} the CONNECT's vendorId cut to the
 * characters a name may hold ({@code A-Z a-z 0-9 . _ -}, at most {@value #VENDOR_CHARS}; others become {@code _}).
 * {@code {initiatorId}} is required: a name without it would merge every CMTS of a vendor into one exporter.
 * An initiatorId of 0 (a CMTS that does not say who it is) gives no name: the connection is refused.
 */
public final class ExporterNaming {
    public static final String DEFAULT_TEMPLATE = "cmts-{initiatorId}";
    static final int VENDOR_CHARS = 32;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._-]*");

    /** Literal text, or a placeholder when {@code placeholder} is set. */
    private record Part(String text, boolean placeholder) {
    }

    private final String template;
    private final List<Part> parts;

    private ExporterNaming(String template, List<Part> parts) {
        this.template = template;
        this.parts = List.copyOf(parts);
    }

    /** @throws IllegalArgumentException saying what is wrong with the template and how to fix it */
    public static ExporterNaming parse(String template) {
        String t = template == null ? "" : template.trim();
        List<Part> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(t);
        int at = 0;
        boolean initiator = false;
        while (m.find()) {
            literal(t, t.substring(at, m.start()), parts);
            String name = m.group(1);
            if (!name.equals("initiatorId") && !name.equals("vendorId")) {
                throw new IllegalArgumentException("'" + t + "' has an unknown placeholder {" + name
                        + "}: use {initiatorId} and {vendorId}, e.g. " + DEFAULT_TEMPLATE);
            }
            initiator |= name.equals("initiatorId");
            parts.add(new Part(name, true));
            at = m.end();
        }
        literal(t, t.substring(at), parts);
        if (!initiator) {
            throw new IllegalArgumentException("'" + t + "' must contain {initiatorId} (the CMTS's own address from "
                    + "its CONNECT): without it several CMTSes would get one name, e.g. " + DEFAULT_TEMPLATE);
        }
        return new ExporterNaming(t, parts);
    }

    private static void literal(String template, String text, List<Part> parts) {
        if (!LITERAL.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + template + "' may hold only letters, digits, '.', '_', '-' "
                    + "besides {initiatorId} and {vendorId}, e.g. " + DEFAULT_TEMPLATE);
        }
        if (!text.isEmpty()) {
            parts.add(new Part(text, false));
        }
    }

    public String template() {
        return template;
    }

    public boolean usesVendorId() {
        return parts.contains(new Part("vendorId", true));
    }

    /** The name of a CMTS from its CONNECT, or null when its initiatorId is 0 (it did not say who it is). */
    public String name(int initiatorId, String vendorId) {
        return initiatorId == 0 ? null : render(dotted(initiatorId), vendorId);
    }

    /** The name of an inventory CMTS listed by its IPv4 address only (no vendorId is known before it answers). */
    public String name(String ipv4) {
        return render(ipv4, "");
    }

    private String render(String initiator, String vendorId) {
        StringBuilder b = new StringBuilder(48);
        for (Part p : parts) {
            if (!p.placeholder()) {
                b.append(p.text());
            } else if (p.text().equals("initiatorId")) {
                b.append(initiator);
            } else {
                b.append(vendor(vendorId));
            }
        }
        return b.toString();
    }

    /** The vendorId as it may appear in a name; "unknown" when the CMTS sent none. */
    static String vendor(String vendorId) {
        String v = vendorId == null ? "" : vendorId.trim();
        if (v.isEmpty()) {
            return "unknown";
        }
        StringBuilder b = new StringBuilder(Math.min(v.length(), VENDOR_CHARS));
        for (int i = 0; i < v.length() && b.length() < VENDOR_CHARS; i++) {
            char c = v.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            b.append(ok ? c : '_');
        }
        return b.toString();
    }

    /** An initiatorId (32-bit big-endian IPv4, digest §CONNECT) as a.b.c.d. */
    public static String dotted(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
    }
}
