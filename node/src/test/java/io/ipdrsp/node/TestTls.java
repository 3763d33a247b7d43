package io.ipdrsp.node;

import io.ipdrsp.launcher.Pki;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** TLS clients for raw-socket tests against a node's IPDR/SP TLS listen port, with certificates from {@link Pki}. */
final class TestTls {
    private TestTls() {
    }

    /** A client context trusting the test CA, with {@code cert} as client certificate (null: none). */
    static SSLContext client(Pki pki, Pki.Issued cert) throws GeneralSecurityException, IOException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(pki.trustStore(), pki.password()));
        KeyManagerFactory kmf = null;
        if (cert != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(cert.keyStore(), pki.password()), pki.password());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    static KeyStore load(Path p12, char[] password) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, password);
        }
        return ks;
    }

    /**
     * A TLS socket to 127.0.0.1:{@code port} from {@code localAddress} (a node admits CMTSes by source address), its
     * handshake not started yet.
     */
    static SSLSocket connect(SSLContext ctx, String localAddress, int port) throws IOException {
        Socket raw = new Socket();
        raw.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        raw.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return (SSLSocket) ctx.getSocketFactory().createSocket(raw, "127.0.0.1", port, true);
    }
}
