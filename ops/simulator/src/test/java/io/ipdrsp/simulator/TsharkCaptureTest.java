package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captures a short simulator conversation on loopback with dumpcap and decodes it with Wireshark's IPDR/SP
 * dissector: no malformed packets, no expert errors, DATA present. Skipped only where tshark/dumpcap are absent.
 */
class TsharkCaptureTest {

    private static String binary(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    @Test
    void wiresharkDecodesTheSimulatorsTrafficWithoutErrors(@TempDir Path dir) throws Exception {
        String dumpcap = binary("dumpcap");
        String tshark = binary("tshark");
        assumeTrue(dumpcap != null && tshark != null, "tshark/dumpcap not installed");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path pcap = dir.resolve("sim.pcapng");
        Path capLog = dir.resolve("dumpcap.log");
        Process cap = new ProcessBuilder(dumpcap, "-i", "lo", "-f", "tcp port " + port, "-w", pcap.toString())
                .redirectErrorStream(true).redirectOutput(capLog.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(capLog).contains("Capturing on") && cap.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(cap.isAlive()).as("dumpcap: " + Files.readString(capLog)).isTrue();

            CmtsSpec spec = CmtsSpec.of("cmts-cap", Direction.LISTEN,
                            List.of(CollectorSpec.at("127.0.0.1", 0, 1).named("c1")),
                            List.of(SessionSpec.event(1, Templates.SAMIS_TYPE_1).withRate(300).withAcks(20, 10),
                                    SessionSpec.event(2, Templates.CMTS_CM_REG_STATUS_TYPE).withRate(100),
                                    SessionSpec.timeInterval(3, Templates.CPE_TYPE, Duration.ofMillis(500))
                                            .withRate(100)))
                    .withListen("127.0.0.1", port);
            try (Fleet fleet = Fleet.start(FleetSpec.of(spec));
                    MiniCollector c = MiniCollector.connectTo("c1", "127.0.0.1", "127.0.0.1", port)) {
                assertThat(fleet.awaitAcked(400, Duration.ofSeconds(15))).isTrue();
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.CHANGE_TEMPLATE, "*").session(1));
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.DROP, "*").session(2).count(5));
                assertThat(c.await(x -> x.records.stream().anyMatch(r -> r.configId() == 2), Duration.ofSeconds(10)))
                        .isTrue();
                Thread.sleep(300);
            }
            Thread.sleep(500);
        } finally {
            cap.destroy();
            cap.waitFor(10, TimeUnit.SECONDS);
        }
        Process dec = new ProcessBuilder(tshark, "-r", pcap.toString(), "-d", "tcp.port==" + port + ",ipdr", "-V")
                .redirectErrorStream(true).start();
        String text = new String(dec.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        dec.waitFor(60, TimeUnit.SECONDS);
        assertThat(text).contains("Message id: DATA (32)").contains("Message id: SESSION_START (8)")
                .contains("Message id: TEMPLATE_DATA (16)").contains("Message id: DATA_ACK (33)")
                .contains("Message id: SESSION_STOP (9)");
        List<String> bad = text.lines().filter(l -> l.contains("Malformed") || l.contains("Expert Info (Error"))
                .toList();
        assertThat(bad).as("malformed / expert errors in tshark output").isEmpty();
        long dataMessages = text.lines().filter(l -> l.contains("Message id: DATA (32)")).count();
        System.out.println("tshark decoded " + dataMessages + " DATA messages without errors");
        assertThat(dataMessages).isGreaterThan(400);
    }

}
