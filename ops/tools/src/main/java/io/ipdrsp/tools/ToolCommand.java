package io.ipdrsp.tools;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * One {@code ipdr <name>} command: a picocli command whose options are its annotated fields and whose {@link #call}
 * returns the exit status (0 ok, 1 failure; usage errors end with 2 through {@link #usage}). Never calls
 * {@link System#exit}: tests run commands in-process through {@link Main#run}. Register it in {@link Main}.
 */
abstract class ToolCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    PrintStream out = System.out;
    PrintStream err = System.err;

    /** Where the command prints (the streams {@link Main#run} was given). */
    ToolCommand streams(PrintStream o, PrintStream e) {
        this.out = o;
        this.err = e;
        return this;
    }

    /** A usage error found after parsing: reported like the parser's own (one line, the help hint, status 2). */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
