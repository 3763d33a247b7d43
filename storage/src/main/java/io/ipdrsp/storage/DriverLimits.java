package io.ipdrsp.storage;

/**
 * How many requests the driver carries and how it behaves beyond that: sized for a node that opens thousands of
 * sessions at once (each SESSION_START writes a document, a segment and templates and loads the document's state).
 * With the driver's defaults (one connection per node, 1 024 requests on it, no throttling) such a burst failed
 * 19 064 requests with "NodeUnavailableException: No connection was available" (issue 19): requests beyond a
 * connection's capacity fail at once. Here a concurrency-limiting throttler ({@code advanced.throttler}) lets at most
 * {@code maxConcurrentRequests} run and queues the rest, so a burst waits instead of failing and being retried; the
 * request timeout includes the time in that queue. The pool is larger than the throttler's limit so that "no
 * connection available" means a node is down, never a busy moment.
 *
 * @param connectionsPerLocalNode  connections to each Cassandra node of the local data center
 *                                 ({@code advanced.connection.pool.local.size}; driver default 1)
 * @param connectionsPerRemoteNode the same for remote data centers ({@code pool.remote.size}; only used when the
 *                                 load-balancing policy sends there)
 * @param maxRequestsPerConnection concurrent requests on one connection ({@code advanced.connection
 *                                 .max-requests-per-connection}; driver default 1 024, protocol V4 allows 32 768)
 * @param maxConcurrentRequests    requests of this node in flight at once ({@code advanced.throttler
 *                                 .max-concurrent-requests}); at most connectionsPerLocalNode × maxRequestsPerConnection
 * @param maxQueuedRequests        requests waiting for the throttler ({@code advanced.throttler.max-queue-size});
 *                                 beyond this a request fails at once with RequestThrottlingException
 */
public record DriverLimits(int connectionsPerLocalNode, int connectionsPerRemoteNode, int maxRequestsPerConnection,
        int maxConcurrentRequests, int maxQueuedRequests) {

    public DriverLimits {
        atLeast("connectionsPerLocalNode", connectionsPerLocalNode, 1);
        atLeast("connectionsPerRemoteNode", connectionsPerRemoteNode, 1);
        atLeast("maxRequestsPerConnection", maxRequestsPerConnection, 1);
        if (maxRequestsPerConnection > 32_768) {
            throw new IllegalArgumentException("maxRequestsPerConnection must be at most 32768 (protocol V4 stream"
                    + " ids): " + maxRequestsPerConnection);
        }
        atLeast("maxConcurrentRequests", maxConcurrentRequests, 1);
        atLeast("maxQueuedRequests", maxQueuedRequests, 0);
        if ((long) connectionsPerLocalNode * maxRequestsPerConnection < maxConcurrentRequests) {
            throw new IllegalArgumentException("maxConcurrentRequests (" + maxConcurrentRequests + ") must not exceed"
                    + " connectionsPerLocalNode x maxRequestsPerConnection (" + connectionsPerLocalNode + " x "
                    + maxRequestsPerConnection + "): raise the pool or lower the throttler");
        }
    }

    /**
     * Two connections of 2 048 requests per local node, 1 024 requests at once, 20 000 waiting: a node of 1 000
     * CMTSes × 3 sessions starting together issues ~10 000 metadata and state requests, and a 2-core Cassandra
     * completes a few thousand per second, so the burst drains in seconds within the 5 s request timeout's reach.
     */
    public static DriverLimits defaults() {
        return new DriverLimits(2, 1, 2048, 1024, 20_000);
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ": " + value);
        }
    }
}
