package io.ipdrsp.tools;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Entry point of {@code ops/bin/ipdr}: dispatches to the {@link Subcommand}s. */
public final class Main {
    /** Adding a command is adding one line here. */
    static final List<Subcommand> COMMANDS = List.of(
            new DecodeCommand(),
            new DemoCommand(),
            new ExportCommand(),
            new SubscribersCommand(),
            new AuditCommand(),
            new DelegatingCommand("simulate", "run a fleet of simulated CMTSes (IPDR/SP exporters) from a scenario",
                    io.ipdrsp.simulator.SimulatorCli::run),
            new DelegatingCommand("node", "run a collector node (no CONFIG: embedded Cassandra, ZooKeeper, Hazelcast)",
                    io.ipdrsp.node.NodeCli::run));

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /** Runs {@code ipdr args…} in-process and returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            if (args.length > 1 && args[0].equals("help")) {
                return find(args[1]).map(c -> {
                    out.println(c.usage());
                    return 0;
                }).orElseGet(() -> unknown(args[1], err));
            }
            (args.length == 0 ? err : out).print(help());
            return args.length == 0 ? 2 : 0;
        }
        Optional<Subcommand> command = find(args[0]);
        if (command.isEmpty()) {
            return unknown(args[0], err);
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if ((rest.contains("--help") || rest.contains("-h")) && !(command.get() instanceof DelegatingCommand)) {
            out.println(command.get().usage());
            return 0;
        }
        return command.get().run(rest, out, err);
    }

    static String help() {
        StringBuilder s = new StringBuilder("usage: ipdr COMMAND [ARGS…]\n\ncommands:\n");
        int width = COMMANDS.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Subcommand c : COMMANDS) {
            s.append("  ").append(c.name()).append(" ".repeat(width - c.name().length() + 2)).append(c.summary())
                    .append('\n');
        }
        s.append("\nRun 'ipdr COMMAND --help' for the options of a command.\n");
        return s.toString();
    }

    private static Optional<Subcommand> find(String name) {
        return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private static int unknown(String name, PrintStream err) {
        err.println("ipdr: unknown command '" + name + "' (try 'ipdr --help')");
        return 2;
    }
}
