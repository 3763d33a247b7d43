package io.ipdrsp.launcher;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for the node's main class in {@link NodeJvmTest}: reads the config {@link NodeConfig} wrote, serves
 * {@code /api/exporters} on the configured API port and prints the node's "is up" lines, or exits 1 when the port is
 * taken (as Jetty makes the node do).
 */
public final class FakeNode {
    private FakeNode() {
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Map<String, Object> config = new YAMLMapper().readValue(Path.of(args[0]).toFile(), Map.class);
        Map<String, Object> node = (Map<String, Object>) config.get("node");
        Map<String, Object> server = (Map<String, Object>) config.get("server");
        Map<String, Object> api = ((List<Map<String, Object>>) server.get("applicationConnectors")).get(0);
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", (Integer) api.get("port")), 0);
        } catch (java.net.BindException e) {
            System.out.println("Address already in use");
            System.exit(1);
            return;
        }
        http.createContext("/api/exporters", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        http.start();
        int port = http.getAddress().getPort();
        System.out.println("ipdr node " + node.get("id") + " (site " + node.get("site") + ") is up");
        System.out.println("  API      : http://127.0.0.1:" + port + "/api/exporters");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
