package io.ipdrsp.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Class-data sharing for a node JVM: JDK 17's dynamic AppCDS archive, written by one run when it exits and mapped by
 * the next. On two cores most of a node's start-up is loading, verifying and interpreting some 15,000 classes;
 * mapped from an archive they cost a fraction (docs/performance.md, "Node start-up").
 *
 * <p>The archive's name is a digest of what the JVM itself checks before it maps one (its own build, the path, size
 * and modification time of every class path entry, and the JVM's options: a heap above 32 GiB, say, turns off the
 * compressed pointers an archive was written with), so a rebuilt jar, another JDK or other options get a new archive
 * instead of one the JVM would silently refuse. An archive is mapped only when the run that wrote it got up (the
 * node then writes the mark {@code NAME.up}: the archive holds a whole start's classes) and its header is complete
 * (HotSpot writes the header last, so a JVM killed while writing leaves none); otherwise it is written again.
 * HotSpot cannot archive classes from a directory that holds classes, so a class path with one (a checkout's
 * {@code target/classes}) gets no options.
 *
 * <p>The image's {@code ipdr} command does the same in bash (ops/image, {@code IPDR_CDS_DIR}).
 */
public final class ClassDataArchive {
    /** The first four bytes of a complete dynamic archive (HotSpot's CDS_DYNAMIC_ARCHIVE_MAGIC, little-endian). */
    private static final byte[] MAGIC = {(byte) 0xa8, (byte) 0xab, 0x0b, (byte) 0xf0};
    private static final String PREFIX = "node-";
    private static final String SUFFIX = ".jsa";
    private static final String MARK = ".up";

    private ClassDataArchive() {
    }

    /**
     * The JVM options that use (or, when there is none yet, write) the archive for {@code classpath} in {@code dir}:
     * {@code -XX:SharedArchiveFile=…} or {@code -XX:ArchiveClassesAtExit=…}, with the dump's warnings about classes
     * it skips kept out of the node's log. {@code options}: the JVM's other options. Empty when the class path holds a
     * directory of classes.
     */
    public static List<String> jvmOptions(String classpath, List<String> options, Path dir) throws IOException {
        if (holdsClassDirectory(classpath)) {
            return List.of();
        }
        Path archive = dir.resolve(PREFIX + key(classpath, options) + SUFFIX);
        if (isUsable(archive)) {
            return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        }
        // everything else here goes: earlier builds' archives (45-90 MB each, never mapped again), this one's
        // incomplete copy, a mark left by a run killed before its JVM wrote the archive
        Files.createDirectories(dir);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
        }
        return List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    /** Whether {@code archive} was written by a run that got up, and has a complete header. */
    private static boolean isUsable(Path archive) throws IOException {
        if (!Files.isRegularFile(archive) || !Files.exists(mark(archive))) {
            return false;
        }
        try (InputStream in = Files.newInputStream(archive)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        }
    }

    /** The mark the node writes next to {@code archive} once it is up ({@code io.ipdrsp.node.ClassDataArchiveMark}). */
    public static Path mark(Path archive) {
        return archive.resolveSibling(archive.getFileName() + MARK);
    }

    /** A digest of this JVM's build, the options, and every class path entry's path, size and modification time. */
    static String key(String classpath, List<String> options) throws IOException {
        MessageDigest d = sha256();
        update(d, System.getProperty("java.home"));
        update(d, System.getProperty("java.vm.version"));
        options.forEach(o -> update(d, o));
        for (String entry : classpath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            update(d, entry);
            if (Files.exists(p)) {
                update(d, Files.size(p) + "/" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return HexFormat.of().formatHex(d.digest(), 0, 8);
    }

    private static boolean holdsClassDirectory(String classpath) throws IOException {
        for (String entry : classpath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.list(p)) {
                    if (files.findAny().isPresent()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static void update(MessageDigest d, String s) {
        d.update(s.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
