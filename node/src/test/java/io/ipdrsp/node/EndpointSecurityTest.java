package io.ipdrsp.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.metrics.servlets.AdminServlet;
import io.dropwizard.servlets.tasks.Task;
import io.dropwizard.servlets.tasks.TaskServlet;
import io.ipdrsp.node.security.GeneratedCredentials;
import io.ipdrsp.node.security.HttpSecurity;
import io.ipdrsp.node.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.servlet.Servlet;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.ServletMapping;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of a running node — enumerated from its Jersey resource model, its admin servlets and tasks and its
 * application servlets, not from a hand-written list — refuses anonymous callers (401) and callers without its role
 * (403), and answers the role it needs. Only the probes /ping and /ready answer anybody (docs/operations.md). A new
 * endpoint added without a role makes this test fail.
 */
class EndpointSecurityTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Set<String> ANONYMOUS_BY_DESIGN = Set.of("admin GET /ping", "admin GET /ready");
    private static NodeHarness node;

    /** One endpoint: connector (api/admin), HTTP method, concrete path, the role it needs ("" = anybody). */
    record Endpoint(String connector, String method, String path, String role) {
        @Override
        public String toString() {
            return connector + " " + method + " " + path;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        node = new NodeHarness("it_endpoint_security", List.of()).start();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void everyEndpointRefusesAnonymousAndWrongRoleCallers() throws Exception {
        List<Endpoint> all = endpoints(node.environment());
        assertThat(all).as("endpoints found at runtime").extracting(Endpoint::toString)
                .contains("api GET /api/exporters", "api GET /api/audit", "api GET /status/", "admin GET /metrics",
                        "admin GET /prometheus", "admin POST /tasks/log-level", "admin POST /tasks/gc",
                        "admin GET /threads", "admin GET /pprof", "admin GET /ready");
        List<String> problems = new ArrayList<>();
        Set<String> anonymous = new TreeSet<>();
        for (Endpoint e : all) {
            if (e.role().isEmpty()) {
                // a mapping the policy leaves open must serve nothing (Jetty's default servlet behind Jersey's /*)
                int status = call(e, null).statusCode();
                if (status != 404) {
                    anonymous.add(e.toString());
                }
                continue;
            }
            HttpResponse<String> anon = call(e, null);
            if (anon.statusCode() != 401 || !anon.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic")) {
                problems.add(e + ": anonymous got " + anon.statusCode() + " " + anon.headers().map());
            }
            HttpResponse<String> badPassword = call(e, "Basic " + Base64.getEncoder().encodeToString(
                    ("admin:" + TestUsers.password("admin") + "x").getBytes()));
            if (badPassword.statusCode() != 401) {
                problems.add(e + ": a wrong password got " + badPassword.statusCode());
            }
            for (Map.Entry<String, List<String>> u : TestUsers.ROLES.entrySet()) {
                int status = call(e, TestUsers.basic(u.getKey())).statusCode();
                boolean allowed = u.getValue().contains(e.role());
                if (!allowed && status != 403) {
                    problems.add(e + ": " + u.getKey() + " without role " + e.role() + " got " + status);
                }
                if (allowed && (status == 401 || status == 403)) {
                    problems.add(e + ": " + u.getKey() + " with role " + e.role() + " got " + status);
                }
            }
        }
        assertThat(problems).as("endpoints that let the wrong caller in (or keep the right one out)").isEmpty();
        assertThat(anonymous).as("endpoints that answer anonymous callers (with anything but 404)")
                .isEqualTo(ANONYMOUS_BY_DESIGN);
        for (Endpoint e : all) {
            if (e.path().startsWith("/api/audit") || e.path().startsWith("/api/subscribers")
                    || e.path().contains("/ipdr.")) {
                assertThat(e.role()).as("%s reveals records or subscriber data", e).isEqualTo(Role.AUDITOR);
            }
            if (e.connector().equals("admin") && (e.path().startsWith("/tasks/") || e.path().equals("/threads")
                    || e.path().equals("/pprof"))) {
                assertThat(e.role()).as("%s changes or inspects the running node", e).isEqualTo(Role.OPERATOR);
            }
        }
    }

    @Test
    void probesAnswerWithoutRevealingDetails() throws Exception {
        HttpResponse<String> ready = call(new Endpoint("admin", "GET", "/ready", ""), null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready\ncassandra: ok\n");
        assertThat(call(new Endpoint("admin", "GET", "/ping", ""), null).body().trim()).isEqualTo("pong");
    }

    @Test
    void aGeneratedLoginIsRequiredEvenOnLoopback() throws Exception {
        Path dir = Files.createTempDirectory("ipdr-generated-login-");
        try (NodeHarness generated = new NodeHarness("it_generated_login", List.of())) {
            generated.config.getSecurity().users(List.of()).generateCredentials(true, dir.toString());
            generated.start();
            GeneratedCredentials login = GeneratedCredentials.loadOrCreate(dir);
            assertThat(login.created()).as("the node created it at start").isFalse();
            URI uri = URI.create("http://127.0.0.1:" + generated.apiPort() + "/api/cluster");
            assertThat(HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).as("anonymous on loopback").isEqualTo(401);
            String basic = "Basic " + Base64.getEncoder().encodeToString((login.user() + ":" + login.password())
                    .getBytes());
            assertThat(HTTP.send(HttpRequest.newBuilder(uri).header("Authorization", basic).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("the generated login").isEqualTo(200);
        }
    }

    private static HttpResponse<String> call(Endpoint e, String authorization) throws Exception {
        int port = e.connector().equals("api") ? node.apiPort() : node.adminPort();
        // /pprof profiles for 10 s unless told otherwise; the parameter means nothing to the other paths
        String query = e.connector().equals("admin") ? "?duration=1" : "";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + e.path() + query))
                .timeout(Duration.ofSeconds(60)).method(e.method(), HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------------------------ enumeration at runtime

    static List<Endpoint> endpoints(Environment env) throws Exception {
        List<Endpoint> out = new ArrayList<>();
        Set<Class<?>> resources = new LinkedHashSet<>(env.jersey().getResourceConfig().getClasses());
        env.jersey().getResourceConfig().getInstances().forEach(i -> resources.add(i.getClass()));
        for (Class<?> c : resources) {
            if (c.isAnnotationPresent(jakarta.ws.rs.Path.class)) {
                walk(Resource.from(c), "", c, out);
            }
        }
        servlets(env.getApplicationContext().getServletHandler(), "api", env, out);
        servlets(env.getAdminContext().getServletHandler(), "admin", env, out);
        return out;
    }

    private static void walk(Resource r, String prefix, Class<?> resourceClass, List<Endpoint> out) {
        String path = join(prefix, r.getPath());
        for (ResourceMethod m : r.getResourceMethods()) {
            out.add(new Endpoint("api", m.getHttpMethod(), concrete(path),
                    role(m.getInvocable().getDefinitionMethod(), resourceClass)));
        }
        for (Resource child : r.getChildResources()) {
            walk(child, path, resourceClass, out);
        }
    }

    /** The @RolesAllowed of the method or its class; "" when there is none (then the call must still be refused). */
    private static String role(Method m, Class<?> c) {
        RolesAllowed a = m.isAnnotationPresent(RolesAllowed.class) ? m.getAnnotation(RolesAllowed.class)
                : c.getAnnotation(RolesAllowed.class);
        assertThat(a).as("%s.%s has @RolesAllowed", c.getSimpleName(), m.getName()).isNotNull();
        assertThat(a.value()).as("%s.%s names one role", c.getSimpleName(), m.getName()).hasSize(1);
        return a.value()[0];
    }

    private static void servlets(ServletHandler handler, String connector, Environment env, List<Endpoint> out)
            throws Exception {
        for (ServletMapping m : handler.getServletMappings()) {
            ServletHolder holder = handler.getServlet(m.getServletName());
            Servlet servlet = holder.getServlet();
            for (String spec : m.getPathSpecs()) {
                String base = spec.endsWith("/*") ? spec.substring(0, spec.length() - 2) : spec;
                if (servlet == env.getJerseyServletContainer()) {
                    continue; // its resources are enumerated from the model
                }
                if (servlet instanceof AdminServlet) {
                    var ctx = env.getAdminContext();
                    for (String[] uri : new String[][] {{"metrics-uri", AdminServlet.DEFAULT_METRICS_URI},
                            {"ping-uri", AdminServlet.DEFAULT_PING_URI}, {"threads-uri", AdminServlet.DEFAULT_THREADS_URI},
                            {"healthcheck-uri", AdminServlet.DEFAULT_HEALTHCHECK_URI},
                            {"cpu-profile-uri", AdminServlet.DEFAULT_CPU_PROFILE_URI}}) {
                        String p = ctx.getInitParameter(uri[0]) == null ? uri[1] : ctx.getInitParameter(uri[0]);
                        out.add(endpoint(connector, "GET", base + p));
                    }
                    out.add(endpoint(connector, "GET", base + "/"));
                } else if (servlet instanceof TaskServlet tasks) {
                    for (Task t : tasks.getTasks()) {
                        out.add(endpoint(connector, "POST", base + "/" + t.getName()));
                    }
                } else {
                    out.add(endpoint(connector, "GET", spec.endsWith("/*") ? base + "/" : base));
                }
            }
        }
    }

    private static Endpoint endpoint(String connector, String method, String path) {
        String role = connector.equals("admin") ? HttpSecurity.adminRole(path) : HttpSecurity.applicationRole(path);
        return new Endpoint(connector, method, path.replace("//", "/"), role);
    }

    private static String join(String a, String b) {
        String s = (a + "/" + (b == null ? "" : b)).replaceAll("/+", "/");
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** Path parameters filled with well-formed values, so that the call reaches the resource when allowed. */
    private static String concrete(String template) {
        Matcher m = Pattern.compile("\\{([A-Za-z]+)[^}]*}").matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String v = switch (m.group(1)) {
                case "session", "sessionId", "bootTime" -> "1";
                case "documentId" -> UUID.randomUUID().toString();
                case "mac" -> "00:11:22:33:44:55";
                case "addr" -> "10.0.0.1";
                default -> "x";
            };
            m.appendReplacement(b, v);
        }
        return m.appendTail(b).toString();
    }
}
