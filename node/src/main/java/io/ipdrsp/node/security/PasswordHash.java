package io.ipdrsp.node.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes for the YAML: {@code pbkdf2-sha256:<iterations>:<salt, base64>:<hash, base64>}, PBKDF2 with
 * HMAC-SHA256 from the JDK. The iteration count travels with the hash, so raising it later only needs new hashes.
 * {@code ipdr node hash-password} prints one.
 */
public final class PasswordHash {
    public static final String SCHEME = "pbkdf2-sha256";
    /** OWASP's figure for PBKDF2-HMAC-SHA256; about 0.1-0.3 s of one core per verification (cached after). */
    public static final int DEFAULT_ITERATIONS = 310_000;
    /** Below this a stolen hash is too cheap to brute force; the configuration check refuses it. */
    public static final int MIN_ITERATIONS = 10_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    public static String create(char[] password) {
        return create(password, DEFAULT_ITERATIONS);
    }

    public static String create(char[] password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + ":" + iterations + ":" + b64.encodeToString(salt) + ":"
                + b64.encodeToString(derive(password, salt, iterations));
    }

    /** @throws IllegalArgumentException saying what is wrong with the text (never echoing it) */
    public static PasswordHash parse(String text) {
        String[] p = text == null ? new String[0] : text.trim().split(":");
        if (p.length != 4 || !p[0].equals(SCHEME)) {
            throw new IllegalArgumentException("must be " + SCHEME + ":<iterations>:<salt>:<hash> as printed by "
                    + "'ipdr node hash-password'");
        }
        int iterations;
        byte[] salt;
        byte[] hash;
        try {
            iterations = Integer.parseInt(p[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("has a bad iteration count: create it again with 'ipdr node hash-password'");
        }
        try {
            salt = Base64.getDecoder().decode(p[2]);
            hash = Base64.getDecoder().decode(p[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not valid base64 in its salt or hash");
        }
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("has " + iterations + " iterations, fewer than " + MIN_ITERATIONS
                    + ": create it again with 'ipdr node hash-password'");
        }
        if (salt.length < 8 || hash.length != HASH_BITS / 8) {
            throw new IllegalArgumentException("has a salt or hash of the wrong length: create it again with "
                    + "'ipdr node hash-password'");
        }
        return new PasswordHash(iterations, salt, hash);
    }

    /** Constant-time comparison of the derived key. */
    public boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
