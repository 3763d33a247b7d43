package io.ipdrsp.tools;

import io.ipdrsp.launcher.NodeConfig;
import io.ipdrsp.launcher.Ports;
import io.ipdrsp.simulator.CmtsSpec;
import io.ipdrsp.simulator.CollectorSpec;
import io.ipdrsp.simulator.Direction;
import io.ipdrsp.simulator.SessionSpec;
import io.ipdrsp.simulator.Templates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the demo runs: the simulated CMTSes and the three nodes' configurations.
 *
 * <p>Addresses: every node listens for CMTSes on 127.0.0.1; CMTS k dials from (or listens on) 127.0.1.k, and node n
 * dials from 127.0.2.n, because a CMTS that is dialed tells its collectors apart by source address only. Ports are
 * the usual ones when free (8101.. API, 8201.. admin), so the URLs stay the same from run to run.
 *
 * @param cmtses         the fleet
 * @param nodes          node-1..node-3
 * @param recordsPerCmts what each CMTS generates over the run
 */
record DemoPlan(List<CmtsSpec> cmtses, List<NodeConfig> nodes, long recordsPerCmts) {
    static final int NODES = 3;
    static final int SESSION = 1;
    private static final String KEYSPACE = "ipdr_demo";

    /**
     * @param credentials the folder where the nodes generate (the first one) and read (all of them) the demo's login
     *                    and cluster secrets, as the embedded default does
     */
    static DemoPlan of(DemoCommand.Options opts, String cassandra, String zooKeeper, java.nio.file.Path credentials) {
        int[] api = new int[NODES + 1];
        int[] admin = new int[NODES + 1];
        int[] listen = new int[NODES + 1];
        int[] hz = new int[NODES + 1];
        for (int n = 1; n <= NODES; n++) {
            api[n] = Ports.preferredPort("127.0.0.1", 8100 + n);
            admin[n] = Ports.preferredPort("127.0.0.1", 8200 + n);
            listen[n] = Ports.preferredPort("127.0.0.1", 4800 + n);
            hz[n] = Ports.preferredPort("127.0.0.1", 5800 + n);
        }
        long records = Math.round(opts.rate() * opts.duration().toMillis() / 1000.0);
        SessionSpec session = SessionSpec.timeInterval(SESSION, Templates.SAMIS_TYPE_1, opts.interval())
                .withName("SAMIS").withRate(opts.rate()).withAcks(100, 10).withRecords(records);
        List<CmtsSpec> cmtses = new ArrayList<>();
        Map<Integer, List<Object>> exporters = new HashMap<>();
        for (int k = 1; k <= opts.cmtses(); k++) {
            String name = String.format("cmts-%02d", k);
            String address = "127.0.1." + k;
            List<CollectorSpec> collectors = new ArrayList<>();
            if (k % 2 == 1) { // Cisco: the CMTS connects to each collector from its own address
                for (int n = 1; n <= NODES; n++) {
                    collectors.add(CollectorSpec.at("127.0.0.1", listen[n], n).named("node-" + n));
                    exporters.computeIfAbsent(n, x -> new ArrayList<>()).add(NodeConfig.map("name", name,
                            "address", address, "direction", "listen", "keepAliveSeconds", 5));
                }
                cmtses.add(CmtsSpec.of(name, Direction.CONNECT, collectors, List.of(session))
                        .withListen(address, 0).withKeepAlive(5).withReconnectDelay(Duration.ofMillis(500))
                        .withMac(0x001dcf100000L + k));
            } else { // Arris: the collectors connect to the CMTS, which knows them by source address
                int cmtsPort = Ports.preferredPort(address, 4737);
                for (int n = 1; n <= NODES; n++) {
                    collectors.add(CollectorSpec.at("127.0.2." + n, 0, n).named("node-" + n));
                    exporters.computeIfAbsent(n, x -> new ArrayList<>()).add(NodeConfig.map("name", name,
                            "address", address, "port", cmtsPort, "direction", "connect",
                            "localAddress", "127.0.2." + n, "keepAliveSeconds", 5, "reconnectMinMillis", 200,
                            "reconnectMaxMillis", 2000));
                }
                cmtses.add(CmtsSpec.of(name, Direction.LISTEN, collectors, List.of(session))
                        .withListen(address, cmtsPort).withKeepAlive(5).withMac(0x001dcf100000L + k));
            }
        }
        String clusterName = "demo-" + ProcessHandle.current().pid();
        Map<String, String> loggers = new HashMap<>(NodeConfig.LIBRARIES_AT_WARN);
        loggers.put("com.hazelcast", "WARN");
        List<NodeConfig> nodes = new ArrayList<>();
        for (int n = 1; n <= NODES; n++) {
            List<String> members = new ArrayList<>();
            for (int m = 1; m <= NODES; m++) {
                if (m != n) {
                    members.add("127.0.0.1:" + hz[m]);
                }
            }
            nodes.add(NodeConfig.of("node-" + n, "demo").http("127.0.0.1", api[n], admin[n])
                    .logToStdout("INFO", loggers)
                    .set("listen", NodeConfig.map("address", "127.0.0.1", "port", listen[n],
                            "allow", List.of("127.0.0.1")))
                    .set("storage", NodeConfig.map("contactPoints", List.of(cassandra), "keyspace", KEYSPACE,
                            "consistency", "ONE", "stopFlowAfterSeconds", 10))
                    .set("cluster", NodeConfig.map("clusterName", clusterName, "hazelcastAddress", "127.0.0.1",
                            "hazelcastPort", hz[n], "members", members, "zooKeeper", zooKeeper, "zkNamespace", "demo"))
                    // short grace: the demo wants its verdicts seconds after the last SESSION_STOP
                    .set("audit", NodeConfig.map("intervalSeconds", 2, "graceSeconds", 3))
                    .set("security", NodeConfig.map("generateCredentials", true,
                            "credentialsDir", credentials.toString()))
                    .set("exporters", exporters.getOrDefault(n, List.of())));
        }
        return new DemoPlan(cmtses, nodes, records);
    }

    /** Fast Hazelcast failure detection and joins for a demo on one machine. */
    static List<String> hazelcastProperties() {
        return List.of("-Dhazelcast.heartbeat.interval.seconds=1", "-Dhazelcast.max.no.heartbeat.seconds=6",
                "-Dhazelcast.wait.seconds.before.join=1", "-Dhazelcast.graceful.shutdown.max.wait=5",
                "-Dhazelcast.phone.home.enabled=false");
    }
}
