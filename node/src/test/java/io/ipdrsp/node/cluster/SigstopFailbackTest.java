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
 * Scenario 2: the primary freezes (SIGSTOP) with its connections open; the CMTS hands the session off on ack
 * time-out (2 s); SIGCONT while node-2 is primary; the CMTS fails back to the recovered priority-1 node.
 */
class SigstopFailbackTest {
    // the source must outlast the scenario: hand-off (2 s ack timeout) and dead declaration (5 s keep-alive) after
    // ~1 s of traffic, 500 more records on node-2, then SIGCONT, fail-back and acks by node-1 again. 3000 records
    // (10 s at 300/s) ran dry before the fail-back once the takeover stopped being slow: 9000 (30 s)
    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.bothDirections("cl_sigstop",
            SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(300).withAcks(50, 2).withRecords(9000));

    @Test
    void frozenPrimaryIsHandedOffOnAckTimeoutAndTakesBackItsRoleAfterSigcont() throws Exception {
        Fleet fleet = cluster.startFleetAndAwaitRoles(Duration.ofSeconds(30), "primary", "standby", "standby");
        assertThat(fleet.awaitAcked(600, Duration.ofSeconds(30))).isTrue();

        long[] before = {cluster.ackedBy(DIALS, 1, "node-2"), cluster.ackedBy(LISTENS, 1, "node-2")};
        long frozen = System.nanoTime();
        cluster.node(1).sigstop();
        cluster.measureTakeoverMillis("SIGSTOP node-1", DIALS, 1, "node-2", before[0], frozen, Duration.ofSeconds(20));
        cluster.measureTakeoverMillis("SIGSTOP node-1", LISTENS, 1, "node-2", before[1], frozen, Duration.ofSeconds(20));
        // /api/exporters reads the cluster's view from Hazelcast, which waits for the frozen member until it is
        // dropped (10 s without heartbeats): the nodes answer again after that
        cluster.awaitRolesOfAll(Duration.ofSeconds(40), null, "primary", "standby");
        long ackedByFrozen = cluster.ackedBy(DIALS, 1, "node-1") + cluster.ackedBy(LISTENS, 1, "node-1");
        long acked = fleet.ledger().totalAcked();
        assertThat(fleet.awaitAcked(acked + 500, Duration.ofSeconds(30))).as("node-2 carries the flow").isTrue();
        assertThat(cluster.ackedBy(DIALS, 1, "node-1") + cluster.ackedBy(LISTENS, 1, "node-1"))
                .as("a frozen node acknowledges nothing").isEqualTo(ackedByFrozen);

        long resumed = System.nanoTime();
        cluster.node(1).sigcont();
        cluster.awaitRolesOfAll(Duration.ofSeconds(40), "primary", "standby", "standby");
        System.out.printf("FAILBACK to node-1 %d ms after SIGCONT%n", (System.nanoTime() - resumed) / 1_000_000);
        assertThat(fleet.awaitLedger(l -> cluster.ackedBy(DIALS, 1, "node-1") + cluster.ackedBy(LISTENS, 1, "node-1")
                > ackedByFrozen, Duration.ofSeconds(20))).as("node-1 acknowledges again").isTrue();

        LedgerCheck.Result r = cluster.finishAndCheck(true);
        assertThat(r.resentWithD()).as("hand-off and fail-back re-sent unacknowledged records").isPositive();
    }
}
