package io.ipdrsp.node;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.ipdrsp.node.api.DocumentsResource;
import io.ipdrsp.node.api.ExportersResource;
import io.ipdrsp.node.health.CassandraHealthCheck;
import io.ipdrsp.node.health.ExportersHealthCheck;
import io.ipdrsp.node.security.HttpSecurity;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

/** The collector node: Dropwizard application wiring configuration, services, REST, health and metrics. */
public class NodeApplication extends Application<NodeConfiguration> {
    private final PrintStream out;
    private final boolean https;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile Server server;
    private volatile NodeServices services;
    private volatile io.ipdrsp.node.api.AuditServices auditServices;

    public NodeApplication() {
        this(System.out);
    }

    public NodeApplication(PrintStream out) {
        this(out, false);
    }

    /** @param https the embedded default serves HTTPS with a generated self-signed certificate */
    public NodeApplication(PrintStream out, boolean https) {
        this.out = out;
        this.https = https;
    }

    public static void main(String[] args) throws Exception {
        new NodeApplication().run(args);
    }

    @Override
    public String getName() {
        return "ipdr-node";
    }

    @Override
    public void initialize(Bootstrap<NodeConfiguration> bootstrap) {
        // every time in a REST response is ISO-8601 text (2024-05-01T10:00:00.123Z, durations PT0.412S), never
        // epoch numbers: auditors and scripts read it as is
        bootstrap.getObjectMapper().registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS,
                        com.fasterxml.jackson.databind.SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
        // configuration from a YAML file, or the embedded default (loopback only, generated credentials) without one
        bootstrap.setConfigurationFactoryFactory(new NodeConfigurationFactory(https));
        // ${VARIABLE} in node.yml is replaced from the environment (e.g. keyStorePassword: ${IPDR_KEYSTORE_PASSWORD}
        // filled from a Secret), so no secret has to be written into the file
        bootstrap.setConfigurationSourceProvider(new io.dropwizard.configuration.SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(),
                new io.dropwizard.configuration.EnvironmentVariableSubstitutor(false)));
    }

    @Override
    public void run(NodeConfiguration config, Environment env) {
        if (config.getSecurity().isGenerateCertificate()) {
            io.ipdrsp.node.security.SelfSignedCertificate.createMissing(config.getServerFactory());
        }
        HttpSecurity security = HttpSecurity.install(config.getSecurity(), env);
        NodeServices s = new NodeServices(config, env.metrics());
        services = s;
        env.lifecycle().manage(s);
        env.jersey().register(new io.ipdrsp.node.api.StorageUnavailableMapper());
        env.jersey().register(new ExportersResource(s));
        env.jersey().register(new DocumentsResource(s));
        // the operator's status page (plain HTML+JS polling the REST API) at /status/ on the API port; what
        // dropwizard-assets' AssetsBundle does, with the servlet that bundle wraps (dropwizard-servlets)
        env.servlets().addServlet("status", new io.dropwizard.servlets.assets.AssetServlet("/assets/status",
                "/status/", "index.html", java.nio.charset.StandardCharsets.UTF_8)).addMapping("/status/*");
        env.jersey().register(new io.ipdrsp.node.api.ClusterResource(s));
        io.ipdrsp.node.api.AuditServices audit = new io.ipdrsp.node.api.AuditServices(s);
        auditServices = audit;
        env.lifecycle().manage(audit); // after s: starts once Cassandra and the cluster are up, stops first
        env.jersey().register(new io.ipdrsp.node.api.AuditResource(audit));
        io.ipdrsp.node.api.ExportServices exports = new io.ipdrsp.node.api.ExportServices(s, audit);
        env.lifecycle().manage(exports); // after s, like audit: needs Cassandra and the cluster
        env.jersey().register(new io.ipdrsp.node.api.DocumentExportResource(exports));
        env.jersey().register(new io.ipdrsp.node.api.SubscribersResource(exports));
        env.healthChecks().register("cassandra", new CassandraHealthCheck(s));
        env.healthChecks().register("exporters", new ExportersHealthCheck(s));
        env.healthChecks().register("cluster", new io.ipdrsp.node.health.ClusterHealthCheck(s));
        env.admin().addTask(io.ipdrsp.node.security.TlsReloader.task(s::tls));
        env.healthChecks().register("cluster-members",
                io.ipdrsp.node.health.ClusterMembersHealthCheck.register(s, env.metrics()));
        io.ipdrsp.node.api.PrometheusMetrics.install(env, s, audit);
        // ipdr_documents{exporter,verdict} from Cassandra's audit summaries; after audit: it hooks its finalizer
        env.lifecycle().manage(new io.ipdrsp.node.api.DocumentVerdictMetrics(s, audit, s.metrics().exporters()));
        env.admin().addServlet("ready", new io.ipdrsp.node.health.ReadinessServlet(env.healthChecks(),
                List.of("cassandra"))).addMapping("/ready");
        env.lifecycle().addServerLifecycleListener(srv -> {
            server = srv;
            out.println(describe(srv, s) + System.lineSeparator() + security.describe());
            out.flush();
            ClassDataArchiveMark.nodeIsUp();
            started.countDown();
        });
    }

    static String describe(Server srv, NodeServices s) {
        List<String> lines = new ArrayList<>();
        String id = s.config().getNode().getId();
        lines.add("ipdr node " + id + " (site " + s.config().getNode().getSite() + ") is up");
        if (s.listenPort() > 0) {
            lines.add("  IPDR/SP  : listening for CMTSes on " + s.config().getListen().getAddress() + ":" + s.listenPort());
        }
        for (Connector c : srv.getConnectors()) {
            if (c instanceof ServerConnector sc) {
                String host = sc.getHost() == null ? "localhost" : sc.getHost();
                String scheme = sc.getConnectionFactory(SslConnectionFactory.class) != null ? "https" : "http";
                String base = scheme + "://" + host + ":" + sc.getLocalPort();
                if ("admin".equals(sc.getName())) {
                    lines.add("  admin    : " + base + "/  (health " + base + "/healthcheck, metrics " + base
                            + "/prometheus)");
                } else {
                    lines.add("  API      : " + base + "/api/exporters  " + base + "/api/cluster  " + base + "/api/documents  " + base
                            + "/api/audit");
                    lines.add("  status   : " + base + "/status/  (the operator's status page)");
                }
            }
        }
        return String.join(System.lineSeparator(), lines);
    }

    /** The Jetty server once started (null before). */
    public Server server() {
        return server;
    }

    public NodeServices services() {
        return services;
    }

    /** The finalizer and audit queries of this node (null before run). */
    public io.ipdrsp.node.api.AuditServices auditServices() {
        return auditServices;
    }

    CountDownLatch startedLatch() {
        return started;
    }
}
