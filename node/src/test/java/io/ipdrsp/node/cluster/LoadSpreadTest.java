package io.ipdrsp.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.node.cluster.ClusterFixture.CmtsPlan;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scenario 6: three CMTSes with different priority orders (cmts-a prefers node-1, cmts-b node-2, cmts-c node-3), in
 * both connection directions: each node is primary for exactly one CMTS and a standby for the others (ready, told
 * nothing: the vendor failover sequence); then node-2 is killed, its CMTS moves to its second choice only, and it
 * comes back.
 */
class LoadSpreadTest {
    private static final SessionSpec SESSION = SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(250)
            .withAcks(50, 3).withRecords(2000);

    @RegisterExtension
    static final ClusterFixture cluster = new ClusterFixture("cl_spread", List.of(
            new CmtsPlan("cmts-a", true, new int[] {1, 2, 3}, List.of(SESSION)),
            new CmtsPlan("cmts-b", false, new int[] {3, 1, 2}, List.of(SESSION)),
            new CmtsPlan("cmts-c", true, new int[] {2, 3, 1}, List.of(SESSION))));

    @Test
    void eachNodeIsPrimaryForTheCmtsThatPrefersIt() throws Exception {
        Fleet fleet = cluster.startFleet();
        cluster.awaitRoles("cmts-a", 1, Duration.ofSeconds(30), "primary", "standby", "standby");
        cluster.awaitRoles("cmts-b", 1, Duration.ofSeconds(30), "standby", "primary", "standby");
        cluster.awaitRoles("cmts-c", 1, Duration.ofSeconds(30), "standby", "standby", "primary");
        assertThat(fleet.awaitAcked(1500, Duration.ofSeconds(30))).isTrue();
        assertThat(cluster.ackedBy("cmts-a", 1, "node-1")).isPositive();
        assertThat(cluster.ackedBy("cmts-b", 1, "node-2")).isPositive();
        assertThat(cluster.ackedBy("cmts-c", 1, "node-3")).isPositive();

        long before = cluster.ackedBy("cmts-b", 1, "node-3");
        long killed = System.nanoTime();
        cluster.node(2).kill9();
        cluster.measureTakeoverMillis("kill -9 node-2", "cmts-b", 1, "node-3", before, killed, Duration.ofSeconds(20));
        cluster.awaitRoles("cmts-a", 1, Duration.ofSeconds(15), "primary", null, "standby");
        cluster.awaitRoles("cmts-b", 1, Duration.ofSeconds(15), "standby", null, "primary");
        cluster.awaitRoles("cmts-c", 1, Duration.ofSeconds(15), "standby", null, "primary");
        cluster.node(2).restart();
        cluster.awaitRoles("cmts-b", 1, Duration.ofSeconds(40), "standby", "primary", "standby");

        LedgerCheck.Result r = cluster.finishAndCheck(false);
        assertThat(r.documents()).as("one document per CMTS").isEqualTo(3);
    }
}
