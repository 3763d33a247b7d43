package io.ipdrsp.simulator;

import java.util.Objects;

/**
 * One collector a CMTS is configured with. {@code priority} 1 is the highest (Arris convention, digest §4.3).
 * For a CMTS that connects out, {@code host:port} is where the collector listens; for a CMTS that listens, only
 * {@code host} matters: an incoming connection is matched to the collector by its source address, as a CMTS does.
 *
 * @param name how the ledger and logs name the collector (default {@code host:port})
 */
public record CollectorSpec(String name, String host, int port, int priority) {
    public CollectorSpec {
        Objects.requireNonNull(host, "host");
        if (priority < 1 || priority > 255) {
            throw new IllegalArgumentException("priority must be 1..255: " + priority);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        if (name == null || name.isBlank()) {
            name = host + ":" + port;
        }
    }

    public static CollectorSpec at(String host, int port, int priority) {
        return new CollectorSpec(null, host, port, priority);
    }

    public CollectorSpec named(String newName) {
        return new CollectorSpec(newName, host, port, priority);
    }
}
