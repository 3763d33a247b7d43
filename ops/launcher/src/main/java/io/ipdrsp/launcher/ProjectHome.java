package io.ipdrsp.launcher;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project checkout, whose {@code infra/} folder holds the scripts and throwaway poms that start the local
 * servers. Tests run with the module folder as working directory and the tools from anywhere, hence the search.
 */
public final class ProjectHome {
    /** A file that exists only at the project root. */
    static final String MARKER = "infra/cassandra/run-cassandra.sh";

    private ProjectHome() {
    }

    /**
     * The project root: system property {@code ipdr.home}, else environment variable {@code IPDR_HOME}, else the first
     * folder at or above the working directory that contains {@value #MARKER}.
     *
     * @throws LaunchException when none of them points at a checkout
     */
    public static Path locate() {
        String explicit = System.getProperty("ipdr.home");
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv("IPDR_HOME");
        }
        if (explicit != null && !explicit.isBlank()) {
            Path home = Path.of(explicit).toAbsolutePath().normalize();
            if (!Files.isRegularFile(home.resolve(MARKER))) {
                throw new LaunchException("ipdr.home/IPDR_HOME=" + home + " has no " + MARKER);
            }
            return home;
        }
        Path start = Path.of("").toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(MARKER))) {
                return dir;
            }
        }
        throw new LaunchException("no project checkout (" + MARKER + ") at or above " + start
                + "; set -Dipdr.home or IPDR_HOME");
    }
}
