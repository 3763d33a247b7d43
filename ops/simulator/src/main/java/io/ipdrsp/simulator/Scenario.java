package io.ipdrsp.simulator;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ipdrsp.protocol.Capabilities;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.TemplateBlock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads scenario files (YAML, format in {@code docs/simulator.md}) into a {@link FleetSpec}. Every problem is a
 * {@link ScenarioException} naming the file, line and column of the offending value.
 */
public final class Scenario {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private Scenario() {
    }

    public static FleetSpec parse(Path file) throws ScenarioException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ScenarioException(file + ": cannot read: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    public static FleetSpec parse(String text, String source) throws ScenarioException {
        Node root;
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new ScenarioException(source + ": empty scenario");
            }
            root = read(p, source);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new ScenarioException(source + ":" + (l == null ? "?" : l.getLineNr() + ":" + l.getColumnNr())
                    + ": YAML syntax error: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ScenarioException(source + ": " + e.getMessage());
        }
        return new Reader(source).fleet(root);
    }

    /** 500ms, 10s, 15m, 1h, or a bare number of seconds. */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "' (e.g. 500ms, 10s, 15m, 1h)");
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> v;
            case "m" -> v * 60_000;
            case "h" -> v * 3_600_000;
            default -> v * 1000;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    /** A YAML value with the position it came from. */
    private record Node(Object value, int line, int column) {
        @SuppressWarnings("unchecked")
        Map<String, Node> map() {
            return (Map<String, Node>) value;
        }

        @SuppressWarnings("unchecked")
        List<Node> list() {
            return (List<Node>) value;
        }
    }

    private static Node read(JsonParser p, String source) throws IOException, ScenarioException {
        JsonLocation loc = p.currentTokenLocation();
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Node> m = new LinkedHashMap<>();
            Map<String, Integer> keyLines = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int keyLine = p.currentTokenLocation().getLineNr();
                if (m.containsKey(key)) {
                    throw new ScenarioException(source + ":" + keyLine + ": duplicate key '" + key + "' (first on line "
                            + keyLines.get(key) + ")");
                }
                keyLines.put(key, keyLine);
                p.nextToken();
                m.put(key, read(p, source));
            }
            return new Node(m, loc.getLineNr(), loc.getColumnNr());
        }
        if (t == JsonToken.START_ARRAY) {
            List<Node> l = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                l.add(read(p, source));
            }
            return new Node(l, loc.getLineNr(), loc.getColumnNr());
        }
        return new Node(t == JsonToken.VALUE_NULL ? null : p.getText(), loc.getLineNr(), loc.getColumnNr());
    }

    /** Turns the tree into specs; knows the source name for messages. */
    private static final class Reader {
        private final String source;

        Reader(String source) {
            this.source = source;
        }

        ScenarioException error(Node n, String message) {
            return new ScenarioException(source + ":" + n.line() + ":" + n.column() + ": " + message);
        }

        Map<String, Node> object(Node n, String what, Set<String> allowed) throws ScenarioException {
            if (!(n.value() instanceof Map)) {
                throw error(n, what + " must be a mapping (key: value)");
            }
            for (Map.Entry<String, Node> e : n.map().entrySet()) {
                if (!allowed.contains(e.getKey())) {
                    throw error(e.getValue(), "unknown key '" + e.getKey() + "' in " + what + " (allowed: "
                            + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
                }
            }
            return n.map();
        }

        List<Node> list(Node n, String what) throws ScenarioException {
            if (!(n.value() instanceof List)) {
                throw error(n, what + " must be a list");
            }
            return n.list();
        }

        String text(Node n, String what) throws ScenarioException {
            if (!(n.value() instanceof String s)) {
                throw error(n, what + " must be a single value");
            }
            return s;
        }

        long integer(Node n, String what, long min, long max) throws ScenarioException {
            String s = text(n, what).trim().replace("_", "");
            try {
                long v = s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
                if (v < min || v > max) {
                    throw error(n, what + " must be in " + min + ".." + max + ", not " + v);
                }
                return v;
            } catch (NumberFormatException e) {
                throw error(n, what + " must be an integer, not '" + s + "'");
            }
        }

        double number(Node n, String what) throws ScenarioException {
            String s = text(n, what).trim();
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw error(n, what + " must be a number, not '" + s + "'");
            }
        }

        boolean bool(Node n, String what) throws ScenarioException {
            String s = text(n, what).trim().toLowerCase(Locale.ROOT);
            return switch (s) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw error(n, what + " must be true or false, not '" + s + "'");
            };
        }

        Duration duration(Node n, String what) throws ScenarioException {
            String s = text(n, what).trim();
            try {
                return parseDuration(s);
            } catch (IllegalArgumentException e) {
                throw error(n, what + " must be a duration like 500ms, 10s, 15m or 1h, not '" + s + "'");
            }
        }

        <T> T guard(Node n, java.util.concurrent.Callable<T> build) throws ScenarioException {
            try {
                return build.call();
            } catch (ScenarioException e) {
                throw e;
            } catch (Exception e) {
                throw error(n, e.getMessage());
            }
        }

        FleetSpec fleet(Node root) throws ScenarioException {
            Map<String, Node> m = object(root, "the scenario",
                    Set.of("duration", "threads", "ledger", "templates", "cmtses", "timeline"));
            Duration duration = m.containsKey("duration") ? duration(m.get("duration"), "duration") : null;
            int threads = m.containsKey("threads") ? (int) integer(m.get("threads"), "threads", 1, 64) : 1;
            Path ledger = m.containsKey("ledger") ? Path.of(text(m.get("ledger"), "ledger")) : null;
            Map<String, TemplateBlock> templates = new LinkedHashMap<>();
            if (m.containsKey("templates")) {
                Node tn = m.get("templates");
                if (!(tn.value() instanceof Map)) {
                    throw error(tn, "templates must be a mapping of template name to definition");
                }
                for (Map.Entry<String, Node> e : tn.map().entrySet()) {
                    templates.put(e.getKey(), template(e.getKey(), e.getValue()));
                }
            }
            if (!m.containsKey("cmtses")) {
                throw error(root, "the scenario needs a 'cmtses' list");
            }
            List<CmtsSpec> cmtses = new ArrayList<>();
            for (Node c : list(m.get("cmtses"), "cmtses")) {
                cmtses.addAll(cmtsGroup(c, templates));
            }
            if (cmtses.isEmpty()) {
                throw error(m.get("cmtses"), "cmtses is empty");
            }
            List<Fault> timeline = new ArrayList<>();
            if (m.containsKey("timeline")) {
                Set<String> names = new java.util.HashSet<>();
                cmtses.forEach(c -> names.add(c.name()));
                for (Node f : list(m.get("timeline"), "timeline")) {
                    timeline.add(fault(f, names));
                }
            }
            List<CmtsSpec> all = cmtses;
            return guard(root, () -> new FleetSpec(all, templates, timeline, duration, ledger, threads));
        }

        TemplateBlock template(String name, Node n) throws ScenarioException {
            Map<String, Node> m = object(n, "template " + name, Set.of("schemaName", "typeName", "fields", "id"));
            if (!m.containsKey("fields")) {
                throw error(n, "template " + name + " needs 'fields'");
            }
            List<FieldDescriptor> fields = new ArrayList<>();
            int id = 1;
            for (Node f : list(m.get("fields"), "fields")) {
                Map<String, Node> fm = object(f, "a field", Set.of("name", "type", "enabled", "id"));
                if (!fm.containsKey("name") || !fm.containsKey("type")) {
                    throw error(f, "a field needs 'name' and 'type'");
                }
                String typeText = text(fm.get("type"), "type");
                int type = guard(fm.get("type"), () -> Templates.typeId(typeText));
                int fieldId = fm.containsKey("id") ? (int) integer(fm.get("id"), "id", 0, Integer.MAX_VALUE) : id;
                boolean enabled = !fm.containsKey("enabled") || bool(fm.get("enabled"), "enabled");
                fields.add(new FieldDescriptor(type, fieldId, text(fm.get("name"), "name"), enabled));
                id++;
            }
            if (fields.isEmpty()) {
                throw error(m.get("fields"), "template " + name + " has no fields");
            }
            int templateId = m.containsKey("id") ? (int) integer(m.get("id"), "id", 0, 65535) : 1;
            String schema = m.containsKey("schemaName") ? text(m.get("schemaName"), "schemaName") : name;
            String type = m.containsKey("typeName") ? text(m.get("typeName"), "typeName") : name;
            return new TemplateBlock(templateId, schema, type, fields);
        }

        List<CmtsSpec> cmtsGroup(Node n, Map<String, TemplateBlock> templates) throws ScenarioException {
            Map<String, Node> m = object(n, "a CMTS", Set.of("name", "count", "direction", "listen", "bind", "mac",
                    "vendorId", "modems", "keepAlive", "bufferCapacity", "reconnectDelay", "capabilities", "quirks",
                    "collectors", "sessions"));
            int count = m.containsKey("count") ? (int) integer(m.get("count"), "count", 1, 100_000) : 1;
            String namePattern = m.containsKey("name") ? text(m.get("name"), "name")
                    : count > 1 ? "cmts-%d" : "cmts";
            Direction direction = m.containsKey("direction")
                    ? guard(m.get("direction"), () -> Direction.parse(text(m.get("direction"), "direction")))
                    : Direction.LISTEN;
            String host = direction == Direction.LISTEN ? "0.0.0.0" : null;
            int port = direction == Direction.LISTEN ? CmtsSpec.DEFAULT_PORT : 0;
            Node addrNode = m.containsKey("listen") ? m.get("listen") : m.get("bind");
            if (addrNode != null) {
                String[] hp = hostPort(addrNode, "listen", direction == Direction.LISTEN ? CmtsSpec.DEFAULT_PORT : 0);
                host = hp[0];
                port = Integer.parseInt(hp[1]);
            }
            long mac = m.containsKey("mac") ? mac(m.get("mac")) : 0x001dcf000001L;
            String vendor = m.containsKey("vendorId") ? text(m.get("vendorId"), "vendorId") : null;
            int modems = m.containsKey("modems") ? (int) integer(m.get("modems"), "modems", 1, 1_000_000) : 100;
            int keepAlive = m.containsKey("keepAlive")
                    ? (int) Math.max(1, duration(m.get("keepAlive"), "keepAlive").toSeconds()) : 30;
            int buffer = m.containsKey("bufferCapacity")
                    ? (int) integer(m.get("bufferCapacity"), "bufferCapacity", 1, Integer.MAX_VALUE) : 100_000;
            Duration reconnect = m.containsKey("reconnectDelay")
                    ? duration(m.get("reconnectDelay"), "reconnectDelay") : null;
            int caps = CmtsSpec.ALL_CAPABILITIES;
            if (m.containsKey("capabilities")) {
                caps = 0;
                for (Node c : list(m.get("capabilities"), "capabilities")) {
                    caps |= switch (text(c, "capability").toUpperCase(Locale.ROOT).replace('-', '_')) {
                        case "STRUCTURES" -> Capabilities.STRUCTURES;
                        case "MULTISESSION" -> Capabilities.MULTISESSION;
                        case "TEMPLATE_NEGOTIATION" -> Capabilities.TEMPLATE_NEGOTIATION;
                        default -> throw error(c, "unknown capability '" + c.value()
                                + "' (STRUCTURES, MULTISESSION, TEMPLATE_NEGOTIATION)");
                    };
                }
            }
            Quirks quirks = m.containsKey("quirks") ? quirks(m.get("quirks")) : Quirks.NONE;
            if (!m.containsKey("collectors")) {
                throw error(n, "a CMTS needs 'collectors'");
            }
            if (!m.containsKey("sessions")) {
                throw error(n, "a CMTS needs 'sessions'");
            }
            List<CollectorSpec> collectors = new ArrayList<>();
            for (Node c : list(m.get("collectors"), "collectors")) {
                collectors.add(collector(c, direction));
            }
            List<SessionSpec> sessions = new ArrayList<>();
            for (Node s : list(m.get("sessions"), "sessions")) {
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
                out.add(guard(n, () -> new CmtsSpec(name, direction, h, p, macI, vendor, modems, keepAlive, buffer,
                        rd, cp, quirks, collectors, sessions)));
            }
            return out;
        }

        Quirks quirks(Node n) throws ScenarioException {
            if (n.value() instanceof String s) {
                if (s.equalsIgnoreCase("reference-exporter")) {
                    return Quirks.REFERENCE_EXPORTER;
                }
                if (s.equalsIgnoreCase("none")) {
                    return Quirks.NONE;
                }
                throw error(n, "quirks must be a list, 'reference-exporter' or 'none'");
            }
            boolean a = false;
            boolean b = false;
            boolean c = false;
            boolean d = false;
            for (Node q : list(n, "quirks")) {
                switch (text(q, "quirk")) {
                    case "noDuplicateFlagOnLastResent" -> a = true;
                    case "firstSequencePastResent" -> b = true;
                    case "ipv6Raw" -> c = true;
                    case "ackTimeMillisInGetSessions" -> d = true;
                    default -> throw error(q, "unknown quirk '" + q.value() + "' (noDuplicateFlagOnLastResent, "
                            + "firstSequencePastResent, ipv6Raw, ackTimeMillisInGetSessions)");
                }
            }
            return new Quirks(a, b, c, d);
        }

        CollectorSpec collector(Node n, Direction direction) throws ScenarioException {
            Map<String, Node> m = object(n, "a collector", Set.of("name", "address", "priority"));
            if (!m.containsKey("address")) {
                throw error(n, "a collector needs 'address' (host:port, or host for a listening CMTS)");
            }
            String[] hp = hostPort(m.get("address"), "address", direction == Direction.CONNECT ? -1 : 0);
            int prio = m.containsKey("priority") ? (int) integer(m.get("priority"), "priority", 1, 255) : 1;
            String name = m.containsKey("name") ? text(m.get("name"), "name") : null;
            return guard(n, () -> new CollectorSpec(name, hp[0], Integer.parseInt(hp[1]), prio));
        }

        /** host[:port]; defaultPort -1 = the port is required. */
        String[] hostPort(Node n, String what, int defaultPort) throws ScenarioException {
            String s = text(n, what).trim();
            int colon = s.lastIndexOf(':');
            if (colon < 0 || s.startsWith("[") && !s.contains("]:")) {
                if (defaultPort < 0) {
                    throw error(n, what + " needs host:port, got '" + s + "'");
                }
                return new String[] {s.replace("[", "").replace("]", ""), String.valueOf(defaultPort)};
            }
            String host = s.substring(0, colon).replace("[", "").replace("]", "");
            String port = s.substring(colon + 1);
            try {
                int p = Integer.parseInt(port);
                if (p < 0 || p > 65535) {
                    throw error(n, what + " port must be 0..65535: " + p);
                }
            } catch (NumberFormatException e) {
                throw error(n, what + " has a bad port '" + port + "'");
            }
            return new String[] {host, port};
        }

        long mac(Node n) throws ScenarioException {
            String s = text(n, "mac").trim();
            String hex = s.replace(":", "").replace("-", "").replace(".", "");
            if (!hex.matches("[0-9a-fA-F]{12}")) {
                throw error(n, "mac must look like 00:1d:cf:00:00:01, not '" + s + "'");
            }
            return Long.parseLong(hex, 16);
        }

        SessionSpec session(Node n, Map<String, TemplateBlock> templates) throws ScenarioException {
            Map<String, Node> m = object(n, "a session", Set.of("id", "name", "template", "type", "interval",
                    "stopReason", "rate", "ackSequenceInterval", "ackTimeInterval", "records", "load"));
            if (!m.containsKey("id")) {
                throw error(n, "a session needs 'id' (1..255)");
            }
            int id = (int) integer(m.get("id"), "id", 1, 255);
            String template = m.containsKey("template") ? text(m.get("template"), "template")
                    : Templates.SAMIS_TYPE_1;
            if (!templates.containsKey(template) && Templates.builtIn(template, 1) == null) {
                throw error(m.get("template"), "unknown template '" + template + "' (built-in: "
                        + String.join(", ", Templates.builtIns()) + ", or one under 'templates')");
            }
            SessionType type = m.containsKey("type")
                    ? guard(m.get("type"), () -> SessionType.parse(text(m.get("type"), "type"))) : SessionType.EVENT;
            Duration interval = m.containsKey("interval") ? duration(m.get("interval"), "interval") : null;
            if (type == SessionType.TIME_INTERVAL && interval == null) {
                throw error(n, "a time-interval session needs 'interval'");
            }
            int stop = m.containsKey("stopReason") ? (int) integer(m.get("stopReason"), "stopReason", 0, 65535)
                    : type == SessionType.AD_HOC ? 0 : 6;
            boolean load = m.containsKey("load") && bool(m.get("load"), "load");
            double rate = m.containsKey("rate") ? number(m.get("rate"), "rate") : load ? 0 : 100;
            int seq = m.containsKey("ackSequenceInterval")
                    ? (int) integer(m.get("ackSequenceInterval"), "ackSequenceInterval", 1, Integer.MAX_VALUE)
                    : load ? 65535 : 200;
            int time = m.containsKey("ackTimeInterval")
                    ? (int) Math.max(1, duration(m.get("ackTimeInterval"), "ackTimeInterval").toSeconds()) : 60;
            long records = m.containsKey("records") ? integer(m.get("records"), "records", 1, Long.MAX_VALUE)
                    : type == SessionType.AD_HOC ? 100 : -1;
            String name = m.containsKey("name") ? text(m.get("name"), "name") : null;
            return guard(n, () -> new SessionSpec(id, name, template, type, interval, stop, rate, seq, time, records,
                    load));
        }

        Fault fault(Node n, Set<String> cmtsNames) throws ScenarioException {
            Map<String, Node> m = object(n, "a timeline event", Set.of("at", "action", "cmts", "collector",
                    "session", "count", "for"));
            if (!m.containsKey("at") || !m.containsKey("action")) {
                throw error(n, "a timeline event needs 'at' and 'action'");
            }
            Duration at = duration(m.get("at"), "at");
            Fault.Action action = guard(m.get("action"), () -> Fault.Action.parse(text(m.get("action"), "action")));
            String cmts = m.containsKey("cmts") ? text(m.get("cmts"), "cmts") : "*";
            if (!cmts.equals("*") && !cmtsNames.contains(cmts)) {
                throw error(m.get("cmts"), "no CMTS named '" + cmts + "'");
            }
            Integer collector = m.containsKey("collector")
                    ? (int) integer(m.get("collector"), "collector (priority)", 1, 255) : null;
            Integer session = m.containsKey("session") ? (int) integer(m.get("session"), "session", 1, 255) : null;
            long count = m.containsKey("count") ? integer(m.get("count"), "count", 1, Long.MAX_VALUE) : 0;
            if ((action == Fault.Action.DROP || action == Fault.Action.LOSE) && count == 0) {
                throw error(n, action.name().toLowerCase(Locale.ROOT) + " needs 'count'");
            }
            Duration d = m.containsKey("for") ? duration(m.get("for"), "for") : null;
            return new Fault(at, action, cmts, collector, session, count, d);
        }
    }
}
