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
 * Scenario 1: kill -9 of the primary mid-stream, then kill -9 of the backup that took over, so node-3 finishes; the
 * dead ones restart and take their roles back. Two CMTSes, one per connection direction, both preferring node-1.
 */
class KillPrimaryTest {
    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.bothDirections("cl_kill",
            SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(300).withAcks(50, 3).withRecords(3000));

    @Test
    void primaryAndThenBackupKilledLoseNothingAndStoreEachRecordOnce() throws Exception {
        Fleet fleet = cluster.startFleetAndAwaitRoles(Duration.ofSeconds(30), "primary", "standby", "standby");
        assertThat(fleet.awaitAcked(800, Duration.ofSeconds(30))).as("flow to node-1").isTrue();

        long[] before = {cluster.ackedBy(DIALS, 1, "node-2"), cluster.ackedBy(LISTENS, 1, "node-2")};
        long killed = System.nanoTime();
        cluster.node(1).kill9();
        cluster.measureTakeoverMillis("kill -9 node-1", DIALS, 1, "node-2", before[0], killed, Duration.ofSeconds(20));
        cluster.measureTakeoverMillis("kill -9 node-1", LISTENS, 1, "node-2", before[1], killed, Duration.ofSeconds(20));
        cluster.awaitRolesOfAll(Duration.ofSeconds(15), null, "primary", "standby");
        long acked = fleet.ledger().totalAcked();
        assertThat(fleet.awaitAcked(acked + 600, Duration.ofSeconds(30))).as("flow to node-2").isTrue();

        before = new long[] {cluster.ackedBy(DIALS, 1, "node-3"), cluster.ackedBy(LISTENS, 1, "node-3")};
        killed = System.nanoTime();
        cluster.node(2).kill9();
        cluster.measureTakeoverMillis("kill -9 node-2", DIALS, 1, "node-3", before[0], killed, Duration.ofSeconds(20));
        cluster.measureTakeoverMillis("kill -9 node-2", LISTENS, 1, "node-3", before[1], killed, Duration.ofSeconds(20));
        cluster.awaitRolesOfAll(Duration.ofSeconds(15), null, null, "primary");
        acked = fleet.ledger().totalAcked();
        assertThat(fleet.awaitAcked(acked + 600, Duration.ofSeconds(30))).as("node-3 finishes alone").isTrue();

        long t0 = System.nanoTime();
        Thread restart1 = new Thread(() -> restart(1));
        restart1.start();
        restart(2);
        restart1.join();
        cluster.awaitRolesOfAll(Duration.ofSeconds(40), "primary", "standby", "standby");
        System.out.printf("FAILBACK after restart of node-1 and node-2: %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        LedgerCheck.Result r = cluster.finishAndCheck(false);
        assertThat(r.resentWithD()).as("the CMTSes re-sent unacknowledged records after each kill").isPositive();
    }

    private static void restart(int n) {
        try {
            cluster.node(n).restart();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
