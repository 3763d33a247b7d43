package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.ipdrsp.dedup.DedupMetrics;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A process that knows the cluster name joins the node's Hazelcast cluster without the cluster secret: the node says
 * so on /healthcheck and in its metrics, and stores every record it receives meanwhile only after reading it from
 * Cassandra (checked writes, no plain ones); once the intruder is gone it trusts the shared view again.
 */
class RogueMemberTest {

    @Test
    void anIntruderMakesTheNodeCheckEveryRecordUntilItLeaves() throws Exception {
        List<ExporterConfig> exporters = List.of(
                new ExporterConfig("cmts-rogue", "127.0.0.5", 4737, Direction.LISTEN).keepAliveSeconds(5));
        try (NodeHarness node = new NodeHarness("rogue_member", exporters).start()) {
            var hz = node.services().cluster().hazelcast();
            var address = hz.getCluster().getLocalMember().getAddress();
            Config c = new Config().setClusterName(hz.getConfig().getClusterName()).setInstanceName("rogue-" + System.nanoTime());
            c.setProperty("hazelcast.phone.home.enabled", "false");
            c.getNetworkConfig().setPort(NodeHarness.freePort()).setPortAutoIncrement(false);
            c.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
            c.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
            c.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true)
                    .addMember(address.getHost() + ":" + address.getPort());
            HazelcastInstance rogue = Hazelcast.newHazelcastInstance(c);
            DedupMetrics dedup = node.services().dedup().metrics();
            try {
                NodeHarness.await("the alarm on /healthcheck", Duration.ofSeconds(60), () -> {
                    try {
                        var health = node.admin("/healthcheck");
                        return health.statusCode() == 500 && health.body().contains("without the cluster secret");
                    } catch (Exception e) {
                        return false;
                    }
                });
                String metrics = node.admin("/prometheus").body();
                assertThat(metrics).contains("ipdr_cluster_unproven_members 1.0")
                        .contains("ipdr_cluster_shared_view_trusted 0.0");
                long plainBefore = dedup.plainWrites();
                long checkedBefore = dedup.checkedWrites();
                FleetSpec spec = FleetSpec.of(CmtsSpec.of("cmts-rogue", io.ipdrsp.simulator.Direction.CONNECT,
                                List.of(CollectorSpec.at("127.0.0.1", node.listenPort(), 1)),
                                List.of(SessionSpec.timeInterval(1, Templates.SAMIS_TYPE_1, Duration.ofSeconds(30))
                                        .withRate(200).withAcks(50, 2)))
                        .withListen("127.0.0.5", 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(200)));
                try (Fleet fleet = Fleet.start(spec)) {
                    assertThat(fleet.awaitAcked(300, Duration.ofSeconds(60))).as("records acknowledged").isTrue();
                }
                assertThat(dedup.plainWrites()).as("plain writes while an intruder is in the cluster")
                        .isEqualTo(plainBefore);
                assertThat(dedup.checkedWrites() - checkedBefore).as("records checked against Cassandra")
                        .isGreaterThanOrEqualTo(300);
            } finally {
                rogue.shutdown();
            }
            NodeHarness.await("healthy and trusted again", Duration.ofSeconds(60), () -> {
                try {
                    return node.admin("/healthcheck").body().contains("\"cluster-members\":{\"healthy\":true")
                            && node.services().cluster().sharedViewTrusted();
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(node.admin("/prometheus").body()).contains("ipdr_cluster_shared_view_trusted 1.0");
        }
    }
}
