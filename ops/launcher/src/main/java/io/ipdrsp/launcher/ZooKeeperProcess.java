package io.ipdrsp.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** ZooKeeper as its own JVM, started by {@code infra/zookeeper/run-zookeeper.sh}. */
final class ZooKeeperProcess implements ZooKeeperServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path home;
    private final Path dataDir;
    private final boolean portPicked;
    private int port;
    private boolean started;
    private Process process;

    private ZooKeeperProcess(Path home, Path dataDir, int port) {
        this.home = home;
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.portPicked = port == 0;
        this.port = portPicked ? Processes.freePort(p -> true) : port;
    }

    static ZooKeeperServer start(Path home, Path dataDir, int port) {
        ZooKeeperProcess zk = new ZooKeeperProcess(home, dataDir, port);
        zk.launch();
        return zk;
    }

    /** Starts the process; a port picked here moves when another process holds it (first start only). */
    private synchronized void launch() {
        Processes.launchWithPortRetry(portPicked && !started, () -> port = Processes.freePort(p -> true),
                this::launchOnce);
        started = true;
    }

    private void launchOnce() {
        Path log = dataDir.resolve("server.log");
        List<String> cmd = List.of("bash", home.resolve("infra/zookeeper/run-zookeeper.sh").toString(),
                dataDir.toString(), Integer.toString(port));
        try {
            Files.createDirectories(dataDir);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            pb.environment().put("ZK_WATCH_PID", Long.toString(ProcessHandle.current().pid()));
            process = pb.start();
        } catch (IOException e) {
            throw new LaunchException("cannot run " + cmd, e);
        }
        Processes.awaitPort(process, port, START_TIMEOUT, log, "ZooKeeper (pid " + process.pid() + ")");
        // the port opens before the server is ready to serve; srvr says when it is
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!fourLetter(port, "srvr").contains("Mode: standalone")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                Processes.terminate(process.toHandle(), Duration.ZERO);
                throw new LaunchException("ZooKeeper on port " + port + " never served; " + log + " ends with:\n"
                        + Processes.tail(log, 40));
            }
            Processes.sleep(50);
        }
    }

    /** The reply to a four-letter-word command, or "" when there is none. */
    static String fourLetter(int port, String word) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(Processes.LOOPBACK, port), 500);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
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
        return process != null && process.isAlive();
    }

    /** The server JVM (the script {@code exec}s it). */
    synchronized ProcessHandle process() {
        return process.toHandle();
    }

    @Override
    public synchronized void stop() {
        if (process != null) {
            Processes.terminate(process.toHandle(), Duration.ofSeconds(20));
        }
    }

    /** SIGKILL, as a crash would. */
    public synchronized void kill() {
        if (process != null) {
            Processes.terminate(process.toHandle(), Duration.ZERO);
        }
    }

    @Override
    public synchronized void restart() {
        stop();
        launch();
    }

    @Override
    public String toString() {
        return "ZooKeeperProcess[" + connectString() + ", dir=" + dataDir + "]";
    }
}
