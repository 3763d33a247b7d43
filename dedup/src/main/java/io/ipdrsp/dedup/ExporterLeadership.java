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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership per exporter, for work that must happen once per CMTS (document finalization), spread over the live
 * nodes of a site and fenced.
 *
 * <ul>
 * <li><b>Who contends</b>: rendezvous hashing of the exporter name over the candidates of the site <em>that have the
 * exporter</em> picks one owner per exporter. A node is a candidate (ephemeral {@code /candidates/<site>/<nodeId>},
 * whose data lists its exporters, one name a line) from its first non-empty {@link #setExporters}: a node that does
 * not do the once-per-CMTS work never calls it. So every exporter some live candidate has is owned by exactly one of
 * those, whatever the other nodes' lists (hashing over all candidates once left a CMTS to a node that did not collect
 * it: nobody finalized it). A candidate entry without data (a node of an earlier version) counts as having every
 * exporter. Only the owner runs a Curator {@link LeaderLatch} on {@code /leaders/<exporter>}. Re-evaluated on every
 * registry change, so leadership moves when a node dies, joins or changes its list (about 1/n of the exporters move,
 * rendezvous hashing's property). The latch, not the hash, guarantees mutual exclusion while views of the registry
 * differ for a moment.</li>
 * <li><b>Fencing</b>: on gaining leadership the node bumps the version of the persistent znode
 * {@code /fencing/<exporter>} ({@code setData}); the new version is the term's token, strictly increasing across terms
 * (ZooKeeper versions of a persistent node never go back). {@link #isLeader} turns true only once the token is known.
 * Work guarded by it should pass the token to {@code CassandraStorage.advanceFence(exporter, scope, token, ...)} and
 * stop when that returns false (a newer term exists).</li>
 * <li><b>ZooKeeper loss</b>: the latch drops leadership on a suspended connection; nothing here is on the record path,
 * so ingest goes on and only the once-per-CMTS work waits. When the session is <em>lost</em> (expired: e.g. the JVM
 * was frozen longer than the session timeout) every latch is closed at once and contended for anew after the
 * reconnect. A latch kept across a lost session looks for its ephemeral node, which the server deleted with the
 * session: Curator then logs "failed to find our node; resetting" at ERROR once per latch (34–48 per chaos round), or
 * — when the old session expires on the server only after the reconnect — holds leadership on a node that is about
 * to vanish. Registry changes are acted on after a {@link #SETTLE} second of quiet, so that the flapping around a
 * reconnect does not start and close a latch within milliseconds (the same error, from a closed latch whose node
 * creation was in flight).</li>
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
    private final ScheduledExecutorService events;
    private final java.util.concurrent.atomic.AtomicBoolean reevaluationQueued =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final Set<String> exporters = ConcurrentHashMap.newKeySet();
    private final Map<String, LeaderLatch> latches = new ConcurrentHashMap<>();
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Guards starting and closing latches (the events thread and Curator's connection-state thread). */
    private final Object latchLock = new Object();
    private volatile boolean closed;

    public ExporterLeadership(CuratorFramework curator, String site, String nodeId) {
        this.curator = curator;
        this.site = site;
        this.nodeId = nodeId;
        this.registry = CuratorCache.build(curator, "/candidates/" + site);
        this.events = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ipdr-leadership-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching the registry and the connection. Does not wait for ZooKeeper. */
    public ExporterLeadership start() {
        registry.listenable().addListener(CuratorCacheListener.builder().forAll((type, before, after) -> reevaluate())
                .forInitialized(this::reevaluate).build());
        // no executor: called on Curator's connection-state thread in event order, so the latches are closed on LOST
        // before they could see the RECONNECTED that follows
        curator.getConnectionStateListenable().addListener((client, state) -> {
            if (state == ConnectionState.LOST) {
                dropLatches();
            } else if (state == ConnectionState.RECONNECTED) {
                reevaluate();
            }
        });
        registry.start();
        // a safety net besides the registry's events: a change missed while this node's view was incomplete (its own
        // entry re-created after a lost session, a peer's entry flapping) is acted on within this period
        events.scheduleWithFixedDelay(this::reevaluate, RECHECK.toSeconds(), RECHECK.toSeconds(), TimeUnit.SECONDS);
        return this;
    }

    /** How often ownership is re-evaluated without a registry event. */
    static final java.time.Duration RECHECK = java.time.Duration.ofSeconds(15);

    /** The session is gone and with it every latch node: close the latches; the reconnect contends anew. */
    private void dropLatches() {
        List<String> dropped = new ArrayList<>();
        synchronized (latchLock) {
            for (String exporter : new ArrayList<>(latches.keySet())) {
                closeLatch(latches.remove(exporter), exporter);
                dropped.add(exporter);
            }
        }
        if (!dropped.isEmpty()) {
            LOG.info("{}: ZooKeeper session lost: leadership latches of {} exporter(s) closed, contended for again"
                    + " after the reconnect", nodeId, dropped.size());
        }
        for (String exporter : dropped) {
            Long old = tokens.remove(exporter);
            if (old != null && !closed) {
                try {
                    events.execute(() -> fire(exporter, false, old));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    return; // closing: nobody listens any more
                }
            }
        }
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
        byte[] data = String.join("\n", new TreeSet<>(names)).getBytes(StandardCharsets.UTF_8);
        if (!names.isEmpty() && candidacy == null && !closed) {
            candidacy = new org.apache.curator.framework.recipes.nodes.PersistentNode(curator,
                    org.apache.zookeeper.CreateMode.EPHEMERAL, false, "/candidates/" + site + "/" + nodeId, data);
            candidacy.start(); // re-created by Curator after a session loss
        } else if (names.isEmpty()) {
            withdraw();
        } else if (candidacy != null) {
            publishList();
        }
        reevaluate();
    }

    /**
     * Writes the current list into this node's candidate entry. Curator refuses a write before the entry's first
     * creation has completed (a list that grows right after the first call: CMTSes admitted as they connect), and
     * the entry would keep the first list: tried again a second later, with the list as it is then.
     */
    private synchronized void publishList() {
        if (candidacy == null || closed) {
            return;
        }
        try {
            candidacy.setData(String.join("\n", new TreeSet<>(exporters)).getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            if (!(e instanceof IllegalStateException)) {
                LOG.warn("{}: exporter list not published to the candidate registry ({}): retried", nodeId,
                        e.toString());
            }
            try {
                events.schedule(this::publishList, 1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closing: nobody reads the list any more
            }
        }
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
        return new ArrayList<>(candidates().keySet());
    }

    /** Rendezvous (highest random weight) hashing: the node that owns an exporter among {@code nodes}. */
    public static String owner(String exporter, Collection<String> nodes) {
        return CandidateRegistry.owner(exporter, nodes);
    }

    /** The node that should lead the exporter as this node's registry cache sees it, or null (no candidate has it). */
    public String expectedOwner(String exporter) {
        return owner(exporter, CandidateRegistry.candidatesFor(exporter, candidates()));
    }

    private Map<String, Set<String>> candidates() {
        return CandidateRegistry.candidates(registry, "/candidates/" + site + "/", nodeId, Set.copyOf(exporters));
    }

    /**
     * Registry changes are acted on once the view has been quiet this long. Around a reconnect the registry flaps
     * (a peer's old ephemeral entry expires a moment before its new one appears); acting on every event made a node
     * contend for an exporter and resign it milliseconds later, closing a latch whose node creation was still in
     * flight — Curator's "failed to find our node" again. A second of delay on a leadership move costs nothing here.
     */
    static final java.time.Duration SETTLE = java.time.Duration.ofSeconds(1);

    private void reevaluate() {
        if (!closed) {
            if (reevaluationQueued.compareAndSet(false, true)) {
                try {
                    events.schedule(() -> {
                        reevaluationQueued.set(false);
                        reevaluateNow();
                    }, SETTLE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    reevaluationQueued.set(false); // closing
                }
            }
        }
    }

    private void reevaluateNow() {
        if (closed) {
            return;
        }
        Map<String, Set<String>> live = candidates();
        if (!live.containsKey(nodeId)) {
            return; // our own registration not visible yet (or ZooKeeper unreachable): change nothing
        }
        for (String exporter : exporters) {
            List<String> candidates = CandidateRegistry.candidatesFor(exporter, live);
            String owner = owner(exporter, candidates);
            if (nodeId.equals(owner) && !latches.containsKey(exporter)) {
                contend(exporter);
            } else if (!nodeId.equals(owner) && latches.containsKey(exporter)) {
                resign(exporter, owner + " owns it among " + new TreeSet<>(candidates));
            }
        }
        for (String exporter : new ArrayList<>(latches.keySet())) {
            if (!exporters.contains(exporter)) {
                resign(exporter, "no longer in this node's list");
            }
        }
    }

    private void contend(String exporter) {
        synchronized (latchLock) {
            if (!closed) {
                contendLocked(exporter);
            }
        }
    }

    private void contendLocked(String exporter) {
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
                    LOG.info("{} no longer leads {} (term {} ended: ZooKeeper connection suspended or latch lost)",
                            nodeId, exporter, old);
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

    private void resign(String exporter, String why) {
        LeaderLatch latch;
        synchronized (latchLock) {
            latch = latches.remove(exporter);
            closeLatch(latch, exporter);
        }
        Long old = tokens.remove(exporter);
        if (latch != null) {
            LOG.info("{} resigns {}{}: {}", nodeId, exporter, old != null ? " (term " + old + ")" : "", why);
        }
        if (old != null) {
            fire(exporter, false, old);
        }
    }

    private static void closeLatch(LeaderLatch latch, String exporter) {
        if (latch != null) {
            try {
                latch.close(LeaderLatch.CloseMode.SILENT);
            } catch (Exception e) {
                LOG.debug("closing latch of {}: {}", exporter, e.toString());
            }
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

    @Override
    public void close() {
        closed = true;
        events.shutdown();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (latchLock) {
            for (String exporter : new ArrayList<>(latches.keySet())) {
                closeLatch(latches.remove(exporter), exporter);
            }
        }
        tokens.clear();
        withdraw();
        registry.close();
    }
}
