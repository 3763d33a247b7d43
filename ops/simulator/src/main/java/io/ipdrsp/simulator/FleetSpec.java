package io.ipdrsp.simulator;

import io.ipdrsp.protocol.TemplateBlock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A whole run: CMTSes, templates defined by the scenario (by name, in addition to the built-ins), the fault
 * timeline, how long to run (null = until closed), where to write the ledger at the end (null = nowhere) and the
 * number of event-loop threads shared by the fleet.
 */
public record FleetSpec(List<CmtsSpec> cmtses, Map<String, TemplateBlock> templates, List<Fault> timeline,
        Duration duration, Path ledgerFile, int eventLoopThreads) {
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

    public static FleetSpec of(CmtsSpec... cmtses) {
        return new FleetSpec(List.of(cmtses), Map.of(), List.of(), null, null, 1);
    }

    public FleetSpec withTimeline(List<Fault> faults) {
        return new FleetSpec(cmtses, templates, faults, duration, ledgerFile, eventLoopThreads);
    }

    public FleetSpec withDuration(Duration d) {
        return new FleetSpec(cmtses, templates, timeline, d, ledgerFile, eventLoopThreads);
    }

    public FleetSpec withTemplates(Map<String, TemplateBlock> t) {
        return new FleetSpec(cmtses, t, timeline, duration, ledgerFile, eventLoopThreads);
    }

    public FleetSpec withLedgerFile(Path p) {
        return new FleetSpec(cmtses, templates, timeline, duration, p, eventLoopThreads);
    }
}
