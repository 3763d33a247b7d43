package io.ipdrsp.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.config.FleetConfig;
import io.ipdrsp.node.config.ListenConfig;
import io.ipdrsp.node.fleet.ExporterDirectory;
import io.ipdrsp.node.session.ExporterState;
import io.ipdrsp.node.session.SessionFixture;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The inventory's CMTSes as the transport dials them (real sockets, simulated CMTSes that listen): a CMTS added is
 * dialed, one removed is disconnected and left alone, one that moved is dialed at its new address.
 */
class InventoryDialTest {
    @RegisterExtension
    final SessionFixture f = new SessionFixture();

    private static CmtsSpec listening(String name, String host) {
        return CmtsSpec.of(name, io.ipdrsp.simulator.Direction.LISTEN, List.of(CollectorSpec.at("127.0.0.1", 0, 1)),
                List.of(SessionSpec.event(1, Templates.CPE_TYPE).withRate(1))).withListen(host, 0).withKeepAlive(10);
    }

    private static ExporterConfig entry(String name, String host, int port) {
        return new ExporterConfig(name, host, port, Direction.CONNECT).keepAliveSeconds(10).reconnect(100, 500);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static ExporterState state(NodeTransport t, String name) {
        return t.exporters().stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
    }

    @Test
    void addedCmtsesAreDialedRemovedOnesDisconnectedAndMovedOnesRedialed() throws Exception {
        ExporterDirectory directory = new ExporterDirectory(List.of());
        try (Fleet fleet = Fleet.start(FleetSpec.of(listening("a", "127.24.0.1"), listening("b", "127.24.0.2"),
                     listening("b-moved", "127.24.0.3")));
             NodeTransport t = new NodeTransport(f.ctx, new ListenConfig().enabled(false), new FleetConfig(),
                     directory, List.of(), 1)) {
            int a = fleet.cmts("a").listenPort();
            int b = fleet.cmts("b").listenPort();
            t.start();
            t.inventory(List.of(entry("a", "127.24.0.1", a), entry("b", "127.24.0.2", b)));
            await("both dialed", () -> state(t, "a") != null && state(t, "a").link() == ExporterState.Link.CONNECTED
                    && state(t, "b").link() == ExporterState.Link.CONNECTED);
            ExporterState first = state(t, "a");
            assertThat(directory.configured()).containsExactly("a", "b");

            ExporterState leaving = state(t, "b");
            t.inventory(List.of(entry("a", "127.24.0.1", a)));
            await("b disconnected", () -> leaving.link() == ExporterState.Link.DISCONNECTED);
            assertThat(state(t, "b")).as("no longer listed").isNull();
            assertThat(state(t, "a")).as("unchanged entries keep their connection").isSameAs(first);
            assertThat(directory.configured()).containsExactly("a");
            assertThat(directory.all()).as("still led: its last documents are finalized").contains("b");
            Thread.sleep(1_000); // several reconnect delays (100-500 ms)
            assertThat(leaving.link()).as("not redialed").isEqualTo(ExporterState.Link.DISCONNECTED);

            int moved = fleet.cmts("b-moved").listenPort();
            t.inventory(List.of(entry("a", "127.24.0.1", a), entry("b", "127.24.0.3", moved)));
            await("b dialed at its new address", () -> state(t, "b") != null
                    && state(t, "b").link() == ExporterState.Link.CONNECTED
                    && state(t, "b").view().remote().contains("127.24.0.3"));
            assertThat(first.link()).isEqualTo(ExporterState.Link.CONNECTED);
        } finally {
            directory.close();
        }
    }
}
