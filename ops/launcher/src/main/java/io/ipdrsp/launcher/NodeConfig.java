package io.ipdrsp.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A collector node's configuration as a tree of maps, lists and scalars, serialised to the YAML file the node reads
 * at start. Built as data, never concatenated as text, so a value (a path, an address) cannot break the file. The
 * launcher knows no key's meaning beyond the few helpers here; the keys are the node's ({@code docs/operations.md}).
 */
public final class NodeConfig {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();

    /** The libraries whose INFO lines say nothing an operator of a local node needs. */
    public static final Map<String, String> LIBRARIES_AT_WARN = Map.of("org.eclipse.jetty", "WARN",
            "org.glassfish", "WARN", "com.datastax", "WARN", "org.apache.zookeeper", "WARN",
            "org.apache.curator", "WARN");

    private final Map<String, Object> root = new LinkedHashMap<>();

    private NodeConfig() {
    }

    /** A configuration with {@code node.id} and {@code node.site} set. */
    public static NodeConfig of(String id, String site) {
        return new NodeConfig().set("node.id", id).set("node.site", site);
    }

    /** An ordered map from key, value, key, value … (for list entries such as exporters or connectors). */
    public static Map<String, Object> map(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("map needs key, value pairs");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** Sets the value at a dotted path ({@code storage.keyspace}), creating the maps on the way. */
    public NodeConfig set(String path, Object value) {
        String[] keys = path.split("\\.");
        parent(keys).put(keys[keys.length - 1], value);
        return this;
    }

    /** Appends {@code value} to the list at a dotted path ({@code exporters}), creating the list if missing. */
    @SuppressWarnings("unchecked")
    public NodeConfig add(String path, Object value) {
        String[] keys = path.split("\\.");
        Object list = parent(keys).computeIfAbsent(keys[keys.length - 1], k -> new ArrayList<>());
        if (!(list instanceof List)) {
            throw new IllegalArgumentException(path + " is not a list");
        }
        ((List<Object>) list).add(value);
        return this;
    }

    /** The value at a dotted path, or null. */
    public Object get(String path) {
        Object at = root;
        for (String key : path.split("\\.")) {
            if (!(at instanceof Map<?, ?> m)) {
                return null;
            }
            at = m.get(key);
        }
        return at;
    }

    /** {@code node.id}. */
    public String id() {
        return String.valueOf(get("node.id"));
    }

    /** The API and admin HTTP connectors on {@code host} (0: a port the node picks), no request log. */
    public NodeConfig http(String host, int apiPort, int adminPort) {
        return set("server.type", "default")
                .set("server.applicationConnectors", List.of(map("type", "http", "bindHost", host, "port", apiPort)))
                .set("server.adminConnectors", List.of(map("type", "http", "bindHost", host, "port", adminPort)))
                .set("server.requestLog", map("appenders", List.of()));
    }

    /** The node's log on its standard output at {@code level}, with per-logger levels. */
    public NodeConfig logToStdout(String level, Map<String, String> loggers) {
        return set("logging", map("level", level, "loggers", new LinkedHashMap<>(loggers),
                "appenders", List.of(map("type", "console", "target", "stdout"))));
    }

    /** The node's log in {@code file} (no archive) at {@code level}. */
    public NodeConfig logToFile(String level, Path file) {
        return set("logging", map("level", level, "appenders", List.of(map("type", "file",
                "currentLogFilename", file.toString(), "archive", false))));
    }

    /** The YAML text of the tree. */
    public String toYaml() {
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of maps, lists and scalars always serialises", e);
        }
    }

    /** Writes the YAML to {@code file}; returns the file. */
    public Path writeTo(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, toYaml());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> parent(String[] keys) {
        Map<String, Object> at = root;
        for (int i = 0; i < keys.length - 1; i++) {
            Object next = at.computeIfAbsent(keys[i], k -> new LinkedHashMap<>());
            if (!(next instanceof Map)) {
                throw new IllegalArgumentException(keys[i] + " is not a map");
            }
            at = (Map<String, Object>) next;
        }
        return at;
    }

    @Override
    public String toString() {
        return toYaml();
    }
}
