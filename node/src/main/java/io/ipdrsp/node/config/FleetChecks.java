package io.ipdrsp.node.config;

import io.ipdrsp.node.NodeConfiguration;
import java.nio.file.Path;
import java.util.List;

/** The {@code fleet:} keys' checks at start (part of {@link NodeConfigChecks}). */
final class FleetChecks {
    private FleetChecks() {
    }

    static void check(NodeConfiguration c, List<NodeConfigChecks.Problem> out) {
        FleetConfig f = c.getFleet();
        if (f == null || f.getNameTemplate() == null || f.getInventoryFile() == null) {
            return; // @NotNull on the fields reports these
        }
        ExporterNaming naming;
        try {
            naming = ExporterNaming.parse(f.getNameTemplate());
        } catch (IllegalArgumentException e) {
            out.add(new NodeConfigChecks.Problem("fleet.nameTemplate", e.getMessage()));
            return;
        }
        if (!f.getInventoryFile().isBlank()) {
            try {
                InventoryFile.read(Path.of(f.getInventoryFile().trim()), naming, f.getKeepAliveSeconds(),
                        c.getExporters().stream().map(ExporterConfig::getName).toList());
            } catch (InventoryFile.Invalid e) {
                out.add(new NodeConfigChecks.Problem("fleet.inventoryFile", e.getMessage()));
            }
        }
    }
}
