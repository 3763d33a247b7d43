package io.ipdrsp.node.config;

import io.ipdrsp.node.NodeConfiguration;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cross-key checks of {@link NodeConfiguration}. Each problem is reported on the key that has to change, with the
 * fix in the message, because an operator reads these at 3 a.m. from a failing start.
 */
public final class NodeConfigChecks implements ConstraintValidator<ConsistentNodeConfig, NodeConfiguration> {

    /** A problem: the YAML key and what to do. */
    public record Problem(String key, String message) {
        @Override
        public String toString() {
            return key + " " + message;
        }
    }

    @Override
    public boolean isValid(NodeConfiguration c, ConstraintValidatorContext ctx) {
        List<Problem> problems = check(c);
        if (problems.isEmpty()) {
            return true;
        }
        ctx.disableDefaultConstraintViolation();
        for (Problem p : problems) {
            ctx.buildConstraintViolationWithTemplate(escape(p.message())).addPropertyNode(p.key())
                    .addConstraintViolation();
        }
        return false;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
    }

    public static List<Problem> check(NodeConfiguration c) {
        List<Problem> out = new ArrayList<>();
        if (c.getExporters() == null || c.getListen() == null || c.getStorage() == null || c.getCluster() == null) {
            return out; // @NotNull on the fields reports these
        }
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> listenAddresses = new HashMap<>();
        for (int i = 0; i < c.getExporters().size(); i++) {
            ExporterConfig e = c.getExporters().get(i);
            String at = "exporters[" + i + "]";
            if (e == null) {
                out.add(new Problem(at, "is empty: give name, address, port and direction"));
                continue;
            }
            if (e.getName() != null) {
                Integer prev = names.putIfAbsent(e.getName(), i);
                if (prev != null) {
                    out.add(new Problem(at + ".name", "'" + e.getName() + "' is already used by exporters[" + prev
                            + "]: give every CMTS a unique name"));
                }
            }
            if (e.getDirection() == Direction.LISTEN) {
                if (!c.getListen().isEnabled()) {
                    out.add(new Problem(at + ".direction", "is 'listen' but listen.enabled is false: set "
                            + "listen.enabled: true, or use direction: connect"));
                }
                if (e.getAddress() != null && AddressMatcher.literal(e.getAddress().trim()) == null) {
                    out.add(new Problem(at + ".address", "'" + e.getAddress() + "' must be an IP address for "
                            + "direction 'listen': incoming connections are matched by their source address"));
                } else if (e.getAddress() != null) {
                    Integer prev = listenAddresses.putIfAbsent(e.getAddress().trim(), i);
                    if (prev != null) {
                        out.add(new Problem(at + ".address", "'" + e.getAddress() + "' is also the address of "
                                + "exporters[" + prev + "] with direction 'listen': an incoming connection could "
                                + "not be matched; give each listening CMTS its own address"));
                    }
                }
            }
            String local = e.getLocalAddress() == null ? "" : e.getLocalAddress().trim();
            if (!local.isEmpty()) {
                if (e.getDirection() == Direction.LISTEN) {
                    out.add(new Problem(at + ".localAddress", "applies to direction 'connect' only (the address "
                            + "the node dials the CMTS from): remove it or use direction: connect"));
                } else if (AddressMatcher.literal(local) == null) {
                    out.add(new Problem(at + ".localAddress", "'" + local + "' must be a local IP address of this "
                            + "node (the source address the CMTS sees), e.g. 10.0.0.11"));
                }
            }
            if (e.getSessions() != null) {
                for (int k = 0; k < e.getSessions().size(); k++) {
                    SessionSelector s = e.getSessions().get(k);
                    if (s == null || (s.isId() && (s.sessionId() < 0 || s.sessionId() > 255))
                            || (!s.isId() && s.sessionName().isBlank())) {
                        out.add(new Problem(at + ".sessions[" + k + "]", "must be a session id 0..255 or a "
                                + "session name as listed by the CMTS (GET_SESSIONS)"));
                    }
                }
            }
            if (e.getReconnectMinMillis() > e.getReconnectMaxMillis()) {
                out.add(new Problem(at + ".reconnectMaxMillis", "must be >= reconnectMinMillis ("
                        + e.getReconnectMinMillis() + ")"));
            }
            if (e.getTemplates() != null && e.getTemplates().isActive() && e.getCapabilities() != null
                    && !e.getCapabilities().contains(Capability.TEMPLATE_NEGOTIATION)) {
                out.add(new Problem(at + ".capabilities", "must include TEMPLATE_NEGOTIATION because "
                        + at + ".templates asks to enable/disable fields"));
            }
            if (e.getCapabilities() != null && e.getCapabilities().contains(Capability.STRUCTURES)) {
                out.add(new Problem(at + ".capabilities", "STRUCTURES is not supported by this collector yet: "
                        + "remove it"));
            }
        }
        List<String> allow = c.getListen().getAllow();
        for (int k = 0; allow != null && k < allow.size(); k++) {
            try {
                AddressMatcher.parseOne(allow.get(k));
            } catch (IllegalArgumentException ex) {
                out.add(new Problem("listen.allow[" + k + "]", ex.getMessage()));
            }
        }
        if (c.getListen().getAddress() != null && AddressMatcher.literal(c.getListen().getAddress().trim()) == null) {
            out.add(new Problem("listen.address", "'" + c.getListen().getAddress()
                    + "' must be a local IP address such as 0.0.0.0, :: or 127.0.0.1"));
        }
        hostPorts(out, "storage.contactPoints", c.getStorage().getContactPoints());
        hostPorts(out, "cluster.members", c.getCluster().getMembers());
        ClusterConfig.Kubernetes k8s = c.getCluster().getKubernetes();
        if (k8s != null && k8s.isEnabled() && (k8s.getServiceDns() == null || k8s.getServiceDns().isBlank())) {
            out.add(new Problem("cluster.kubernetes.serviceDns", "is required when cluster.kubernetes.enabled is "
                    + "true: the headless Service's DNS name, e.g. ipdr-collector-hz.ipdr.svc.cluster.local"));
        }
        if (k8s != null && k8s.isEnabled() && !c.getCluster().getMembers().isEmpty()) {
            out.add(new Problem("cluster.members", "must be [] when cluster.kubernetes.enabled is true (members "
                    + "are discovered through cluster.kubernetes.serviceDns)"));
        }
        String pub = c.getCluster().getPublicAddress() == null ? "" : c.getCluster().getPublicAddress().trim();
        if (!pub.isEmpty() && (pub.contains(" ") || pub.contains("/") || pub.endsWith(":"))) {
            out.add(new Problem("cluster.publicAddress", "'" + pub + "' must be host or host:port, e.g. "
                    + "10.0.0.11 or 10.0.0.11:5701"));
        }
        if (!c.getCluster().getZooKeeper().isBlank()) {
            hostPorts(out, "cluster.zooKeeper", List.of(c.getCluster().getZooKeeper().split(",")));
        }
        java.util.Map<String, Integer> replication = c.getStorage().getReplication();
        if (replication != null && !replication.isEmpty()) {
            if (!replication.containsKey(c.getStorage().getLocalDatacenter())) {
                out.add(new Problem("storage.replication", "must contain storage.localDatacenter ("
                        + c.getStorage().getLocalDatacenter() + "): records are written at LOCAL consistency there"));
            }
            replication.forEach((dc, rf) -> {
                if (dc == null || !dc.matches("[A-Za-z0-9_.-]+") || rf == null || rf < 1) {
                    out.add(new Problem("storage.replication." + dc, "must be a data center name with a "
                            + "replication factor >= 1"));
                }
            });
        }
        StorageSettings st = c.getStorage();
        if ((long) st.getConnectionsPerHost() * st.getMaxRequestsPerConnection() < st.getMaxConcurrentRequests()) {
            out.add(new Problem("storage.maxConcurrentRequests", "(" + st.getMaxConcurrentRequests() + ") must not"
                    + " exceed storage.connectionsPerHost x storage.maxRequestsPerConnection (" + st.getConnectionsPerHost()
                    + " x " + st.getMaxRequestsPerConnection() + "): raise those or lower this, or a busy moment"
                    + " fails requests with \"no connection available\""));
        }
        io.ipdrsp.node.security.SecurityChecks.check(c, out);
        FleetChecks.check(c, out);
        if (c.getStorage().getMaxInFlightPerConnection() > c.getStorage().getMaxInFlight()) {
            out.add(new Problem("storage.maxInFlightPerConnection", "must not exceed storage.maxInFlight ("
                    + c.getStorage().getMaxInFlight() + ")"));
        }
        if (st.getEmbeddedNativePort() > 0 && st.getEmbeddedNativePort() <= 3024) {
            out.add(new Problem("storage.embeddedNativePort", "must be 0 (free ports) or 3025..65535: the local"
                    + " Cassandra's storage port is this - 2000, which must not be a privileged port"));
        }
        return out;
    }

    private static void hostPorts(List<Problem> out, String key, List<String> values) {
        for (int k = 0; values != null && k < values.size(); k++) {
            String v = values.get(k) == null ? "" : values.get(k).trim();
            int colon = v.lastIndexOf(':');
            boolean ok = colon > 0 && colon < v.length() - 1;
            if (ok) {
                try {
                    int port = Integer.parseInt(v.substring(colon + 1));
                    ok = port > 0 && port < 65536;
                } catch (NumberFormatException e) {
                    ok = false;
                }
            }
            if (!ok) {
                out.add(new Problem(key + "[" + k + "]", "'" + v + "' must be host:port, e.g. 10.0.0.5:9042"));
            }
        }
    }
}
