package io.ipdrsp.bench;

import java.util.Locale;

/** A soak's totals: the faults, the CMTSes' failovers, and {@link SoakCheck}'s verdict. */
record SoakResult(SoakOptions options, int kills, int sigstops, int cuts, int skipped, long failovers,
                  SoakCheck.Verdict verdict, long uncompared, long ackTimeouts) {

    SoakResult(SoakOptions options, SoakFaults faults, long failovers, SoakCheck.Verdict verdict, long uncompared,
               long ackTimeouts) {
        this(options, faults.count(SoakFaults.Kind.KILL), faults.count(SoakFaults.Kind.SIGSTOP),
                faults.count(SoakFaults.Kind.CUT), faults.skipped(), failovers, verdict, uncompared, ackTimeouts);
    }

    /** 0 lost, 0 unexpected, 0 not final, 0 integrity alarms, 0 uncompared, duplicates = the rule. */
    boolean clean() {
        SoakCheck.Verdict v = verdict;
        return v.lost() == 0 && v.unexpected() == 0 && v.notFinal() == 0 && v.conflicts() == 0
                && v.auditIntegrity() == 0 && uncompared == 0 && v.duplicateMismatches() == 0;
    }

    void print() {
        SoakCheck.Verdict v = verdict;
        v.problems().stream().limit(20).forEach(p -> System.out.println("  problem: " + p));
        if (v.problems().size() > 20) {
            System.out.printf("  ... %d problems in all%n", v.problems().size());
        }
        System.out.printf(Locale.ROOT, "SOAK seed %d, %s, %d nodes, %d CMTSes: faults %d (kill -9 %d, SIGSTOP %d, "
                        + "cut %d; skipped %d), failovers %d (ledger; between stretches that landed: audit %d, "
                        + "ledger %d, %d documents differ), %d documents, records sent %,d acked %,d | lost %d, "
                        + "unexpected %d, not final %d, integrity conflicts %d (audit %d), \"%s\" %d | duplicates "
                        + "removed %,d, rule %,d (re-sends %,d - never landed %,d), documents differing %d | ack "
                        + "time-outs %d | %s; load average %s%n",
                options.seed(), options.duration(), options.nodes(), options.cmtses(), kills + sigstops + cuts, kills,
                sigstops, cuts, skipped, failovers, v.failoversAudit(), v.failoversLedger(),
                v.failoverMismatches().size(), v.documents(), v.sent(),
                v.acked(), v.lost(), v.unexpected(), v.notFinal(), v.conflicts(), v.auditIntegrity(),
                ChaosSoak.UNCOMPARED, uncompared, v.duplicatesAudit(), v.duplicatesRule(), v.resentBeyondFirst(),
                v.sendsNotLanded(), v.duplicateMismatches(), ackTimeouts, clean() ? "CLEAN" : "NOT CLEAN",
                CpuSample.loadAverage());
    }
}
