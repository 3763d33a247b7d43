package io.ipdrsp.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/** ZooKeeper inside this JVM. */
final class EmbeddedZooKeeper implements ZooKeeperServer {
    private static final long START_TIMEOUT_MS = 30_000;

    private final Path dataDir;
    private final boolean portPicked;
    private int port;
    private boolean started;
    private ZooKeeperServerEmbedded server;

    private EmbeddedZooKeeper(Path dataDir, int port) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.portPicked = port == 0;
        this.port = portPicked ? Processes.freePort(p -> true) : port;
    }

    static ZooKeeperServer start(Path dataDir, int port) {
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dataDir, port);
        zk.launch();
        return zk;
    }

    /** Starts the server; a port picked here moves when another process holds it (first start only). */
    private synchronized void launch() {
        Processes.launchWithPortRetry(portPicked && !started, () -> port = Processes.freePort(p -> true),
                this::launchOnce);
        started = true;
    }

    private void launchOnce() {
        if (!Processes.isFree(port)) {
            // the server would wait for its start timeout before reporting a bind failure
            throw taken();
        }
        Properties cfg = new Properties();
        cfg.setProperty("tickTime", "2000");
        cfg.setProperty("initLimit", "10");
        cfg.setProperty("syncLimit", "5");
        cfg.setProperty("dataDir", dataDir.resolve("zk").toString());
        cfg.setProperty("clientPort", Integer.toString(port));
        cfg.setProperty("clientPortAddress", "127.0.0.1");
        cfg.setProperty("admin.enableServer", "false");
        cfg.setProperty("4lw.commands.whitelist", "ruok,srvr,stat,mntr");
        try {
            Files.createDirectories(dataDir);
            // LOG_ONLY: a ZooKeeper failure must not System.exit() the application or the test JVM
            server = ZooKeeperServerEmbedded.builder().baseDir(dataDir).configuration(cfg)
                    .exitHandler(ExitHandler.LOG_ONLY).build();
            server.start(START_TIMEOUT_MS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            if (server != null) {
                server.close();
                server = null;
            }
            if (!Processes.isFree(port)) {
                throw taken(); // our server is closed: whoever listens there is somebody else
            }
            throw new LaunchException("embedded ZooKeeper on port " + port + " did not start", e);
        }
    }

    private PortTakenException taken() {
        return new PortTakenException("embedded ZooKeeper could not listen on port " + port + " (held by pid "
                + ListeningSockets.holders(port) + ")");
    }

    @Override
    public synchronized int port() {
        return port;
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized boolean isRunning() {
        return server != null && Processes.accepts(port);
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Processes.accepts(port) && System.nanoTime() < deadline) {
                Processes.sleep(20);
            }
        }
    }

    @Override
    public synchronized void restart() {
        stop();
        launch();
    }

    @Override
    public String toString() {
        return "EmbeddedZooKeeper[" + connectString() + ", dir=" + dataDir + "]";
    }
}
