package io.ipdrsp.tools;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code ipdr demo}: the whole system on one machine for a minute or two — local Cassandra and ZooKeeper, three
 * collector nodes as separate JVMs, a simulated CMTS fleet in both connection directions, a kill -9 of the primary
 * and its return, and the audit that shows every record stored exactly once. The work is done by {@link DemoRun}.
 */
final class DemoCommand implements Subcommand {

    /** What the flags chose. */
    record Options(Duration duration, int cmtses, double rate, Duration interval, boolean keep) {
    }

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "3 collector nodes + simulated CMTSes + kill -9 of the primary, ending with the audit (1-2 minutes)";
    }

    @Override
    public String usage() {
        return """
                usage: ipdr demo [--duration D] [--cmts N] [--rate R] [--interval D] [--keep]

                Starts a local Apache Cassandra (durable) and ZooKeeper, three collector nodes as separate JVMs
                (node-1..node-3, one Hazelcast cluster) and a fleet of simulated CMTSes streaming SAMIS-TYPE-1
                time-interval sessions to them at priorities node-1 > node-2 > node-3, half of the CMTSes dialing the
                nodes (Cisco style) and half dialed by them (Arris style). A third of the way through it kills the
                primary node with SIGKILL, then starts it again. At the end it stops the CMTSes, waits for the
                audit's verdicts and prints the audit table (GET /api/audit) and the ledger-versus-audit check.
                While it runs it prints each node's API and status page (/status/) and progress lines. Ctrl-C stops
                everything it started.

                  --duration D   how long the CMTSes generate records (default 60s; 500ms, 45s, 2m, or seconds)
                  --cmts N       simulated CMTSes (default 4, 1..50)
                  --rate R       records/s per CMTS (default 100)
                  --interval D   time-interval session length: one document per interval (default 15s)
                  --keep         keep the run's data (Cassandra, ZooKeeper, node logs) under var/demo/

                Exit status: 0 every document COMPLETE (or COMPLETE_WITH_DECLARED_DROPS) and the audit's totals
                equal the simulator's ledger, 1 otherwise, 2 bad arguments.""";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Duration duration = Duration.ofSeconds(60);
        int cmts = 4;
        double rate = 100;
        Duration interval = Duration.ofSeconds(15);
        boolean keep = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--keep")) {
                keep = true;
                continue;
            }
            CliOption o = CliOption.at(args, i);
            if (o.value() == null) {
                return usageError(err, a + " needs a value");
            }
            i = o.next();
            String name = o.name();
            String value = o.value();
            try {
                switch (name) {
                    case "--duration" -> duration = duration(value);
                    case "--cmts" -> cmts = Integer.parseInt(value);
                    case "--rate" -> rate = Double.parseDouble(value);
                    case "--interval" -> interval = duration(value);
                    default -> {
                        return usageError(err, "unknown option " + a);
                    }
                }
            } catch (IllegalArgumentException e) { // NumberFormatException included
                return usageError(err, name + ": '" + value + "' is not valid (" + e.getMessage() + ")");
            }
        }
        if (duration.compareTo(Duration.ofSeconds(15)) < 0 || duration.compareTo(Duration.ofHours(1)) > 0) {
            return usageError(err, "--duration must be between 15s and 1h (the kill and the restart fit in it)");
        }
        if (cmts < 1 || cmts > 50) {
            return usageError(err, "--cmts must be 1..50");
        }
        if (!(rate >= 1 && rate <= 20_000)) {
            return usageError(err, "--rate must be 1..20000 records/s per CMTS");
        }
        if (interval.compareTo(Duration.ofSeconds(2)) < 0) {
            return usageError(err, "--interval must be at least 2s");
        }
        return new DemoRun(new Options(duration, cmts, rate, interval, keep), out, err).run();
    }

    /** {@code 500ms}, {@code 45s}, {@code 2m}, {@code 1h} or a bare number of seconds. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("use 500ms, 45s, 2m, 1h or seconds");
        }
    }

    private static int usageError(PrintStream err, String message) {
        err.println("ipdr demo: " + message);
        err.println("Run 'ipdr demo --help' for the options.");
        return 2;
    }
}
