package io.ipdrsp.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.dropwizard.jackson.Jackson;
import io.ipdrsp.node.NodeConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md against the node's configuration classes, walked with Jackson's own introspection (what the
 * YAML parser binds): every key of the project's classes is documented with its real default, and every key the
 * reference documents exists (Dropwizard's {@code server}/{@code logging} keys included). A key added without
 * documentation fails here, naming it and its default.
 */
class ConfigurationReferenceTest {
    private static final ObjectMapper MAPPER = Jackson.newObjectMapper();
    /** A table row's first cell: one or more backticked keys. */
    private static final Pattern ROW = Pattern.compile("(?m)^\\|([^|]*)\\|([^|]*)\\|");
    private static final Pattern KEY = Pattern.compile("`([A-Za-z][A-Za-z0-9_.\\[\\]]*)`");
    /** Dropwizard's polymorphic types, resolved to the implementation the node uses (https ⊇ http). */
    private static final Map<Class<?>, Class<?>> IMPLEMENTATION = Map.of(
            io.dropwizard.core.server.ServerFactory.class, io.dropwizard.core.server.DefaultServerFactory.class,
            io.dropwizard.jetty.ConnectorFactory.class, io.dropwizard.jetty.HttpsConnectorFactory.class,
            io.dropwizard.logging.common.LoggingFactory.class, io.dropwizard.logging.common.DefaultLoggingFactory.class,
            io.dropwizard.logging.common.AppenderFactory.class, io.dropwizard.logging.common.ConsoleAppenderFactory.class);

    /** A key, the type bound to it and the class that declares it. */
    record Key(String path, JavaType type, Class<?> owner) {
        /** Compared with its documented default: the project's own scalar keys (not secrets, not Dropwizard's). */
        boolean defaultChecked() {
            return type.getRawClass() != io.ipdrsp.node.security.SecretRef.class
                    && owner.getName().startsWith("io.ipdrsp.");
        }
    }

    @Test
    void everyKeyIsDocumentedWithItsDefault() throws Exception {
        Map<String, List<String>> documented = documented();
        Map<String, Key> keys = new TreeMap<>();
        walk("", MAPPER.constructType(NodeConfiguration.class), keys);
        List<String> missing = new ArrayList<>();
        List<String> wrongDefault = new ArrayList<>();
        for (Key k : keys.values()) {
            String actual = k.defaultChecked() ? render(defaultAt(k.path())) : null;
            if (!documented.containsKey(k.path())) {
                missing.add("| `" + k.path() + "` | " + (actual == null ? "—" : "`" + actual + "`") + " | |");
                continue;
            }
            String cell = documented.get(k.path()).get(0);
            Matcher m = Pattern.compile("`([^`]*)`").matcher(cell);
            String doc = m.find() ? m.group(1) : cell.trim();
            if (actual != null && !doc.equals(actual)) {
                wrongDefault.add(k.path() + ": documented " + cell.trim() + ", the default is `" + actual + "`");
            }
        }
        System.out.println(keys.size() + " keys of NodeConfiguration, " + documented.size()
                + " documented in docs/configuration.md");
        assertThat(missing).as("keys of NodeConfiguration missing from docs/configuration.md (rows to add)").isEmpty();
        assertThat(wrongDefault).as("documented defaults that are not the real ones").isEmpty();
    }

    @Test
    void everyDocumentedKeyExists() throws Exception {
        List<String> unknown = new ArrayList<>();
        for (String key : documented().keySet()) {
            if (!exists(key)) {
                unknown.add(key);
            }
        }
        assertThat(unknown).as("keys in docs/configuration.md that the node does not read").isEmpty();
    }

    @Test
    void theWalkFindsNestedListAndSecretKeys() {
        Map<String, Key> keys = new TreeMap<>();
        walk("", MAPPER.constructType(NodeConfiguration.class), keys);
        assertThat(keys).containsKeys("server", "logging", "node.id", "exporters[].name", "exporters[].tls.certificate",
                "exporters[].templates.disable", "storage.replication", "cluster.secret", "security.users[].roles",
                "listen.tls.clientAuth", "storage.embeddedNativePort", "cluster.embeddedZooKeeperPort");
        assertThat(keys).doesNotContainKeys("exporters", "listen.tls", "cluster.secret.file", "server.type");
        assertThat(exists("server.applicationConnectors[].keyStorePath")).isTrue();
        assertThat(exists("server.applicationConnectors[].portt")).isFalse();
        assertThat(exists("listen.tls.nonsense")).isFalse();
    }

    /**
     * The keys under {@code prefix} of {@code type}: leaves (scalars, lists of scalars, maps, enums, secrets) and, at
     * the top, the sections of Dropwizard's Configuration (server, logging, …), which are not walked further.
     */
    static void walk(String prefix, JavaType type, Map<String, Key> out) {
        BeanDescription d = MAPPER.getDeserializationConfig().introspect(type);
        for (BeanPropertyDefinition p : d.findProperties()) {
            if (!p.couldDeserialize()) {
                continue; // a getter the parser never binds
            }
            String key = prefix + p.getName();
            JavaType t = p.getPrimaryType();
            JavaType element = t.isContainerType() && !t.isMapLikeType() ? t.getContentType() : null;
            if (element != null && walked(element)) {
                walk(key + "[].", element, out);
            } else if (walked(t)) {
                walk(key + ".", t, out);
            } else {
                out.put(key, new Key(key, t, p.getPrimaryMember().getDeclaringClass()));
            }
        }
    }

    /** One of the project's configuration classes with keys of its own (not a value type such as a secret). */
    private static boolean walked(JavaType t) {
        if (!ours(t) || t.isEnumType() || t.getRawClass() == io.ipdrsp.node.security.SecretRef.class) {
            return false;
        }
        BeanDescription d = MAPPER.getDeserializationConfig().introspect(t);
        return d.findJsonValueAccessor() == null && !d.findProperties().isEmpty();
    }

    private static boolean ours(JavaType t) {
        return t.getRawClass().getName().startsWith("io.ipdrsp.");
    }

    /** Whether a documented key resolves through the classes the parser binds (Dropwizard's too). */
    static boolean exists(String key) {
        JavaType type = MAPPER.constructType(NodeConfiguration.class);
        String[] parts = key.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            boolean list = part.endsWith("[]");
            String name = list ? part.substring(0, part.length() - 2) : part;
            if (name.equals("type") && type.getRawClass().isAnnotationPresent(
                    com.fasterxml.jackson.annotation.JsonTypeInfo.class)) {
                return true; // the type id of a polymorphic section (server.type, …Connectors[].type)
            }
            Class<?> raw = IMPLEMENTATION.getOrDefault(type.getRawClass(), type.getRawClass());
            BeanDescription d = MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(raw));
            JavaType next = null;
            for (BeanPropertyDefinition p : d.findProperties()) {
                if (p.couldDeserialize() && p.getName().equals(name)) {
                    next = p.getPrimaryType();
                }
            }
            boolean container = next != null && next.isContainerType() && !next.isMapLikeType();
            // a list's elements are named with [] when keys follow (exporters[].name); a list of values is a leaf
            if (next == null || list != container && !(container && i == parts.length - 1)) {
                return false;
            }
            type = list ? next.getContentType() : next;
        }
        return true;
    }

    /** The default value at a key: fields of a parsed "{}", list elements of a parsed "{}" of their type. */
    private static JsonNode defaultAt(String key) {
        try {
            JsonNode node = MAPPER.valueToTree(MAPPER.readValue("{}", NodeConfiguration.class));
            JavaType type = MAPPER.constructType(NodeConfiguration.class);
            for (String part : key.split("\\.")) {
                boolean list = part.endsWith("[]");
                String name = list ? part.substring(0, part.length() - 2) : part;
                JavaType next = null;
                for (BeanPropertyDefinition p : MAPPER.getDeserializationConfig().introspect(type).findProperties()) {
                    if (p.getName().equals(name) && p.couldDeserialize()) {
                        next = p.getPrimaryType();
                    }
                }
                type = list ? next.getContentType() : next;
                node = list ? MAPPER.valueToTree(MAPPER.readValue("{}", type)) : node.path(name);
            }
            return node;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A default as the reference writes it: text as is ("" for empty), [a, b], {}, numbers, true/false. */
    static String render(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return "—";
        }
        if (n.isTextual()) {
            return n.asText().isEmpty() ? "\"\"" : n.asText();
        }
        if (n.isArray()) {
            List<String> items = new ArrayList<>();
            n.forEach(x -> items.add(render(x)));
            return "[" + String.join(", ", items) + "]";
        }
        if (n.isObject()) {
            return n.isEmpty() ? "{}" : n.toString();
        }
        return n.asText();
    }

    /** key → the cells after the key cell (default first), from every table row of docs/configuration.md. */
    static Map<String, List<String>> documented() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docs/configuration.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("docs/configuration.md above the working directory").isNotNull();
        String text = Files.readString(dir.resolve("docs/configuration.md"), StandardCharsets.UTF_8);
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (!row.find()) {
                continue;
            }
            Matcher k = KEY.matcher(row.group(1));
            while (k.find()) {
                String[] cells = line.split("\\|");
                out.put(k.group(1), List.of(cells).subList(2, cells.length));
            }
        }
        return out;
    }
}
