package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.simulator.Fault;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every JSON response of the API and admin ports writes its times as ISO-8601 text: instants
 * ({@code 2024-05-01T10:00:00.123Z}) and durations ({@code PT0.412S}), never epoch numbers and no {@code …Millis}
 * field. The one number that is a time on purpose is the exporter's boot time ({@code bootTime},
 * {@code exporterBootTime}): the IPDR/SP value as the CMTS sent it, part of a document's key and of its URLs.
 */
class IsoTimesTest {
    private static final String CMTS = "cmts-iso";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Field names that hold a time: …At, …Since, …Seen, from, to. */
    private static final Pattern TIME_FIELD = Pattern.compile("(?i).*(At|Since|Seen)$|from|to");
    private static final Set<String> DURATION_FIELDS = Set.of("lastTakeover", "takeoverMax");
    private static final Set<String> KEY_TIMES = Set.of("bootTime", "exporterBootTime");
    private static final Pattern LOOKS_LIKE_A_DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}.*");

    @Test
    void everyJsonResponseWritesTimesAsIso8601() throws Exception {
        List<ExporterConfig> exporters = List.of(
                new ExporterConfig(CMTS, "127.0.0.1", 4737, Direction.LISTEN).keepAliveSeconds(5));
        try (NodeHarness node = new NodeHarness("iso_times", exporters)) {
            node.fastAudit().start();
            FleetSpec spec = node.dialingCmts(CMTS, 500, 300);
            Map<String, JsonNode> responses = new LinkedHashMap<>();
            try (Fleet fleet = Fleet.start(spec)) {
                assertThat(fleet.awaitAcked(300, Duration.ofSeconds(40))).isTrue();
                responses.put("GET /api/exporters (connected)", get(node.api("/api/exporters"), 200));
                fleet.inject(Fault.at(Duration.ZERO, Fault.Action.STOP, CMTS));
                assertThat(fleet.awaitLedger(l -> l.documents(CMTS, 1).stream().allMatch(d -> d.stopReason() != null),
                        Duration.ofSeconds(20))).isTrue();
            }
            JsonNode report = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (report == null || !report.findValuesAsText("state").contains("FINAL")) {
                assertThat(System.nanoTime()).as("the document finalized").isLessThan(deadline);
                Thread.sleep(500);
                report = get(node.api("/api/audit?cmts=" + CMTS), 200);
            }
            JsonNode doc = report.path("exporters").get(0).path("documentList").get(0);
            responses.put("GET /api/audit", report);
            responses.put("GET /api/audit/documents/…", get(node.api("/api/audit/documents/" + CMTS + "/"
                    + doc.path("sessionId").asInt() + "/" + doc.path("documentId").asText() + "/"
                    + doc.path("bootTime").asLong()), 200));
            responses.put("GET /api/exporters", get(node.api("/api/exporters"), 200));
            responses.put("GET /api/documents", get(node.api("/api/documents"), 200));
            responses.put("GET /api/cluster", get(node.api("/api/cluster"), 200));
            responses.put("GET /api/subscribers/ip/…", get(node.api("/api/subscribers/ip/192.0.2.1?at=2024-05-01T10:00:00Z"), 200));
            responses.put("GET /api/subscribers/cm/…", get(node.api("/api/subscribers/cm/00:11:22:33:44:55"), 200));
            responses.put("404 of /api/audit", get(node.api("/api/audit?cmts=nobody"), 404));
            // 500: the CMTS has gone, so the exporters check fails; the body is the same JSON
            responses.put("admin /healthcheck", get(node.admin("/healthcheck"), 500));
            responses.put("admin /metrics", get(node.admin("/metrics"), 200));

            Map<String, List<String>> problems = new LinkedHashMap<>();
            Set<String> checked = new TreeSet<>();
            responses.forEach((where, body) -> {
                List<String> p = new ArrayList<>();
                walk("", body, p, checked);
                if (!p.isEmpty()) {
                    problems.put(where, p);
                }
            });
            System.out.println("time fields checked: " + checked);
            assertThat(problems).as("times that are not ISO-8601 text").isEmpty();
            assertThat(checked).as("the times of every endpoint were seen").contains("from", "to", "generatedAt",
                    "startedAt", "finalizedAt", "stoppedAt", "at", "connectedSince", "lastAckAt", "firstSeen",
                    "updatedAt", "takeoverMax", "timestamp");
        }
    }

    @Test
    void theCheckRejectsEpochNumbersAndMillisFields() throws Exception {
        List<String> p = new ArrayList<>();
        walk("", JSON.readTree("{\"from\":1796517329.729184850,\"connectedSinceMillis\":1796517329729,"
                + "\"lastAckAt\":\"yesterday\",\"bootTime\":1700000000,\"nested\":[{\"x\":1796517329729}]}"),
                p, new TreeSet<>());
        assertThat(p).hasSize(4).anyMatch(x -> x.startsWith("from")).anyMatch(x -> x.startsWith("connectedSinceMillis"))
                .anyMatch(x -> x.startsWith("lastAckAt")).anyMatch(x -> x.startsWith("nested[0].x"));
    }

    private static JsonNode get(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    /** Checks every field under {@code node}; {@code checked} collects the names of the time fields seen. */
    static void walk(String path, JsonNode node, List<String> problems, Set<String> checked) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(path + "[" + i + "]", node.get(i), problems, checked);
            }
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            String at = path.isEmpty() ? name : path + "." + name;
            JsonNode v = f.getValue();
            if (v.isContainerNode()) {
                walk(at, v, problems, checked);
            } else if (name.endsWith("Millis")) {
                problems.add(at + ": a …Millis field (" + v + ")");
            } else if (KEY_TIMES.contains(name)) {
                continue; // the exporter's own number, part of the document key
            } else if (DURATION_FIELDS.contains(name)) {
                checked.add(name);
                if (!v.isNull() && !parses(() -> Duration.parse(v.asText()), v)) {
                    problems.add(at + ": not an ISO-8601 duration (" + v + ")");
                }
            } else if (TIME_FIELD.matcher(name).matches() || name.equals("timestamp")) {
                checked.add(name);
                if (!v.isNull() && !parses(() -> Instant.parse(v.asText()), v)) {
                    problems.add(at + ": not an ISO-8601 instant (" + v + ")");
                }
            } else if (v.isNumber() && looksLikeEpoch(v.asDouble())) {
                problems.add(at + ": a number that reads as an epoch time (" + v + ")");
            } else if (v.isTextual() && LOOKS_LIKE_A_DATE.matcher(v.asText()).matches()
                    && !parses(() -> Instant.parse(v.asText()), v)) {
                problems.add(at + ": a date that is not an ISO-8601 instant (" + v + ")");
            }
        }
    }

    private static boolean parses(Runnable parse, JsonNode v) {
        if (!v.isTextual()) {
            return false;
        }
        try {
            parse.run();
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** Seconds or milliseconds since 1970 of a time between 2001 and 2100. */
    private static boolean looksLikeEpoch(double x) {
        return (x >= 1e9 && x < 4.1e9) || (x >= 1e12 && x < 4.1e12);
    }
}
