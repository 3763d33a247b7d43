package io.ipdrsp.node.security;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpsConnectorFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code security.generateCertificate: true}, an HTTPS connector whose key store does not exist yet gets a
 * self-signed certificate there on first start (EC P-256, SANs localhost, 127.0.0.1, ::1 and the bind address),
 * made by the JDK's keytool, so that the embedded default can serve HTTPS the way Elasticsearch 8 does. Clients must
 * then trust that certificate (the ipdr commands read it from the key store on the same machine); a real deployment
 * uses a certificate from its own CA instead.
 */
public final class SelfSignedCertificate {
    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificate.class);

    private SelfSignedCertificate() {
    }

    /** Creates the missing key stores of the HTTPS connectors; returns the ones it created. */
    public static List<Path> createMissing(ServerFactory server) {
        List<Path> created = new ArrayList<>();
        if (server instanceof DefaultServerFactory d) {
            List<ConnectorFactory> all = new ArrayList<>(d.getApplicationConnectors());
            all.addAll(d.getAdminConnectors());
            for (ConnectorFactory c : all) {
                if (c instanceof HttpsConnectorFactory h && h.getKeyStorePath() != null
                        && !Files.exists(Path.of(h.getKeyStorePath()))) {
                    Path p = Path.of(h.getKeyStorePath()).toAbsolutePath();
                    create(p, h.getKeyStorePassword(), h.getBindHost());
                    created.add(p);
                }
            }
        }
        return created;
    }

    static void create(Path p12, String password, String bindHost) {
        if (password == null || password.length() < 6) {
            throw new IllegalStateException("the HTTPS connector's keyStorePassword must have at least 6 characters to "
                    + "generate " + p12);
        }
        String san = "dns:localhost,ip:127.0.0.1,ip:::1";
        if (bindHost != null && !bindHost.isBlank() && !bindHost.equals("0.0.0.0") && !bindHost.equals("127.0.0.1")) {
            san += bindHost.chars().anyMatch(Character::isLetter) && !bindHost.contains(":") ? ",dns:" + bindHost
                    : ",ip:" + bindHost;
        }
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> cmd = List.of(keytool, "-genkeypair", "-alias", "ipdr-node", "-keyalg", "EC", "-groupname",
                "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=ipdr-node self-signed", "-ext", "SAN=" + san,
                "-validity", "825", "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass:env", "IPDR_KS",
                "-keypass:env", "IPDR_KS");
        try {
            Files.createDirectories(p12.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("IPDR_KS", password); // never on the command line, where ps shows it
            Process proc = pb.start();
            String output = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!proc.waitFor(60, TimeUnit.SECONDS) || proc.exitValue() != 0) {
                throw new IllegalStateException("keytool could not create " + p12 + ": " + output.trim());
            }
            LOG.info("generated a self-signed HTTPS certificate in {} (SAN {})", p12, san);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + keytool + " to create " + p12 + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + p12, e);
        }
    }
}
