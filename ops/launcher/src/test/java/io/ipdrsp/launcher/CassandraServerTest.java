package io.ipdrsp.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraServerTest {

    @Test
    void sharedServerSpeaksCqlInThrowawayMode() throws Exception {
        CassandraServer server = CassandraServer.shared();
        System.out.println("shared Cassandra up in " + server.lastStartTime().toMillis() + " ms: " + server);

        assertThat(server.isRunning()).isTrue();
        assertThat(CassandraServer.shared()).isSameAs(server);
        assertThat(server.localDatacenter()).isEqualTo("datacenter1");
        assertThat(server.storagePort()).isEqualTo(server.nativePort() - 2000);
        assertThat(CqlProbe.options(server.contactPoint())).contains("CQL_VERSION");
        assertThat(arguments(server.process())).contains("-Dcassandra.unsafesystem=true",
                "-Dcassandra.native_transport_port=" + server.nativePort(), "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1");
        assertThat(server.jvm()).isEqualTo(CassandraServer.Jvm.TEST);
    }

    @Test
    void durableServerIsKilledRestartedOnItsDataAndStoppedWithoutLeftovers(@TempDir Path dir) throws Exception {
        CassandraServer server = CassandraServer.builder(dir.resolve("cass")).durable(true).heap("-Xms128m -Xmx512m")
                .jvm(CassandraServer.Jvm.PRODUCTION).start();
        try {
            System.out.println("durable Cassandra (production JVM) up in " + server.lastStartTime().toMillis() + " ms");
            assertThat(arguments(server.process())).doesNotContain("-Dcassandra.unsafesystem=true",
                    "-Dcassandra.skip_sync=true", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
            assertThat(arguments(server.process())).contains("-XX:+UseG1GC", "-Xmx512m");
            assertThat(CqlProbe.options(server.contactPoint())).contains("CQL_VERSION");
            ProcessHandle first = server.process();

            server.kill();
            assertThat(first.isAlive()).isFalse();
            assertThat(server.isRunning()).isFalse();
            assertThat(Processes.accepts(server.nativePort())).isFalse();

            server.restart();
            System.out.println("restart after SIGKILL took " + server.lastStartTime().toMillis() + " ms");
            ProcessHandle second = server.process();
            assertThat(second.pid()).isNotEqualTo(first.pid());
            assertThat(CqlProbe.options(server.contactPoint())).contains("CQL_VERSION");
            // the same node came back: its log shows the commit log replay of the first run
            assertThat(Files.readString(server.logFile())).contains("Replaying");

            List<ProcessHandle> watchdogs = second.descendants().toList();
            server.stop();
            assertThat(second.isAlive()).isFalse();
            assertThat(watchdogs).noneMatch(ProcessHandle::isAlive);
            assertThat(Processes.accepts(server.nativePort())).isFalse();
            assertThat(Files.readString(server.logFile())).contains("Cassandra shutdown complete");
        } finally {
            server.kill();
        }
    }

    @Test
    void aServerThatCannotStartFailsFastWithItsLog(@TempDir Path dir) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> CassandraServer.builder(dir).jvmArg("-Dcassandra.config=file:///nonexistent.yaml")
                .startTimeout(Duration.ofSeconds(120)).start())
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("exited with")
                .hasMessageContaining("nonexistent.yaml");
        System.out.println("failed start reported after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    /** ProcessHandle.Info has no arguments for this long command line on Linux; /proc has them all. */
    private static List<String> arguments(ProcessHandle process) throws java.io.IOException {
        return List.of(Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline")).split("\0"));
    }
}
