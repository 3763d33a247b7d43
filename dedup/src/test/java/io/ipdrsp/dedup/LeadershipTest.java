package io.ipdrsp.dedup;

import static io.ipdrsp.dedup.HazelcastTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

class LeadershipTest {
    private static final List<String> EXPORTERS = IntStream.range(0, 10).mapToObj(i -> "cmts-" + i).toList();

    /** One node: a Curator client, its ephemeral registry entry and its leadership. */
    private record Node(String id, CuratorFramework curator, PersistentNode registration, ExporterLeadership lead)
            implements AutoCloseable {
        static Node start(TestingServer zk, String id) throws Exception {
            return start(zk, id, true);
        }

        /** {@code leads}: false = a registered node that does not do the once-per-CMTS work (finalize: false). */
        static Node start(TestingServer zk, String id, boolean leads) throws Exception {
            CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                    .namespace("ipdr-lead").retryPolicy(new RetryNTimes(3, 100)).sessionTimeoutMs(5_000).build();
            c.start();
            assertThat(c.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
            PersistentNode reg = new PersistentNode(c, CreateMode.EPHEMERAL, false, "/nodes/site1/" + id,
                    new NodeInfo(id, "site1", "127.0.0.1", 8080, 4737, "").encode());
            reg.start();
            reg.waitForInitialCreate(10, TimeUnit.SECONDS);
            ExporterLeadership lead = new ExporterLeadership(c, "site1", id).start();
            if (leads) {
                lead.setExporters(EXPORTERS);
            }
            return new Node(id, c, reg, lead);
        }

        @Override
        public void close() throws Exception {
            lead.close();
            registration.close();
            curator.close();
        }
    }

    private static Map<String, String> leaders(List<Node> nodes) {
        Map<String, String> out = new HashMap<>();
        for (String e : EXPORTERS) {
            for (Node n : nodes) {
                if (n.lead().isLeader(e)) {
                    if (out.put(e, n.id()) != null) {
                        out.put(e, "TWO LEADERS");
                    }
                }
            }
        }
        return out;
    }

    private static boolean settled(List<Node> nodes) {
        Map<String, String> l = leaders(nodes);
        return l.size() == EXPORTERS.size() && !l.containsValue("TWO LEADERS");
    }

    @Test
    void leadershipIsSpreadFencedAndMovesWhenANodeDies() throws Exception {
        try (TestingServer zk = new TestingServer(true)) {
            List<Node> nodes = new ArrayList<>();
            try {
                for (String id : List.of("n1", "n2", "n3")) {
                    nodes.add(Node.start(zk, id));
                }
                await("one leader per exporter", 20_000, () -> settled(nodes));
                Map<String, String> before = leaders(nodes);
                for (String e : EXPORTERS) { // the leader is the rendezvous owner, and every node gets a share
                    assertThat(before.get(e)).isEqualTo(ExporterLeadership.owner(e, List.of("n1", "n2", "n3")));
                }
                Map<String, Long> count = new HashMap<>();
                before.values().forEach(n -> count.merge(n, 1L, Long::sum));
                assertThat(count).hasSize(3);
                assertThat(count.values()).allSatisfy(c -> assertThat(c).isBetween(1L, 6L));
                Map<String, Long> tokens = new HashMap<>();
                for (Node n : nodes) {
                    for (String e : n.lead().leaderships()) {
                        tokens.put(e, n.lead().fencingToken(e).orElseThrow());
                    }
                }
                assertThat(tokens).hasSize(10);
                assertThat(nodes.get(0).lead().liveNodes()).containsExactlyInAnyOrder("n1", "n2", "n3");

                // n2's session ends (process death = its ZooKeeper session closes): its exporters move
                Node dead = nodes.remove(1);
                dead.close();
                await("leaders re-elected", 20_000, () -> settled(nodes));
                Map<String, String> after = leaders(nodes);
                for (String e : EXPORTERS) {
                    assertThat(after.get(e)).isEqualTo(ExporterLeadership.owner(e, List.of("n1", "n3")));
                    Node leader = nodes.stream().filter(n -> n.id().equals(after.get(e))).findFirst().orElseThrow();
                    long token = leader.lead().fencingToken(e).orElseThrow();
                    if (before.get(e).equals("n2")) {
                        assertThat(token).as("new term of %s", e).isGreaterThan(tokens.get(e));
                    } else {
                        assertThat(after.get(e)).isEqualTo(before.get(e));
                        assertThat(token).isEqualTo(tokens.get(e));
                    }
                }
                // the token is the version of /fencing/<exporter>, which only ever grows
                byte[] holder = nodes.get(0).curator().getData().forPath("/fencing/" + ExporterLeadership.encode(
                        EXPORTERS.get(0)));
                assertThat(new String(holder, StandardCharsets.UTF_8)).isEqualTo(after.get(EXPORTERS.get(0)));
            } finally {
                for (Node n : nodes) {
                    n.close();
                }
            }
        }
    }

    /**
     * A node registered in the site that does not lead (finalize: false) is no candidate: every exporter gets a leader
     * among the other two, none is hashed to the node that would never take it.
     */
    @Test
    void aNodeThatDoesNotLeadTakesNoShare() throws Exception {
        try (TestingServer zk = new TestingServer(true)) {
            List<Node> nodes = new ArrayList<>();
            try {
                nodes.add(Node.start(zk, "n1"));
                nodes.add(Node.start(zk, "n2", false));
                nodes.add(Node.start(zk, "n3"));
                await("one leader per exporter", 20_000, () -> settled(nodes));
                Map<String, String> leaders = leaders(nodes);
                assertThat(leaders.values()).doesNotContain("n2");
                for (String e : EXPORTERS) {
                    assertThat(leaders.get(e)).isEqualTo(ExporterLeadership.owner(e, List.of("n1", "n3")));
                }
                assertThat(nodes.get(1).lead().liveNodes()).containsExactlyInAnyOrder("n1", "n3");
            } finally {
                for (Node n : nodes) {
                    n.close();
                }
            }
        }
    }

    @Test
    void rendezvousOwnerMovesOnlyTheDeadNodesShare() {
        List<String> three = List.of("a", "b", "c");
        List<String> two = List.of("a", "c");
        int moved = 0;
        for (int i = 0; i < 300; i++) {
            String e = "exporter-" + i;
            String before = ExporterLeadership.owner(e, three);
            String after = ExporterLeadership.owner(e, two);
            if (!before.equals("b")) {
                assertThat(after).isEqualTo(before);
            } else {
                moved++;
            }
        }
        assertThat(moved).isBetween(60, 140); // about a third
    }
}
