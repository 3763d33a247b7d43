package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.node.api.DocumentExportResource;
import io.ipdrsp.node.export.DocumentExport;
import io.ipdrsp.node.export.ExportFixtures;
import io.ipdrsp.protocol.DecoderOptions;
import io.ipdrsp.protocol.RecordEncoder;
import io.ipdrsp.storage.RecordKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The export and subscriber endpoints of a real node (Dropwizard, the shared Cassandra, ZooKeeper, Hazelcast). */
class ExportApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static NodeHarness node;

    @BeforeAll
    static void start() throws Exception {
        node = new NodeHarness("it_export_api", List.of(new ExporterConfig("cmts-api", "127.0.0.5", 4737,
                Direction.LISTEN)));
        node.config.getExport().subscriberIntervalSeconds(1).lastSeenResolutionSeconds(0);
        node.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(TestUsers.request(URI.create("http://localhost:" + node.apiPort() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] local(RecordKey key, DocumentExport.Format f) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // never audited (no node finalizes cmts-api here): exported as a partial document
        new DocumentExport(node.storage(), e -> DecoderOptions.DEFAULT).write(key, f, out, null, "NOT_AUDITED");
        return out.toByteArray();
    }

    @Test
    void documentsAreServedAsXmlAndXdrAndUnknownOnesAre404() throws Exception {
        RecordKey key = new RecordKey("cmts-api", 2, UUID.randomUUID(), 1_714_000_000L);
        ExportFixtures.store(node.storage(), key, 1, List.of(ExportFixtures.SAMIS), 256, 0, 1500,
                ExportFixtures::samis);
        String base = "/api/documents/cmts-api/2/" + key.documentId() + "/1714000000/";

        HttpResponse<byte[]> xdr = get(base + "ipdr.xdr");
        assertThat(xdr.statusCode()).isEqualTo(200);
        assertThat(xdr.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(xdr.body()).isEqualTo(local(key, DocumentExport.Format.XDR));
        assertThat(xdr.headers().firstValue(DocumentExportResource.STATE_HEADER)).hasValue("NOT_AUDITED");
        assertThat(xdr.headers().firstValue(DocumentExportResource.RECORD_COUNT_HEADER)).as("no total for an open"
                + " document").isEmpty();
        assertThat(new String(xdr.body(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .contains("ipdr-collector cmts-api PARTIAL: document not final (state NOT_AUDITED)");

        HttpResponse<byte[]> xml = get(base + "ipdr.xml");
        assertThat(xml.statusCode()).isEqualTo(200);
        assertThat(xml.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/xml");
        assertThat(xml.headers().firstValue("Content-Disposition").orElseThrow())
                .contains(DocumentExport.fileName(key, DocumentExport.Format.XML));
        assertThat(xml.body()).isEqualTo(local(key, DocumentExport.Format.XML));

        HttpResponse<byte[]> missing = get("/api/documents/cmts-api/2/" + UUID.randomUUID() + "/1714000000/ipdr.xml");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).get("message").asText()).contains("no such document");
        HttpResponse<byte[]> bad = get("/api/documents/cmts-api/300/" + key.documentId() + "/1714000000/ipdr.xdr");
        assertThat(bad.statusCode()).isEqualTo(400);
    }

    private static byte[] cm(long mac, String ipv4, int recType, Instant created) {
        ByteBuf b = Unpooled.buffer();
        RecordEncoder.compile(ExportFixtures.CM_REG).encode(List.of("cmts-api", 1L, "Cable1/0/0", 1031L, 1L,
                new byte[0], 0L, 13L, 6L, mac, ipv4, new byte[0], new byte[0], 2, 8,
                Instant.ofEpochSecond(1_714_550_000L), recType, created), b);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    @Test
    void theNodeIndexesCableModemRecordsAndAnswersLookups() throws Exception {
        Instant t0 = Instant.parse("2024-05-01T10:00:00Z");
        RecordKey key = new RecordKey("cmts-api", 18, UUID.randomUUID(), 1_714_000_000L);
        long a = 0x00189b8dfc01L;
        long b = 0x00189b8dfc02L;
        ExportFixtures.store(node.storage(), key, 1, List.of(ExportFixtures.CM_REG), 257, 0, 3, s -> switch ((int) s) {
            case 0 -> cm(a, "10.9.0.1", 3, t0);
            case 1 -> cm(a, "10.9.0.1", 1, t0.plusSeconds(900));
            default -> cm(b, "10.9.0.1", 3, t0.plusSeconds(1800));
        });
        JsonNode byCm = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            byCm = JSON.readTree(get("/api/subscribers/cm/00-18-9b-8d-fc-01").body());
            if (byCm.path("bindings").size() > 0 && !byCm.path("bindings").get(0).path("endedAt").isNull()) {
                break;
            }
            Thread.sleep(200);
        }
        JsonNode p = byCm.path("bindings").get(0);
        assertThat(byCm.path("mac").asText()).isEqualTo("00:18:9b:8d:fc:01");
        assertThat(p.path("ip").asText()).isEqualTo("10.9.0.1");
        assertThat(p.path("firstSeen").asText()).isEqualTo("2024-05-01T10:00:00Z");
        assertThat(p.path("lastSeen").asText()).isEqualTo("2024-05-01T10:15:00Z");
        assertThat(p.path("endedAt").asText()).isEqualTo("2024-05-01T10:30:00Z");

        JsonNode at = JSON.readTree(get("/api/subscribers/ip/10.9.0.1?at=2024-05-01T10:20:00Z").body());
        assertThat(at.path("holder").path("mac").asText()).isEqualTo("00:18:9b:8d:fc:01");
        JsonNode later = JSON.readTree(get("/api/subscribers/ip/10.9.0.1?at=2024-05-01T10:45:00Z").body());
        assertThat(later.path("holder").path("mac").asText()).isEqualTo("00:18:9b:8d:fc:02");
        assertThat(later.path("bindings").size()).isEqualTo(2);
        JsonNode before = JSON.readTree(get("/api/subscribers/ip/10.9.0.1?at=2024-05-01T09:00:00Z").body());
        assertThat(before.path("holder").isNull()).isTrue();

        assertThat(JSON.readTree(get("/api/subscribers/cpe/00:18:9b:8d:fc:01").body()).path("bindings").size())
                .as("a CM is not a CPE").isZero();
        assertThat(get("/api/subscribers/cm/not-a-mac").statusCode()).isEqualTo(400);
        assertThat(get("/api/subscribers/ip/example.com").statusCode()).isEqualTo(400);
    }
}
