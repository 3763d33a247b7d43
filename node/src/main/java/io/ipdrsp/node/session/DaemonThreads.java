package io.ipdrsp.node.session;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The session layer's own threads: one each, named, daemon (they never keep a stopping node alive). */
final class DaemonThreads {
    private DaemonThreads() {
    }

    static ScheduledExecutorService single(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
