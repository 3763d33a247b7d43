package io.ipdrsp.tools;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What the commands that talk to a node's REST API share: the default URL, the client (with the login of
 * {@link NodeCredentials}), path escaping.
 */
final class NodeHttp {
    /** Dropwizard's default application port. */
    static final String DEFAULT_NODE = "http://localhost:8080";

    private NodeHttp() {
    }

    /** A client that logs in with {@link NodeCredentials} when a node asks (401). */
    static HttpClient client() {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL);
        java.net.Authenticator login = NodeCredentials.authenticator();
        return (login == null ? b : b.authenticator(login)).build();
    }

    /** The node base URL plus a path; the base may end with a slash. */
    static URI uri(String node, String path) {
        String base = node.endsWith("/") ? node.substring(0, node.length() - 1) : node;
        if (!base.startsWith("http://") && !base.startsWith("https://")) {
            throw new IllegalArgumentException("--node must be an http:// or https:// URL, not '" + node + "'");
        }
        return URI.create(base + path);
    }

    /** One path segment, percent-encoded (an exporter name may contain anything). */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The message of a node's JSON error body ({"code":…,"message":…}), else the body itself. */
    static String message(String body) {
        try {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            if (node != null && node.hasNonNull("message")) {
                return node.get("message").asText();
            }
        } catch (java.io.IOException notJson) {
            // fall through
        }
        return body.length() > 500 ? body.substring(0, 500) + "…" : body;
    }
}
