package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code cluster.embeddedZooKeeperPort}: a node without {@code cluster.zooKeeper} runs its ZooKeeper on that port. */
class EmbeddedZooKeeperPortTest {

    @Test
    void theEmbeddedZooKeeperListensOnTheConfiguredPort() throws Exception {
        Path dir = Files.createTempDirectory("ipdr-embedded-zk");
        int port = NodeHarness.freePort();
        try (NodeHarness node = new NodeHarness("embedded_zk_port", List.of())) {
            node.config.getCluster().zooKeeper("").embeddedZooKeeperDir(dir.toString()).embeddedZooKeeperPort(port);
            node.start();
            assertThat(ruok(port)).as("ZooKeeper's ruok on 127.0.0.1:%d", port).isEqualTo("imok");
            assertThat(node.api("/api/cluster").body()).contains("\"zooKeeperConnected\":true");
        }
    }

    /** ZooKeeper's four-letter "are you ok" command. */
    private static String ruok(int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("ruok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
