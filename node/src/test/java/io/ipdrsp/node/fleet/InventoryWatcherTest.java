package io.ipdrsp.node.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.ExporterNaming;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inventory file read at start and again when it changes; a bad change leaves the CMTSes dialed as they are. */
class InventoryWatcherTest {
    @TempDir
    Path dir;

    private final List<List<String>> applied = new CopyOnWriteArrayList<>();

    private InventoryWatcher watcher(Path file) {
        return new InventoryWatcher(file, ExporterNaming.parse("cmts-{initiatorId}"), 30, List.of("listed-1"),
                list -> applied.add(list.stream().map(ExporterConfig::getName).toList()));
    }

    @Test
    void aChangedFileIsAppliedAndABadOneIsNot() throws Exception {
        Path file = Files.writeString(dir.resolve("cmts.csv"), "a,10.0.0.1\n10.0.0.2\n");
        try (InventoryWatcher w = watcher(file).start(Duration.ofHours(1))) {
            assertThat(applied).containsExactly(List.of("a", "cmts-10.0.0.2"));
            w.poll();
            assertThat(applied).as("unchanged: nothing applied again").hasSize(1);

            Files.writeString(file, "a,10.0.0.1\nb,10.0.0.3,4800\n");
            w.poll();
            assertThat(applied).last().isEqualTo(List.of("a", "b"));

            Files.writeString(file, "a,10.0.0.1\nlisted-1,10.0.0.9\n"); // a name under exporters: refused whole
            w.poll();
            assertThat(applied).hasSize(2).last().isEqualTo(List.of("a", "b"));

            Files.writeString(file, "# emptied on purpose\n");
            w.poll();
            assertThat(applied).last().as("an empty inventory is a valid one").isEqualTo(List.of());
        }
    }

    @Test
    void aBadFileStopsTheStartNamingTheKey() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.csv"), "a,10.0.0.1,not-a-port\n");
        assertThatThrownBy(() -> watcher(file).start(Duration.ofHours(1)))
                .hasMessageStartingWith("fleet.inventoryFile ").hasMessageContaining(":1: port 'not-a-port'");
        assertThat(applied).isEmpty();
    }
}
