package io.ipdrsp.simulator;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/** Builds a CMTS's Netty TLS context from its {@link TlsSpec} (JDK provider, PEM files). */
final class TlsContexts {
    private TlsContexts() {
    }

    /**
     * The context for {@code spec}, or null for plain TCP. Unreadable or mismatched files fail here, at start, with
     * one message naming the key and the file.
     */
    static SslContext forCmts(CmtsSpec spec) {
        TlsSpec t = spec.tls();
        if (t == null) {
            return null;
        }
        requireFile(spec, "certificate", t.certificate());
        requireFile(spec, "key", t.key());
        requireFile(spec, "trust", t.trust());
        try {
            SslContextBuilder b;
            if (spec.direction() == Direction.LISTEN) {
                b = SslContextBuilder.forServer(t.certificate().toFile(), t.key().toFile());
                if (t.trust() != null) {
                    b.trustManager(t.trust().toFile()).clientAuth(ClientAuth.REQUIRE); // mutual TLS
                }
            } else {
                b = SslContextBuilder.forClient();
                if (t.trust() != null) {
                    b.trustManager(t.trust().toFile());
                }
                if (t.certificate() != null) {
                    b.keyManager(t.certificate().toFile(), t.key().toFile());
                }
            }
            b.sslProvider(SslProvider.JDK).protocols(t.protocols());
            if (!t.ciphers().isEmpty()) {
                b.ciphers(t.ciphers());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("CMTS " + spec.name() + ": tls: cannot use " + t.certificate() + " / "
                    + t.key() + " / " + t.trust() + ": " + e.getMessage(), e);
        }
    }

    private static void requireFile(CmtsSpec spec, String key, Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException("CMTS " + spec.name() + ": tls." + key + ": cannot read " + file
                    + " (give a PEM file)");
        }
    }

    /**
     * The handler for one connection. A CMTS that dials checks the collector's certificate against the address it
     * dialled (endpoint identification), unless the spec turns that off.
     */
    static SslHandler handler(SslContext ctx, ByteBufAllocator alloc, CollectorSpec dialled, boolean verifyHostname) {
        if (dialled == null) {
            return ctx.newHandler(alloc);
        }
        SslHandler h = ctx.newHandler(alloc, dialled.host(), dialled.port());
        if (verifyHostname) {
            SSLEngine engine = h.engine();
            SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
        }
        return h;
    }
}
