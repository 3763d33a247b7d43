package io.ipdrsp.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.ResourceConfigurationSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.ipdrsp.node.NodeConfiguration;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {
    private final YamlConfigurationFactory<NodeConfiguration> factory = new YamlConfigurationFactory<>(
            NodeConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    /** What every configuration file must say besides the keys a test is about (bind addresses, who may call). */
    private static final String REQUIRED = """
            listen: {address: 127.0.0.1}
            cluster: {hazelcastAddress: 127.0.0.1}
            server:
              applicationConnectors: [{type: http, port: 8080, bindHost: 127.0.0.1}]
              adminConnectors: [{type: http, port: 8081, bindHost: 127.0.0.1}]
            security: {generateCredentials: true}
            """;

    private NodeConfiguration parse(String yaml) throws Exception {
        return factory.build(path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "node.yml");
    }

    @Test
    void aCompleteConfigurationParses() throws Exception {
        NodeConfiguration c = parse("""
                node: {id: collector-1, site: dc1}
                listen: {address: 0.0.0.0, port: 4737, allow: [10.0.0.0/8]}
                exporters:
                  - {name: arris-1, address: 10.1.1.1, port: 4737, direction: connect, sessions: [1, SAMIS], keepAliveSeconds: 60}
                  - {name: cisco-1, address: 10.2.2.2, direction: listen, capabilities: [MULTISESSION, TEMPLATE_NEGOTIATION],
                     templates: {disable: [CmtsSysUpTime]}, ipv6Raw: true}
                storage: {contactPoints: ["10.9.0.1:9042"], consistency: LOCAL_QUORUM}
                cluster: {hazelcastAddress: 10.0.0.4, zooKeeper: "10.9.0.2:2181", members: ["10.0.0.5:5701"],
                          secret: {env: IPDR_CLUSTER_SECRET}, zooKeeperDigest: {file: /run/secrets/zk-digest}}
                server:
                  applicationConnectors: [{type: http, port: 8080, bindHost: 10.0.0.4}]
                  adminConnectors: [{type: http, port: 8081, bindHost: 127.0.0.1}]
                security: {insecure: true}
                """);
        assertThat(c.getExporters()).hasSize(2);
        assertThat(c.getExporters().get(0).getDirection()).isEqualTo(Direction.CONNECT);
        assertThat(c.getExporters().get(0).wantsSession(1, "x")).isTrue();
        assertThat(c.getExporters().get(0).wantsSession(2, "samis")).isTrue();
        assertThat(c.getExporters().get(0).wantsSession(3, "other")).isFalse();
        assertThat(c.getExporters().get(1).isIpv6Raw()).isTrue();
    }

    @Test
    void defaultsWithoutAFileAreValid() throws Exception {
        NodeConfiguration c = new io.ipdrsp.node.NodeConfigurationFactory().create(NodeConfiguration.class,
                Validators.newValidator(), Jackson.newObjectMapper(), "dw").build();
        assertThat(c.getListen().getPort()).isEqualTo(4737);
        assertThat(c.getStorage().getContactPoints()).isEmpty();
        assertThat(NodeConfigChecks.check(c)).isEmpty();
    }

    @Test
    void everyPortOfTheEmbeddedDefaultIsAKey() throws Exception {
        NodeConfiguration file = parse(REQUIRED.replace("cluster: {hazelcastAddress: 127.0.0.1}",
                "cluster: {hazelcastAddress: 127.0.0.1, embeddedZooKeeperPort: 12181}")
                + "storage: {embeddedNativePort: 19042}\n");
        assertThat(file.getStorage().getEmbeddedNativePort()).isEqualTo(19042);
        assertThat(file.getCluster().getEmbeddedZooKeeperPort()).isEqualTo(12181);
        // without a file (ipdr node): the same keys as -Ddw.* overrides, e.g. JAVA_OPTS="-Ddw.listen.port=14737 ..."
        java.util.Map<String, String> overrides = java.util.Map.of("dw.listen.port", "14737",
                "dw.server.applicationConnectors[0].port", "18080", "dw.server.adminConnectors[0].port", "18081",
                "dw.cluster.hazelcastPort", "15701", "dw.storage.embeddedNativePort", "19042",
                "dw.cluster.embeddedZooKeeperPort", "12181");
        overrides.forEach(System::setProperty);
        try {
            NodeConfiguration c = new io.ipdrsp.node.NodeConfigurationFactory().create(NodeConfiguration.class,
                    Validators.newValidator(), Jackson.newObjectMapper(), "dw").build();
            var server = (io.dropwizard.core.server.DefaultServerFactory) c.getServerFactory();
            assertThat(c.getListen().getPort()).isEqualTo(14737);
            assertThat(((io.dropwizard.jetty.HttpConnectorFactory) server.getApplicationConnectors().get(0))
                    .getPort()).isEqualTo(18080);
            assertThat(((io.dropwizard.jetty.HttpConnectorFactory) server.getAdminConnectors().get(0)).getPort())
                    .isEqualTo(18081);
            assertThat(c.getCluster().getHazelcastPort()).isEqualTo(15701);
            assertThat(c.getStorage().getEmbeddedNativePort()).isEqualTo(19042);
            assertThat(c.getCluster().getEmbeddedZooKeeperPort()).isEqualTo(12181);
            assertThat(c.getListen().getAddress()).as("still the embedded default").isEqualTo("127.0.0.1");
        } finally {
            overrides.keySet().forEach(System::clearProperty);
        }
        assertThatThrownBy(() -> parse(REQUIRED + "storage: {embeddedNativePort: 2000}\n"))
                .hasMessageContaining("storage.embeddedNativePort must be 0 (free ports) or 3025..65535");
    }

    @Test
    void errorsNameTheKeyAndTheFix() {
        assertThatThrownBy(() -> parse("""
                exporters:
                  - {name: a, address: 10.1.1.1, port: 70000, direction: connect}
                  - {name: a, address: cmts.example, direction: listen, sessions: [300],
                     templates: {disable: [x]}, capabilities: [MULTISESSION]}
                listen: {allow: [10.0.0.0/33]}
                storage: {contactPoints: [nohost]}
                """)).isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("exporters[0].port must be a TCP port 1..65535")
                .hasMessageContaining("exporters[1].name 'a' is already used by exporters[0]")
                .hasMessageContaining("exporters[1].address 'cmts.example' must be an IP address for direction 'listen'")
                .hasMessageContaining("exporters[1].sessions[0] must be a session id 0..255")
                .hasMessageContaining("exporters[1].capabilities must include TEMPLATE_NEGOTIATION")
                .hasMessageContaining("listen.allow[0] '10.0.0.0/33' has a bad prefix length")
                .hasMessageContaining("storage.contactPoints[0] 'nohost' must be host:port");
    }

    @Test
    void driverPoolAndThrottlerAreReadAndAThrottlerAboveThePoolIsRefused() throws Exception {
        NodeConfiguration c = parse(REQUIRED + """
                storage: {connectionsPerHost: 4, connectionsPerRemoteHost: 2, maxRequestsPerConnection: 1024,
                          maxConcurrentRequests: 4000, maxQueuedRequests: 50000}
                """);
        assertThat(c.getStorage().driverLimits())
                .isEqualTo(new io.ipdrsp.storage.DriverLimits(4, 2, 1024, 4000, 50_000));
        assertThat(parse(REQUIRED).getStorage().driverLimits()).isEqualTo(io.ipdrsp.storage.DriverLimits.defaults());
        assertThatThrownBy(() -> parse("""
                storage: {connectionsPerHost: 1, maxRequestsPerConnection: 512, maxConcurrentRequests: 1024}
                """)).isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("storage.maxConcurrentRequests (1024) must not exceed storage.connectionsPerHost"
                        + " x storage.maxRequestsPerConnection (1 x 512)");
    }

    @Test
    void unknownDirectionIsExplained() {
        assertThatThrownBy(() -> parse("exporters: [{name: a, address: 10.0.0.1, direction: sideways}]"))
                .hasMessageContaining("direction must be 'connect'");
    }

    @Test
    void allowListMatchesCidrBlocksAndMappedAddresses() throws Exception {
        AddressMatcher m = AddressMatcher.parse(java.util.List.of("10.0.0.0/8", "::1", "192.0.2.7"));
        assertThat(m.allows(java.net.InetAddress.getByName("10.200.1.1"))).isTrue();
        assertThat(m.allows(java.net.InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(m.allows(java.net.InetAddress.getByName("::ffff:192.0.2.7"))).isTrue();
        assertThat(m.allows(java.net.InetAddress.getByName("::1"))).isTrue();
    }
}
