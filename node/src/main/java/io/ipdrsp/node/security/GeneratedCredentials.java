package io.ipdrsp.node.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The embedded default's credentials, the way Elasticsearch 8 starts secure: on first start a user {@code admin} with
 * every role and a random password, kept in {@code <credentialsDir>/admin.credentials} as {@code admin:<password>}
 * (owner read/write only) so that {@code ipdr} commands and the demo on the same machine can pick it up. Later starts,
 * and other nodes sharing the folder, read the same file: creation is atomic, so concurrent first starts agree.
 *
 * @param user     the user name
 * @param password the clear password (only in memory and in the owner-only file)
 * @param file     where it is stored
 * @param created  true when this start created it (then it is printed once)
 */
public record GeneratedCredentials(String user, String password, Path file, boolean created) {
    public static final String FILE_NAME = "admin.credentials";
    public static final String USER = "admin";

    /** Reads {@code dir/admin.credentials}, creating it (and dir, mode 700) when missing. */
    public static GeneratedCredentials loadOrCreate(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        boolean[] created = new boolean[1];
        String text = loadOrCreate(file, () -> USER + ":" + random(), created);
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalStateException(file + " must hold user:password; delete it to have a new one generated");
        }
        return new GeneratedCredentials(text.substring(0, colon), text.substring(colon + 1), file, created[0]);
    }

    /**
     * A generated secret in {@code file} (owner read/write only), created with a random value when missing; nodes
     * sharing the folder agree on one value even when they start at the same moment.
     */
    public static String loadOrCreateSecret(Path file) {
        return loadOrCreate(file, GeneratedCredentials::random, new boolean[1]);
    }

    private static String random() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static String loadOrCreate(Path file, java.util.function.Supplier<String> content, boolean[] created) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dir);
                restrict(dir, "rwx------");
                Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
                restrict(tmp, "rw-------");
                String value = content.get();
                Files.writeString(tmp, value + "\n", StandardCharsets.UTF_8);
                try {
                    // a link fails when the name exists: a node starting at the same moment keeps its own file
                    Files.createLink(file, tmp);
                    created[0] = true;
                    return value;
                } catch (FileAlreadyExistsException | UnsupportedOperationException | AtomicMoveNotSupportedException raced) {
                    // read the winner's below
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("security.credentialsDir " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void restrict(Path p, String perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the folder's ACL applies
        }
    }

    @Override
    public String toString() {
        return "GeneratedCredentials[" + user + ", " + file + "]"; // never the password
    }
}
