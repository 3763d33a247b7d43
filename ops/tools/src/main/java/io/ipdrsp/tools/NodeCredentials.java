package io.ipdrsp.tools;

import java.io.IOException;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The login the {@code ipdr} commands send to a node (HTTP Basic, answered to the node's 401 challenge), first found of:
 * <ol>
 * <li>{@code IPDR_USER} and {@code IPDR_PASSWORD} in the environment (e.g. filled from a Kubernetes Secret);</li>
 * <li>a {@code user:password} file named by {@code IPDR_CREDENTIALS} (environment) or {@code -Dipdr.credentials};</li>
 * <li>{@code var/security/admin.credentials} below the working directory: what a node started there with the
 * embedded default generated, so {@code ipdr node} and then {@code ipdr audit} in the same folder just work.</li>
 * </ol>
 * Nothing found: requests go without credentials and a node answers 401, which the commands report.
 */
final class NodeCredentials {
    static final Path EMBEDDED_DEFAULT = Path.of("var", "security", "admin.credentials");
    private static volatile Path override;

    private NodeCredentials() {
    }

    /** The demo points its own commands at the credentials its nodes share. */
    static void useFile(Path file) {
        override = file;
    }

    static Optional<PasswordAuthentication> find() {
        String user = System.getenv("IPDR_USER");
        String password = System.getenv("IPDR_PASSWORD");
        if (user != null && !user.isBlank() && password != null) {
            return Optional.of(new PasswordAuthentication(user, password.toCharArray()));
        }
        Path file = override;
        if (file == null && System.getenv("IPDR_CREDENTIALS") != null) {
            file = Path.of(System.getenv("IPDR_CREDENTIALS"));
        }
        if (file == null && System.getProperty("ipdr.credentials") != null) {
            file = Path.of(System.getProperty("ipdr.credentials"));
        }
        if (file == null && Files.isReadable(EMBEDDED_DEFAULT)) {
            file = EMBEDDED_DEFAULT;
        }
        return file == null ? Optional.empty() : read(file);
    }

    static Optional<PasswordAuthentication> read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(file + " must hold user:password");
            }
            return Optional.of(new PasswordAuthentication(text.substring(0, colon),
                    text.substring(colon + 1).toCharArray()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read credentials " + file + ": " + e.getMessage(), e);
        }
    }

    /** Answers a node's Basic challenge with the credentials found when the client was built; null when none. */
    static Authenticator authenticator() {
        Optional<PasswordAuthentication> login = find();
        if (login.isEmpty()) {
            return null;
        }
        return new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return login.get();
            }
        };
    }
}
