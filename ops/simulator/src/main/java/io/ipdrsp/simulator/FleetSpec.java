package io.ipdrsp.simulator;

import io.ipdrsp.protocol.TemplateBlock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A whole run: CMTSes, templates defined by the scenario (by name, in addition to the built-ins), the fault
 * timeline, how long to run (null = until closed), where to write the ledger at the end (null = nowhere), the
 * number of event-loop threads shared by the fleet, and whether the ledger keeps a CRC32C of every record sent
 * ({@link Ledger#recordDigests}; 4 bytes per DSN, for byte-for-byte checks of a collector's storage).
 */
public record FleetSpec(List<CmtsSpec> cmtses, Map<String, TemplateBlock> templates, List<Fault> timeline,
        Duration duration, Path ledgerFile, int eventLoopThreads, boolean recordDigests) {
    public FleetSpec {
        cmtses = List.copyOf(cmtses);
        templates = Map.copyOf(templates);
        timeline = List.copyOf(timeline);
        if (eventLoopThreads < 1) {
            eventLoopThreads = 1;
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (CmtsSpec c : cmtses) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("two CMTSes named " + c.name());
            }
        }
    }

    /** Without record digests. */
    public FleetSpec(List<CmtsSpec> cmtses, Map<String, TemplateBlock> templates, List<Fault> timeline,
            Duration duration, Path ledgerFile, int eventLoopThreads) {
        this(cmtses, templates, timeline, duration, ledgerFile, eventLoopThreads, false);
    }

    public static FleetSpec of(CmtsSpec... cmtses) {
        return new FleetSpec(List.of(cmtses), Map.of(), List.of(), null, null, 1, false);
    }

    /** Keep a CRC32C per sent record in the ledger (off by default: 4 bytes per record for the whole run). */
    public FleetSpec withRecordDigests(boolean on) {
        return new FleetSpec(cmtses, templates, timeline, duration, ledgerFile, eventLoopThreads, on);
    }

    public FleetSpec withEventLoopThreads(int n) {
        return new FleetSpec(cmtses, templates, timeline, duration, ledgerFile, n, recordDigests);
    }

    public FleetSpec withTimeline(List<Fault> faults) {
        return new FleetSpec(cmtses, templates, faults, duration, ledgerFile, eventLoopThreads, recordDigests);
    }

    public FleetSpec withDuration(Duration d) {
        return new FleetSpec(cmtses, templates, timeline, d, ledgerFile, eventLoopThreads, recordDigests);
    }

    public FleetSpec withTemplates(Map<String, TemplateBlock> t) {
        return new FleetSpec(cmtses, t, timeline, duration, ledgerFile, eventLoopThreads, recordDigests);
    }

    public FleetSpec withLedgerFile(Path p) {
        return new FleetSpec(cmtses, templates, timeline, duration, p, eventLoopThreads, recordDigests);
    }
}
