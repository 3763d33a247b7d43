package io.ipdrsp.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NodeJvm} against {@link FakeNode}: a real child JVM, its "is up" proof, kill -9 and restart. */
class NodeJvmTest {

    private static NodeJvm fake(NodeConfig config, Path dir) {
        return NodeJvm.builder(config, dir).classpath(NodeClasspath.ofThisJvm()).mainClass(FakeNode.class.getName())
                .jvmOptions(NodeJvm.compactJvm("64m")).build();
    }

    @Test
    void upMeansThisProcessNamedItsPortAndTheApiAnswers(@TempDir Path dir) throws Exception {
        int api = Ports.freePort("127.0.0.1");
        try (NodeJvm node = fake(NodeConfig.of("fake-1", "test").http("127.0.0.1", api, 0), dir)) {
            node.start().awaitUp(Duration.ofSeconds(60));
            assertThat(node.apiPort()).isEqualTo(api);
            assertThat(node.api()).isEqualTo("http://127.0.0.1:" + api);
            long first = node.pid();

            node.kill9();
            assertThat(node.isAlive()).isFalse();
            node.restart(Duration.ofSeconds(60));
            assertThat(node.pid()).isNotEqualTo(first);
            assertThat(node.apiPort()).isEqualTo(api);
            assertThat(node.currentLifeLog()).startsWith("===== start #2").contains("is up");
        }
    }

    @Test
    void aStrangerAnsweringOnThePortIsNotTakenForTheNode(@TempDir Path dir) throws Exception {
        HttpServer stranger = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stranger.createContext("/api/exporters", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        stranger.start();
        try (NodeJvm node = fake(NodeConfig.of("fake-2", "test").http("127.0.0.1",
                stranger.getAddress().getPort(), 0), dir)) {
            node.start();
            assertThatThrownBy(() -> node.awaitUp(Duration.ofSeconds(60))).isInstanceOf(LaunchException.class)
                    .hasMessageContaining("fake-2").hasMessageContaining("exited with 1 before it was up")
                    .hasMessageContaining("Address already in use");
        } finally {
            stranger.stop(0);
        }
    }

    @Test
    void aPortZeroNodeIsFoundAtThePortItNames(@TempDir Path dir) throws Exception {
        try (NodeJvm node = fake(NodeConfig.of("fake-3", "test").http("127.0.0.1", 0, 0), dir)) {
            node.start().awaitUp(Duration.ofSeconds(60));
            assertThat(node.apiPort()).isPositive();
            assertThat(Ports.isFree("127.0.0.1", node.apiPort())).isFalse();
        }
    }
}
