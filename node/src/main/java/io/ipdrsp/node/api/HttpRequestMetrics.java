package io.ipdrsp.node.api;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;

/**
 * {@code http_server_request_duration_seconds{connector,method,code}}: every HTTP request of the API and admin
 * connectors, as a histogram. It replaces Dropwizard's Jetty timers in {@code /prometheus}, which are summaries and
 * whose names embed the connector's bind address and port (one series name per pod and port). A servlet filter on
 * each connector's context; the time includes writing the response (a streamed document export too).
 */
public final class HttpRequestMetrics implements Filter {
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");

    private final Histogram requests;
    private final String connector;

    private HttpRequestMetrics(Histogram requests, String connector) {
        this.requests = requests;
        this.connector = connector;
    }

    /** The histogram, registered; {@link #on} makes the filter of each connector. */
    public static Histogram register(PrometheusRegistry registry) {
        Histogram h = Histogram.builder().name("http_server_request_duration_seconds").unit(Unit.SECONDS)
                .help("HTTP requests of the API (connector=application) and admin (connector=admin) ports, from"
                        + " receipt to the end of the response, by method and status code")
                .labelNames("connector", "method", "code").classicOnly().classicUpperBounds(BUCKETS)
                .withoutExemplars().build();
        registry.register(h);
        return h;
    }

    /** The filter for one connector ({@code application} or {@code admin}). */
    public static HttpRequestMetrics on(Histogram requests, String connector) {
        return new HttpRequestMetrics(requests, connector);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long start = System.nanoTime();
        try {
            chain.doFilter(request, response);
        } finally {
            if (request instanceof HttpServletRequest in && response instanceof HttpServletResponse out) {
                String method = METHODS.contains(in.getMethod()) ? in.getMethod() : "other";
                requests.labelValues(connector, method, Integer.toString(out.getStatus()))
                        .observe((System.nanoTime() - start) / 1e9);
            }
        }
    }
}
