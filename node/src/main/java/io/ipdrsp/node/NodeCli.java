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
        if (args.length == 1 && args[0].equals("hash-password")) {
            return hashPassword(out, err);
        }
        boolean https = args.length == 1 && args[0].equals("--https");
        if (https) {
            args = new String[0];
        }
        if (args.length > 1 || (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help")))) {
            (args.length > 1 ? err : out).println("usage: ipdr node [CONFIG.yml]\n"
                    + "  without CONFIG: embedded default (local Cassandra in ./var/cassandra, embedded ZooKeeper and "
                    + "Hazelcast, every port on loopback, a generated login in ./var/security/admin.credentials)\n"
                    + "       ipdr node --https         (the embedded default on HTTPS 8443/8444, self-signed certificate in "
                    + "./var/security/https.p12)\n"
                    + "       ipdr node hash-password   (reads a password on stdin, prints its hash for security.users)");
            return args.length > 1 ? 2 : 0;
        }
        NodeApplication app = new NodeApplication(out, https);
        Bootstrap<NodeConfiguration> bootstrap = new Bootstrap<>(app);
        app.initialize(bootstrap);
        // what Application.run does after initialize: Dropwizard's JVM gauges in the admin JSON /metrics (Prometheus
        // gets the standard jvm_*/process_* collectors instead, io.ipdrsp.node.api.PrometheusMetrics)
        bootstrap.registerMetrics();
        bootstrap.addCommand(new io.dropwizard.core.cli.ServerCommand<>(app) {
            @Override
            public void onError(Cli cli, net.sourceforge.argparse4j.inf.Namespace namespace, Throwable e) {
                // a refusal to start names the key to fix: one line per problem, not a stack trace
                if (e instanceof io.dropwizard.configuration.ConfigurationException) {
                    cli.getStdErr().println(e.getMessage().strip());
                } else if (e instanceof IllegalStateException || e instanceof java.io.UncheckedIOException) {
                    cli.getStdErr().println("ipdr node: " + e.getMessage());
                } else {
                    super.onError(cli, namespace, e);
                }
            }
        });
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

    /** {@code ipdr node hash-password}: one line from stdin (or the console, not echoed) → its PBKDF2 hash. */
    static int hashPassword(PrintStream out, PrintStream err) {
        char[] password;
        java.io.Console console = System.console();
        if (console != null) {
            password = console.readPassword("password: ");
        } else {
            try {
                String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                        java.nio.charset.StandardCharsets.UTF_8)).readLine();
                password = line == null ? null : line.toCharArray();
            } catch (java.io.IOException e) {
                password = null;
            }
        }
        if (password == null || password.length == 0) {
            err.println("ipdr node hash-password: no password given on stdin");
            return 2;
        }
        out.println(io.ipdrsp.node.security.PasswordHash.create(password));
        java.util.Arrays.fill(password, '\0');
        return 0;
    }
}
