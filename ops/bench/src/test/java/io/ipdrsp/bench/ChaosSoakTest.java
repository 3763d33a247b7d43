package io.ipdrsp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos soak of {@code ops/bin/bench-soak}, bounded for the build (issue 15): 2 nodes, 3 CMTSes (one dialing in
 * the vendor sequence, one dialed in the vendor sequence, one dialing in the reference exporter's), a fixed seed, and
 * a fault every 6-12 s for 60 s (kill -9 and restart, SIGSTOP/SIGCONT, cut CMTS links). Whatever failed: nothing
 * acknowledged is lost, nothing stored was never sent, every document becomes final, no integrity conflict, no
 * duplicate left uncompared, and the audit's duplicates removed equal the rule of docs/audit.md computed from the
 * ledger and the receipts.
 */
class ChaosSoakTest {
    @Test
    void exactlyOnceWhateverFails(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        SoakOptions o = new SoakOptions(Duration.ofSeconds(60), Duration.ofSeconds(60), 3, 2, 20261207L, 10,
                Duration.ofSeconds(30), Duration.ofSeconds(6), Duration.ofSeconds(12), Duration.ofSeconds(5),
                Duration.ofSeconds(150), dir, "320m", false);

        SoakResult r = ChaosSoak.run(o);

        SoakCheck.Verdict v = r.verdict();
        String what = String.join("\n", v.problems().subList(0, Math.min(20, v.problems().size())));
        // with 2 nodes one fault at a time (a fault never leaves no node untouched): 4 in 60 s with this seed
        assertThat(r.kills() + r.sigstops() + r.cuts()).as("faults injected").isGreaterThanOrEqualTo(2);
        assertThat(r.failovers()).as("the CMTSes moved sessions between the nodes").isPositive();
        assertThat(v.acked()).as("records acknowledged").isPositive();
        assertThat(v.lost()).as("acknowledged, not stored: %s", what).isZero();
        assertThat(v.unexpected()).as("stored, never sent: %s", what).isZero();
        assertThat(v.notFinal()).as("documents not final %s after the CMTSes stopped: %s", o.finalizeWait(), what)
                .isZero();
        assertThat(v.conflicts()).as("integrity conflicts (versions, record_conflicts): %s", what).isZero();
        assertThat(v.auditIntegrity()).as("integrity conflicts in the audit: %s", what).isZero();
        assertThat(r.uncompared()).as("\"%s\" warnings in the nodes' logs", ChaosSoak.UNCOMPARED).isZero();
        assertThat(v.duplicatesAudit()).as("duplicates removed = the rule: %s", what).isEqualTo(v.duplicatesRule());
        assertThat(v.duplicateMismatches()).as("documents whose duplicates differ from the rule: %s", what).isZero();
    }
}
