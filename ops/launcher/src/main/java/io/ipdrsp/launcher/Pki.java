package io.ipdrsp.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for tests: one CA, and server and client certificates it signs for given DNS
 * names and IP addresses, written into a folder in the forms the project's TLS users read — PEM (certificate chain,
 * PKCS#8 private key; Netty's {@code SslContextBuilder}) and PKCS#12 keystores (Cassandra, ZooKeeper, Jetty).
 * Keys are EC P-256 (fast to generate), signatures SHA256withECDSA, validity one day back and {@code validity}
 * ahead. Nothing here is fit for production, and nothing it writes may be committed.
 *
 * <p>Files, all in {@link #dir()}: {@code ca.pem} (CA certificate), {@code truststore.p12} (the CA as a trusted
 * entry), and per issued name {@code NAME.pem} (leaf + CA), {@code NAME.key} (PKCS#8, unencrypted) and
 * {@code NAME.p12} (key and chain under alias NAME). Every store uses {@link #password()}.
 *
 * <p>Uses BouncyCastle's certificate builder (signing goes through the JDK's own providers). The launcher declares
 * {@code org.bouncycastle:bcpkix-jdk18on} optional so it never reaches a production classpath: a module whose
 * tests use this class adds it at test scope (version managed in the root pom).
 */
public final class Pki {
    /** What an issued certificate may be used for (extended key usage). */
    public enum Usage { SERVER, CLIENT, SERVER_AND_CLIENT }

    /** One issued certificate and where its files are. */
    public record Issued(String name, X509Certificate certificate, PrivateKey privateKey, Path certificateChainPem,
            Path privateKeyPem, Path keyStore) {
    }

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final char[] password;
    private final Duration validity;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;

    private Pki(Path dir, char[] password, Duration validity, KeyPair caKeys, X509Certificate caCertificate) {
        this.dir = dir;
        this.password = password;
        this.validity = validity;
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
    }

    /** A new CA named {@code caName} (its CN), valid for 30 days, stores protected by {@code "changeit"}. */
    public static Pki create(Path dir, String caName) {
        return create(dir, caName, "changeit", Duration.ofDays(30));
    }

    public static Pki create(Path dir, String caName, String password, Duration validity) {
        Objects.requireNonNull(caName, "caName");
        try {
            Files.createDirectories(dir);
            KeyPair keys = newKeyPair();
            X500Principal subject = new X500Principal("CN=" + caName + ", O=ipdr-collector test PKI");
            X509v3CertificateBuilder b = builder(subject, subject, keys, validity);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate ca = sign(b, keys.getPrivate());
            Pki pki = new Pki(dir.toAbsolutePath(), password.toCharArray(), validity, keys, ca);
            writePem(pki.caCertificatePem(), List.of(ca));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            pki.store(trust, pki.trustStore());
            return pki;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the test CA " + caName + ": " + e, e);
        }
    }

    /** A server certificate (CN = name) for the given DNS names and IP addresses (both may be empty). */
    public Issued server(String name, List<String> dnsNames, List<String> ipAddresses) {
        return issue(name, Usage.SERVER, dnsNames, ipAddresses);
    }

    /** A client certificate (CN = name), for mutual TLS. */
    public Issued client(String name) {
        return issue(name, Usage.CLIENT, List.of(), List.of());
    }

    /** Signs a new key pair for {@code name} and writes NAME.pem, NAME.key and NAME.p12. */
    public Issued issue(String name, Usage usage, List<String> dnsNames, List<String> ipAddresses) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("a certificate name becomes a file name: letters, digits, . _ - only: "
                    + name);
        }
        try {
            KeyPair keys = newKeyPair();
            X500Principal subject = new X500Principal("CN=" + name + ", O=ipdr-collector test PKI");
            X509v3CertificateBuilder b = builder(caCertificate.getSubjectX500Principal(), subject, keys, validity);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature
                    | KeyUsage.keyAgreement));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes(usage)));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    ext.createAuthorityKeyIdentifier(caCertificate));
            GeneralNames san = subjectAltNames(dnsNames, ipAddresses);
            if (san != null) {
                b.addExtension(Extension.subjectAlternativeName, false, san);
            }
            X509Certificate cert = sign(b, caKeys.getPrivate());
            Issued issued = new Issued(name, cert, keys.getPrivate(), dir.resolve(name + ".pem"),
                    dir.resolve(name + ".key"), dir.resolve(name + ".p12"));
            writePem(issued.certificateChainPem(), List.of(cert, caCertificate));
            Files.writeString(issued.privateKeyPem(), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(name, keys.getPrivate(), password, new X509Certificate[] {cert, caCertificate});
            store(ks, issued.keyStore());
            return issued;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a certificate for " + name + ": " + e, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /** The CA certificate as PEM (a trust anchor for Netty's {@code trustManager(File)}). */
    public Path caCertificatePem() {
        return dir.resolve("ca.pem");
    }

    /** PKCS#12 store holding the CA as a trusted certificate, protected by {@link #password()}. */
    public Path trustStore() {
        return dir.resolve("truststore.p12");
    }

    /** The password of every store this PKI writes (a copy). */
    public char[] password() {
        return password.clone();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Principal issuer, X500Principal subject, KeyPair keys,
            Duration validity) {
        Instant now = Instant.now();
        // a day back: a peer whose clock is slightly behind must not see "not yet valid"
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(validity)), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE)
                .build(signer)));
    }

    private static KeyPurposeId[] purposes(Usage usage) {
        return switch (usage) {
            case SERVER -> new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth};
            case CLIENT -> new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth};
            case SERVER_AND_CLIENT -> new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth};
        };
    }

    private static GeneralNames subjectAltNames(List<String> dnsNames, List<String> ipAddresses)
            throws CertIOException {
        List<GeneralName> names = new ArrayList<>();
        for (String dns : dnsNames) {
            names.add(new GeneralName(GeneralName.dNSName, dns));
        }
        for (String ip : ipAddresses) {
            names.add(new GeneralName(GeneralName.iPAddress, literalAddress(ip)));
        }
        return names.isEmpty() ? null : new GeneralNames(names.toArray(GeneralName[]::new));
    }

    /** Refuses host names where an IP literal is expected (an IP SAN with a name in it would never match). */
    private static String literalAddress(String ip) throws CertIOException {
        if (!ip.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new CertIOException("not an IP address literal: " + ip);
        }
        try {
            return InetAddress.getByName(ip).getHostAddress();
        } catch (UnknownHostException e) {
            throw new CertIOException("not an IP address literal: " + ip, e);
        }
    }

    private void store(KeyStore ks, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password);
        }
    }

    private static void writePem(Path file, List<X509Certificate> chain) throws IOException,
            GeneralSecurityException {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : chain) {
            sb.append(pem("CERTIFICATE", c.getEncoded()));
        }
        Files.writeString(file, sb.toString(), StandardCharsets.US_ASCII);
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
