package io.ipdrsp.tools;

import static io.ipdrsp.tools.TestCaptures.readAll;
import static io.ipdrsp.tools.TestCaptures.resource;
import static io.ipdrsp.tools.TestCaptures.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.MessageCodec;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DecodeCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    /** What Main printed and returned. */
    record Run(int status, List<JsonNode> objects, List<String> stderr) {
    }

    static Run ipdr(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, o, e);
        }
        List<JsonNode> objects = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                try {
                    objects.add(MAPPER.readTree(line));
                } catch (IOException ex) {
                    throw new UncheckedIOException("stdout line is not JSON: " + line, ex);
                }
            }
        }
        String errText = err.toString(StandardCharsets.UTF_8);
        return new Run(status, objects, errText.lines().toList());
    }

    static Stream<Arguments> captures() {
        return Stream.of(Arguments.of("ipdrsp_refexporter_basic", 4737),
                Arguments.of("ipdrsp_refexporter_reconnect_dupflag", 4737),
                Arguments.of("ipdrsp_refexporter_exporter_initiated", 14737));
    }

    private static boolean isError(JsonNode o) {
        return o.has("error") || o.path("record").has("error");
    }

    /** One message as tshark's IPDR/SP dissector listed it. */
    record TsharkMessage(long frame, String srcPort, int messageId, int sessionId, String flags, String seq,
            String firstSeq, String primary, String documentId) {
    }

    /**
     * Parses a .tshark.txt: space-separated columns (frame, time, src ip, src port, message_id, session_id, flags,
     * sequence_num, firstRecordSequenceNumber, primary, documentId, reason_code), empty when absent; a frame with
     * several messages lists comma-separated values, one per message that has the field.
     */
    static List<TsharkMessage> tshark(String capture) throws IOException {
        List<TsharkMessage> out = new ArrayList<>();
        for (String line : Files.readAllLines(resource(capture + ".tshark.txt"))) {
            String[] c = line.split(" ", -1);
            String[] ids = c[4].split(",");
            for (int i = 0; i < ids.length; i++) {
                out.add(new TsharkMessage(Long.parseLong(c[0]), c[3], Integer.parseInt(ids[i]),
                        Integer.parseInt(c[5].split(",")[i]), nth(c[6], i), nth(c[7], i), nth(c[8], i),
                        nth(c[9], i), nth(c[10], i)));
            }
        }
        return out;
    }

    private static String nth(String column, int i) {
        String[] v = column.split(",");
        return column.isEmpty() || i >= v.length ? "" : v[i];
    }

    @ParameterizedTest
    @MethodSource("captures")
    void everyCaptureDecodesCompletelyAndAgreesWithTshark(String capture, int port) throws IOException {
        Run run = ipdr("decode", resource(capture + ".pcapng").toString(), "--port", String.valueOf(port),
                "--ipv6-raw", "--raw");
        assertThat(run.status()).isZero();
        assertThat(run.stderr()).isEmpty();
        assertThat(run.objects()).noneMatch(DecodeCommandTest::isError);

        List<TsharkMessage> expected = tshark(capture);
        assertThat(run.objects()).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            TsharkMessage t = expected.get(i);
            JsonNode o = run.objects().get(i);
            String where = capture + " message " + i + " " + o;
            assertThat(o.get("frame").asLong()).as(where).isEqualTo(t.frame());
            assertThat(o.get("messageId").asInt()).as(where).isEqualTo(t.messageId());
            assertThat(o.get("sessionId").asInt()).as(where).isEqualTo(t.sessionId());
            assertThat(o.get("src").asText()).as(where).endsWith(":" + t.srcPort());
            assertThat(o.get("time").asText()).as(where).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
            if (!t.flags().isEmpty()) {
                assertThat(o.get("flags").asInt()).as(where).isEqualTo(Integer.decode(t.flags()));
            }
            if (!t.seq().isEmpty()) {
                assertThat(o.get("sequenceNum").asLong()).as(where).isEqualTo(Long.parseLong(t.seq()));
            }
            if (!t.firstSeq().isEmpty()) {
                assertThat(o.get("firstRecordSequenceNumber").asLong()).as(where)
                        .isEqualTo(Long.parseLong(t.firstSeq()));
                assertThat(o.get("primary").asBoolean()).as(where).isEqualTo(t.primary().equals("1"));
                assertThat(o.get("documentId").asText()).as(where).isEqualTo(t.documentId());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("captures")
    void everyCapturedMessageReEncodesToItsBytes(String capture, int port) {
        Run run = ipdr("decode", resource(capture + ".pcapng").toString(), "--port", String.valueOf(port),
                "--ipv6-raw", "--raw");
        assertThat(run.objects()).isNotEmpty();
        for (JsonNode o : run.objects()) {
            byte[] raw = HexFormat.of().parseHex(o.get("raw").asText());
            IpdrMessage m;
            try {
                m = MessageCodec.decode(Unpooled.wrappedBuffer(raw));
            } catch (Exception e) {
                throw new AssertionError("captured message does not decode: " + o, e);
            }
            assertThat(MessageCodec.toBytes(m)).as(o.toString()).isEqualTo(raw);
        }
    }

    @Test
    void theFirstDataRecordOfTheBasicCaptureHasTheValuesTheExporterWasGiven() {
        Run run = ipdr("decode", resource("ipdrsp_refexporter_basic.pcapng").toString(), "--ipv6-raw");
        JsonNode data = run.objects().stream().filter(o -> o.get("message").asText().equals("DATA")).findFirst()
                .orElseThrow();
        assertThat(data.get("sequenceNum").asLong()).isZero();
        JsonNode fields = data.get("record").get("fields");
        // the values the captures README lists for this record, in template order
        Object[][] expected = {
            {"int", 0}, {"int", 0}, {"string", "xdrBASE64"}, {"unsignedInt", 1}, {"unsignedInt", 2},
            {"unsignedLong", 3}, {"ipV4Addr", "192.168.1.255"}, {"macAddress", "11:22:33:44:55:66:77:88"},
            {"long", 38675690}, {"dateTimeMsec", "1970-01-01T00:02:03.456Z"}, {"float", 175.576},
            {"double", 12345.45}, {"hexBinary", hex("alex")}, {"hexBinary", hex("123456789123456")},
            {"boolean", true}, {"byte", 5}, {"unsignedByte", 3}, {"short", 99}, {"unsignedShort", 111},
            {"dateTime", "1970-01-01T00:00:00Z"}, {"ipV6Addr", null}, {"uuid", null},
            {"dateTimeUsec", "1970-01-01T00:00:00.002730Z"}, // 0xAAA µs
        };
        assertThat(fields).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            JsonNode f = fields.get(i);
            assertThat(f.get("type").asText()).as(f.toString()).isEqualTo(expected[i][0]);
            Object v = expected[i][1];
            JsonNode value = f.get("value");
            if (v instanceof Integer n) {
                assertThat(value.isIntegralNumber()).as(f.toString()).isTrue();
                assertThat(value.asLong()).as(f.toString()).isEqualTo(n.longValue());
            } else if (v instanceof Double d) {
                assertThat(value.isNumber()).as(f.toString()).isTrue();
                assertThat(value.floatValue()).as(f.toString()).isEqualTo(d.floatValue());
            } else if (v instanceof Boolean b) {
                assertThat(value.asBoolean()).as(f.toString()).isEqualTo(b);
            } else if (v instanceof String s) {
                assertThat(value.asText()).as(f.toString()).isEqualTo(s);
            }
        }
        assertThat(fields.get(11).get("value").asDouble()).isEqualTo(12345.45);
        // 16 raw bytes (no length prefix) read as an address, and the uuid as a dashed UUID
        assertThat(fields.get(20).get("value").asText()).matches("[0-9a-f:]+").contains(":");
        assertThat(fields.get(21).get("value").asText())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    @Test
    void withoutTheIpv6SwitchTheReferenceExportersRecordsAreReportedUndecodableWithTheirBytes() {
        Run run = ipdr("decode", resource("ipdrsp_refexporter_basic.pcapng").toString());
        assertThat(run.status()).isZero();
        List<JsonNode> data = run.objects().stream().filter(o -> o.get("message").asText().equals("DATA")).toList();
        assertThat(data).isNotEmpty().allSatisfy(o -> {
            assertThat(o.get("record").get("error").asText()).startsWith("decode error");
            assertThat(o.get("record").get("error").asText()).contains("ipV6Addr").contains("--ipv6-raw");
            assertThat(o.get("record").get("raw").asText()).hasSize(2 * o.get("record").get("length").asInt());
        });
    }

    @Test
    void theReconnectCaptureShowsTheDuplicateFlagsOfTheResentRecords() {
        Run run = ipdr("decode", resource("ipdrsp_refexporter_reconnect_dupflag.pcapng").toString(), "--ipv6-raw");
        // the second connection: the re-sent records 0..3 after its SESSION_START
        List<JsonNode> connections = run.objects().stream().filter(o -> o.get("message").asText().equals("CONNECT"))
                .toList();
        assertThat(connections).hasSize(2);
        String secondCollector = connections.get(1).get("src").asText();
        List<JsonNode> resent = run.objects().stream()
                .filter(o -> o.get("message").asText().equals("DATA") && o.get("dst").asText().equals(secondCollector))
                .toList();
        assertThat(resent).extracting(o -> o.get("sequenceNum").asLong()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(resent).extracting(o -> o.get("flags").asInt()).containsExactly(0x01, 0x01, 0x01, 0x00);
        assertThat(resent).extracting(o -> o.get("duplicate").asBoolean()).containsExactly(true, true, true, false);
        // the templates were announced again on the new connection, so its records decode too
        assertThat(resent).allSatisfy(o -> assertThat(o.get("record").has("fields")).isTrue());
    }

    @Test
    void aClassicPcapOfTheSamePacketsDecodesTheSame() throws Exception {
        Path ng = resource("ipdrsp_refexporter_basic.pcapng");
        Path pcap = write(dir, "basic.pcap", TestCaptures.pcap(readAll(ng), ByteOrder.LITTLE_ENDIAN, true));
        Run a = ipdr("decode", ng.toString(), "--ipv6-raw", "--raw");
        Run b = ipdr("decode", pcap.toString(), "--ipv6-raw", "--raw");
        assertThat(b.status()).isZero();
        assertThat(b.objects()).isEqualTo(a.objects());
    }

    @Test
    void helpListsTheCommands() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--help"}, new PrintStream(out, true), new PrintStream(
                new ByteArrayOutputStream()));
        assertThat(status).isZero();
        assertThat(out.toString()).contains("decode").contains("usage: ipdr COMMAND");
        assertThat(ipdr("nonsense").status()).isEqualTo(2);
        assertThat(ipdr("decode").status()).isEqualTo(2);
        assertThat(ipdr("decode", "x.pcap", "--port", "70000").status()).isEqualTo(2);
    }

    @Test
    void unreadableInputIsOneLineOnStderrAndStatusOne() throws IOException {
        Path missing = dir.resolve("capture.pcap");
        assertOneLineError(ipdr("decode", missing.toString()),
                "ipdr decode: cannot read " + missing + ": no such file");
        Path text = write(dir, "notes.txt", "not a capture at all".getBytes(StandardCharsets.US_ASCII));
        assertOneLineError(ipdr("decode", text.toString()),
                "ipdr decode: cannot read " + text + ": not a pcap or pcapng file (magic 0x6e6f7420)");
        byte[] real = Files.readAllBytes(resource("ipdrsp_refexporter_basic.pcapng"));
        Path truncated = write(dir, "truncated.pcap", java.util.Arrays.copyOf(
                TestCaptures.pcap(List.of(), ByteOrder.BIG_ENDIAN, false), 12));
        assertOneLineError(ipdr("decode", truncated.toString()), "ipdr decode: cannot read " + truncated
                + ": truncated pcap file header at offset 4 (8 of 20 bytes)");
        byte[] corrupt = real.clone();
        corrupt[4] = 0x13; // the section header block's length (little-endian) becomes 19: not a multiple of 4
        Path bad = write(dir, "corrupt.pcapng", corrupt);
        Run run = ipdr("decode", bad.toString());
        assertOneLineError(run, "ipdr decode: cannot read " + bad + ": corrupt block length 19 at offset 0");
        Path directory = Files.createDirectory(dir.resolve("adir"));
        assertOneLineError(ipdr("decode", directory.toString()),
                "ipdr decode: cannot read " + directory + ": is a directory");
    }

    private static void assertOneLineError(Run run, String line) {
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.stderr()).containsExactly(line);
        assertThat(run.objects()).isEmpty();
    }

    private static String hex(String ascii) {
        return HexFormat.of().formatHex(ascii.getBytes(StandardCharsets.US_ASCII));
    }
}
