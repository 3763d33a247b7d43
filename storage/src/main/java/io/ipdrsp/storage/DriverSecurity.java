package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import javax.net.ssl.SSLContext;

/**
 * How the driver proves who it is to Cassandra and protects the connection: a login for Cassandra's
 * {@code PasswordAuthenticator} (or none) and TLS with an {@link SSLContext} (or none). The node reads both from files
 * or environment variables (docs/operations.md, Security); nothing here is logged.
 *
 * @param username           "" for none
 * @param password           used with a username
 * @param ssl                null: plain TCP
 * @param hostnameValidation with TLS: the certificate must name the host the driver connects to
 */
public record DriverSecurity(String username, String password, SSLContext ssl, boolean hostnameValidation) {
    public DriverSecurity {
        username = username == null ? "" : username;
    }

    public static DriverSecurity none() {
        return new DriverSecurity("", null, null, true);
    }

    void apply(CqlSessionBuilder builder) {
        if (!username.isEmpty()) {
            builder.withAuthCredentials(username, password == null ? "" : password);
        }
        if (ssl != null) {
            builder.withSslEngineFactory(new ProgrammaticSslEngineFactory(ssl, null, hostnameValidation));
        }
    }

    @Override
    public String toString() {
        return "DriverSecurity[user=" + (username.isEmpty() ? "none" : username) + ", tls=" + (ssl != null) + "]";
    }
}
