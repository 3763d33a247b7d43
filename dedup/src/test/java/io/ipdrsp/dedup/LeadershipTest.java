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
    record Node(String id, CuratorFramework curator, PersistentNode registration, ExporterLeadership lead)
            implements AutoCloseable {
        static Node start(TestingServer zk, String id) throws Exception {
            return start(zk, id, true);
        }

        /** {@code leads}: false = a registered node that does not do the once-per-CMTS work (finalize: false). */
        static Node start(TestingServer zk, String id, boolean leads) throws Exception {
            return start(zk, id, leads ? EXPORTERS : List.of(), 5_000);
        }

        /** A node that collects (and may lead) {@code exporters}. */
        static Node start(TestingServer zk, String id, List<String> exporters, int sessionTimeoutMs)
                throws Exception {
            return start(zk, id, exporters, sessionTimeoutMs, new org.apache.curator.utils.DefaultZookeeperFactory());
        }

        /** The same with the client's ZooKeeper connections opened by {@code connections}. */
        static Node start(TestingServer zk, String id, List<String> exporters, int sessionTimeoutMs,
                org.apache.curator.utils.ZookeeperFactory connections) throws Exception {
            CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                    .namespace("ipdr-lead").retryPolicy(new org.apache.curator.retry.ExponentialBackoffRetry(100, 20))
                    .sessionTimeoutMs(sessionTimeoutMs).connectionTimeoutMs(2_000).zookeeperFactory(connections)
                    .build();
            c.start();
            assertThat(c.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
            PersistentNode reg = new PersistentNode(c, CreateMode.EPHEMERAL, false, "/nodes/site1/" + id,
                    new NodeInfo(id, "site1", "127.0.0.1", 8080, 4737, "").encode());
            reg.start();
            reg.waitForInitialCreate(10, TimeUnit.SECONDS);
            ExporterLeadership lead = new ExporterLeadership(c, "site1", id).start();
            if (!exporters.isEmpty()) {
                lead.setExporters(exporters);
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

    /**
     * Nodes with different exporter lists (issue 14 item 2): n3 lacks half of the CMTSes its peers collect. Every
     * exporter is led by exactly one node that has it — hashing over all candidates left some to n3, which never
     * contended for them, so nobody finalized them — and n3 still takes its share of the ones it has. When n1 dies,
     * its exporters move to the nodes that have them.
     */
    @Test
    void everyExporterIsLedByExactlyOneNodeThatCollectsIt() throws Exception {
        List<String> half = EXPORTERS.subList(0, 5);
        try (TestingServer zk = new TestingServer(true)) {
            List<Node> nodes = new ArrayList<>();
            try {
                nodes.add(Node.start(zk, "n1", EXPORTERS, 5_000));
                nodes.add(Node.start(zk, "n2", EXPORTERS, 5_000));
                nodes.add(Node.start(zk, "n3", half, 5_000));
                await("one leader per exporter", 20_000, () -> settled(nodes));
                assertLedByCollectors(nodes, half);
                assertThat(leaders(nodes).values()).as("n3 leads a share of its own CMTSes").contains("n3");
                assertThat(nodes.get(0).lead().expectedOwner("cmts-9")).isIn("n1", "n2");

                Node dead = nodes.remove(0);
                dead.close();
                await("leaders re-elected", 20_000, () -> settled(nodes));
                assertLedByCollectors(nodes, half);
                assertThat(EXPORTERS.subList(5, 10)).allSatisfy(e -> assertThat(leaders(nodes).get(e))
                        .isEqualTo("n2"));
            } finally {
                for (Node n : nodes) {
                    n.close();
                }
            }
        }
    }

    private static void assertLedByCollectors(List<Node> nodes, List<String> n3Has) {
        Map<String, String> leaders = leaders(nodes);
        for (String e : EXPORTERS) {
            assertThat(leaders.get(e)).as("leader of %s", e).isNotNull().isNotEqualTo("TWO LEADERS");
            if (!n3Has.contains(e)) {
                assertThat(leaders.get(e)).as("leader of %s, which n3 does not collect", e).isNotEqualTo("n3");
            }
        }
    }

    /**
     * Issue 15 item 7: after a lost ZooKeeper session (a frozen JVM, here a ZooKeeper down for longer than the session
     * timeout) Curator's latches looked for ephemeral nodes the server had deleted with the session and logged
     * "failed to find our node; resetting" at ERROR, one per latch and loss. The leadership now closes its latches
     * when the session is lost and contends anew after the reconnect: no such line, one leader per exporter again,
     * each with a new fencing token.
     */
    @Test
    void aLostSessionLeavesNoLatchLookingForItsDeletedNode() throws Exception {
        ch.qos.logback.classic.Logger latchLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("org.apache.curator.framework.recipes.leader.LeaderLatch");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        latchLog.addAppender(seen);
        TestingServer zk = new TestingServer(true); // restart() keeps its port and data directory
        List<Node> nodes = new ArrayList<>();
        try {
            nodes.add(Node.start(zk, "n1", EXPORTERS, 6_000));
            nodes.add(Node.start(zk, "n2", EXPORTERS, 6_000));
            await("one leader per exporter", 20_000, () -> settled(nodes));
            Map<String, Long> before = tokens(nodes);

            zk.stop(); // both clients lose the connection; their sessions expire while it is down
            Thread.sleep(14_000);
            zk.restart();
            await("leaders after the reconnect", 60_000, () -> settled(nodes) && tokens(nodes).size() == 10);
            Thread.sleep(8_000); // the old sessions expire on the restarted server: their nodes are deleted
            await("one leader per exporter after the old sessions expired", 30_000, () -> settled(nodes));
            Map<String, Long> after = tokens(nodes);
            for (String e : EXPORTERS) {
                assertThat(after.get(e)).as("new term of %s", e).isGreaterThan(before.get(e));
            }
            assertThat(seen.list).extracting(ev -> ev.getFormattedMessage())
                    .noneMatch(m -> m.contains("failed to find our node"));
        } finally {
            latchLog.detachAppender(seen);
            for (Node n : nodes) {
                n.close();
            }
            zk.close();
        }
    }

    private static Map<String, Long> tokens(List<Node> nodes) {
        Map<String, Long> out = new HashMap<>();
        for (Node n : nodes) {
            for (String e : n.lead().leaderships()) {
                n.lead().fencingToken(e).ifPresent(t -> out.put(e, t));
            }
        }
        return out;
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
