package io.ipdrsp.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZooKeeperServerTest {

    @Test
    void embeddedServerKeepsPersistentNodesAcrossARestart(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        ZooKeeperServer zk = ZooKeeperServer.startEmbedded(dir, 0);
        try {
            System.out.println("embedded ZooKeeper up in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            try (ZooKeeper client = connect(zk.connectString())) {
                client.create("/ipdr", "hello".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
            }
            zk.stop();
            assertThat(zk.isRunning()).isFalse();
            assertThat(Processes.accepts(zk.port())).isFalse();

            zk.restart();
            try (ZooKeeper client = connect(zk.connectString())) {
                assertThat(new String(client.getData("/ipdr", false, null), StandardCharsets.UTF_8))
                        .isEqualTo("hello");
            }
        } finally {
            zk.stop();
        }
        assertThat(Processes.accepts(zk.port())).isFalse();
    }

    @Test
    void processServerServesAndLeavesNoProcessBehind(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        ZooKeeperProcess zk = (ZooKeeperProcess) ZooKeeperServer.startProcess(dir, 0);
        ProcessHandle server = zk.process();
        List<ProcessHandle> children;
        try {
            System.out.println("ZooKeeper process up in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertThat(ZooKeeperProcess.fourLetter(zk.port(), "ruok")).isEqualTo("imok");
            try (ZooKeeper client = connect(zk.connectString())) {
                client.create("/node", new byte[] {1}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                assertThat(client.exists("/node", false)).isNotNull();
            }
            children = server.descendants().toList();
        } finally {
            zk.kill();
        }
        assertThat(server.isAlive()).isFalse();
        assertThat(children).noneMatch(ProcessHandle::isAlive);
        assertThat(Processes.accepts(zk.port())).isFalse();
    }

    private static ZooKeeper connect(String connectString) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper client = new ZooKeeper(connectString, 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        assertThat(connected.await(20, TimeUnit.SECONDS)).as("connected to " + connectString).isTrue();
        return client;
    }
}
