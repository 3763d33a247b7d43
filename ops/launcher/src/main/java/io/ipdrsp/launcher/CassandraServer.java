package io.ipdrsp.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A single-node Apache Cassandra 5.0.9 server in its own JDK 17 process, started by
 * {@code infra/cassandra/run-cassandra.sh} (which resolves the server jars with Maven on first use). Its own process
 * rather than embedded: isolated classpath, SIGKILL-able for fault tests, restartable on the same data (shared infra
 * recipes §1.5).
 *
 * <p>Thread-safe; lifecycle methods are serialized.
 */
public final class CassandraServer implements AutoCloseable {
    /** The data center name of the {@code SimpleSnitch} the local configuration uses. */
    public static final String LOCAL_DATACENTER = "datacenter1";

    private static CassandraServer shared;

    private final Path home;
    private final Path dataDir;
    private final int nativePort;
    private final int storagePort;
    private final boolean durable;
    private final String heapOpts;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final List<String> extraJvmArgs;
    private Process process;
    private Duration lastStartTime = Duration.ZERO;

    private CassandraServer(Builder b) {
        this.home = b.home != null ? b.home : ProjectHome.locate();
        this.dataDir = b.dataDir.toAbsolutePath().normalize();
        this.durable = b.durable;
        this.heapOpts = b.heapOpts;
        this.startTimeout = b.startTimeout;
        this.stopTimeout = b.stopTimeout;
        this.extraJvmArgs = List.copyOf(b.extraJvmArgs);
        // storage port = native - 2000 (both must be free; SimpleSeedProvider without a port then uses it)
        this.nativePort = b.nativePort != 0 ? b.nativePort
                : Processes.freePort(p -> p - 2000 > 1024 && Processes.isFree(p - 2000));
        this.storagePort = nativePort - 2000;
    }

