package io.ipdrsp.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

class ClusterMemberTest {

    @Test
    void twoMembersShareSessionStateAndRegisterInZooKeeper() throws Exception {
        try (TestingServer zk = new TestingServer(true)) {
            ClusterSettings s1 = new ClusterSettings("it-" + System.nanoTime(), "127.0.0.1", 15801,
                    List.of("127.0.0.1:15801", "127.0.0.1:15802"), zk.getConnectString(), "ipdr-test");
            try (ClusterMember a = ClusterMember.join(s1, "site1", "a", "node a", 10_000);
                 ClusterMember b = ClusterMember.join(s1, "site1", "b", "node b", 10_000)) {
                assertThat(a.registeredNodes("site1")).containsExactlyInAnyOrder("a", "b");

                a.streams().publish(new SessionState("a", "cmts1", 3, "samis", "PRIMARY",
                        "00000000-0000-0000-0000-000000000001", 1700000000L, 10, 10, 9, 0, 1L));
                b.streams().publish(new SessionState("b", "cmts1", 3, "samis", "BACKUP", "", 0, 0, 0, -1, 0, 2L));

                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (b.streams().all().size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(b.streams().all()).extracting(SessionState::role).containsExactly("PRIMARY", "BACKUP");
                assertThat(a.streams().all()).filteredOn(st -> st.nodeId().equals("a"))
                        .singleElement().satisfies(st -> assertThat(st.acked()).isEqualTo(9));

                a.streams().remove("a", "cmts1", 3);
                deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (b.streams().all().size() > 1 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(b.streams().all()).extracting(SessionState::nodeId).containsExactly("b");
            }
        }
    }
}
