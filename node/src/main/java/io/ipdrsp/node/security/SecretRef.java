package io.ipdrsp.node.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A secret the YAML only points at: {@code {file: /run/secrets/x}} (a mounted Kubernetes Secret) or
 * {@code {env: NAME}} (an environment variable filled from one). The value never appears in the configuration, so
 * the ConfigMap that holds node.yml holds no credential. Read at start, never logged.
 */
public final class SecretRef {
    @NotNull(message = "must be a file path or \"\"")
    @JsonProperty
    private String file = "";

    @NotNull(message = "must be an environment variable name or \"\"")
    @JsonProperty
    private String env = "";

    public SecretRef() {
    }

    public static SecretRef ofFile(String path) {
        SecretRef r = new SecretRef();
        r.file = path;
        return r;
    }

    public static SecretRef ofEnv(String name) {
        SecretRef r = new SecretRef();
        r.env = name;
        return r;
    }

    public String getFile() {
        return file;
    }

    public String getEnv() {
        return env;
    }

    /** Exactly one of file and env is given. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isValid() {
        return file.isBlank() != env.isBlank();
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isSet() {
        return !file.isBlank() || !env.isBlank();
    }

    /**
     * The secret (a file's content without its trailing line break, or the variable's value).
     *
     * @param key the YAML key, for the message
     * @throws IllegalStateException naming the key and what is missing
     */
    public String read(String key) {
        if (!isValid()) {
            throw new IllegalStateException(key + " must name exactly one of file and env");
        }
        if (!env.isBlank()) {
            String v = System.getenv(env.trim());
            if (v == null || v.isEmpty()) {
                throw new IllegalStateException(key + ".env: environment variable " + env.trim()
                        + " is not set (fill it from a Secret)");
            }
            return v;
        }
        try {
            String v = Files.readString(Path.of(file.trim()), StandardCharsets.UTF_8);
            v = v.endsWith("\r\n") ? v.substring(0, v.length() - 2) : v.endsWith("\n") ? v.substring(0, v.length() - 1) : v;
            if (v.isEmpty()) {
                throw new IllegalStateException(key + ".file " + file.trim() + " is empty");
            }
            return v;
        } catch (IOException e) {
            throw new IllegalStateException(key + ".file " + file.trim() + " cannot be read ("
                    + e.getClass().getSimpleName() + "): mount the Secret there or fix the path");
        }
    }
}
