package io.ipdrsp.dedup;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership per exporter, for work that must happen once per CMTS (document finalization), spread over the live
 * nodes of a site and fenced.
 *
 * <ul>
 * <li><b>Who contends</b>: rendezvous hashing of the exporter name over the candidates of the site picks one owner per
 * exporter. A node is a candidate (ephemeral {@code /candidates/<site>/<nodeId>}) from its first non-empty
 * {@link #setExporters}: a node that does not do the once-per-CMTS work never calls it, so no exporter is hashed to a
 * node that would never lead it. Only the owner runs a Curator {@link LeaderLatch} on
 * {@code /leaders/<exporter>}. Re-evaluated on every registry change, so leadership moves when a node dies or joins
 * (about 1/n of the exporters move, rendezvous hashing's property). The latch, not the hash, guarantees mutual
 * exclusion while views of the registry differ for a moment.</li>
 * <li><b>Fencing</b>: on gaining leadership the node bumps the version of the persistent znode
 * {@code /fencing/<exporter>} ({@code setData}); the new version is the term's token, strictly increasing across terms
 * (ZooKeeper versions of a persistent node never go back). {@link #isLeader} turns true only once the token is known.
 * Work guarded by it should pass the token to {@code CassandraStorage.advanceFence(exporter, scope, token, ...)} and
 * stop when that returns false (a newer term exists).</li>
 * <li><b>ZooKeeper loss</b>: the latch drops leadership on a suspended connection; nothing here is on the record path,
 * so ingest goes on and only the once-per-CMTS work waits.</li>
 * </ul>
 * Paths are not per site: with one ZooKeeper ensemble shared by all sites there is one leader per exporter overall
 * (the owners of each site contend for the same latch); with one ensemble per site, one per site.
 */
public final class ExporterLeadership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExporterLeadership.class);

    /** Called on leadership changes (on this class's own thread). */
    public interface Listener {
        void changed(String exporter, boolean leader, long fencingToken);
    }

    private final CuratorFramework curator;
    private final String site;
    private final String nodeId;
    private final CuratorCache registry;
    /** This node's candidacy, present while it has exporters to lead. */
    private org.apache.curator.framework.recipes.nodes.PersistentNode candidacy;
    private final ExecutorService events;
    private final Set<String> exporters = ConcurrentHashMap.newKeySet();
    private final Map<String, LeaderLatch> latches = new ConcurrentHashMap<>();
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public ExporterLeadership(CuratorFramework curator, String site, String nodeId) {
        this.curator = curator;
        this.site = site;
        this.nodeId = nodeId;
        this.registry = CuratorCache.build(curator, "/candidates/" + site);
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ipdr-leadership-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching the registry. Does not wait for ZooKeeper. */
    public ExporterLeadership start() {
        registry.listenable().addListener(CuratorCacheListener.builder().forAll((type, before, after) -> reevaluate())
                .forInitialized(this::reevaluate).build());
        registry.start();
        return this;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    /**
     * The exporters this node leads when it owns them (its configuration); a non-empty set makes the node a candidate,
     * an empty one withdraws it.
     */
    public synchronized void setExporters(Collection<String> names) {
        exporters.clear();
        exporters.addAll(names);
        if (!names.isEmpty() && candidacy == null && !closed) {
            candidacy = new org.apache.curator.framework.recipes.nodes.PersistentNode(curator,
                    org.apache.zookeeper.CreateMode.EPHEMERAL, false, "/candidates/" + site + "/" + nodeId,
                    new byte[0]);
            candidacy.start(); // re-created by Curator after a session loss
        } else if (names.isEmpty()) {
            withdraw();
        }
        reevaluate();
    }

    private synchronized void withdraw() {
        if (candidacy != null) {
            try {
                candidacy.close();
            } catch (java.io.IOException e) {
                LOG.debug("withdrawing candidacy: {}", e.toString());
            }
            candidacy = null;
        }
    }

    /** Whether this node leads the exporter now, with a known fencing token. Local, non-blocking. */
    public boolean isLeader(String exporter) {
        LeaderLatch latch = latches.get(exporter);
        return latch != null && latch.hasLeadership() && tokens.containsKey(exporter);
    }

    /** The fencing token of this node's current term for the exporter, empty when not leader. */
    public OptionalLong fencingToken(String exporter) {
        Long t = tokens.get(exporter);
        return t != null && isLeader(exporter) ? OptionalLong.of(t) : OptionalLong.empty();
    }

    /** Exporters this node leads now. */
    public Set<String> leaderships() {
        Set<String> out = new TreeSet<>();
        for (String e : latches.keySet()) {
            if (isLeader(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The live candidates of the site (nodes that lead exporters) as this node's cache sees them. */
    public List<String> liveNodes() {
        String prefix = "/candidates/" + site + "/";
        List<String> out = new ArrayList<>();
        registry.stream().map(ChildData::getPath).filter(p -> p.startsWith(prefix))
                .map(p -> p.substring(prefix.length())).filter(s -> !s.isEmpty() && !s.contains("/"))
                .forEach(out::add);
        return out;
    }

    /** Rendezvous (highest random weight) hashing: the node that owns an exporter among {@code nodes}. */
    public static String owner(String exporter, Collection<String> nodes) {
        String best = null;
        long bestWeight = 0;
        for (String n : nodes) {
            long w = mix(fnv(exporter) * 31 + fnv(n));
            if (best == null || Long.compareUnsigned(w, bestWeight) > 0
                    || (w == bestWeight && n.compareTo(best) < 0)) {
                best = n;
                bestWeight = w;
            }
        }
        return best;
    }

    private void reevaluate() {
        if (!closed) {
            events.execute(this::reevaluateNow);
        }
    }

    private void reevaluateNow() {
        if (closed) {
            return;
        }
        List<String> live = liveNodes();
        if (!live.contains(nodeId)) {
            return; // our own registration not visible yet (or ZooKeeper unreachable): change nothing
        }
        for (String exporter : exporters) {
            boolean mine = nodeId.equals(owner(exporter, live));
            if (mine && !latches.containsKey(exporter)) {
                contend(exporter);
            } else if (!mine && latches.containsKey(exporter)) {
                resign(exporter);
            }
        }
        for (String exporter : new ArrayList<>(latches.keySet())) {
            if (!exporters.contains(exporter)) {
                resign(exporter);
            }
        }
    }

    private void contend(String exporter) {
        LeaderLatch latch = new LeaderLatch(curator, "/leaders/" + encode(exporter), nodeId);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                newTerm(exporter, latch);
            }

            @Override
            public void notLeader() {
                Long old = tokens.remove(exporter);
                if (old != null) {
                    fire(exporter, false, old);
                }
            }
        }, events);
        latches.put(exporter, latch);
        try {
            latch.start();
        } catch (Exception e) {
            latches.remove(exporter);
            LOG.warn("cannot contend for {}: {}", exporter, e.toString());
        }
    }

    private void resign(String exporter) {
        LeaderLatch latch = latches.remove(exporter);
        Long old = tokens.remove(exporter);
        if (latch != null) {
            try {
                latch.close(LeaderLatch.CloseMode.SILENT);
            } catch (Exception e) {
                LOG.debug("closing latch of {}: {}", exporter, e.toString());
            }
        }
        if (old != null) {
            fire(exporter, false, old);
        }
    }

    /** Runs on {@link #events}: ZooKeeper calls here are off every record path. */
    private void newTerm(String exporter, LeaderLatch latch) {
        String path = "/fencing/" + encode(exporter);
        for (int attempt = 0; attempt < 5 && !closed && latch.hasLeadership(); attempt++) {
            try {
                try {
                    curator.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
                } catch (KeeperException.NodeExistsException ignored) {
                    // created by an earlier term
                }
                Stat stat = curator.setData().forPath(path, nodeId.getBytes(StandardCharsets.UTF_8));
                long token = stat.getVersion();
                if (latch.hasLeadership() && latches.get(exporter) == latch) {
                    tokens.put(exporter, token);
                    LOG.info("{} leads {} (fencing token {})", nodeId, exporter, token);
                    fire(exporter, true, token);
                }
                return;
            } catch (Exception e) {
                LOG.warn("fencing token for {}: {}", exporter, e.toString());
                try {
                    TimeUnit.MILLISECONDS.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void fire(String exporter, boolean leader, long token) {
        for (Listener l : listeners) {
            try {
                l.changed(exporter, leader, token);
            } catch (RuntimeException e) {
                LOG.warn("leadership listener failed: {}", e.toString());
            }
        }
    }

    static String encode(String exporter) {
        return URLEncoder.encode(exporter, StandardCharsets.UTF_8);
    }

    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64 finalizer: spreads the combined hash so that weights of similar names are independent. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public void close() {
        closed = true;
        events.shutdown();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String exporter : new ArrayList<>(latches.keySet())) {
            LeaderLatch latch = latches.remove(exporter);
            try {
                latch.close(LeaderLatch.CloseMode.SILENT);
            } catch (Exception e) {
                LOG.debug("closing latch of {}: {}", exporter, e.toString());
            }
        }
        tokens.clear();
        withdraw();
        registry.close();
    }
}
