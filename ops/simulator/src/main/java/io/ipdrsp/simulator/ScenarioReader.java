package io.ipdrsp.simulator;

import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.TemplateBlock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a scenario's YAML tree into a {@link FleetSpec}: the top level, templates and the timeline here, CMTSes in
 * {@link CmtsReader}. Knows the source name, so every problem names {@code file:line:column}.
 */
final class ScenarioReader {
    private final String source;

    ScenarioReader(String source) {
        this.source = source;
    }

    ScenarioException error(ScenarioNode n, String message) {
        return new ScenarioException(source + ":" + n.line() + ":" + n.column() + ": " + message);
    }

    Map<String, ScenarioNode> object(ScenarioNode n, String what, Set<String> allowed) throws ScenarioException {
        if (!(n.value() instanceof Map)) {
            throw error(n, what + " must be a mapping (key: value)");
        }
        for (Map.Entry<String, ScenarioNode> e : n.map().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw error(e.getValue(), "unknown key '" + e.getKey() + "' in " + what + " (allowed: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
        return n.map();
    }

    List<ScenarioNode> list(ScenarioNode n, String what) throws ScenarioException {
        if (!(n.value() instanceof List)) {
            throw error(n, what + " must be a list");
        }
        return n.list();
    }

    String text(ScenarioNode n, String what) throws ScenarioException {
        if (!(n.value() instanceof String s)) {
            throw error(n, what + " must be a single value");
        }
        return s;
    }

    long integer(ScenarioNode n, String what, long min, long max) throws ScenarioException {
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

    double number(ScenarioNode n, String what) throws ScenarioException {
        String s = text(n, what).trim();
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw error(n, what + " must be a number, not '" + s + "'");
        }
    }

    boolean bool(ScenarioNode n, String what) throws ScenarioException {
        String s = text(n, what).trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(n, what + " must be true or false, not '" + s + "'");
        };
    }

    Duration duration(ScenarioNode n, String what) throws ScenarioException {
        String s = text(n, what).trim();
        try {
            return Scenario.parseDuration(s);
        } catch (IllegalArgumentException e) {
            throw error(n, what + " must be a duration like 500ms, 10s, 15m or 1h, not '" + s + "'");
        }
    }

    <T> T guard(ScenarioNode n, java.util.concurrent.Callable<T> build) throws ScenarioException {
        try {
            return build.call();
        } catch (ScenarioException e) {
            throw e;
        } catch (Exception e) {
            throw error(n, e.getMessage());
        }
    }

    FleetSpec fleet(ScenarioNode root) throws ScenarioException {
        Map<String, ScenarioNode> m = object(root, "the scenario",
                Set.of("duration", "threads", "ledger", "templates", "cmtses", "timeline"));
        Duration duration = m.containsKey("duration") ? duration(m.get("duration"), "duration") : null;
        int threads = m.containsKey("threads") ? (int) integer(m.get("threads"), "threads", 1, 64) : 1;
        Path ledger = m.containsKey("ledger") ? Path.of(text(m.get("ledger"), "ledger")) : null;
        Map<String, TemplateBlock> templates = new LinkedHashMap<>();
        if (m.containsKey("templates")) {
            ScenarioNode tn = m.get("templates");
            if (!(tn.value() instanceof Map)) {
                throw error(tn, "templates must be a mapping of template name to definition");
            }
            for (Map.Entry<String, ScenarioNode> e : tn.map().entrySet()) {
                templates.put(e.getKey(), template(e.getKey(), e.getValue()));
            }
        }
        if (!m.containsKey("cmtses")) {
            throw error(root, "the scenario needs a 'cmtses' list");
        }
        List<CmtsSpec> cmtses = new ArrayList<>();
        for (ScenarioNode c : list(m.get("cmtses"), "cmtses")) {
            cmtses.addAll(new CmtsReader(this).cmtsGroup(c, templates));
        }
        if (cmtses.isEmpty()) {
            throw error(m.get("cmtses"), "cmtses is empty");
        }
        List<Fault> timeline = new ArrayList<>();
        if (m.containsKey("timeline")) {
            Set<String> names = new java.util.HashSet<>();
            cmtses.forEach(c -> names.add(c.name()));
            for (ScenarioNode f : list(m.get("timeline"), "timeline")) {
                timeline.add(fault(f, names));
            }
        }
        List<CmtsSpec> all = cmtses;
        return guard(root, () -> new FleetSpec(all, templates, timeline, duration, ledger, threads));
    }

    TemplateBlock template(String name, ScenarioNode n) throws ScenarioException {
        Map<String, ScenarioNode> m = object(n, "template " + name, Set.of("schemaName", "typeName", "fields", "id"));
        if (!m.containsKey("fields")) {
            throw error(n, "template " + name + " needs 'fields'");
        }
        List<FieldDescriptor> fields = new ArrayList<>();
        int id = 1;
        for (ScenarioNode f : list(m.get("fields"), "fields")) {
            Map<String, ScenarioNode> fm = object(f, "a field", Set.of("name", "type", "enabled", "id"));
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

    Fault fault(ScenarioNode n, Set<String> cmtsNames) throws ScenarioException {
        Map<String, ScenarioNode> m = object(n, "a timeline event", Set.of("at", "action", "cmts", "collector",
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

    /** host[:port]; defaultPort -1 = the port is required. */
    String[] hostPort(ScenarioNode n, String what, int defaultPort) throws ScenarioException {
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

    long mac(ScenarioNode n) throws ScenarioException {
        String s = text(n, "mac").trim();
        String hex = s.replace(":", "").replace("-", "").replace(".", "");
        if (!hex.matches("[0-9a-fA-F]{12}")) {
            throw error(n, "mac must look like 00:1d:cf:00:00:01, not '" + s + "'");
        }
        return Long.parseLong(hex, 16);
    }
}
