package io.ipdrsp.node.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code security:} — who may call the API and admin connectors (docs/operations.md, "Security"). A configuration file
 * must either list {@code users}, or set {@code generateCredentials} (what the embedded default does), or say
 * {@code insecure: true}; the node refuses to start otherwise.
 */
public final class SecurityConfig {
    /** true: no authentication at all on the API and admin connectors. Only for a node nobody else can reach. */
    @JsonProperty
    private boolean insecure;

    @Valid
    @NotNull(message = "must be a list of users (name, roles, passwordHash or password), or []")
    @JsonProperty
    private List<UserConfig> users = new ArrayList<>();

    /**
     * true: on first start create a user {@code admin} with every role and a random password, store it in
     * {@code credentialsDir/admin.credentials} (mode 600) and print it once; later starts reuse it.
     */
    @JsonProperty
    private boolean generateCredentials;

    @NotBlank(message = "is required: the directory of generated credentials and certificates, e.g. var/security")
    @JsonProperty
    private String credentialsDir = "var/security";

    /**
     * true: an HTTPS connector (server.*Connectors type https) whose keyStorePath does not exist gets a self-signed
     * certificate there at first start. For the embedded default ({@code ipdr node --https}) and trials.
     */
    @JsonProperty
    private boolean generateCertificate;

    public boolean isGenerateCertificate() {
        return generateCertificate;
    }

    public SecurityConfig generateCertificate(boolean on) {
        generateCertificate = on;
        return this;
    }

    public boolean isInsecure() {
        return insecure;
    }

    public List<UserConfig> getUsers() {
        return users;
    }

    public boolean isGenerateCredentials() {
        return generateCredentials;
    }

    public String getCredentialsDir() {
        return credentialsDir;
    }

    public SecurityConfig insecure(boolean on) {
        insecure = on;
        return this;
    }

    public SecurityConfig users(List<UserConfig> u) {
        users = new ArrayList<>(u);
        return this;
    }

    public SecurityConfig generateCredentials(boolean on, String dir) {
        generateCredentials = on;
        credentialsDir = dir;
        return this;
    }
}
