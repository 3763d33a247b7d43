package io.ipdrsp.tools;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Parameters;

/**
 * A command whose arguments, options and {@code --help} included, belong to a program of its own that already
 * speaks the 0/1/2 exit-status convention and prints its own usage ({@link Main} lets unmatched options through).
 */
abstract class PassThroughCommand extends ToolCommand {
    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "handed over as they are ('--help' for its own)")
    List<String> args = new ArrayList<>();
}
