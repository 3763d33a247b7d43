package io.ipdrsp.node;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.util.JarLocation;
import java.io.PrintStream;
import java.util.Optional;
import org.eclipse.jetty.server.Server;

/**
 * {@code ipdr node [CONFIG]}: runs a collector node in the foreground until it is stopped (SIGTERM/Ctrl-C).
 * Without CONFIG it runs the embedded default: a local Cassandra under ./var/cassandra, embedded ZooKeeper and
 * Hazelcast, listening for CMTSes on 4737 from loopback. Prints where the API and admin ports are.
 */
public final class NodeCli {
    private NodeCli() {
    }

    /**
     * The node's public entry point: what {@code ops/bin/ipdr node}, the demo, the cluster tests and the load harness
     * run in a JVM of its own (through {@code io.ipdrsp.launcher.NodeJvm}).
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the node; returns the exit code (0 after a normal stop, 1 when it could not start, 2 for bad usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 1 || (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help")))) {
            (args.length > 1 ? err : out).println("usage: ipdr node [CONFIG.yml]\n"
                    + "  without CONFIG: embedded default (local Cassandra in ./var/cassandra, embedded ZooKeeper and "
                    + "Hazelcast, IPDR/SP on 4737 from loopback)");
            return args.length > 1 ? 2 : 0;
        }
        NodeApplication app = new NodeApplication(out);
        Bootstrap<NodeConfiguration> bootstrap = new Bootstrap<>(app);
        app.initialize(bootstrap);
        bootstrap.addCommand(new io.dropwizard.core.cli.ServerCommand<>(app));
        Cli cli = new Cli(new JarLocation(NodeCli.class), bootstrap, out, err);
        String[] cmd = args.length == 1 ? new String[] {"server", args[0]} : new String[] {"server"};
        Optional<Throwable> failure = cli.run(cmd);
        if (failure.isPresent()) {
            return 1;
        }
        Server server = app.server();
        if (server == null) {
            err.println("ipdr node: the server did not start");
            return 1;
        }
        Thread hook = new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                // already stopping
            }
        }, "ipdr-node-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            server.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            try {
                server.stop();
            } catch (Exception ignored) {
                // stopping anyway
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting: the hook is running
        }
        out.println("ipdr node stopped");
        return 0;
    }
}
