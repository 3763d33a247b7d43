package io.ipdrsp.node.transport;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays: exponential from {@code minMillis} to {@code maxMillis} with "full jitter" (a uniform draw in
 * [delay/2, delay]), so that a node that lost many CMTSes at once does not redial them all in lock step.
 */
final class Backoff {
    private final long minMillis;
    private final long maxMillis;
    private int attempt;

    Backoff(long minMillis, long maxMillis) {
        this.minMillis = Math.max(1, minMillis);
        this.maxMillis = Math.max(this.minMillis, maxMillis);
    }

    long nextDelayMillis() {
        long ceiling = minMillis << Math.min(attempt, 20);
        if (ceiling <= 0 || ceiling > maxMillis) {
            ceiling = maxMillis;
        }
        attempt++;
        long floor = ceiling / 2;
        return floor + ThreadLocalRandom.current().nextLong(ceiling - floor + 1);
    }

    void reset() {
        attempt = 0;
    }
}
