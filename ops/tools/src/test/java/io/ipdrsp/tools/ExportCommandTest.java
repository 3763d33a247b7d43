package io.ipdrsp.tools;

import static io.ipdrsp.tools.IpdrRun.ipdr;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.launcher.NodeClasspath;
import io.ipdrsp.launcher.NodeConfig;
import io.ipdrsp.launcher.NodeJvm;
import io.ipdrsp.launcher.Ports;
import io.ipdrsp.launcher.ProjectHome;
import io.ipdrsp.protocol.RecordEncoder;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.simulator.Templates;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ipdr export} and {@code ipdr subscribers} against a node started as {@code ipdr node CONFIG} would (its own
 * JVM, its public entry point), seeded over IPDR/SP by a {@link ScriptedCmts} like a real CMTS would: a SAMIS
 * document of 2500 records, then a document of CM-REG-STATUS and CPE records the node's subscriber index reads.
 */
class ExportCommandTest {
    private static final String KEYSPACE = "it_tools_export";
    private static final String EXPORTER = "cmts-cli";
    private static final int SESSION = 2;
    private static final long BOOT = 1_714_000_000L;
    private static final UUID DOCUMENT = ScriptedCmts.documentIdNow();
    /** A document the CMTS handed off (SESSION_STOP 1) and never ended: not final. */
    private static final UUID OPEN_DOCUMENT = ScriptedCmts.documentIdNow();
    private static final TemplateBlock SAMIS = Templates.builtIn(Templates.SAMIS_TYPE_1, 256);
    private static final TemplateBlock CM = Templates.builtIn(Templates.CMTS_CM_REG_STATUS_TYPE, 257);
    private static final TemplateBlock CPE = Templates.builtIn(Templates.CPE_TYPE, 258);
    private static final long CM_MAC = 0x00189b8dfcaaL;
    private static NodeJvm node;
    private static String url;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        CassandraServer cassandra = CassandraServer.shared();
        NodeConfig config = NodeConfig.of("tools-node", "test").http("127.0.0.1", 0, 0)
                .logToStdout("WARN", Map.of())
                .set("listen", NodeConfig.map("address", "127.0.0.1", "port", 0, "allow", List.of("127.0.0.1")))
                .set("storage", NodeConfig.map("contactPoints", List.of(cassandra.contactPoint().getHostString() + ":"
                        + cassandra.nativePort()), "keyspace", KEYSPACE, "consistency", "LOCAL_ONE"))
                .set("cluster", NodeConfig.map("clusterName", "tools-" + System.nanoTime(), "hazelcastAddress",
                        "127.0.0.1", "hazelcastPort", Ports.freePort("127.0.0.1"), "embeddedZooKeeperDir",
                        dir.resolve("zk").toString()))
                .set("security", NodeConfig.map("generateCredentials", true, "credentialsDir",
                        dir.resolve("security").toString()))
                .set("audit", NodeConfig.map("intervalSeconds", 1, "graceSeconds", 1))
                .set("export", NodeConfig.map("subscriberIntervalSeconds", 1))
                .set("exporters", List.of(NodeConfig.map("name", EXPORTER, "address", "127.0.0.1",
                        "direction", "listen", "keepAliveSeconds", 30)));
        node = NodeJvm.builder(config, dir).classpath(NodeClasspath.ofCheckout(ProjectHome.locate())).build();
        node.start().awaitUp(Duration.ofMinutes(3));
        url = node.api();
        // the node wrote its generated login there at start; the commands log in with it, as with -Dipdr.credentials
        NodeCredentials.useFile(dir.resolve("security").resolve("admin.credentials"));
        try (ScriptedCmts cmts = new ScriptedCmts(node.listenPort(), SESSION, List.of(SAMIS, CM, CPE))) {
            List<ScriptedCmts.Rec> samis = new ArrayList<>();
            for (long s = 0; s < 2500; s++) {
                samis.add(new ScriptedCmts.Rec(SAMIS.templateId(), samis(s)));
            }
            cmts.document(DOCUMENT, BOOT, samis);
            // CM 00:18:9b:8d:fc:aa at 10.20.0.1 from 10:00, seen again at 10:15, at 10.20.0.2 from 10:30; one CPE
            Instant t0 = Instant.parse("2024-05-01T10:00:00Z");
            cmts.document(ScriptedCmts.documentIdNow(), BOOT, List.of(cm("10.20.0.1", t0), cm("10.20.0.1", t0.plusSeconds(900)),
                    cm("10.20.0.2", t0.plusSeconds(1800)), new ScriptedCmts.Rec(CPE.templateId(), encode(CPE,
                            List.of(EXPORTER, 1L, "Cable1/0/1", 1000L, CM_MAC, 1, 0x00005e005399L, "192.168.9.9",
                                    "::", "cpe.example.net")))));
            cmts.document(OPEN_DOCUMENT, BOOT, samis.subList(0, 300), 1);
        }
        awaitFinal(DOCUMENT);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static byte[] samis(long seq) {
        return encode(SAMIS, List.of(EXPORTER, seq, "10.0.0.1", "2001:db8::1", "Cable1/0/" + seq,
                1000L, 0x001122330000L + seq, "10.1.0." + (seq % 250), "2001:db8:1::1", "fe80::1", 2, 8,
                Instant.ofEpochSecond(1_700_000_000L), 1, Instant.ofEpochMilli(1_700_000_000_000L + seq),
                new byte[] {1, 2}, 0L, false, seq, 0L, "DS", 1, java.math.BigInteger.valueOf(seq * 1000),
                java.math.BigInteger.valueOf(seq), 0L, 0L, 300L, 900L));
    }

