package io.ipdrsp.dedup;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Properties;

/**
 * A node's registry entry ({@code /nodes/<site>/<nodeId>} in ZooKeeper, and the Hazelcast member attributes):
 * who it is and where operators and other nodes reach it.
 *
 * @param nodeId      unique node id
 * @param site        site (one Hazelcast cluster per site)
 * @param host        the address other nodes and operators use
 * @param apiPort     HTTP API port (-1 unknown)
 * @param ipdrPort    IPDR/SP listen port (-1 none)
 * @param description free text
 */
public record NodeInfo(String nodeId, String site, String host, int apiPort, int ipdrPort, String description) {
    public NodeInfo {
        if (nodeId == null || nodeId.isEmpty() || nodeId.contains("/")) {
            throw new IllegalArgumentException("nodeId must be non-empty without '/': " + nodeId);
        }
        if (site == null || site.isEmpty() || site.contains("/")) {
            throw new IllegalArgumentException("site must be non-empty without '/': " + site);
        }
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(description, "description");
    }

    byte[] encode() {
        String text = "nodeId=" + nodeId + "\nsite=" + site + "\nhost=" + host + "\napiPort=" + apiPort
                + "\nipdrPort=" + ipdrPort + "\ndescription=" + description.replace('\n', ' ') + "\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes a registry entry; entries of older nodes (plain description text) keep ids from the path. */
    static NodeInfo decode(String site, String nodeId, byte[] data) {
        Properties p = new Properties();
        String text = data == null ? "" : new String(data, StandardCharsets.UTF_8);
        if (text.startsWith("nodeId=")) {
            try {
                p.load(new StringReader(text));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return new NodeInfo(nodeId, site, p.getProperty("host", ""), intOf(p.getProperty("apiPort")),
                    intOf(p.getProperty("ipdrPort")), p.getProperty("description", ""));
        }
        return new NodeInfo(nodeId, site, "", -1, -1, text);
    }

    private static int intOf(String s) {
        try {
            return s == null ? -1 : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
