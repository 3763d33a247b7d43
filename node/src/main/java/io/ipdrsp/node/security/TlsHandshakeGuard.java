package io.ipdrsp.node.security;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right after the SslHandler: a failed handshake (a plain IPDR/SP client on a TLS port, a certificate nobody
 * signed that we trust, no common protocol) closes the connection without reaching the IPDR/SP handler, which would
 * otherwise report it as a protocol error. Logged at most once a minute per key with a count, so a scan of the port
 * cannot flood the log; other sessions are untouched.
 */
final class TlsHandshakeGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TlsHandshakeGuard.class);
    private static final long EVERY = TimeUnit.MINUTES.toNanos(1);
    private static final java.util.concurrent.ConcurrentHashMap<String, AtomicLong[]> LAST = new java.util.concurrent.ConcurrentHashMap<>();

    private final String key;

    TlsHandshakeGuard(String key) {
        this.key = key;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            if (!e.isSuccess()) {
                refused(ctx, e.cause());
                return;
            }
            ctx.pipeline().remove(this); // the handshake is done: nothing more to guard
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof SSLException || (cause instanceof DecoderException && cause.getCause() instanceof SSLException)) {
            refused(ctx, cause);
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    private void refused(ChannelHandlerContext ctx, Throwable cause) {
        AtomicLong[] state = LAST.computeIfAbsent(key, k -> new AtomicLong[] {new AtomicLong(System.nanoTime() - EVERY),
                new AtomicLong()});
        long suppressed = state[1].incrementAndGet();
        long last = state[0].get();
        long now = System.nanoTime();
        if (now - last >= EVERY && state[0].compareAndSet(last, now)) {
            state[1].set(0);
            LOG.warn("{}: TLS handshake with {} failed, connection closed ({}){}", key, ctx.channel().remoteAddress(),
                    cause == null ? "?" : cause.getMessage(), suppressed > 1 ? " — " + (suppressed - 1)
                            + " more in the last minute" : "");
        }
        ctx.close();
    }
}
