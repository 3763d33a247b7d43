package io.ipdrsp.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {
    private static final Path EXAMPLES = Path.of("../scenarios");

    @Test
    void everyExampleScenarioParses() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("steady-fleet.yaml", "failover.yaml", "drops.yaml", "template-change.yaml");
        for (Path f : files) {
            FleetSpec spec = Scenario.parse(f);
            assertThat(spec.cmtses()).as(f.toString()).isNotEmpty();
        }
        FleetSpec steady = Scenario.parse(EXAMPLES.resolve("steady-fleet.yaml"));
        assertThat(steady.cmtses()).hasSize(20);
        assertThat(steady.cmtses().get(0).name()).isEqualTo("cmts-01");
        assertThat(steady.cmtses().get(19).listenPort()).isEqualTo(14737 + 19);
        assertThat(steady.cmtses().get(1).mac()).isEqualTo(0x001dcf100002L);
        SessionSpec samis = steady.cmtses().get(0).sessions().get(0);
        assertThat(samis.type()).isEqualTo(SessionType.TIME_INTERVAL);
        assertThat(samis.interval()).isEqualTo(Duration.ofMinutes(15));
        FleetSpec failover = Scenario.parse(EXAMPLES.resolve("failover.yaml"));
        assertThat(failover.timeline()).extracting(Fault::action).containsExactly(Fault.Action.REFUSE_RECONNECTS,
                Fault.Action.SEVER, Fault.Action.IGNORE_ACKS, Fault.Action.REBOOT);
        assertThat(failover.timeline().get(0).duration()).isEqualTo(Duration.ofSeconds(15));
        FleetSpec tc = Scenario.parse(EXAMPLES.resolve("template-change.yaml"));
        assertThat(tc.templates().get("US-UTIL").fields()).hasSize(7);
        assertThat(tc.cmtses().get(0).quirks().noDuplicateFlagOnLastResent()).isTrue();
    }

    @Test
    void failoverModeDocumentIdKindAndTlsAreScenarioKeys() throws Exception {
        FleetSpec ref = Scenario.parse(EXAMPLES.resolve("reference-exporter.yaml"));
        CmtsSpec c = ref.cmtses().get(0);
        assertThat(c.failover()).isEqualTo(FailoverMode.REFERENCE);
        assertThat(c.documentIds()).isEqualTo(DocumentIdKind.ALL_ZERO);
        assertThat(c.sessions().get(0).documentIds()).isNull(); // the CMTS's kind
        assertThat(c.sessions().get(1).documentIds()).isEqualTo(DocumentIdKind.RANDOM);
        assertThat(c.tls()).isNull();
        assertThat(Scenario.parse(EXAMPLES.resolve("failover.yaml")).cmtses().get(0).failover())
                .isEqualTo(FailoverMode.VENDOR); // the default

        FleetSpec tls = Scenario.parse("""
                cmtses:
                  - direction: connect
                    tls: {certificate: certs/cmts.pem, key: certs/cmts.key, trust: certs/ca.pem,
                          protocols: [TLSv1.3], verifyHostname: false}
                    collectors: [{address: 127.0.0.1:4737}]
                    sessions: [{id: 1}]
                """, "tls.yaml");
        TlsSpec t = tls.cmtses().get(0).tls();
        assertThat(t.certificate()).isEqualTo(Path.of("certs/cmts.pem"));
        assertThat(t.trust()).isEqualTo(Path.of("certs/ca.pem"));
        assertThat(t.protocols()).containsExactly("TLSv1.3");
        assertThat(t.ciphers()).isEmpty();
        assertThat(t.verifyHostname()).isFalse();

        assertThatThrownBy(() -> Scenario.parse("cmtses:\n  - failover: primary\n    collectors: [{address: h}]"
                + "\n    sessions: [{id: 1}]\n", "x.yaml")).hasMessageContaining("x.yaml:2:")
                .hasMessageContaining("unknown failover mode 'primary' (vendor, reference, legacy)");
        assertThatThrownBy(() -> Scenario.parse("cmtses:\n  - documentId: zeros\n    collectors: [{address: h}]"
                + "\n    sessions: [{id: 1}]\n", "x.yaml")).hasMessageContaining("time-prefixed, all-zero, random");
        assertThatThrownBy(() -> Scenario.parse("cmtses:\n  - tls: {certificate: a.pem}\n"
                + "    collectors: [{address: h}]\n    sessions: [{id: 1}]\n", "x.yaml"))
                .hasMessageContaining("certificate and key go together");
        assertThatThrownBy(() -> Scenario.parse("cmtses:\n  - tls: {trust: ca.pem}\n"
                + "    collectors: [{address: h}]\n    sessions: [{id: 1}]\n", "x.yaml"))
                .hasMessageContaining("a CMTS that listens with TLS needs tls.certificate and tls.key");
        assertThatThrownBy(() -> Scenario.parse("cmtses:\n  - direction: connect\n    tls: {protocols: [TLSv1.1]}\n"
                + "    collectors: [{address: 'h:1'}]\n    sessions: [{id: 1}]\n", "x.yaml"))
                .hasMessageContaining("protocol TLSv1.1 is not allowed");
    }

    @Test
    void theTemplateChangeExampleRunsWithItsScenarioDefinedTemplate() throws Exception {
        FleetSpec spec = Scenario.parse(EXAMPLES.resolve("template-change.yaml"));
        CmtsSpec cmts = spec.cmtses().get(0).withListen("127.0.0.1", 0); // any free port instead of 4737
        FleetSpec quick = new FleetSpec(List.of(cmts), spec.templates(), List.of(), null, null, 1);
        try (Fleet fleet = Fleet.start(quick);
                MiniCollector c = MiniCollector.connectTo("node-a", "127.0.0.1", "127.0.0.1",
                        fleet.cmts("cmts-tc").listenPort())) {
            assertThat(c.await(x -> x.records.stream().filter(r -> r.sessionId() == 3).count() >= 5,
                    Duration.ofSeconds(15))).isTrue();
            io.ipdrsp.protocol.TemplateData td = c.messages(io.ipdrsp.protocol.TemplateData.class).stream()
                    .filter(t -> t.sessionId() == 3).findFirst().orElseThrow();
            assertThat(td.templates().get(0).typeName()).isEqualTo("CMTS-US-UTIL-STATS-TYPE");
            var dec = io.ipdrsp.protocol.RecordDecoder.compile(td.templates().get(0),
                    io.ipdrsp.protocol.DecoderOptions.DEFAULT);
            for (MiniCollector.Rec r : c.records) {
                if (r.sessionId() == 3) {
                    assertThat(dec.decodeValues(io.netty.buffer.Unpooled.wrappedBuffer(r.record()))).hasSize(7);
                }
            }
        }
    }

    @Test
    void badScenariosNameTheLineAndTheProblem() {
        assertError("""
                cmtses:
                  - name: a
                    direction: sideways
                    collectors: [{address: 127.0.0.1:1, priority: 1}]
                    sessions: [{id: 1}]
                """, "t.yaml:3:", "unknown direction 'sideways'");
        assertError("""
                cmtses:
                  - name: a
                    collectors:
                      - {address: 127.0.0.1, priority: 9000}
                    sessions: [{id: 1}]
                """, "t.yaml:4:", "priority must be in 1..255");
        assertError("""
                duration: 10s
                cmtses:
                  - name: a
                    collectors: [{address: 127.0.0.1}]
                    sessions:
                      - id: 1
                        template: NOPE-TYPE
                """, "t.yaml:7:", "unknown template 'NOPE-TYPE'");
        assertError("""
                cmtses:
                  - name: a
                    colectors: []
                """, "t.yaml:3:", "unknown key 'colectors'");
        assertError("""
                cmtses:
                  - name: a
                    collectors: [{address: 127.0.0.1}]
                    sessions: [{id: 1, type: time-interval}]
                """, "t.yaml:4:", "needs 'interval'");
        assertError("""
                cmtses:
                  - name: a
                    collectors: [{address: 127.0.0.1}]
                    sessions: [{id: 1}]
                timeline:
                  - {at: 5s, action: drop}
                """, "t.yaml:6:", "drop needs 'count'");
        assertError("""
                cmtses:
                  - name: a
                    collectors: [{address: 127.0.0.1}]
                    sessions: [{id: 1, rate: fast}]
                """, "t.yaml:4:", "rate must be a number");
        assertError("""
                cmtses:
                  - name: a
                    collectors: [{address: 127.0.0.1, priority: 1}, {address: 127.0.0.2, priority: 1}]
                    sessions: [{id: 1}]
                """, "t.yaml:2:", "two collectors with priority 1");
        assertError("""
                cmtses:
                  - name: a
                    collectors: [{address: 127.0.0.1}
                    sessions: [{id: 1}]
                """, "t.yaml:3:", "YAML syntax error");
        assertError("""
                cmtses:
                  - name: a
                    direction: connect
                    collectors: [{address: 127.0.0.1}]
                    sessions: [{id: 1}]
                """, "t.yaml:4:", "needs host:port");
    }

    private static void assertError(String yaml, String location, String problem) {
        assertThatThrownBy(() -> Scenario.parse(yaml, "t.yaml")).isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith(location).hasMessageContaining(problem);
    }

    @Test
    void cliReportsABadScenarioWithItsLineAndExitCode2(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "cmtses:\n  - name: x\n    modems: -3\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = SimulatorCli.run(new String[] {"--scenario", f.toString()}, new PrintStream(OutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad.yaml:3:").contains("modems must be in 1..");
        assertThat(SimulatorCli.run(new String[] {"--bogus"}, new PrintStream(OutputStream()),
                new PrintStream(OutputStream()))).isEqualTo(2);
    }

    @Test
    void cliRunsQuickFlagsAgainstACollectorAndWritesTheLedger(@TempDir Path dir) throws Exception {
        try (MiniCollector c = MiniCollector.listen("c1", "127.0.0.1", 0)) {
            Path ledger = dir.resolve("ledger.json");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc = SimulatorCli.run(new String[] {"--cmts", "2", "--rate", "200", "--direction", "connect",
                "--collectors", "127.0.0.1:" + c.port() + "@1", "--duration", "2s", "--progress", "500ms",
                "--ledger", ledger.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(OutputStream()));
            String printed = out.toString(StandardCharsets.UTF_8);
            assertThat(rc).isZero();
            assertThat(printed).contains("simulating 2 CMTS").contains("acked").contains("ledger written to");
            String json = Files.readString(ledger);
            assertThat(json).contains("\"name\" : \"cmts-1\"").contains("\"name\" : \"cmts-2\"")
                    .contains("\"ackedBy\"");
            assertThat(c.records.size()).isGreaterThan(300);
        }
    }

    private static java.io.OutputStream OutputStream() {
        return java.io.OutputStream.nullOutputStream();
    }
}
