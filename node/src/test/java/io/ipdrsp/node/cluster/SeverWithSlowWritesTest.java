package io.ipdrsp.node.cluster;

import static io.ipdrsp.node.cluster.ClusterFixture.DIALS;
import static io.ipdrsp.node.cluster.ClusterFixture.LISTENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scenario 3: node-1's Cassandra path stalls (proxy paused) so its writes are in flight, then its CMTS connections are
 * severed; node-2 receives the re-sent records (D flag) and stores them; then node-1's stalled writes complete — the
 * same records written twice by two nodes, which must be counted as duplicates and never raise an integrity alarm.
 */
class SeverWithSlowWritesTest {
    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.bothDirections("cl_sever",
            SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(400).withAcks(100, 5).withRecords(3000));

    @Test
    void lateWritesOfTheSeveredPrimaryAreDuplicatesNotConflicts() throws Exception {
        Fleet fleet = cluster.startFleetAndAwaitRoles(Duration.ofSeconds(30), "primary", "standby", "standby");
        assertThat(fleet.awaitAcked(800, Duration.ofSeconds(30))).isTrue();

        cluster.cassandraProxy(1).pause();
        Thread.sleep(400); // node-1 keeps receiving: its window of writes is now stuck in flight
        long[] before = {cluster.ackedBy(DIALS, 1, "node-2"), cluster.ackedBy(LISTENS, 1, "node-2")};
        long severed = System.nanoTime();
        for (String cmts : List.of(DIALS, LISTENS)) {
            cluster.cmtsProxy(cmts, 1).refuse();
        }
        cluster.measureTakeoverMillis("sever node-1", DIALS, 1, "node-2", before[0], severed, Duration.ofSeconds(20));
        cluster.measureTakeoverMillis("sever node-1", LISTENS, 1, "node-2", before[1], severed, Duration.ofSeconds(20));
        cluster.cassandraProxy(1).resume(); // node-1's stalled writes land after node-2 stored the re-sent copies
        long acked = fleet.ledger().totalAcked();
        assertThat(fleet.awaitAcked(acked + 400, Duration.ofSeconds(30))).isTrue();
        for (String cmts : List.of(DIALS, LISTENS)) {
            cluster.cmtsProxy(cmts, 1).resume();
        }
        cluster.awaitRolesOfAll(Duration.ofSeconds(40), "primary", "standby", "standby");

        LedgerCheck.Result r = cluster.finishAndCheck(true);
        assertThat(r.resentWithD()).as("the CMTSes re-sent node-1's unacknowledged records to node-2").isPositive();
        assertThat(r.nodesStored()).as("some records were written by both nodes").isGreaterThan(r.rows());
        assertThat(r.integrityMetricExported())
                .as("nodes export %s (dedup's integrity alarms; 0 expected here)", LedgerCheck.INTEGRITY_METRIC)
                .isTrue();
    }
}
