package io.ipdrsp.dedup;

import static io.ipdrsp.dedup.HazelcastTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ClientCnxn;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/**
 * A node killed with -9 and restarted before ZooKeeper expired its session, in a site where one node lacks an
 * exporter (ExporterMatrixTest's sequence, where a CMTS once went unfinalized): its old entry and latches linger until
 * the session expires while its new self registers under the same id. Every exporter must have exactly one leader
 * among the nodes that collect it, once things settle and for as long as we watch.
 */
class LeaderRestartTest {
    private static final int SESSION_MILLIS = 6_000;
    /** Collected by n1 and n3 only; the owner over all three would be n2, the owner over n1 and n3 is n3. */
    private static final String LACKING = IntStream.range(0, 1000).mapToObj(i -> "cmts-lacking-" + i)
            .filter(n -> ExporterLeadership.owner(n, List.of("n1", "n2", "n3")).equals("n2")
                    && ExporterLeadership.owner(n, List.of("n1", "n3")).equals("n3"))
            .findFirst().orElseThrow();
    private static final List<String> COMMON = IntStream.range(0, 8).mapToObj(i -> "cmts-" + i).toList();

    @Test
    void aLeaderKilledAndRestartedWithinItsSessionLeavesNoExporterWithoutALeader() throws Exception {
        List<String> all = new ArrayList<>(COMMON);
        all.add(LACKING);
        try (TestingServer zk = new TestingServer(true)) {
            List<LeadershipTest.Node> nodes = new ArrayList<>();
            LeadershipTest.Node killed = null;
            try {
                nodes.add(killable(zk, "n1", all)); // alone first: leads everything
                await("n1 leads every exporter", 20_000, () -> n(nodes, "n1").lead().leaderships().size() == all.size());
                nodes.add(LeadershipTest.Node.start(zk, "n3", all, SESSION_MILLIS));
                nodes.add(LeadershipTest.Node.start(zk, "n2", COMMON, SESSION_MILLIS));
                await("each exporter led by its owner among the nodes that collect it", 20_000,
                        () -> ledByOwners(nodes, all));
                assertThat(leader(nodes, LACKING)).as("%s moved from n1 to n3", LACKING).isEqualTo("n3");

                killed = nodes.remove(0);
                kill9(killed); // its session (entry, latches) lingers on the server for SESSION_MILLIS
                Thread.sleep(SESSION_MILLIS / 3);
                nodes.add(0, LeadershipTest.Node.start(zk, "n1", all, SESSION_MILLIS)); // the new process
                Thread.sleep(SESSION_MILLIS + 2 * ExporterLeadership.SETTLE.toMillis()); // the old session expired
                try {
                    await("each exporter led by its owner after the restart", 40_000, () -> ledByOwners(nodes, all));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + ": " + leaders(nodes, all), e);
                }
                for (int i = 0; i < 10; i++) { // and it stays so
                    assertThat(ledByOwners(nodes, all)).as("each exporter led by its owner, check %d", i).isTrue();
                    Thread.sleep(500);
                }
            } finally {
                for (LeadershipTest.Node n : nodes) {
                    n.close();
                }
            }
        }
    }

    /** Clients of {@link #killable} that may no longer open a connection: their process is dead. */
    private static final java.util.Set<String> DEAD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A node whose ZooKeeper client {@link #kill9} can kill (Curator would otherwise open a new session). */
    private static LeadershipTest.Node killable(TestingServer zk, String id, List<String> exporters) throws Exception {
        return LeadershipTest.Node.start(zk, id, exporters, SESSION_MILLIS, (connect, timeout, watcher, readOnly) -> {
            if (DEAD.contains(id)) {
                throw new java.io.IOException(id + " is dead");
            }
            return new ZooKeeper(connect, timeout, watcher, readOnly);
        });
    }

    /**
     * What kill -9 does to a node's ZooKeeper client: the connection drops without closeSession, and nothing opens
     * another (the session, its ephemeral entry and latch nodes stay on the server until it expires).
     */
    private static void kill9(LeadershipTest.Node n) throws Exception {
        DEAD.add(n.id());
        ZooKeeper zoo = n.curator().getZookeeperClient().getZooKeeper();
        Field cnxn = ZooKeeper.class.getDeclaredField("cnxn");
        cnxn.setAccessible(true);
        ((ClientCnxn) cnxn.get(zoo)).disconnect();
    }

    private static LeadershipTest.Node n(List<LeadershipTest.Node> nodes, String id) {
        return nodes.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
    }

    private static String leader(List<LeadershipTest.Node> nodes, String exporter) {
        String found = null;
        for (LeadershipTest.Node n : nodes) {
            if (n.lead().isLeader(exporter)) {
                if (found != null) {
                    return "TWO LEADERS";
                }
                found = n.id();
            }
        }
        return found;
    }

    private static java.util.Map<String, String> leaders(List<LeadershipTest.Node> nodes, List<String> all) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (String e : all) {
            out.put(e, leader(nodes, e) + " (owner " + ExporterLeadership.owner(e, e.equals(LACKING)
                    ? List.of("n1", "n3") : List.of("n1", "n2", "n3")) + ")");
        }
        return out;
    }

    /** Every exporter led by exactly one node: its rendezvous owner among the nodes that collect it. */
    private static boolean ledByOwners(List<LeadershipTest.Node> nodes, List<String> all) {
        for (String e : all) {
            List<String> collectors = e.equals(LACKING) ? List.of("n1", "n3") : List.of("n1", "n2", "n3");
            if (!ExporterLeadership.owner(e, collectors).equals(leader(nodes, e))) {
                return false;
            }
        }
        return true;
    }
}
