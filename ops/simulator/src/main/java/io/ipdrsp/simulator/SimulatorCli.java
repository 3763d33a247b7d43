package io.ipdrsp.simulator;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ipdr simulate}: runs a fleet from a scenario file or from quick flags, prints rates while it runs and
 * writes the ledger at the end. Exit codes: 0 done, 1 failed while running, 2 bad arguments or scenario.
 */
public final class SimulatorCli {
    static final String USAGE = """
            usage: ipdr simulate --scenario FILE [--duration D] [--ledger FILE]
                   ipdr simulate [--cmts N] [--rate R] --collectors HOST:PORT@PRIO[,...] [--direction listen|connect]
                                 [--listen HOST:PORT] [--template NAME] [--type event|time-interval|ad-hoc]
                                 [--interval D] [--ack-window N] [--ack-time D] [--load] [--records N]
                                 [--threads N] [--duration D] [--ledger FILE] [--ledger-every D] [--progress D]

              --scenario FILE   YAML scenario (docs/simulator.md)
              --cmts N          number of CMTSes (default 1)
              --rate R          records per second per session (default 100; 0 = as fast as acks allow)
              --collectors L    comma-separated HOST:PORT@PRIORITY (priority 1 = highest, at most 5)
              --direction D     listen (collectors connect to the CMTS, default) or connect (CMTS dials collectors)
              --listen H:P      listen address of the first CMTS (default 0.0.0.0:4737; +1 port per CMTS)
              --load            load mode: pre-encoded records, unlimited rate, ack window 65535
              --duration D      stop after D (e.g. 30s, 5m); default: run until interrupted
              --ledger FILE     write the ledger JSON there at the end (and every --ledger-every D)
            """;

    private SimulatorCli() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> opts;
        try {
            opts = options(args);
        } catch (IllegalArgumentException e) {
            err.println("ipdr simulate: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (opts.containsKey("help")) {
            out.print(USAGE);
            return 0;
        }
        FleetSpec spec;
        Duration progress;
        Duration ledgerEvery;
        try {
            spec = opts.containsKey("scenario") ? Scenario.parse(Path.of(opts.get("scenario"))) : quick(opts);
            if (opts.containsKey("duration")) {
                spec = spec.withDuration(duration(opts.get("duration")));
            }
            if (opts.containsKey("ledger")) {
                spec = spec.withLedgerFile(Path.of(opts.get("ledger")));
            }
            progress = opts.containsKey("progress") ? duration(opts.get("progress")) : Duration.ofSeconds(1);
            ledgerEvery = opts.containsKey("ledger-every") ? duration(opts.get("ledger-every")) : null;
        } catch (ScenarioException | IllegalArgumentException e) {
            err.println("ipdr simulate: " + e.getMessage());
            return 2;
        }
        return runFleet(spec, progress, ledgerEvery, out, err);
    }

