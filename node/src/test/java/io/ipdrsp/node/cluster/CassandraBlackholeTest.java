package io.ipdrsp.node.cluster;

import static io.ipdrsp.node.cluster.ClusterFixture.DIALS;
import static io.ipdrsp.node.cluster.ClusterFixture.LISTENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scenario 4: node-1's Cassandra path swallows everything (blackhole) while the other nodes' paths are healthy.
 * node-1 must stop acknowledging, stop the flow once its bound (storage.stopFlowAfterSeconds: 4) is reached, the CMTS
 * fails over to node-2 and nothing is lost; when the path heals, node-1 takes its role back.
 */
class CassandraBlackholeTest {
    // ackTimeInterval (20 s) longer than the node's stop-flow bound, so the node's own FLOW_STOP moves the session
    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.bothDirections("cl_blackhole",
            SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(300).withAcks(50, 20).withRecords(3000));

    @Test
    void nodeWhoseStorageHangsStopsTheFlowAndTheCmtsFailsOverWithoutLoss() throws Exception {
        Fleet fleet = cluster.startFleetAndAwaitRoles(Duration.ofSeconds(30), "primary", "standby", "standby");
        assertThat(fleet.awaitAcked(600, Duration.ofSeconds(30))).isTrue();

        long[] before = {cluster.ackedBy(DIALS, 1, "node-2"), cluster.ackedBy(LISTENS, 1, "node-2")};
        long cut = System.nanoTime();
        cluster.cassandraProxy(1).blackhole();
        cluster.measureTakeoverMillis("node-1 Cassandra blackholed", DIALS, 1, "node-2", before[0], cut,
                Duration.ofSeconds(30));
        cluster.measureTakeoverMillis("node-1 Cassandra blackholed", LISTENS, 1, "node-2", before[1], cut,
                Duration.ofSeconds(30));
        long ackedByNode1 = cluster.ackedBy(DIALS, 1, "node-1") + cluster.ackedBy(LISTENS, 1, "node-1");
        long acked = fleet.ledger().totalAcked();
        assertThat(fleet.awaitAcked(acked + 400, Duration.ofSeconds(30))).as("node-2 carries the flow").isTrue();
        assertThat(cluster.ackedBy(DIALS, 1, "node-1") + cluster.ackedBy(LISTENS, 1, "node-1"))
                .as("node-1 acknowledges nothing it could not store").isEqualTo(ackedByNode1);
        assertThat(cluster.node(1).counterTotal("ipdr_flow_stops_total"))
                .as("node-1 stopped the flow when its storage bound was reached").isPositive();
        assertThat(cluster.node(2).counterTotal("ipdr_flow_stops_total") + cluster.node(3).counterTotal(
                "ipdr_flow_stops_total")).as("healthy nodes never stop a flow").isZero();

        long healed = System.nanoTime();
        cluster.cassandraProxy(1).resume();
        cluster.awaitRolesOfAll(Duration.ofSeconds(60), "primary", "standby", "standby");
        System.out.printf("FAILBACK to node-1 %d ms after its Cassandra path healed%n",
                (System.nanoTime() - healed) / 1_000_000);

        cluster.finishAndCheck(true);
    }
}
