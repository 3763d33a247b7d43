package io.ipdrsp.tools;

import io.ipdrsp.simulator.SimulatorCli;
import picocli.CommandLine.Command;

/** {@code ipdr simulate}: the simulator's own command line ({@link SimulatorCli}, docs/simulator.md). */
@Command(name = "simulate", description = "run a fleet of simulated CMTSes (IPDR/SP exporters) from a scenario")
final class SimulateCommand extends PassThroughCommand {
    @Override
    public Integer call() {
        return SimulatorCli.run(args.toArray(String[]::new), out, err);
    }
}
