package io.ipdrsp.node.health;

import com.codahale.metrics.health.HealthCheck;
import io.ipdrsp.node.NodeServices;
import io.ipdrsp.node.store.NodeStorage;
import java.util.concurrent.TimeUnit;

/** Healthy when Cassandra answers a query within 3 s. */
public final class CassandraHealthCheck extends HealthCheck {
    private final NodeServices services;

    public CassandraHealthCheck(NodeServices services) {
        this.services = services;
    }

    @Override
    protected Result check() throws Exception {
        NodeStorage store = services.store();
        if (store == null) {
            return Result.unhealthy("storage not started");
        }
        boolean ok = store.probe().toCompletableFuture().get(3, TimeUnit.SECONDS);
        return ok ? Result.healthy("keyspace " + store.keyspace()) : Result.unhealthy("Cassandra does not answer");
    }
}
