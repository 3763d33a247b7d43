package io.ipdrsp.node.fleet;

import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.ExporterNaming;
import io.ipdrsp.node.config.InventoryFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node's dialed CMTSes in step with {@code fleet.inventoryFile} without a restart: the file is read every
 * {@code fleet.inventoryReloadSeconds} and, when its bytes changed, checked whole and handed on. Polling, not a
 * file-system watch: an inventory is often replaced by a rename or a Kubernetes ConfigMap's symlink swap, which
 * watches miss on some file systems, and a read every few seconds of a file of a few hundred kilobytes costs
 * nothing. A change is taken once the file has stayed the same for {@value #SETTLE_MILLIS} ms. A file that fails the check changes nothing: the CMTSes dialed stay as they are, and one warning names
 * the bad lines (again only when the file changes).
 */
public final class InventoryWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InventoryWatcher.class);
    static final long SETTLE_MILLIS = 1_000;

    private final Path file;
    private final ExporterNaming naming;
    private final int keepAliveSeconds;
    private final Set<String> taken;
    private final Consumer<List<ExporterConfig>> apply;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ipdr-inventory");
        t.setDaemon(true);
        return t;
    });
    private byte[] lastSeen; // the poll thread's, after start

    /**
     * @param taken the names under {@code exporters} (an inventory line with one is a bad line)
     * @param apply receives the inventory's CMTSes, first from {@link #start}, then after each good change
     */
    public InventoryWatcher(Path file, ExporterNaming naming, int keepAliveSeconds, Collection<String> taken,
                            Consumer<List<ExporterConfig>> apply) {
        this.file = file;
        this.naming = naming;
        this.keepAliveSeconds = keepAliveSeconds;
        this.taken = Set.copyOf(taken);
        this.apply = apply;
    }

    /**
     * Reads the file once now (a bad file stops the start, like any bad configuration), then every {@code every}.
     *
     * @throws IllegalArgumentException naming {@code fleet.inventoryFile} and the bad lines
     */
    public InventoryWatcher start(Duration every) {
        try {
            lastSeen = Files.readAllBytes(file);
            apply.accept(InventoryFile.read(file, naming, keepAliveSeconds, taken));
        } catch (IOException | InventoryFile.Invalid e) {
            throw new IllegalArgumentException("fleet.inventoryFile " + e.getMessage(), e);
        }
        LOG.info("inventory {}: checked for changes every {} s", file, every.toSeconds());
        thread.scheduleWithFixedDelay(this::poll, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One check (the poll thread's; tests call it to avoid waiting). */
    void poll() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            if (lastSeen != null) {
                LOG.warn("inventory {} unreadable ({}): the CMTSes dialed stay as they are", file, e.toString());
            }
            lastSeen = null;
            return;
        }
        if (Arrays.equals(bytes, lastSeen) || !settled(bytes)) {
            return;
        }
        lastSeen = bytes;
        try {
            apply.accept(InventoryFile.read(file, naming, keepAliveSeconds, taken));
        } catch (InventoryFile.Invalid e) {
            LOG.warn("inventory not reloaded, the CMTSes dialed stay as they are: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("inventory not applied: {}", e.toString());
        }
    }

    /**
     * Whether the file still holds {@code bytes} a moment later: a file rewritten in place is read only once the
     * writer is done, so a half-written inventory is never taken for a shorter one (its missing CMTSes dropped).
     */
    private boolean settled(byte[] bytes) {
        try {
            Thread.sleep(SETTLE_MILLIS);
            return Arrays.equals(bytes, Files.readAllBytes(file));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
