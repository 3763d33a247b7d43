package io.ipdrsp.tools;

import java.io.PrintStream;
import java.util.List;

/**
 * A command whose implementation lives in another module and already speaks the {@code run(args, out, err)} →
 * exit-status convention; {@code --help} is handed through so that module's own usage text is shown.
 */
record DelegatingCommand(String name, String summary, Entry entry) implements Subcommand {
    interface Entry {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    @Override
    public String usage() {
        return "ipdr " + name + " --help prints this command's options";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        return entry.run(args.toArray(String[]::new), out, err);
    }
}
