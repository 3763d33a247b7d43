package io.ipdrsp.launcher;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Where a node JVM's classes come from. The launcher knows the node only as a main class on a class path: the
 * node's own (its module's classes and the runtime class path its build writes), or, for the node module's own
 * tests, the test JVM's.
 */
public final class NodeClasspath {
    /** Written by the node module's build (maven-dependency-plugin build-classpath, runtime scope). */
    static final String CLASSPATH_FILE = "node/target/classpath.txt";
    static final String CLASSES = "node/target/classes";

    private NodeClasspath() {
    }

    /** System property: a class path to run nodes on instead (e.g. a frozen copy of the module jars for benchmarks). */
    public static final String OVERRIDE = "ipdr.node.classpath";

    /**
     * The node module's classes and runtime class path in the checkout at {@code home}, or the class path in the
     * system property {@value #OVERRIDE} when set.
     *
     * @throws LaunchException when the node module was not built, naming the build command
     */
    public static String ofCheckout(Path home) {
        String override = System.getProperty(OVERRIDE);
        if (override != null && !override.isBlank()) {
            return override;
        }
        Path file = home.resolve(CLASSPATH_FILE);
        Path classes = home.resolve(CLASSES);
        if (!Files.isRegularFile(file) || !Files.isDirectory(classes)) {
            throw new LaunchException("the node module is not built (no " + file + "); run: mvn -B -pl node -am "
                    + "install -DskipTests in " + home);
        }
        try {
            return currentJar(home, classes) + File.pathSeparator + Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * The node module's jar when it is as new as every compiled class (what {@code mvn install} leaves), else the
     * classes folder (a build that stopped at compile, or an IDE's). Only a class path of jars can be archived for
     * class-data sharing ({@link ClassDataArchive}).
     */
    static Path currentJar(Path home, Path classes) throws IOException {
        Path jar;
        try (Stream<Path> jars = Files.list(home.resolve("node/target"))) {
            jar = jars.filter(p -> p.getFileName().toString().matches("ipdr-node-[0-9][^-]*(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElse(null);
        }
        if (jar == null) {
            return classes;
        }
        long built = Files.getLastModifiedTime(jar).toMillis();
        try (Stream<Path> files = Files.walk(classes)) {
            boolean newer = files.filter(Files::isRegularFile).anyMatch(f -> modified(f) > built);
            return newer ? classes : jar;
        }
    }

    private static long modified(Path f) {
        try {
            return Files.getLastModifiedTime(f).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE; // vanished while we looked: a build is running, take the folder
        }
    }

    /**
     * This JVM's class path. Surefire may run tests from a manifest-only booter jar, so java.class.path can be that
     * one jar; the real class path is then in {@code surefire.test.class.path} or in the jar's Class-Path.
     */
    public static String ofThisJvm() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        String[] parts = cp.split(File.pathSeparator);
        if (parts.length == 1 && parts[0].endsWith(".jar")) {
            try (JarFile jar = new JarFile(parts[0])) {
                Manifest mf = jar.getManifest();
                String classPath = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
                if (classPath != null) {
                    List<String> files = new ArrayList<>();
                    for (String url : classPath.trim().split("\\s+")) {
                        files.add(Path.of(URI.create(url)).toString());
                    }
                    return String.join(File.pathSeparator, files);
                }
            } catch (IOException | IllegalArgumentException e) {
                // not a manifest-only jar: use it as it is
            }
        }
        return cp;
    }
}
