package io.ipdrsp.node.api;

import io.ipdrsp.dedup.ClusterMember;
import io.ipdrsp.dedup.ExporterLeadership;
import io.ipdrsp.dedup.NodeInfo;
import io.ipdrsp.node.NodeServices;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code GET /api/cluster}: the cluster as this node sees it now.
 * <ul>
 * <li>{@code members}: this node's current Hazelcast view (so during a split brain each side lists only itself),
 *     each member enriched from its ZooKeeper registry entry ({@code zooKeeper} = registered there);</li>
 * <li>{@code registered}: every node in the ZooKeeper registry (all sites), with {@code hazelcast} = in this node's
 *     Hazelcast view — a node listed here but not in {@code members} is alive for ZooKeeper yet cut off from the
 *     shared state;</li>
 * <li>{@code leaders}: per configured CMTS, the leader (ZooKeeper) if it is this node, with its fencing token, else
 *     the node the rendezvous hash designates among the site's live nodes that finalize.</li>
 * </ul>
 * Local reads only (Hazelcast membership, the Curator cache, the leadership latches): never waits on the network.
 */
@jakarta.annotation.security.RolesAllowed(io.ipdrsp.node.security.Role.VIEWER)
@Path("/api/cluster")
@Produces(MediaType.APPLICATION_JSON)
public final class ClusterResource {
    private final NodeServices services;

    public ClusterResource(NodeServices services) {
        this.services = services;
    }

    public record Member(String nodeId, String site, String address, String host, int apiPort, int ipdrPort,
                         boolean self, boolean zooKeeper, boolean hazelcast) {
    }

    public record HazelcastMember(String nodeId, String site, String address, boolean self) {
    }

    /** {@code leader} true: this node leads the exporter now, with {@code fencingToken}; else -1 and the owner. */
    public record Leader(String nodeId, boolean leader, long fencingToken) {
    }

    public record Cluster(String node, String site, List<Member> members, List<Member> registered,
                          List<HazelcastMember> hazelcastMembers, boolean zooKeeperConnected,
                          Map<String, Leader> leaders) {
    }

    @GET
    public Cluster get() {
        ClusterMember c = services.cluster();
        if (c == null) {
            throw new WebApplicationException("the node is not in a cluster yet", Response.Status.SERVICE_UNAVAILABLE);
        }
        String selfId = services.config().getNode().getId();
        List<ClusterMember.HazelcastMember> hz = c.hazelcastMembers();
        List<NodeInfo> zk = c.zooKeeperMembers();
        Map<String, NodeInfo> zkById = new LinkedHashMap<>();
        zk.forEach(n -> zkById.putIfAbsent(n.nodeId(), n));
        Set<String> hzIds = new TreeSet<>();
        List<Member> members = new ArrayList<>();
        List<HazelcastMember> hazelcast = new ArrayList<>();
        for (ClusterMember.HazelcastMember m : hz) {
            hzIds.add(m.nodeId());
            hazelcast.add(new HazelcastMember(m.nodeId(), m.site(), m.address(), m.local()));
            NodeInfo info = zkById.get(m.nodeId());
            members.add(new Member(m.nodeId(), m.site(), m.address(), info == null ? "" : info.host(),
                    info == null ? -1 : info.apiPort(), info == null ? -1 : info.ipdrPort(), m.nodeId().equals(selfId),
                    info != null, true));
        }
        members.sort(Comparator.comparing(Member::nodeId));
        hazelcast.sort(Comparator.comparing(HazelcastMember::nodeId));
        List<Member> registered = new ArrayList<>();
        for (NodeInfo n : zk) {
            registered.add(new Member(n.nodeId(), n.site(), n.host(), n.host(),
                    n.apiPort(), n.ipdrPort(), n.nodeId().equals(selfId), true, hzIds.contains(n.nodeId())));
        }
        ExporterLeadership leadership = c.leadership();
        List<String> live = leadership.liveNodes();
        Map<String, Leader> leaders = new TreeMap<>();
        for (String e : services.directory().all()) {
            var token = leadership.fencingToken(e);
            if (token.isPresent()) {
                leaders.put(e, new Leader(selfId, true, token.getAsLong()));
            } else {
                String owner = live.isEmpty() ? "" : leadership.expectedOwner(e);
                leaders.put(e, new Leader(owner == null ? "" : owner, false, -1));
            }
        }
        return new Cluster(selfId, services.config().getNode().getSite(), members, registered, hazelcast,
                c.zooKeeperConnected(), leaders);
    }
}
