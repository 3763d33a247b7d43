package io.ipdrsp.node.security;

import io.dropwizard.auth.Authenticator;
import io.dropwizard.auth.Authorizer;
import io.dropwizard.auth.basic.BasicCredentials;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The node's users: authenticates HTTP Basic credentials against PBKDF2 hashes and answers role checks, for Jersey
 * (dropwizard-auth) and for the servlet filter of the admin connector and the status page alike.
 *
 * <p>PBKDF2 is slow on purpose, and the status page polls several endpoints every 2 s: a successful verification is
 * remembered for {@link #REMEMBER_NANOS} as an HMAC of the password under a key that lives only in this process, so
 * the clear password is not kept. Verifications run one at a time, so a flood of wrong passwords costs at most one
 * core and never starves the record path of both.
 */
public final class NodeUsers implements Authenticator<BasicCredentials, NodeUser>, Authorizer<NodeUser> {
    static final long REMEMBER_NANOS = TimeUnit.MINUTES.toNanos(10);

    private record Entry(PasswordHash hash, NodeUser user) {
    }

    private record Remembered(byte[] mac, long expiresAt) {
    }

    private final Map<String, Entry> users;
    private final Map<String, Remembered> verified = new ConcurrentHashMap<>();
    private final byte[] rememberKey = new byte[32];
    private final Object slowPath = new Object();

    private NodeUsers(Map<String, Entry> users) {
        this.users = Map.copyOf(users);
        new SecureRandom().nextBytes(rememberKey);
    }

    /** A user as configured: name, roles and a password hash. */
    public record Definition(String name, List<String> roles, String passwordHash) {
    }

    /** @throws IllegalArgumentException naming the user whose hash is unusable */
    public static NodeUsers of(List<Definition> definitions) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Definition d : definitions) {
            PasswordHash h;
            try {
                h = PasswordHash.parse(d.passwordHash());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the password hash of user " + d.name() + " " + e.getMessage());
            }
            m.put(d.name(), new Entry(h, new NodeUser(d.name(), Set.copyOf(d.roles()))));
        }
        return new NodeUsers(m);
    }

    public Set<String> names() {
        return users.keySet();
    }

    @Override
    public Optional<NodeUser> authenticate(BasicCredentials credentials) {
        return authenticate(credentials.getUsername(), credentials.getPassword());
    }

    public Optional<NodeUser> authenticate(String name, String password) {
        Entry e = name == null || password == null ? null : users.get(name);
        if (e == null) {
            return Optional.empty();
        }
        byte[] mac = mac(name, password);
        Remembered r = verified.get(name);
        long now = System.nanoTime();
        if (r != null && now - r.expiresAt() < 0 && MessageDigest.isEqual(r.mac(), mac)) {
            return Optional.of(e.user());
        }
        boolean ok;
        synchronized (slowPath) {
            ok = e.hash().matches(password.toCharArray());
        }
        if (!ok) {
            return Optional.empty();
        }
        verified.put(name, new Remembered(mac, now + REMEMBER_NANOS));
        return Optional.of(e.user());
    }

    @Override
    public boolean authorize(NodeUser user, String role, ContainerRequestContext request) {
        return user.has(role);
    }

    /** The user of an {@code Authorization: Basic ...} header, if it names a user with the right password. */
    public Optional<NodeUser> fromHeader(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        return colon <= 0 ? Optional.empty() : authenticate(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    private byte[] mac(String name, String password) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(rememberKey, "HmacSHA256"));
            m.update(name.getBytes(StandardCharsets.UTF_8));
            m.update((byte) 0);
            return m.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
