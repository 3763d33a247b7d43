package io.ipdrsp.dedup;

import static io.ipdrsp.dedup.HazelcastTestSupport.await;
import static io.ipdrsp.dedup.HazelcastTestSupport.member;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.SequenceRange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RangeSetClusterTest {

    private static String docKey() {
        return DocumentKeys.of(new RecordKey("cmts-" + UUID.randomUUID(), 3, UUID.randomUUID(), 1_700_000_000L));
    }

    /**
     * Three members publish the same 3 000 sequence numbers (blocks of 10, each member in its own random order, as
     * three nodes storing the same resent records would): every number is reported "already stored" to exactly two of
     * them, and the cluster ends with one range.
     */
    @Test
    void concurrentEntryProcessorsFromSeveralMembersDetectEveryDuplicateOnce() throws Exception {
        String cluster = "it-ranges-" + System.nanoTime();
        List<String> join = List.of("127.0.0.1:16101", "127.0.0.1:16102", "127.0.0.1:16103");
        List<HazelcastInstance> members = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int i = 0; i < 3; i++) {
                members.add(member(cluster, "n" + i, 16101 + i, join));
            }
            await("3 members", 20_000, () -> members.get(0).getCluster().getMembers().size() == 3);
            String key = docKey();
            List<Future<Long>> reports = new ArrayList<>();
            for (int m = 0; m < 3; m++) {
                IMap<String, DocumentRanges> map = members.get(m).getMap(RecordDeduplicator.RANGES_MAP);
                long seed = m;
                reports.add(pool.submit(() -> {
                    List<Integer> blocks = new ArrayList<>();
                    for (int b = 0; b < 300; b++) {
                        blocks.add(b);
                    }
                    Collections.shuffle(blocks, new Random(seed));
                    List<CompletableFuture<MarkDurable.Result>> calls = new ArrayList<>();
                    for (int b : blocks) {
                        SequenceRangeSet w = new SequenceRangeSet();
                        w.add(b * 10L, b * 10L + 9);
                        calls.add(map.submitToKey(key, new MarkDurable(w, new SequenceRangeSet(), false))
                                .toCompletableFuture());
                    }
                    long already = 0;
                    for (CompletableFuture<MarkDurable.Result> c : calls) {
                        already += c.get(20, TimeUnit.SECONDS).alreadyStored().cardinality();
                    }
                    return already;
                }));
            }
            long duplicates = 0;
            for (Future<Long> f : reports) {
                duplicates += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(duplicates).isEqualTo(2 * 3000);
            IMap<String, DocumentRanges> any = members.get(2).getMap(RecordDeduplicator.RANGES_MAP);
            assertThat(any.get(key).stored().ranges()).containsExactly(new SequenceRange(0, 2999));
        } finally {
            pool.shutdownNow();
            members.forEach(HazelcastInstance::shutdown);
        }
    }

    /**
     * A real split brain: two members with the same cluster name form two clusters (b cannot see a at start), each
     * side stores different sequence numbers of the same document, then b's merge task finds a and the clusters heal.
     * The configured UnionMergePolicy must keep the union — neither side's numbers may be lost.
     */
    @Test
    void splitBrainHealsByUnion() throws Exception {
        String cluster = "it-split-" + System.nanoTime();
        HazelcastInstance b = member(cluster, "b", 16202, List.of("127.0.0.1:16201", "127.0.0.1:16202"));
        HazelcastInstance a = null;
        try {
            a = member(cluster, "a", 16201, List.of("127.0.0.1:16201"));
            assertThat(a.getCluster().getMembers()).hasSize(1);
            assertThat(b.getCluster().getMembers()).hasSize(1);
            String shared = docKey();
            String onlyA = docKey();
            String onlyB = docKey();
            IMap<String, DocumentRanges> mapA = a.getMap(RecordDeduplicator.RANGES_MAP);
            IMap<String, DocumentRanges> mapB = b.getMap(RecordDeduplicator.RANGES_MAP);
            mark(mapA, shared, 0, 99);
            mark(mapA, shared, 200, 249);
            mark(mapA, onlyA, 1, 5);
            mark(mapB, shared, 50, 149);
            mark(mapB, shared, 300, 300);
            mark(mapB, onlyB, 7, 9);

            HazelcastInstance fa = a;
            await("clusters merged", 60_000, () -> fa.getCluster().getMembers().size() == 2
                    && b.getCluster().getMembers().size() == 2);
            IMap<String, DocumentRanges> merged = a.getMap(RecordDeduplicator.RANGES_MAP);
            await("union visible", 30_000, () -> {
                DocumentRanges v = merged.get(shared);
                return v != null && v.stored().rangeCount() == 3 && merged.containsKey(onlyA)
                        && merged.containsKey(onlyB);
            });
            assertThat(merged.get(shared).stored().ranges()).containsExactly(new SequenceRange(0, 149),
                    new SequenceRange(200, 249), new SequenceRange(300, 300));
            assertThat(b.<String, DocumentRanges>getMap(RecordDeduplicator.RANGES_MAP).get(shared).stored())
                    .isEqualTo(merged.get(shared).stored());
            assertThat(merged.get(onlyA).stored().ranges()).containsExactly(new SequenceRange(1, 5));
            assertThat(merged.get(onlyB).stored().ranges()).containsExactly(new SequenceRange(7, 9));
        } finally {
            b.shutdown();
            if (a != null) {
                a.shutdown();
            }
        }
    }

    private static void mark(IMap<String, DocumentRanges> map, String key, long first, long last) {
        SequenceRangeSet w = new SequenceRangeSet();
        w.add(first, last);
        map.executeOnKey(key, new MarkDurable(w, new SequenceRangeSet(), false));
    }
}
