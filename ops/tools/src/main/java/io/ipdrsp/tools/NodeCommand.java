package io.ipdrsp.tools;

import io.ipdrsp.launcher.NodeClasspath;
import io.ipdrsp.launcher.NodeJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code ipdr node [CONFIG]}: a collector node in a JVM of its own, through its public entry point (the node's main
 * class on the node module's class path, {@link NodeClasspath#ofCheckout}), writing to this terminal. Ctrl-C reaches
 * both JVMs; this one waits for the node's orderly stop. {@code JAVA_OPTS} are the node JVM's options.
 *
 * <p>The node's classes are mapped from a class-data archive ({@link io.ipdrsp.launcher.ClassDataArchive}) that the
 * first run writes when it stops: {@code IPDR_CDS_DIR} (default {@code node/target/cds}), {@code IPDR_CDS=off} to
 * start without one.
 */
@Command(name = "node", description = "run a collector node (no CONFIG: embedded Cassandra, ZooKeeper, Hazelcast)")
final class NodeCommand extends PassThroughCommand {
    @Override
    public Integer call() throws InterruptedException {
        String javaOpts = System.getenv().getOrDefault("JAVA_OPTS", "").trim();
        NodeJvm.Builder b = NodeJvm.builder("node", Path.of("").toAbsolutePath(), args)
                .classpath(NodeClasspath.ofCheckout(Checkout.home()))
                .jvmOptions(javaOpts.isEmpty() ? List.of() : List.of(javaOpts.split("\\s+"))).inheritIO();
        if (!"off".equals(System.getenv("IPDR_CDS"))) {
            String dir = System.getenv("IPDR_CDS_DIR");
            b.classDataArchive(dir == null || dir.isBlank() ? Checkout.home().resolve("node/target/cds") : Path.of(dir));
        }
        NodeJvm node = b.build();
        node.start();
        Thread stop = new Thread(() -> {
            try {
                node.stop(Duration.ofSeconds(60)); // SIGTERM: the node stops its sessions and leaves the cluster
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ipdr-node-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        int status = node.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running (Ctrl-C)
        }
        return status;
    }
}
