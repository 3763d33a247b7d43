package io.ipdrsp.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of {@code ops/bin/ipdr}: the commands on picocli, with one behaviour for all of them: {@code --help},
 * {@code --version}, "did you mean …" for a typo'd command or option, a usage error as one line naming the command
 * plus the help hint, and exit status 0 ok, 1 failure, 2 usage error.
 */
@Command(name = "ipdr", mixinStandardHelpOptions = true, versionProvider = Main.BuildVersion.class,
        customSynopsis = "usage: ipdr COMMAND [ARGS…]", commandListHeading = "%ncommands:%n",
        description = "%nThe operator command of the IPDR/SP collector.",
        footer = "%nRun 'ipdr COMMAND --help' for the options of a command.")
public final class Main implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    private final PrintStream err;

    private Main(PrintStream err) {
        this.err = err;
    }

    /** Adding a command is adding one entry here. */
    private static List<ToolCommand> commands() {
        return List.of(new DecodeCommand(), new DemoCommand(), new ExportCommand(), new SubscribersCommand(),
                new AuditCommand(), new SimulateCommand(), new NodeCommand());
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /** Runs {@code ipdr args…} in-process and returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Main main = new Main(err);
        CommandLine cli = new CommandLine(main);
        for (ToolCommand c : commands()) {
            CommandLine sub = new CommandLine(c.streams(out, err));
            // a pass-through command's options are its program's: picocli hands them over as arguments
            sub.setUnmatchedOptionsArePositionalParams(c instanceof PassThroughCommand);
            cli.addSubcommand(sub);
        }
        cli.addSubcommand(new CommandLine.HelpCommand());
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
                .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8))
                .setParameterExceptionHandler(Main::usageError)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                    return 1;
                });
        int status = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        return status;
    }

    /** {@code ipdr} alone: the usage on stderr, a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return 2;
    }

    /** One line naming the command and what is wrong, suggestions for a typo, the help hint; status 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + problem(e, cmd));
        if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            err.println("did you mean " + String.join(" or ", u.getSuggestions().stream()
                    .map(s -> s.startsWith("-") ? s : "'" + name + " " + s + "'").toList()) + "?");
        }
        err.println("Run '" + name + " --help' for the " + (cmd.getParent() == null ? "commands." : "options."));
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static String problem(ParameterException e, CommandLine cmd) {
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            if (u.isUnknownOption()) {
                return "unknown option " + first;
            }
            return cmd.getParent() == null ? "unknown command '" + first + "'" : "unexpected argument '" + first + "'";
        }
        String m = e.getMessage();
        return m.isEmpty() ? m : m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1);
    }

    /** The build's version, from the resource the build filters ({@code ipdr-version.properties}). */
    static final class BuildVersion implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/ipdr-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"ipdr " + p.getProperty("version", "(unknown version)")};
        }
    }
}
