package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Load mode against a collector that acks at once: checks that what was pushed is consistent (contiguous DSNs,
 * all acknowledged records accounted for) and prints the rate one simulator event loop reaches. The figure is
 * printed, not asserted (shared CI cores).
 */
class LoadModeTest {

    @Test
    void loadModePushesPreEncodedRecordsAsFastAsAcksAllow() throws Exception {
        try (FastAckCollector collector = new FastAckCollector()) {
            CmtsSpec cmts = CmtsSpec.of("cmts-load", Direction.CONNECT,
                    List.of(CollectorSpec.at("127.0.0.1", collector.port(), 1)),
                    List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withAcks(65535, 60).asLoad()));
            try (Fleet fleet = Fleet.start(FleetSpec.of(cmts))) {
                assertThat(fleet.awaitAcked(200_000, Duration.ofSeconds(30))).isTrue(); // warm-up
                long a0 = fleet.ledger().totalAcked();
                long t0 = System.nanoTime();
                Thread.sleep(3000);
                long a1 = fleet.ledger().totalAcked();
                double secs = (System.nanoTime() - t0) / 1e9;
                double rate = (a1 - a0) / secs;
                System.out.printf("load mode: %,.0f records/s acknowledged (SAMIS-TYPE-1, 1 event loop, "
                        + "window 65535)%n", rate);
                assertThat(a1).isGreaterThan(a0);
                Ledger.Document doc = fleet.ledger().documents("cmts-load", 1).get(0);
                assertThat(doc.acked().ranges()).hasSize(1);
                assertThat(doc.acked().ranges().get(0)[0]).isZero();
                assertThat(doc.resentWithDuplicateFlag().isEmpty()).isTrue();
                assertThat(collector.records.get()).isGreaterThanOrEqualTo(a1);
            }
        }
    }
}
