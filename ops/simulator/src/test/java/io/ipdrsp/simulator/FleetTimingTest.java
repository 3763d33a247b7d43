package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.SessionStop;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a fleet benchmark needs of the simulator: CMTSes that say their own address in CONNECT whatever address they
 * connect from, time-interval boundaries on the wall clock (every session of the fleet starts a new document at
 * once), per-document first send / first ack times, and the count of ack timeouts.
 */
class FleetTimingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static CmtsSpec cmts(String name, int port, Duration interval) {
        return CmtsSpec.of(name, Direction.CONNECT, List.of(CollectorSpec.at("127.0.0.1", port, 1)),
                List.of(SessionSpec.timeInterval(1, Templates.CPE_TYPE, interval).withRate(50).withAcks(10, 1)
                        .withAlignedBoundaries(true)))
                .withListen("127.0.0.1", 0).withReconnectDelay(Duration.ofMillis(100));
    }

    @Test
    void aCmtsBehindANatSaysItsOwnAddressAndAlignedBoundariesFallOnTheClock() throws Exception {
        long interval = 1_500;
        try (MiniCollector c = MiniCollector.listen("c1", "127.0.0.1", 0);
             Fleet fleet = Fleet.start(FleetSpec.of(
                     cmts("cmts-a", c.port(), Duration.ofMillis(interval)).withInitiatorAddress("10.9.0.1")));
             Fleet later = startLater(Duration.ofMillis(interval / 2),
                     FleetSpec.of(cmts("cmts-b", c.port(), Duration.ofMillis(interval))))) {
            assertThat(fleet.awaitLedger(l -> l.documents().stream().filter(d -> d.stopReason() != null).count() >= 2,
                    WAIT)).isTrue();
            assertThat(later.awaitLedger(l -> l.documents().stream().filter(d -> d.stopReason() != null).count() >= 2,
                    WAIT)).isTrue();
            assertThat(c.messages(Connect.class)).extracting(Connect::initiatorId)
                    .as("10.9.0.1 from behind the NAT, the socket's 127.0.0.1 otherwise")
                    .containsExactlyInAnyOrder(0x0A090001, 0x7F000001);

            // each document ends at a multiple of the interval on the wall clock (the collector acks every DATA, so
            // SESSION_STOP 6 follows the boundary at once), though the second CMTS started half an interval later
            List<Long> stops = c.timedMessages(SessionStop.class).stream()
                    .filter(t -> ((SessionStop) t.message()).reasonCode() == 6)
                    .map(t -> t.atMillis() % interval).toList();
            assertThat(stops).hasSizeGreaterThanOrEqualTo(4).allSatisfy(offset -> assertThat(offset)
                    .as("ms after a boundary").isLessThan(250));
            assertThat(fleet.ledger().documents()).filteredOn(d -> !d.acked().isEmpty()).allSatisfy(d -> {
                assertThat(d.firstSentNanos()).isPositive();
                assertThat(d.firstAckedNanos()).isGreaterThanOrEqualTo(d.firstSentNanos());
            });
            assertThat(fleet.ackTimeouts()).isZero();
        }
    }

    private static Fleet startLater(Duration delay, FleetSpec spec) throws InterruptedException {
        Thread.sleep(delay.toMillis());
        return Fleet.start(spec);
    }

    @Test
    void aSessionWhoseCollectorStopsAckingCountsAnAckTimeout() throws Exception {
        try (MiniCollector c = MiniCollector.listen("c1", "127.0.0.1", 0);
             Fleet fleet = Fleet.start(FleetSpec.of(cmts("cmts-t", c.port(), Duration.ofSeconds(60))))) {
            assertThat(fleet.awaitAcked(20, WAIT)).isTrue();
            c.acking = false;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (fleet.ackTimeouts() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(fleet.ackTimeouts()).as("ackTimeInterval is 1 s").isPositive();
        }
    }
}
