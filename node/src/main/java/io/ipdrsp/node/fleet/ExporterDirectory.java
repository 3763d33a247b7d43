package io.ipdrsp.node.fleet;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CMTSes a node collects, whatever made them known: listed under {@code exporters}, read from the inventory
 * file, or admitted by {@code listen.allow} under the name their CONNECT gave. The once-per-CMTS work (finalization,
 * spooling, the subscriber index) and {@code /api/audit} go by {@link #all()}, so a CMTS admitted by range is led,
 * finalized and audited exactly like a listed one.
 *
 * <p>{@link #all()} only grows while the node runs: a CMTS that disconnects, or leaves the inventory, is still led
 * by this node (when it owns it), so its last documents are finalized; a restart starts from the configuration and
 * the inventory again, and a CMTS admitted by range is known again when it reconnects. Changes reach the leadership
 * ({@code ExporterLeadership.setExporters}, a ZooKeeper write) from this class's own thread, at most every
 * {@value #PUBLISH_MILLIS} ms: a thousand CMTSes connecting after a restart make a few writes, not a thousand.
 */
public final class ExporterDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExporterDirectory.class);
    static final long PUBLISH_MILLIS = 500;

    private final Set<String> listed;
    private volatile Set<String> inventory = Set.of();
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean queued = new AtomicBoolean();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ipdr-exporter-directory");
        t.setDaemon(true);
        return t;
    });
    private volatile Consumer<List<String>> leadership;

    /** @param listed the names under {@code exporters} */
    public ExporterDirectory(Collection<String> listed) {
        this.listed = Set.copyOf(listed);
        known.addAll(listed);
    }

    /** Whether the name belongs to a CMTS listed under {@code exporters} or in the inventory now. */
    public boolean isConfigured(String name) {
        return listed.contains(name) || inventory.contains(name);
    }

    /** The CMTSes listed under {@code exporters} or in the inventory now (the node expects them connected). */
    public List<String> configured() {
        TreeSet<String> out = new TreeSet<>(listed);
        out.addAll(inventory);
        return List.copyOf(out);
    }

    /** Every CMTS known to this node since it started, sorted. */
    public List<String> all() {
        return List.copyOf(new TreeSet<>(known));
    }

    /** The inventory file's CMTSes now. */
    public void inventory(Collection<String> names) {
        inventory = Set.copyOf(names);
        if (known.addAll(names)) {
            changed();
        }
    }

    /** A CMTS admitted by range, under the name its CONNECT gave. Cheap when already known (every reconnect). */
    public void admitted(String name) {
        if (known.add(name)) {
            changed();
        }
    }

    /**
     * From now on {@link #all()} is handed to {@code setExporters} (the leadership's candidate list) now and after
     * every change; a node that does not finalize never calls this.
     */
    public void leadBy(Consumer<List<String>> setExporters) {
        leadership = setExporters;
        setExporters.accept(all());
    }

    private void changed() {
        if (leadership != null && queued.compareAndSet(false, true)) {
            try {
                thread.schedule(this::publish, PUBLISH_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                queued.set(false); // closing
            }
        }
    }

    private void publish() {
        queued.set(false);
        Consumer<List<String>> l = leadership;
        if (l == null) {
            return;
        }
        try {
            l.accept(all());
        } catch (RuntimeException e) {
            LOG.warn("CMTS list not handed to the leadership ({}): retried with the next change", e.toString());
        }
    }

    @Override
    public void close() {
        leadership = null;
        thread.shutdownNow();
    }
}
