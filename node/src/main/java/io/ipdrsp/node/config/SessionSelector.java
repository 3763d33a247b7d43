package io.ipdrsp.node.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/**
 * One entry of an exporter's {@code sessions} list: a numeric sessionId (0..255) or a session name as the CMTS
 * reports it in GET_SESSIONS_RESPONSE (compared case-insensitively).
 */
public final class SessionSelector {
    private final Integer id;
    private final String name;

    private SessionSelector(Integer id, String name) {
        this.id = id;
        this.name = name;
    }

    public static SessionSelector id(int id) {
        return new SessionSelector(id, null);
    }

    public static SessionSelector name(String name) {
        return new SessionSelector(null, Objects.requireNonNull(name));
    }

    @JsonCreator
    static SessionSelector parse(Object value) {
        if (value instanceof Number n) {
            return id(n.intValue());
        }
        String s = String.valueOf(value).trim();
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 10) {
            return id(Integer.parseInt(s));
        }
        return name(s);
    }

    public boolean isId() {
        return id != null;
    }

    public int sessionId() {
        return id == null ? -1 : id;
    }

    public String sessionName() {
        return name;
    }

    public boolean matches(int sessionId, String sessionName) {
        return id != null ? id == sessionId : name.equalsIgnoreCase(sessionName == null ? "" : sessionName.trim());
    }

    @JsonValue
    Object json() {
        return id != null ? id : name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionSelector s && Objects.equals(id, s.id) && Objects.equals(name, s.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name);
    }

    @Override
    public String toString() {
        return id != null ? id.toString() : name;
    }
}
