package io.ipdrsp.tools;

import java.io.PrintStream;
import java.util.List;

/** One {@code ipdr <name>} command. Register it in {@link Main#COMMANDS}. */
public interface Subcommand {
    /** The word after {@code ipdr}. */
    String name();

    /** One line for {@code ipdr --help}. */
    String summary();

    /** The usage text printed for {@code ipdr <name> --help} and after a usage error. */
    String usage();

    /**
     * Runs the command and returns the process exit status (0 ok, 1 failure, 2 usage error). Must not call
     * {@link System#exit}: tests run commands in-process.
     */
    int run(List<String> args, PrintStream out, PrintStream err);
}