    /** A server whose data lives in {@code dataDir} (created if missing; reused as is when it holds data). */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /**
     * The once-per-JVM throwaway server for tests: started on first use in a temporary folder on free ports, and
     * SIGKILLed with its folder deleted by a shutdown hook. If a test stopped or killed it, the next call restarts it on
     * the same data. Tests share it: use a distinct keyspace per test class.
     */
    public static synchronized CassandraServer shared() {
        if (shared == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("ipdr-cassandra-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            CassandraServer server = builder(dir).start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.kill();
                Processes.deleteRecursively(dir);
            }, "ipdr-cassandra-shared-cleanup"));
            shared = server;
        } else if (!shared.isRunning()) {
            shared.restart();
        }
        return shared;
    }

    private synchronized CassandraServer launch() {
        if (process != null && process.isAlive()) {
            throw new LaunchException("already running: pid " + process.pid());
        }
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(home.resolve(ProjectHome.MARKER).toString());
        cmd.add(dataDir.toString());
        cmd.add("-Dcassandra.native_transport_port=" + nativePort);
        cmd.add("-Dcassandra.storage_port=" + storagePort);
        cmd.addAll(extraJvmArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("JAVA17", Processes.java17());
        pb.environment().put("CASS_WATCH_PID", Long.toString(ProcessHandle.current().pid()));
        if (durable) {
            pb.environment().put("CASS_DURABLE", "1");
        } else {
            pb.environment().remove("CASS_DURABLE");
        }
        if (heapOpts != null) {
            pb.environment().put("CASS_HEAP_OPTS", heapOpts);
        }
        long t0 = System.nanoTime();
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new LaunchException("cannot run " + cmd, e);
        }
        Processes.awaitPort(process, nativePort, startTimeout, logFile(), "Cassandra (pid " + process.pid() + ")");
        lastStartTime = Duration.ofNanos(System.nanoTime() - t0);
        return this;
    }

    /** Graceful stop (SIGTERM: Cassandra drains its memtables), then SIGKILL after the stop timeout. Idempotent. */
    public synchronized void stop() {
        if (process != null) {
            Processes.terminate(process.toHandle(), stopTimeout);
        }
    }

    /**
     * SIGKILL, as a crash would. Only a {@linkplain Builder#durable durable} server keeps what it acknowledged (group
     * commit log sync); a throwaway one may lose recent writes and even recently created keyspaces.
     */
    public synchronized void kill() {
        if (process != null) {
            Processes.terminate(process.toHandle(), Duration.ZERO);
        }
    }

    /** Stops the server if it runs (gracefully) and starts it again on the same data and ports. */
    public synchronized void restart() {
        stop();
        launch();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The server JVM's process (the script {@code exec}s it, so this is the JVM itself). */
    public synchronized ProcessHandle process() {
        if (process == null) {
            throw new IllegalStateException("never started");
        }
        return process.toHandle();
    }

    public InetSocketAddress contactPoint() {
        return new InetSocketAddress(Processes.LOOPBACK, nativePort);
    }

    public String localDatacenter() {
        return LOCAL_DATACENTER;
    }

    public int nativePort() {
        return nativePort;
    }

    public int storagePort() {
        return storagePort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Server output of every run in this data dir (appended). */
    public Path logFile() {
        return dataDir.resolve("server.log");
    }

    public boolean durable() {
        return durable;
    }

    /** Time from launch to the CQL port accepting, for the last (re)start. */
    public synchronized Duration lastStartTime() {
        return lastStartTime;
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "CassandraServer[" + contactPoint() + ", dir=" + dataDir + ", durable=" + durable + "]";
    }

    /** Options of a server; {@link #start()} launches it and waits for the CQL port. */
    public static final class Builder {
        private final Path dataDir;
        private Path home;
        private int nativePort;
        private boolean durable;
        private String heapOpts;
        private Duration startTimeout = Duration.ofSeconds(120);
        private Duration stopTimeout = Duration.ofSeconds(60);
        private final List<String> extraJvmArgs = new ArrayList<>();

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        }

        /** CQL port; 0 (the default) picks a free one with a free storage port at port - 2000. */
        public Builder nativePort(int port) {
            if (port != 0 && (port <= 3024 || port > 65535)) {
                throw new IllegalArgumentException("native port must be 0 or in (3024, 65535]: " + port);
            }
            this.nativePort = port;
            return this;
        }

        /**
         * Durable (false by default): fsync, system-table and schema flushing, and {@code commitlog_sync: group} so an
         * acknowledged write survives a SIGKILL (the demo, the embedded default, crash tests). Throwaway mode skips
         * all of that: faster, fine for test data that no test kills.
         */
        public Builder durable(boolean on) {
            this.durable = on;
            return this;
        }

        /** JVM heap options, e.g. {@code -Xms128m -Xmx512m}; the script's default is {@code -Xms256m -Xmx1g}. */
        public Builder heap(String opts) {
            this.heapOpts = opts;
            return this;
        }

        /** The project checkout; default {@link ProjectHome#locate()}. */
        public Builder projectHome(Path home) {
            this.home = home;
            return this;
        }

        /** Deadline for the CQL port (default 120 s: a first run resolves the jars with Maven, and the cores are shared). */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** How long a graceful stop may take before SIGKILL (default 60 s). */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = timeout;
            return this;
        }

        /**
         * Cassandra's {@code PasswordAuthenticator} instead of allowing everybody: clients must log in (the default
         * superuser is {@code cassandra}/{@code cassandra}, created at first start). For tests of the node's login.
         */
        public Builder passwordAuthentication() {
            extraJvmArgs.add("-Dcassandra.config.allow_system_properties=true");
            extraJvmArgs.add("-Dcassandra.settings.authenticator=PasswordAuthenticator");
            return this;
        }

        /** More server JVM arguments, e.g. {@code -Dcassandra.jmx.local.port=17199}. */
        public Builder jvmArg(String arg) {
            extraJvmArgs.add(arg);
            return this;
        }

        public CassandraServer start() {
            return new CassandraServer(this).launch();
        }
    }
}
