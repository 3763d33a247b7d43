package io.ipdrsp.simulator;

import io.ipdrsp.launcher.Pki;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** JDK TLS contexts for the test collector, from {@link Pki} keystores. */
final class TestTls {
    private TestTls() {
    }

    /** A context presenting {@code identity} (null = no certificate) and trusting {@code trustedCa}'s CA. */
    static SSLContext context(Pki.Issued identity, Pki identityPki, Pki trustedCa) throws Exception {
        KeyManagerFactory kmf = null;
        if (identity != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(identity.keyStore())) {
                ks.load(in, identityPki.password());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, identityPki.password());
        }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        Path trust = trustedCa.trustStore();
        try (InputStream in = Files.newInputStream(trust)) {
            ts.load(in, trustedCa.password());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
