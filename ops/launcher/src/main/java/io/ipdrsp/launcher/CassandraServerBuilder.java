package io.ipdrsp.launcher;

import io.ipdrsp.launcher.CassandraServer.Jvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Options of a {@link CassandraServer}; {@link #start()} launches it and waits for its CQL port. */
public final class CassandraServerBuilder {
    final Path dataDir;
    Path home;
    int nativePort;
    int firstPickedPort;
    boolean durable;
    String heapOpts;
    Jvm jvm;
    String listenAddress = "127.0.0.1";
    String datacenter;
    String seeds;
    String clusterName = "local-dev";
    long initialToken;
    Duration startTimeout = Duration.ofSeconds(120);
    Duration stopTimeout = Duration.ofSeconds(60);
    final List<String> extraJvmArgs = new ArrayList<>();

    CassandraServerBuilder(Path dataDir) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    /**
     * CQL port; 0 (the default) picks a free one with a free storage port at port - 2000, and picks again when
     * another process turns out to hold either.
     */
    public CassandraServerBuilder nativePort(int port) {
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
    public CassandraServerBuilder durable(boolean on) {
        this.durable = on;
        return this;
    }

    /** JVM heap options, e.g. {@code -Xms128m -Xmx512m}; default: the {@link #jvm} profile's. */
    public CassandraServerBuilder heap(String opts) {
        this.heapOpts = opts;
        return this;
    }

    /** JVM settings; default: system property {@value CassandraServer#JVM_PROPERTY}, else {@link CassandraServer.Jvm#PRODUCTION}. */
    public CassandraServerBuilder jvm(Jvm profile) {
        this.jvm = Objects.requireNonNull(profile, "profile");
        return this;
    }

    /** Address for gossip, storage and CQL (default 127.0.0.1; any 127.0.0.0/8 address works on Linux). */
    public CassandraServerBuilder listenAddress(String address) {
        this.listenAddress = Objects.requireNonNull(address, "address");
        return this;
    }

    /**
     * The node's data center: GossipingPropertyFileSnitch with this DC (rack {@code rack1}). Default: SimpleSnitch,
     * data center {@value CassandraServer#LOCAL_DATACENTER}.
     */
    public CassandraServerBuilder datacenter(String name) {
        this.datacenter = name;
        return this;
    }

    /** Comma-separated seed addresses of the cluster (default: this node's listen address). */
    public CassandraServerBuilder seeds(String addresses) {
        this.seeds = addresses;
        return this;
    }

    /** The cluster's name (default {@code local-dev}); every node of one cluster needs the same. */
    public CassandraServerBuilder clusterName(String name) {
        this.clusterName = Objects.requireNonNull(name, "name");
        return this;
    }

    /** The node's only token (default 0); each node of one cluster needs its own. */
    public CassandraServerBuilder initialToken(long token) {
        this.initialToken = token;
        return this;
    }

    /** The project checkout; default {@link ProjectHome#locate()}. */
    public CassandraServerBuilder projectHome(Path home) {
        this.home = home;
        return this;
    }

    /** Deadline for the CQL port (default 120 s: a first run resolves the jars with Maven, and the cores are shared). */
    public CassandraServerBuilder startTimeout(Duration timeout) {
        this.startTimeout = timeout;
        return this;
    }

    /** How long a graceful stop may take before SIGKILL (default 60 s). */
    public CassandraServerBuilder stopTimeout(Duration timeout) {
        this.stopTimeout = timeout;
        return this;
    }

    /**
     * Cassandra's {@code PasswordAuthenticator} instead of allowing everybody: clients must log in (the default
     * superuser is {@code cassandra}/{@code cassandra}, created at first start). For tests of the node's login.
     */
    public CassandraServerBuilder passwordAuthentication() {
        jvmArg("-Dcassandra.config.allow_system_properties=true");
        return jvmArg("-Dcassandra.settings.authenticator=PasswordAuthenticator");
    }

    /** More server JVM arguments, e.g. {@code -Dcassandra.jmx.local.port=17199}. */
    public CassandraServerBuilder jvmArg(String arg) {
        extraJvmArgs.add(arg);
        return this;
    }

    /** Tests: the port tried first when the launcher picks the ports (to make it meet a port that is taken). */
    CassandraServerBuilder firstPickedPort(int port) {
        this.firstPickedPort = port;
        return this;
    }

    public CassandraServer start() {
        return new CassandraServer(this).launch();
    }
}
