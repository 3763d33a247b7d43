package io.ipdrsp.dedup.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The finalizer's worker threads ({@code ipdr-finalizer-<node>-<n>}): run the tasks of one step of a pass,
 * {@code parallelism} at a time, and wait for all of them — a pass's verdicts are all written before its provisional
 * states start ({@link ExporterPass}).
 */
final class PassWorkers implements AutoCloseable {
    private final ExecutorService pool;

    PassWorkers(String nodeId, int parallelism) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(parallelism,
                daemon(() -> "ipdr-finalizer-" + nodeId + "-" + n.incrementAndGet()));
    }

    static ThreadFactory daemon(java.util.function.Supplier<String> name) {
        return r -> {
            Thread t = new Thread(r, name.get());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Runs every task and returns when all are done (or the pool is closing).
     *
     * @return the sum of what the tasks returned (their failures), a task that threw counting as one
     */
    int runAll(List<Callable<Integer>> tasks) {
        List<Future<Integer>> running = new ArrayList<>();
        for (Callable<Integer> task : tasks) {
            try {
                running.add(pool.submit(task));
            } catch (RejectedExecutionException e) {
                break; // closing
            }
        }
        int failed = 0;
        for (Future<Integer> f : running) {
            try {
                failed += f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failed;
            } catch (ExecutionException e) {
                failed++;
            }
        }
        return failed;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
