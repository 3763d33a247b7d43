package io.ipdrsp.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An Apache Cassandra 5.0.9 server in its own JDK 17 process, started by {@code infra/cassandra/run-cassandra.sh}
 * (which resolves the server jars with Maven on first use). Its own process rather than embedded: isolated classpath,
 * SIGKILL-able for fault tests, restartable on the same data (shared infra recipes §1.5). Single-node by default; with
 * {@link CassandraServerBuilder#datacenter}, {@link CassandraServerBuilder#listenAddress} and {@link CassandraServerBuilder#seeds} one node of a multi-DC cluster.
 *
 * <p>Thread-safe; lifecycle methods are serialized.
 */
public final class CassandraServer implements AutoCloseable {
    /** The data center name of the {@code SimpleSnitch} the local configuration uses. */
    public static final String LOCAL_DATACENTER = "datacenter1";
    /**
     * System property giving the {@link Jvm} of servers whose builder does not set one: {@code production} (default)
     * or {@code test}. The build sets {@code test} for the test JVMs; benchmarks set it to compare the two.
     */
    public static final String JVM_PROPERTY = "ipdr.cassandra.jvm";

    /** JVM settings of the server process. */
    public enum Jvm {
        /** G1, full JIT (C2), heap sized to the machine as Cassandra's cassandra-env.sh does. */
        PRODUCTION,
        /** Serial GC, C1 only, 1 GiB heap: starts sooner and costs less CPU for a short test. */
        TEST;

        static Jvm fromSystemProperty() {
            String v = System.getProperty(JVM_PROPERTY, "production").trim();
            try {
                return valueOf(v.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new LaunchException("-D" + JVM_PROPERTY + "=" + v + " is not a Cassandra JVM profile: use "
                        + "production or test");
            }
        }
    }

    private static CassandraServer shared;

    private final Path home;
    private final Path dataDir;
    private final boolean portsPicked;
    private int nativePort;
    private int storagePort;
    private final boolean durable;
    private final String heapOpts;
    private final Jvm jvm;
    private final String listenAddress;
    private final String datacenter;
    private final String seeds;
    private final String clusterName;
    private final long initialToken;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final List<String> extraJvmArgs;
    private Process process;
    private Duration lastStartTime = Duration.ZERO;

    CassandraServer(CassandraServerBuilder b) {
        this.home = b.home != null ? b.home : ProjectHome.locate();
        this.dataDir = b.dataDir.toAbsolutePath().normalize();
        this.durable = b.durable;
        this.heapOpts = b.heapOpts;
        this.jvm = b.jvm != null ? b.jvm : Jvm.fromSystemProperty();
        this.listenAddress = b.listenAddress;
        this.datacenter = b.datacenter;
        this.seeds = b.seeds != null ? b.seeds : b.listenAddress;
        this.clusterName = b.clusterName;
        this.initialToken = b.initialToken;
        this.startTimeout = b.startTimeout;
        this.stopTimeout = b.stopTimeout;
        this.extraJvmArgs = List.copyOf(b.extraJvmArgs);
        this.portsPicked = b.nativePort == 0;
        this.nativePort = !portsPicked ? b.nativePort : b.firstPickedPort != 0 ? b.firstPickedPort : pickPorts();
        this.storagePort = nativePort - 2000;
    }

    /** A free native port whose storage port (native - 2000, SimpleSeedProvider without a port uses it) is free. */
    private int pickPorts() {
        InetAddress address = address(listenAddress);
        return Processes.freePort(address, p -> Processes.isFree(address, p - 2000));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new LaunchException("not an address: " + literal, e);
        }
    }

    /** A server whose data lives in {@code dataDir} (created if missing; reused as is when it holds data). */
    public static CassandraServerBuilder builder(Path dataDir) {
        return new CassandraServerBuilder(dataDir);
    }

    /**
     * The once-per-JVM throwaway server for tests: started on first use in a temporary folder on free ports, and
     * SIGKILLed with its folder deleted by a shutdown hook. If a test stopped or killed it, the next call restarts it on
     * the same data. Tests share it: use a distinct keyspace per test class. It runs the {@link Jvm#TEST} settings.
     */
    public static synchronized CassandraServer shared() {
        if (shared == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("ipdr-cassandra-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            CassandraServer server = builder(dir).jvm(Jvm.TEST).start();
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

    /** Starts the process; when a port it picked itself turns out to be another process's, tries other ports. */
    synchronized CassandraServer launch() {
        if (process != null && process.isAlive()) {
            throw new LaunchException("already running: pid " + process.pid());
        }
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // only the first start may move: a restart must come back where its clients and peers expect it
        boolean mayMove = portsPicked && lastStartTime.isZero();
        Processes.launchWithPortRetry(mayMove, () -> {
            nativePort = pickPorts();
            storagePort = nativePort - 2000;
        }, this::launchOnce);
        return this;
    }

    private void launchOnce() {
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
        Map<String, String> env = pb.environment();
        env.put("JAVA17", Processes.java17());
        env.put("CASS_WATCH_PID", Long.toString(ProcessHandle.current().pid()));
        env.put("CASS_JVM", jvm.name().toLowerCase(java.util.Locale.ROOT));
        env.put("CASS_LISTEN_ADDRESS", listenAddress);
        env.put("CASS_SEEDS", seeds);
        env.put("CASS_CLUSTER_NAME", clusterName);
        env.put("CASS_INITIAL_TOKEN", Long.toString(initialToken));
        putOrRemove(env, "CASS_DC", datacenter);
        putOrRemove(env, "CASS_DURABLE", durable ? "1" : null);
        putOrRemove(env, "CASS_HEAP_OPTS", heapOpts);
        long t0 = System.nanoTime();
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new LaunchException("cannot run " + cmd, e);
        }
        Processes.awaitPort(process, nativePort, startTimeout, logFile(), "Cassandra (pid " + process.pid() + ")");
        lastStartTime = Duration.ofNanos(System.nanoTime() - t0);
    }

    private static void putOrRemove(Map<String, String> env, String key, String value) {
        if (value == null) {
            env.remove(key);
        } else {
            env.put(key, value);
        }
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

    public synchronized InetSocketAddress contactPoint() {
        return new InetSocketAddress(address(listenAddress), nativePort);
    }

    /** The data center this node is in ({@link CassandraServerBuilder#datacenter}, else {@value #LOCAL_DATACENTER}). */
    public String localDatacenter() {
        return datacenter != null ? datacenter : LOCAL_DATACENTER;
    }

    public synchronized int nativePort() {
        return nativePort;
    }

    public synchronized int storagePort() {
        return storagePort;
    }

    public Jvm jvm() {
        return jvm;
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
        return "CassandraServer[" + contactPoint() + ", dc=" + localDatacenter() + ", dir=" + dataDir + ", durable="
                + durable + ", jvm=" + jvm + "]";
    }
}
