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
            return classes + File.pathSeparator + Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
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
