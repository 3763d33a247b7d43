package io.ipdrsp.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' "the server is up" check must not be satisfied by a port that another process holds (the busy-machine
 * failure: a test connected to a port of somebody else's while its own Cassandra had not started), and a launcher that
 * picked its ports moves to others when that happens.
 */
class PortOwnershipTest {

    @Test
    void theKernelTablesTellOurListenerFromAnotherProcesses() throws Exception {
        assertThat(ListeningSockets.available()).as("/proc/net/tcp (Linux)").isTrue();
        try (ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress(Processes.LOOPBACK, 0));
            int port = held.getLocalPort();
            assertThat(ListeningSockets.owner(ProcessHandle.current(), port)).isEqualTo(ListeningSockets.Owner.OURS);
            Process other = new ProcessBuilder("sleep", "60").start();
            try {
                assertThat(ListeningSockets.owner(other.toHandle(), port)).isEqualTo(ListeningSockets.Owner.FOREIGN);
            } finally {
                other.destroyForcibly();
            }
            assertThat(ListeningSockets.holders(port)).containsExactly(ProcessHandle.current().pid());
            held.close();
            assertThat(ListeningSockets.owner(ProcessHandle.current(), port)).isEqualTo(ListeningSockets.Owner.NONE);
        }
    }

    @Test
    void aPortHeldByAnotherProcessIsNotTakenForTheServersOwn(@TempDir Path dir) throws Exception {
        // a process that never listens, started while this JVM holds the port it is supposed to open
        try (ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress(Processes.LOOPBACK, 0));
            Process sleeper = new ProcessBuilder("sleep", "60").start();
            try {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> Processes.awaitPort(sleeper, held.getLocalPort(), Duration.ofSeconds(3),
                        dir.resolve("none.log"), "sleeper"))
                        .isInstanceOf(LaunchException.class)
                        .hasMessageContaining("did not open port " + held.getLocalPort())
                        .hasMessageContaining("another process, pid [" + ProcessHandle.current().pid() + "]");
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
                assertThat(sleeper.isAlive()).as("the launcher ends the process it gave up on").isFalse();
            } finally {
                sleeper.destroyForcibly();
            }
        }
    }

    @Test
    void anEmbeddedZooKeeperOnATakenFixedPortFailsAtOnceNamingTheHolder(@TempDir Path dir) throws Exception {
        try (ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress(Processes.LOOPBACK, 0));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> ZooKeeperServer.startEmbedded(dir.resolve("fixed"), held.getLocalPort()))
                    .isInstanceOf(LaunchException.class)
                    .hasMessageContaining("could not listen on port " + held.getLocalPort())
                    .hasMessageContaining("held by pid [" + ProcessHandle.current().pid() + "]")
                    .hasMessageContaining("choose another port");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void cassandraOnATakenPortFailsNamingTheHolderAndMovesWhenItPickedThePort(@TempDir Path dir) throws Exception {
        try (ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress(Processes.LOOPBACK, Processes.freePort(p -> Processes.isFree(p - 2000))));
            int taken = held.getLocalPort();
            long t0 = System.nanoTime();
            CassandraServer server = CassandraServer.builder(dir.resolve("moved")).jvm(CassandraServer.Jvm.TEST)
                    .heap("-Xms128m -Xmx512m").firstPickedPort(taken).start();
            try {
                System.out.println("Cassandra moved from taken port " + taken + " to " + server.nativePort() + " in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
                assertThat(server.nativePort()).isNotEqualTo(taken);
                assertThat(ListeningSockets.owner(server.process(), server.nativePort()))
                        .isEqualTo(ListeningSockets.Owner.OURS);
                assertThat(CqlProbe.options(server.contactPoint())).contains("CQL_VERSION");
                assertThat(server.storagePort()).isEqualTo(server.nativePort() - 2000);
            } finally {
                server.kill();
            }
        }
    }
}
