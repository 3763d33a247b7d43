package io.ipdrsp.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Direction;
import io.ipdrsp.simulator.Fleet;
import io.ipdrsp.simulator.FleetSpec;
import io.ipdrsp.simulator.Ledger;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The image as an operator gets it: target/jib-image.tar (built by {@code mvn package} in this module) unpacked into a
 * root filesystem, the node started from it with the image's own entrypoint, user, environment and working directory
 * (chroot: there is no container engine here), pointed at a local Cassandra and fed by a simulated CMTS. The records
 * must be stored and the audit must say COMPLETE.
 */
class ImageBootIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aNodeStartedFromTheImagesFilesystemStoresAndAuditsASimulatedCmts() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "ImageBootIT needs root (chroot, mount): skipped for user " + System.getProperty("user.name")
                        + "; CI runs as root");
        Path tar = Path.of(System.getProperty("image.tar"));
        assertThat(tar).as("the image tarball (jib:buildTar in package; base-image.sh prints why when it is skipped)")
                .isRegularFile();
        UnpackedImage image = UnpackedImage.unpack(tar, tar.resolveSibling("image-rootfs"));
        System.out.printf("image %s: %d layers, %d MiB unpacked, entrypoint %s, user %s, workdir %s%n", image.tags(),
                image.layers(), image.sizeBytes() >> 20, image.entrypoint(), image.user(), image.workingDir());

        assertThat(image.tags()).containsExactly(System.getProperty("image.name"));
        assertThat(image.label("org.opencontainers.image.version")).isEqualTo(System.getProperty("image.version"));
        assertThat(image.entrypoint()).containsExactly("ipdr", "node");
        assertThat(image.user()).isEqualTo(System.getProperty("image.user"));
        assertThat(image.run(List.of("java", "-version"), Duration.ofSeconds(60))).contains("17.");
        assertThat(image.run(List.of("ipdr", "version"), Duration.ofSeconds(30)))
                .contains("ipdr-collector " + System.getProperty("image.version"));

        CassandraServer cassandra = CassandraServer.shared();
        Ports ports = Ports.pick();
        Files.writeString(image.root().resolve("etc/ipdr-collector/node.yml"), nodeYaml(cassandra, ports));
        try (ImageProcess node = image.start(List.of("/etc/ipdr-collector/node.yml"),
                tar.resolveSibling("image-node.log"))) {
            awaitOk(node, "http://127.0.0.1:" + ports.admin() + "/ping", Duration.ofSeconds(240));
            System.out.println("node from the image serving after " + node.uptime().toMillis() + " ms, uid "
                    + node.uid());
            assertThat(node.uid()).as("the JVM runs as the image's user").isEqualTo(image.user().split(":")[0]);

            Ledger.Document d = streamOneDocument(ports.listen());
            String login = "Basic " + java.util.Base64.getEncoder().encodeToString(Files.readString(
                    image.root().resolve("tmp/security/admin.credentials")).trim().getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
            JsonNode audited = awaitFinal(ports.api(), login, d.documentId(), Duration.ofSeconds(120));
            System.out.println("audit from the image's node: " + audited);
            assertThat(audited.get("verdict").asText()).isEqualTo("COMPLETE");
            assertThat(audited.get("recordsHeld").asLong()).isEqualTo(d.acked().count()).isEqualTo(2000);
            assertThat(audited.get("missingCount").asLong()).isZero();

            node.stop(Duration.ofSeconds(60));
            assertThat(node.exitCode()).as("graceful stop on SIGTERM; log %s", node.log()).isIn(0, 143);
        }
        startsAgainFromTheClassDataArchiveTheFirstRunWrote(image, ports, tar.resolveSibling("image-node-2.log"));
    }

    /**
     * The first run's JVM wrote its class-data archive when it stopped (the image's ipdr command asks for it); a
     * second start maps it. Prints both starts' times to /ping: on a loaded machine they are only indicative
     * (docs/performance.md "Node start-up" has the measured figures).
     */
    private static void startsAgainFromTheClassDataArchiveTheFirstRunWrote(UnpackedImage image, Ports ports, Path log)
            throws Exception {
        Path cds = image.root().resolve("var/lib/ipdr/cds");
        List<Path> archives;
        try (var files = Files.list(cds)) {
            archives = files.filter(p -> p.getFileName().toString().endsWith(".jsa")).toList();
        }
        assertThat(archives).as("one class-data archive in %s after the first stop", cds).hasSize(1);
        assertThat(Files.size(archives.get(0))).as("archive size").isGreaterThan(10L << 20);
        assertThat(archives.get(0).resolveSibling(archives.get(0).getFileName() + ".up"))
                .as("the node's mark: the run that wrote the archive got up").exists();
        String name = "/var/lib/ipdr/cds/" + archives.get(0).getFileName();
        try (ImageProcess node = image.start(List.of("/etc/ipdr-collector/node.yml"), log)) {
            awaitOk(node, "http://127.0.0.1:" + ports.admin() + "/ping", Duration.ofSeconds(240));
            System.out.println("node from the image, second start, with the class-data archive " + name
                    + ": serving after " + node.uptime().toMillis() + " ms");
            assertThat(node.maps(name)).as("the second JVM maps %s", name).isTrue();
            node.stop(Duration.ofSeconds(60));
            assertThat(node.exitCode()).as("graceful stop on SIGTERM; log %s", node.log()).isIn(0, 143);
        }
    }

    /** A simulated CMTS dials the node, streams one ad-hoc document of 2000 records and ends it (SESSION_STOP 0). */
    private static Ledger.Document streamOneDocument(int listenPort) throws InterruptedException {
        FleetSpec spec = FleetSpec.of(CmtsSpec.of("cmts-image", Direction.CONNECT,
                List.of(CollectorSpec.at("127.0.0.1", listenPort, 1)),
                List.of(SessionSpec.adHoc(1, Templates.SAMIS_TYPE_1, 2000).withRate(1000).withAcks(50, 2)))
                .withListen("127.0.0.1", 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(300)));
        try (Fleet fleet = Fleet.start(spec)) {
            assertThat(fleet.awaitDrained(Duration.ofSeconds(120))).as("every record acked").isTrue();
            assertThat(fleet.awaitLedger(l -> l.documents("cmts-image", 1).stream()
                    .allMatch(x -> x.stopReason() != null), Duration.ofSeconds(30))).isTrue();
            return fleet.ledger().documents("cmts-image", 1).get(0);
        }
    }

    private static String nodeYaml(CassandraServer cassandra, Ports p) {
        return String.join("\n",
                "node: {id: image-node, site: image}",
                "server:",
                "  type: default",
                "  applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: " + p.api() + "}]",
                "  adminConnectors: [{type: http, bindHost: 127.0.0.1, port: " + p.admin() + "}]",
                "  requestLog: {appenders: []}",
                "logging: {level: INFO, appenders: [{type: console, target: stdout}]}",
                "listen: {address: 127.0.0.1, port: " + p.listen() + ", allow: [127.0.0.1]}",
                "storage: {contactPoints: [\"127.0.0.1:" + cassandra.nativePort() + "\"], keyspace: image_boot, "
                        + "consistency: LOCAL_ONE}",
                // embedded ZooKeeper in the image's writable /tmp (the chart points at an external ensemble)
                "cluster: {clusterName: image-" + ProcessHandle.current().pid() + ", hazelcastAddress: 127.0.0.1, "
                        + "hazelcastPort: " + p.hazelcast() + ", zooKeeper: \"\", embeddedZooKeeperDir: /tmp/zk}",
                "audit: {intervalSeconds: 1, graceSeconds: 2}",
                // secure as shipped: a login and the cluster secrets generated at first start (the chart mounts a
                // Secret instead); the test reads the login from the image's file system
                "security: {generateCredentials: true, credentialsDir: /tmp/security}",
                "exporters:",
                "  - {name: cmts-image, address: 127.0.0.1, direction: listen, keepAliveSeconds: 5}",
                "");
    }

    private static void awaitOk(ImageProcess node, String url, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            assertThat(node.isAlive()).as("the node is running; its log %s ends with:%n%s", node.log(), node.tail())
                    .isTrue();
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("%s answers within %s; log:%n%s", url, timeout, node.tail())
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static JsonNode awaitFinal(int apiPort, String login, String documentId, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            Instant now = Instant.now();
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort
                    + "/api/audit?cmts=cmts-image&from=" + now.minusSeconds(3600) + "&to=" + now.plusSeconds(3600)))
                    .header("Authorization", login).build(), HttpResponse.BodyHandlers.ofString()).body();
            for (JsonNode x : JSON.readTree(body).path("exporters").path(0).path("documentList")) {
                if (x.get("documentId").asText().equals(documentId)) {
                    last = x;
                }
            }
            if (last != null && "FINAL".equals(last.get("state").asText())) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("document " + documentId + " not final within " + timeout + ": " + last);
    }
}
