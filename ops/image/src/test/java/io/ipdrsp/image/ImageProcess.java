package io.ipdrsp.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A process started from an {@link UnpackedImage}: unshare, and inside it the image's command (the JVM). */
final class ImageProcess implements AutoCloseable {
    private final Process unshare;
    private final Path log;
    private final long started = System.nanoTime();

    ImageProcess(Process unshare, Path log) {
        this.unshare = unshare;
        this.log = log;
    }

    boolean isAlive() {
        return unshare.isAlive();
    }

    Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    Path log() {
        return log;
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The image's command: the JVM the entrypoint exec'd into (PID 1 of the namespace, a child of unshare). */
    Optional<ProcessHandle> command() {
        return unshare.toHandle().descendants().filter(p -> p.info().command().orElse("").endsWith("/java"))
                .findFirst();
    }

    /** The real user id the command runs as (from /proc). */
    String uid() throws IOException {
        ProcessHandle java = command().orElseThrow(() -> new AssertionError("no java process in the image run"));
        for (String line : Files.readAllLines(Path.of("/proc/" + java.pid() + "/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[1];
            }
        }
        throw new AssertionError("no Uid line for pid " + java.pid());
    }

    /** Whether the command's JVM has a file whose path ends with {@code suffix} mapped into its memory. */
    boolean maps(String suffix) throws IOException {
        ProcessHandle java = command().orElseThrow(() -> new AssertionError("no java process in the image run"));
        return Files.readAllLines(Path.of("/proc/" + java.pid() + "/maps")).stream().anyMatch(l -> l.endsWith(suffix));
    }

    /** SIGTERM to the command, as an engine's stop does; SIGKILL for the whole namespace after {@code grace}. */
    void stop(Duration grace) throws InterruptedException {
        command().ifPresent(ProcessHandle::destroy);
        if (!unshare.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            unshare.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The command's exit status (unshare passes it on). */
    int exitCode() {
        return unshare.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (unshare.isAlive()) {
            unshare.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // --kill-child: the namespace goes with it
        }
    }
}
