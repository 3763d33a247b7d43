package io.ipdrsp.node.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.ipdrsp.node.NodeCli;
import io.ipdrsp.node.NodeConfiguration;
import io.ipdrsp.node.NodeConfigurationFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration side of issue 16: named bind addresses, refusal to run open, hashes, generated credentials. */
class SecurityConfigTest {
    private final ConfigurationFactory<NodeConfiguration> factory = new NodeConfigurationFactory().create(
            NodeConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    /** A production file that names every bind address; {@code security} is appended by each test. */
    private static final String BOUND = """
            node: {id: n1, site: dc1}
            listen: {address: 10.0.0.4}
            cluster: {hazelcastAddress: 10.0.0.4, secret: {env: S}, zooKeeperDigest: {file: /run/secrets/zk}}
            storage: {contactPoints: ["10.9.0.1:9042"]}
            server:
              applicationConnectors: [{type: http, port: 8080, bindHost: 10.0.0.4}]
              adminConnectors: [{type: http, port: 8081, bindHost: 127.0.0.1}]
            """;

    private NodeConfiguration parse(String yaml) throws Exception {
        return factory.build(path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "node.yml");
    }

    @Test
    void theEmbeddedDefaultBindsLoopbackAndGeneratesCredentials() throws Exception {
        NodeConfiguration c = factory.build();
        assertThat(c.getListen().getAddress()).isEqualTo("127.0.0.1");
        assertThat(c.getCluster().getHazelcastAddress()).isEqualTo("127.0.0.1");
        DefaultServerFactory server = (DefaultServerFactory) c.getServerFactory();
        assertThat(((HttpConnectorFactory) server.getApplicationConnectors().get(0)).getBindHost()).isEqualTo("127.0.0.1");
        assertThat(((HttpConnectorFactory) server.getAdminConnectors().get(0)).getBindHost()).isEqualTo("127.0.0.1");
        assertThat(c.getSecurity().isGenerateCredentials()).isTrue();
        assertThat(c.getSecurity().isInsecure()).isFalse();
    }

    @Test
    void aFileMustNameEveryBindAddress() {
        assertThatThrownBy(() -> parse("""
                node: {id: n1, site: dc1}
                security: {insecure: true}
                """)).isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("listen.address is required: the local address CMTSes connect to")
                .hasMessageContaining("cluster.hazelcastAddress is required")
                .hasMessageContaining("server.applicationConnectors[0].bindHost is required")
                .hasMessageContaining("server.adminConnectors[0].bindHost is required")
                .hasMessageContaining("cluster.secret is required")
                .hasMessageContaining("cluster.zooKeeperDigest is required");
    }

    @Test
    void aFileWithoutUsersIsRefusedUnlessInsecureIsExplicit() throws Exception {
        assertThatThrownBy(() -> parse(BOUND)).isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("security.users is required")
                .hasMessageContaining("security.insecure: true");
        assertThat(parse(BOUND + "security: {insecure: true}\n").getSecurity().isInsecure()).isTrue();
    }

    @Test
    void usersNeedExactlyOneUsableSecret() {
        String weak = PasswordHash.create("pw".toCharArray(), 1000);
        assertThatThrownBy(() -> parse(BOUND + """
                security:
                  users:
                    - {name: a, roles: [viewer]}
                    - {name: b, roles: [auditor], passwordHash: "%s"}
                    - {name: c, roles: [boss], password: {env: X}}
                    - {name: c, roles: [viewer], password: {env: X, file: /y}}
                """.formatted(weak))).isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("security.users[0].passwordHash give exactly one of passwordHash")
                .hasMessageContaining("security.users[1].passwordHash has 1000 iterations")
                .hasMessageContaining("must be viewer, auditor or operator")
                .hasMessageContaining("security.users[3].name 'c' is listed twice")
                .hasMessageContaining("security.users[3].password must be {file: PATH} or {env: NAME}, not both");
    }

    @Test
    void theNodeRefusesAnOpenProductionFileInOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.yml");
        Files.writeString(file, BOUND);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        int code = NodeCli.run(new String[] {file.toString()}, quiet, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(printed).as("no stack trace").doesNotContain("\tat ");
        List<String> about = printed.lines().filter(l -> l.contains("security.")).toList();
        assertThat(about).hasSize(1);
        assertThat(about.get(0)).contains("security.users is required").contains("security.insecure: true");
    }

    @Test
    void hashesVerifyOnlyTheirPassword() {
        String h = PasswordHash.create("correct horse".toCharArray(), PasswordHash.MIN_ITERATIONS);
        assertThat(h).startsWith("pbkdf2-sha256:" + PasswordHash.MIN_ITERATIONS + ":").doesNotContain("correct");
        assertThat(PasswordHash.parse(h).matches("correct horse".toCharArray())).isTrue();
        assertThat(PasswordHash.parse(h).matches("correct hors".toCharArray())).isFalse();
        assertThat(PasswordHash.create("correct horse".toCharArray(), PasswordHash.MIN_ITERATIONS)).isNotEqualTo(h);
        NodeUsers users = NodeUsers.of(List.of(new NodeUsers.Definition("u", List.of(Role.VIEWER), h)));
        assertThat(users.authenticate("u", "correct horse")).hasValueSatisfying(u -> assertThat(u.has(Role.VIEWER)));
        assertThat(users.authenticate("u", "correct horse")).as("remembered").isPresent();
        assertThat(users.authenticate("u", "wrong")).isEmpty();
        assertThat(users.authenticate("nobody", "correct horse")).isEmpty();
        assertThat(users.fromHeader("Basic " + java.util.Base64.getEncoder().encodeToString(
                "u:correct horse".getBytes(StandardCharsets.UTF_8)))).isPresent();
        assertThat(users.fromHeader("Basic !!!")).isEmpty();
        assertThat(users.fromHeader("Bearer x")).isEmpty();
    }

    @Test
    void concurrentFirstStartsShareOneGeneratedLogin(@TempDir Path dir) throws Exception {
        Path sec = dir.resolve("security");
        List<GeneratedCredentials> all = IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> GeneratedCredentials.loadOrCreate(sec)))
                .toList().stream().map(CompletableFuture::join).toList();
        assertThat(all.stream().map(GeneratedCredentials::password).distinct()).hasSize(1);
        assertThat(all.stream().filter(GeneratedCredentials::created)).hasSize(1);
        assertThat(all.get(0).password()).hasSizeGreaterThanOrEqualTo(32);
        Path file = sec.resolve(GeneratedCredentials.FILE_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).isEqualTo("admin:" + all.get(0).password() + "\n");
        GeneratedCredentials again = GeneratedCredentials.loadOrCreate(sec);
        assertThat(again.created()).isFalse();
        assertThat(again.password()).isEqualTo(all.get(0).password());
        assertThat(again.toString()).doesNotContain(again.password());
    }

    @Test
    void secretsComeFromFilesOrTheEnvironmentAndSayWhichKeyFailed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, "s3cret\n");
        assertThat(SecretRef.ofFile(f.toString()).read("k")).isEqualTo("s3cret");
        assertThat(SecretRef.ofEnv("PATH").read("k")).isEqualTo(System.getenv("PATH"));
        assertThatThrownBy(() -> SecretRef.ofFile(dir.resolve("missing").toString()).read("storage.password"))
                .hasMessageStartingWith("storage.password.file ").hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> SecretRef.ofEnv("IPDR_SURELY_UNSET_VARIABLE").read("cluster.secret"))
                .hasMessageContaining("cluster.secret.env: environment variable IPDR_SURELY_UNSET_VARIABLE is not set");
    }
}
