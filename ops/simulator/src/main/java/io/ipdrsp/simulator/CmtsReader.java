package io.ipdrsp.simulator;

import io.ipdrsp.protocol.Capabilities;
import io.ipdrsp.protocol.TemplateBlock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads the {@code cmtses:} entries of a scenario: identity, connections, TLS, collectors and sessions. */
final class CmtsReader {
    private final ScenarioReader r;

    CmtsReader(ScenarioReader r) {
        this.r = r;
    }

    List<CmtsSpec> cmtsGroup(ScenarioNode n, Map<String, TemplateBlock> templates) throws ScenarioException {
        Map<String, ScenarioNode> m = r.object(n, "a CMTS", Set.of("name", "count", "direction", "listen", "bind", "mac",
                "vendorId", "modems", "keepAlive", "bufferCapacity", "reconnectDelay", "capabilities", "quirks",
                "failover", "documentId", "tls", "collectors", "sessions"));
        int count = m.containsKey("count") ? (int) r.integer(m.get("count"), "count", 1, 100_000) : 1;
        String namePattern = m.containsKey("name") ? r.text(m.get("name"), "name")
                : count > 1 ? "cmts-%d" : "cmts";
        Direction direction = m.containsKey("direction")
                ? r.guard(m.get("direction"), () -> Direction.parse(r.text(m.get("direction"), "direction")))
                : Direction.LISTEN;
        String host = direction == Direction.LISTEN ? "0.0.0.0" : null;
        int port = direction == Direction.LISTEN ? CmtsSpec.DEFAULT_PORT : 0;
        ScenarioNode addrNode = m.containsKey("listen") ? m.get("listen") : m.get("bind");
        if (addrNode != null) {
            String[] hp = r.hostPort(addrNode, "listen", direction == Direction.LISTEN ? CmtsSpec.DEFAULT_PORT : 0);
            host = hp[0];
            port = Integer.parseInt(hp[1]);
        }
        long mac = m.containsKey("mac") ? r.mac(m.get("mac")) : 0x001dcf000001L;
        String vendor = m.containsKey("vendorId") ? r.text(m.get("vendorId"), "vendorId") : null;
        int modems = m.containsKey("modems") ? (int) r.integer(m.get("modems"), "modems", 1, 1_000_000) : 100;
        int keepAlive = m.containsKey("keepAlive")
                ? (int) Math.max(1, r.duration(m.get("keepAlive"), "keepAlive").toSeconds()) : 30;
        int buffer = m.containsKey("bufferCapacity")
                ? (int) r.integer(m.get("bufferCapacity"), "bufferCapacity", 1, Integer.MAX_VALUE) : 100_000;
        Duration reconnect = m.containsKey("reconnectDelay")
                ? r.duration(m.get("reconnectDelay"), "reconnectDelay") : null;
        int caps = m.containsKey("capabilities") ? capabilities(m.get("capabilities")) : CmtsSpec.ALL_CAPABILITIES;
        Quirks quirks = m.containsKey("quirks") ? quirks(m.get("quirks")) : Quirks.NONE;
        FailoverMode failover = m.containsKey("failover") ? r.guard(m.get("failover"),
                () -> FailoverMode.parse(r.text(m.get("failover"), "failover"))) : null;
        DocumentIdKind docIds = m.containsKey("documentId") ? documentIdKind(m.get("documentId")) : null;
        TlsSpec tls = m.containsKey("tls") ? tls(m.get("tls")) : null;
        if (!m.containsKey("collectors")) {
            throw r.error(n, "a CMTS needs 'collectors'");
        }
        if (!m.containsKey("sessions")) {
            throw r.error(n, "a CMTS needs 'sessions'");
        }
        List<CollectorSpec> collectors = new ArrayList<>();
        for (ScenarioNode c : r.list(m.get("collectors"), "collectors")) {
            collectors.add(collector(c, direction));
        }
        List<SessionSpec> sessions = new ArrayList<>();
        for (ScenarioNode s : r.list(m.get("sessions"), "sessions")) {
            sessions.add(session(s, templates));
        }
        List<CmtsSpec> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = namePattern.contains("%") ? String.format(namePattern, i + 1)
                    : count > 1 ? namePattern + "-" + (i + 1) : namePattern;
            int p = direction == Direction.LISTEN && port != 0 ? port + i : port;
            String h = host;
            Duration rd = reconnect;
            int cp = caps;
            long macI = mac + i;
            out.add(r.guard(n, () -> new CmtsSpec(name, direction, h, p, macI, vendor, modems, keepAlive, buffer,
                    rd, cp, quirks, collectors, sessions, failover, docIds, tls)));
        }
        return out;
    }

    private int capabilities(ScenarioNode n) throws ScenarioException {
        int caps = 0;
        for (ScenarioNode c : r.list(n, "capabilities")) {
            caps |= switch (r.text(c, "capability").toUpperCase(Locale.ROOT).replace('-', '_')) {
                case "STRUCTURES" -> Capabilities.STRUCTURES;
                case "MULTISESSION" -> Capabilities.MULTISESSION;
                case "TEMPLATE_NEGOTIATION" -> Capabilities.TEMPLATE_NEGOTIATION;
                default -> throw r.error(c, "unknown capability '" + c.value()
                        + "' (STRUCTURES, MULTISESSION, TEMPLATE_NEGOTIATION)");
            };
        }
        return caps;
    }

    private DocumentIdKind documentIdKind(ScenarioNode n) throws ScenarioException {
        return r.guard(n, () -> DocumentIdKind.parse(r.text(n, "documentId")));
    }

    /** {@code tls: {certificate, key, trust, protocols, ciphers, verifyHostname}}; paths as given (working dir). */
    private TlsSpec tls(ScenarioNode n) throws ScenarioException {
        Map<String, ScenarioNode> m = r.object(n, "tls", Set.of("certificate", "key", "trust", "protocols",
                "ciphers", "verifyHostname"));
        Path cert = m.containsKey("certificate") ? Path.of(r.text(m.get("certificate"), "tls.certificate")) : null;
        Path key = m.containsKey("key") ? Path.of(r.text(m.get("key"), "tls.key")) : null;
        Path trust = m.containsKey("trust") ? Path.of(r.text(m.get("trust"), "tls.trust")) : null;
        List<String> protocols = m.containsKey("protocols") ? strings(m.get("protocols"), "tls.protocols") : null;
        List<String> ciphers = m.containsKey("ciphers") ? strings(m.get("ciphers"), "tls.ciphers") : null;
        boolean verify = !m.containsKey("verifyHostname") || r.bool(m.get("verifyHostname"), "tls.verifyHostname");
        return r.guard(n, () -> new TlsSpec(cert, key, trust, protocols, ciphers, verify));
    }

    private List<String> strings(ScenarioNode n, String what) throws ScenarioException {
        List<String> out = new ArrayList<>();
        for (ScenarioNode s : r.list(n, what)) {
            out.add(r.text(s, what).trim());
        }
        return out;
    }

    Quirks quirks(ScenarioNode n) throws ScenarioException {
        if (n.value() instanceof String s) {
            if (s.equalsIgnoreCase("reference-exporter")) {
                return Quirks.REFERENCE_EXPORTER;
            }
            if (s.equalsIgnoreCase("none")) {
                return Quirks.NONE;
            }
            throw r.error(n, "quirks must be a list, 'reference-exporter' or 'none'");
        }
        boolean a = false;
        boolean b = false;
        boolean c = false;
        boolean d = false;
        for (ScenarioNode q : r.list(n, "quirks")) {
            switch (r.text(q, "quirk")) {
                case "noDuplicateFlagOnLastResent" -> a = true;
                case "firstSequencePastResent" -> b = true;
                case "ipv6Raw" -> c = true;
                case "ackTimeMillisInGetSessions" -> d = true;
                default -> throw r.error(q, "unknown quirk '" + q.value() + "' (noDuplicateFlagOnLastResent, "
                        + "firstSequencePastResent, ipv6Raw, ackTimeMillisInGetSessions)");
            }
        }
        return new Quirks(a, b, c, d);
    }

    CollectorSpec collector(ScenarioNode n, Direction direction) throws ScenarioException {
        Map<String, ScenarioNode> m = r.object(n, "a collector", Set.of("name", "address", "priority"));
        if (!m.containsKey("address")) {
            throw r.error(n, "a collector needs 'address' (host:port, or host for a listening CMTS)");
        }
        String[] hp = r.hostPort(m.get("address"), "address", direction == Direction.CONNECT ? -1 : 0);
        int prio = m.containsKey("priority") ? (int) r.integer(m.get("priority"), "priority", 1, 255) : 1;
        String name = m.containsKey("name") ? r.text(m.get("name"), "name") : null;
        return r.guard(n, () -> new CollectorSpec(name, hp[0], Integer.parseInt(hp[1]), prio));
    }

    SessionSpec session(ScenarioNode n, Map<String, TemplateBlock> templates) throws ScenarioException {
        Map<String, ScenarioNode> m = r.object(n, "a session", Set.of("id", "name", "template", "type", "interval",
                "stopReason", "rate", "ackSequenceInterval", "ackTimeInterval", "records", "load", "documentId",
                "aligned"));
        if (!m.containsKey("id")) {
            throw r.error(n, "a session needs 'id' (1..255)");
        }
        int id = (int) r.integer(m.get("id"), "id", 1, 255);
        String template = m.containsKey("template") ? r.text(m.get("template"), "template")
                : Templates.SAMIS_TYPE_1;
        if (!templates.containsKey(template) && Templates.builtIn(template, 1) == null) {
            throw r.error(m.get("template"), "unknown template '" + template + "' (built-in: "
                    + String.join(", ", Templates.builtIns()) + ", or one under 'templates')");
        }
        SessionType type = m.containsKey("type")
                ? r.guard(m.get("type"), () -> SessionType.parse(r.text(m.get("type"), "type"))) : SessionType.EVENT;
        Duration interval = m.containsKey("interval") ? r.duration(m.get("interval"), "interval") : null;
        if (type == SessionType.TIME_INTERVAL && interval == null) {
            throw r.error(n, "a time-interval session needs 'interval'");
        }
        int stop = m.containsKey("stopReason") ? (int) r.integer(m.get("stopReason"), "stopReason", 0, 65535)
                : type == SessionType.AD_HOC ? 0 : 6;
        boolean load = m.containsKey("load") && r.bool(m.get("load"), "load");
        double rate = m.containsKey("rate") ? r.number(m.get("rate"), "rate") : load ? 0 : 100;
        int seq = m.containsKey("ackSequenceInterval")
                ? (int) r.integer(m.get("ackSequenceInterval"), "ackSequenceInterval", 1, Integer.MAX_VALUE)
                : load ? 65535 : 200;
        int time = m.containsKey("ackTimeInterval")
                ? (int) Math.max(1, r.duration(m.get("ackTimeInterval"), "ackTimeInterval").toSeconds()) : 60;
        long records = m.containsKey("records") ? r.integer(m.get("records"), "records", 1, Long.MAX_VALUE)
                : type == SessionType.AD_HOC ? 100 : -1;
        String name = m.containsKey("name") ? r.text(m.get("name"), "name") : null;
        DocumentIdKind docIds = m.containsKey("documentId") ? documentIdKind(m.get("documentId")) : null;
        boolean aligned = m.containsKey("aligned") && r.bool(m.get("aligned"), "aligned");
        return r.guard(n, () -> new SessionSpec(id, name, template, type, interval, stop, rate, seq, time, records,
                load, docIds, aligned));
    }

}