    /** A CMTS-CM-REG-STATUS record of {@link #CM_MAC} at {@code ipv4}, created at {@code at}. */
    private static ScriptedCmts.Rec cm(String ipv4, Instant at) {
        return new ScriptedCmts.Rec(CM.templateId(), encode(CM, List.of(EXPORTER, 1L, "Cable1/0/1", 1000L, 1L,
                new byte[0], 0L, 13L, 6L, CM_MAC, ipv4, "::", "::", 2, 8, Instant.ofEpochSecond(1_700_000_000L), 1,
                at)));
    }

    private static byte[] encode(TemplateBlock template, List<Object> values) {
        ByteBuf b = Unpooled.buffer();
        RecordEncoder.compile(template).encode(values, b);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    /** Until the audit says the document is final (the CMTS ended it; the finalizer judged it). */
    private static void awaitFinal(UUID document) throws Exception {
        String path = "/api/audit/documents/" + EXPORTER + "/" + SESSION + "/" + document + "/" + BOOT;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode doc = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = NodeHttp.client().send(HttpRequest.newBuilder(URI.create(url + path))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                doc = new ObjectMapper().readTree(r.body());
                if ("FINAL".equals(doc.path("recorded").path("state").asText())) {
                    return;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("document " + document + " not final within 120 s: " + doc);
    }

    private static byte[] restBody(UUID document, String format) throws Exception {
        return NodeHttp.client().send(HttpRequest.newBuilder(URI.create(url + "/api/documents/cmts-cli/2/"
                + document + "/1714000000/ipdr." + format)).build(), HttpResponse.BodyHandlers.ofByteArray())
                .body();
    }

    @Test
    void exportWritesTheSameBytesAsTheRestBodyWithProgress(@TempDir Path dir) throws Exception {
        for (String format : List.of("xdr", "xml")) {
            Path file = dir.resolve("doc." + format);
            IpdrRun r = ipdr("export", "--node", url, "--exporter", "cmts-cli", "--session", "2", "--document",
                    DOCUMENT.toString(), "--boot", "1714000000", "--format", format, "-o", file.toString());
            assertThat(r.status()).as(r.err()).isZero();
            byte[] bytes = Files.readAllBytes(file);
            assertThat(bytes).isEqualTo(restBody(DOCUMENT, format));
            assertThat(r.err()).contains("100% 2500/2500").contains("wrote " + file).doesNotContain("not final");
            assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain("PARTIAL");
            assertThat(Files.exists(dir.resolve("doc." + format + ".part"))).isFalse();
        }
    }

    @Test
    void anOpenDocumentIsNotExportedUnlessAllowedAndThenSaysItIsPartial(@TempDir Path dir) throws Exception {
        Path refused = dir.resolve("open.xml");
        IpdrRun no = ipdr("export", "--node", url, "--exporter", "cmts-cli", "--session", "2", "--document",
                OPEN_DOCUMENT.toString(), "--boot", "1714000000", "-o", refused.toString());
        assertThat(no.status()).as(no.err()).isEqualTo(3);
        // not final: not audited yet, or suspended (the finalizer saw its last segment end in a hand-off)
        assertThat(no.err()).containsPattern("not final \\(state (NOT_AUDITED|SUSPENDED)\\)").contains("--allow-open");
        assertThat(Files.exists(refused)).isFalse();
        for (String format : List.of("xdr", "xml")) {
            Path file = dir.resolve("open." + format);
            IpdrRun r = ipdr("export", "--node", url, "--exporter", "cmts-cli", "--session", "2", "--document",
                    OPEN_DOCUMENT.toString(), "--boot", "1714000000", "--format", format, "--allow-open", "-o",
                    file.toString());
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.err()).contains("not final").contains("PARTIAL").contains("300 records")
                    .contains("wrote " + file).doesNotContain("%"); // no total: nothing to claim 100 % of
            byte[] bytes = Files.readAllBytes(file);
            assertThat(bytes).isEqualTo(restBody(OPEN_DOCUMENT, format));
            assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                    .containsPattern("PARTIAL: document not final \\(state (NOT_AUDITED|SUSPENDED)\\)");
            if (format.equals("xml")) {
                assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("<IPDRDoc.End count=\"300\"");
            }
        }
    }

    @Test
    void anAuditOfAnUnknownCmtsFailsAndNamesTheKnownOnes() {
        IpdrRun r = ipdr("audit", "--node", url, "--cmts", "nosuch");
        assertThat(r.status()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).contains("unknown CMTS 'nosuch'").contains("cmts-cli");
        IpdrRun known = ipdr("audit", "--node", url, "--cmts", "cmts-cli", "--format", "csv");
        assertThat(known.status()).as(known.err()).isZero();
        // the handed-off document is OPEN (not audited yet): no finalizer is named for it
        assertThat(known.out().lines().filter(l -> l.startsWith("cmts-cli,2," + OPEN_DOCUMENT))).singleElement()
                .satisfies(l -> assertThat(l).containsPattern(",(NOT_AUDITED|SUSPENDED),OPEN,").endsWith(",,"));
    }

    @Test
    void exportOfAnUnknownDocumentFailsWithTheNodesMessage(@TempDir Path dir) {
        Path file = dir.resolve("none.xml");
        IpdrRun r = ipdr("export", "--node", url, "--exporter", "cmts-cli", "--session", "2", "--document",
                UUID.randomUUID().toString(), "--boot", "1714000000", "-o", file.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("404").contains("no such document");
        assertThat(Files.exists(file)).isFalse();
        assertThat(ipdr("export", "--exporter", "x", "-o", "f").status()).isEqualTo(2);
    }

    @Test
    void subscribersShowsBindingsByMacAndByAddress() throws Exception {
        // the node indexes the CM/CPE document on its own schedule (export.subscriberIntervalSeconds: 1)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String shown = "";
        while (!(shown.contains("address changed") && shown.contains("00:00:5e")) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            shown = ipdr("subscribers", "--node", url, "--mac", "00:18:9b:8d:fc:aa").out();
        }

        IpdrRun byMac = ipdr("subscribers", "--node", url, "--mac", "00-18-9B-8D-FC-AA");
        assertThat(byMac.status()).as(byMac.err()).isZero();
        assertThat(byMac.out()).contains("10.20.0.1").contains("2024-05-01T10:30:00Z")
                .contains("address changed to 10.20.0.2").contains("00:00:5e:00:53:99").contains("192.168.9.9");

        IpdrRun at = ipdr("subscribers", "--node", url, "--ip", "10.20.0.1", "--at", "2024-05-01T10:10:00Z");
        assertThat(at.status()).as(at.err()).isZero();
        assertThat(at.out()).contains("held by CM 00:18:9b:8d:fc:aa");
        IpdrRun after = ipdr("subscribers", "--node", url, "--ip", "10.20.0.1", "--at", "2024-05-01T11:00:00Z",
                "--format", "json");
        assertThat(after.status()).isZero();
        assertThat(after.out()).contains("\"holder\" : null");
        assertThat(ipdr("subscribers", "--node", url, "--mac", "zz").status()).isEqualTo(1);
        assertThat(ipdr("subscribers", "--ip", "1.2.3.4", "--mac", "00:11:22:33:44:55").status()).isEqualTo(2);
    }
}
