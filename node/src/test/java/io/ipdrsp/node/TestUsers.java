package io.ipdrsp.node;

import io.ipdrsp.node.config.ClusterConfig;
import io.ipdrsp.node.security.PasswordHash;
import io.ipdrsp.node.security.Role;
import io.ipdrsp.node.security.SecretRef;
import io.ipdrsp.node.security.SecurityConfig;
import io.ipdrsp.node.security.UserConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The HTTP users every test node has: one per role and {@code admin} with all three. Hashes use the fewest iterations
 * the node accepts, so that test starts stay fast.
 */
public final class TestUsers {
    /** name → roles. */
    public static final Map<String, List<String>> ROLES = Map.of(
            "viewer", List.of(Role.VIEWER),
            "auditor", List.of(Role.AUDITOR),
            "operator", List.of(Role.OPERATOR),
            "admin", Role.ALL);
    private static final Map<String, String> HASHES = new java.util.concurrent.ConcurrentHashMap<>();
    private static Path[] secretFiles;

    private TestUsers() {
    }

    public static String password(String user) {
        return user + "-test-password";
    }

    private static String hash(String user) {
        return HASHES.computeIfAbsent(user, u -> PasswordHash.create(password(u).toCharArray(),
                PasswordHash.MIN_ITERATIONS));
    }

    public static List<UserConfig> users() {
        List<UserConfig> out = new ArrayList<>();
        ROLES.forEach((name, roles) -> out.add(new UserConfig(name, roles, hash(name))));
        return out;
    }

    public static SecurityConfig configure(SecurityConfig s) {
        return s.users(users());
    }

    /** The {@code security:} section of a node.yml with these users. */
    public static String yaml() {
        StringBuilder b = new StringBuilder("security:\n  users:\n");
        ROLES.forEach((name, roles) -> b.append("    - {name: ").append(name).append(", roles: ").append(roles)
                .append(", passwordHash: \"").append(hash(name)).append("\"}\n"));
        return b.toString();
    }

    /** The {@code security} section as a configuration tree (for {@code NodeConfig}). */
    public static Map<String, Object> securityTree() {
        List<Map<String, Object>> users = new ArrayList<>();
        ROLES.forEach((name, roles) -> users.add(Map.of("name", name, "roles", roles, "passwordHash", hash(name))));
        return Map.of("users", users);
    }

    /** {@code cluster.secret} and {@code cluster.zooKeeperDigest} as a configuration tree (file references). */
    public static Map<String, Object> clusterSecrets() {
        Path[] f = clusterSecretFiles();
        return Map.of("secret", Map.of("file", f[0].toString()), "zooKeeperDigest", Map.of("file", f[1].toString()));
    }

    /** The test cluster's member secret and ZooKeeper digest, as files (the way a Kubernetes Secret arrives). */
    public static synchronized Path[] clusterSecretFiles() {
        if (secretFiles == null) {
            try {
                Path dir = Files.createTempDirectory("ipdr-test-secrets-");
                Path secret = Files.writeString(dir.resolve("cluster.secret"), "test-cluster-secret\n");
                Path digest = Files.writeString(dir.resolve("zookeeper.digest"), "ipdr-collector:test-zk-password\n");
                dir.toFile().deleteOnExit();
                secret.toFile().deleteOnExit();
                digest.toFile().deleteOnExit();
                secretFiles = new Path[] {secret, digest};
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return secretFiles.clone();
    }

    public static ClusterConfig configure(ClusterConfig c) {
        Path[] f = clusterSecretFiles();
        return c.secrets(SecretRef.ofFile(f[0].toString()), SecretRef.ofFile(f[1].toString()));
    }

    /** The cluster secrets as keys of a {@code cluster: {...}} flow mapping, with a leading comma. */
    public static String clusterYaml() {
        Path[] f = clusterSecretFiles();
        return ", secret: {file: \"" + f[0] + "\"}, zooKeeperDigest: {file: \"" + f[1] + "\"}";
    }

    public static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password(user))
                .getBytes(StandardCharsets.UTF_8));
    }

    /** A request as {@code admin} (every role). */
    public static HttpRequest.Builder request(URI uri) {
        return request(uri, "admin");
    }

    public static HttpRequest.Builder request(URI uri, String user) {
        return HttpRequest.newBuilder(uri).header("Authorization", basic(user)).timeout(Duration.ofSeconds(60));
    }

    public static HttpRequest.Builder request(String url) {
        return request(URI.create(url));
    }
}
