package io.ipdrsp.node.security;

import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.basic.BasicCredentialAuthFilter;
import io.dropwizard.core.setup.Environment;
import jakarta.servlet.DispatcherType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication on both HTTP connectors: dropwizard-auth (Basic, {@code @RolesAllowed}) on the Jersey resources, a
 * {@link RoleFilter} on the admin connector's servlets and tasks and on the status page's files. Which role each path
 * needs is decided here and in the resources' annotations; docs/operations.md lists them.
 */
public final class HttpSecurity {
    private static final Logger LOG = LoggerFactory.getLogger(HttpSecurity.class);

    private final NodeUsers users;
    private final GeneratedCredentials generated;

    private HttpSecurity(NodeUsers users, GeneratedCredentials generated) {
        this.users = users;
        this.generated = generated;
    }

    /**
     * Reads the users (and, with {@code generateCredentials}, creates or reads the generated one) and installs the
     * filters; with {@code insecure: true} installs nothing and says so.
     *
     * @throws IllegalStateException naming the key of an unreadable secret or unusable hash
     */
    public static HttpSecurity install(SecurityConfig config, Environment env) {
        if (config.isInsecure()) {
            LOG.warn("security.insecure is true: the API and admin connectors answer anybody who reaches them");
            return new HttpSecurity(null, null);
        }
        List<NodeUsers.Definition> defs = new ArrayList<>();
        for (int i = 0; i < config.getUsers().size(); i++) {
            UserConfig u = config.getUsers().get(i);
            String hash = u.getPasswordHash();
            if (hash.isBlank()) {
                String clear = u.getPassword().read("security.users[" + i + "].password");
                hash = PasswordHash.create(clear.toCharArray(), PasswordHash.MIN_ITERATIONS);
            }
            defs.add(new NodeUsers.Definition(u.getName(), u.getRoles(), hash));
        }
        GeneratedCredentials generated = null;
        if (config.isGenerateCredentials()) {
            generated = GeneratedCredentials.loadOrCreate(Path.of(config.getCredentialsDir()).toAbsolutePath());
            defs.add(new NodeUsers.Definition(generated.user(), Role.ALL,
                    PasswordHash.create(generated.password().toCharArray(), PasswordHash.MIN_ITERATIONS)));
        }
        NodeUsers users;
        try {
            users = NodeUsers.of(defs);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("security.users: " + e.getMessage(), e);
        }
        env.jersey().register(new AuthDynamicFeature(new BasicCredentialAuthFilter.Builder<NodeUser>()
                .setAuthenticator(users).setAuthorizer(users).setRealm("ipdr").buildAuthFilter()));
        env.jersey().register(RolesAllowedDynamicFeature.class);
        env.jersey().register(new FailClosedFeature());
        env.admin().addFilter("ipdr-auth", new RoleFilter(users, HttpSecurity::adminRole))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        env.servlets().addFilter("ipdr-auth", new RoleFilter(users, HttpSecurity::applicationRole))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        return new HttpSecurity(users, generated);
    }

    /**
     * Admin connector: the probes answer anybody (they say ready/not ready and nothing else, and the kubelet has no
     * credentials); metrics and health are for viewers; the rest (tasks, threads, pprof, what is added later) for
     * operators.
     */
    public static String adminRole(String path) {
        return switch (path) {
            case "/ping", "/ready" -> RoleFilter.ANONYMOUS;
            case "/", "/metrics", "/prometheus", "/healthcheck" -> Role.VIEWER;
            default -> Role.OPERATOR;
        };
    }

    /** Application connector: the status page's files need viewer; Jersey checks its own resources' annotations. */
    public static String applicationRole(String path) {
        return path.equals("/status") || path.startsWith("/status/") ? Role.VIEWER : RoleFilter.ANONYMOUS;
    }

    /** False with {@code security.insecure: true}. */
    public boolean enabled() {
        return users != null;
    }

    /** Null unless {@code generateCredentials}. */
    public GeneratedCredentials generated() {
        return generated;
    }

    /** What the start-up banner says about logging in (the generated password only on the start that created it). */
    public String describe() {
        if (users == null) {
            return "  login    : NONE (security.insecure: true): anybody who reaches these ports can use them";
        }
        if (generated != null && generated.created()) {
            return "  login    : user " + generated.user() + ", password " + generated.password()
                    + "  (generated now and printed only this once; stored in " + generated.file() + ")";
        }
        if (generated != null) {
            return "  login    : user " + generated.user() + ", password in " + generated.file();
        }
        return "  login    : HTTP Basic, users " + users.names();
    }
}
