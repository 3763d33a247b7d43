package io.ipdrsp.node.health;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/**
 * {@code GET /ready} on the admin port: 200 when the node can take records (the health checks named here, i.e.
 * Cassandra, pass), 503 otherwise. Unlike {@code /healthcheck} it ignores whether the configured CMTSes are
 * connected: a pod that waits for its CMTSes before it is ready would never get them through a Kubernetes Service,
 * which only routes to ready pods.
 */
public final class ReadinessServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient HealthCheckRegistry registry;
    private final List<String> required;

    public ReadinessServlet(HealthCheckRegistry registry, List<String> required) {
        this.registry = registry;
        this.required = List.copyOf(required);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        StringBuilder body = new StringBuilder();
        boolean ready = true;
        for (String name : required) {
            HealthCheck.Result r;
            try {
                r = registry.runHealthCheck(name);
            } catch (java.util.NoSuchElementException e) {
                r = HealthCheck.Result.unhealthy("not registered");
            }
            ready &= r.isHealthy();
            // no check messages: /ready answers without credentials (probes), and they name hosts and CMTSes;
            // /healthcheck (viewer) has them
            body.append(name).append(": ").append(r.isHealthy() ? "ok" : "FAILING").append('\n');
        }
        resp.setStatus(ready ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        resp.setContentType("text/plain;charset=utf-8");
        resp.setHeader("Cache-Control", "must-revalidate,no-cache,no-store");
        try (PrintWriter w = resp.getWriter()) {
            w.print((ready ? "ready\n" : "not ready\n") + body);
        }
    }
}
