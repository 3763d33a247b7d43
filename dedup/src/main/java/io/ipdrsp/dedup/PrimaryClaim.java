package io.ipdrsp.dedup;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * Which node last received SESSION_START with the primary flag for an exporter session (key
 * {@code exporter/sessionId}), for which document. Replaced by {@link Claim}, which returns the previous claim so the
 * new primary can tell a failover (previous primary was another node) from a restart on the same node.
 */
public final class PrimaryClaim implements DataSerializable {
    private String nodeId;
    private String documentId;
    private long bootTime;
    private long claimedAtMillis;

    public PrimaryClaim() {
    }

    public PrimaryClaim(String nodeId, String documentId, long bootTime, long claimedAtMillis) {
        this.nodeId = nodeId;
        this.documentId = documentId;
        this.bootTime = bootTime;
        this.claimedAtMillis = claimedAtMillis;
    }

    public String nodeId() {
        return nodeId;
    }

    public String documentId() {
        return documentId;
    }

    public long bootTime() {
        return bootTime;
    }

    public long claimedAtMillis() {
        return claimedAtMillis;
    }

    static String key(String exporter, int sessionId) {
        return exporter + '/' + sessionId;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(nodeId);
        out.writeString(documentId);
        out.writeLong(bootTime);
        out.writeLong(claimedAtMillis);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        nodeId = in.readString();
        documentId = in.readString();
        bootTime = in.readLong();
        claimedAtMillis = in.readLong();
    }

    @Override
    public String toString() {
        return "PrimaryClaim[" + nodeId + ", doc " + documentId + ", boot " + bootTime + "]";
    }

    /** Sets the claim, returning the previous one (null if none). */
    public static final class Claim implements EntryProcessor<String, PrimaryClaim, PrimaryClaim>, DataSerializable {
        private static final long serialVersionUID = 1L;
        private PrimaryClaim claim;

        public Claim() {
        }

        Claim(PrimaryClaim claim) {
            this.claim = claim;
        }

        @Override
        public PrimaryClaim process(Map.Entry<String, PrimaryClaim> entry) {
            PrimaryClaim previous = entry.getValue();
            entry.setValue(claim);
            return previous;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            claim.writeData(out);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            claim = new PrimaryClaim();
            claim.readData(in);
        }
    }
}
