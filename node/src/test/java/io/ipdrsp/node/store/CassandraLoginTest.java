package io.ipdrsp.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.AllNodesFailedException;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.node.config.StorageSettings;
import io.ipdrsp.node.security.SecretRef;
import io.ipdrsp.storage.StorageException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node logs in to a Cassandra that requires it (PasswordAuthenticator, a real server process), with the password
 * read from a file as a Kubernetes Secret would provide it; without the login, or with a wrong one, it cannot connect.
 */
class CassandraLoginTest {

    @Test
    void theNodeLogsInWithTheRoleFromItsSecretAndNobodyElseGetsIn(@TempDir Path dir) throws Exception {
        try (CassandraServer cassandra = CassandraServer.builder(dir.resolve("cassandra")).passwordAuthentication()
                .heap("-Xms256m -Xmx512m").start()) {
            InetSocketAddress contact = cassandra.contactPoint();
            createRole(contact, "ipdr_node", "node-password-from-a-secret");
            Path secret = Files.writeString(dir.resolve("cassandra-password"), "node-password-from-a-secret\n");
            StorageSettings st = new StorageSettings().keyspace("it_login").consistency("ONE")
                    .login("ipdr_node", SecretRef.ofFile(secret.toString()));
            try (NodeStorage store = NodeStorage.open(List.of(contact), st, "login-node")) {
                assertThat(store.probe().toCompletableFuture().get()).as("a query as ipdr_node").isTrue();
                assertThat(store.keyspace()).isEqualTo("it_login");
            }
            StorageSettings anonymous = new StorageSettings().keyspace("it_login").consistency("ONE");
            assertThatThrownBy(() -> NodeStorage.open(List.of(contact), anonymous, "anonymous"))
                    .isInstanceOf(StorageException.class).hasStackTraceContaining("Authentication");
            Path wrong = Files.writeString(dir.resolve("wrong"), "guess\n");
            StorageSettings guessed = new StorageSettings().keyspace("it_login").consistency("ONE")
                    .login("ipdr_node", SecretRef.ofFile(wrong.toString()));
            assertThatThrownBy(() -> NodeStorage.open(List.of(contact), guessed, "guess"))
                    .isInstanceOf(StorageException.class).hasStackTraceContaining("Authentication");
        }
    }

    @Test
    void theNodeSpeaksTlsToCassandraWhenItsClientPortRequiresIt(@TempDir Path dir) throws Exception {
        io.ipdrsp.launcher.Pki pki = io.ipdrsp.launcher.Pki.create(dir.resolve("pki"), "cassandra-ca");
        io.ipdrsp.launcher.Pki.Issued server = pki.server("cassandra", List.of("localhost"), List.of("127.0.0.1"));
        String opt = "-Dcassandra.settings.client_encryption_options.";
        try (CassandraServer cassandra = CassandraServer.builder(dir.resolve("cassandra")).heap("-Xms256m -Xmx512m")
                .jvmArg("-Dcassandra.config.allow_system_properties=true").jvmArg(opt + "enabled=true")
                .jvmArg(opt + "optional=false").jvmArg(opt + "keystore=" + server.keyStore())
                .jvmArg(opt + "keystore_password=" + new String(pki.password())).jvmArg(opt + "store_type=PKCS12")
                .start()) {
            InetSocketAddress contact = cassandra.contactPoint();
            Path password = Files.writeString(dir.resolve("truststore-password"), new String(pki.password()));
            StorageSettings tls = new StorageSettings().keyspace("it_tls").consistency("ONE");
            tls.getTls().trust(pki.trustStore().toString(), SecretRef.ofFile(password.toString()));
            try (NodeStorage store = NodeStorage.open(List.of(contact), tls, "tls-node")) {
                assertThat(store.probe().toCompletableFuture().get()).as("a query over TLS").isTrue();
            }
            StorageSettings plain = new StorageSettings().keyspace("it_tls").consistency("ONE");
            assertThatThrownBy(() -> NodeStorage.open(List.of(contact), plain, "plain"))
                    .as("a client without TLS").isInstanceOf(StorageException.class);
        }
    }

    /** As the default superuser (created a moment after the server starts). */
    private static void createRole(InetSocketAddress contact, String role, String password) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try (CqlSession admin = CqlSession.builder().addContactPoint(contact)
                    .withLocalDatacenter(CassandraServer.LOCAL_DATACENTER).withAuthCredentials("cassandra", "cassandra")
                    .build()) {
                admin.execute("CREATE ROLE IF NOT EXISTS " + role + " WITH PASSWORD = '" + password
                        + "' AND LOGIN = true AND SUPERUSER = true");
                return;
            } catch (AllNodesFailedException | AuthenticationException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(500);
            }
        }
    }
}
