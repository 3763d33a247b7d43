package io.ipdrsp.dedup;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link StreamRegistry} on a Hazelcast IMap, so that every node of a site sees every session. Entries expire
 * after {@code ttlSeconds} unless re-published, which removes the entries of a node that died without cleaning
 * up (Hazelcast keeps a dead member's map entries on their backups).
 */
public final class HazelcastStreamRegistry implements StreamRegistry {
    public static final String MAP_NAME = "ipdr-session-state";

    private final IMap<String, SessionState> map;
    private final IMap<String, PrimaryClaim> primaries;
    private final long ttlSeconds;

    public HazelcastStreamRegistry(HazelcastInstance hazelcast, long ttlSeconds) {
        if (ttlSeconds <= 0) {
            throw new IllegalArgumentException("ttlSeconds must be > 0");
        }
        this.map = hazelcast.getMap(MAP_NAME);
        this.primaries = hazelcast.getMap(RecordDeduplicator.PRIMARY_MAP);
        this.ttlSeconds = ttlSeconds;
    }

    @Override
    public void publish(SessionState state) {
        // async: this is called from Netty event loops, which must not wait for a partition owner's reply
        map.setAsync(state.key(), state, ttlSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void remove(String nodeId, String exporter, int sessionId) {
        map.removeAsync(SessionState.key(nodeId, exporter, sessionId));
    }

    @Override
    public Collection<SessionState> all() {
        List<SessionState> out = new ArrayList<>(map.values());
        out.sort((a, b) -> a.key().compareTo(b.key()));
        return out;
    }

    /** Synchronous Hazelcast reads: for REST handlers, not for event loops. */
    @Override
    public java.util.Optional<SessionView> session(String exporter, int sessionId) {
        PrimaryClaim claim = primaries.get(PrimaryClaim.key(exporter, sessionId));
        List<SessionState> entries = all().stream()
                .filter(s -> s.exporter().equals(exporter) && s.sessionId() == sessionId).toList();
        if (claim == null) {
            return StreamRegistry.super.session(exporter, sessionId);
        }
        return java.util.Optional.of(StreamRegistry.view(exporter, sessionId, claim.nodeId(), entries));
    }

    @Override
    public void close() {
        // the map belongs to the cluster; the Hazelcast instance is closed by whoever started it
    }
}
