package io.ipdrsp.dedup;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects Hazelcast members that are not collectors. Open-source Hazelcast admits any process that reaches a member's
 * port and knows the cluster name; it cannot refuse one. So every collector proves itself: it publishes, in a
 * replicated map, an HMAC under the cluster secret of its own member UUID and address (random per start and bound to
 * where it listens, so a rogue that copies another member's proof gains nothing: the proof does not match the
 * rogue's UUID). Every membership change, proof change, and a 1-second timer re-check every member.
 *
 * <p>While any member is unproven, {@link #trusted()} is false: dedup then checks every record against Cassandra
 * instead of trusting the shared view, which such a member could have changed. A member still unproven after
 * {@code grace} (time to publish its proof) raises the alarm: an ERROR naming it, {@link #alarms()}, and
 * {@link #unproven()} for the health check; it ends when the member is gone.
 */
public final class MembershipGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipGuard.class);
    static final String PROOFS = "ipdr-member-proofs";

    private final HazelcastInstance hazelcast;
    private final byte[] secret;
    private final long graceNanos;
    private final ReplicatedMap<UUID, String> proofs;
    private final ScheduledExecutorService timer;
    private final Map<UUID, Long> firstSeenUnproven = new HashMap<>();
    private final AtomicLong alarms = new AtomicLong();
    private final UUID membershipListener;
    private volatile boolean trusted;
    private volatile Set<String> unproven = Set.of();

    private MembershipGuard(HazelcastInstance hazelcast, byte[] secret, long graceMillis) {
        this.hazelcast = hazelcast;
        this.secret = secret.clone();
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(graceMillis);
        this.proofs = hazelcast.getReplicatedMap(PROOFS);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ipdr-membership-guard");
            t.setDaemon(true);
            return t;
        });
        this.membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
                recheckSoon();
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
                proofs.remove(e.getMember().getUuid());
                recheckSoon();
            }
        });
    }

    /** Publishes this member's proof and starts checking the others'. */
    public static MembershipGuard start(HazelcastInstance hazelcast, byte[] secret, long graceMillis) {
        MembershipGuard g = new MembershipGuard(hazelcast, secret, graceMillis);
        g.proofs.addEntryListener(new com.hazelcast.core.EntryAdapter<>() {
            @Override
            public void onEntryEvent(com.hazelcast.core.EntryEvent<UUID, String> event) {
                g.recheckSoon();
            }
        });
        g.check();
        g.timer.scheduleWithFixedDelay(g::checkSafely, 1, 1, TimeUnit.SECONDS);
        return g;
    }

    /** False while a member of the cluster has not proven itself: the shared view must not be trusted. */
    public boolean trusted() {
        return trusted;
    }

    /** Members unproven beyond the grace period ("uuid address"), empty when none. */
    public Set<String> unproven() {
        return unproven;
    }

    /** How many members raised the alarm since start. */
    public long alarms() {
        return alarms.get();
    }

    /** The proof of a member: HMAC-SHA256 under the secret of the cluster name, its UUID and its address. */
    static String proof(byte[] secret, String clusterName, Member m) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            String subject = "ipdr-member/1\n" + clusterName + "\n" + m.getUuid() + "\n" + m.getAddress().getHost() + ":"
                    + m.getAddress().getPort();
            return Base64.getEncoder().encodeToString(mac.doFinal(subject.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private void recheckSoon() {
        try {
            timer.execute(this::checkSafely);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closing
        }
    }

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.debug("membership check: {}", e.toString()); // Hazelcast shutting down; the next run retries
        }
    }

    private synchronized void check() {
        String cluster = hazelcast.getConfig().getClusterName();
        Member self = hazelcast.getCluster().getLocalMember();
        String mine = proof(secret, cluster, self);
        if (!mine.equals(proofs.get(self.getUuid()))) {
            proofs.put(self.getUuid(), mine); // first start, or a rogue removed or changed it
        }
        long now = System.nanoTime();
        boolean allProven = true;
        Set<String> alarmed = new TreeSet<>();
        List<UUID> present = new java.util.ArrayList<>();
        for (Member m : hazelcast.getCluster().getMembers()) {
            present.add(m.getUuid());
            if (m.localMember()) {
                continue;
            }
            String shown = proofs.get(m.getUuid());
            if (shown != null && MessageDigest.isEqual(shown.getBytes(StandardCharsets.US_ASCII),
                    proof(secret, cluster, m).getBytes(StandardCharsets.US_ASCII))) {
                firstSeenUnproven.remove(m.getUuid());
                continue;
            }
            allProven = false;
            long since = firstSeenUnproven.computeIfAbsent(m.getUuid(), u -> now);
            if (now - since >= graceNanos) {
                String who = m.getUuid() + " " + m.getAddress().getHost() + ":" + m.getAddress().getPort();
                alarmed.add(who);
                if (!unproven.contains(who)) {
                    alarms.incrementAndGet();
                    LOG.error("Hazelcast member {} (nodeId attribute '{}') has not proven it holds the cluster "
                            + "secret: it is not a collector of this cluster. Every record is checked against "
                            + "Cassandra until it is gone; find the process at that address and stop it (docs/"
                            + "operations.md, Security)", who, m.getAttribute(ClusterMember.ATTR_NODE_ID));
                }
            }
        }
        firstSeenUnproven.keySet().retainAll(present);
        if (!unproven.isEmpty() && alarmed.isEmpty()) {
            LOG.warn("no unproven Hazelcast member left: the shared view is trusted again");
        }
        unproven = Set.copyOf(alarmed);
        trusted = allProven;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            hazelcast.getCluster().removeMembershipListener(membershipListener);
        } catch (RuntimeException e) {
            LOG.debug("membership listener not removed: {}", e.toString());
        }
    }
}
