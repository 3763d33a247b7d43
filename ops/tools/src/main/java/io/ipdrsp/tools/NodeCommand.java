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
 */
@Command(name = "node", description = "run a collector node (no CONFIG: embedded Cassandra, ZooKeeper, Hazelcast)")
final class NodeCommand extends PassThroughCommand {
    @Override
    public Integer call() throws InterruptedException {
        String javaOpts = System.getenv().getOrDefault("JAVA_OPTS", "").trim();
        NodeJvm node = NodeJvm.builder("node", Path.of("").toAbsolutePath(), args)
                .classpath(NodeClasspath.ofCheckout(Checkout.home()))
                .jvmOptions(javaOpts.isEmpty() ? List.of() : List.of(javaOpts.split("\\s+"))).inheritIO().build();
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
