package io.ipdrsp.launcher;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One collector node in its own JVM, as in production: the node's main class on a class path given by the caller
 * ({@link NodeClasspath}), this JVM's {@code --add-opens} flags, a {@link NodeConfig} written next to its log, and
 * output appended to {@code <id>.log} with a marker per start. It can be killed (-9), frozen (SIGSTOP/SIGCONT),
 * stopped (SIGTERM) and started again on the same config and ports. The demo, the cluster tests and the load
 * harness all launch nodes through this class; it knows the node only as a main class, a class path and a config.
 *
 * <p>No shutdown hook here: whoever starts nodes stops them (gracefully, in its own order); a node outlives the JVM
 * that started it by a second at most ({@link WatchedMain} halts it).
 *
 * <p>{@link #awaitUp} proves that the node it waits for is the process it started: the process is alive and its own
 * output, since this start, says "ipdr node ID (site …) is up" and names its API port, which then answers.
 */
public final class NodeJvm implements AutoCloseable {
    /** The node's public entry point: {@code ipdr node [CONFIG]}. */
    public static final String NODE_MAIN = "io.ipdrsp.node.NodeCli";

    /** Built on first use: {@code ipdr node} never waits with it, and building one costs its JVM ~0.15 s at start. */
    private static final class Http {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    private static final String START_MARK = "===== start #";

    private final String id;
    private final Path dir;
    private final List<String> jvmOptions;
    private final String classpath;
    private final String mainClass;
    private final List<String> args;
    private final Path classDataDir;
    private List<String> command;
    private final boolean inheritIO;
    private Process process;
    private int lives;
    private volatile boolean frozen;
    private volatile UpLine ports = UpLine.NONE;

    private NodeJvm(Builder b) {
        this.id = b.config != null ? b.config.id() : b.id;
        this.dir = b.dir.toAbsolutePath();
        this.inheritIO = b.inheritIO;
        List<String> args = new ArrayList<>(b.args);
        if (b.config != null) {
            args.add(0, b.config.writeTo(dir.resolve(id + ".yml")).toString());
        }
        this.args = List.copyOf(args);
        this.jvmOptions = b.jvmOptions;
        this.classpath = b.classpath;
        this.mainClass = b.mainClass;
        this.classDataDir = b.classDataDir;
    }

    /** A node whose configuration is {@code config}; its files go to {@code dir}. */
    public static Builder builder(NodeConfig config, Path dir) {
        Builder b = new Builder(config.id(), dir);
        b.config = config;
        return b;
    }

    /** A node run with the node main's own arguments (e.g. {@code ipdr node [CONFIG]}). */
    public static Builder builder(String id, Path dir, List<String> mainArgs) {
        Builder b = new Builder(id, dir);
        b.args = List.copyOf(mainArgs);
        return b;
    }

    /** JVM options for a small node among several on a shared machine: the serial GC and the C1 compiler. */
    public static List<String> compactJvm(String maxHeap) {
        return JavaCommand.compactJvm(maxHeap);
    }

    /** Launches the JVM (no wait; see {@link #awaitUp}). */
    public synchronized NodeJvm start() {
        if (process != null && process.isAlive()) {
            throw new LaunchException(id + " already runs as pid " + process.pid());
        }
        lives++;
        command = command();
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        try {
            Files.createDirectories(dir);
            if (inheritIO) {
                pb.inheritIO();
            } else {
                Files.writeString(logFile(), "\n" + START_MARK + lives + " =====\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            process = pb.start();
        } catch (IOException e) {
            throw new LaunchException("cannot launch node " + id + ": " + command, e);
        }
        frozen = false;
        ports = UpLine.NONE;
        return this;
    }

    /** Decided at every start: the class-data archive the last life wrote is mapped by this one. */
    private List<String> command() {
        List<String> options = new ArrayList<>(jvmOptions);
        if (classDataDir != null) {
            try {
                options.addAll(ClassDataArchive.jvmOptions(JavaCommand.classpath(classpath), jvmOptions, classDataDir));
            } catch (IOException e) {
                throw new LaunchException("cannot use the class-data archive folder " + classDataDir + " (set "
                        + "IPDR_CDS_DIR to a writable folder, or IPDR_CDS=off): " + e, e);
            }
        }
        return JavaCommand.watched(options, classpath, mainClass, args);
    }

    /** Waits until this process says it is up and its API answers; a LaunchException with its log tail if not. */
    public NodeJvm awaitUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Process p = currentProcess();
            if (!p.isAlive()) {
                throw new LaunchException(id + " (pid " + p.pid() + ") exited with " + p.exitValue()
                        + " before it was up; " + logFile() + " ends with:\n" + tail(40));
            }
            UpLine named = UpLine.parse(id, currentLifeLog());
            if (named != null && get(named, "/api/exporters")) {
                ports = named;
                return this;
            }
            if (System.nanoTime() > deadline) {
                throw new LaunchException(id + " (pid " + p.pid() + ") not up within " + timeout + "; " + logFile()
                        + " ends with:\n" + tail(40));
            }
            Thread.sleep(200);
        }
    }

    private boolean get(UpLine p, String path) {
        try {
            HttpResponse<Void> r = Http.CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + p.host() + ":" + p.api()
                    + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200 || r.statusCode() == 401; // 401: it serves, and asks for a login
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String id() {
        return id;
    }

    /** The API port the node named when it came up (0 before). */
    public int apiPort() {
        return ports.api();
    }

    /** The admin (metrics, health) port the node named when it came up (0 before). */
    public int adminPort() {
        return ports.admin();
    }

    /** The IPDR/SP listen port the node named when it came up (0 before, or when it only dials). */
    public int listenPort() {
        return ports.listen();
    }

    /** {@code http://host:apiPort}. */
    public String api() {
        return "http://" + ports.host() + ":" + ports.api();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** SIGKILL and wait: no shutdown hook, no SESSION_STOP, no Hazelcast leave; the kernel resets the sockets. */
    public synchronized void kill9() throws InterruptedException {
        if (isAlive()) {
            if (frozen) {
                sigcont(); // a stopped process dies on SIGKILL too; resuming first keeps the bookkeeping simple
            }
            process.destroyForcibly();
            process.waitFor();
        }
        frozen = false;
    }

    /** SIGSTOP: the JVM freezes with all its connections open (a GC pause or a hung VM, seen from outside). */
    public synchronized void sigstop() {
        signal("STOP");
        frozen = true;
    }

    public synchronized void sigcont() {
        signal("CONT");
        frozen = false;
    }

    /** SIGTERM (the node stops its sessions, leaves the cluster) and up to {@code grace} to exit, then SIGKILL. */
    public void stop(Duration grace) throws InterruptedException {
        Process p;
        synchronized (this) {
            if (!isAlive()) {
                return;
            }
            if (frozen) {
                sigcont();
            }
            p = process;
            p.destroy();
        }
        if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    /** Starts it again (after a kill or stop; stops it first if it runs) and waits until it is up. */
    public NodeJvm restart(Duration timeout) throws InterruptedException {
        stop(Duration.ofSeconds(30));
        return start().awaitUp(timeout);
    }

    /** Waits for the process to end; its exit status. */
    public int waitFor() throws InterruptedException {
        return currentProcess().waitFor();
    }

    /** SIGTERM and up to 30 s to exit. */
    @Override
    public void close() {
        try {
            stop(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroyNow();
        }
    }

    public Path logFile() {
        return dir.resolve(id + ".log");
    }

    /** The node's output since its last start. */
    public String currentLifeLog() {
        try {
            String all = Files.readString(logFile(), StandardCharsets.UTF_8);
            int at = all.lastIndexOf(START_MARK);
            return at < 0 ? all : all.substring(at);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** The last lines of the node's output since its last start, for a failure message. */
    public String tail(int lines) {
        String[] all = currentLifeLog().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    private synchronized Process currentProcess() {
        if (process == null) {
            throw new IllegalStateException(id + " was never started");
        }
        return process;
    }

    private void destroyNow() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    private void signal(String sig) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(currentProcess().pid())).inheritIO()
                    .start();
            if (kill.waitFor() != 0) {
                throw new LaunchException("kill -" + sig + " " + currentProcess().pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted", e);
        }
    }

    /** How to launch a node. */
    public static final class Builder {
        private final String id;
        private final Path dir;
        private NodeConfig config;
        private List<String> args = List.of();
        private String classpath;
        private String mainClass = NODE_MAIN;
        private List<String> jvmOptions = JavaCommand.compactJvm("384m");
        private boolean inheritIO;
        private Path classDataDir;

        private Builder(String id, Path dir) {
            this.id = id;
            this.dir = dir;
        }

        /** The node's class path ({@link NodeClasspath}); required. */
        public Builder classpath(String cp) {
            this.classpath = cp;
            return this;
        }

        /** Another main class (default {@value #NODE_MAIN}). */
        public Builder mainClass(String name) {
            this.mainClass = name;
            return this;
        }

        /** JVM options and system properties (default: 384 MiB heap, serial GC, C1). */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /** The node writes to this JVM's standard output and error (no log file, no {@link #awaitUp}). */
        public Builder inheritIO() {
            this.inheritIO = true;
            return this;
        }

        /** Maps the node's classes from a class-data archive in {@code dir}, written there by the first run. */
        public Builder classDataArchive(Path dir) {
            this.classDataDir = dir;
            return this;
        }

        public NodeJvm build() {
            if (classpath == null || classpath.isBlank()) {
                throw new IllegalStateException("no class path for node " + id);
            }
            return new NodeJvm(this);
        }
    }
}
