package io.ipdrsp.node.security;

import io.dropwizard.servlets.tasks.Task;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.ListenConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Loads the IPDR/SP TLS contexts at start (listen.tls, exporters[i].tls) and reloads them when their files change:
 * every {@code reloadSeconds} (the shortest configured) and on {@code POST /tasks/reload-tls} (operator), so that a
 * renewed certificate (cert-manager rewriting a mounted Secret) is used by the next connection without a restart.
 */
public final class TlsReloader implements AutoCloseable {
    private final List<IpdrTls> contexts = new ArrayList<>();
    private ScheduledExecutorService timer;

    /** @throws IllegalStateException naming the key of a file that cannot be loaded */
    public static TlsReloader start(ListenConfig listen, List<ExporterConfig> exporters) {
        TlsReloader r = new TlsReloader();
        if (listen.isEnabled() && listen.getTls().isEnabled()) {
            listen.getTls().load(true, "listen.tls");
            r.contexts.add(listen.getTls());
        }
        for (int i = 0; i < exporters.size(); i++) {
            ExporterConfig e = exporters.get(i);
            if (e.getDirection() == Direction.CONNECT && e.getTls().isEnabled()) {
                e.getTls().load(false, "exporters[" + i + "].tls");
                r.contexts.add(e.getTls());
            }
        }
        int every = r.contexts.stream().mapToInt(IpdrTls::getReloadSeconds).filter(s -> s > 0).min().orElse(0);
        if (every > 0) {
            r.timer = Executors.newSingleThreadScheduledExecutor(t -> {
                Thread th = new Thread(t, "ipdr-tls-reload");
                th.setDaemon(true);
                return th;
            });
            r.timer.scheduleWithFixedDelay(r::reload, every, every, TimeUnit.SECONDS);
        }
        return r;
    }

    /** Reloads every context whose files changed; returns how many were rebuilt. */
    public int reload() {
        int n = 0;
        for (IpdrTls t : contexts) {
            n += t.reloadIfChanged() ? 1 : 0;
        }
        return n;
    }

    /** {@code POST /tasks/reload-tls}: reload now instead of at the next interval. */
    public static Task task(java.util.function.Supplier<TlsReloader> reloader) {
        return new Task("reload-tls") {
            @Override
            public void execute(Map<String, List<String>> parameters, PrintWriter output) {
                TlsReloader r = reloader.get();
                output.println(r == null ? "the node is not running" : r.reload() + " TLS context(s) reloaded");
            }
        };
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
