package io.ipdrsp.node.transport;

import io.ipdrsp.node.session.ExporterMetrics;
import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.protocol.ErrorCodes;
import io.ipdrsp.protocol.ErrorMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the node sends ERROR: protocol errors, keep-alive expiry, refusals. Each one is counted by code
 * ({@code ipdr_protocol_errors_sent_total{code}} and the CMTS's {@code errorsSent}), logged at most once per interval
 * per CMTS or source address (with the count of those left out), written, and the connection closed after it
 * (SP 2.1 §4.2.1: a connection-level ERROR ends the connection). Nothing is read from it meanwhile.
 */
public final class ProtocolErrors {
    private static final Logger LOG = LoggerFactory.getLogger(ProtocolErrors.class);
    private static final int MAX_DESCRIPTION = 500;

    private final ExporterMetrics metrics;
    private final RateLimitedLog limiter;

    public ProtocolErrors(ExporterMetrics metrics, RateLimitedLog limiter) {
        this.metrics = metrics;
        this.limiter = limiter;
    }

    /**
     * Sends a connection-level ERROR on {@code ch} and closes it. Does nothing on a channel that is already closed.
     *
     * @param exporter the CMTS the connection belongs to, or null when it is not known (refused, unconfigured)
     */
    public void send(Channel ch, ExporterState exporter, int code, String description) {
        if (!ch.isActive()) {
            return;
        }
        String text = description.length() > MAX_DESCRIPTION ? description.substring(0, MAX_DESCRIPTION) : description;
        metrics.errorSent(code);
        if (exporter != null) {
            exporter.errorSent("sent ERROR " + code + ": " + text);
        }
        String peer = peer(ch);
        String who = exporter != null ? exporter.name() : peer;
        long skipped = limiter.admit(who);
        if (skipped >= 0) {
            LOG.warn("{}: ERROR {} ({}) sent: {}; closing {}{}", who, code, ErrorCodes.name(code), text, peer,
                    RateLimitedLog.suppressed(skipped));
        }
        ch.config().setAutoRead(false);
        ch.writeAndFlush(new ErrorMessage(0, System.currentTimeMillis() / 1000, false, code, text))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** The limiter for other per-CMTS or per-address lines of the transport (refusals, connection errors). */
    public RateLimitedLog limiter() {
        return limiter;
    }

    /** The peer's IP address, the key under which a source is rate-limited. */
    public static String peer(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : String.valueOf(ch.remoteAddress());
    }
}
