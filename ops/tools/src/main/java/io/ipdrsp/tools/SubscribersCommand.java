package io.ipdrsp.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ipdr subscribers}: the subscriber view of a node — which CM/CPE MAC held which IP address when — as a table
 * or the node's JSON. {@code --mac} asks both the CM and the CPE lookup (a MAC is one or the other).
 */
@Command(name = "subscribers", mixinStandardHelpOptions = true,
        customSynopsis = "usage: ipdr subscribers (--mac MAC | --ip ADDR [--at T]) [--node URL] [--format table|json]",
        description = "which cable modem / CPE MAC held which IP address when (from CM-REG-STATUS and CPE records)")
final class SubscribersCommand extends ToolCommand {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Option(names = "--mac", paramLabel = "MAC", description = "a CM or CPE MAC (aa:bb:cc:dd:ee:ff, dashes, dots or "
            + "bare hex): its address periods and, for a CM, the CPEs behind it")
    String mac;

    @Option(names = "--ip", paramLabel = "ADDR", description = "an IPv4 or IPv6 address: who held it at T and its "
            + "periods started by then")
    String ip;

    @Option(names = "--at", paramLabel = "T", description = "ISO-8601 instant (2024-05-01T10:00:00Z), epoch seconds "
            + "or now (default now)")
    String at;

    @Option(names = "--node", paramLabel = "URL", description = "the node's API (default http://localhost:8080)")
    String node = NodeHttp.DEFAULT_NODE;

    @Option(names = "--format", paramLabel = "F", description = "table (default) or json (the node's answers)")
    String format = "table";

    @Override
    public Integer call() {
        format = format.toLowerCase(Locale.ROOT);
        if ((mac == null) == (ip == null)) {
            throw usage("give exactly one of --mac and --ip");
        }
        if (at != null && ip == null) {
            throw usage("--at goes with --ip");
        }
        if (!format.equals("table") && !format.equals("json")) {
            throw usage("--format must be table or json");
        }
        try {
            List<JsonNode> answers = new ArrayList<>();
            if (mac != null) {
                answers.add(get(NodeHttp.uri(node, "/api/subscribers/cm/" + NodeHttp.segment(mac)), err));
                answers.add(get(NodeHttp.uri(node, "/api/subscribers/cpe/" + NodeHttp.segment(mac)), err));
            } else {
                answers.add(get(NodeHttp.uri(node, "/api/subscribers/ip/" + NodeHttp.segment(ip)
                        + (at == null ? "" : "?at=" + NodeHttp.segment(at))), err));
            }
            if (answers.contains(null)) {
                return 1;
            }
            if (format.equals("json")) {
                JsonNode shown = mac == null ? answers.get(0) : MAPPER.createObjectNode().setAll(java.util.Map.of(
                        "cm", answers.get(0), "cpe", answers.get(1)));
                out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(shown));
            } else if (mac != null) {
                table(answers.get(0), answers.get(1), out);
            } else {
                addressTable(answers.get(0), out);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        } catch (IOException e) {
            err.println("ipdr subscribers: " + e.getMessage());
            return 1;
        }
    }

    private static JsonNode get(URI uri, PrintStream err) throws IOException {
        HttpResponse<String> r;
        try {
            r = NodeHttp.client().send(HttpRequest.newBuilder(uri).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (IOException e) {
            throw new IOException("cannot reach " + uri + ": " + e, e);
        }
        if (r.statusCode() != 200) {
            err.println("ipdr subscribers: " + r.statusCode() + ": " + NodeHttp.message(r.body()));
            return null;
        }
        return MAPPER.readTree(r.body());
    }

    private static void table(JsonNode cm, JsonNode cpe, PrintStream out) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode b : cm.path("bindings")) {
            rows.add(row(b));
        }
        for (JsonNode b : cpe.path("bindings")) {
            if (!"CM".equals(b.path("kind").asText())) {
                rows.add(row(b));
            }
        }
        for (JsonNode b : cm.path("cpes")) {
            rows.add(row(b));
        }
        if (rows.isEmpty()) {
            out.println("no address bindings known for " + cm.path("mac").asText());
            return;
        }
        print(rows, out);
    }

    private static void addressTable(JsonNode ip, PrintStream out) {
        JsonNode h = ip.path("holder");
        out.println(ip.path("ip").asText() + " at " + ip.path("at").asText() + ": " + (h.isMissingNode() || h.isNull()
                ? "held by nobody known" : "held by " + h.path("kind").asText() + " " + h.path("mac").asText()
                + (h.path("cmMac").isTextual() ? " (behind CM " + h.path("cmMac").asText() + ")" : "")
                + " on " + h.path("exporter").asText()));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode b : ip.path("bindings")) {
            rows.add(row(b));
        }
        if (!rows.isEmpty()) {
            print(rows, out);
        }
    }

    private static List<String> row(JsonNode b) {
        return List.of(b.path("kind").asText(), b.path("mac").asText(), b.path("ip").asText(),
                b.path("firstSeen").asText(), b.path("lastSeen").asText(), text(b.path("endedAt")),
                text(b.path("endReason")), text(b.path("cmMac")), b.path("exporter").asText());
    }

    private static String text(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? "-" : n.asText();
    }

    private static void print(List<List<String>> rows, PrintStream out) {
        List<String> head = List.of("KIND", "MAC", "IP", "FIRST SEEN", "LAST SEEN", "ENDED", "WHY", "CM", "CMTS");
        int[] w = new int[head.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = head.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        out.println(line(head, w));
        for (List<String> r : rows) {
            out.println(line(r, w));
        }
    }

    private static String line(List<String> cells, int[] w) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            s.append(cells.get(i)).append(" ".repeat(w[i] - cells.get(i).length()));
            if (i < cells.size() - 1) {
                s.append("  ");
            }
        }
        return s.toString().stripTrailing();
    }
}
