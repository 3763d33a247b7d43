package io.ipdrsp.node.session;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * After a FLOW_STOP because storage failed: asks every {@value #PROBE_MILLIS} ms whether Cassandra answers (a cheap
 * query, off the event loop) and, once it does, runs the restart on the connection's event loop — unless the wait
 * has ended otherwise meanwhile (connection closed, flow started again).
 */
final class StorageProbe {
    static final long PROBE_MILLIS = 2000;

    private StorageProbe() {
    }

    /**
     * @param waiting   still waiting for storage (checked on the event loop before each probe and before the restart)
     * @param onAnswer  run on the event loop once storage answered
     */
    static void await(Connection conn, BooleanSupplier waiting, Runnable onAnswer) {
        conn.channel.eventLoop().schedule(() -> probe(conn, waiting, onAnswer), PROBE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static void probe(Connection conn, BooleanSupplier waiting, Runnable onAnswer) {
        if (!waiting.getAsBoolean()) {
            return;
        }
        conn.ctx.storageProbe().get().whenComplete((ok, ex) -> conn.channel.eventLoop().execute(() -> {
            if (!waiting.getAsBoolean()) {
                return;
            }
            if (ex == null && Boolean.TRUE.equals(ok)) {
                onAnswer.run();
            } else {
                await(conn, waiting, onAnswer);
            }
        }));
    }
}
