package io.ipdrsp.bench;

import io.ipdrsp.launcher.NodeJvm;
import io.ipdrsp.launcher.TcpProxy;
import io.ipdrsp.simulator.Fleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The soak's faults, one at a time on a random node, drawn from one seeded {@link Random}: {@code kill -9} and a
 * restart, SIGSTOP for 5-30 s then SIGCONT, or a cut for 5-30 s: the node's CMTS links (reset and refused, or
 * silent: no byte moves and connections stay open) or its Hazelcast links to the other members. A node still frozen, cut or restarting is not picked, and a fault is
 * skipped when it would leave no node untouched — the CMTSes must always have somewhere to go. Each fault gets one
 * log line, printed when the next one starts (or at the end): its time, kind, node, length, and what the CMTSes did
 * meanwhile (their sessions that moved, from the ledger).
 */
final class SoakFaults implements AutoCloseable {
    enum Kind { KILL, SIGSTOP, CUT }

    private final SoakCluster cluster;
    private final Fleet fleet;
    private final Random random;
    private final long startNanos;
    private final Set<Integer> busy = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "soak-fault-timer");
        t.setDaemon(true);
        return t;
    });
    private final Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    private int skipped;
    private String pendingLine;
    private Map<String, String> collectorsAtFault = Map.of();
    private long movesAtFault;

    SoakFaults(SoakCluster cluster, Fleet fleet, long seed, long startNanos) {
        this.cluster = cluster;
        this.fleet = fleet;
        this.random = new Random(seed);
        this.startNanos = startNanos;
        for (Kind k : Kind.values()) {
            counts.put(k, 0);
        }
    }

    /** The pause before the next fault, uniformly within [min, max]. */
    long nextPauseMillis(Duration min, Duration max) {
        return min.toMillis() + (long) (random.nextDouble() * (max.toMillis() - min.toMillis()));
    }

    /** Injects one fault now (or logs why not). */
    synchronized void injectOne() throws InterruptedException {
        printPending();
        List<Integer> free = new ArrayList<>();
        for (int n = 1; n <= cluster.nodes.size(); n++) {
            if (!busy.contains(n)) {
                free.add(n);
            }
        }
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        int pick = random.nextInt(cluster.nodes.size());
        long lengthMillis = 5_000 + (long) (random.nextDouble() * 25_000);
        int cut = random.nextInt(3); // 0: CMTS links reset, 1: CMTS links silent, 2: Hazelcast links
        if (free.size() < 2) {
            skipped++;
            System.out.printf(Locale.ROOT, "FAULT %s %s skipped: nodes %s still recovering%n", clock(), kind, busy);
            return;
        }
        int n = free.get(pick % free.size());
        busy.add(n);
        counts.merge(kind, 1, Integer::sum);
        NodeJvm node = cluster.node(n);
        // before the fault: CMTSes react to a reset within milliseconds
        collectorsAtFault = SoakLedger.dataCollectors(fleet.ledger());
        movesAtFault = SoakLedger.moves(fleet.ledger());
        String what = switch (kind) {
            case KILL -> {
                node.kill9();
                Thread restart = new Thread(() -> restart(n), "soak-restart-" + n);
                restart.setDaemon(true);
                restart.start();
                yield "kill -9 (restarting)";
            }
            case SIGSTOP -> {
                node.sigstop();
                timer.schedule(() -> {
                    node.sigcont();
                    busy.remove(n);
                }, lengthMillis, TimeUnit.MILLISECONDS);
                yield String.format(Locale.ROOT, "SIGSTOP for %.1f s", lengthMillis / 1e3);
            }
            case CUT -> {
                Runnable heal;
                if (cut == 2) {
                    cluster.isolateHazelcast(n, true);
                    heal = () -> cluster.isolateHazelcast(n, false);
                } else {
                    List<TcpProxy> paths = cluster.cmtsPaths.get(n - 1);
                    paths.forEach(cut == 1 ? TcpProxy::pause : TcpProxy::refuse);
                    heal = () -> paths.forEach(TcpProxy::resume);
                }
                timer.schedule(() -> {
                    heal.run();
                    busy.remove(n);
                }, lengthMillis, TimeUnit.MILLISECONDS);
                yield String.format(Locale.ROOT, "%s cut for %.1f s", cut == 2 ? "Hazelcast links"
                        : cut == 1 ? "CMTS links (silent)" : "CMTS links (reset)", lengthMillis / 1e3);
            }
        };
        pendingLine = String.format(Locale.ROOT, "FAULT %s %s %s", clock(), SoakCluster.nodeId(n), what);
    }

    private void restart(int n) {
        NodeJvm node = cluster.node(n);
        long t0 = System.nanoTime();
        try {
            node.start().awaitUp(Duration.ofSeconds(240));
            System.out.printf(Locale.ROOT, "       %s %s up again %.1f s after its restart%n", clock(),
                    SoakCluster.nodeId(n), (System.nanoTime() - t0) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.out.printf("       %s %s did not come back: %s%n", clock(), SoakCluster.nodeId(n), e.getMessage());
        } finally {
            busy.remove(n);
        }
    }

    /** Prints the line of the last fault, with the sessions that moved since it. */
    synchronized void printPending() {
        if (pendingLine == null) {
            return;
        }
        Map<String, String> now = SoakLedger.dataCollectors(fleet.ledger());
        List<String> moved = new ArrayList<>();
        now.forEach((session, collector) -> {
            String before = collectorsAtFault.get(session);
            if (before != null && !before.equals(collector)) {
                moved.add(session + " " + before + "->" + collector);
            }
        });
        long moves = SoakLedger.moves(fleet.ledger()) - movesAtFault;
        System.out.printf(Locale.ROOT, "%s | CMTSes: %d session moves; now elsewhere: %s%n", pendingLine, moves,
                moved.isEmpty() ? "none" : String.join(", ", moved));
        pendingLine = null;
    }

    /** Waits until no node is frozen, cut or restarting. */
    void awaitQuiet(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!busy.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        printPending();
        if (!busy.isEmpty()) {
            throw new IllegalStateException("nodes " + busy + " not recovered within " + timeout);
        }
    }

    int count(Kind k) {
        return counts.get(k);
    }

    int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    int skipped() {
        return skipped;
    }

    /** Minutes:seconds since the soak's start. */
    String clock() {
        long s = (System.nanoTime() - startNanos) / 1_000_000_000L;
        return String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
