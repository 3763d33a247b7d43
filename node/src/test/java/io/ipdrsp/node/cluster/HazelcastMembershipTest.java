package io.ipdrsp.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipdrsp.node.cluster.ClusterFixture.CmtsPlan;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scenario 5: Hazelcast member loss (kill -9) and a split-brain that heals, with records flowing. Every member-to-member
 * connection to node n crosses node n's {@link ClusterFixture#hazelcastProxy proxy} (its advertised public address),
 * and node n's own member connections leave from 127.0.4.n, so refusing node-3's proxy and blocking 127.0.4.3 at the
 * other two cuts node-3 off completely: {node-1, node-2} | {node-3}.
 *
 * <p>The first test watches membership in the members lists Hazelcast logs (works with any node); the second asks
 * the nodes' {@code GET /api/cluster} (contract: {@code {"members": [{"nodeId": "node-1", "address": "..."}, ...]}}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HazelcastMembershipTest {
    static final String CMTS = "cmts-dials";

    @RegisterExtension
    static final ClusterFixture cluster = new ClusterFixture("cl_hazelcast", List.of(new CmtsPlan(CMTS, true,
            new int[] {1, 2, 3}, List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(200).withAcks(50, 3)
                    .withRecords(100_000)))));

    @Test
    @Order(1)
    void memberLossAndSplitBrainHealWhileRecordsFlow() throws Exception {
        Fleet fleet = cluster.startFleet();
        assertThat(fleet.awaitAcked(300, Duration.ofSeconds(30))).isTrue();

        long t0 = System.nanoTime();
        cluster.node(3).kill9();
        awaitLoggedSizes(Duration.ofSeconds(30), 2, 2, -1);
        System.out.printf("HAZELCAST member loss seen by node-1/node-2 after %d ms%n", ms(t0));
        cluster.node(3).restart();
        awaitLoggedSizes(Duration.ofSeconds(60), 3, 3, 3);

        t0 = System.nanoTime();
        partitionNode3();
        awaitLoggedSizes(Duration.ofSeconds(40), 2, 2, 1);
        System.out.printf("HAZELCAST split {node-1,node-2}|{node-3} seen after %d ms%n", ms(t0));
        long acked = fleet.ledger().totalAcked();
        assertThat(fleet.awaitAcked(acked + 300, Duration.ofSeconds(30))).as("records flow during the split").isTrue();
        t0 = System.nanoTime();
        heal();
        awaitLoggedSizes(Duration.ofSeconds(90), 3, 3, 3);
        System.out.printf("HAZELCAST split healed (merged) %d ms after the proxies resumed%n", ms(t0));
        acked = fleet.ledger().totalAcked();
        assertThat(fleet.awaitAcked(acked + 300, Duration.ofSeconds(30))).isTrue();

        stopFleetAndCheck(fleet);
    }

    @Test
    @Order(2)
    void apiClusterShowsMemberLossAndSplitBrain() throws Exception {
        awaitApiMembers(Duration.ofSeconds(20), Set.of("node-1", "node-2", "node-3"), 1, 2, 3);
        cluster.node(3).kill9();
        awaitApiMembers(Duration.ofSeconds(30), Set.of("node-1", "node-2"), 1, 2);
        cluster.node(3).restart();
        awaitApiMembers(Duration.ofSeconds(60), Set.of("node-1", "node-2", "node-3"), 1, 2, 3);
        partitionNode3();
        awaitApiMembers(Duration.ofSeconds(40), Set.of("node-1", "node-2"), 1, 2);
        awaitApiMembers(Duration.ofSeconds(10), Set.of("node-3"), 3);
        heal();
        awaitApiMembers(Duration.ofSeconds(90), Set.of("node-1", "node-2", "node-3"), 1, 2, 3);
    }

    private static void stopFleetAndCheck(Fleet fleet) throws InterruptedException {
        fleet.inject(io.ipdrsp.simulator.Fault.at(Duration.ZERO, io.ipdrsp.simulator.Fault.Action.STOP, CMTS));
        Thread.sleep(3000);
        fleet.close();
        Thread.sleep(1000);
        new LedgerCheck(cluster.infra.cql, cluster.keyspace).verify(fleet.ledger(), cluster.nodes, false, false);
    }

    private static void partitionNode3() {
        cluster.hazelcastProxy(3).refuse();
        cluster.hazelcastProxy(1).block(ClusterFixture.hazelcastPublic(3));
        cluster.hazelcastProxy(2).block(ClusterFixture.hazelcastPublic(3));
    }

    private static void heal() {
        for (int n = 1; n <= 3; n++) {
            cluster.hazelcastProxy(n).resume();
        }
    }

    /** Waits until the Hazelcast members lists logged by each node show the expected sizes (-1 = don't care). */
    private static void awaitLoggedSizes(Duration timeout, int... sizes) throws InterruptedException {
        ClusterFixture.await("Hazelcast cluster sizes " + java.util.Arrays.toString(sizes), timeout, () -> {
            for (int n = 1; n <= 3; n++) {
                if (sizes[n - 1] >= 0 && cluster.node(n).hazelcastMembersFromLog() != sizes[n - 1]) {
                    return false;
                }
            }
            return true;
        });
    }

    private static void awaitApiMembers(Duration timeout, Set<String> expected, int... askNodes)
            throws InterruptedException {
        for (int n : askNodes) {
            long deadline = System.nanoTime() + timeout.toNanos();
            Set<String> seen = Set.of();
            while (true) {
                seen = members(cluster.node(n).cluster());
                if (seen.equals(new TreeSet<>(expected)) || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(seen).as("members in GET /api/cluster of node-%d", n).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private static Set<String> members(JsonNode cluster) {
        JsonNode members = cluster.path("members");
        assertThat(members.isArray()).as("/api/cluster has a members array: %s", cluster).isTrue();
        List<String> ids = new ArrayList<>();
        members.forEach(m -> ids.add(m.path("nodeId").asText()));
        return new TreeSet<>(ids);
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
