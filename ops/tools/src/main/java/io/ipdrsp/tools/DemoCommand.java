package io.ipdrsp.tools;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * {@code ipdr demo}: the whole system on one machine for a minute or two — local Cassandra and ZooKeeper, three
 * collector nodes as separate JVMs, a simulated CMTS fleet in both connection directions, a kill -9 of the primary
 * and its return, and the audit that shows every record stored exactly once. The work is done by {@link DemoRun}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"3 collector nodes + simulated CMTSes + kill -9 of the primary, ending with the audit "
                + "(1-2 minutes)", "",
            "Starts a local Apache Cassandra (durable) and ZooKeeper, three collector nodes as separate JVMs "
                + "(node-1..node-3, one Hazelcast cluster) and a fleet of simulated CMTSes streaming SAMIS-TYPE-1 "
                + "time-interval sessions to them at priorities node-1 > node-2 > node-3, half of the CMTSes dialing "
                + "the nodes (Cisco style) and half dialed by them (Arris style). A third of the way through it kills "
                + "the primary node with SIGKILL, then starts it again. At the end it stops the CMTSes, waits for "
                + "the audit's verdicts and prints the audit table (GET /api/audit) and the ledger-versus-audit "
                + "check. While it runs it prints each node's API and status page (/status/) and progress lines. "
                + "Ctrl-C stops everything it started."},
        footer = {"", "Exit status: 0 every document COMPLETE (or COMPLETE_WITH_DECLARED_DROPS) and the audit's "
                + "totals equal the simulator's ledger, 1 otherwise, 2 bad arguments."})
final class DemoCommand extends ToolCommand {

    /** What the flags chose. */
    record Options(Duration duration, int cmtses, double rate, Duration interval, boolean keep) {
    }

    @Option(names = "--duration", paramLabel = "D", converter = DurationText.class,
            description = "how long the CMTSes generate records (default 60s; 500ms, 45s, 2m, or seconds)")
    Duration duration = Duration.ofSeconds(60);

    @Option(names = "--cmts", paramLabel = "N", description = "simulated CMTSes (default 4, 1..50)")
    int cmts = 4;

    @Option(names = "--rate", paramLabel = "R", description = "records/s per CMTS (default 100)")
    double rate = 100;

    @Option(names = "--interval", paramLabel = "D", converter = DurationText.class,
            description = "time-interval session length: one document per interval (default 15s)")
    Duration interval = Duration.ofSeconds(15);

    @Option(names = "--keep", description = "keep the run's data (Cassandra, ZooKeeper, node logs) under var/demo/")
    boolean keep;

    @Override
    public Integer call() {
        if (duration.compareTo(Duration.ofSeconds(15)) < 0 || duration.compareTo(Duration.ofHours(1)) > 0) {
            throw usage("--duration must be between 15s and 1h (the kill and the restart fit in it)");
        }
        if (cmts < 1 || cmts > 50) {
            throw usage("--cmts must be 1..50");
        }
        if (!(rate >= 1 && rate <= 20_000)) {
            throw usage("--rate must be 1..20000 records/s per CMTS");
        }
        if (interval.compareTo(Duration.ofSeconds(2)) < 0) {
            throw usage("--interval must be at least 2s");
        }
        return new DemoRun(new Options(duration, cmts, rate, interval, keep), out, err).run();
    }

    /** {@code 500ms}, {@code 45s}, {@code 2m}, {@code 1h} or a bare number of seconds. */
    static final class DurationText implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            return duration(text);
        }
    }

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
            throw new IllegalArgumentException("'" + text + "': use 500ms, 45s, 2m, 1h or seconds");
        }
    }
}