    private static int runFleet(FleetSpec spec, Duration progress, Duration ledgerEvery, PrintStream out,
            PrintStream err) {
        Fleet fleet;
        try {
            fleet = Fleet.start(spec);
        } catch (RuntimeException e) {
            err.println("ipdr simulate: " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(fleet::close, "ipdr-simulate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int sessions = spec.cmtses().stream().mapToInt(c -> c.sessions().size()).sum();
        out.printf(Locale.ROOT, "simulating %d CMTS, %d sessions%s%n", spec.cmtses().size(), sessions,
                spec.duration() == null ? "" : " for " + spec.duration());
        for (SimulatedCmts c : fleet.cmtses()) {
            if (c.listenPort() != 0 && spec.cmtses().size() <= 10) {
                out.printf(Locale.ROOT, "  %s listening on port %d%n", c.name(), c.listenPort());
            }
        }
        long start = System.nanoTime();
        long lastSent = 0;
        long lastAcked = 0;
        long lastPrint = start;
        long lastLedger = start;
        try {
            while (!fleet.awaitFinished(progress)) {
                long now = System.nanoTime();
                long sent = fleet.ledger().totalSent();
                long acked = fleet.ledger().totalAcked();
                double secs = (now - lastPrint) / 1e9;
                out.printf(Locale.ROOT, "%6.1fs  sent %,d (%,.0f/s)  acked %,d (%,.0f/s)%n", (now - start) / 1e9,
                        sent, (sent - lastSent) / secs, acked, (acked - lastAcked) / secs);
                lastSent = sent;
                lastAcked = acked;
                lastPrint = now;
                if (ledgerEvery != null && spec.ledgerFile() != null && now - lastLedger >= ledgerEvery.toNanos()) {
                    fleet.ledger().writeJson(spec.ledgerFile());
                    lastLedger = now;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fleet.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long docs = fleet.ledger().documents().size();
        long dropped = fleet.ledger().documents().stream().mapToLong(d -> d.droppedDeclared().count()).sum();
        out.printf(Locale.ROOT, "done after %.1fs: sent %,d, acked %,d (%,.0f/s), %d documents, %,d dropped%n",
                secs, fleet.ledger().totalSent(), fleet.ledger().totalAcked(), fleet.ledger().totalAcked() / secs,
                docs, dropped);
        if (spec.ledgerFile() != null) {
            out.println("ledger written to " + spec.ledgerFile());
        }
        return 0;
    }

    static FleetSpec quick(Map<String, String> o) {
        if (!o.containsKey("collectors")) {
            throw new IllegalArgumentException("give --scenario FILE or --collectors HOST:PORT@PRIO,...");
        }
        int n = integer(o.getOrDefault("cmts", "1"), "--cmts");
        Direction direction = Direction.parse(o.getOrDefault("direction", "listen"));
        boolean load = o.containsKey("load");
        double rate = Double.parseDouble(o.getOrDefault("rate", load ? "0" : "100"));
        List<CollectorSpec> collectors = new ArrayList<>();
        for (String c : o.get("collectors").split(",")) {
            int at = c.lastIndexOf('@');
            String addr = at < 0 ? c : c.substring(0, at);
            int prio = at < 0 ? collectors.size() + 1 : integer(c.substring(at + 1), "priority");
            int colon = addr.lastIndexOf(':');
            String host = colon < 0 ? addr : addr.substring(0, colon);
            int port = colon < 0 ? 0 : integer(addr.substring(colon + 1), "port");
            collectors.add(CollectorSpec.at(host, port, prio));
        }
        String template = o.getOrDefault("template", Templates.SAMIS_TYPE_1);
        if (Templates.builtIn(template, 1) == null) {
            throw new IllegalArgumentException("unknown template " + template + " (" + Templates.builtIns() + ")");
        }
        SessionType type = SessionType.parse(o.getOrDefault("type", "event"));
        Duration interval = o.containsKey("interval") ? duration(o.get("interval"))
                : type == SessionType.TIME_INTERVAL ? Duration.ofMinutes(15) : null;
        int window = integer(o.getOrDefault("ack-window", load ? "65535" : "200"), "--ack-window");
        int ackTime = (int) Math.max(1, duration(o.getOrDefault("ack-time", "60s")).toSeconds());
        long records = o.containsKey("records") ? Long.parseLong(o.get("records"))
                : type == SessionType.AD_HOC ? 100 : -1;
        SessionSpec session = new SessionSpec(1, "SAMIS", template, type, interval,
                type == SessionType.AD_HOC ? 0 : 6, rate, window, ackTime, records, load);
        String listen = o.getOrDefault("listen", "0.0.0.0:" + CmtsSpec.DEFAULT_PORT);
        int colon = listen.lastIndexOf(':');
        String lhost = listen.substring(0, colon);
        int lport = integer(listen.substring(colon + 1), "--listen port");
        List<CmtsSpec> cmtses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CmtsSpec c = CmtsSpec.of(String.format(Locale.ROOT, "cmts-%d", i + 1), direction, collectors,
                    List.of(session)).withMac(0x001dcf000001L + i);
            if (direction == Direction.LISTEN) {
                c = c.withListen(lhost, lport == 0 ? 0 : lport + i);
            }
            cmtses.add(c);
        }
        int threads = integer(o.getOrDefault("threads", "1"), "--threads");
        return new FleetSpec(cmtses, Map.of(), List.of(), null, null, threads);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        List<String> flags = List.of("load", "help");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String key = a.substring(2);
            String value = null;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            }
            if (!List.of("scenario", "cmts", "rate", "collectors", "direction", "listen", "template", "type",
                    "interval", "ack-window", "ack-time", "load", "records", "threads", "duration", "ledger",
                    "ledger-every", "progress", "help").contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
            if (value == null && !flags.contains(key)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + key + " needs a value");
                }
                value = args[++i];
            }
            m.put(key, value == null ? "true" : value);
        }
        return m;
    }

    private static int integer(String s, String what) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be an integer, not '" + s + "'");
        }
    }

    static Duration duration(String s) {
        return Scenario.parseDuration(s);
    }
}
