package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.node.config.Direction;
import io.ipdrsp.node.config.ExporterConfig;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The operator's status page ({@code /status/} on the API port), loaded in headless Chromium against a real node
 * with a simulated CMTS streaming to it: what the page shows after its scripts have polled the API is what is
 * asserted (the DOM Chromium dumps), not the API itself.
 */
class StatusPageTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void showsTheMemberTheCmtsAsPrimaryItsRecordsAndItsDocuments() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "headless Chromium is not installed (" + CHROMIUM
                + "; Debian package 'chromium', which .ci/run installs): the status page test is skipped");
        List<ExporterConfig> exporters = List.of(
                new ExporterConfig("cmts-status", "127.0.0.3", 4737, Direction.LISTEN).keepAliveSeconds(5));
        try (NodeHarness node = new NodeHarness("status_page", exporters).start()) {
            String nodeId = node.config.getNode().getId();
            String base = "http://127.0.0.1:" + node.apiPort();
            FleetSpec spec = FleetSpec.of(CmtsSpec.of("cmts-status", io.ipdrsp.simulator.Direction.CONNECT,
                            List.of(CollectorSpec.at("127.0.0.1", node.listenPort(), 1)),
                            List.of(SessionSpec.timeInterval(1, Templates.SAMIS_TYPE_1, Duration.ofSeconds(2))
                                    .withRate(200).withAcks(50, 2)))
                    .withListen("127.0.0.3", 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(200)));
            try (Fleet fleet = Fleet.start(spec)) {
                assertThat(fleet.awaitAcked(500, Duration.ofSeconds(40))).as("records acknowledged").isTrue();

                HttpResponse<String> page = HttpClient.newHttpClient().send(TestUsers.request(
                        URI.create(base + "/status/")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).as("GET /status/").isEqualTo(200);
                assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");

                // the browser logs in with the URL's credentials and reuses them for the page's API calls (same realm)
                String dom = dumpDom("http://admin:" + TestUsers.password("admin") + "@127.0.0.1:" + node.apiPort()
                        + "/status/");
                Ledger ledger = fleet.ledger();

                assertThat(section(dom, "members-body")).as("member list").contains(nodeId + " (this node)");
                assertThat(text(section(dom, "node-id", "span"))).as("page header").isEqualTo(nodeId);

                String row = row(dom, "cmtses-body", "data-cmts=\"cmts-status\"");
                assertThat(text(cell(row, "role"))).as("role of the CMTS session on this node").isEqualTo("primary");
                long received = Long.parseLong(text(cell(row, "num received")).replace(",", ""));
                assertThat(received).as("records shown for the CMTS").isPositive();

                String documents = section(dom, "documents-body");
                assertThat(ledger.documents()).as("documents sent").isNotEmpty();
                assertThat(ledger.documents().stream().map(Ledger.Document::documentId))
                        .as("a row of the recent documents table is one of the documents the CMTS sent")
                        .anyMatch(id -> documents.contains("data-document=\"" + id + "\""));
                assertThat(text(section(dom, "documents-status", "p"))).as("documents summary")
                        .containsPattern("\\d+ document\\(s\\)");
            }
        }
    }

    /**
     * Loads the page in headless Chromium and returns the DOM after a few seconds of (virtual) time, enough for
     * several 2-second polls of the API. A fresh profile per run; no network besides the node.
     */
    private static String dumpDom(String url) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("status-page-chromium-");
        Path stdout = profile.resolve("dom.html");
        Path stderr = profile.resolve("chromium.err");
        try {
            Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--user-data-dir=" + profile.resolve("profile"), "--virtual-time-budget=7000", "--dump-dom", url)
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("chromium did not finish within 90 s: "
                        + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            String dom = Files.readString(stdout, StandardCharsets.UTF_8);
            assertThat(dom).as("chromium --dump-dom output (exit %d, stderr: %s)", p.exitValue(),
                    Files.readString(stderr, StandardCharsets.UTF_8)).contains("id=\"members-body\"");
            return dom;
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Inner HTML of the element with that id (a tbody unless told otherwise). */
    private static String section(String dom, String id) {
        return section(dom, id, "tbody");
    }

    private static String section(String dom, String id, String tag) {
        Matcher m = Pattern.compile("<" + tag + "[^>]*\\bid=\"" + Pattern.quote(id) + "\"[^>]*>(.*?)</" + tag + ">",
                Pattern.DOTALL).matcher(dom);
        assertThat(m.find()).as("element #%s in the page:%n%s", id, dom).isTrue();
        return m.group(1);
    }

    /** The table row of a tbody that carries the attribute. */
    private static String row(String dom, String tbody, String attribute) {
        String body = section(dom, tbody);
        Matcher m = Pattern.compile("<tr[^>]*" + Pattern.quote(attribute) + "[^>]*>(.*?)</tr>", Pattern.DOTALL)
                .matcher(body);
        assertThat(m.find()).as("a row with %s in #%s:%n%s", attribute, tbody, body).isTrue();
        return m.group(1);
    }

    private static String cell(String row, String cssClass) {
        Matcher m = Pattern.compile("<td class=\"" + Pattern.quote(cssClass) + "\">(.*?)</td>", Pattern.DOTALL)
                .matcher(row);
        assertThat(m.find()).as("cell .%s in row %s", cssClass, row).isTrue();
        return m.group(1);
    }

    /** Visible text of an HTML fragment. */
    private static String text(String html) {
        return html.replaceAll("<[^>]+>", "").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").trim();
    }
}
