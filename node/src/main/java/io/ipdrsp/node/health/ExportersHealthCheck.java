package io.ipdrsp.node.health;

import com.codahale.metrics.health.HealthCheck;
import io.ipdrsp.node.NodeServices;
import io.ipdrsp.node.session.ExporterState;
import java.util.List;

/**
 * Healthy when every configured CMTS (under exporters or in the inventory) is connected. Reports the ones that are not, with their last error, so that
 * an operator sees which CMTS to look at.
 */
public final class ExportersHealthCheck extends HealthCheck {
    private final NodeServices services;

    public ExportersHealthCheck(NodeServices services) {
        this.services = services;
    }

    @Override
    protected Result check() {
        // listed and inventory CMTSes must be connected; those admitted by range come and go on their own
        java.util.Set<String> configured = java.util.Set.copyOf(services.directory().configured());
        List<String> down = services.exporters().stream()
                .filter(e -> configured.contains(e.name()) && e.link() != ExporterState.Link.CONNECTED)
                .map(e -> e.name() + " (" + e.link() + (e.view().lastError().isEmpty() ? "" : ", " + e.view().lastError()) + ")")
                .toList();
        if (down.isEmpty()) {
            return Result.healthy(configured.size() + " configured CMTS(es) connected");
        }
        return Result.unhealthy("not connected: " + String.join("; ", down));
    }
}
