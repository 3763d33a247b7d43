package io.ipdrsp.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.launcher.CassandraServer;
import io.ipdrsp.node.NodeCli;
import io.ipdrsp.protocol.RecordEncoder;
import io.ipdrsp.protocol.TemplateBlock;
import io.ipdrsp.simulator.Templates;
import io.ipdrsp.storage.CassandraStorage;
import io.ipdrsp.storage.DocumentInfo;
import io.ipdrsp.storage.RecordKey;
import io.ipdrsp.storage.RecordWriter;
import io.ipdrsp.storage.StorageConfig;
import io.ipdrsp.storage.SubscriberStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ipdr export} and {@code ipdr subscribers} against a node started as {@code ipdr node CONFIG} would. */
class ExportCommandTest {
    private static final String KEYSPACE = "it_tools_export";
    private static final TemplateBlock SAMIS = Templates.builtIn(Templates.SAMIS_TYPE_1, 256);
    private static CassandraStorage storage;
    private static Thread nodeThread;
    private static String url;
    private static final RecordKey KEY = new RecordKey("cmts-cli", 2, UUID.randomUUID(), 1_714_000_000L);

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        CassandraServer cassandra = CassandraServer.shared();
        // the schema first, from one client (concurrent creation of one table can conflict: docs/storage.md)
        storage = CassandraStorage.open(StorageConfig.defaults(List.of(cassandra.contactPoint()),
                cassandra.localDatacenter(), KEYSPACE));
        storeDocument();
        int api = freePort();
        int admin = freePort();
        Path config = dir.resolve("node.yml");
        Files.writeString(config, """
                server:
                  applicationConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}]
                  adminConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}]
                logging: {level: WARN}
                node: {id: tools-node, site: test}
                listen: {address: 127.0.0.1, port: 0}
                storage: {contactPoints: ["%s:%d"], keyspace: %s, consistency: LOCAL_ONE}
                cluster: {clusterName: tools-%d, hazelcastAddress: 127.0.0.1, hazelcastPort: %d, embeddedZooKeeperDir: "%s"}
                security: {generateCredentials: true, credentialsDir: "%s"}
                """.formatted(api, admin, cassandra.contactPoint().getHostString(), cassandra.nativePort(), KEYSPACE,
                System.nanoTime(), freePort(), dir.resolve("zk"), dir.resolve("security")));
        // the commands log in with what the node generates there, as they would with -Dipdr.credentials
        NodeCredentials.useFile(dir.resolve("security").resolve("admin.credentials"));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        nodeThread = new Thread(() -> NodeCli.run(new String[] {config.toString()}, quiet, quiet), "test-node");
        nodeThread.start();
        url = "http://127.0.0.1:" + api;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                // the node writes its generated login at start; the commands read it from there
                if (Files.exists(dir.resolve("security").resolve("admin.credentials"))
                        && NodeHttp.client().send(HttpRequest.newBuilder(URI.create(url + "/api/exporters")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (java.io.IOException notYet) {
                // starting
            }
            if (System.nanoTime() > deadline || !nodeThread.isAlive()) {
                throw new AssertionError("the node did not start");
            }
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (nodeThread != null) {
            nodeThread.interrupt(); // NodeCli stops the server when interrupted
            nodeThread.join(60_000);
        }
        if (storage != null) {
            storage.close();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static byte[] samis(long seq) {
        ByteBuf b = Unpooled.buffer();
        RecordEncoder.compile(SAMIS).encode(List.of("cmts-cli", seq, "10.0.0.1", "2001:db8::1", "Cable1/0/" + seq,
                1000L, 0x001122330000L + seq, "10.1.0." + (seq % 250), "2001:db8:1::1", "fe80::1", 2, 8,
                Instant.ofEpochSecond(1_700_000_000L), 1, Instant.ofEpochMilli(1_700_000_000_000L + seq),
                new byte[] {1, 2}, 0L, false, seq, 0L, "DS", 1, java.math.BigInteger.valueOf(seq * 1000),
                java.math.BigInteger.valueOf(seq), 0L, 0L, 300L, 900L), b);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    private static void storeDocument() throws Exception {
        storage.saveTemplates(KEY.exporter(), KEY.sessionId(), KEY.bootTime(), 1, List.of(SAMIS))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        Instant now = Instant.now();
        storage.saveDocument(new DocumentInfo(KEY, "OPEN", now, now, now, null, null, "test")).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        try (RecordWriter w = storage.recordWriter("test")) {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (long s = 0; s < 2500; s++) {
                acks.add(w.write(KEY, s, 256, 1, false, ByteBuffer.wrap(samis(s))).toCompletableFuture());
            }
            w.flush();
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
    }

    private static byte[] restBody(String format) throws Exception {
        return NodeHttp.client().send(HttpRequest.newBuilder(URI.create(url + "/api/documents/cmts-cli/2/"
                + KEY.documentId() + "/1714000000/ipdr." + format)).build(), HttpResponse.BodyHandlers.ofByteArray())
                .body();
    }

    private record Run(int status, String out, String err) {
    }

    private static Run ipdr(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void exportWritesTheSameBytesAsTheRestBodyWithProgress(@TempDir Path dir) throws Exception {
        for (String format : List.of("xdr", "xml")) {
            Path file = dir.resolve("doc." + format);
            Run r = ipdr("export", "--node", url, "--exporter", "cmts-cli", "--session", "2", "--document",
                    KEY.documentId().toString(), "--boot", "1714000000", "--format", format, "-o", file.toString());
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(Files.readAllBytes(file)).isEqualTo(restBody(format));
            assertThat(r.err()).contains("2500 records").contains("wrote " + file);
            assertThat(Files.exists(dir.resolve("doc." + format + ".part"))).isFalse();
        }
    }

    @Test
    void exportOfAnUnknownDocumentFailsWithTheNodesMessage(@TempDir Path dir) {
        Path file = dir.resolve("none.xml");
        Run r = ipdr("export", "--node", url, "--exporter", "cmts-cli", "--session", "2", "--document",
                UUID.randomUUID().toString(), "--boot", "1714000000", "-o", file.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("404").contains("no such document");
        assertThat(Files.exists(file)).isFalse();
        assertThat(ipdr("export", "--exporter", "x", "-o", "f").status()).isEqualTo(2);
    }

    @Test
    void subscribersShowsBindingsByMacAndByAddress() throws Exception {
        SubscriberStore s = new SubscriberStore(storage);
        Instant t0 = Instant.parse("2024-05-01T10:00:00Z");
        long cm = 0x00189b8dfcaaL;
        s.save(new SubscriberStore.Binding("CM", cm, InetAddress.getByName("10.20.0.1"), t0, t0.plusSeconds(900),
                t0.plusSeconds(1800), "address changed to 10.20.0.2", null, "cmts-cli")).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        s.save(new SubscriberStore.Binding("CPE", 0x00005e005399L, InetAddress.getByName("192.168.9.9"), t0, t0, null,
                null, cm, "cmts-cli")).toCompletableFuture().get(30, TimeUnit.SECONDS);

        Run byMac = ipdr("subscribers", "--node", url, "--mac", "00-18-9B-8D-FC-AA");
        assertThat(byMac.status()).as(byMac.err()).isZero();
        assertThat(byMac.out()).contains("10.20.0.1").contains("2024-05-01T10:30:00Z")
                .contains("address changed to 10.20.0.2").contains("00:00:5e:00:53:99").contains("192.168.9.9");

        Run at = ipdr("subscribers", "--node", url, "--ip", "10.20.0.1", "--at", "2024-05-01T10:10:00Z");
        assertThat(at.status()).as(at.err()).isZero();
        assertThat(at.out()).contains("held by CM 00:18:9b:8d:fc:aa");
        Run after = ipdr("subscribers", "--node", url, "--ip", "10.20.0.1", "--at", "2024-05-01T11:00:00Z",
                "--format", "json");
        assertThat(after.status()).isZero();
        assertThat(after.out()).contains("\"holder\" : null");
        assertThat(ipdr("subscribers", "--node", url, "--mac", "zz").status()).isEqualTo(1);
        assertThat(ipdr("subscribers", "--ip", "1.2.3.4", "--mac", "00:11:22:33:44:55").status()).isEqualTo(2);
    }
}
