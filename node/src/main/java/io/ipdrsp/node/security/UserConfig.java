package io.ipdrsp.node.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code security.users[i]}: one HTTP user. Its password is either a PBKDF2 hash ({@code passwordHash}, safe to keep in
 * the YAML) or a {@link SecretRef} to the clear password in a file or environment variable (a Kubernetes Secret).
 */
public final class UserConfig {
    @NotBlank(message = "is required: the user name sent with HTTP Basic authentication")
    @Pattern(regexp = "[A-Za-z0-9._@-]+", message = "may only contain letters, digits, '.', '_', '@' and '-'")
    @JsonProperty
    private String name;

    @NotEmpty(message = "must list at least one of viewer, auditor, operator")
    @JsonProperty
    private List<@Pattern(regexp = "viewer|auditor|operator", message = "must be viewer, auditor or operator")
            String> roles = new ArrayList<>();

    @NotNull(message = "must be a pbkdf2-sha256 hash (ipdr node hash-password) or \"\"")
    @JsonProperty
    private String passwordHash = "";

    @Valid
    @NotNull(message = "must be {file: PATH} or {env: NAME}, or omitted when passwordHash is given")
    @JsonProperty
    private SecretRef password = new SecretRef();

    public UserConfig() {
    }

    public UserConfig(String name, List<String> roles, String passwordHash) {
        this.name = name;
        this.roles = new ArrayList<>(roles);
        this.passwordHash = passwordHash;
    }

    public String getName() {
        return name;
    }

    public List<String> getRoles() {
        return roles;
    }

    public String getPasswordHash() {
        return passwordHash;
    }

    public SecretRef getPassword() {
        return password;
    }

    public UserConfig password(SecretRef ref) {
        password = ref;
        return this;
    }
}
