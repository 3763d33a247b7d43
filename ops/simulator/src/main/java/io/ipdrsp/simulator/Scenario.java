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
        ScenarioNode root;
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
        return new ScenarioReader(source).fleet(root);
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


    private static ScenarioNode read(JsonParser p, String source) throws IOException, ScenarioException {
        JsonLocation loc = p.currentTokenLocation();
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, ScenarioNode> m = new LinkedHashMap<>();
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
            return new ScenarioNode(m, loc.getLineNr(), loc.getColumnNr());
        }
        if (t == JsonToken.START_ARRAY) {
            List<ScenarioNode> l = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                l.add(read(p, source));
            }
            return new ScenarioNode(l, loc.getLineNr(), loc.getColumnNr());
        }
        return new ScenarioNode(t == JsonToken.VALUE_NULL ? null : p.getText(), loc.getLineNr(), loc.getColumnNr());
    }

}
